"""Fidelity: functools.lru_cache and functools.cache wrappers (module
functions, a method) come back as real wrappers of the rebuilt functions:
cache_info() answers the program's counts, __wrapped__, __name__ and the
source are the program's, and calling one raises as a rebuilt function does."""
import functools


@functools.lru_cache(maxsize=32)
def fib(n):
    """Fibonacci, memoized."""
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@functools.cache
def square(n):
    return n * n


class Shape:
    @functools.lru_cache(maxsize=None, typed=True)
    def area(self, k):
        return k * 2


def crash():
    fib(10)
    square(3)
    square(3)
    memo = fib
    unbounded = square
    method = Shape.area
    counts = (fib.cache_info(), square.cache_info(), Shape.area.cache_info())
    parameters = (fib.cache_parameters(), Shape.area.cache_parameters())
    raise ValueError("cache of %d entries went stale" % counts[0].currsize)


crash()
