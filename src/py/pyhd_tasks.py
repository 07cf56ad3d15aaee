"""pyhd tasks: generators, coroutines and asyncio tasks of a dump, with real frames to enter.

A dumped generator, coroutine or async generator is rebuilt as an inert
look-alike of python's type (its gi_frame / cr_frame / ag_frame is a real
frame, built from the dumped one by pyhd-debug's real-frames machinery, so
f_locals, f_lineno and inspect work). DumpPdb gets three commands from
TaskCommands: "tasks" lists the dump's asyncio tasks with their await chains,
"task N" moves the stack to task N's chain, and "enter EXPR" moves it to the
suspended frames of a generator, coroutine or task.
"""

import os
import sys

# format.h's PYHD_GEN_* flavours and PYHD_GENSTATE_* states.
_FLAVOURS = ("generator", "coroutine", "async_generator")
_PREFIXES = ("gi", "cr", "ag")
_AWAIT_NAMES = ("gi_yieldfrom", "cr_await", "ag_await")
_STATES = ("created", "running", "suspended", "closed")

_builder = None


def build_stack(frame_records):
    """A real traceback through frame_records (outermost first), or None.

    pyhd-debug's real-frames machinery (pyhd_debug.frames) builds it; it is
    imported here, not at the top, because pyhd_debug imports this module.
    """
    from pyhd_debug.frames import RebuildError
    records = [r for r in frame_records if r is not None]
    if not records:
        return None
    try:
        return _stack_builder().build([(r, r) for r in records])
    except RebuildError:
        return None


def _stack_builder():
    """The StackBuilder of the session's dump (use_builder), else one of this
    module's: a generator's frame is then the one a held local refers to."""
    global _builder
    if _builder is None:
        from pyhd_debug.frames import StackBuilder
        _builder = StackBuilder()
    return _builder


def use_builder(builder):
    """Build frames with builder (pyhd_debug.model.Dump's)."""
    global _builder
    _builder = builder


def _frames_of(tb):
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _cobjects():
    """pyhd_cobjects, imported the first time it is needed: most dumps hold
    none of its objects, and every start of pyhd-debug would pay for it."""
    import pyhd_cobjects
    return pyhd_cobjects


def _is_task(obj):
    """Whether obj is a rebuilt asyncio task or future. Only pyhd_cobjects
    makes them, so none exists before a load has imported it."""
    cobjects = sys.modules.get("pyhd_cobjects")
    return cobjects is not None and cobjects.is_task(obj)


def _inert(self, *args, **kwargs):
    cobjects = _cobjects()
    raise cobjects.DumpStateError(
        f"{type(self).__name__} {self.qualname or self.name}: {cobjects._NOT_RUN}")


class GeneratorStub:
    """A dumped generator, coroutine or async generator (an inert look-alike).

    Setting flavour makes it an instance of the look-alike of python's type
    (generator, coroutine, async_generator); frame is its FrameRecord,
    awaiting what it was suspended in (the next link of an await chain).
    """

    _pyhd_dumped = True

    def __init__(self):
        self.name = self.qualname = self.code = self.state = self.frame = None
        self.awaiting = None
        self._flavour = None
        self._real = None

    # name and qualname are also the instance's __name__ and __qualname__, as
    # python's generators have them (a class body cannot define __qualname__).
    @property
    def name(self):
        return self.__dict__.get("__name__")

    @name.setter
    def name(self, value):
        self.__dict__["__name__"] = value

    @property
    def qualname(self):
        return self.__dict__.get("__qualname__")

    @qualname.setter
    def qualname(self, value):
        self.__dict__["__qualname__"] = value

    @property
    def flavour(self):
        return self._flavour

    @flavour.setter
    def flavour(self, value):
        self._flavour = value
        if value in (0, 1, 2):
            self.__class__ = _CLASSES[value]

    def _frame(self):
        """The real frame of the suspended (or running) generator; None when closed."""
        if self.frame is None:
            return None
        if self._real is None:
            self._real = _stack_builder().real_frame(self.frame, held=False)
        return self._real

    def _code(self):
        frame = self._frame()
        return frame.f_code if frame is not None else self.code

    def _running(self):
        return self.state == 1

    def _suspended(self):
        return self.state == 2

    def __repr__(self):
        state = _STATES[self.state] if self.state in (0, 1, 2, 3) else "?"
        kind = type(self).__name__ if type(self) in _CLASSES else "generator"
        return "<%s object %s at 0x%x (%s in the dump)>" % (kind, self.qualname or self.name,
                                                           id(self), state)

    send = throw = close = __next__ = __iter__ = __await__ = asend = athrow = aclose = _inert
    __anext__ = __aiter__ = _inert


def _flavour_class(index):
    prefix = _PREFIXES[index]
    namespace = {
        "__module__": "builtins",
        "__qualname__": _FLAVOURS[index],
        "__doc__": "A %s of the dump: %s_frame is a real frame you can enter (\"enter\" in "
                   "pdb); it cannot be resumed." % (_FLAVOURS[index].replace("_", " "), prefix),
        prefix + "_frame": property(GeneratorStub._frame),
        prefix + "_code": property(GeneratorStub._code),
        prefix + "_running": property(GeneratorStub._running),
        prefix + "_suspended": property(GeneratorStub._suspended),
        _AWAIT_NAMES[index]: property(lambda self: self.awaiting),
    }
    return type(_FLAVOURS[index], (GeneratorStub,), namespace)


_CLASSES = tuple(_flavour_class(i) for i in range(3))


def is_generator(obj):
    return isinstance(obj, GeneratorStub)


# ---------------------------------------------------------------------------
# Await chains

def await_chain(obj):
    """The generators of obj's await chain, outermost first (obj a task or generator)."""
    if _is_task(obj):
        obj = obj._coro
    chain = []
    seen = set()
    while is_generator(obj) and id(obj) not in seen:
        seen.add(id(obj))
        chain.append(obj)
        obj = obj.awaiting
    return chain


def await_traceback(obj):
    """A real traceback through the suspended frames of obj's await chain, or None."""
    return build_stack([g.frame for g in await_chain(obj)])


def await_frames(obj):
    return _frames_of(await_traceback(obj))


def _location(gen):
    frame = gen.frame
    code = getattr(frame, "code", None) or gen.code
    filename = getattr(code, "filename", None) or "?"
    line = getattr(frame, "lineno", None) if frame is not None else getattr(code, "firstlineno", "?")
    return f"{gen.qualname or gen.name} {os.path.basename(str(filename))}:{line}"


def _children(future):
    """The futures a gathering future (asyncio.gather) waits for."""
    children = getattr(future, "__dict__", {}).get("_children")
    return list(children) if isinstance(children, (list, tuple)) else []


def awaited_futures(task):
    """What task waits for: its _fut_waiter, or the children of a gather."""
    waiter = task._fut_waiter
    if waiter is None:
        return []
    return _children(waiter) or [waiter]


def _name_key(task):
    """Task-2 before Task-10: names compared with their numbers as numbers."""
    import re
    name = task.get_name()
    if not isinstance(name, str):
        return ((), id(task))
    return (tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", name)),
            id(task))


def _held_tasks(dump):
    """The tasks the frames of the dump's exceptions hold in their variables.

    Python 3.14 forgets a task once it is done (asyncio.all_tasks() and the
    dump's "tasks" root have only the pending ones), so the task an exception
    escaped from is found where run_until_complete() or asyncio.run() holds it.
    """
    held = []
    for exc in dump.exceptions:
        for frame in _frames_of(exc.__traceback__):
            held += [v for v in frame.f_locals.values() if _is_task(v)]
    return held


def dump_tasks(dump):
    """The asyncio tasks of the dump, by name: its "tasks" root, those its
    exceptions' frames hold, then any a task awaits."""
    tasks, seen = [], set()
    for task in list(dump.roots.get("tasks") or []) + _held_tasks(dump):
        if _is_task(task) and id(task) not in seen:
            seen.add(id(task))
            tasks.append(task)
    for task in tasks:
        for other in awaited_futures(task):
            if _is_task(other) and id(other) not in seen:
                seen.add(id(other))
                tasks.append(other)
    return sorted(tasks, key=_name_key)


def format_tasks(tasks):
    """One entry per task: its number, name, state, await chain, and who awaits it."""
    awaited_by = {id(t): [] for t in tasks}
    for task in tasks:
        for other in awaited_futures(task):
            if id(other) in awaited_by:
                awaited_by[id(other)].append(task)
    lines = []
    for number, task in enumerate(tasks, 1):
        state = task._state.lower()
        if is_generator(task._coro) and task._coro.state == 1:
            state += " (running)"
        if task._state == "FINISHED":
            state += (f" exception={task._exception!r}" if task._exception is not None
                      else f" result={task._result!r}")
        if len(state) > 100:
            state = state[:97] + "..."
        lines.append(f"{number:>3} {task.get_name()!r} {state}")
        for gen in await_chain(task):
            lines.append(f"      {_location(gen)}")
        waiting = awaited_futures(task)
        if waiting:
            names = ", ".join(repr(w.get_name()) if _is_task(w) else
                              type(w).__name__ for w in waiting)
            lines.append(f"      awaits {names}")
        if awaited_by[id(task)]:
            names = ", ".join(repr(t.get_name()) for t in awaited_by[id(task)])
            lines.append(f"      awaited by {names}")
    return lines


class TaskCommands:
    """pdb commands for the dump's asyncio tasks and suspended generators (a mixin of DumpPdb)."""

    def do_tasks(self, arg):
        """tasks

        List the asyncio tasks of the dump: number (for "task N"), name,
        state, the await chain of its coroutine (outermost first, each
        with its file and line), what it awaits and which tasks await it.
        The tasks are those the event loops knew, those the frames of the
        dump's exceptions hold (Python 3.14 forgets a task once it is done)
        and those a listed task awaits.
        """
        tasks = dump_tasks(self.dump)
        if not tasks:
            self.message("The dump has no asyncio tasks.")
            return
        for line in format_tasks(tasks):
            self.message(line)

    def do_task(self, arg):
        """task N

        Move the stack to task N's await chain (numbered as "tasks" lists
        them): its coroutine's frame outermost, the frame it awaits in
        innermost; "up", "down", "p" and "ll" work there as in any frame.
        """
        tasks = dump_tasks(self.dump)
        try:
            index = int(arg) - 1
        except ValueError:
            self.error("Argument must be an integer")
            return
        if not 0 <= index < len(tasks):
            self.error("No task with that number")
            return
        self._enter(tasks[index], f"Task {index + 1}")

    def do_enter(self, arg):
        """enter EXPR

        Move the stack to the suspended frames of the generator,
        coroutine, async generator or asyncio task that EXPR evaluates to
        (its await chain, outermost first), as "task N" does.
        """
        try:
            obj = self._getval(arg)
        except BaseException:
            return
        if not (is_generator(obj) or _is_task(obj)):
            self.error(f"{arg} is not a generator, coroutine or task of the dump")
            return
        self._enter(obj, arg)

    def _enter(self, obj, label):
        tb = await_traceback(obj)
        if tb is None:
            self.error(f"{label} has no suspended frames")
            return
        self._show(tb)
