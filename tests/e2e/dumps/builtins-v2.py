"""A crash dumped by pyhd before builtin functions kept their self (format version 2)."""
import os


def crash():
    pid = os.getpid
    printer = print
    items = [3, 1]
    append = items.append
    return 1 / 0


crash()
