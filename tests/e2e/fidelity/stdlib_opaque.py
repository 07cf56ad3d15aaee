"""Fidelity: C objects pyhd does not read (opaque), and weak references, in the crashing
frame: their reprs hold addresses, their types read as in the program."""
import csv
import functools
import hashlib
import io
import itertools
import weakref
import zlib


class Node:
    pass


@functools.lru_cache(maxsize=32)
def cached(n):
    return n


def crash(path):
    digest = hashlib.sha256(b"data")
    text = io.StringIO("a,b\n")
    data = io.BytesIO(b"xy")
    rows = csv.reader(text)
    packer = zlib.compressobj()
    joined = itertools.chain([1], [2])
    node = Node()
    link = weakref.ref(node)
    memo = cached
    return open(path)


crash("/nonexistent/pyhd-fidelity")
