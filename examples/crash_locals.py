"""A crash with locals of many kinds and a second thread (pyhd-debug's tests use it).

Usage: crash_locals.py [COUNT]. A daemon worker thread waits on an event while
the main thread computes an average over an empty batch and divides by zero.
"""

import sys
import threading


class Order:
    def __init__(self, number, items):
        self.number = number
        self.items = items

    def total(self, *, discount=0):
        return sum(price for _, price in self.items) - discount


def worker_loop(ready, stop):
    """Signal that the worker runs, then wait (the dump shows it waiting)."""
    ready.set()
    stop.wait()


def average(values, label="batch", *extra, scale=1.0, **options):
    count = len(values)
    total = sum(values) * scale
    return total / count


def process(orders, count):
    names = [f"order-{o.number}" for o in orders]
    totals = {o.number: o.total(discount=1) for o in orders}
    selected = [t for n, t in totals.items() if n > count]
    return average(selected, "selected", "extra", scale=2.0, verbose=True)


def main(argv):
    ready, stop = threading.Event(), threading.Event()
    worker = threading.Thread(target=worker_loop, args=(ready, stop),
                              name="worker", daemon=True)
    worker.start()
    ready.wait()
    count = int(argv[1]) if len(argv) > 1 else 10
    orders = [Order(1, [("pen", 2), ("ink", 5)]), Order(2, [("café", 3.5)])]
    return process(orders, count)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
