"""A crash at module level: the locals are the module's globals, imported modules
among them (os, io, codecs, abc and stat are frozen in 3.11+, sys and time built
in, json and collections from files), and type aliases."""
import abc
import codecs
import collections
import io
import json
import os
import stat
import sys
import time

Vector = list[float]
Table = dict[str, list[int]]
Maybe = int | str
settings = {"retries": 3, "path": os.path.join("var", "data")}
names = collections.Counter("abracadabra")
raise KeyError(settings["path"])
