"""Fidelity: enums in the crashing frame."""
import datetime
import enum


class Status(enum.Enum):
    IN_STOCK = 1
    SOLD_OUT = 2


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 3


class Color(enum.Flag):
    RED = 1
    GREEN = 2
    BLUE = 4


class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1


class Kind(enum.Enum):
    CIRCLE = 1
    SQUARE = 2

    def __repr__(self):
        return f"Kind.{self.name}"

    def __str__(self):
        return "%s=%r" % (self.name.lower(), self.value)


class Holiday(datetime.date, enum.Enum):
    """3.11 and later copy Enum's own __repr__ into a class with a data type."""
    NEW_YEAR = (2026, 1, 1)
    XMAS = (2026, 12, 25)


def crash():
    holidays = list(Holiday)
    kinds = [Kind.CIRCLE, Kind.SQUARE]
    kind_text = str(Kind.SQUARE)
    status = Status.IN_STOCK
    priority = Priority.HIGH
    color = Color.RED
    mixed = Color.RED | Color.BLUE
    perm = Perm.R | Perm.W
    members = list(Status)
    kind = Status
    return 1 / 0


crash()
