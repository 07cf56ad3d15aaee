"""The dump as the debugger sees it: exceptions, threads, where to start."""

import builtins
import collections
import inspect
import linecache
import re
import sys

import pyhd_limits
import pyhd_tasks

from .frames import (RebuildError, StackBuilder, rebuild_exceptions, register_sources,
                     stack_entries)

# Thread record flags (include/pyhd/format.h, PYHD_THREAD_*).
THREAD_DAEMON = 0x01
THREAD_FAILED = 0x02
THREAD_MAIN = 0x04
THREAD_CURRENT = 0x08


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


# Files that are not the program's own: frozen modules, the standard library
# (lib/pythonX.Y, Debian's lib/python3) and installed packages.
_LIBRARY_FILE = r"^<frozen |/lib/python\d+(\.\d+)?t?/|/(site|dist)-packages/"


def is_library_file(filename):
    """Whether a dumped file name is the standard library's or a package's."""
    # The pattern is compiled (by re's cache) only for a name that may match:
    # a program's own frames cost no compilation at start-up.
    if not ("<frozen " in filename or "/lib/python" in filename or "-packages/" in filename):
        return False
    return bool(re.search(_LIBRARY_FILE, filename))


def leaf_exception(exc):
    """The first leaf of an exception group (exc itself when not a group),
    preferring members that have a traceback."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        members = group_members(exc)
        if not members:
            break
        exc = next((m for m in members if m.__traceback__ is not None), members[0])
    return exc


def _walk_tb(tb):
    entries = []
    while tb is not None and len(entries) < 100000:
        entries.append(tb)
        tb = tb.tb_next
    return entries


# The lines python prints between two exceptions of a chain (compiled by
# printed_messages when it needs them, not at every start).
CHAIN_SEPARATORS = (
    r"\n\nThe above exception was the direct cause of the following exception:\n\n"
    r"|\n\nDuring handling of the above exception, another exception occurred:\n\n")


OTHER_THREADS = r"\n\n(?:Current thread|Thread) 0x[0-9a-fA-F]+ "


def printed_names(cls):
    """The exception type's name as python's traceback prints it (3.10's C
    printer keeps "__main__.")."""
    module = getattr(cls, "__module__", None)
    if module == "builtins":
        return (cls.__qualname__,)
    if module == "__main__":
        return (cls.__qualname__, f"{module}.{cls.__qualname__}")
    return (f"{module}.{cls.__qualname__}",)


def printed_messages(path, chain):
    """Give the rebuilt exceptions of chain (oldest first, as python prints
    them) whose class defined __str__ the message python printed for them,
    read from the dump's traceback.txt; nothing when the text does not
    match the chain (a thread's output, exception groups, a cut chain)."""
    import pyhd_surrogates
    if not any(pyhd_surrogates.has_dumped_str(e) for e in chain):
        return
    if any(group_members(e) for e in chain):
        return
    try:
        from .reader import read_text
        text = read_text(path, traceback=True).traceback.decode("utf-8", "replace")
    except Exception:
        return
    # Other threads' stacks follow a thread's failure, as faulthandler prints them.
    text = re.split(OTHER_THREADS, text, maxsplit=1)[0]
    sections = re.split(CHAIN_SEPARATORS, text.rstrip("\n"))
    if len(sections) != len(chain):
        return
    for exc, section in zip(chain, sections):
        if not pyhd_surrogates.has_dumped_str(exc):
            continue
        lines = section.split("\n")
        # A thread's failure starts "Exception in thread NAME:".
        if "Traceback (most recent call last):" in lines:
            lines = lines[lines.index("Traceback (most recent call last):"):]
        notes = getattr(exc, "__notes__", None)
        if isinstance(notes, list) and all(type(n) is str for n in notes):
            count = sum(len(n.split("\n")) for n in notes)
            if count:
                lines = lines[:-count]
        names = printed_names(type(exc))
        for i, line in enumerate(lines):
            if line.startswith((" ", "Traceback (most recent call last):")):
                continue
            for name in names:
                if line == name:
                    pyhd_surrogates.set_exception_text(exc, "")
                elif line.startswith(name + ": "):
                    message = "\n".join([line[len(name) + 2:]] + lines[i + 1:])
                    pyhd_surrogates.set_exception_text(exc, message)
            break


class Start:
    """Where a session starts: the traceback pdb gets, the frame to select
    in it (None: the innermost), the index of its exception in
    Dump.exceptions, and the notes to print about the choice."""

    def __init__(self, tb, frame, exception_index, notes, thread_index=None, label=None):
        self.tb = tb
        self.frame = frame
        self.exception_index = exception_index
        self.notes = notes
        self.thread_index = thread_index
        self.label = label


def enter_dumped_context(threads):
    """Give the rebuilt context variables the values the dumping thread's context
    held, in this thread's context: `request_id.get()` then answers what the
    program's would have (the program's variables are rebuilt objects of their
    own, so nothing else here sees them)."""
    import pyhd_surrogates
    contextvars = sys.modules.get("contextvars")  # imported by a load that made one
    for thread in threads if contextvars is not None else ():
        context = thread.get("context")
        if type(context) is contextvars.Context:
            pyhd_surrogates.set_context_values(tuple(context.items()))


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
        pyhd_tasks.use_builder(self.builder)
        self.notes = []
        if frames:
            self.notes += register_sources(data.get("sources") or {})
            self.notes += rebuild_exceptions(data.get("exceptions") or [], self.builder)
            enter_dumped_context(self.threads)
        trigger = self.roots.get("exception")
        self.exception = trigger if isinstance(trigger, BaseException) else None
        if self.exception is not None:
            self.notes += filter(None, [pyhd_limits.bounded_chain(self.exception)])
        self.exceptions = exception_list(self.exception) if self.exception else []
        # The chain runs oldest first, so the trigger ends it; group members
        # follow.
        self.trigger_index = next((i for i, e in enumerate(self.exceptions)
                                   if e is self.exception), None)
        if frames and self.trigger_index is not None:
            printed_messages(self.path, self.exceptions[:self.trigger_index + 1])
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

    def start_thread(self, number):
        """A Start at the stack of thread number (from 1, as "threads" lists
        them); raises RebuildError when it has none."""
        if not 1 <= number <= len(self.threads):
            raise RebuildError(f"no thread {number} (the dump has {len(self.threads)})")
        index = number - 1
        tb = self.thread_traceback(index)
        if tb is None:
            raise RebuildError(f"thread {number} has no Python frames")
        label = thread_label(number, self.threads[index])
        exception = self.trigger_index if self.threads[index].get("frame") is None else None
        return Start(tb, None, exception, [f"note: starting at {label}"], index, label)

    def start(self, mode="program"):
        """Where the session starts: a Start.

        mode "program": at the first leaf of an exception group that was
        raised, and in the innermost frame of the program's own code (see
        is_library_file), with a note when the exception went further in;
        "innermost": at the innermost frame of the exception's traceback.
        Without an exception, at a thread's stack.
        """
        exc, notes = self.exception, []
        if exc is not None and mode == "program":
            leaf = leaf_exception(exc)
            if leaf is not exc and leaf.__traceback__ is not None:
                exc = leaf
                number = next(i for i, e in enumerate(self.exceptions) if e is leaf)
                notes.append(f"note: an exception group was raised; starting at its first "
                             f"leaf, exception {number} ({type(leaf).__name__}; "
                             "\"exceptions\" lists them all)")
        if exc is None or exc.__traceback__ is None:
            return Start(self.start_traceback(), None, None, notes)
        tb = exc.__traceback__
        index = next((i for i, e in enumerate(self.exceptions) if e is exc), None)
        frames = [(entry.tb_frame, entry.tb_lineno) for entry in _walk_tb(tb)]
        if mode != "program":
            return Start(tb, None, index, notes)
        own = [i for i, (frame, _) in enumerate(frames)
               if not is_library_file(frame.f_code.co_filename)]
        if not own or own[-1] == len(frames) - 1:
            return Start(tb, None, index, notes)
        frame, line = frames[-1]
        further = len(frames) - 1 - own[-1]
        notes.append(f"note: starting in the program's own innermost frame; the exception "
                     f"went {further} frame{'s' if further > 1 else ''} further in, to "
                     f"{frame.f_code.co_filename}:{line} in {frame.f_code.co_name} "
                     "(\"down\" goes there; --frame innermost starts there)")
        return Start(tb, frames[own[-1]][0], index, notes)

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
    import pyhd_surrogates
    found = pyhd_surrogates.sourcelines(obj)  # properties and classes of the program
    if found is not None:
        return found
    if type(obj).__module__ != "pyhd_surrogates" and not getattr(obj, "_pyhd_dumped", False):
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


def innermost_location(dump, thread):
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
