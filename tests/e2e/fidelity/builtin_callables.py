"""Fidelity: builtin functions, bound C methods and C descriptors in the crashing frame."""

import collections
import datetime
import itertools
import math
import os
import random
import re
import sys
import time


class Settings(dict):
    """A program class with a C base: its instances' C methods are dict's."""


class Slotted:
    __slots__ = ("a",)


class Plain:
    pass


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
    name_getset = type.__dict__["__name__"]
    start_member = slice.__dict__["start"]
    slot_member = Slotted.a
    dict_getset = Plain.__dict__["__dict__"]
    add_wrapper = (1).__add__
    chain_from = itertools.chain.from_iterable
    queue = collections.deque([1])
    queue_append = queue.append
    now = datetime.datetime.now
    match = re.compile("a+").match
    code = crash.__code__
    raise RuntimeError("crash with builtin callables")


crash()
