"""Fidelity: standard-library records in the crashing frame (named tuples, struct
sequences, read-only views)."""
import difflib
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
    return open(path)


crash("/nonexistent/pyhd-fidelity")
