"""Fidelity: enums in the crashing frame."""
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


def crash():
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
