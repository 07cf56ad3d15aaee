"""Fidelity: dataclasses in the crashing frame."""
import dataclasses
import typing


@dataclasses.dataclass
class Item:
    name: str
    qty: int = 0
    tags: typing.List[str] = dataclasses.field(default_factory=list)
    note: str = dataclasses.field(default="", repr=False)


@dataclasses.dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int = 0


@dataclasses.dataclass
class Order:
    items: list
    version: Version


def crash():
    item = Item("bolt", 3, ["m4"], "hidden")
    version = Version(1, 2)
    order = Order([item], version)
    fields = [f.name for f in dataclasses.fields(item)]
    return 1 / 0


crash()
