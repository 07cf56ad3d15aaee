"""pyhd surrogates: record classes, inert stand-ins and standard-library rebuilders for pyhd-debug.

src/rebuild.c calls into this module while it turns a dump's records into
objects. Nothing here runs code from the dump: classes are made with type()
from names that are only ever used as names, instances get their attributes
by dictionary assignment, and a standard-library value is rebuilt only from
the fixed table of format.h (REDUCED).
"""

import sys

import pyhd_reprlib

CLASS_STDLIB = 0x01
CLASS_EXCEPTION = 0x02


# ---------------------------------------------------------------------------
# Records: the frames, tracebacks and code objects of the dump, as plain data.

class _Record:
    """A plain attribute holder; every field starts as None."""

    _fields = ()

    def __init__(self, **fields):
        for name in self._fields:
            setattr(self, name, fields.pop(name, None))
        if fields:
            raise TypeError("unknown fields: " + ", ".join(sorted(fields)))

    def __repr__(self):
        return "<%s %s>" % (type(self).__name__, self._where())

    def _where(self):
        return ""


def _code_where(code):
    if not isinstance(code, CodeRecord):
        return "?"
    return "%s at %s:%s" % (code.qualname or code.name, code.filename, code.firstlineno)


class CodeRecord(_Record):
    """A dumped code object (its names and argument counts; no bytecode)."""

    _fields = ("filename", "name", "qualname", "firstlineno", "argcount", "posonlyargcount",
               "kwonlyargcount", "flags", "varnames", "cellvars", "freevars")

    def _where(self):
        return _code_where(self)


class FrameRecord(_Record):
    """A dumped frame: its code, position, locals, globals and the frame below it."""

    _fields = ("code", "lineno", "end_lineno", "col", "end_col", "locals", "globals",
               "builtins", "back")

    def _where(self):
        name = getattr(self.code, "qualname", None) or getattr(self.code, "name", "?")
        return "%s at %s:%s" % (name, getattr(self.code, "filename", "?"), self.lineno)


class TracebackRecord(_Record):
    """A dumped traceback entry: the frame and the position where it was left."""

    _fields = ("frame", "lineno", "end_lineno", "col", "end_col", "next")

    def _where(self):
        code = getattr(self.frame, "code", None)
        name = getattr(code, "qualname", None) or getattr(code, "name", "?")
        return "%s at %s:%s" % (name, getattr(code, "filename", "?"), self.lineno)


# ---------------------------------------------------------------------------
# Surrogate classes: stand-ins for the program's classes.

def _class_name(cls):
    """module.qualname of a class, read without running any code of the dump."""
    if not isinstance(cls, type):
        return "?"
    module = type.__dict__["__module__"].__get__(cls)
    qualname = type.__dict__["__qualname__"].__get__(cls)
    if module in (None, "builtins"):
        return qualname
    return "%s.%s" % (module, qualname)


class RebuiltClass(type):
    """The metaclass of surrogate classes: says that the class was rebuilt."""

    def __repr__(cls):
        return "<rebuilt class %r>" % _class_name(cls)


def is_surrogate(cls):
    return isinstance(cls, RebuiltClass)


def _short_repr(value, limit=300):
    return pyhd_reprlib.cut_repr(value, limit)


def _surrogate_render(self, out):
    """<rebuilt Point x=1 y=2>: the dumped attributes; no user __repr__ exists here.

    Written into a pyhd_reprlib renderer, so that it is cut while it is built.
    """
    cls = type(self)
    if not out.enter(self):
        out.write("<rebuilt %s ...>" % cls.__qualname__)
        return
    try:
        attrs = object.__getattribute__(self, "__dict__") if hasattr(self, "__dict__") else {}
        if "_name_" in attrs and "_value_" in attrs:
            out.write("<rebuilt %s.%s: " % (cls.__qualname__, attrs["_name_"]))
            out.value(attrs["_value_"])
            out.write(">")
            return
        out.write("<rebuilt ")
        base = next((b for b in cls.__mro__ if b.__module__ == "builtins"), object)
        fields = getattr(cls, "_fields", None)
        if isinstance(self, tuple) and isinstance(fields, tuple):
            out.write(cls.__qualname__ + "(")
            for i, (name, value) in enumerate(zip(fields, self)):
                out.write("%s%s=" % (", " if i else "", name))
                out.value(value)
            out.write(")")
        elif isinstance(self, BaseException):
            # As BaseException.__repr__ writes it, with the args cut while written.
            args = BaseException.args.__get__(self)
            out.write(cls.__name__)
            if len(args) == 1:
                out.write("(")
                out.render(args[0])
                out.write(")")
            else:
                out.items(args, tuple)
        elif base in (list, tuple, set, frozenset, dict):
            out.write(cls.__qualname__ + " ")
            out.items(self, base)
        elif base is not object:
            out.write(cls.__qualname__ + " " + base.__repr__(self))
        else:
            out.write(cls.__qualname__)
        for name, value in attrs.items():
            out.write(" %s=" % (name,))
            out.value(value)
        out.write(">")
    finally:
        out.leave(self)


def _usable_real_base(base):
    """Whether a real class may be a surrogate's base: builtins, exceptions, dict flavours."""
    if type(base) is not type:
        return False
    if base.__module__ == "builtins" or issubclass(base, BaseException):
        return True
    import collections
    return base in (collections.OrderedDict, collections.defaultdict, collections.Counter)


def _is_enum_base(base):
    """A real standard-library enum class without members (Enum, IntEnum, Flag, ...)."""
    import enum
    return (isinstance(base, enum.EnumMeta) and not is_surrogate(base)
            and not base.__dict__.get("_member_map_"))


_RebuiltEnumType = None


def _new_enum_class(name, bases, namespace):
    """A surrogate enum: derives from enum.Enum (or IntEnum...) but has no members.

    Its instances are the dumped members, made like any surrogate instance;
    they compare and hash by identity, so no member's attributes are needed
    before they are filled in.
    """
    global _RebuiltEnumType
    import enum
    if _RebuiltEnumType is None:
        _RebuiltEnumType = type("RebuiltEnumType", (RebuiltClass, enum.EnumMeta),
                                {"__module__": "pyhd"})
    classdict = _RebuiltEnumType.__prepare__(name, bases)
    for key, value in namespace.items():
        classdict[key] = value
    classdict["__hash__"] = object.__hash__
    classdict["__eq__"] = object.__eq__
    return _RebuiltEnumType(name, bases, classdict)


def _new_class(name, qualname, module, bases, exception):
    bases = tuple(b for b in bases if isinstance(b, type) and b is not object)
    bases = tuple(b if is_surrogate(b) or _usable_real_base(b) or _is_enum_base(b)
                  else mirror_class(b) for b in bases)
    if exception and not any(issubclass(b, BaseException) for b in bases):
        bases += (Exception,)
    namespace = {
        "__module__": module if isinstance(module, str) else "?",
        "__qualname__": qualname if isinstance(qualname, str) else "?",
        "__doc__": None,
        "__repr__": pyhd_reprlib.render_repr,
        "__pyhd_render__": _surrogate_render,
        "__pyhd_rebuilt__": True,
    }
    name = name if isinstance(name, str) else "?"
    # type() refuses NUL in names; a damaged dump may have one.
    name = name.replace("\0", "\\0")
    namespace["__qualname__"] = namespace["__qualname__"].replace("\0", "\\0")
    import enum
    if any(isinstance(b, enum.EnumMeta) for b in bases):
        try:
            return _new_enum_class(name, bases, namespace)
        except Exception:
            bases = tuple(b if not _is_enum_base(b) else mirror_class(b) for b in bases)
    builtin_bases = tuple(b for b in bases if not is_surrogate(b))[:1]
    fallback = (Exception,) if exception else ()
    # A layout or MRO conflict between the mirrored bases is possible (the
    # originals may have resolved it with real code): drop bases until type() agrees.
    for candidate in (bases, bases[:1], builtin_bases, fallback):
        try:
            return RebuiltClass(name, candidate, dict(namespace))
        except (TypeError, ValueError):
            continue
    return RebuiltClass("?", (), namespace)


_mirrors = {}


def mirror_class(cls):
    """A surrogate with the name and base chain of a real class (for its instances)."""
    mirror = _mirrors.get(cls)
    if mirror is None:
        mirror = _new_class(cls.__name__, cls.__qualname__, cls.__module__, cls.__bases__,
                            issubclass(cls, BaseException))
        _mirrors[cls] = mirror
    return mirror


# Standard-library modules whose import does something (opens a browser, prints, starts
# a GUI): a dump naming them gets a surrogate, never an import.
_NEVER_IMPORT = {"antigravity", "this", "__hello__", "__phello__", "turtle", "turtledemo",
                 "tkinter", "idlelib", "__main__"}


def _resolve(module, qualname, trust):
    """The real class module.qualname, from the standard library (any module if trust)."""
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    top = module.partition(".")[0]
    if module not in sys.modules and top in _NEVER_IMPORT:
        return None
    if not trust and module != "builtins" and top not in sys.stdlib_module_names:
        return None
    try:
        import importlib
        obj = sys.modules.get(module) or importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception:
        return None
    return obj if isinstance(obj, type) else None


def make_class(name, qualname, module, bases, flags, trust):
    """The class of a CLASS record: the real one when allowed, else a surrogate.

    Any argument may be a TruncatedStub (the walker's size budget ran out).
    """
    if not isinstance(bases, tuple):
        bases = ()
    if flags & CLASS_STDLIB or trust:
        real = _resolve(module, qualname, trust)
        if real is not None:
            return real
    return _new_class(name, qualname, module, bases or (), bool(flags & CLASS_EXCEPTION))


def class_attrs(cls, attrs):
    """Give a surrogate class its dumped plain-data attributes (namedtuple accessors too)."""
    if not is_surrogate(cls) or not isinstance(attrs, dict):
        return
    for name, value in attrs.items():
        if not isinstance(name, str) or (name.startswith("__") and name.endswith("__")):
            continue
        if name in cls.__dict__:
            continue
        type.__setattr__(cls, name, value)
    fields = attrs.get("_fields")
    if issubclass(cls, tuple) and isinstance(fields, tuple):
        import operator
        for index, field in enumerate(fields):
            if isinstance(field, str) and field not in cls.__dict__:
                type.__setattr__(cls, field, property(operator.itemgetter(index),
                                                      doc="Alias for field number %d" % index))


def _instantiable(cls):
    """Whether object.__new__(cls) works and the instance takes a __dict__."""
    try:
        obj = object.__new__(cls)
    except TypeError:
        return False
    return hasattr(obj, "__dict__") and not any("__slots__" in vars(k) for k in cls.__mro__)


def instance_class(cls, trust):
    """The class to make INSTANCE records of cls with object.__new__, or None for enums."""
    import enum
    if not isinstance(cls, type):  # a TruncatedStub in place of the class
        return _new_class("truncated", "truncated", "?", (), False)
    if not is_surrogate(cls) and isinstance(cls, enum.EnumMeta):
        return None
    candidates = []
    if is_surrogate(cls):
        candidates.append(cls)
    else:
        if trust and cls.__flags__ & (1 << 9):  # Py_TPFLAGS_HEAPTYPE: a class statement's
            candidates.append(cls)
        candidates.append(mirror_class(cls))
    for candidate in candidates:
        if _instantiable(candidate):
            return candidate
    # The record says instance, the class says otherwise (a builtin base): a plain stand-in.
    return _new_class(cls.__name__, cls.__qualname__, cls.__module__, (), False)


def enum_member(cls, name):
    """The real member of a standard-library enum, or None to make a surrogate instead."""
    members = cls.__dict__.get("_member_map_", {})
    if isinstance(name, str) and name in members:
        return members[name]
    return None


def fill_instance(obj, attrs, slots):
    """Give a surrogate instance its attributes; real enum members stay untouched."""
    if not is_surrogate(type(obj)):
        return
    target = obj.__dict__
    if isinstance(attrs, dict):
        target.update(attrs)
    target.update(slots)


def real_subclass_value(cls, value):
    """An instance of a real class extending an immutable builtin (SUBCLASS record).

    A standard-library enum gives its member of that value; anything else is
    made by the builtin's own constructor, so no __new__ of the class runs.
    """
    import enum
    if isinstance(cls, enum.EnumMeta):
        try:
            return cls._value2member_map_[value]
        except (KeyError, TypeError):
            pass
        try:
            return cls(value)  # a combination of flags; the enum's code is the stdlib's
        except Exception:
            return value
    base = next(b for b in cls.__mro__ if b.__module__ == "builtins" and b is not object)
    try:
        obj = base.__new__(cls, value)
        if base is bytearray:  # bytearray takes its contents in __init__
            bytearray.__init__(obj, value)
        return obj
    except Exception:
        return value


# ---------------------------------------------------------------------------
# Truncated containers: the walker cut them; they print so.

def _truncated_type(base):
    def __repr__(self):
        return "%s ... <truncated: %d more>" % (base.__repr__(self), self.pyhd_more)
    return type("truncated_" + base.__name__, (base,),
                {"__repr__": __repr__, "__module__": "pyhd", "pyhd_more": 0,
                 "__doc__": "A %s the dump cut short; pyhd_more is how many items are missing."
                 % base.__name__})


TRUNCATED_TYPES = {base.__name__: _truncated_type(base)
                   for base in (str, bytes, bytearray, tuple, list, set, frozenset, dict)}


def make_truncated(kind, value, more):
    """A truncated str, bytes, tuple or frozenset from value, or an empty mutable one."""
    cls = TRUNCATED_TYPES[kind]
    obj = cls() if value is None else cls(value)
    obj.pyhd_more = more
    return obj


class UnhashableKey:
    """Stands for a dict key or set item that cannot be hashed here (it could there)."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return "<unhashable key %s>" % _short_repr(self.value)


# ---------------------------------------------------------------------------
# Stubs: what cannot or must not be rebuilt as itself.

class FunctionStub:
    """A dumped function. It cannot be called: its code is not in the dump."""

    def __init__(self):
        self.name = self.qualname = self.module = self.code = None

    def __repr__(self):
        code = self.code
        if isinstance(code, CodeRecord):
            import os
            return "<rebuilt function %s at %s:%s>" % (
                self.qualname or self.name, os.path.basename(str(code.filename)),
                code.firstlineno)
        return "<rebuilt builtin function %s>" % (self.qualname or self.name)

    def __call__(self, *args, **kwargs):
        raise TypeError("%s is a function rebuilt from a pyhd dump; it cannot be called"
                        % (self.qualname or self.name))


class MethodStub:
    """A dumped bound method: its function and the object it was bound to."""

    def __init__(self):
        self.function = self.self = None

    def __repr__(self):
        name = getattr(self.function, "qualname", None) or "?"
        return "<rebuilt bound method %s of %s>" % (name, _short_repr(self.self, 100))

    def __call__(self, *args, **kwargs):
        raise TypeError("%s is a method rebuilt from a pyhd dump; it cannot be called"
                        % getattr(self.function, "qualname", "?"))


# Generators, coroutines and async generators: look-alikes whose frames are real (pyhd_tasks).
from pyhd_tasks import GeneratorStub  # noqa: E402  (rebuild.c calls it by this name)


class WeakrefStub:
    """A dumped weak reference; calling it gives the rebuilt referent (None if dead)."""

    def __init__(self, cls):
        self.cls = cls
        self.referent = None

    def __call__(self):
        return self.referent

    def __repr__(self):
        if self.referent is None:
            return "<rebuilt weakref (dead)>"
        return "<rebuilt weakref to %s>" % _short_repr(self.referent, 100)


class OpaqueStub:
    """An object pyhd does not rebuild: its class, size, and repr made at dump time."""

    def __init__(self, cls, size, repr_text, reason):
        self.cls, self.size, self.repr_text, self.reason = cls, size, repr_text, reason

    def __repr__(self):
        what = _class_name(self.cls)
        if self.reason:
            what += " (%s)" % self.reason
        if self.repr_text is not None:
            return "<opaque %s: repr %s>" % (what, self.repr_text)
        return "<opaque %s, %s bytes>" % (what, self.size)


class TruncatedStub:
    """An object the dump left out because its size budget ran out."""

    def __init__(self, cls):
        self.cls = cls

    def __repr__(self):
        return "<truncated %s: left out of the dump>" % _class_name(self.cls)


class RedactedStub:
    """A value pyhd-run left out of the dump: bound to a sensitive name, or by --privacy."""

    # format.h's PYHD_REDACTED_* measures, as the repr words them.
    _UNITS = {1: "chars", 2: "bytes", 3: "items"}

    def __init__(self, cls, measure, length, keyed_hash=None):
        self.cls = cls
        self.measure = measure
        self.length = length
        self.keyed_hash = keyed_hash

    def __repr__(self):
        unit = self._UNITS.get(self.measure)
        words = [_class_name(self.cls)]
        if unit is not None:
            words.append("%d %s" % (self.length, unit))
        if self.keyed_hash is not None:
            # The hash's high 32 bits, as pyhd-run's in-text markers show them.
            words.append("#%08x" % (self.keyed_hash >> 32))
        return "<redacted %s>" % ", ".join(words)


class UnknownStub:
    """An object record of a kind this pyhd-debug does not know (a newer writer)."""

    def __init__(self, kind):
        self.kind = kind

    def __repr__(self):
        return "<unknown object (record kind 0x%02x)>" % self.kind


def _module_repr(self):
    name = self.__dict__.get("__name__", "?")
    filename = self.__dict__.get("__file__")
    if isinstance(filename, str):
        return "<rebuilt module %r from %r>" % (name, filename)
    return "<rebuilt module %r>" % name


RebuiltModule = type("RebuiltModule", (type(sys),), {
    "__repr__": _module_repr, "__module__": "pyhd",
    "__doc__": "A dumped module: its name, file and (for frame globals) its dict."})


# ---------------------------------------------------------------------------
# Standard-library values (REDUCED records): the table of format.h only.

_reducers = None


def _exact(value, *types):
    if type(value) not in types:
        raise TypeError("unexpected %s" % type(value).__name__)
    return value


def _tzinfo(value):
    import datetime
    return value if value is None or isinstance(value, datetime.tzinfo) else None


def _build_reducers():
    import array, collections, datetime, decimal, fractions, pathlib, re, uuid

    def date(y, m, d):
        return datetime.date(_exact(y, int), _exact(m, int), _exact(d, int))

    def time(h, mi, s, us, tz, fold):
        return datetime.time(_exact(h, int), _exact(mi, int), _exact(s, int), _exact(us, int),
                             _tzinfo(tz), fold=_exact(fold, int))

    def dt(y, m, d, h, mi, s, us, tz, fold):
        return datetime.datetime(*(_exact(v, int) for v in (y, m, d, h, mi, s, us)),
                                 tzinfo=_tzinfo(tz), fold=_exact(fold, int))

    def timedelta(d, s, us):
        return datetime.timedelta(_exact(d, int), _exact(s, int), _exact(us, int))

    def timezone(offset, *name):
        _exact(offset, datetime.timedelta)
        return datetime.timezone(offset, *(_exact(n, str) for n in name))

    def path(cls):
        def build(*texts):  # one text, or a Windows path's unjoined segments
            texts = [_exact(text, str) for text in texts]
            try:
                return cls(*texts)
            except NotImplementedError:  # a concrete path of another system
                pure = pathlib.PureWindowsPath if "Windows" in cls.__name__ else pathlib.PurePosixPath
                return pure(*texts)
        return build

    def deque(items, maxlen):
        return collections.deque((), _exact(maxlen, int, type(None)))

    def pattern(source, flags):
        # re.DEBUG would print while compiling: the dump gets no say in that.
        return re.compile(_exact(source, str, bytes), _exact(flags, int) & ~re.DEBUG)

    def array_(typecode, data, order):
        result = array.array(_exact(typecode, str))
        result.frombytes(_exact(data, bytes))
        if order != sys.byteorder:
            result.byteswap()
        return result

    table = {
        datetime.date: date, datetime.time: time, datetime.datetime: dt,
        datetime.timedelta: timedelta, datetime.timezone: timezone,
        decimal.Decimal: lambda text: decimal.Decimal(_exact(text, str)),
        fractions.Fraction: lambda n, d: fractions.Fraction(_exact(n, int), _exact(d, int)),
        uuid.UUID: lambda n: uuid.UUID(int=_exact(n, int)),
        collections.deque: deque, re.Pattern: pattern, array.array: array_,
    }
    for name in ("PurePath", "PurePosixPath", "PureWindowsPath", "Path", "PosixPath",
                 "WindowsPath"):
        cls = getattr(pathlib, name)
        table[cls] = path(cls)
    return table


def make_reduced(cls, args):
    """A standard-library value from its REDUCED record, or an opaque stub."""
    global _reducers
    if _reducers is None:
        _reducers = _build_reducers()
    build = _reducers.get(cls) if isinstance(cls, type) else None
    if build is None:
        return OpaqueStub(cls, 0, None, "not a value pyhd rebuilds")
    try:
        return build(*args)
    except Exception as exc:
        return OpaqueStub(cls, 0, None, "cannot rebuild: %s" % exc)


def fill_reduced(obj, args):
    """Second step of a REDUCED value: a deque's items (they may refer back to it)."""
    import collections
    if type(obj) is collections.deque and isinstance(args, tuple) and isinstance(args[0], list):
        obj.extend(args[0])


# ---------------------------------------------------------------------------
# Buffers.

_numpy = None


def _import_numpy():
    global _numpy
    if _numpy is None:
        try:
            import numpy
            _numpy = numpy
        except Exception:
            _numpy = False
    return _numpy


class BufferStub:
    """A buffer that was cut short or cannot be shaped here: its raw bytes and layout."""

    def __init__(self, cls, fmt, itemsize, shape, data, more):
        self.cls, self.format, self.itemsize, self.shape = cls, fmt, itemsize, shape
        self.data, self.more = data, more

    def __repr__(self):
        note = " ... <truncated: %d more bytes>" % self.more if self.more else ""
        return "<rebuilt %s buffer: format %r, shape %r, %d bytes%s>" % (
            _class_name(self.cls), self.format, self.shape, len(self.data), note)


def make_buffer(cls, fmt, itemsize, shape, readonly, data, more):
    """A memoryview cast to format and shape (numpy's buffers: numpy arrays when numpy is here)."""
    if more:
        return BufferStub(cls, fmt, itemsize, shape, data, more)
    view = memoryview(data if readonly else bytearray(data))
    try:
        view = view.cast("B").cast(fmt, shape)
    except (TypeError, ValueError):
        view = None
    # A memoryview stays one; numpy's own buffers (its scalars) become numpy values.
    module = getattr(cls, "__module__", None)
    numpy = _import_numpy() if isinstance(module, str) and module.partition(".")[0] == "numpy" \
        else None
    if numpy:
        try:
            array = numpy.frombuffer(data, dtype=numpy.dtype(fmt)).reshape(shape).copy()
            array.flags.writeable = not readonly
            return array
        except Exception:
            pass
    if view is not None:
        return view
    return memoryview(data)
