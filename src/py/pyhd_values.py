"""pyhd values: how the DAP adapter and the reports show a rebuilt object and its parts.

Everything here reads rebuilt objects only: surrogates of the program's
classes are inert (their repr lists their dumped attributes), and no method
of a dumped class exists to be run. Children are read from a dict's items, a
sequence's items and an instance's __dict__, never through getattr, so no
descriptor is involved.
"""

import collections
import reprlib
import types

import pyhd_surrogates

# How long one shown value may be before it is cut (the cut is marked).
VALUE_LIMIT = 1000

_repr = reprlib.Repr()
_repr.maxstring = 400
_repr.maxother = 400
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxfrozenset = 20
_repr.maxdict = 20
_repr.maxlevel = 3

_TRUNCATED = frozenset(pyhd_surrogates.TRUNCATED_TYPES.values())

_ATOMS = (type(None), bool, int, float, complex, str, bytes, bytearray, type,
          types.FunctionType, types.BuiltinFunctionType, range)


def value_text(value, limit=VALUE_LIMIT):
    """A bounded repr of value; a cut is marked with the number of characters left out."""
    if type(value) in (str, bytes, bytearray) and len(value) > _repr.maxstring:
        # reprlib would elide the middle with a bare "..."; say how much is left out.
        unit = "characters" if isinstance(value, str) else "bytes"
        return (f"{value[:_repr.maxstring]!r} ... <{len(value) - _repr.maxstring} more "
                f"{unit} not shown>")
    try:
        text = _repr.repr(value)
    except RecursionError:
        text = f"<{type_name(value)}: too deeply nested to show>"
    except Exception as error:
        text = f"<{type_name(value)}: repr failed: {type(error).__name__}>"
    if len(text) > limit:
        text = f"{text[:limit]}... <{len(text) - limit} more characters not shown>"
    return text


def type_name(value):
    """module.qualname of value's class (builtins left out), read without running dump code."""
    return pyhd_surrogates._class_name(type(value))


def missing_count(value):
    """How many items the dump left out of a truncated container (0 if none)."""
    if type(value) not in _TRUNCATED:
        return 0
    more = value.__dict__.get("pyhd_more", 0)
    return more if type(more) is int else 0


def _instance_dict(value):
    try:
        attrs = object.__getattribute__(value, "__dict__")
    except (AttributeError, TypeError):
        return None
    return attrs if isinstance(attrs, dict) else None


def children(value):
    """The parts of value to show under it: [(label, value, kind)] or [].

    kind says how the label reaches the part ("key", "index", "attr"), so a
    client can build an expression for it.
    """
    if isinstance(value, dict):
        return [(value_text(k, 200), v, ("key", k)) for k, v in dict.items(value)]
    if isinstance(value, (list, tuple, collections.deque)):
        return [(f"[{i}]", v, ("index", i)) for i, v in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        return [(f"<{i}>", v, ("member", None)) for i, v in enumerate(value)]
    if isinstance(value, _ATOMS):
        return []
    parts = []
    if isinstance(value, BaseException):
        parts.append(("args", value.args, ("attr", "args")))
        for name in ("__cause__", "__context__"):
            linked = getattr(value, name)
            if linked is not None:
                parts.append((name, linked, ("attr", name)))
        members = getattr(value, "exceptions", None)
        if isinstance(members, tuple):
            parts.append(("exceptions", members, ("attr", "exceptions")))
    attrs = _instance_dict(value)
    if attrs is not None and not isinstance(value, type):
        for name, item in attrs.items():
            if name == "pyhd_more":
                continue
            parts.append((str(name), item, ("attr", name)))
    return parts


def has_children(value):
    """Whether children(value) may be non-empty (cheap: nothing is listed)."""
    if isinstance(value, (dict, list, tuple, set, frozenset, collections.deque)):
        return len(value) > 0 or missing_count(value) > 0
    if isinstance(value, _ATOMS):
        return False
    if isinstance(value, BaseException):
        return True
    attrs = _instance_dict(value)
    return bool(attrs) and not isinstance(value, type)


def truncation_note(value):
    """A line saying what the dump left out of value, or None."""
    more = missing_count(value)
    if isinstance(value, pyhd_surrogates.TruncatedStub):
        return "left out of the dump (its size budget ran out)"
    if more:
        return f"{more} more items not in the dump (truncated when it was written)"
    return None
