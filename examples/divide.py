"""divide.py A B: print A / B. `divide.py 5 0` crashes with ZeroDivisionError.

A small program to try pyhd-run on: the crashing frame and its caller hold a
dict, a list and an instance of a small class.
"""
import sys


class Fraction:
    """A numerator over a denominator, kept as given."""

    def __init__(self, numerator, denominator):
        self.numerator = numerator
        self.denominator = denominator


def divide(numerator, denominator):
    fraction = Fraction(numerator, denominator)
    history = [numerator, denominator, "divide"]
    settings = {"precision": 3, "mode": "exact"}
    result = fraction.numerator / fraction.denominator
    return round(result, settings["precision"]), history


def main(argv):
    if len(argv) != 3:
        print("usage: divide.py A B", file=sys.stderr)
        return 2
    operands = {"a": int(argv[1]), "b": int(argv[2])}
    runs = [operands]
    result, history = divide(operands["a"], operands["b"])
    print(f"{operands['a']} / {operands['b']} = {result} (after {len(runs)} run, {history})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
