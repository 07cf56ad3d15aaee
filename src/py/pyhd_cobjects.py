"""pyhd cobjects: readable C objects of a dump (format.h, 0x30 up) as real objects or look-alikes.

src/rebuild.c calls the make_* and fill_* functions here. Real objects are
made where that runs no code from the dump: functools.partial (of rebuilt,
inert functions), fresh locks in the dumped state, numpy dtypes and arrays
(from their dumped description and bytes; numpy parses a dtype string, it
never unpickles or evaluates one). Everything else (re.Match, files, asyncio
futures and tasks) becomes an inert look-alike whose repr, type name and
module are python's, whose readable state is there, and whose methods that
would act (read, write, cancel, ...) raise one line saying so.
"""

import functools
import io
import sys

# format.h's PYHD_FILE_*, PYHD_FUTURE_* and PYHD_FUTURESTATE_*.
FILE_CLOSED = 0x01
FILE_CLOSEFD = 0x02
FUTURE_TASK = 0x01
_FUTURE_STATES = ("PENDING", "CANCELLED", "FINISHED")

_NOT_RUN = "a dump does not run program code"


class DumpStateError(RuntimeError):
    """Raised by a look-alike's method that would have to act on the world."""


def _lookalike(cls, module, qualname, doc):
    """Give cls python's module and name, so type(x) reads as in the program."""
    cls.__module__ = module
    cls.__qualname__ = qualname
    cls.__name__ = qualname.rpartition(".")[2]
    cls.__doc__ = doc
    return cls


def _inert(what):
    def method(self, *args, **kwargs):
        raise DumpStateError(f"{what}: {_NOT_RUN}")
    return method


# ---------------------------------------------------------------------------
# functools.partial

class _PartialLookalike:
    """A partial whose function cannot be one here (not callable, bad keywords)."""

    def __init__(self, func, args, keywords):
        self.func, self.args, self.keywords = func, args, keywords

    def __repr__(self):
        parts = [repr(self.func)] + [repr(a) for a in self.args]
        parts += [f"{k}={v!r}" for k, v in self.keywords.items()]
        return "functools.partial(%s)" % ", ".join(parts)

    __call__ = _inert("calling a partial from a dump")


_lookalike(_PartialLookalike, "functools", "partial", _PartialLookalike.__doc__)


def make_partial(cls, func):
    """A real functools.partial of the rebuilt function when it is callable (its
    state comes in fill_partial); calling it calls that inert function."""
    if callable(func):
        return functools.partial(func)
    return _PartialLookalike(func, (), {})


def fill_partial(obj, func, args, keywords, attributes):
    """The dumped state, through functools.partial's own __setstate__ (stdlib C code)."""
    args = args if type(args) is tuple else ()
    keywords = keywords if type(keywords) is dict else {}
    attributes = attributes if type(attributes) is dict else None
    if isinstance(obj, _PartialLookalike):
        obj.args, obj.keywords = args, dict(keywords)
        if attributes:
            obj.__dict__.update(attributes)
        return
    try:
        obj.__setstate__((func, args, keywords, attributes))
    except (TypeError, ValueError):
        obj.__setstate__((func, args, None, attributes))


def fill_attributes(obj, attributes):
    """Set a dumped __dict__ (attributes the program gave the object)."""
    if type(attributes) is dict and hasattr(obj, "__dict__"):
        obj.__dict__.update(attributes)


# ---------------------------------------------------------------------------
# Locks: fresh real locks, acquired when the dumped one was held.

def make_lock(cls, locked, owner, count):
    """A new _thread.lock or _thread.RLock in the dumped state.

    A held RLock is held by the debugger's thread (its owner in the program
    was the thread the dump's "threads" command lists with that ident).
    """
    import _thread
    rlock = getattr(cls, "__qualname__", "") == "RLock"
    lock = _thread.RLock() if rlock else _thread.allocate_lock()
    if locked:
        for _ in range(max(1, min(count, 1 << 16)) if rlock else 1):
            lock.acquire()
    return lock


# ---------------------------------------------------------------------------
# re.Match

class _MatchLookalike:
    def __init__(self):
        self.re = self.string = None
        self.regs = ((-1, -1),)
        self.pos = self.endpos = 0
        self.lastindex = None

    def _index(self, group):
        if isinstance(group, int) and 0 <= group < len(self.regs):
            return group
        groupindex = getattr(self.re, "groupindex", {})
        if isinstance(group, str) and group in groupindex:
            return groupindex[group]
        raise IndexError("no such group")

    def group(self, *groups):
        values = tuple(self[g] for g in groups or (0,))
        return values[0] if len(values) == 1 else values

    def __getitem__(self, group):
        start, end = self.regs[self._index(group)]
        return None if start < 0 else self.string[start:end]

    def groups(self, default=None):
        return tuple(default if self.regs[i][0] < 0 else self[i]
                     for i in range(1, len(self.regs)))

    def groupdict(self, default=None):
        return {name: default if self.regs[i][0] < 0 else self[i]
                for name, i in getattr(self.re, "groupindex", {}).items()}

    def span(self, group=0):
        return self.regs[self._index(group)]

    def start(self, group=0):
        return self.span(group)[0]

    def end(self, group=0):
        return self.span(group)[1]

    @property
    def lastgroup(self):
        for name, i in getattr(self.re, "groupindex", {}).items():
            if i == self.lastindex:
                return name
        return None

    def __repr__(self):
        return "<re.Match object; span=%r, match=%r>" % (self.regs[0], self.group(0))

    expand = _inert("Match.expand")


_lookalike(_MatchLookalike, "re", "Match",
           "A match from the dump: string, span, groups (an inert look-alike of re.Match).")


def make_match(cls):
    return _MatchLookalike()


def fill_match(obj, pattern, string, regs, pos, endpos, lastindex):
    obj.re, obj.string = pattern, string
    if type(regs) is tuple and all(type(r) is tuple and len(r) == 2 for r in regs) and regs:
        obj.regs = regs
    obj.pos, obj.endpos = pos, endpos
    obj.lastindex = None if lastindex < 0 else lastindex


# ---------------------------------------------------------------------------
# Files: what they were (name, mode, position); never reopened.

class _FileLookalike:
    _abc = io.IOBase

    def __init__(self):
        self.name = self.mode = self.encoding = None
        self.closed = False
        self.closefd = True
        self.position = None
        self.inner = None

    def tell(self):
        """The position the file had (for a text file: its buffer's, in bytes)."""
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if self.position is None:
            raise DumpStateError("the dump does not say where this file was")
        return self.position

    def _mode_has(self, *letters):
        return isinstance(self.mode, str) and any(c in self.mode for c in letters)

    def readable(self):
        return self._mode_has("r", "+")

    def writable(self):
        return self._mode_has("w", "a", "x", "+")

    def seekable(self):
        return self.position is not None

    def isatty(self):
        return False

    for _name in ("read", "readline", "readlines", "write", "writelines", "seek", "flush",
                  "close", "truncate", "fileno", "readinto", "detach", "peek", "read1",
                  "reconfigure", "__iter__", "__next__", "__enter__", "__exit__"):
        locals()[_name] = _inert("a file of the dump is not open here")
    del _name


class _FileIO(_FileLookalike):
    _abc = io.RawIOBase

    def __repr__(self):
        if self.closed:
            return "<_io.FileIO [closed]>"
        where = ("name=%r" % (self.name,)) if self.name is not None else "fd=?"
        return "<_io.FileIO %s mode=%r closefd=%r>" % (where, self.mode, self.closefd)


class _Buffered(_FileLookalike):
    _abc = io.BufferedIOBase

    @property
    def raw(self):
        return self.inner

    def __repr__(self):
        if self.name is None:
            return "<_io.%s>" % type(self).__name__
        return "<_io.%s name=%r>" % (type(self).__name__, self.name)


class _TextIOWrapper(_FileLookalike):
    _abc = io.TextIOBase

    @property
    def buffer(self):
        return self.inner

    def __repr__(self):
        text = "<_io.TextIOWrapper"
        if self.name is not None:
            text += " name=%r" % (self.name,)
        if self.mode is not None:
            text += " mode=%r" % (self.mode,)
        return text + " encoding=%r>" % (self.encoding,)


_FILE_CLASSES = {}
for _cls, _name in ((_FileIO, "FileIO"), (type("_BR", (_Buffered,), {}), "BufferedReader"),
                    (type("_BW", (_Buffered,), {}), "BufferedWriter"),
                    (type("_BRW", (_Buffered,), {}), "BufferedRandom"),
                    (_TextIOWrapper, "TextIOWrapper")):
    _lookalike(_cls, "_io", _name, "A file of the dump (an inert look-alike of _io.%s): "
               "name, mode, closed and position as they were; it is not open here." % _name)
    _cls._abc.register(_cls)
    _FILE_CLASSES[_name] = _cls
del _cls, _name


def make_file(cls):
    return _FILE_CLASSES.get(getattr(cls, "__qualname__", None), _FileIO)()


def fill_file(obj, name, mode, encoding, flags, position, inner):
    obj.name, obj.mode, obj.encoding, obj.inner = name, mode, encoding, inner
    obj.closed = bool(flags & FILE_CLOSED)
    obj.closefd = bool(flags & FILE_CLOSEFD)
    obj.position = None if position < 0 else position


# ---------------------------------------------------------------------------
# asyncio futures and tasks

def _format_args(args, kwargs):
    """Like asyncio.format_helpers._format_args_and_kwargs."""
    import reprlib
    items = [reprlib.repr(arg) for arg in args or ()]
    items += [f"{k}={reprlib.repr(v)}" for k, v in (kwargs or {}).items()]
    return "({})".format(", ".join(items))


def _callback_source(cb):
    """(file, first line) of a function callback, as asyncio finds it; None for others."""
    import types
    if isinstance(cb, functools.partial):
        return _callback_source(cb.func)
    if isinstance(cb, types.FunctionType):
        return cb.__code__.co_filename, cb.__code__.co_firstlineno
    if type(cb).__name__ == "FunctionStub" and type(cb).__module__ == "pyhd_surrogates":
        code = getattr(cb, "code", None)
        if getattr(code, "filename", None) is not None:
            return code.filename, code.firstlineno
    return None


def _format_callback(cb, args=(), kwargs=None):
    """Like asyncio.format_helpers._format_callback_source: 'qualname() at file:line'."""
    if isinstance(cb, functools.partial):
        text = _format_callback(cb.func, cb.args, cb.keywords)
    else:
        name = (getattr(cb, "__qualname__", None) or getattr(cb, "qualname", None)
                or getattr(getattr(cb, "function", None), "qualname", None) or repr(cb))
        text = str(name) + _format_args(args, kwargs)
    source = _callback_source(cb)
    if source is not None:
        text += f" at {source[0]}:{source[1]}"
    return text


def _format_coroutine(coro):
    """Like asyncio.coroutines._format_coroutine, from a rebuilt coroutine."""
    name = (getattr(coro, "qualname", None) or getattr(coro, "name", None) or "?") + "()"
    code = getattr(coro, "code", None)
    filename = getattr(code, "filename", None) or "<empty co_filename>"
    frame = getattr(coro, "frame", None)
    if frame is not None:
        return f"{name} running at {filename}:{getattr(frame, 'lineno', 0)}"
    return f"{name} done, defined at {filename}:{getattr(code, 'firstlineno', 0)}"


class _FutureLookalike:
    _asyncio_future_blocking = False

    def __init__(self):
        self._state = "PENDING"
        self._result = self._exception = None
        self._callbacks = []

    def done(self):
        return self._state != "PENDING"

    def cancelled(self):
        return self._state == "CANCELLED"

    def result(self):
        import asyncio
        if self._state == "CANCELLED":
            raise asyncio.CancelledError()
        if self._state != "FINISHED":
            raise asyncio.InvalidStateError("Result is not ready.")
        if self._exception is not None:
            raise self._exception
        return self._result

    def exception(self):
        import asyncio
        if self._state == "CANCELLED":
            raise asyncio.CancelledError()
        if self._state != "FINISHED":
            raise asyncio.InvalidStateError("Exception is not set.")
        return self._exception

    for _name in ("cancel", "set_result", "set_exception", "add_done_callback",
                  "remove_done_callback", "get_loop", "__await__", "__iter__"):
        locals()[_name] = _inert("a future of the dump")
    del _name

    def _repr_info(self):
        info = [self._state.lower()]
        if self._state == "FINISHED":
            if self._exception is not None:
                info.append(f"exception={self._exception!r}")
            else:
                import reprlib
                info.append(f"result={reprlib.repr(self._result)}")
        if self._callbacks:
            cbs = [_format_callback(cb) for cb, _ in self._callbacks]
            if len(cbs) > 2:
                cbs = [cbs[0], f"<{len(cbs) - 2} more>", cbs[-1]]
            info.append("cb=[%s]" % ", ".join(cbs))
        return info

    def __repr__(self):
        return "<%s %s>" % (type(self).__name__, " ".join(self._repr_info()))


class _TaskLookalike(_FutureLookalike):
    def __init__(self):
        super().__init__()
        self._name = None
        self._coro = None
        self._fut_waiter = None

    def get_name(self):
        return self._name

    def get_coro(self):
        return self._coro

    def get_stack(self, *, limit=None):
        """The task's suspended frames, outermost first, as real frames."""
        import pyhd_tasks
        frames = pyhd_tasks.await_frames(self)
        return frames if limit is None else frames[:limit]

    set_name = _inert("a task of the dump")
    print_stack = _inert("a task of the dump")
    uncancel = cancelling = _inert("a task of the dump")

    def _repr_info(self):
        info = super()._repr_info()
        info.insert(1, "name=%r" % self._name)
        if self._coro is not None:
            info.insert(2, f"coro=<{_format_coroutine(self._coro)}>")
        if self._fut_waiter is not None:
            info.insert(3, f"wait_for={self._fut_waiter!r}")
        return info


_lookalike(_FutureLookalike, "_asyncio", "Future",
           "An asyncio Future of the dump (an inert look-alike): state, result or exception.")
_lookalike(_TaskLookalike, "_asyncio", "Task",
           "An asyncio Task of the dump (an inert look-alike): name, state, coroutine and "
           "the future it awaits; get_stack() gives its frames.")

_future_subclasses = {}


def _future_class(cls, task):
    """The look-alike for cls: Future, Task, or a subclass named like cls."""
    base = _TaskLookalike if task else _FutureLookalike
    name = getattr(cls, "__qualname__", None)
    module = getattr(cls, "__module__", None)
    if not isinstance(name, str) or (module == "_asyncio" and name in ("Future", "Task")):
        return base
    key = (base, module, name)
    sub = _future_subclasses.get(key)
    if sub is None:
        try:
            sub = type(name.rpartition(".")[2], (base,),
                       {"__module__": module, "__qualname__": name})
        except (TypeError, ValueError):  # a name type() refuses (a NUL in it)
            sub = base
        _future_subclasses[key] = sub
    return sub


def make_future(cls, flags):
    return _future_class(cls, flags & FUTURE_TASK)()


def fill_future(obj, attributes, state, result, exception, callbacks, name, coro, waiter):
    """The dumped state; () stands for an absent field."""
    absent = ()
    fill_attributes(obj, attributes)
    obj._state = _FUTURE_STATES[state] if 0 <= state < 3 else "PENDING"
    obj._result = None if result is absent else result
    obj._exception = None if exception is absent else exception
    obj._callbacks = [(cb, None) for cb in callbacks] if type(callbacks) is list else []
    if isinstance(obj, _TaskLookalike):
        obj._name = None if name is absent else name
        obj._coro = None if coro is absent else coro
        obj._fut_waiter = None if waiter is absent else waiter


def is_future(obj):
    return isinstance(obj, _FutureLookalike)


def is_task(obj):
    return isinstance(obj, _TaskLookalike)


# ---------------------------------------------------------------------------
# numpy

def _numpy():
    try:
        import numpy
        return numpy
    except Exception:
        return None


class DtypeStub:
    """A numpy dtype of the dump, where numpy cannot be imported."""

    def __init__(self, typestr, itemsize, fields, subarray):
        self.str, self.itemsize = typestr, itemsize
        self.names = tuple(f[0] for f in fields) or None
        self.fields, self.subdtype = fields, subarray

    def __repr__(self):
        return "<numpy dtype %r (numpy is not importable here)>" % self.str


class NdarrayStub:
    """A numpy array of the dump that cannot be a numpy array here: dtype, shape and bytes."""

    def __init__(self, dtype, shape, strides, data, more, reason):
        self.dtype, self.shape, self.strides = dtype, shape, strides
        self.data, self.more, self.reason = data, more, reason
        self.ndim = len(shape)

    def __repr__(self):
        dtype = getattr(self.dtype, "str", self.dtype)
        return "<numpy array: dtype %r, shape %r (%s)>" % (str(dtype), self.shape, self.reason)


# A dtype string holds these characters only (type codes, byte order, sizes, units).
_TYPESTR_CHARS = set("<>|=!@0123456789?bBhHiIlLqQpPefdgFDGSUVOMmaczy[]smhDWYuoafpnsuTxX,")


def make_dtype(typestr, itemsize, aligned, fields, sub_base, sub_shape):
    numpy = _numpy()
    if numpy is None or not all(c in _TYPESTR_CHARS for c in typestr):
        return DtypeStub(typestr, itemsize, fields, (sub_base, sub_shape) if sub_base else None)
    try:
        if fields:
            spec = {"names": [f[0] for f in fields], "formats": [f[1] for f in fields],
                    "offsets": [f[2] for f in fields], "itemsize": itemsize}
            if any(f[3] is not None for f in fields):
                spec["titles"] = [f[3] for f in fields]
            return numpy.dtype(spec, align=aligned)
        if isinstance(sub_base, numpy.dtype) and type(sub_shape) is tuple:
            return numpy.dtype((sub_base, sub_shape))
        return numpy.dtype(typestr)
    except Exception:
        return DtypeStub(typestr, itemsize, fields, (sub_base, sub_shape) if sub_base else None)


# numpy's own subclasses of ndarray whose arrays come back as themselves: a view
# as that class runs numpy's __array_finalize__ (the code of the library that
# makes the array here), never a program's; fill_ndarray gives it its dumped
# attributes (a masked array's mask and fill value). (module, qualname) -> where
# numpy has it.
_NUMPY_SUBCLASSES = {
    ("numpy", "recarray"): ("numpy", "recarray"),
    ("numpy", "matrix"): ("numpy", "matrix"),
    ("numpy.ma.core", "MaskedArray"): ("numpy.ma", "MaskedArray"),
}


def _numpy_subclass(numpy, cls):
    """numpy's real class for the dumped class cls when it is one of _NUMPY_SUBCLASSES."""
    names = (getattr(cls, "__module__", None), getattr(cls, "__qualname__", None))
    where = _NUMPY_SUBCLASSES.get(names)
    if where is None:
        return None
    try:
        if where[0] == "numpy.ma":
            import numpy.ma  # numpy's own module (a fixed name, not the dump's)
        real = getattr(sys.modules.get(where[0]), where[1], None)
    except Exception:
        return None
    if isinstance(real, type) and issubclass(real, numpy.ndarray) and \
            (real.__module__, real.__qualname__) == names:
        return real
    return None


def _rebuilt_array_class(numpy, cls):
    """cls when it is the rebuilt copy of a Python subclass of numpy.ndarray (a
    program's class), whose base is the real ndarray: a view as it runs only
    ndarray's code (pyhd_surrogates leaves out the class's numpy hooks)."""
    import pyhd_surrogates
    if isinstance(cls, type) and pyhd_surrogates.is_surrogate(cls) and \
            issubclass(cls, numpy.ndarray):
        return cls
    return None


def make_ndarray(cls, dtype, shape, strides, base, offset, writeable, data, more):
    """A real numpy array: a view of its rebuilt base where it was one, else a copy.

    numpy's recarray, matrix and masked array come back as themselves; an
    instance of another subclass (a program's class) as an instance of the
    rebuilt copy of that class, whose methods, __array_finalize__ included, are
    inert: a subclass's code is not run here. fill_ndarray gives either its
    dumped attributes.

    data is the elements' bytes in C order, or for an object dtype their count
    (fill_ndarray brings the elements); more is how many the dump left out.
    """
    numpy = _numpy()
    if numpy is None or not isinstance(dtype, numpy.dtype):
        return NdarrayStub(dtype, shape, strides, data, more,
                           "numpy is not importable here" if numpy is None
                           else "its dtype could not be rebuilt")
    if more:
        return NdarrayStub(dtype, shape, strides, data, more,
                           "cut short: %d more elements or bytes" % more)
    array = None
    count = 1
    for n in shape:
        count *= n
    if dtype.hasobject:
        # data is the element count: made empty, then filled with the dumped references.
        if count != data:
            return NdarrayStub(dtype, shape, strides, None, more,
                               "%d elements for shape %r" % (data, shape))
        try:
            array = numpy.empty(shape, dtype=dtype)
        except Exception as error:  # numpy's refusals differ by version
            return NdarrayStub(dtype, shape, strides, None, more, str(error))
    elif isinstance(base, numpy.ndarray) and not base.dtype.hasobject:
        # A view: the same memory layout over the rebuilt base (numpy checks the bounds).
        # numpy checks that shape, strides and offset stay inside the base's memory.
        try:
            array = numpy.ndarray(shape, dtype, buffer=base, offset=offset, strides=strides)
        except Exception:
            try:
                raw = base.reshape(-1).view(numpy.uint8)
                array = numpy.ndarray(shape, dtype, buffer=raw, offset=offset, strides=strides)
            except Exception:
                array = None
    if array is None and not dtype.hasobject:
        try:
            array = numpy.frombuffer(data, dtype=dtype).reshape(shape).copy()
        except Exception as error:
            return NdarrayStub(dtype, shape, strides, data, more, str(error))
    try:
        array.flags.writeable = bool(writeable)
    except ValueError:
        pass
    subclass = _numpy_subclass(numpy, cls) or _rebuilt_array_class(numpy, cls)
    if subclass is not None and not dtype.hasobject:
        # (Not an object array: fill_ndarray fills a plain array's flat view.)
        try:
            array = array.view(subclass)
        except Exception:
            pass
    return array


def fill_ndarray(array, elements, attrs=None):
    """The elements of an object array (None for other dtypes): references to
    rebuilt objects; and the attributes of an instance of a subclass (None:
    none), as its dumped __dict__ holds them."""
    numpy = _numpy()
    if numpy is None or not isinstance(array, numpy.ndarray):
        return
    if isinstance(attrs, dict) and type(array) is not numpy.ndarray:
        # The class make_ndarray chose: a rebuilt copy, or numpy's own (a masked array).
        try:
            own = object.__getattribute__(array, "__dict__")
        except AttributeError:
            own = None
        if type(own) is dict:
            own.update(attrs)
    if elements is None:
        return
    writeable = array.flags.writeable
    array.flags.writeable = True
    flat = array.reshape(-1)
    for i, value in enumerate(elements[:flat.size]):
        flat[i] = value
    array.flags.writeable = writeable
