"""Fidelity: random.Random generators come back in the state they were in:
the next numbers drawn in pyhd-debug are the ones the program would have
drawn (gauss()'s cached second value included)."""
import random


def crash():
    rng = random.Random(1234)
    rng.random()
    normal = random.Random(7)
    normal.gauss(0.0, 1.0)
    peek = random.Random()
    peek.setstate(rng.getstate())
    upcoming = [peek.random() for _ in range(3)]
    peek.setstate(normal.getstate())
    upcoming_gauss = [peek.gauss(0.0, 1.0) for _ in range(2)]
    del peek
    raise ValueError("simulation diverged at %r" % upcoming[0])


crash()
