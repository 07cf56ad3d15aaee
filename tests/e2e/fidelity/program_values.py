"""Fidelity: the program's own classes, functions and modules in the crashing frame."""
import abc
import collections
import decimal
import fractions
import json
import operator
import typing
import uuid


class Sale:
    tax = 0.2

    def __init__(self, region, amount):
        self.region = region
        self.amount_net = amount

    @property
    def amount(self):
        return self.amount_net * (1 + self.tax)

    def summary(self):
        return "%s: %.2f" % (self.region, self.amount)


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return "Point(%r, %r)" % (self.x, self.y)


Pair = collections.namedtuple("Pair", "left right")


class Row(typing.NamedTuple):
    name: str
    qty: int = 0


class ReportError(Exception):
    pass


class Shape(abc.ABC):
    @abc.abstractmethod
    def area(self):
        pass


class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side ** 2


T = typing.TypeVar("T")


class Record(tuple):
    """A tuple with named fields made by hand: properties over operator.itemgetter."""
    name = property(operator.itemgetter(0))
    size = property(operator.itemgetter(1))


class Box(typing.Generic[T]):
    def __init__(self, item):
        self.item = item


class Money(fractions.Fraction):   # subclasses of the standard library's slotted
    pass                             # Python classes: the real base's repr and


class Ratio(fractions.Fraction):     # properties (numerator) on the dumped slots
    def __repr__(self):
        return "Ratio(%s/%s)" % (self.numerator, self.denominator)


class RequestId(uuid.UUID):
    pass


class Cents(decimal.Decimal):       # a C base: Decimal's own repr and arithmetic
    pass


class Amount(decimal.Decimal):
    def __repr__(self):
        return f"Amount({self})"


def helper(a, b=2, *rest, key=None, **extra):
    return a


def crash():
    sale = Sale("north", 100)
    point = Point(1, 2)
    pair = Pair(1, "b")
    row = Row("widget", 3)
    error = ReportError("bad region", 7)
    func = helper
    anon = lambda x: x
    cls = Sale
    abstract = Shape
    square = Square(3)
    box = Box(1)
    record = Record(("bolt", 3))
    box_class = Box
    mod = json
    method = sale.summary
    money = Money(3, 4)
    ratio = Ratio(1, 3)
    request = RequestId("12345678-1234-5678-1234-567812345678")
    cents = Cents("19.99")
    amount = Amount("-0.5")
    total = cents + amount
    return 1 / 0


crash()
