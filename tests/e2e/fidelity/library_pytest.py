"""A pytest-style test run under plain python, and attrs classes: pytest's approx,
raises and marks, and the reprs attrs generates, written over the dumped attributes."""
import decimal

import attr
import pytest


@attr.s
class Point:
    x = attr.ib()
    y = attr.ib(default=0)
    cache = attr.ib(default=None, repr=False)


@attr.define
class Box:
    low: Point
    high: Point
    label: str = "box"


@attr.frozen
class Tag:
    name: str


def test_prices():
    scalar = pytest.approx(1.25)
    relative = pytest.approx(0.8, rel=1e-3)
    absolute = pytest.approx(10, abs=0.5)
    exact = pytest.approx("text")
    money = pytest.approx(decimal.Decimal("2.50"))
    complex_ = pytest.approx(3 + 4j)
    mapping = pytest.approx({"apple": 1.25, "pear": 0.8})
    sequence = pytest.approx([1.25, 0.8])
    pair = pytest.approx((1.0, 2.0))
    with pytest.raises(ValueError) as caught:
        float("nope")
    kind = caught.type
    mark = pytest.mark.slow
    marked = pytest.mark.parametrize("n", [1, 2])
    param = pytest.param(1, 2, id="one-two")
    point = Point(1.5, 2)
    box = Box(Point(0, 0), Point(3, 4, cache=[1]))
    tag = Tag("fast")
    assert {"apple": 1.25, "pear": 0.7} == mapping


test_prices()
