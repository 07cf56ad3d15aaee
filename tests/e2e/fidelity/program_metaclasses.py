"""Fidelity: classes whose type is not type (a program's metaclass, abc.ABCMeta
through a library's base, typing's TypedDict and Protocol metaclasses) held as
locals in the crashing frame, with instances of them: type(cls) reads as in
the program, and a class whose metaclass has its own __repr__ prints as that
__repr__ printed it."""
import abc
import collections.abc
import typing


class Registry(type):
    plugins = {}

    def __new__(mcls, name, bases, namespace):
        cls = super().__new__(mcls, name, bases, namespace)
        mcls.plugins[name.lower()] = cls
        return cls

    def describe(cls):
        return "plugin " + cls.__name__


class Plugin(metaclass=Registry):
    kind = "base"


class Exporter(Plugin):
    kind = "export"

    def __init__(self, target):
        self.target = target


class Tagged(type):
    def __repr__(cls):
        return "<model %s.%s>" % (cls.__module__, cls.__qualname__)


class Model(metaclass=Tagged):
    pass


class Store(collections.abc.Mapping):
    def __init__(self, data):
        self.data = data

    def __getitem__(self, key):
        return self.data[key]

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)


class Limits(typing.TypedDict):
    cpu: int


class Sized(typing.Protocol):
    def size(self) -> int: ...


class Base(abc.ABC):
    @abc.abstractmethod
    def run(self): ...


def crash(name):
    plugin_class = Registry.plugins[name]
    base_class = Plugin
    metaclass = Registry
    exporter = Exporter("s3://bucket")
    store_class = Store
    store = Store({"a": 1})
    limits_class = Limits
    limits = Limits(cpu=2)
    protocol = Sized
    abstract = Base
    model_class = Model
    models = [Model, Tagged]
    return plugin_class.describe(exporter.target)


crash("exporter")
