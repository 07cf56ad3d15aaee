"""Fidelity: builtin values in the crashing frame."""


def crash():
    small = 7
    big = 2 ** 100
    negative = -12345678901234567890
    ratio = 0.1 + 0.2
    special = [float("inf"), float("-inf"), -0.0]
    z = 3 - 4j
    text = "caf\xe9 \u20ac \U0001F600"
    empty = ""
    data = b"\x00\xffbytes"
    buf = bytearray(b"mutable")
    items = [1, "two", 3.0, None, True]
    pair = (1, (2, (3,)))
    single = (1,)
    table = {"a": 1, "b": [2, 3], 4: {"nested": ()}}
    names = table.keys()
    values = table.values()
    entries = table.items()
    tags = {3, 1, 2}
    frozen = frozenset({"x"})
    span = range(2, 20, 3)
    cut = slice(1, None, -1)
    nothing = None
    flags = (True, False)
    dots = ...
    ni = NotImplemented
    cycle = [1]
    cycle.append(cycle)
    shared = [0]
    twice = [shared, shared]
    return 1 / 0


crash()
