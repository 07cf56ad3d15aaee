"""Fidelity: standard-library records in the crashing frame (named tuples, struct
sequences, read-only views, decimal contexts, method callers)."""
import decimal
import difflib
import functools
import operator
import os
import time
import types
import urllib.parse


def crash(path):
    url = urllib.parse.urlparse("https://user@example.org:8080/a/b?q=1#frag")
    split = urllib.parse.urlsplit("http://h/x")
    match = difflib.SequenceMatcher(None, "abcd", "abxd").find_longest_match(0, 4, 0, 4)
    info = os.stat(__file__)
    moment = time.gmtime(0)
    proxy = types.MappingProxyType({"k": 1, "j": [2]})
    getter = operator.itemgetter(1, 0)
    names = operator.attrgetter("real", "imag.real")
    caller = operator.methodcaller("split", ",", 1)
    context = decimal.getcontext()
    money = decimal.Context(prec=6, rounding=decimal.ROUND_DOWN, Emin=-99, Emax=99,
                            capitals=0, clamp=1, traps=[decimal.Inexact, decimal.Rounded])
    money.flags[decimal.Subnormal] = True
    money.flags[decimal.FloatOperation] = True
    later = functools.partialmethod(print, 1, sep="-")
    bare = functools.partialmethod(len)  # 3.13 dropped the ", , " of no arguments
    return open(path)


crash("/nonexistent/pyhd-fidelity")
