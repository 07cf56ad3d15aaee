"""Fidelity: builtin iterators part way through: over a list (forwards and
reversed), a tuple, a str (ASCII or not), bytes, a range (small or past a C
long); an exhausted one; enumerate, zip, map and filter. Each comes back where it was: what is left to iterate is
what the program had left."""


def crash():
    rows = [["id", "name"], [1, "ann"], [2, "bob"], [3, "cy"]]
    cursor = iter(rows)
    header = next(cursor)
    backwards = reversed(rows)
    next(backwards)
    digits = iter((1, 2, 3))
    next(digits)
    word = iter("h\u00e9llo")
    next(word)
    plain = iter("abc")
    next(plain)
    octets = iter(b"xyz")
    next(octets)
    counter = iter(range(10, 20, 3))
    next(counter)
    huge = iter(range(2 ** 70, 2 ** 70 + 5))
    next(huge)
    next(huge)
    spent = iter([1])
    for _ in spent:
        pass
    numbered = enumerate(["x", "y", "z"], 10)
    next(numbered)
    pairs = zip([1, 2, 3], "abc")
    next(pairs)
    sizes = map(len, ["a", "bb", "ccc"])
    next(sizes)
    nonzero = filter(None, [0, 1, 2])
    next(nonzero)
    raise ValueError("bad row after %s" % header)


crash()
