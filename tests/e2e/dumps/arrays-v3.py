"""A crash dumped by pyhd before NDARRAY records held a subclass instance's
__dict__ (format version 3): arrays, a masked array and a program's subclass."""
import numpy as np


class Tagged(np.ndarray):
    pass


def crash():
    grid = np.arange(6, dtype=np.int16).reshape(2, 3)
    masked = np.ma.masked_array([1, 2, 3], mask=[0, 1, 0])
    tagged = np.array([1.5, 2.5]).view(Tagged)
    return 1 / 0


crash()
