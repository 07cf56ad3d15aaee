"""pyhd debugger: rebuilds a dump's stacks as real frames and opens pdb on them.

pyhd-debug loads this module into an isolated interpreter and calls
main(sys.argv[1:]). The dump itself is read by the builtin module _pyhd
(src/rebuild.c); this module turns the frame and traceback records it returns
into real frame and traceback objects, so that stock pdb, traceback and
inspect work on them unchanged:

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
import argparse
import ast
import bdb
import builtins
import codecs
import collections
import datetime
import functools
import importlib
import inspect
import io
import json
import linecache
import os
import pdb
import reprlib
import shlex
import stat
import sys
import tokenize
import traceback
import types

import pyhd_limits

PROG = "pyhd-debug"

# co_flags bits (as in inspect).
_CO_OPTIMIZED = 0x0001
_CO_VARARGS = 0x0004
_CO_VARKEYWORDS = 0x0008

# Thread record flags (include/pyhd/format.h, PYHD_THREAD_*).
THREAD_DAEMON = 0x01
THREAD_FAILED = 0x02
THREAD_MAIN = 0x04
THREAD_CURRENT = 0x08

# Stacks deeper than this get a thread with a larger C stack: before 3.11
# every Python-to-Python call also recurses in C.
_DEEP_STACK = 500


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
        def text(name, default):
            value = getattr(code_rec, name, None)
            return value if isinstance(value, str) else default

        def count(name):
            value = _int_or_none(getattr(code_rec, name, None))
            return value if value is not None and value >= 0 else 0

        def names(name):
            value = getattr(code_rec, name, None)
            if not isinstance(value, tuple):
                return ()
            return tuple(n for n in value if isinstance(n, str))

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
            local_names = [n for n in frame_locals if isinstance(n, str)]
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
        return tb


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


# ---------------------------------------------------------------------------
# The dump as the debugger sees it


def exception_chain(exc):
    """The exceptions pdb 3.13 lists for post_mortem(exc): oldest first."""
    chain = []
    seen = set()  # ids: a dumped chain may be long, and its exceptions compare as they like
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        if exc.__cause__ is not None:
            exc = exc.__cause__
        elif exc.__context__ is not None and not exc.__suppress_context__:
            exc = exc.__context__
        else:
            exc = None
    chain.reverse()
    return chain


def exception_list(trigger):
    """The chain of trigger, then the members of every group in it (with
    their own chains), each exception once."""
    ordered = []
    seen = set()
    pending = collections.deque([trigger])
    while pending:
        for exc in exception_chain(pending.popleft()):
            if id(exc) in seen:
                continue
            seen.add(id(exc))
            ordered.append(exc)
            pending.extend(group_members(exc))
    return ordered


def group_members(exc):
    """The members of an exception group, or [].

    Before 3.11 a group from a newer Python's dump is rebuilt as a stand-in
    of that name whose args are (message, members).
    """
    group = getattr(builtins, "BaseExceptionGroup", None)
    if group is not None:
        members = exc.exceptions if isinstance(exc, group) else ()
    elif (any(c.__name__ in ("BaseExceptionGroup", "ExceptionGroup")
              for c in type(exc).__mro__)
          and len(exc.args) == 2 and isinstance(exc.args[1], (list, tuple))):
        members = exc.args[1]
    else:
        members = ()
    return [m for m in members if isinstance(m, BaseException)]


class Dump:
    """A loaded dump with its stacks rebuilt as real frames.

    frames=False skips the rebuilding, for reports that print stored text.
    """

    def __init__(self, data, frames=True):
        self.data = data
        self.path = data.get("path", "")
        self.manifest = [(k, v) for k, v in data.get("manifest", [])]
        self.roots = data.get("roots") or {}
        # The main thread first, as threading.enumerate() lists it; the
        # others in the dump's order.
        self.threads = sorted(data.get("threads") or [],
                              key=lambda t: not t.get("flags", 0) & THREAD_MAIN)
        self.builder = StackBuilder()
        self.notes = []
        if frames:
            self.notes += register_sources(data.get("sources") or {})
            self.notes += rebuild_exceptions(data.get("exceptions") or [], self.builder)
        trigger = self.roots.get("exception")
        self.exception = trigger if isinstance(trigger, BaseException) else None
        if self.exception is not None:
            self.notes += filter(None, [pyhd_limits.bounded_chain(self.exception)])
        self.exceptions = exception_list(self.exception) if self.exception else []
        # The chain runs oldest first, so the trigger ends it; group members
        # follow.
        self.trigger_index = next((i for i, e in enumerate(self.exceptions)
                                   if e is self.exception), None)
        self._thread_stacks = {}

    def field(self, key, default=""):
        """The first MANIFEST value of key."""
        for k, v in self.manifest:
            if k == key:
                return v
        return default

    def thread_traceback(self, index):
        """The real traceback of thread index's stack, or None.

        The failed thread's stack is its exception's traceback.
        """
        thread = self.threads[index]
        frame_rec = thread.get("frame")
        if frame_rec is None:
            if thread.get("flags", 0) & THREAD_FAILED and self.exception:
                return self.exception.__traceback__
            return None
        if index not in self._thread_stacks:
            if len(self._thread_stacks) >= pyhd_limits.MAX_THREAD_STACKS:
                raise RebuildError(f"pyhd-debug rebuilds at most "
                                   f"{pyhd_limits.MAX_THREAD_STACKS} threads' stacks")
            self._thread_stacks[index] = self.builder.build(stack_entries(frame_rec))
        return self._thread_stacks[index]

    def failed_thread(self):
        """The index of the thread whose exception caused the dump, or None."""
        for i, thread in enumerate(self.threads):
            if thread.get("flags", 0) & THREAD_FAILED:
                return i
        return None

    def start_traceback(self):
        """Where pdb starts: the exception's traceback, else a thread's stack."""
        if self.exception is not None and self.exception.__traceback__ is not None:
            return self.exception.__traceback__
        order = sorted(range(len(self.threads)),
                       key=lambda i: not self.threads[i].get("flags", 0)
                       & (THREAD_FAILED | THREAD_CURRENT | THREAD_MAIN))
        for i in order:
            try:
                tb = self.thread_traceback(i)
            except RebuildError:
                continue
            if tb is not None:
                return tb
        return None


def dumped_sourcelines(obj):
    """(lines, first line) of a function, method or generator from the dump.

    None for other objects. The dump rebuilds these as pyhd_surrogates stubs
    holding a CodeRecord; their source is in linecache, from the dump.
    """
    if type(obj).__module__ != "pyhd_surrogates":
        return None
    function = getattr(obj, "function", None)
    if type(function).__module__ == "pyhd_surrogates":
        obj = function
    code = getattr(obj, "code", None)
    filename = getattr(code, "filename", None)
    first = getattr(code, "firstlineno", None)
    if not isinstance(filename, str) or type(first) is not int:
        return None
    lines = linecache.getlines(filename)
    if not 1 <= first <= len(lines):
        raise OSError("source code not available")
    return inspect.getblock(lines[first - 1:]), first


def thread_flag_names(flags):
    """The names of a thread record's flags."""
    names = [("main", THREAD_MAIN), ("failed", THREAD_FAILED),
             ("current", THREAD_CURRENT), ("daemon", THREAD_DAEMON)]
    return [name for name, bit in names if flags & bit]


def thread_label(number, thread):
    """One line naming a dumped thread: number, name, ids and flags."""
    flags = thread_flag_names(thread.get("flags", 0))
    native = thread.get("native_id")
    text = f"Thread {number}: {thread.get('name', '?')} (ident {thread.get('ident', '?')}"
    if native:
        text += f", native id {native}"
    if flags:
        text += ", " + ", ".join(flags)
    return text + ")"


def _innermost_location(dump, thread):
    """"FILE:LINE in NAME" of a thread's innermost frame, or None."""
    frame_rec = thread.get("frame")
    if frame_rec is None and thread.get("flags", 0) & THREAD_FAILED and dump.exception:
        tb = dump.exception.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is None:
            return None
        code = tb.tb_frame.f_code
        return f"{code.co_filename}:{tb.tb_lineno} in {code.co_name}"
    if frame_rec is None:
        return None
    code = getattr(frame_rec, "code", None)
    return (f"{getattr(code, 'filename', '?')}:{getattr(frame_rec, 'lineno', '?')}"
            f" in {getattr(code, 'name', '?')}")


_repr = reprlib.Repr()
_repr.maxstring = 120
_repr.maxother = 120
_REPR_LIMIT = 240


def short_repr(value):
    """A bounded repr for locals listings; never raises."""
    try:
        text = _repr.repr(value)
    except Exception as error:
        text = f"<repr failed: {type(error).__name__}>"
    if len(text) > _REPR_LIMIT:
        text = text[:_REPR_LIMIT - 3] + "..."
    return text


def _fill_locals(te, exc, seen):
    """Give each FrameSummary of te (and its chain) its frame's locals."""
    if te is None or id(te) in seen or exc is None:
        return
    seen.add(id(te))
    for summary, (frame, _) in zip(te.stack, traceback.walk_tb(exc.__traceback__)):
        summary.locals = {str(k): short_repr(v) for k, v in frame.f_locals.items()}
    _fill_locals(te.__cause__, exc.__cause__, seen)
    _fill_locals(te.__context__, exc.__context__, seen)
    for member_te, member in zip(getattr(te, "exceptions", None) or (),
                                 getattr(exc, "exceptions", None) or ()):
        _fill_locals(member_te, member, seen)


def format_with_locals(exc):
    """traceback.format_exception(exc) with each frame's locals listed."""
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    _fill_locals(te, exc, set())
    return list(te.format())


def format_info(dump):
    """The MANIFEST as "Key: value" lines."""
    return "".join(f"{k}: {v}\n" for k, v in dump.manifest)


def format_threads(dump):
    """Every thread's label and stack; the failed thread's is its exception."""
    lines = []
    for i, thread in enumerate(dump.threads):
        if lines:
            lines.append("\n")
        lines.append(thread_label(i + 1, thread) + "\n")
        try:
            tb = dump.thread_traceback(i)
        except RebuildError as error:
            lines.append(f"  (stack not rebuilt: {error})\n")
            continue
        if tb is None:
            lines.append("  (no Python frames)\n")
        elif thread.get("frame") is None and dump.exception is not None:
            lines.extend(traceback.format_exception(dump.exception))
        else:
            lines.append("Stack (most recent call last):\n")
            lines.extend(traceback.format_tb(tb))
    return "".join(lines)


def format_header(dump):
    """The lines printed before the prompt: what crashed, where and when."""
    argv = dump.field("Argv")
    try:
        words = json.loads(argv) if argv else []
        program = shlex.join(str(w) for w in words)
    except ValueError:
        program = argv
    host = dump.field("Hostname", "?")
    pid, uid = dump.field("Pid"), dump.field("Uid")
    if pid:
        host += f", pid {pid}"
    if uid:
        host += f", uid {uid}"
    # Python-Version is sys.version: its first word is the version number.
    dumped = (dump.field("Python-Version").split() or [""])[0]
    python = " ".join(x for x in (dump.field("Python-Implementation"), dumped) if x)
    if dump.field("Platform"):
        python += f" on {dump.field('Platform')}"
    exc_line = dump.field("Exception-Type")
    if exc_line.startswith("builtins."):
        exc_line = exc_line[len("builtins."):]
    if dump.field("Exception-Message"):
        exc_line += ": " + dump.field("Exception-Message")
    rows = [("Dump", dump.path), ("Program", program),
            ("Cwd", dump.field("Cwd")), ("Created", dump.field("Created")),
            ("Host", host), ("Python", python), ("Trigger", dump.field("Trigger")),
            ("Exception", exc_line), ("Threads", dump.field("Threads"))]
    if dump.field("Privacy") not in ("", "default"):
        rows.append(("Privacy", dump.field("Privacy")))
    if dump.data.get("truncated"):
        rows.append(("Truncated", "yes: some objects were cut to keep the dump small"))
    lines = [f"{key + ':':<11}{value}\n" for key, value in rows if value]
    here = ".".join(str(x) for x in sys.version_info[:3])
    if dumped and dumped != here:
        lines.append(f"note: dumped by Python {dumped}, debugging with {here}\n")
    lines += [note + "\n" for note in dump.notes]
    return "".join(lines)


# ---------------------------------------------------------------------------
# pdb with the dump's commands


class DumpPdb(pdb.Pdb):
    """pdb plus commands to move between the dump's threads and exceptions."""

    def __init__(self, dump, **kwargs):
        super().__init__(**kwargs)
        self.dump = dump
        self.prompt = "(Pdb) "
        self._dump_exception = dump.trigger_index
        self._dump_thread = dump.failed_thread()

    def _show(self, tb):
        self.setup(None, tb)
        self.print_stack_entry(self.stack[self.curindex])

    def onecmd(self, line):
        """Run one command; an error inside it is reported and the session goes on.

        Stock pdb lets an exception escape some commands (``args`` on a local
        whose repr recurses past the limit, as a deep linked structure does),
        which would end the session, and the dump with it.
        """
        try:
            return super().onecmd(line)
        except (bdb.BdbQuit, KeyboardInterrupt, SystemExit):
            raise
        except Exception as error:
            self.error("".join(traceback.format_exception_only(type(error), error)).strip())
            return False

    def do_threads(self, arg):
        """threads

        List every thread in the dump: its number (for "thread N"), name,
        ident, native id, flags (main, failed: its exception caused the dump,
        current: it wrote the dump, daemon) and where it is. ">" marks the
        thread whose stack is shown.
        """
        for i, thread in enumerate(self.dump.threads):
            mark = ">" if i == self._dump_thread else " "
            self.message(f"{mark} {thread_label(i + 1, thread)}")
            where = _innermost_location(self.dump, thread)
            if where:
                self.message(f"      at {where}")

    def do_thread(self, arg):
        """thread [N]

        Show the stack of thread N (numbered as "threads" lists them), at
        its innermost frame. The failed thread's stack is its exception's
        traceback. Without N, name the thread shown.
        """
        if not arg.strip():
            if self._dump_thread is None:
                self.message("No thread selected.")
            else:
                self.message(thread_label(self._dump_thread + 1,
                                          self.dump.threads[self._dump_thread]))
            return
        try:
            index = int(arg) - 1
        except ValueError:
            self.error("Argument must be an integer")
            return
        if not 0 <= index < len(self.dump.threads):
            self.error("No thread with that number")
            return
        try:
            tb = self.dump.thread_traceback(index)
        except RebuildError as error:
            self.error(f"Thread {index + 1}: {error}")
            return
        if tb is None:
            self.error(f"Thread {index + 1} has no Python frames")
            return
        self._dump_thread = index
        if self.dump.threads[index].get("frame") is None:
            self._dump_exception = self.dump.trigger_index
        self._show(tb)

    def do_exceptions(self, arg):
        """exceptions [number]

        List or change current exception in an exception chain.

        Without arguments, list all the exceptions of the dump: the chain
        of the one that caused it (oldest first, as pdb does for
        post_mortem(exc)) and the members of exception groups. The current
        one is marked with ">"; "-" stands for an exception without a
        traceback.

        If given an integer as argument, switch to the exception at that
        index.
        """
        if not self.dump.exceptions:
            self.message("The dump has no exception.")
            return
        if not arg.strip():
            for i, exc in enumerate(self.dump.exceptions):
                mark = ">" if i == self._dump_exception else " "
                rep = short_repr(exc)
                if len(rep) > 80:
                    rep = rep[:77] + "..."
                number = "  -" if exc.__traceback__ is None else f"{i:>3}"
                self.message(f"{mark} {number} {rep}")
            return
        try:
            index = int(arg)
        except ValueError:
            self.error("Argument must be an integer")
            return
        if not 0 <= index < len(self.dump.exceptions):
            self.error("No exception with that number")
            return
        tb = self.dump.exceptions[index].__traceback__
        if tb is None:
            self.error("This exception does not have a traceback, cannot jump to it")
            return
        self._dump_exception = index
        self._dump_thread = self.dump.failed_thread()
        self._show(tb)

    def do_exception(self, arg):
        """exception [number]

        Switch to the exception at that index (see "exceptions"); without
        an argument, print the current exception.
        """
        if arg.strip():
            self.do_exceptions(arg)
        elif self._dump_exception is None:
            self.message("The dump has no exception.")
        else:
            exc = self.dump.exceptions[self._dump_exception]
            self.message("".join(traceback.format_exception_only(type(exc), exc)).rstrip())

    def do_run(self, arg):
        """run [args ...]
        restart [args ...]

        Not available: a dump is not a running program, so it cannot be
        started again. Run the program itself under pyhd-run instead.
        """
        self.error("A dump cannot be restarted; run the program again "
                   "under pyhd-run")

    do_restart = do_run

    def do_source(self, arg):
        """source expression

        Try to get source code for the given object and display it.
        Functions, methods and generators rebuilt from the dump show their
        dumped source.
        """
        try:
            obj = self._getval(arg)
        except BaseException:
            # _getval has printed the error; pdb's source ignores any failure.
            return
        try:
            lines, lineno = dumped_sourcelines(obj) or inspect.getsourcelines(obj)
        except (OSError, TypeError) as error:
            self.error(error)
            return
        self._print_lines(lines, max(1, lineno))

    def do_dumpinfo(self, arg):
        """dumpinfo

        Print the dump's MANIFEST: when, where and by what program and
        Python it was written, and why.
        """
        self.message(format_info(self.dump).rstrip("\n"))


# ---------------------------------------------------------------------------
# Command line

HELP = """\
usage: pyhd-debug [options] FILE

Open a pyhd dump in pdb at the frame that raised, with the real frames,
locals and sources of the crashed program. Nothing from the dump is run.

options:
  -c CMD, --command CMD  run pdb command CMD first (repeatable, as in pdb)
  --print                print the traceback exactly as the program printed it
  --locals               print the traceback with each frame's locals
  --threads              print every thread's stack
  --info                 print the MANIFEST (when, where, which program)
  --audit                list what the dump holds that may be sensitive:
                         values redacted (where, by which rule), secret-shaped
                         values kept; exit 1 if any was kept, else 0
  --debugger NAME        pdb (default), ipdb or pudb; PYHD_DEBUGGER sets the default
  --trust                also import non-standard modules named in the dump
  --list DIR             list the dumps in DIR (*.dump), newest first: time,
                         program, pid, trigger, exception, fingerprint, size
  --group                with --list: one line per fingerprint, with counts
  --json                 with --list: print JSON instead of columns
  -h, --help             show this help and exit
  --version              show pyhd's version and exit

With --print, --locals, --threads, --info or --audit the report is printed
and no debugger starts. Otherwise pdb reads commands from the terminal, or from
standard input when it is not one. Added pdb commands: threads, thread N,
exceptions, exception N, dumpinfo ("help CMD" explains each).

--list reads only each file's MANIFEST; a damaged file gets a line saying
so and the listing goes on. --print and --info check the object graph
without rebuilding it. Reading any dump is bounded (nesting, classes,
colliding keys, stack depth, chain length): a dump past a bound is refused
with one line, see "Limits" in pyhd-debug(1).

Exit status: 0 on success, 2 for a bad dump or bad usage; --audit: 1 when a
secret-shaped value was kept.
"""

DEBUGGERS = ("pdb", "ipdb", "pudb")


class UsageError(Exception):
    """Bad command line; str is the one-line message."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors to main() instead of exiting."""

    def error(self, message):
        raise UsageError(message)


def parse_args(argv):
    """The options of argv, checked; raises UsageError."""
    parser = _Parser(prog=PROG, add_help=False, allow_abbrev=False)
    parser.add_argument("file", nargs="?")
    parser.add_argument("-c", "--command", action="append", default=[])
    for flag in ("--print", "--locals", "--threads", "--info", "--trust",
                 "--version", "--group", "--json", "--audit"):
        parser.add_argument(flag, action="store_true")
    parser.add_argument("-h", "--help", action="store_true")
    parser.add_argument("--debugger", default=None)
    parser.add_argument("--list", default=None, metavar="DIR")
    args = parser.parse_args(argv)
    if args.help or args.version:
        return args
    if (args.group or args.json) and args.list is None:
        raise UsageError("--group and --json go with --list DIR")
    if args.list is not None:
        if args.file is not None:
            raise UsageError("--list DIR takes no dump file")
        return args
    if args.file is None:
        raise UsageError("a dump file is required (see --help)")
    reports = args.print or args.locals or args.threads or args.info or args.audit
    if reports and args.command:
        raise UsageError("-c starts the debugger; it cannot be combined with "
                         "--print, --locals, --threads, --info or --audit")
    if args.debugger is None:
        args.debugger = os.environ.get("PYHD_DEBUGGER") or "pdb"
    if args.debugger not in DEBUGGERS:
        raise UsageError(f"unknown debugger {args.debugger!r} "
                         f"(choose from {', '.join(DEBUGGERS)})")
    return args


# ---------------------------------------------------------------------------
# Triage: --list DIR reads the MANIFEST (the first tar member) of each dump

_MANIFEST_MAX = 1 << 20
_TAR_BLOCK = 512


class DamagedDump(Exception):
    """A file that --list cannot read as a dump; str is one line."""


def _unescape(value):
    r"""A MANIFEST value as src/manifest.h escapes it (\\, \n, \r, \xHH)."""
    out = bytearray()
    raw = value.encode("utf-8", "surrogateescape")
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            nxt = chr(raw[i + 1])
            if nxt in "\\nr":
                out += {"\\": b"\\", "n": b"\n", "r": b"\r"}[nxt]
                i += 2
                continue
            if nxt == "x" and i + 4 <= len(raw):
                try:
                    out.append(int(raw[i + 2:i + 4].decode("ascii"), 16))
                    i += 4
                    continue
                except ValueError:
                    pass
        out.append(c)
        i += 1
    return out.decode("utf-8", "replace")


def _tar_number(field):
    text = field.split(b"\0", 1)[0].strip()
    if not text:
        return 0
    return int(text, 8)


def read_manifest(path):
    """The MANIFEST fields of the dump at path, [(key, value)]; raises DamagedDump."""
    try:
        with open(path, "rb") as f:
            while True:
                header = f.read(_TAR_BLOCK)
                if len(header) < _TAR_BLOCK:
                    raise DamagedDump("too short to be a dump")
                if header[257:262] != b"ustar":
                    raise DamagedDump("not a tar archive")
                size = _tar_number(header[124:136])
                kind = header[156:157]
                if kind not in (b"x", b"g"):
                    break
                # A pax extended header: its records describe the next member.
                f.seek((size + _TAR_BLOCK - 1) // _TAR_BLOCK * _TAR_BLOCK, os.SEEK_CUR)
            name = header[:100].split(b"\0", 1)[0]
            if name != b"MANIFEST":
                raise DamagedDump("the first member is not MANIFEST")
            if size > _MANIFEST_MAX:
                raise DamagedDump("MANIFEST too large")
            text = f.read(size)
    except ValueError:
        raise DamagedDump("bad tar header") from None
    except OSError as error:
        raise DamagedDump(error.strerror or str(error)) from None
    if len(text) < size:
        raise DamagedDump("MANIFEST cut short")
    fields = []
    for line in text.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(": ")
        if not sep:
            raise DamagedDump("MANIFEST line without 'Key: value'")
        fields.append((key, _unescape(value)))
    if not fields or fields[0][0] != "Format-Version":
        raise DamagedDump("MANIFEST does not start with Format-Version")
    return fields


def _program(argv_json):
    try:
        argv = json.loads(argv_json)
        first = argv[0] if argv else ""
    except (ValueError, IndexError, TypeError):
        return "?"
    if not isinstance(first, str) or not first:
        return "?"
    return os.path.basename(first)


def list_entry(directory, name):
    """One --list entry (a dict) for the file name in directory."""
    path = os.path.join(directory, name)
    entry = {"file": name, "size": 0}
    try:
        st = os.lstat(path)
        entry["size"] = st.st_size
        entry["mtime"] = st.st_mtime
        fields = dict(reversed(read_manifest(path)))
    except OSError as error:
        entry["damaged"] = error.strerror or str(error)
        return entry
    except DamagedDump as error:
        entry["damaged"] = str(error)
        return entry
    message = fields.get("Exception-Message")
    exc_type = fields.get("Exception-Type")
    entry.update({
        "time": fields.get("Created", ""),
        "program": _program(fields.get("Argv", "[]")),
        "pid": fields.get("Pid", ""),
        "trigger": fields.get("Trigger", ""),
        "exception": (f"{exc_type}: {message}" if message else exc_type) if exc_type else "",
        "fingerprint": fields.get("Fingerprint", ""),
        "redacted": fields.get("Redacted-Values", ""),
    })
    return entry


def list_entries(directory):
    """Every *.dump in directory, newest first (damaged files by their mtime)."""
    names = [n for n in os.listdir(directory)
             if n.endswith(".dump") and not n.startswith(".")
             and stat.S_ISREG(os.lstat(os.path.join(directory, n)).st_mode)]
    entries = [list_entry(directory, n) for n in names]

    def when(entry):
        if "time" in entry:
            return entry["time"]
        mtime = entry.get("mtime", 0.0)
        return datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ")
    for entry in entries:
        entry["sort"] = when(entry)
    entries.sort(key=lambda e: (e["sort"], e["file"]), reverse=True)
    for entry in entries:
        del entry["sort"]
        entry.pop("mtime", None)
    return entries


def group_entries(entries):
    """--group: one group per fingerprint (or per trigger without one), most recent first."""
    groups = {}
    for entry in entries:
        if "damaged" in entry:
            key = "damaged"
        else:
            key = entry["fingerprint"] or f"({entry['trigger'] or 'unknown'})"
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "fingerprint": key, "count": 0, "last": entry.get("time", ""),
                "first": entry.get("time", ""), "program": entry.get("program", ""),
                "exception": entry.get("exception", entry.get("damaged", "")),
                "newest": entry["file"], "size": 0,
            }
        group["count"] += 1
        group["size"] += entry["size"]
        if entry.get("time"):
            group["first"] = entry["time"]
    return list(groups.values())


def _short_time(iso):
    return iso[:19].replace("T", " ") if iso else "-"


def _clip(text, width):
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 3] + "..."


def format_list(entries):
    lines = [f"{'TIME (UTC)':19}  {'PROGRAM':16} {'PID':>7}  {'TRIGGER':18} "
             f"{'FINGERPRINT':16} {'SIZE':>9}  EXCEPTION / FILE\n"]
    for e in entries:
        if "damaged" in e:
            lines.append(f"{'-':19}  {'-':16} {'-':>7}  {'-':18} {'-':16} "
                         f"{e['size']:>9}  {e['file']}: damaged: {e['damaged']}\n")
            continue
        lines.append(f"{_short_time(e['time']):19}  {_clip(e['program'], 16):16} "
                     f"{e['pid']:>7}  {_clip(e['trigger'], 18):18} "
                     f"{e['fingerprint'] or '-':16} {e['size']:>9}  "
                     f"{_clip(e['exception'] or '-', 60)}  {e['file']}\n")
    return "".join(lines)


def format_groups(groups):
    lines = [f"{'COUNT':>5}  {'LAST (UTC)':19}  {'FIRST (UTC)':19}  {'FINGERPRINT':16} "
             f"{'PROGRAM':16} EXCEPTION\n"]
    for g in groups:
        lines.append(f"{g['count']:>5}  {_short_time(g['last']):19}  "
                     f"{_short_time(g['first']):19}  {_clip(g['fingerprint'], 16):16} "
                     f"{_clip(g['program'] or '-', 16):16} {_clip(g['exception'] or '-', 60)}\n")
    return "".join(lines)


def run_list(args, out):
    """--list DIR [--group] [--json]: returns the exit status."""
    try:
        entries = list_entries(args.list)
    except OSError as error:
        print(f"{PROG}: {args.list}: {error.strerror or error}", file=sys.stderr)
        return 2
    result = group_entries(entries) if args.group else entries
    if args.json:
        out.write(json.dumps(result, indent=1) + "\n")
    else:
        out.write(format_groups(result) if args.group else format_list(result))
    return 0


def _version():
    """pyhd's version, as the _pyhd module reports it."""
    try:
        import _pyhd
        return getattr(_pyhd, "__version__", "unknown")
    except ImportError:
        return "unknown"


def _run_reports(args, dump, out):
    """Print the reports asked for (--info, --print, --locals, --threads)."""
    if args.info:
        out.write(format_info(dump))
    if args.print:
        text = dump.data.get("traceback_txt", "")
        out.write(text if not text or text.endswith("\n") else text + "\n")
    if args.locals:
        if dump.exception is None:
            out.write("The dump has no exception.\n")
        else:
            out.write("".join(format_with_locals(dump.exception)))
    if args.threads:
        out.write(format_threads(dump))


def _rc_lines(trust):
    """The pdb commands of ~/.pdbrc, and of ./.pdbrc with --trust.

    pdb itself reads both; a .pdbrc in the current directory (where a
    stranger's dump may have been unpacked) could run any code, so only
    --trust lets it in, as it lets in the current directory's modules.
    """
    paths = [os.path.expanduser("~/.pdbrc")]
    if trust:
        paths.append(".pdbrc")
    lines = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as rc:
                lines.extend(rc)
        except (OSError, UnicodeDecodeError):
            continue
    return lines


def _run_debugger(args, dump, out, module):
    """Print the header and traceback, then run the debugger post mortem."""
    tb = dump.start_traceback()
    out.write(format_header(dump))
    if dump.exception is not None:
        out.write("\n")
        out.write("".join(traceback.format_exception(dump.exception)))
    out.write("\n")
    out.flush()
    if tb is None:
        out.write("The dump has no frame to debug.\n")
        return 0
    if args.debugger == "pdb":
        debugger = DumpPdb(dump, readrc=False)
        debugger.rcLines.extend(_rc_lines(args.trust))
        debugger.rcLines.extend(args.command)
        debugger.reset()
        debugger.interaction(None, tb)
        return 0
    if args.debugger == "pudb":
        module.post_mortem(tb, type(dump.exception), dump.exception)
    else:
        module.post_mortem(tb)
    return 0


def main(argv):
    """pyhd-debug's entry point: returns the exit status."""
    try:
        args = parse_args(argv)
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    if args.help:
        sys.stdout.write(HELP)
        return 0
    if args.version:
        print(f"{PROG} {_version()}")
        return 0
    if args.list is not None:
        return run_list(args, sys.stdout)
    module = None
    if args.debugger != "pdb":
        # Only the names in DEBUGGERS are ever imported here.
        try:
            module = importlib.import_module(args.debugger)
        except ImportError:
            print(f"{PROG}: debugger {args.debugger} is not importable",
                  file=sys.stderr)
            return 2
    import _pyhd
    # --print and --info show stored text: the graph is checked, not rebuilt.
    text_only = (args.print or args.info) and not (args.locals or args.threads or args.audit)
    try:
        data = _pyhd.load(args.file, trust=args.trust, rebuild=not text_only)
    except _pyhd.DumpError as error:
        print(f"{PROG}: {args.file}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{PROG}: {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    if args.audit:
        import pyhd_audit
        status = pyhd_audit.run_audit(data, sys.stdout)
        sys.stdout.flush()
        return status
    dump = Dump(data, frames=not text_only)
    if args.print or args.locals or args.threads or args.info:
        _run_reports(args, dump, sys.stdout)
        sys.stdout.flush()
        return 0
    return _run_debugger(args, dump, sys.stdout, module)
