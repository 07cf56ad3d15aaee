"""Fidelity: C objects read through their C members: os.scandir()'s entries
(str and bytes) and super objects (bound to an instance, to a class, unbound)."""
import os


class Base:
    def chain(self):
        return super()


class Child(Base):
    @classmethod
    def of_class(cls):
        return super(Child, cls)


def crash(directory):
    entries = sorted(os.scandir(directory), key=lambda e: e.name)
    entry = entries[0]
    raw_entry = sorted(os.scandir(os.fsencode(directory)), key=lambda e: e.name)[0]
    bound = Child().chain()
    of_class = Child.of_class()
    unbound = super(Base)
    path = os.fspath(entry)
    raise RuntimeError(path)


crash(os.path.dirname(os.path.abspath(__file__)))
