"""Real frames from dumped records: the source cache and synthetic frames.

The dump's frame and traceback records become real frame and traceback
objects, so that stock pdb, traceback and inspect work on them unchanged:

  * every dumped frame becomes a code object compiled from a template of our
    own whose positions are set on the AST from the dumped numbers only, then
    named with code.replace (dumped names are never parsed as Python);
  * the synthetic functions run with the rebuilt module dicts as globals and
    the rebuilt locals, each calling the next through a temporary builtins
    entry, in a fresh thread so that the outermost frame has no f_back;
  * the innermost one raises a private carrier exception; its traceback, one
    entry per dumped frame, becomes the rebuilt exception's __traceback__.

Nothing from the dump is executed, evaluated or imported here.
"""

import _thread
import ast
import builtins
import codecs
import functools
import io
import itertools
import linecache
import os
import stat
import sys
import tokenize
import types

import pyhd_limits

# co_flags bits (as in inspect).
_CO_OPTIMIZED = 0x0001
_CO_VARARGS = 0x0004
_CO_VARKEYWORDS = 0x0008

# Stacks deeper than this get a thread with a larger C stack: before 3.11
# every Python-to-Python call also recurses in C.
_DEEP_STACK = 500

# The most stacks a StackBuilder builds for one frame (a generator's suspended
# frame, a frame a local held that no stack has): each is a thread's run.
_MAX_ALONE = 64
_ALONE_FRAMES = 5000  # and the frames of them all, as a crafted dump could ask for more


class RebuildError(Exception):
    """A stack could not be rebuilt as real frames; str is one line."""


# ---------------------------------------------------------------------------
# Sources


def _source_lines(data):
    """The lines linecache would hold for a file with these bytes, or None.

    Decoded as tokenize.open does (coding cookie or BOM, universal newlines),
    so line numbers agree with the ones the original process printed; None
    when the bytes do not decode, as linecache then has no lines either.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = io.TextIOWrapper(io.BytesIO(data), encoding, line_buffering=True)
        return text.readlines()
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def _local_file_differs(path, data):
    """Whether a regular file at path exists here with other contents.

    Only regular files are read, and no more than the dumped size: a dump
    naming /dev/zero or a FIFO must not hang the debugger.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return False
        if info.st_size != len(data):
            return True
        with open(path, "rb") as local:
            return local.read(len(data) + 1) != data
    except OSError:
        return False


def register_sources(sources):
    """Put the dumped sources in linecache; return notes for the header.

    Entries get mtime None, which linecache.checkcache leaves alone, so the
    dumped text is shown even where no such file exists, and it wins over a
    different local file of the same name (a note says so).
    """
    notes = []
    for path, data in sorted(sources.items()):
        if not isinstance(path, str) or not isinstance(data, (bytes, bytearray)):
            continue
        lines = _source_lines(bytes(data))
        if lines is None:
            notes.append(f"note: {path}: the dumped source does not decode; "
                         "no source shown")
            lines = []
        linecache.cache[path] = (len(data), None, lines, path)
        if _local_file_differs(path, data):
            notes.append(f"note: {path} differs from the file on this machine; "
                         "showing the dumped source")
    return notes


def _guard_special_file(path):
    """Keep linecache from reading a device or FIFO that a frame names.

    A file the dump has no source for is read from this machine, as python
    would; but a dumped frame could name /dev/zero, which never ends, so
    such paths get an empty linecache entry.
    """
    if path in linecache.cache:
        return
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return
    except ValueError:
        # A NUL or a lone surrogate: no file has that name, and linecache's
        # own os.stat would raise this out of traceback printing.
        special = True
    if special:
        linecache.cache[path] = (0, None, [], path)


# ---------------------------------------------------------------------------
# Synthetic code objects


def _int_or_none(value):
    """value when it is a real int (not bool), else None."""
    return value if type(value) is int else None


def _positions(rec, firstlineno):
    """(line, end line, col, end col) of a record, made valid for compile.

    Unknown columns become -1, which compile keeps as "no column" (a 3.10
    dump has none, so 3.11+ then prints no carets, as 3.10 did).
    """
    line = _int_or_none(getattr(rec, "lineno", None))
    if line is None or line < 1:
        line = max(firstlineno, 1)
    end_line = _int_or_none(getattr(rec, "end_lineno", None))
    if end_line is None or end_line < line:
        end_line = line
    col = _int_or_none(getattr(rec, "col", None))
    end_col = _int_or_none(getattr(rec, "end_col", None))
    if (col is None or end_col is None or col < 0 or end_col < 0
            or (end_line == line and end_col < col)):
        col = end_col = -1
    return line, end_line, col, end_col


class _CodeShape:
    """What a dumped code record says about the frame to synthesize."""

    def __init__(self, code_rec, frame_locals, frame_globals):
        # Exact str only: a code object takes no str subclass (a damaged
        # dump may put a rebuilt one there).
        def text(name, default):
            value = getattr(code_rec, name, None)
            return value if type(value) is str else default

        def count(name):
            value = _int_or_none(getattr(code_rec, name, None))
            return value if value is not None and value >= 0 else 0

        def names(name):
            value = getattr(code_rec, name, None)
            if not isinstance(value, tuple):
                return ()
            return tuple(n for n in value if type(n) is str)

        self.filename = text("filename", "<unknown>")
        self.name = text("name", "<unknown>")
        self.qualname = text("qualname", self.name)
        first = _int_or_none(getattr(code_rec, "firstlineno", None))
        self.firstlineno = first if first is not None and first >= 1 else 1
        flags = count("flags")
        self.optimized = bool(flags & _CO_OPTIMIZED)
        varnames = names("varnames")
        # A malformed record cannot make the template wrong: parameters the
        # names do not cover are dropped.
        nparams = count("argcount") + count("kwonlyargcount")
        nparams += bool(flags & _CO_VARARGS) + bool(flags & _CO_VARKEYWORDS)
        if nparams > len(varnames):
            flags &= ~(_CO_VARARGS | _CO_VARKEYWORDS)
            self.argcount = self.posonly = self.kwonly = 0
        else:
            self.argcount = count("argcount")
            self.posonly = min(count("posonlyargcount"), self.argcount)
            self.kwonly = count("kwonlyargcount")
        self.varargs = bool(flags & _CO_VARARGS)
        self.varkw = bool(flags & _CO_VARKEYWORDS)
        if isinstance(frame_locals, dict) and frame_locals is not frame_globals:
            local_names = [n for n in frame_locals if type(n) is str]
        else:
            local_names = []
        if self.optimized:
            # Cell and free variables are in the locals but not in
            # co_varnames; they become plain locals after the others, the
            # order f_locals had.
            seen = set(varnames)
            self.varnames = varnames + tuple(n for n in local_names
                                             if n not in seen)
            values = frame_locals if isinstance(frame_locals, dict) else {}
            self.bound = tuple(n in values for n in self.varnames)
        else:
            self.varnames = ()
            self.bound = ()


def _set_positions(tree, firstlineno, pos):
    """Place the def at firstlineno and every other node at pos."""
    line, end_line, col, end_col = pos
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            node.lineno, node.col_offset = firstlineno, 0
            node.end_lineno = max(firstlineno, end_line)
            node.end_col_offset = max(end_col, 0)
        elif "lineno" in node._attributes:
            node.lineno, node.end_lineno = line, end_line
            node.col_offset, node.end_col_offset = col, end_col


def _function_template(shape, pos):
    """Compile the template for an optimized frame (names are placeholders).

    The locals are p0, p1, ... in the final co_varnames order; "T" is the
    tuple of their values, "N" the next callable (renamed per frame).
    """
    def p(i):
        return f"p{i}"

    params = [p(i) for i in range(shape.posonly)]
    if shape.posonly:
        params.append("/")
    params += [p(i) for i in range(shape.posonly, shape.argcount)]
    star = shape.argcount + shape.kwonly
    if shape.varargs:
        params.append("*" + p(star))
    elif shape.kwonly:
        params.append("*")
    params += [p(i) for i in range(shape.argcount, star)]
    if shape.varkw:
        params.append("**" + p(star + shape.varargs))
    body = []
    nlocals = len(shape.varnames)
    if nlocals:
        body.append(", ".join(p(i) for i in range(nlocals)) + ", = T")
    unbound = [p(i) for i in range(nlocals) if not shape.bound[i]]
    if unbound:
        body.append("del " + ", ".join(unbound))
    body.append("return N()")
    source = f"def f({', '.join(params)}):\n" + "".join(f"    {s}\n" for s in body)
    tree = ast.parse(source)
    _set_positions(tree, shape.firstlineno, pos)
    module = compile(tree, "<pyhd template>", "exec", dont_inherit=True)
    for const in module.co_consts:
        if isinstance(const, types.CodeType):
            return const
    raise RebuildError("the frame template did not compile to a function")


def _module_template(shape, pos):
    """Compile the template for a module or class body frame: "N()".

    compile gives module code first line 1; other first lines are reached by
    shifting the node lines and then co_firstlineno, as the line table is
    relative to it.
    """
    shift = shape.firstlineno - 1
    line, end_line, col, end_col = pos
    tree = ast.parse("N()\n")
    _set_positions(tree, 1, (max(line - shift, 1), max(end_line - shift, 1),
                             col, end_col))
    code = compile(tree, "<pyhd template>", "exec", dont_inherit=True)
    if shift:
        code = code.replace(co_firstlineno=shape.firstlineno)
    return code


class _TemporaryNames:
    """Entries added to builtins dicts while a stack runs, removed after."""

    def __init__(self):
        self._added = []
        self._serial = 0

    def add(self, namespace, value):
        # Not an identifier, so no program global can shadow it.
        self._serial += 1
        name = f"<pyhd {id(self)} {self._serial}>"
        namespace[name] = value
        self._added.append((namespace, name))
        return name

    def track(self, namespace, name):
        """Remove namespace[name] afterwards too, if something puts it there."""
        self._added.append((namespace, name))

    def remove_all(self):
        for namespace, name in self._added:
            namespace.pop(name, None)
        self._added.clear()


def _builtins_dict(frame_globals):
    """The builtins dict that functions with these globals look names up in."""
    value = frame_globals.get("__builtins__")
    if isinstance(value, types.ModuleType):
        return value.__dict__
    if isinstance(value, dict):
        return value
    return builtins.__dict__


class StackBuilder:
    """Builds real tracebacks from dumped frames; caches compiled templates."""

    def __init__(self):
        self._templates = {}
        self.notes = []  # what pyhd_limits left out, for the header
        # id(record) -> (the FrameRecord or TracebackRecord, the real frame or
        # traceback built for it first): a local the program held that is one
        # of those records becomes the real object (_bind_held).
        self._real = {}
        self._alone = 0  # stacks built by real_frame()
        self._alone_frames = _ALONE_FRAMES  # frames they may still have
        # (FrameRecord, real frame) whose locals hold a traceback not built yet
        # (an exception's that rebuild_exceptions reaches later).
        self._waiting = []

    def _template(self, shape, pos):
        if shape.optimized:
            key = ("function", shape.posonly, shape.argcount, shape.kwonly,
                   shape.varargs, shape.varkw, shape.bound, shape.firstlineno, pos)
        else:
            key = ("module", shape.firstlineno, pos)
        code = self._templates.get(key)
        if code is None:
            build = _function_template if shape.optimized else _module_template
            code = self._templates[key] = build(shape, pos)
        return code

    def _frame_callable(self, frame_rec, pos_rec, next_callable, temporary):
        """The callable that runs one synthetic frame, which calls next_callable."""
        frame_globals = getattr(frame_rec, "globals", None)
        if not isinstance(frame_globals, dict):
            frame_globals = {"__builtins__": builtins}
        frame_locals = getattr(frame_rec, "locals", None)
        shape = _CodeShape(getattr(frame_rec, "code", None), frame_locals,
                           frame_globals)
        _guard_special_file(shape.filename)
        pos = _positions(pos_rec, shape.firstlineno)
        template = self._template(shape, pos)
        names = _builtins_dict(frame_globals)
        renames = {"N": temporary.add(names, next_callable)}
        changes = {"co_name": shape.name, "co_filename": shape.filename}
        if sys.version_info >= (3, 11):
            changes["co_qualname"] = shape.qualname
        if shape.optimized:
            values = tuple(dict.get(frame_locals, n) if bound else None
                           for n, bound in zip(shape.varnames, shape.bound))
            renames["T"] = temporary.add(names, values)
            changes["co_varnames"] = shape.varnames
        changes["co_names"] = tuple(renames.get(n, n) for n in template.co_names)
        code = template.replace(**changes)
        if shape.optimized:
            function = types.FunctionType(code, frame_globals, shape.name,
                                          (None,) * shape.argcount)
            kwonly = shape.varnames[shape.argcount:shape.argcount + shape.kwonly]
            function.__kwdefaults__ = dict.fromkeys(kwonly) or None
            return function
        if frame_locals is None or frame_locals is frame_globals:
            # Module code run as a function: its locals are its globals.
            return types.FunctionType(code, frame_globals, shape.name)
        if "__builtins__" not in frame_globals:
            # exec would leave one there; the globals must gain no names.
            temporary.track(frame_globals, "__builtins__")
        return functools.partial(exec, code, frame_globals, frame_locals)

    def build(self, entries):
        """A real traceback for entries [(FrameRecord, positions record)].

        entries run outermost first; the positions record (a TracebackRecord,
        or the FrameRecord itself for a thread's stack) gives each frame's
        current line and columns. Returns the traceback or raises
        RebuildError.
        """
        if not entries:
            raise RebuildError("no frames to rebuild")
        entries, note = pyhd_limits.bounded_stack(entries)
        if note:
            self.notes.append("note: a stack of " + note)
        carrier = _Carrier()
        temporary = _TemporaryNames()
        outcome = {}
        done = _thread.allocate_lock()
        done.acquire()
        old_hook = sys.unraisablehook
        old_limit = sys.getrecursionlimit()
        old_stack = None

        caller = _thread.get_ident()

        def hook(unraisable):
            # While the stack runs, the only other thread is the one started
            # below: whatever escapes there ends it, so the wait ends too.
            if _thread.get_ident() == caller:
                old_hook(unraisable)
                return
            outcome["exc"] = unraisable.exc_value
            outcome["tb"] = unraisable.exc_traceback
            done.release()

        try:
            callable_ = functools.partial(codecs.strict_errors, carrier)
            for frame_rec, pos_rec in reversed(entries):
                callable_ = self._frame_callable(frame_rec, pos_rec, callable_,
                                                 temporary)
            depth = len(entries)
            if depth > _DEEP_STACK:
                old_stack = _thread.stack_size()
                _thread.stack_size(max(old_stack, (16 << 20) + depth * 4096))
            sys.setrecursionlimit(max(old_limit, depth + 100))
            sys.unraisablehook = hook
            # The first synthetic frame is the thread's first frame, so no
            # frame of pyhd is below it.
            _thread.start_new_thread(callable_, ())
            done.acquire()
        except (SyntaxError, ValueError, TypeError, RuntimeError) as error:
            raise RebuildError(f"cannot rebuild frames: {error}") from None
        finally:
            sys.unraisablehook = old_hook
            sys.setrecursionlimit(old_limit)
            if old_stack is not None:
                _thread.stack_size(old_stack)
            temporary.remove_all()
        if outcome.get("exc") is not carrier:
            error = outcome.get("exc")
            raise RebuildError(f"the rebuilt stack raised {type(error).__name__}: {error}")
        tb = outcome.get("tb")
        count = 0
        walk = tb
        while walk is not None:
            count += 1
            walk = walk.tb_next
        if count != len(entries):
            raise RebuildError(f"rebuilt {count} frames of {len(entries)}")
        built = []
        walk = tb
        for frame_rec, pos_rec in entries:
            if pos_rec is not frame_rec:
                self._real.setdefault(id(pos_rec), (pos_rec, walk))
            self._real.setdefault(id(frame_rec), (frame_rec, walk.tb_frame))
            built.append((frame_rec, walk.tb_frame))
            walk = walk.tb_next
        self._bind_held(built)
        return tb

    def real_frame(self, frame_rec, held=True):
        """The real frame of frame_rec: the one built in a stack already, else
        a new one; None when it cannot be built. For a frame a program held
        (held), the new one has the frames below it (a finished call's frame
        keeps its f_back), within _MAX_ALONE and _ALONE_FRAMES; a generator's
        or coroutine's frame (not held) is built alone, as pyhd_tasks asks
        for each it shows."""
        pair = self._real.get(id(frame_rec))
        if pair is not None and pair[0] is frame_rec:
            return pair[1]
        entries = [(frame_rec, frame_rec)]
        if held:
            if self._alone >= _MAX_ALONE or self._alone_frames <= 0:
                return None
            entries = stack_entries(frame_rec)
            if len(entries) > self._alone_frames:
                entries = entries[-1:]  # the frame alone, without those below it
            self._alone += 1
            self._alone_frames -= len(entries)
        try:
            tb = self.build(entries)
        except RebuildError:
            return None
        while tb.tb_next is not None:
            tb = tb.tb_next
        return tb.tb_frame

    def _bind_held(self, built):
        """The frames just built [(FrameRecord, real frame)] whose locals held
        a frame or traceback (here = sys._getframe(), tb = e.__traceback__,
        sys.exc_info(), self.tb = ...) get the real one of that record: a
        frame a stack built has, else one built with the frames below it
        (real_frame); a traceback once its exception's is built."""
        surrogates = sys.modules.get("pyhd_surrogates")
        if surrogates is None:  # no _pyhd.load() in this process: no records of its kinds
            return
        frames, self._waiting = built + self._waiting, []
        walk = _HeldWalk(self, surrogates)  # one budget for all the frames
        for frame_rec, frame in frames:
            # What the real frame holds: a function's fast locals (a snapshot
            # before 3.13), or the dict a module or class body ran in. The
            # record's own dict is left as dumped: the frames of several
            # stacks may be built from one record.
            optimized = frame.f_code.co_flags & _CO_OPTIMIZED
            held = frame.f_locals
            walk.waits = False
            for name, value in list(held.items()):
                real = walk.real(value)
                if real is None:
                    continue
                if optimized and type(name) is str:
                    import _pyhd  # records come from _pyhd.load(): it is there
                    _pyhd.set_frame_local(frame, name, real)
                elif not optimized:
                    held[name] = real
            if walk.waits:
                self._waiting.append((frame_rec, frame))


# How far _HeldWalk looks from the locals of the frames of one build:
# containers deep (a list in an instance's __dict__ holding sys.exc_info()),
# and items in all (a crafted dump's 10,000 frames of big locals stay fast).
_HELD_DEPTH = 4
_HELD_ITEMS = 50000
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE


class _HeldWalk:
    """The locals of the frames of one build, walked for the frame, traceback
    and code records they hold: in dicts, lists and tuples, and in the
    __dict__ of instances of the program's rebuilt classes and of the standard
    library's real ones (never in pyhd's own objects, whose records are what
    they are built from)."""

    def __init__(self, builder, surrogates):
        self.builder = builder
        self.surrogates = surrogates
        self.kinds = (surrogates.FrameRecord, surrogates.TracebackRecord)
        self.seen = set()
        self.tuples = {}  # id -> (tuple, its replacement or None)
        self.items = _HELD_ITEMS
        self.waits = False  # a traceback record whose exception's is not built yet

    def real(self, value, depth=0):
        """What replaces value: the real frame or traceback of a record, a
        new tuple for a tuple that holds one; else None. Records held in
        dicts, lists and instances' __dict__ are replaced where they are."""
        kind = type(value)
        if kind is self.kinds[0]:
            return self.builder.real_frame(value)
        if kind is self.surrogates.CodeRecord:
            return self.surrogates.real_code(value)
        if kind is self.kinds[1]:
            pair = self.builder._real.get(id(value))
            if pair is not None and pair[0] is value:
                return pair[1]
            self.waits = True
            return None
        if id(value) in self.tuples:
            return self.tuples[id(value)][1]  # a tuple held twice gets one new tuple
        if depth >= _HELD_DEPTH or self.items <= 0 or id(value) in self.seen:
            return None
        if kind is list:
            self.seen.add(id(value))
            items = value[:self.items]
            self.items -= len(items)
            for i, item in enumerate(items):
                new = self.real(item, depth + 1)
                if new is not None and i < len(value) and value[i] is item:
                    value[i] = new
            return None
        if kind is tuple or (tuple in kind.__mro__ and self._readable(kind)):
            # A named tuple (inspect.FrameInfo, the program's) is made again
            # as tuple.__new__ makes it, with its __dict__: no code of its class.
            self.seen.add(id(value))
            items = tuple.__getitem__(value, slice(0, self.items))
            self.items -= len(items)
            new = [self.real(item, depth + 1) for item in items]
            result = None
            if any(item is not None for item in new):
                result = tuple(n if n is not None else old for n, old in zip(new, items)) + \
                    tuple.__getitem__(value, slice(len(items), None))
                if kind is not tuple:
                    result = self._retyped(value, result)
            self.tuples[id(value)] = (value, result)  # value kept: its id stays its own
            return result
        if kind is dict:
            self.seen.add(id(value))
            for key, item in list(itertools.islice(value.items(), self.items)):
                self.items -= 1
                new = self.real(item, depth + 1)
                if new is not None and type(key) in (str, int):
                    value[key] = new  # hashing the key runs nothing of the program
            return None
        if self._readable(kind):
            attrs = self._attrs(value)
            if attrs is not None:
                self.seen.add(id(value))
                self.real(attrs, depth + 1)
        return None

    def _readable(self, kind):
        """Whether the instances of kind are read: the program's rebuilt
        classes, and the trust table's real ones (not --trust's: reading a
        program class's __dict__ could run a property of it)."""
        if not kind.__flags__ & _HEAPTYPE:
            return False
        if self.surrogates.is_surrogate(kind):
            return True
        return type(kind).__hash__ is type.__hash__ and \
            self.surrogates._how.get(kind) not in (None, "trusted")

    @staticmethod
    def _attrs(value):
        try:
            attrs = object.__getattribute__(value, "__dict__")
        except Exception:  # an object without __dict__
            return None
        return attrs if type(attrs) is dict else None

    def _retyped(self, value, items):
        """A tuple of value's class holding items, with value's attributes;
        None when its class cannot be made so."""
        try:
            result = tuple.__new__(type(value), items)
        except TypeError:
            return None
        attrs = self._attrs(value)
        if attrs:
            new_attrs = self._attrs(result)
            if new_attrs is None:
                return None
            new_attrs.update(attrs)
        return result


class _Carrier(BaseException):
    """Raised at the innermost synthetic frame; only its traceback is kept."""


def traceback_entries(tb_rec):
    """[(FrameRecord, TracebackRecord)] of a TracebackRecord chain."""
    entries = []
    seen = set()
    while tb_rec is not None and id(tb_rec) not in seen:
        seen.add(id(tb_rec))
        entries.append((getattr(tb_rec, "frame", None), tb_rec))
        tb_rec = getattr(tb_rec, "next", None)
    return entries


def stack_entries(frame_rec):
    """[(FrameRecord, FrameRecord)] from the outermost frame to frame_rec."""
    entries = []
    seen = set()
    while frame_rec is not None and id(frame_rec) not in seen:
        seen.add(id(frame_rec))
        entries.append((frame_rec, frame_rec))
        frame_rec = getattr(frame_rec, "back", None)
    entries.reverse()
    return entries


def rebuild_exceptions(exceptions, builder=None):
    """Give each dumped exception its real traceback; return warning lines.

    exceptions is load()'s list of (exception, TracebackRecord or None).
    """
    builder = builder or StackBuilder()
    warnings = []
    budget = pyhd_limits.TracebackBudget()
    for exc, tb_rec in exceptions:
        if tb_rec is None or not isinstance(exc, BaseException):
            continue
        entries = traceback_entries(tb_rec)
        if not budget.allows(len(entries)):
            continue
        try:
            exc.__traceback__ = builder.build(entries)
        except RebuildError as error:
            warnings.append(f"warning: {type(exc).__name__}: {error}")
    warnings += builder.notes
    del builder.notes[:]
    if budget.note():
        warnings.append(budget.note())
    return warnings
