"""Fidelity: builtin functions, bound C methods and C descriptors in the crashing frame."""

import math
import os
import random
import sys
import time


class Settings(dict):
    """A program class with a C base: its instances' C methods are dict's."""


def crash():
    printer = print
    length = len
    pid = os.getpid
    system = os.system
    root = math.sqrt
    clock = time.monotonic
    items = [3, 1]
    append = items.append
    sort = items.sort
    table = {"a": 1}
    lookup = table.get
    pop = table.pop
    upper = "abc".upper
    decode = b"abc".decode
    add = {1}.add
    fromkeys = dict.fromkeys
    from_bytes = int.from_bytes
    sub_fromkeys = Settings.fromkeys
    maketrans = str.maketrans
    new = object.__new__
    sub_new = Settings.__new__
    mro = Settings.mro
    subclasses = int.__subclasses__
    rand = random.random
    write = sys.stderr.write
    settings = Settings(debug=True)
    setting = settings.get
    join = str.join
    append_descr = list.append
    wrapper = object.__init__
    str_add = str.__add__
    fromkeys_descr = dict.__dict__["fromkeys"]
    raise RuntimeError("crash with builtin callables")


crash()
