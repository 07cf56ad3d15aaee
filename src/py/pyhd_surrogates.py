"""pyhd surrogates: record classes, inert stand-ins and standard-library rebuilders for pyhd-debug.

src/rebuild.c calls into this module while it turns a dump's records into
objects. Nothing here runs code from the dump: a class is the real one only
when the reviewed table of src/trust.c lists it (_pyhd.trusted_class), else it
is made with type() from names that are only ever used as names; instances get
their attributes by dictionary or slot assignment; every function is a real
function object whose body is pyhd's own (_Inert: it raises DumpedCodeError);
and a standard-library value is rebuilt only from the fixed table of format.h
(REDUCED).
"""

import builtins
import collections
import collections.abc
import enum
import io
import os
import sys
import types
import weakref

import _pyhd

import pyhd_reprlib

CLASS_STDLIB = 0x01
CLASS_EXCEPTION = 0x02
CLASS_HEAPTYPE = 0x04


# ---------------------------------------------------------------------------
# Records: the frames, tracebacks and code objects of the dump, as plain data.

class _Record:
    """A plain attribute holder; every field starts as None."""

    _fields = ()

    def __init__(self, **fields):
        values = dict.fromkeys(self._fields)   # in the order of _fields
        if not fields:  # as rebuild.c makes them: filled later
            self.__dict__.update(values)
            return
        values.update(fields)
        if len(values) != len(self._fields):
            raise TypeError("unknown fields: " +
                            ", ".join(sorted(set(fields) - set(self._fields))))
        self.__dict__.update(values)

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


def _names_of(cls):
    """(module, qualname) of a class, read as _class_name reads them; None if not a class."""
    if not isinstance(cls, type):
        return None
    return (type.__dict__["__module__"].__get__(cls),
            type.__dict__["__qualname__"].__get__(cls))


# Every class this module made for a dump's class: real classes (made by type()
# or an enum metaclass) that hold the program's names, bases and attributes.
# id(class) -> a weak reference to it, whose callback removes the entry as the
# class dies (before its id can be another object's): a load's classes go with
# its graph, and asking is one dict lookup (rebuild.c asks for every instance).
SURROGATES = {}


def _add_surrogate(cls):
    key = id(cls)
    SURROGATES[key] = weakref.ref(cls, lambda _ref, key=key: SURROGATES.pop(key, None))


def is_surrogate(cls):
    return id(cls) in SURROGATES


# Objects whose generated repr (dataclasses) is being written: a cycle shows "...".
_repr_active = set()


def _short_repr(value, limit=300):
    return pyhd_reprlib.cut_repr(value, limit)


def _surrogate_render(self, out):
    """<rebuilt Point x=1 y=2>: the dumped attributes, where the program's __repr__
    (or object's, which shows only an address) would be.

    Written into a pyhd_reprlib renderer, so that it is cut while it is built.
    """
    cls = type(self)
    if not out.enter(self):
        out.write("<rebuilt %s ...>" % cls.__qualname__)
        return
    try:
        try:
            attrs = object.__getattribute__(self, "__dict__")
        except AttributeError:
            attrs = {}
        out.write("<rebuilt ")
        base = next((b for b in cls.__mro__ if b.__module__ == "builtins"), object)
        if isinstance(self, BaseException):
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
            # items() marks the container itself (enter() has, for the stand-in).
            out.active.discard(id(self))
            try:
                out.items(self, base)
            finally:
                out.active.add(id(self))
        elif base is not object:
            out.write(cls.__qualname__ + " " + base.__repr__(self))
        else:
            out.write(cls.__qualname__)
        for name in _slot_names(cls):
            try:
                value = object.__getattribute__(self, name)
            except AttributeError:
                continue
            out.write(" %s=" % (name,))
            out.value(value)
        for name, value in attrs.items():
            out.write(" %s=" % (name,))
            out.value(value)
        out.write(">")
    finally:
        out.leave(self)


def _slot_names(cls):
    """The slot names the surrogate classes of cls's MRO define, in MRO order."""
    names = []
    for klass in reversed(cls.__mro__):
        if not is_surrogate(klass):
            continue
        slots = klass.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__") and name not in names:
                names.append(name)
    return names


def _struct_sequence_repr(self):
    """A struct sequence's repr: sys.version_info(major=3, minor=11, ...), its
    visible items named by its fields (the dumped slots, in the members' order)."""
    cls = type(self)
    try:
        attrs = object.__getattribute__(self, "__dict__")
    except AttributeError:
        attrs = {}
    if len(attrs) < len(self):  # not a struct sequence's fields
        return pyhd_reprlib.render_repr_with(self, _surrogate_render)
    name = cls.__qualname__ if cls.__module__ == "builtins" else \
        "%s.%s" % (cls.__module__, cls.__qualname__)
    return "%s(%s)" % (name, ", ".join(
        "%s=%r" % (field, value) for field, value in zip(attrs, tuple.__iter__(self))))


def _namedtuple_repr(self):
    """collections.namedtuple's repr: Pair(left=1, right='b')."""
    fields = type(self)._fields
    return "%s(%s)" % (type(self).__name__, ", ".join(
        "%s=%r" % (name, value) for name, value in zip(fields, self)))


def _dataclass_repr(self):
    """The repr dataclasses generates: Item(name='bolt', qty=3), fields with repr=True."""
    key = (id(self), "dataclass")
    if key in _repr_active:
        return "..."
    _repr_active.add(key)
    try:
        fields = getattr(type(self), "__dataclass_fields__", {})
        parts = []
        for name, field in fields.items():
            if not getattr(field, "repr", True) or _field_kind(field) != "_FIELD":
                continue
            try:
                value = object.__getattribute__(self, name)
            except AttributeError:
                value = getattr(type(self), name, None)
            parts.append("%s=%r" % (name, value))
        return "%s(%s)" % (type(self).__qualname__, ", ".join(parts))
    finally:
        _repr_active.discard(key)


def _field_kind(field):
    """The name of a dataclasses.Field's _field_type sentinel (_FIELD, _FIELD_CLASSVAR, ...)."""
    kind = getattr(field, "_field_type", None)
    return getattr(kind, "name", None)


def _usable_real_base(base):
    """Whether a real class may be a surrogate's base: builtins, exceptions, dict flavours,
    and the trust table's classes whose instances are real; abc.ABC, typing.Generic
    and typing.Protocol, whose metaclass and __init_subclass__ are the standard library's."""
    import abc, typing
    if base is abc.ABC or base is typing.Generic or base is typing.Protocol:
        return _how.get(base) == "class"
    if _how.get(base) == "instance" and type(base) in (type, abc.ABCMeta):
        # UserDict, UserList, UserString and ChainMap are collections.abc's
        # (ABCMeta): deriving from them runs abc's own class set-up only.
        return True
    # Classes written in Python whose values are rebuilt from their reduced form,
    # and whose __slots__ are those every Python pyhd reads gives them: a
    # program's subclass of one (class Money(Fraction)) derives from the real
    # class, its instances take the dumped slots through their member
    # descriptors, and the base's own repr and arithmetic work on them.
    if _how.get(base) == "reduced" and type(base) in (type, abc.ABCMeta) and \
            _SLOTTED_REDUCED.get((base.__module__, base.__qualname__)) == \
            tuple(base.__dict__.get("__slots__", ())):
        return True
    if type(base) is not type:
        return False
    if base.__module__ == "builtins" or issubclass(base, BaseException):
        return True
    if _is_decimal(base):
        # A program's subclass of it is made by Decimal.__new__ from the dumped
        # value (make_reduced): its repr, str and arithmetic are Decimal's.
        return True
    # date, time and datetime: their values are made by their C constructor
    # (rebuild_values.c), the subclass's instances too (a SUBCLASS record).
    datetime = sys.modules.get("datetime")
    if datetime is not None and base in (datetime.date, datetime.time, datetime.datetime):
        return _how.get(base) == "reduced"
    if base in (collections.OrderedDict, collections.defaultdict, collections.Counter):
        return True
    # numpy's array: a copy of a program's subclass of it is one, made by a view
    # (pyhd_cobjects.make_ndarray), its numpy hooks left out (class_attrs).
    numpy = sys.modules.get("numpy")
    return numpy is not None and base is getattr(numpy, "ndarray", None)


def _is_decimal(cls):
    """Whether cls is this interpreter's decimal.Decimal, as the trust table has it."""
    decimal = sys.modules.get("decimal")
    return decimal is not None and cls is getattr(decimal, "Decimal", None) and \
        _how.get(cls) == "reduced"


# (module, qualname) of those classes, and their slots (3.8 to 3.14).
_SLOTTED_REDUCED = {
    ("fractions", "Fraction"): ("_numerator", "_denominator"),
    ("uuid", "UUID"): ("int", "is_safe", "__weakref__"),
}


def _is_enum_base(base):
    """A real standard-library enum class without members (Enum, IntEnum, Flag, ...)."""
    return (isinstance(base, enum.EnumMeta) and not is_surrogate(base)
            and not base.__dict__.get("_member_map_"))


def _enum_member_hash(self):
    """Enum's hash, hash(self._name_), of a member of a program's enum: rebuild.c
    gives a member its _name_ when it makes it, before anything can hash it."""
    name = object.__getattribute__(self, "__dict__").get("_name_")
    return hash(name) if type(name) is str else object.__hash__(self)


_ENUM_DATA_TYPES = (int, str, bytes, float, complex)


def _enum_hash(bases):
    """How the members of an enum of these bases hash, as in the program: by
    their value when it has a builtin data type (IntEnum, IntFlag, (str, Enum):
    the value is theirs when they are made), by their name when it has none;
    by identity when it has another data type."""
    for k in (k for b in bases for k in b.__mro__):
        if k in _ENUM_DATA_TYPES:
            return k.__hash__
        if not (k is object or isinstance(k, enum.EnumMeta) or is_surrogate(k)):
            return object.__hash__
    return _enum_member_hash


def _new_enum_class(name, bases, namespace):
    """A program's enum: a real enum class (its metaclass is the stdlib's), made
    without members; class_attrs gives it the dumped members.

    Its members compare by identity, and hash as the program's did
    (_enum_hash): rebuild.c gives each its name or value when it makes it,
    before anything can hash it.
    """
    # The enum metaclass of the bases (a data type such as str may come first).
    meta = next(type(b) for b in bases if isinstance(b, enum.EnumMeta))
    classdict = meta.__prepare__(name, bases)
    for key, value in namespace.items():
        if key != "__repr__":
            classdict[key] = value
    classdict["__hash__"] = _enum_hash(bases)
    classdict["__eq__"] = object.__eq__
    return meta(name, bases, classdict)


def _valid_slots(slots):
    """A dumped __slots__ as type() takes it, or None."""
    if isinstance(slots, str):
        slots = (slots,)
    if not isinstance(slots, tuple) or not all(type(n) is str and n.isidentifier()
                                               for n in slots):
        return None
    return tuple(slots)


def _metaclass_maker(metaclass):
    """How a class of metaclass is made here, or None to let its bases decide
    (type(), as before a dump recorded metaclasses): abc.ABCMeta runs its own
    set-up (the standard library's); a rebuilt metaclass (a program's, Django's
    ModelBase, typing's _TypedDictMeta) only gives the class its type, through
    type.__new__: none of its methods runs."""
    import abc
    if metaclass is abc.ABCMeta:
        return metaclass
    if isinstance(metaclass, type) and is_surrogate(metaclass) and issubclass(metaclass, type):
        return lambda name, bases, namespace: type.__new__(metaclass, name, bases, namespace)
    return None


def plain_class(name, qualname, module, bases=()):
    """A plain class of the program (no slots or metaclass; its bases object, or
    classes made here by type(), none a metaclass): one type() call. rebuild.c
    calls it for such a CLASS record (is_plain_class()), without make_class's
    questions, and asks make_class when type() refuses the bases."""
    cls = type(name, bases, {"__module__": module, "__qualname__": qualname, "__doc__": None,
                             "__repr__": pyhd_reprlib.render_repr,
                             "__pyhd_render__": _surrogate_render})
    _add_surrogate(cls)
    return cls


def _new_class(name, qualname, module, bases, exception, slots=None, metaclass=None):
    if not exception and slots is None and metaclass is None and \
            type(name) is str and type(qualname) is str and type(module) is str and \
            (bases == () or bases == (object,)) and "\0" not in name and "\0" not in qualname:
        # Most classes of a program: a plain class of its own (one type() call).
        return plain_class(name, qualname, module)
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
    }
    name = name if isinstance(name, str) else "?"
    # type() refuses NUL in names; a damaged dump may have one.
    name = name.replace("\0", "\\0")
    namespace["__qualname__"] = namespace["__qualname__"].replace("\0", "\\0")
    if any(isinstance(b, enum.EnumMeta) for b in bases):
        try:
            cls = _new_enum_class(name, bases, namespace)
            _add_surrogate(cls)
            return cls
        except Exception:
            bases = tuple(b if not _is_enum_base(b) else mirror_class(b) for b in bases)
    builtin_bases = tuple(b for b in bases if not is_surrogate(b))[:1]
    fallback = (Exception,) if exception else ()
    slots = _valid_slots(slots)
    # A layout or MRO conflict between the mirrored bases is possible (the
    # originals may have resolved it with real code): drop slots, then bases,
    # until type() agrees.
    candidates = [bases, bases[:1], builtin_bases, fallback]
    if any(issubclass(b, type) for b in bases):
        # A metaclass: its instances are classes, which print as classes.
        del namespace["__repr__"], namespace["__pyhd_render__"]
    makers = [m for m in (_metaclass_maker(metaclass), type) if m is not None]
    for candidate in candidates:
        for with_slots in ((True, False) if slots is not None else (False,)):
            for maker in makers:
                ns = dict(namespace)
                if with_slots:
                    ns["__slots__"] = slots
                try:
                    cls = maker(name, candidate, ns)
                except Exception:  # a metaclass of the bases may refuse in its own way
                    continue
                _add_surrogate(cls)
                return cls
    cls = type("?", (), namespace)
    _add_surrogate(cls)
    return cls


_mirrors = {}
_mirror_ids = set()  # id() of each class in _mirrors' values (they live as long)


def mirror_class(cls):
    """A surrogate with the name and base chain of a real class (for its instances)."""
    mirror = _mirrors.get(cls)
    if mirror is None:
        mirror = _new_class(cls.__name__, cls.__qualname__, cls.__module__, cls.__bases__,
                            issubclass(cls, BaseException))
        _mirrors[cls] = mirror
        _mirror_ids.add(id(mirror))
    return mirror


def is_mirror(cls):
    """Whether cls is a mirror_class(): it stands for a real class whose own
    methods are not recorded."""
    return id(cls) in _mirror_ids


# (module, qualname) -> (the trust table's class, how it is rebuilt) or None
# (not in the table): src/trust.c's answers, kept by rebuild.c for the next loads.
_trusted = {}

# How each real class that make_class gave is rebuilt: "class", "reduced",
# "instance", "enum" (the trust table of src/trust.c) or "trusted" (--trust).
_how = {}


def _trusted_import(module, qualname):
    """With --trust only: the program's own class module.qualname, imported by name."""
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    # A __main__ module is a program: importing one runs it.
    if module.rpartition(".")[2] == "__main__":
        return None
    try:
        import importlib
        obj = sys.modules.get(module) or importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception:
        return None
    return obj if isinstance(obj, type) else None


def make_class(name, qualname, module, bases, flags, trust, slots=None, metaclass=None):
    """The class of a CLASS record: the real one when allowed, else a surrogate.

    Allowed means listed in the trust table of src/trust.c (_pyhd.trusted_class
    compares the names and imports only what the table names), or --trust.
    Any argument may be a TruncatedStub (the walker's size budget ran out).
    """
    if not isinstance(bases, tuple):
        bases = ()
    found = _pyhd.trusted_class(module, qualname)
    if found is not None:
        _how[found[0]] = found[1]
        return found[0]
    if trust:
        real = _trusted_import(module, qualname)
        if real is not None:
            _how.setdefault(real, "trusted")
            return real
    real = _numpy_scalar_class(module, qualname) or _numpy_array_class(module, qualname)
    if real is not None:
        return real
    cls = _new_class(name, qualname, module, bases or (), bool(flags & CLASS_EXCEPTION),
                     slots, metaclass)
    fields = _NAMED_C_TUPLES.get((module, qualname)) if cls.__bases__ == (tuple,) else None
    if fields is not None:
        _named_items[cls] = fields
        _name_items(cls, fields)
    elif not flags & CLASS_HEAPTYPE and cls.__bases__ == (tuple,):
        # A C subclass of tuple not in the trust table: a struct sequence
        # that cannot be made here (sys.version_info, sys.flags: no tp_new).
        type.__setattr__(cls, "__repr__", _struct_sequence_repr)
    return cls


# C subclasses of tuple that are no struct sequence, by their items' names: the
# trust table cannot name them (datetime does not export IsoCalendarDate; a heap
# type since 3.13).
_NAMED_C_TUPLES = {("datetime", "IsoCalendarDate"): ("year", "week", "weekday")}
_named_items = weakref.WeakKeyDictionary()


def _name_items(cls, fields):
    """Give a copy of a C tuple subclass its items' names (again after
    class_attrs, over the dumped getters) and its C repr,
    module.Name(year=2024, week=18, weekday=3)."""
    import operator

    def __repr__(self):
        return "%s.%s(%s)" % (type(self).__module__, type(self).__qualname__, ", ".join(
            "%s=%r" % pair for pair in zip(fields, tuple.__iter__(self))))
    type.__setattr__(cls, "__repr__", __repr__)
    for index, field in enumerate(fields):
        type.__setattr__(cls, field, property(operator.itemgetter(index)))


# numpy's scalar types that extend a builtin (SUBCLASS records of FLOAT,
# COMPLEX, STR, BYTES): made by numpy's own constructor from the builtin
# value when numpy can be imported here, as its arrays are.
_NUMPY_SCALARS = frozenset(("float64", "complex128", "str_", "bytes_"))


def _numpy_array_class(module, qualname):
    """numpy.ndarray itself, when numpy can be imported here (its arrays are real)."""
    if module != "numpy" or qualname != "ndarray":
        return None
    numpy = _import_numpy()
    real = getattr(numpy, "ndarray", None) if numpy else None
    return real if isinstance(real, type) and real.__module__ == "numpy" else None


def _numpy_scalar_class(module, qualname):
    if module != "numpy" or qualname not in _NUMPY_SCALARS:
        return None
    numpy = _import_numpy()
    real = getattr(numpy, qualname, None) if numpy else None
    return real if isinstance(real, type) and real.__module__ == "numpy" else None


# Attributes a rebuilt class does not take from the dump: its own machinery,
# and the methods Python calls without being asked (attribute access, hashing,
# comparison, printing, finalization, class creation). As inert functions they
# would make every such operation fail; the class keeps object's behaviour.
_SKIPPED_ATTRS = frozenset((
    "__dict__", "__weakref__", "__module__", "__qualname__", "__slots__",
    "__getattribute__", "__getattr__", "__setattr__", "__delattr__", "__del__",
    "__hash__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__repr__", "__str__", "__format__", "__bool__", "__len__", "__dir__", "__sizeof__",
    "__class__", "__new__", "__init_subclass__", "__set_name__", "__class_getitem__",
    "__abstractmethods__", "__instancecheck__", "__subclasscheck__", "__subclasshook__",
    "__mro_entries__",
    "__prepare__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__",
    "__copy__", "__deepcopy__", "__iter__", "__contains__", "__getitem__",
    # abc's own state of the class (ABCMeta made a new one; the dumped one is
    # an opaque copy that abc's subclass checks refuse).
    "_abc_impl", "_abc_registry", "_abc_cache", "_abc_negative_cache",
    "_abc_negative_cache_version",
))

# A container's length, truth and items: a class of the program that defined
# any of them (skipped above: a debugger's len() or iteration of a rebuilt list
# must work) is in _own_protocol with their names, so that its builtin base's
# are never taken for what the program computed (pyhd_reprexpr).
_CONTAINER_PROTOCOL = frozenset(("__len__", "__bool__", "__iter__", "__getitem__",
                                 "__contains__", "__getattr__", "__getattribute__"))
_own_protocol = weakref.WeakKeyDictionary()  # class -> the names of those it defined


def own_container_protocol(cls, names=_CONTAINER_PROTOCOL):
    """Whether the program's cls or a base of it defined one of names (of
    __len__, __bool__, __iter__, __getitem__, __contains__, and __getattr__ and
    __getattribute__, which decide what hasattr() says): rebuilt classes keep
    their builtin base's, and object's attribute lookup."""
    return any(not _own_protocol[klass].isdisjoint(names)
               for klass in cls.__mro__ if klass in _own_protocol)


# What numpy calls on an array of a subclass without being asked (a view, a
# ufunc, printing): a copy of a subclass of numpy.ndarray keeps ndarray's.
_NUMPY_HOOKS = frozenset((
    "__array_finalize__", "__array_wrap__", "__array_prepare__", "__array_ufunc__",
    "__array_function__", "__array__", "__array_interface__", "__array_struct__",
    "__array_priority__", "__getitem__", "__setitem__", "__getattribute__",
    "__setattr__", "__len__", "__iter__", "__reduce__", "__reduce_ex__",
    "__setstate__", "__copy__", "__deepcopy__", "__str__", "__format__",
))

# Plain-data attributes of an enum class that its stdlib machinery reads.
_ENUM_DATA = ("_flag_mask_", "_singles_mask_", "_all_bits_", "_boundary_", "_inverted_")

# Classes filled in this load, for finish(): (class, dumped attrs).
_pending_classes = []


def class_attrs(cls, attrs):
    """Give a surrogate class its dumped attributes (inert functions, descriptors,
    nested classes, data); finish() completes enums, dataclasses and namedtuples."""
    if not is_surrogate(cls) or not isinstance(attrs, dict):
        return
    if isinstance(cls, enum.EnumMeta):
        _enum_attrs(cls, attrs)
    else:
        skipped = _SKIPPED_ATTRS
        numpy = sys.modules.get("numpy")
        if numpy is not None and issubclass(cls, getattr(numpy, "ndarray", ())):
            skipped = _SKIPPED_ATTRS | _NUMPY_HOOKS
        # type.__setattr__ for each str name not skipped, in C (a class has many).
        _pyhd.class_setattrs(cls, attrs, skipped)
        own = _CONTAINER_PROTOCOL.intersection(attrs)
        if own:
            _own_protocol[cls] = frozenset(own)
        # 3.14 computes a class's annotations only when asked, by calling its
        # __annotate__: the program's code, rebuilt inert. Unless the program
        # had asked (__annotations_cache__), they are the source's text.
        annotate = attrs.get("__annotate_func__")
        cache = attrs.get("__annotations_cache__")
        if isinstance(cache, dict) and "__annotations__" not in attrs:
            if sys.version_info < (3, 14):
                # Computed in a 3.14 program: an older Python reads only __annotations__.
                type.__setattr__(cls, "__annotations__", cache)
        if annotate is not None and "__annotations_cache__" not in attrs \
                and "__annotations__" not in attrs:
            if sys.version_info >= (3, 14):
                type.__setattr__(cls, "__annotate__", _source_annotate(annotate))
            else:
                # A 3.14 dump opened by an older Python, which never calls
                # __annotate__: the text, once annotate has its code (finish()).
                _pending_annotations.append((cls, annotate))
    if cls.__bases__ == (tuple,) and cls in _named_items:  # (make_class names only those)
        _name_items(cls, _named_items[cls])
    _pending_classes.append((cls, attrs))


def _source_statement(code):
    """The ast of the statement (class or def) whose code starts at code's first
    line in the dumped source, or None."""
    import ast
    import inspect
    import linecache
    import textwrap
    lines = linecache.getlines(getattr(code, "co_filename", ""))
    first = getattr(code, "co_firstlineno", 0)
    if not 1 <= first <= len(lines):
        return None
    try:
        return ast.parse(textwrap.dedent("".join(inspect.getblock(lines[first - 1:])))).body[0]
    except (SyntaxError, ValueError, IndexError):
        return None


def _annotation_text(node):
    import ast
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node)


_UNRESOLVED = object()
# id() of the builtin classes whose subscription is a types.GenericAlias
# (list[int]): made here as python makes it, without calling their
# __class_getitem__; compared by identity, never by ==. (The dump's
# collections.abc classes are inert copies, not these: their text stands.)
_GENERIC_CLASSES = frozenset(id(cls) for cls in (list, dict, tuple, set, frozenset, type))


def _annotation_value(node, namespace, depth=0):
    """The object an annotation's expression stands for, found without running
    any code: a name in namespace (the dumped module's globals) or builtins,
    a module's attribute, None, a string (a string annotation is itself), a
    builtin class subscripted (list[int]) and unions of classes (int | None).
    _UNRESOLVED for anything else (a call, the program's generic classes),
    whose text stands in."""
    import ast
    if depth > 20:
        return _UNRESOLVED
    if isinstance(node, ast.Constant):
        value = node.value
        return value if value is None or value is Ellipsis or type(value) is str else _UNRESOLVED
    if isinstance(node, ast.Name):
        if type(namespace) is dict and node.id in namespace:
            return namespace[node.id]
        return vars(builtins).get(node.id, _UNRESOLVED)
    if isinstance(node, ast.Attribute):
        base = _annotation_value(node.value, namespace, depth + 1)
        if type(base) is types.ModuleType:
            return vars(base).get(node.attr, _UNRESOLVED)
        return _UNRESOLVED
    if isinstance(node, ast.Subscript):
        base = _annotation_value(node.value, namespace, depth + 1)
        if id(base) not in _GENERIC_CLASSES:
            return _UNRESOLVED
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        args = tuple(_annotation_value(item, namespace, depth + 1) for item in items)
        if not args or any(arg is _UNRESOLVED for arg in args):
            return _UNRESOLVED
        return types.GenericAlias(base, args[0] if len(args) == 1 else args)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = (_annotation_value(side, namespace, depth + 1)
                       for side in (node.left, node.right))
        # type.__or__ and the union's, in C: classes made by type() (a metaclass's
        # __or__ would be the program's), None, and the unions and aliases they make.
        if left is None and right is None or not all(
                side is None or type(side) in (type, types.UnionType, types.GenericAlias)
                for side in (left, right)):
            return _UNRESOLVED
        try:
            return left | right if left is not None else right | None
        except TypeError:
            return _UNRESOLVED
    return _UNRESOLVED


def _annotation_values(nodes, format, module):
    """{name: annotation} of the (name, ast node) pairs nodes as an __annotate__
    gives them for format (annotationlib's Format): the source's text for
    STRING (4); for VALUE and FORWARDREF, the object each names where
    _annotation_value finds it in module's dumped globals, else its text."""
    if format == 4:
        return {name: _annotation_text(node) for name, node in nodes}
    namespace = module_globals(module) if isinstance(module, str) else None
    found = {}
    for name, node in nodes:
        value = _annotation_value(node, namespace)
        found[name] = _annotation_text(node) if value is _UNRESOLVED else value
    return found


def _source_annotate(annotate):
    """An __annotate__ that reads the annotations of the class statement where
    annotate (the program's, inert) starts from the dumped source, never
    running it (_annotation_values)."""
    def __annotate__(format, /):
        import ast
        statement = _source_statement(getattr(annotate, "__code__", None))
        if not isinstance(statement, ast.ClassDef):
            return {}
        return _annotation_values(
            [(node.target.id, node.annotation) for node in statement.body
             if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)],
            format, getattr(annotate, "__module__", None))
    return __annotate__


def _function_source_annotate(function):
    """The __annotate__ of a rebuilt function dumped with no annotations: 3.14
    keeps a function's annotations unevaluated until asked, so the dump may
    hold none although its def has some. Reads them from the def in the dumped
    source, never running the program's annotate (_annotation_values: int
    where the name is found, the text "noted(int)" where it is code)."""
    def __annotate__(format, /):
        import ast
        statement = _source_statement(function.__code__)
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return {}
        a = statement.args
        nodes = [(arg.arg, arg.annotation)
                 for arg in (*a.posonlyargs, *a.args, a.vararg, *a.kwonlyargs, a.kwarg)
                 if arg is not None and arg.annotation is not None]
        if statement.returns is not None:
            nodes.append(("return", statement.returns))
        return _annotation_values(nodes, format, function.__module__)
    return __annotate__


def _enum_attrs(cls, attrs):
    """The members, member maps and flag masks of an enum, and the program's own
    attributes; the stdlib's machinery stays the real one."""
    for name, value in attrs.items():
        if not isinstance(name, str):
            continue
        if name in ("_member_map_", "_value2member_map_") and isinstance(value, dict):
            type.__setattr__(cls, name, value)
        elif name == "_member_names_" and isinstance(value, list):
            type.__setattr__(cls, name, value)
        elif name in _ENUM_DATA and (value is None or type(value) is int
                                     or isinstance(value, enum.Enum)):
            type.__setattr__(cls, name, value)
        elif type(value) is cls:
            type.__setattr__(cls, name, value)  # a member
        elif name == "_iter_member_":
            # Flags whose members are not in value order list them by definition.
            how = getattr(getattr(value, "__func__", None), "__name__", None)
            if how in ("_iter_member_by_def_", "_iter_member_by_value_"):
                type.__setattr__(cls, name, getattr(cls, how))
        elif not (name.startswith("_") and name.endswith("_")) and not _is_stdlib_function(value):
            type.__setattr__(cls, name, value)


def _is_stdlib_function(value):
    module = getattr(value, "__module__", None)
    return (isinstance(value, type(_namedtuple_repr)) and isinstance(module, str)
            and module.partition(".")[0] in sys.stdlib_module_names)


def _finish_class(cls, attrs):
    """Decide a rebuilt class's repr, and point dataclass fields at the real sentinels."""
    if cls.__bases__ == (object,) and type(cls) is type and "__repr__" not in attrs and \
            "__str__" not in attrs and "__dataclass_fields__" not in attrs:
        # Most classes of a program: object's repr, which the rest decides at length.
        _object_reprs.add(cls)
        return
    fields = attrs.get("__dataclass_fields__")
    if isinstance(fields, dict):
        import dataclasses
        for field in fields.values():
            if isinstance(field, dataclasses.Field):
                _fix_field(field)
    if isinstance(cls, enum.EnumMeta):
        ours = _stdlib_repr_of(attrs.get("__repr__"))
        if ours is not None and ours is _stdlib_reprs().global_enum_repr and \
                not issubclass(cls, enum.Flag):
            # @enum.global_enum (a 3.12 calendar.Day opened where it does not exist).
            type.__setattr__(cls, "__repr__", _stdlib_reprs().global_enum_repr)
        elif ours is None:
            # The program's own __repr__ and __str__ of its enum (_enum_attrs
            # leaves dunders to the real enum machinery): evaluated, else the
            # enum base's.
            for name in ("__repr__", "__str__"):
                # (3.11 and later copy Enum's own into a class with a data type.)
                if _is_rebuilt_function(attrs.get(name)) and \
                        not _is_stdlib_function(attrs[name]):
                    type.__setattr__(cls, name, _enum_expression(cls, attrs[name], name))
        return
    own_str = attrs.get("__str__")
    if own_str is not None and _stdlib_repr_of(own_str) is not None:
        type.__setattr__(cls, "__str__", _stdlib_repr_of(own_str))
    elif not issubclass(cls, BaseException) and _is_rebuilt_function(own_str):
        type.__setattr__(cls, "__str__", _expression_str(own_str))
        _program_methods.setdefault(cls, {})["__str__"] = own_str
    elif issubclass(cls, BaseException) and _is_rebuilt_function(own_str):
        # The program's __str__ cannot run; BaseException's would print its
        # args instead, not what the program printed. The text python printed
        # is used where the debugger knows it (traceback.txt), else the
        # rebuilt __str__ says it is program code.
        _dumped_str[cls] = attrs["__str__"]
        type.__setattr__(cls, "__str__", _exception_str)
    own = attrs.get("__repr__")
    ours = _stdlib_repr_of(own)
    if ours is not None and ours is _stdlib_reprs().environ_repr:
        for name, method in _stdlib_reprs().ENVIRON_METHODS.items():
            type.__setattr__(cls, name, method)
    wrapped = _recursive_repr_parts(own)
    if wrapped is not None:
        # The program's own __repr__ under @reprlib.recursive_repr(): evaluated,
        # with the wrapper's fill value where it would recurse.
        type.__setattr__(cls, "__pyhd_render__", _expression_render(*wrapped))
        _program_methods.setdefault(cls, {})["__repr__"] = wrapped[0]
    elif own is not None and _generated(own, ("dataclasses", "reprlib")):
        type.__setattr__(cls, "__repr__", _dataclass_repr)
    elif own is not None and _is_attrs_repr(own):
        type.__setattr__(cls, "__repr__", _stdlib_reprs().attrs_repr)
    elif issubclass(cls, tuple) and isinstance(attrs.get("_fields"), tuple) and \
            (own is None or _generated(own, ("collections",))):
        # A namedtuple (a version 1 dump has no __repr__ among the attributes).
        type.__setattr__(cls, "__repr__", _namedtuple_repr)
        import operator
        for index, field in enumerate(attrs["_fields"]):
            if isinstance(field, str):
                type.__setattr__(cls, field, property(
                    operator.itemgetter(index), doc="Alias for field number %d" % index))
    elif issubclass(cls, tuple) and ("n_sequence_fields" in attrs or
                                     cls.__dict__.get("__repr__") is _struct_sequence_repr):
        # A struct sequence (make_class's, or a heap type whose dict was dumped).
        type.__setattr__(cls, "__repr__", _struct_sequence_repr)
    elif ours is not None:
        type.__setattr__(cls, "__repr__", ours)
    elif own is not None:
        # The program's own __repr__ cannot run: pyhd_reprexpr evaluates its
        # expression where it can, else the dumped attributes show.
        if _is_rebuilt_function(own) and issubclass(cls, type):
            # A metaclass's: the repr of its classes (render_repr is for instances).
            type.__setattr__(cls, "__repr__", _metaclass_repr(own))
        elif _is_rebuilt_function(own):
            type.__setattr__(cls, "__pyhd_render__", _expression_render(own))
            _program_methods.setdefault(cls, {})["__repr__"] = own
        return
    elif any(is_surrogate(b) and "__repr__" in b.__dict__ for b in cls.__mro__[1:]) or \
            issubclass(cls, BaseException) or _native_base(cls) is not object:
        # What the program inherited: a rebuilt base's choice, or a real base's repr.
        if "__repr__" in cls.__dict__:  # (a metaclass has none of render_repr)
            type.__delattr__(cls, "__repr__")
        if cls.__dict__.get("__pyhd_render__") is _surrogate_render:
            # The base whose __repr__ python calls renders it (its own __repr__
            # evaluated): render_repr takes the first hook of the MRO.
            type.__delattr__(cls, "__pyhd_render__")
        inherited = _inherited_repr(cls)
        if inherited is not None:
            type.__setattr__(cls, "__repr__", inherited)
    else:
        _object_reprs.add(cls)


# Rebuilt classes that define no __repr__ and inherit object's: theirs
# (render_repr, the dumped attributes) stands for object's, which a class
# later in a subclass's MRO overrides (typing.TypeVar: _Final, then
# _BoundVarianceMixin's __repr__).
_object_reprs = set()


def _inherited_repr(cls):
    """The __repr__ of cls's MRO as python resolves it, skipping the rebuilt
    classes that only stand for object's; None when render_repr or a real
    class's repr does anyway."""
    for klass in cls.__mro__[1:]:
        if klass in _object_reprs or "__repr__" not in klass.__dict__:
            continue
        found = klass.__dict__["__repr__"]
        if is_surrogate(klass):
            return found if found is not pyhd_reprlib.render_repr else None
        # A real class's (str's for email's header classes, whose rebuilt
        # bases between stand for object's repr): set on cls, or the MRO
        # would find those bases' render_repr first.
        return found if klass is not object else None
    return None


def _evaluated(function, obj):
    """What function (the program's __repr__ or __str__, an inert function)
    returned for obj, where pyhd_reprexpr can evaluate its dumped source; else None."""
    import pyhd_reprexpr
    body = pyhd_reprexpr.method_body(function)
    if body is None:
        return None
    try:
        return pyhd_reprexpr.evaluate(body, obj)
    except pyhd_reprexpr.GiveUp:
        return None


# A rebuilt class -> {"__repr__" or "__str__": the program's own (an inert
# function)}, for super().__repr__() in a subclass's (pyhd_reprexpr).
_program_methods = weakref.WeakKeyDictionary()


def program_method(cls, name):
    """The program's own __repr__ or __str__ (name) written in cls, or None."""
    try:
        return _program_methods.get(cls, {}).get(name)
    except TypeError:  # not weakly referable: not a rebuilt class
        return None


def _expression_render(function, fillvalue=None):
    """__pyhd_render__ of a class with the program's own __repr__ (an inert
    function): what it returned, where pyhd_reprexpr can evaluate its dumped
    source, else the dumped attributes. fillvalue: the function was wrapped by
    reprlib.recursive_repr(fillvalue), so an object whose repr is already being
    made in this thread prints as fillvalue."""
    def render(self, out):
        if fillvalue is not None:
            running = _running_reprs()
            key = id(self)
            if key in running:
                out.write(fillvalue)
                return
            running.add(key)
        try:
            text = _evaluated(function, self)
        finally:
            if fillvalue is not None:
                running.discard(key)
        if text is None:
            _surrogate_render(self, out)
        else:
            out.write(text)
    return render


def _running_reprs():
    """The ids of the objects whose recursive_repr-wrapped repr this thread is making."""
    state = pyhd_reprlib._local
    running = getattr(state, "recursive_reprs", None)
    if running is None:
        running = state.recursive_reprs = set()
    return running


def _recursive_repr_parts(function):
    """(the program's function, fill value) of a reprlib.recursive_repr wrapper
    around the program's own __repr__, read from its dumped closure; None for
    anything else, a dataclass's generated __repr__ included."""
    code = getattr(function, "__code__", None)
    filename = getattr(code, "co_filename", None)
    if not isinstance(filename, str) or os.path.basename(filename) != "reprlib.py":
        return None
    try:
        cells = dict(zip(code.co_freevars, function.__closure__ or ()))
        user, fill = cells["user_function"].cell_contents, cells["fillvalue"].cell_contents
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    if type(fill) is not str or not _is_rebuilt_function(user) or \
            _generated(user, ("dataclasses",)):
        return None
    return user, fill


def _enum_expression(cls, function, name):
    """__repr__ or __str__ (name) of a program's enum cls with its own (an inert
    function): what it returned for the member, where pyhd_reprexpr can evaluate
    its dumped source, else what the enum base's gives."""
    def method(self):
        text = _evaluated(function, self)
        return getattr(super(cls, self), name)() if text is None else text
    method.__name__ = name
    method.__qualname__ = cls.__qualname__ + "." + name
    return method


def _metaclass_repr(function):
    """__repr__ of a metaclass with the program's own (an inert function): what it
    returned for the class, where pyhd_reprexpr can evaluate its dumped source, else
    type's repr."""
    def __repr__(cls):
        text = _evaluated(function, cls)
        return type.__repr__(cls) if text is None else text
    return __repr__


def _expression_str(function):
    """__str__ of a class with the program's own __str__: what it returned, where
    pyhd_reprexpr can evaluate it; else the repr, as object.__str__ gives it."""
    def __str__(self):
        text = _evaluated(function, self)
        return repr(self) if text is None else text
    return __str__


# A rebuilt exception class -> its program's __str__ (an inert function).
_dumped_str = weakref.WeakKeyDictionary()
# id(exception) -> (exception, the text python printed for it).
_exception_texts = {}


def _exception_str(self):
    """str() of a rebuilt exception whose class defined __str__: what python
    printed for it in the dump's traceback, or the inert __str__'s one-line error."""
    known = _exception_texts.get(id(self))
    if known is not None and known[0] is self:
        return known[1]
    for klass in type(self).__mro__:
        if klass in _dumped_str:
            text = _evaluated(_dumped_str[klass], self)
            return _dumped_str[klass](self) if text is None else text
    return BaseException.__str__(self)


def has_dumped_str(exc):
    """Whether str(exc) is the program's own __str__ (not run by a dump)."""
    return any(klass in _dumped_str for klass in type(exc).__mro__)


def set_exception_text(exc, text):
    """Record what python printed as str(exc) when the program crashed."""
    _exception_texts[id(exc)] = (exc, text)


def _native_base(cls):
    return next((b for b in cls.__mro__ if not is_surrogate(b)), object)


def _stdlib_reprs():
    """pyhd_stdlib_reprs, imported once a class needs it (it imports this module)."""
    import pyhd_stdlib_reprs
    return pyhd_stdlib_reprs


def _stdlib_repr_of(function):
    """Ours for a rebuilt standard-library __repr__ or __str__ (pyhd_stdlib_reprs), else None.
    pyhd_stdlib_reprs is imported only for a rebuilt function: a class without
    its own __repr__ or __str__ (__main__'s loader, most dumps' only classes)
    does not make every start of pyhd-debug pay for it."""
    if function is None or not _is_rebuilt_function(function):
        return None
    module = getattr(function, "__module__", None)
    if not isinstance(module, str) or module.partition(".")[0] not in _STDLIB_REPR_ROOTS:
        return None  # the program's own (a class of __main__): none of ours
    return _stdlib_reprs().repr_of(function)


# The top-level packages of pyhd_stdlib_reprs.STDLIB_REPRS' modules: a function of
# any other cannot be one of its keys (test_debug checks that this covers them).
_STDLIB_REPR_ROOTS = frozenset(sys.stdlib_module_names) | frozenset((
    "_py_warnings", "_pytest", "annotationlib", "click", "dateutil", "django", "flask",
    "jinja2", "markupsafe", "numpy", "packaging", "pytz", "requests", "urllib3", "werkzeug",
    "yaml"))


def _is_attrs_repr(function):
    """Whether a rebuilt __repr__ is one attrs generated (its code's file name says so)."""
    filename = getattr(getattr(function, "__code__", None), "co_filename", None)
    return isinstance(filename, str) and filename.startswith("<attrs generated repr")


def _generated(function, modules):
    """Whether a rebuilt function was generated by one of the stdlib modules: defined
    in one (a wrapper such as reprlib.recursive_repr's) or exec'd by one."""
    code = getattr(function, "__code__", None)
    filename = getattr(code, "co_filename", None)
    return (getattr(function, "__module__", None) in modules or filename == "<string>"
            or (isinstance(filename, str)
                and os.path.basename(filename) in [m + ".py" for m in modules]))


def _fix_field(field):
    """A dumped dataclasses.Field refers to the real sentinels, so dataclasses.fields() works."""
    import dataclasses
    kind = _field_kind(field)
    if kind in ("_FIELD", "_FIELD_CLASSVAR", "_FIELD_INITVAR"):
        object.__setattr__(field, "_field_type", getattr(dataclasses, kind))
    for name in ("default", "default_factory"):
        value = getattr(field, name, None)
        if type(value).__qualname__ == "_MISSING_TYPE" and \
                type(value).__module__ == "dataclasses":
            object.__setattr__(field, name, dataclasses.MISSING)


def _instantiable(cls):
    """Whether object.__new__(cls) works and the instance can take the dumped state:
    a surrogate has the dumped slots; another class needs a __dict__ and no slots."""
    try:
        obj = object.__new__(cls)
    except TypeError:
        return False
    if is_surrogate(cls) or _how.get(cls) == "trusted":
        return True
    return hasattr(obj, "__dict__") and not any("__slots__" in vars(k) for k in cls.__mro__)


# (real class, trust, _how[class]) -> instance_class()'s answer when it is the
# class itself, its mirror_class() or None: kept by rebuild.c for the next loads.
_instance_classes = {}


def instance_class(cls, trust):
    """The class to make INSTANCE records of cls with object.__new__, or None for enums."""
    if not isinstance(cls, type):  # a TruncatedStub in place of the class
        return _new_class("truncated", "truncated", "?", (), False)
    if not is_surrogate(cls) and isinstance(cls, enum.EnumMeta):
        return None
    if _how.get(cls) == "instance":
        return cls  # the trust table's: object.__new__ (or its C tp_new) and its state
    if type(cls) is type and cls.__bases__ == (object,) and is_surrogate(cls):
        return cls  # a plain class of the program: object.__new__ makes its instances
    candidates = []
    if is_surrogate(cls):
        candidates.append(cls)
    else:
        if _how.get(cls) == "trusted" and cls.__flags__ & (1 << 9):  # Py_TPFLAGS_HEAPTYPE
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
    if cls.__module__ == "numpy" and cls.__name__ in _NUMPY_SCALARS:
        try:
            return cls(value)  # numpy's constructor (C) of the builtin value
        except Exception:
            return value
    if base is tuple and "n_sequence_fields" in cls.__dict__:
        # A struct sequence (the trust table's): its C constructor takes the
        # visible fields; the hidden ones are set at fill (_pyhd's rebuilder).
        try:
            return cls(value)
        except Exception:
            return value
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

class DumpedCodeError(TypeError):
    """Raised by a rebuilt function, method or property: a dump does not run program code."""


class _Inert:
    """The body of a rebuilt function: says what was called and where it was defined."""

    __slots__ = ("name", "qualname", "where", "role")

    def __init__(self):
        self.name = self.qualname = self.where = None
        self.role = None

    def __call__(self):
        raise DumpedCodeError(self.message())

    def message(self):
        qualname = self.qualname or self.name or "?"
        owner, _, name = qualname.rpartition(".")
        role = self.role or ("method" if owner and not owner.endswith(">") else "function")
        where = " (%s)" % self.where if self.where else ""
        if owner and not owner.endswith(">"):
            text = "%s is a %s of %s%s" % (name, role, owner, where)
        else:
            text = "%s is a %s%s" % (qualname, role, where)
        return text + "; a dump does not run program code"


# The co_flags bits a rebuilt function takes from the dump (inspect.CO_VARARGS, ...).
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08

_TEMPLATE = None
_RAISER_MARK = "pyhd: the inert body"
_UNFILLED = _Inert()  # the raiser of a function not yet given its code (rebuild_code.c)
_INERT_GLOBALS = {}
# Rebuilt function -> its _Inert (which does not hold it), written by rebuild_code.c:
# keyed by a weak reference to the function, as a WeakKeyDictionary keeps its keys
# (a live reference hashes and compares as its function), whose callback forgets
# the entry when the function dies.
_RAISERS = {}


def _forget_raiser(ref):
    _RAISERS.pop(ref, None)


def _raiser_of(obj):
    """The _Inert of a rebuilt function, else None (for any other object: an
    operator.itemgetter, which cannot be weakly referred to, as a namedtuple's
    property's getter)."""
    if type(obj) is not types.FunctionType:
        return None
    return _RAISERS.get(weakref.ref(obj))


def _rebuilt_functions():
    """Every rebuilt function alive, oldest first."""
    return [f for f in (ref() for ref in list(_RAISERS)) if f is not None]
_pending_functions = []  # (function, its CodeRecord, its _Inert): rebuild_code.c gives it its code
_pending_annotations = []  # (class, annotate) of a 3.14 dump in an older Python


def _template():
    """The code every rebuilt function starts from: it calls its _Inert, a constant
    (_UNFILLED until _code_with() puts the function's own there)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        import warnings
        source = "def _rebuilt(*args, **kwargs):\n    return %r()\n" % _RAISER_MARK
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "'str' object is not callable"
            namespace = {}
            exec(compile(source, "<pyhd>", "exec"), namespace)
        code = namespace["_rebuilt"].__code__
        _TEMPLATE = code.replace(co_consts=tuple(
            _UNFILLED if c == _RAISER_MARK else c for c in code.co_consts))
    return _TEMPLATE


def _code_with(raiser, record=None, freevars=()):
    """A template code object calling raiser, with the free variables freevars and the
    names, file, first line and parameters of a dumped code record (the bytecode is
    always the template's): made by one code.replace(), in C (src/rebuild_code.c)."""
    return _pyhd.code_with(_template(), _UNFILLED, raiser,
                           record if type(record) is CodeRecord else None, freevars)


# A FUNCTION record is made and filled in C (src/rebuild_code.c): a real function
# object with the dumped closure cells, whose code, the template's, calls its own
# _Inert (registered in _RAISERS); named, with its dumped defaults, annotations and
# doc; given the dumped code's file, line and parameters once every code record is
# filled (finish()), the 3.14 __annotate__ by _function_source_annotate.


# Builtin functions a dump may name and get as this interpreter's own: the ones
# that compute from their arguments only. exec, eval, open, print, __import__,
# input and the like stay stubs, so a dumped callable (a thread's target, a
# callback) never reaches them with dumped arguments.
_PURE_BUILTINS = frozenset((
    "abs", "all", "any", "ascii", "bin", "callable", "chr", "divmod", "format", "hash",
    "hex", "id", "isinstance", "issubclass", "len", "max", "min", "oct", "ord", "pow",
    "repr", "round", "sorted", "sum",
))


def builtin_function(name, qualname, module, self=None, has_self=False):
    """A dumped builtin function: this interpreter's own for a pure builtin or a C
    method of a rebuilt object of a builtin type (_bound_builtin), else a real
    builtin function of pyhd's that raises DumpedCodeError when called (a
    FunctionStub when it cannot be one)."""
    if module == "builtins" and name in _PURE_BUILTINS:
        real = builtins.__dict__.get(name)
        if type(real) is type(len) and real.__qualname__ == qualname:
            return real
    if has_self and self is not None and not _is_module(self):
        # A module's function is never bound here: the dumped builtins module is
        # this interpreter's own, and its functions are the program's to call.
        real = _bound_builtin(name, self) if type(name) is str else None
        if real is not None:
            return real
        module = None  # a C method has no __module__
    elif not has_self:
        self = None
    if type(name) is str and (module is None or type(module) is str):
        try:
            return _pyhd.inert_builtin(name, self, module)
        except ValueError:  # not a name, or past the cap on names
            pass
    return FunctionStub()


def _is_module(obj):
    # issubclass of the real types reads no attribute of a rebuilt object, where
    # isinstance would look up its __class__.
    return issubclass(type(obj), types.ModuleType)


def _is_class(obj):
    return issubclass(type(obj), type)


# The C types whose methods _bound_builtin may bind to a rebuilt object: those
# of builtins (their methods act on the object and on their arguments; static,
# not a class statement's named alike), and the classes of the trust table's
# reduced values, when the class is the table's own (a deque's append, a
# pattern's match; only C methods of their own __dict__ are ever bound).
_HEAPTYPE = 1 << 9


def _bindable_base(cls):
    if not _is_class(cls):
        return False
    module, qualname = type.__dict__["__module__"].__get__(cls), cls.__qualname__
    if module == "builtins":
        return not cls.__flags__ & _HEAPTYPE
    found = _pyhd.trusted_class(module, qualname) if type(module) is str else None
    return found is not None and found[0] is cls and found[1] == "reduced"


def _c_attribute(cls, name):
    """name in the own __dict__ of the first class of cls's mro that _bindable_base
    allows, or None (read from each type's __dict__, never through the class)."""
    for base in type.__dict__["__mro__"].__get__(cls):
        if _bindable_base(base):
            return type.__dict__["__dict__"].__get__(base).get(name)
    return None


def _bound_builtin(name, self):
    """name bound to self as python binds it, when self is a rebuilt object (or
    class) of a C type that _bindable_base allows and that type defines name as
    a C method (a class's: a class method, its __new__, or a method of its
    metaclass such as mro); else None."""
    try:
        if _is_class(self):
            descr = _c_attribute(self, name)
            if type(descr) is types.ClassMethodDescriptorType:
                bound = descr.__get__(None, self)
                return bound if isinstance(bound, types.BuiltinFunctionType) else None
            if type(descr) is types.BuiltinFunctionType:
                return descr if descr.__self__ is self else None
        descr = _c_attribute(type(self), name)
        if type(descr) is types.MethodDescriptorType:
            bound = descr.__get__(self, type(self))
            # builtin_method (a subclass) for a method given its defining class.
            return bound if isinstance(bound, types.BuiltinFunctionType) else None
    except TypeError:  # a stand-in, not an instance of that type
        pass
    return None


def make_method(function, self):
    """A bound method of a rebuilt function (MethodStub when it cannot be one)."""
    if callable(function) and self is not None:
        try:
            return types.MethodType(function, self)
        except TypeError:
            pass
    stub = MethodStub()
    stub.function, stub.self = function, self
    return stub


_DESCRIPTOR_ROLES = ("property", "classmethod", "staticmethod")


def make_descriptor(flavour):
    """An empty property, classmethod or staticmethod; fill_descriptor sets what it wraps."""
    if flavour == 0:
        return property()
    return (classmethod if flavour == 1 else staticmethod)(_placeholder)


def _placeholder():
    raise DumpedCodeError("a descriptor left out of the dump")


def fill_descriptor(obj, first, second, third, doc):
    """Give a descriptor its (inert) functions, through the builtin type's own __init__."""
    role = _DESCRIPTOR_ROLES[0 if type(obj) is property else 1 if type(obj) is classmethod
                             else 2]
    if type(obj) is property:
        property.__init__(obj, *(f if callable(f) else None for f in (first, second, third)),
                          doc if isinstance(doc, str) else None)
    elif callable(first):
        type(obj).__init__(obj, first)
    raiser = _raiser_of(first)
    if raiser is not None:
        raiser.role = role
    for setter, suffix in ((second, " setter"), (third, " deleter")):
        raiser = _raiser_of(setter)
        if raiser is not None:
            raiser.role = role + suffix


# Before each load, src/rebuild_roots.c empties this load's state here (the
# _pending_ lists, _modules, _object_reprs, _real_codes); after it, gives the
# dumped sys and os what the dump's roots say (finish_roots).


def finish():
    """After every record is filled: functions get their code, classes their repr."""
    # (rebuild.c gave the functions their code first: rebuild_code.c.)
    for cls, annotate in _pending_annotations:
        type.__setattr__(cls, "__annotations__", _source_annotate(annotate)(1))
    del _pending_annotations[:]
    # Bases first (a base's MRO is shorter): a class's repr may be its bases' choice.
    for cls, attrs in sorted(_pending_classes, key=lambda pair: len(pair[0].__mro__)):
        _finish_class(cls, attrs)
    del _pending_classes[:]


_modules = []  # (name, module) of this load, for finish_roots (src/rebuild_roots.c)
# module name -> a weak reference to a frame of the newest load whose globals
# are that module's (pyhd_reprexpr reads a method's globals there). Weak: the
# load's objects go with its graph (a struct sequence that outlived its type's
# dict at exit made 3.12 print "Exception ignored in tp_clear").
_globals_by_name = {}


_globals_roots = []  # weak references to where module_globals() finds frames, until it walks


def module_globals(name):
    """The dumped globals of module name (a dict), or None."""
    if _globals_roots:
        starts = [ref() for ref in _globals_roots]
        del _globals_roots[:]
        _walk_globals([s for s in starts if s is not None], False)
    ref = _globals_by_name.get(name) if isinstance(name, str) else None
    frame = ref() if ref is not None else None
    return frame.globals if frame is not None and type(frame.globals) is dict else None


def _note_globals(threads, exceptions):
    """_globals_by_name from the frames of the load: every thread's, and those of
    the tracebacks of the exceptions (a failed thread's stack is its traceback's),
    their code values made real code objects. rebuild_roots.c calls it when a
    frame's namespace may hold a code record (rebuild.c's frames_hold_code());
    else it notes the frames in _globals_roots, walked when module_globals()
    is first asked."""
    _globals_by_name.clear()
    del _globals_roots[:]
    starts = [t.get("frame") for t in threads if isinstance(t, dict)] \
        if isinstance(threads, list) else []
    for pair in exceptions if isinstance(exceptions, list) else ():
        if isinstance(pair, tuple) and len(pair) == 2:
            starts.append(pair[1])
    _walk_globals(starts, True)


def _walk_globals(starts, convert):
    """_globals_by_name from the frames starts (FrameRecords, and TracebackRecords
    whose frames count) and those below them; their code values made real
    code objects when convert."""
    frames = []
    for start in starts:
        tb, depth = start, 0
        if not isinstance(tb, TracebackRecord):
            frames.append(start)
        while isinstance(tb, TracebackRecord) and depth < 10000:
            frames.append(tb.frame)
            tb, depth = tb.next, depth + 1
    seen = set()  # a chain already walked stops there: linear in the frames
    namespaces = {}  # id -> a frame's locals or globals, each once
    for frame in frames:
        while isinstance(frame, FrameRecord) and id(frame) not in seen:
            seen.add(id(frame))
            g = frame.globals
            if type(g) is dict and isinstance(g.get("__name__"), str) and \
                    g["__name__"] not in _globals_by_name:
                _globals_by_name[g["__name__"]] = weakref.ref(frame)
            for namespace in (frame.locals, g):
                if type(namespace) is dict:
                    namespaces[id(namespace)] = namespace
            frame = frame.back
    if convert:
        _real_code_values(namespaces.values())


def _real_code_values(namespaces):
    """A code object the program held in a variable (code = f.__code__) is a
    real code object, as its functions' are: one made from the dumped record's
    names, file, line and parameters, whose body raises DumpedCodeError. The
    records themselves stay what frames and functions are rebuilt from."""
    for namespace in namespaces:
        for name, value in namespace.items():
            if type(value) is CodeRecord and type(name) is str:
                namespace[name] = real_code(value)


# id(CodeRecord) -> (the record, its real code object), for the newest load.
_real_codes = {}


def real_code(record):
    """The real code object of a CodeRecord: one per record and load."""
    pair = _real_codes.get(id(record))
    if pair is None or pair[0] is not record:
        pair = _real_codes[id(record)] = (record, _new_code(record))
    return pair[1]


def _new_code(record):
    raiser = _Inert()
    raiser.name = record.name if isinstance(record.name, str) else None
    raiser.qualname = record.qualname if isinstance(record.qualname, str) else None
    raiser.role = "code object"
    raiser.where = _short_where(record)
    return _code_with(raiser, record)


def _short_where(record):
    """file:line of a CodeRecord, the file's base name only, or None."""
    filename, line = record.filename, record.firstlineno
    if type(filename) is str and type(line) is int:
        # os.path.basename() of POSIX, without its calls (one per function of a load).
        return "%s:%d" % (filename[filename.rfind("/") + 1:], line)
    return None


def sourcelines(obj):
    """(lines, first line) of the dumped source of a rebuilt property, classmethod,
    staticmethod or class of the program, or None (inspect finds the rest)."""
    import inspect
    if isinstance(obj, property):
        obj = obj.fget
    elif isinstance(obj, (classmethod, staticmethod, types.MethodType)):
        obj = obj.__func__
    if _is_rebuilt_function(obj):
        return inspect.getsourcelines(obj)
    if isinstance(obj, type) and is_surrogate(obj):
        return _class_sourcelines(obj)
    return None


def _is_rebuilt_function(obj):
    return type(obj) is types.FunctionType and weakref.ref(obj) in _RAISERS


def _class_sourcelines(cls):
    """The class statement of a rebuilt class, found in the dumped source of its methods."""
    import ast, inspect, linecache
    filename = None
    for value in vars(cls).values():
        if isinstance(value, property):
            value = value.fget
        elif isinstance(value, (classmethod, staticmethod)):
            value = value.__func__
        if _is_rebuilt_function(value) and not value.__code__.co_filename.startswith("<"):
            filename = value.__code__.co_filename
            break
    else:
        # A class without methods: the file of any function of its module.
        for function in _rebuilt_functions():
            name = function.__code__.co_filename
            if function.__module__ == cls.__module__ and not name.startswith("<"):
                filename = name
                break
    lines = linecache.getlines(filename) if filename else []
    try:
        tree = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        return None
    wanted = cls.__qualname__.split(".")
    nodes = [(tree, [])]
    while nodes:
        node, path = nodes.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                qualname = path + [child.name]
                if qualname == wanted:
                    first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    return inspect.getblock(lines[first - 1:]), first
                nodes.append((child, qualname))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                nodes.append((child, path + [child.name, "<locals>"]))
            else:
                nodes.append((child, path))
    return None


# (name, origin) -> the ModuleSpec of a module built in or frozen, made by the
# first load that has one (rebuild.c's make_module() looks here first). Bounded:
# a hostile dump may name any number of modules of made-up origins.
_module_specs = {}
_MODULE_SPECS_MAX = 256


def module_spec(name, origin):
    """ModuleSpec(name, loader, origin=origin) of a module the dump says was
    built in or frozen (<module 'os' (frozen)>); rebuild.c makes the module."""
    machinery = sys.modules.get("importlib.machinery")
    if machinery is None:  # (pdb's inspect has imported it: no import statement)
        import importlib.machinery as machinery
    loader = {"built-in": machinery.BuiltinImporter,
              "frozen": machinery.FrozenImporter}.get(origin)
    spec = machinery.ModuleSpec(name, loader, origin=origin)
    if len(_module_specs) < _MODULE_SPECS_MAX:
        _module_specs[(name, origin)] = spec
    return spec


class _Environ(collections.abc.Mapping):
    """The dumped os.environ: a read-only mapping (redacted values stay redacted).
    Its names and values, bytes in the dump, are decoded when it is first read,
    not at every load."""

    def __init__(self, raw):
        self._raw = raw
        self._decoded = None

    @property
    def _data(self):
        if self._decoded is None:
            self._decoded = {
                os.fsdecode(k) if isinstance(k, bytes) else k:
                    os.fsdecode(v) if isinstance(v, bytes) else v
                for k, v in self._raw.items()}
        return self._decoded

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        return "environ(%r)" % (self._data,)


def _version_info_repr(self):
    return "sys.version_info(%s)" % ", ".join("%s=%r" % p for p in zip(self._fields, self))


_version_info_class = []  # the named tuple class, made by the first load that needs it


def _version_info(values):
    """The dumped sys.version_info: a named tuple that prints as the real one.
    (rebuild_roots.c calls it for the first load's; later loads' are made in C.)"""
    if not _version_info_class:
        # Made once: namedtuple compiles source, a cost every load would pay again.
        cls = collections.namedtuple("version_info", "major minor micro releaselevel serial",
                                     module="sys")  # type() names it as python's
        cls.__repr__ = _version_info_repr
        _version_info_class.append(cls)
    return _version_info_class[0](*values)


# (major, minor) of the python that dumped, once finish_roots (rebuild_roots.c) saw it
_dumped_version = []


def dumped_version():
    """(major, minor) of the python that wrote the dump being read, or None."""
    return _dumped_version[0] if _dumped_version else None


class FunctionStub:
    """A dumped builtin function that this interpreter does not have."""

    def __init__(self):
        self.name = self.qualname = self.module = self.code = None

    def __repr__(self):
        return "<rebuilt builtin function %s>" % (self.qualname or self.name)

    def __call__(self, *args, **kwargs):
        raise DumpedCodeError("%s is a builtin function of the dumped program; a dump does "
                              "not run it" % (self.qualname or self.name))


class MethodStub:
    """A dumped bound method whose function cannot be bound here."""

    def __init__(self):
        self.function = self.self = None

    def __repr__(self):
        name = getattr(self.function, "__qualname__", None) or \
            getattr(self.function, "qualname", None) or "?"
        return "<rebuilt bound method %s of %s>" % (name, _short_repr(self.self, 100))

    def __call__(self, *args, **kwargs):
        raise DumpedCodeError("%s is a method of the dumped program; a dump does not run it"
                              % (getattr(self.function, "__qualname__", None) or "?"))


# Generators, coroutines and async generators: look-alikes whose frames are real (pyhd_tasks).
from pyhd_tasks import GeneratorStub  # noqa: E402,F401  (rebuild.c calls it by this name)


class WeakrefStub:
    """A dumped weak reference; calling it gives the rebuilt referent (None if dead).

    An instance of a subclass named as the dumped class (weakref.ReferenceType),
    as OpaqueStub's are."""

    def __new__(cls, klass):
        if cls is WeakrefStub:
            cls = _named_subclass(WeakrefStub, klass)
        return object.__new__(cls)

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
    """An object pyhd does not rebuild: its class, size, and repr made at dump time.

    Each is an instance of a subclass named as the dumped object's class
    (_opaque_class), so that type(x).__module__ and __qualname__ read as in
    the program; what it prints says it is opaque.
    """

    def __new__(cls, klass, size, repr_text, reason):
        if cls is OpaqueStub:
            stub = OpaqueStub
            if _names_of(klass) == ("_thread", "_ThreadHandle"):
                stub = ThreadHandleStub
            cls = _named_subclass(stub, klass)
        obj = object.__new__(cls)
        if isinstance(obj, ThreadHandleStub):
            _thread_handles.append(obj)
        return obj

    def __init__(self, cls, size, repr_text, reason):
        self.cls, self.size, self.repr_text, self.reason = cls, size, repr_text, reason

    def __repr__(self):
        what = _class_name(self.cls)
        if self.reason:
            what += " (%s)" % self.reason
        if self.repr_text is not None:
            return "<opaque %s: repr %s>" % (what, self.repr_text)
        return "<opaque %s, %s bytes>" % (what, self.size)


class ThreadHandleStub(OpaqueStub):
    """A thread's C handle (_thread._ThreadHandle, 3.13+), which the dump does not read:
    asking it would take its mutex or join the thread. Thread's own methods ask
    it whether the thread is done (repr, is_alive()); finish_roots (rebuild_roots.c)
    answers from the dump's list of live threads and the owning Thread's _ident."""

    ident = None
    done = False

    def is_done(self):
        return self.done

    def join(self, timeout=None):
        # As the program's join would: a timeout runs out with the thread alive;
        # without one it would wait for a thread that is not here.
        if not self.done and timeout is None:
            raise DumpedCodeError("thread %s was running in the dumped program; a dump "
                                  "cannot wait for it" % self.ident)


_thread_handles = []  # the ThreadHandleStubs of this load, for finish_roots (rebuild_roots.c)


def _bind_thread_handles(threads):
    """Give each thread handle of the load its thread's ident, and say it is done
    when that thread had started and was no longer alive when the dump was made.
    A thread is known by its ident and native id together: a thread started after
    another ended often gets the ident (the pthread_t) the first one had."""
    if not _thread_handles:
        return
    import gc
    live = set()
    for t in threads if isinstance(threads, list) else ():
        if isinstance(t, dict):
            live.add((t.get("ident"), t.get("native_id")))
            live.add((t.get("ident"), None))
    handles = {id(h): h for h in _thread_handles}
    del _thread_handles[:]
    for owner in gc.get_referrers(*handles.values()):
        attrs = owner if type(owner) is dict else getattr(owner, "__dict__", None)
        if type(attrs) is not dict:
            continue
        ident, native_id = attrs.get("_ident"), attrs.get("_native_id")
        for key in ("_handle", "_os_thread_handle"):  # 3.13, 3.14
            handle = handles.get(id(attrs.get(key)))
            if handle is not None and type(ident) is int:
                handle.ident = ident
                handle.done = (ident, native_id if type(native_id) is int else None) \
                    not in live


# (stub class, id(dumped class)) -> (dumped class, its named subclass of the stub).
# dumped class -> {stub class: its named subclass of the stub}; weak, as the
# subclass holds no reference to the dumped class.
_named_subclasses = weakref.WeakKeyDictionary()


def _named_subclass(stub, klass):
    """A subclass of stub with klass's names (module, qualname), made once per class."""
    if not isinstance(klass, type):
        return stub
    try:
        subs = _named_subclasses.setdefault(klass, {})
    except TypeError:  # a class that cannot be weakly referred to: not kept
        subs = {}
    found = subs.get(stub)
    if found is None:
        module = type.__dict__["__module__"].__get__(klass)
        qualname = type.__dict__["__qualname__"].__get__(klass)
        name = type.__dict__["__name__"].__get__(klass)
        if not (type(module) is str and type(qualname) is str and type(name) is str):
            return stub
        sub = type(name, (stub,), {"__module__": module, "__qualname__": qualname})
        found = subs[stub] = sub
    return found


class _NamedAtFill:
    """A stand-in whose class comes only when its record is filled (it may stand
    where a class's own parts are, so its class is no dependency of it): setting
    cls makes it an instance of a subclass named as that class (_named_subclass),
    so that type(x).__module__ and __qualname__ read as in the program."""

    _cls = None

    @property
    def cls(self):
        return self._cls

    @cls.setter
    def cls(self, klass):
        self._cls = klass
        base = type(self)
        if base is TruncatedStub or base is RedactedStub:
            named = _named_subclass(base, klass)
            if named is not base:
                self.__class__ = named


class TruncatedStub(_NamedAtFill):
    """An object the dump left out because its size budget ran out."""

    def __init__(self, cls):
        self.cls = cls

    def __repr__(self):
        return "<truncated %s: left out of the dump>" % _class_name(self.cls)


class RedactedStub(_NamedAtFill):
    """A value pyhd-run left out of the dump: bound to a sensitive name, or by --privacy.
    Its class reads as the value's (_NamedAtFill); what it prints says it was left out."""

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


# ---------------------------------------------------------------------------
# Standard-library values (REDUCED records): the table of format.h only.

_reducers = None


def _a_class(value):
    """A class of the rebuilt graph (a program's may have a metaclass: its __or__ and
    __getitem__ are inert), for list[int] and int | None."""
    if not isinstance(value, type):
        raise TypeError("unexpected %s" % type(value).__name__)
    return value


def _an_alias_arg(value):
    """An argument of a rebuilt list[int]: a class, another alias, a builtin value
    (Literal-like strs and ints) or Ellipsis (tuple[int, ...])."""
    if isinstance(value, type) or type(value) in (types.GenericAlias, str, int, type(...)):
        return value
    raise TypeError("unexpected %s" % type(value).__name__)


def _exact(value, *types):
    if type(value) not in types:
        raise TypeError("unexpected %s" % type(value).__name__)
    return value


_DumpedTzinfo = None


def _tzinfo(value):
    """A time's or datetime's tzinfo: itself when it is one (a timezone, a
    zoneinfo.ZoneInfo), else a tzinfo standing for what was dumped (a
    program's tzinfo class, a zone this machine's tz database lacks), so that
    an aware value stays aware and prints what it held."""
    global _DumpedTzinfo
    import datetime
    if value is None or isinstance(value, datetime.tzinfo):
        return value
    if _DumpedTzinfo is None:
        class DumpedTzinfo(datetime.tzinfo):
            """A dumped tzinfo that is no tzinfo here: repr shows it, the
            offsets it would compute are not known."""

            __slots__ = ("dumped",)

            def __init__(self, dumped):
                self.dumped = dumped

            def __repr__(self):
                return _short_repr(self.dumped)

            def _unknown(self, dt):
                raise DumpedCodeError(
                    "the offset of %s is not known here: its time zone was not rebuilt "
                    "(a dump does not run program code)" % _short_repr(self.dumped))

            utcoffset = dst = tzname = _unknown

        DumpedTzinfo.__module__ = __name__
        _DumpedTzinfo = DumpedTzinfo
    return _DumpedTzinfo(value)


def _build_reducers():
    import array, collections, datetime, decimal, fractions, itertools, operator, pathlib, re, \
        types, typing, uuid, _struct
    _COUNT_NUMBERS = (int, float, complex, decimal.Decimal, fractions.Fraction)

    def named(var, module):
        if type(module) is str:
            try:
                var.__module__ = module
            except (AttributeError, TypeError):
                pass
        return var

    def typevar(kind):
        def make(name, covariant, contravariant, infer_variance, module):
            # A variance this python lacks (infer_variance before 3.12) is left out.
            kwargs = {"covariant": _exact(covariant, bool),
                      "contravariant": _exact(contravariant, bool)}
            if _exact(infer_variance, bool) and sys.version_info >= (3, 12):
                kwargs["infer_variance"] = True
            return named(kind(_exact(name, str), **kwargs), module)
        return make

    def paramspec_part(kind):
        # P.args, P.kwargs of a rebuilt ParamSpec (a real one: a REDUCED value).
        return lambda origin: kind(_exact(origin, typing.ParamSpec))

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

    def proxy(mapping):
        # A dict or an OrderedDict (inspect.Signature's parameters; the rebuilt
        # one, filled after): any other mapping is a program's, whose methods
        # the view would call.
        return types.MappingProxyType(_exact(mapping, dict, collections.OrderedDict))

    def array_(typecode, data, order):
        result = array.array(_exact(typecode, str))
        result.frombytes(_exact(data, bytes))
        if order != sys.byteorder:
            result.byteswap()
        return result

    def descriptor(kind):
        # A class's own attribute: a type builtins names (the trust table gives the
        # real one), or a class of the program rebuilt with its slots.
        def build(owner, name):
            if not _is_class(owner):
                raise ValueError("not a class")
            found = type.__dict__["__dict__"].__get__(owner).get(_exact(name, str))
            if type(found) is not kind:
                raise ValueError("%s has no such attribute" % owner.__name__)
            return found
        return build

    def context(prec, rounding, emin, emax, capitals, clamp, flags, traps):
        # decimal checks every value. The lists of signals are filled after this
        # (fill_reduced): a context starts with none set.
        return decimal.Context(_exact(prec, int), _exact(rounding, str), _exact(emin, int),
                               _exact(emax, int), _exact(capitals, int), _exact(clamp, int),
                               [], [])

    table = {
        datetime.date: date, datetime.time: time, datetime.datetime: dt,
        datetime.timedelta: timedelta, datetime.timezone: timezone,
        decimal.Decimal: lambda text: decimal.Decimal(_exact(text, str)),
        fractions.Fraction: lambda n, d: fractions.Fraction(_exact(n, int), _exact(d, int)),
        uuid.UUID: lambda n: uuid.UUID(int=_exact(n, int)),
        collections.deque: deque, re.Pattern: pattern, array.array: array_,
        types.MappingProxyType: proxy,
        # The views of the rebuilt dict (a dict's own: any other mapping's are a program's).
        type({}.keys()): lambda mapping: _exact(mapping, dict).keys(),
        type({}.values()): lambda mapping: _exact(mapping, dict).values(),
        type({}.items()): lambda mapping: _exact(mapping, dict).items(),
        operator.itemgetter: operator.itemgetter,
        operator.methodcaller: lambda name, *args: operator.methodcaller(_exact(name, str),
                                                                         *args),
        decimal.Context: context,
        _struct.Struct: lambda fmt: _struct.Struct(_exact(fmt, str)),
        io.StringIO: _stringio, io.BytesIO: _bytesio,
        operator.attrgetter: lambda *names: operator.attrgetter(*(_exact(n, str) for n in names)),
        # Numbers the rebuilt count adds with its own C code: the standard library's.
        itertools.count: lambda start, step: itertools.count(
            _exact(start, *_COUNT_NUMBERS), _exact(step, *_COUNT_NUMBERS)),
        itertools.repeat: lambda element, *times: itertools.repeat(
            element, *(_exact(n, int) for n in times)),
        types.GenericAlias: lambda origin, args: types.GenericAlias(
            _a_class(origin), tuple(map(_an_alias_arg, _exact(args, tuple)))),
        # Builtin iterators: made over the rebuilt sequence, their index set once it
        # is filled (fill_reduced); by name, as the sequence iterators are no name of
        # builtins.
        ("builtins", "list_iterator"): _seq_iterator(iter, list),
        ("builtins", "list_reverseiterator"): _seq_iterator(reversed, list),
        ("builtins", "tuple_iterator"): _seq_iterator(iter, tuple),
        ("builtins", "str_iterator"): _seq_iterator(iter, str),
        ("builtins", "str_ascii_iterator"): _seq_iterator(iter, str),
        ("builtins", "bytes_iterator"): _seq_iterator(iter, bytes),
        ("builtins", "range_iterator"): _range_iterator,
        ("builtins", "longrange_iterator"): _range_iterator,
        enumerate: lambda iterable, start: enumerate(iterable, _exact(start, int)),
        zip: zip, map: map, filter: filter,
        # By name (_reducers_by_name): the trust table does not list it, so that a
        # TypeVar of a python before 3.12 (a class written in Python, an INSTANCE
        # record) stays the copy it always was.
        ("typing", "TypeVar"): typevar(typing.TypeVar),
        ("typing", "ParamSpec"): typevar(typing.ParamSpec),
        ("typing", "ParamSpecArgs"): paramspec_part(typing.ParamSpecArgs),
        ("typing", "ParamSpecKwargs"): paramspec_part(typing.ParamSpecKwargs),
    }
    # os.scandir()'s entries: the real type cannot be made; a look-alike (by name,
    # as TypeVar) holds the dumped name and path.
    table[("posix", "DirEntry")] = lambda name, path: _dir_entry(
        _exact(name, str, bytes), _exact(path, type(name)))
    table[super] = _super
    # The C object behind a symtable.SymbolTable: a look-alike (by name, as DirEntry).
    table[("builtins", "symtable entry")] = _symtable_entry
    # A row of sqlite3's Row factory: a look-alike (its type cannot be made without
    # a cursor of a connection).
    table[("sqlite3", "Row")] = _sqlite_row
    # A socket.socket: a look-alike that reaches no socket here (by name: the class
    # is a copy, as the trust table keeps classes that act on the world outside).
    table[("socket", "socket")] = _socket
    import contextvars
    table[contextvars.ContextVar] = lambda name, *default: contextvars.ContextVar(
        _exact(name, str), **({"default": default[0]} if default else {}))
    table[contextvars.Context] = lambda pairs: contextvars.Context()
    import functools
    if isinstance(getattr(functools, "_lru_cache_wrapper", None), type):
        table[functools._lru_cache_wrapper] = _lru_cache
    if hasattr(typing, "TypeVarTuple"):  # 3.11+
        table[("typing", "TypeVarTuple")] = lambda name, module: named(
            typing.TypeVarTuple(_exact(name, str)), module)
    for kind in (types.MethodDescriptorType, types.WrapperDescriptorType,
                 types.ClassMethodDescriptorType, types.GetSetDescriptorType,
                 types.MemberDescriptorType):
        table[kind] = descriptor(kind)
    if hasattr(types, "UnionType"):  # 3.10+
        def union(*args):
            try:
                return functools.reduce(operator.or_, map(_an_alias_arg, args))
            except TypeError:
                if types.UnionType is not getattr(typing, "Union", None) or len(args) < 2:
                    raise
            # Since 3.14 a Union holds any object: typing.List[int], a copy of
            # typing's _GenericAlias (its repr is pyhd_stdlib_reprs').
            return typing.Union[args]
        table[types.UnionType] = union

    for name in ("PurePath", "PurePosixPath", "PureWindowsPath", "Path", "PosixPath",
                 "WindowsPath"):
        cls = getattr(pathlib, name)
        table[cls] = path(cls)
    return table


def _super(thisclass, obj):
    """super(thisclass, obj) of the rebuilt class and object; unbound (obj None)."""
    _a_class(thisclass)
    return super(thisclass) if obj is None else super(thisclass, obj)


def _lru_cache(function, maxsize, typed, hits, misses, currsize, attrs):
    """A functools.lru_cache wrapper of the rebuilt function, with an empty cache:
    calling it calls the function (inert unless --trust). fill_reduced gives it its
    dumped __dict__ (__wrapped__, __name__, ...) and a cache_info() of the dumped
    counts."""
    import functools
    if not callable(function):
        raise TypeError("its function was not rebuilt")
    for n in (hits, misses, currsize):
        _exact(n, int)
    return functools._lru_cache_wrapper(function, None if maxsize is None else _exact(maxsize, int),
                                        _exact(typed, bool), functools._CacheInfo)


def set_context_values(pairs):
    """Set each (ContextVar, value) of pairs in the current context; a pair that is
    not one (a crafted dump's, a variable not rebuilt) is left out."""
    import contextvars
    for pair in pairs:
        if type(pair) is tuple and len(pair) == 2 and type(pair[0]) is contextvars.ContextVar:
            pair[0].set(pair[1])


def _fill_lru_cache(wrapper, args):
    """The dumped __dict__ of an lru_cache wrapper (str keys only), its cache_info()
    answering the dumped counts, and its cache_parameters() the dumped parameters
    (functools' own lambda would be an inert copy)."""
    import functools
    function, maxsize, typed, hits, misses, currsize, attrs = args
    own = wrapper.__dict__
    for key, value in attrs.items() if type(attrs) is dict else ():
        if type(key) is str:
            own[key] = value
    own["cache_info"] = functools.partial(functools._CacheInfo, hits, misses, maxsize, currsize)
    if "cache_parameters" in own:
        own["cache_parameters"] = functools.partial(dict, typed=typed, maxsize=maxsize)


_SqliteRow = None


def _sqlite_row(data, names):
    """A dumped sqlite3.Row: its values, looked up by index, slice or column name
    (ASCII letters in any case) as python's, with its keys(), length, equality and
    hash."""
    global _SqliteRow
    if _SqliteRow is None:
        def ascii_fold(text):
            return text.lower() if text.isascii() else None

        class Row:
            __slots__ = ("_data", "_description")

            def keys(self):
                return [d[0] for d in self._description or ()]

            def __len__(self):
                return len(self._data)

            def __iter__(self):
                return iter(self._data)

            def __getitem__(self, key):
                if isinstance(key, int):
                    index = key + len(self._data) if key < 0 else key
                    if not 0 <= index < len(self._data):
                        raise IndexError("tuple index out of range")
                    return self._data[index]
                if isinstance(key, str):
                    for i, column in enumerate(self.keys()):
                        if column == key or (ascii_fold(key) is not None
                                             and ascii_fold(key) == ascii_fold(column)):
                            return self._data[i]
                    raise IndexError("No item with that key")
                if isinstance(key, slice):
                    return self._data[key]
                raise IndexError("Index must be int or string")

            def __eq__(self, other):
                if type(other) is not type(self):
                    return NotImplemented
                return (self._description, self._data) == (other._description, other._data)

            def __hash__(self):
                return hash(self._description) ^ hash(self._data)

        Row.__module__, Row.__qualname__ = "sqlite3", "Row"
        _SqliteRow = Row
    if names is not None and not all(type(n) is str for n in _exact(names, tuple)):
        raise TypeError("column names that are not str")
    row = object.__new__(_SqliteRow)
    row._data = _exact(data, tuple)
    row._description = None if names is None else tuple((n,) + (None,) * 6 for n in names)
    return row


_Socket = None

# What a socket does to the world: a rebuilt one does none of it.
_SOCKET_ACTIONS = (
    "accept", "bind", "close", "connect", "connect_ex", "detach", "dup", "getsockopt",
    "listen", "makefile", "recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg",
    "recvmsg_into", "send", "sendall", "sendfile", "sendmsg", "sendto", "setblocking",
    "setsockopt", "settimeout", "shutdown", "set_inheritable", "get_inheritable",
    "getblocking")


def _socket(fd, family, kind, proto, closed, laddr, raddr, timeout):
    """A dumped socket.socket: a look-alike with the program's descriptor number,
    family, type, protocol, addresses and timeout, whose repr is python's. It
    reaches no socket of this machine: sending, receiving, connecting, closing
    raise a one-line DumpedCodeError."""
    global _Socket
    if _Socket is None:
        import socket as real

        def as_enum(value, enum_class):
            try:
                return enum_class(value)
            except ValueError:
                return value

        class Socket:
            __slots__ = ("_fd", "_family", "_type", "_proto", "_closed", "_laddr", "_raddr",
                         "_timeout")

            family = property(lambda self: as_enum(self._family, real.AddressFamily),
                              doc="the socket family")
            type = property(lambda self: as_enum(self._type, real.SocketKind),
                            doc="the socket type")
            proto = property(lambda self: self._proto, doc="the socket protocol")
            timeout = property(lambda self: self._timeout, doc="the socket timeout")

            def fileno(self):
                return self._fd

            def gettimeout(self):
                return self._timeout

            def getsockname(self):
                if self._laddr is None:
                    raise OSError("the dump holds no local address of this socket")
                return self._laddr

            def getpeername(self):
                if self._raddr is None:
                    raise OSError(107, "Transport endpoint is not connected")
                return self._raddr

            def __repr__(self):
                # Lib/socket.py's socket.__repr__, from the dumped values.
                text = "<socket.socket%s fd=%i, family=%s, type=%s, proto=%i" % (
                    " [closed]" if self._closed else "", self._fd, self.family, self.type,
                    self._proto)
                if not self._closed:
                    if self._laddr:
                        text += ", laddr=%s" % str(self._laddr)
                    if self._raddr:
                        text += ", raddr=%s" % str(self._raddr)
                return text + ">"

        def action(name):
            def act(self, *args, **kwargs):
                raise DumpedCodeError("%s is a method of socket.socket; a rebuilt socket "
                                      "reaches no socket of this machine" % name)
            act.__name__ = act.__qualname__ = name
            return act

        for name in _SOCKET_ACTIONS:
            setattr(Socket, name, action(name))
        Socket.__module__, Socket.__qualname__, Socket.__name__ = "socket", "socket", "socket"
        _Socket = Socket

    def address(value):
        if value is None or type(value) in (str, bytes):
            return value
        if type(value) is tuple and 2 <= len(value) <= 4 and type(value[0]) is str and \
                all(type(v) is int for v in value[1:]):
            return value
        raise TypeError("an address pyhd does not know")

    for value in (fd, family, kind, proto):
        if not -2 ** 31 <= _exact(value, int) < 2 ** 31:  # C ints in the program
            raise ValueError("a socket field out of range")
    sock = object.__new__(_Socket)
    sock._fd, sock._family, sock._type, sock._proto = fd, family, kind, proto
    sock._closed = _exact(closed, bool)
    sock._laddr, sock._raddr = address(laddr), address(raddr)
    sock._timeout = None if timeout is None else _exact(timeout, float)
    return sock


_SymtableEntry = None


def _symtable_entry(ident, name, symbols, varnames, children, nested, kind, lineno):
    """A dumped symtable entry: its members, which symtable.SymbolTable reads, and
    its repr (type and symbol flags as the dumping python numbered them)."""
    global _SymtableEntry
    if _SymtableEntry is None:
        class SymtableEntry:
            __slots__ = ("id", "name", "symbols", "varnames", "children", "nested", "type",
                         "lineno")

            def __repr__(self):
                return "<symtable entry %s(%s), line %s>" % (self.name, self.id, self.lineno)

        SymtableEntry.__module__ = "builtins"
        SymtableEntry.__name__ = SymtableEntry.__qualname__ = "symtable entry"
        _SymtableEntry = SymtableEntry
    entry = object.__new__(_SymtableEntry)
    entry.id, entry.name, entry.nested = _exact(ident, int), _exact(name, str), _exact(nested, int)
    entry.type, entry.lineno = _exact(kind, int), _exact(lineno, int)
    entry.symbols, entry.varnames = _exact(symbols, dict), _exact(varnames, list)
    entry.children = _exact(children, list)
    return entry


_DirEntry = None


def _dir_entry(name, path):
    """A dumped os.DirEntry: its name and path, printed as python prints it. Its
    other methods would read this machine's files (or caches the dump lacks)."""
    global _DirEntry
    if _DirEntry is None:
        class DirEntry:
            __slots__ = ("name", "path")

            def __repr__(self):
                return "<DirEntry %r>" % (self.name,)

            def __fspath__(self):
                return self.path

            def _unknown(self, *args, **kwargs):
                raise DumpedCodeError(
                    "a dumped DirEntry holds only its name and path: is_dir(), is_file(), "
                    "stat() and inode() would read this machine's files")

            is_dir = is_file = is_symlink = is_junction = stat = inode = _unknown

        DirEntry.__module__, DirEntry.__qualname__ = "posix", "DirEntry"
        _DirEntry = DirEntry
    entry = object.__new__(_DirEntry)
    entry.name, entry.path = name, path
    return entry


def _range_iterator(sequence, index):
    """An iterator over the rebuilt range, at the dumped index (clamped by the
    iterator itself)."""
    iterator = iter(_exact(sequence, range))
    iterator.__setstate__(_exact(index, int))
    return iterator


def _stringio(text, newline, position, closed):
    """An io.StringIO holding the dumped text at the dumped position. __setstate__
    (io's C code) takes the text as it is: passed to the constructor, it would
    have its newlines translated a second time."""
    newline = newline if newline is None else _exact(newline, str)
    stream = io.StringIO(newline=newline)
    if _exact(closed, bool):
        stream.close()
    else:
        stream.__setstate__((_exact(text, str), newline, _exact(position, int), None))
    return stream


def _bytesio(data, position, closed):
    """An io.BytesIO holding the dumped bytes at the dumped position."""
    stream = io.BytesIO(_exact(data, bytes))
    if _exact(closed, bool):
        stream.close()
    else:
        stream.seek(_exact(position, int))
    return stream


# The real sequence iterator types (a stand-in's class may bear their names).
_SEQ_ITERATORS = frozenset(map(type, (iter([]), reversed([]), iter(()), iter(""),
                                      iter("\u00e9"), iter(b""))))


def _seq_iterator(make, sequence_type):
    """An iterator over the rebuilt sequence (an exhausted one over an empty one);
    fill_reduced moves it to the dumped index once the sequence is filled."""
    def build(sequence, index):
        _exact(index, int)
        return make(sequence_type() if sequence is None else _exact(sequence, sequence_type))
    return build


def _random(state, gauss_next):
    """A random.Random in the dumped state (seeded with 0 first, not from this
    machine's entropy): it draws what the program's would have drawn next."""
    generator = sys.modules["random"].Random(0)
    if gauss_next is not None:
        _exact(gauss_next, float)
    generator.setstate((3, _exact(state, tuple), gauss_next))
    return generator


def _element(tag, attrib, text, tail, children):
    """An XML element of the dumped tag, text and tail; its attributes and
    children come in fill_reduced (they are filled after it is made)."""
    element = sys.modules["xml.etree.ElementTree"].Element(tag)
    element.text, element.tail = text, tail
    return element


def _zoneinfo(key):
    """The key is checked by ZoneInfo (a relative path, no ".."); a zone this
    machine lacks makes a stand-in naming it."""
    return sys.modules["zoneinfo"].ZoneInfo(_exact(key, str))


# Classes of modules imported only once a dump names them (the trust table
# resolved the class): found in sys.modules then, not imported for the table.
_LAZY_REDUCERS = (("zoneinfo", "ZoneInfo", _zoneinfo), ("random", "Random", _random),
                  ("xml.etree.ElementTree", "Element", _element))


def _lazy_reducer(cls):
    """The builder of _LAZY_REDUCERS for cls, kept in _reducers once found, or None."""
    for module_name, name, build in _LAZY_REDUCERS:
        module = sys.modules.get(module_name)
        if module is not None and cls is module.__dict__.get(name):
            _reducers[cls] = build
            return build
    return None


def make_reduced(cls, args):
    """A standard-library value from its REDUCED record, or an opaque stub."""
    global _reducers
    if _reducers is None:
        _reducers = _build_reducers()
    build = _reducers.get(cls) if isinstance(cls, type) else None
    if build is None and is_surrogate(cls):
        # A C type of the dumping python that this table knows by its names.
        build = _reducers.get((cls.__module__, cls.__qualname__))
    if build is None and is_surrogate(cls) and isinstance(args, tuple) and len(args) == 1 \
            and type(args[0]) is str:
        # A program's subclass of decimal.Decimal (walk.c): Decimal's own
        # constructor, never the class's __new__ or __init__.
        base = next((k for k in cls.__mro__ if _is_decimal(k)), None)
        if base is not None:
            try:
                return base.__new__(cls, args[0])
            except Exception as exc:
                return OpaqueStub(cls, 0, None, "cannot rebuild: %s" % exc)
    if build is None and isinstance(cls, type):
        build = _lazy_reducer(cls)
    if build is None:
        return OpaqueStub(cls, 0, None, "not a value pyhd rebuilds")
    try:
        return build(*args)
    except Exception as exc:
        return OpaqueStub(cls, 0, None, "cannot rebuild: %s" % exc)


def fill_reduced(obj, args):
    """Second step of a REDUCED value: a deque's items (they may refer back to it), a
    decimal context's flags and traps (lists filled after the context was made)."""
    if type(obj) is collections.deque and isinstance(args, tuple) and isinstance(args[0], list):
        obj.extend(args[0])
    if type(obj) in _SEQ_ITERATORS and isinstance(args, tuple) and len(args) == 2 \
            and args[0] is not None and type(args[1]) is int:
        try:
            obj.__setstate__(args[1])  # clamped to the sequence by the iterator itself
        except (OverflowError, TypeError):
            pass
    etree = sys.modules.get("xml.etree.ElementTree")
    if etree is not None and type(obj) is etree.Element and isinstance(args, tuple) \
            and len(args) == 5:
        if type(args[1]) is dict:
            obj.attrib = args[1]
        # Elements only (append() refuses anything else): a child not rebuilt is left
        # out, and so is the element itself (a crafted dump's: iter() would not end).
        for child in args[4] if type(args[4]) is list else ():
            if type(child) is etree.Element and child is not obj:
                obj.append(child)
    contextvars = sys.modules.get("contextvars")
    if contextvars is not None and type(obj) is contextvars.Context and isinstance(args, tuple) \
            and len(args) == 1 and type(args[0]) is tuple:
        obj.run(set_context_values, args[0])
    functools = sys.modules.get("functools")
    if functools is not None and type(obj) is getattr(functools, "_lru_cache_wrapper", None) \
            and isinstance(args, tuple) and len(args) == 7:
        _fill_lru_cache(obj, args)
    decimal = sys.modules.get("decimal")
    if decimal is not None and type(obj) is decimal.Context and isinstance(args, tuple) \
            and len(args) == 8:
        for signals, mapping in ((args[6], obj.flags), (args[7], obj.traps)):
            for signal in signals if type(signals) is list else ():
                try:
                    mapping[signal] = True  # decimal's own signal classes only (KeyError)
                except (KeyError, TypeError):
                    pass


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


class ForeignBufferStub(BufferStub):
    """The buffer of a class this reader does not make again (mmap.mmap, a C
    extension's object): its bytes, in an instance of a subclass named as that
    class, so that type(x) reads as in the program. It reads like a bytes
    object (len, indexing, bytes()); nothing of the class runs."""

    def __new__(cls, klass, *args):
        if cls is ForeignBufferStub:
            cls = _named_subclass(ForeignBufferStub, klass)
        return object.__new__(cls)

    def __repr__(self):
        return "<rebuilt %s: %d bytes>" % (_class_name(self.cls), len(self.data))

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        return self.data[index]

    def __bytes__(self):
        return bytes(self.data)

    def tobytes(self):
        return bytes(self.data)


# ctypes' number and character types (src/trust.c has them as real classes): a
# dumped value of one, or an array of one, is made again from its bytes.
_CTYPES_SCALARS = frozenset((
    "c_bool", "c_byte", "c_char", "c_double", "c_float", "c_int", "c_long", "c_longdouble",
    "c_longlong", "c_short", "c_ubyte", "c_uint", "c_ulong", "c_ulonglong", "c_ushort",
    "c_wchar"))


def _ctypes_scalar(name, fmt):
    """The real ctypes type named name whose buffer format here is fmt (the dumping
    machine's size and byte order), else None."""
    if name not in _CTYPES_SCALARS:
        return None
    import ctypes
    real = getattr(ctypes, name, None)
    if not isinstance(real, type) or real.__name__ != name:
        return None
    return real if memoryview(real()).format == fmt else None


def _ctypes_type(cls, fmt, shape):
    """The real ctypes type of a dumped ctypes value of class cls: cls itself when it
    is one of ctypes' number types, an array of one (c_char_Array_6) made again
    here; None for any other (a Structure of the program's, a pointer)."""
    name = getattr(cls, "__qualname__", None)
    if not isinstance(name, str):
        return None
    if not shape:
        real = _ctypes_scalar(name, fmt)
        return real if real is not None and real is cls else None
    base, sep, count = name.rpartition("_Array_")
    if not sep or len(shape) != 1 or not count.isdigit() or int(count) != shape[0] \
            or not _ctypes_kind(cls, "Array"):
        return None
    real = _ctypes_scalar(base, fmt)
    if real is None:
        return None
    # A type of its own, not ctypes' cached c_char * 6: it is named as the program's
    # (its module is where the program multiplied).
    import ctypes
    return type(ctypes.Array)(name, (ctypes.Array,), {
        "_type_": real, "_length_": shape[0], "__module__": str(cls.__module__)})


def _ctypes_kind(cls, *names):
    """Which of _ctypes' base classes names (Array, Structure, Union) cls derives from."""
    mro = getattr(cls, "__mro__", ())
    return next((k.__name__ for k in mro if getattr(k, "__module__", None) == "_ctypes"
                 and getattr(k, "__name__", None) in names), None)


def _ctypes_field_type(kind):
    """The real type of a field of a dumped Structure: a ctypes number type, or an
    array of one (the dump's copy of c_char_Array_4 names it); else None."""
    name = getattr(kind, "__qualname__", None)
    if not isinstance(name, str):
        return None
    if name in _CTYPES_SCALARS:
        import ctypes
        return kind if kind is getattr(ctypes, name, None) else None
    base, sep, count = name.rpartition("_Array_")
    if sep and count.isdigit() and base in _CTYPES_SCALARS and _ctypes_kind(kind, "Array"):
        import ctypes
        try:
            return getattr(ctypes, base) * int(count)
        except (ValueError, OverflowError, MemoryError):
            return None  # a count no array has (a damaged or crafted class name)
    return None


_ctypes_records = []  # (instance, format, bytes) of the Structures made by this load


def _ctypes_record(cls, fmt, data):
    """An instance of the program's Structure or Union cls (an inert copy); its
    fields become its attributes when the load is done (finish_ctypes_records:
    the class's _fields_ are not filled in yet)."""
    try:
        obj = object.__new__(cls)
    except Exception:
        return None
    _ctypes_records.append((obj, fmt, data))
    return obj


def finish_ctypes_records():
    """Give each Structure made by this load its fields, read from the dumped bytes."""
    for obj, fmt, data in _ctypes_records:
        try:
            fields = _ctypes_fields(type(obj), fmt, data)
        except Exception:  # a layout this ctypes refuses: the copy keeps no fields
            fields = None
        if fields is not None:
            obj.__dict__.update(fields)
    del _ctypes_records[:]


def _ctypes_fields(cls, fmt, data):
    """The fields of a Structure or Union of the program's class cls, read from the
    dumped bytes through a ctypes type laid out as the program's (its _fields_ of
    ctypes numbers and arrays of them, its byte order) as python reads them, as a
    dict; None for any other layout."""
    kind = _ctypes_kind(cls, "Structure", "Union")
    owners = [k for k in getattr(cls, "__mro__", ()) if "_fields_" in getattr(k, "__dict__", {})]
    if kind is None or len(owners) != 1 or any(
            ("_pack_" in k.__dict__ or "_anonymous_" in k.__dict__) for k in cls.__mro__):
        return None
    fields = owners[0].__dict__["_fields_"]
    if not isinstance(fields, (list, tuple)):
        return None
    real_fields = []
    for field in fields:
        if not isinstance(field, tuple) or len(field) != 2 or not isinstance(field[0], str):
            return None
        real = _ctypes_field_type(field[1])
        if real is None:
            return None
        real_fields.append((field[0], real))
    import ctypes
    names = {k.__name__ for k in cls.__mro__}
    order = "BigEndian" if "BigEndian" + kind in names else \
        "LittleEndian" if "LittleEndian" + kind in names else ""
    try:
        base = getattr(ctypes, order + kind)
        layout = type(base)(cls.__name__, (base,), {"_fields_": real_fields})
        if ctypes.sizeof(layout) != len(data) or memoryview(layout()).format != fmt:
            return None
        values = layout.from_buffer_copy(data)
        return {name: getattr(values, name) for name, _ in real_fields}
    except Exception:
        return None


def _ctypes_value(cls, fmt, shape, data):
    """A ctypes number, character or array of them, made from the dumped bytes by
    from_buffer_copy (a copy: no code of the dump runs); a Structure of the
    program's with its fields; or None."""
    if not isinstance(fmt, str) or not _ctypes_kind(cls, "_SimpleCData", "Array",
                                                    "Structure", "Union"):
        return None
    if _ctypes_kind(cls, "Structure", "Union"):
        return _ctypes_record(cls, fmt, data) if not shape else None
    shape = tuple(shape)
    if len(shape) > 1 or (shape and (type(shape[0]) is not int or shape[0] < 1
                                     or len(data) % shape[0])):
        return None
    try:
        real = _ctypes_type(cls, fmt, shape)
        import ctypes
        if real is None or ctypes.sizeof(real) != len(data):
            return None
        return real.from_buffer_copy(data)
    except (TypeError, ValueError, OverflowError, MemoryError, AttributeError):
        return None  # a layout this ctypes cannot make: the bytes stay a memoryview


# PEP 3118's complex codes, which numpy's scalars export (numpy.complex64: "Zf")
# and numpy.dtype() does not read.
_PEP3118_COMPLEX = {"Zf": "complex64", "Zd": "complex128", "Zg": "clongdouble"}


def _numpy_buffer_dtype(numpy, fmt):
    """numpy's dtype for a buffer format (struct's codes, numpy's, PEP 3118's complex)."""
    order, code = (fmt[0], fmt[1:]) if fmt[:1] in ("@", "=", "<", ">", "!") else ("=", fmt)
    if code in _PEP3118_COMPLEX:
        return numpy.dtype(_PEP3118_COMPLEX[code]).newbyteorder(
            {"@": "=", "!": ">"}.get(order, order))
    return numpy.dtype(fmt)


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
    made = _ctypes_value(cls, fmt, shape, data)
    if made is not None:
        return made
    numpy = _import_numpy() if isinstance(module, str) and module.partition(".")[0] == "numpy" \
        else None
    if numpy:
        try:
            array = numpy.frombuffer(data, dtype=_numpy_buffer_dtype(numpy, fmt)
                                     ).reshape(shape).copy()
            array.flags.writeable = not readonly
            if not shape:
                # A numpy scalar (numpy.int64, bool_, float32): its own type
                # again where it is the dumped class's.
                scalar = array[()]
                if type(scalar).__name__ == getattr(cls, "__name__", None):
                    return scalar
            return array
        except Exception:
            pass
    if not _is_memoryview_class(cls):
        # mmap.mmap, pickle.PickleBuffer, a C extension's object: not a memoryview.
        return ForeignBufferStub(cls, fmt, itemsize, shape, data, 0)
    if view is not None:
        return view
    return memoryview(data)


def _is_memoryview_class(cls):
    """Whether the dumped class of a buffer is memoryview (or unknown: a cut dump)."""
    return cls is memoryview or not isinstance(cls, type)
