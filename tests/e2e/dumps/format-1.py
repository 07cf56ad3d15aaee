"""A crash dumped by pyhd 0.1 (format version 1): classes, functions, an enum, a namedtuple."""
import collections
import enum


class Color(enum.Enum):
    RED = 1


class Sale:
    tax = 0.2

    def __init__(self, region):
        self.region = region

    def summary(self):
        return self.region


Pair = collections.namedtuple("Pair", "left right")


def crash():
    sale = Sale("north")
    color = Color.RED
    pair = Pair(1, 2)
    func = crash
    return 1 / 0


crash()
