"""pdb with the dump's commands: threads, exceptions, dumpinfo, source."""

import bdb
import inspect
import pdb
import sys
import traceback

import pyhd_tasks

from .frames import RebuildError
from .model import dumped_sourcelines, innermost_location, thread_label
from .output import format_info, line_repr


def _cannot_run(name, usage, what):
    """A pdb command that a dump refuses, saying so in one line."""
    def command(self, arg):
        self.error(f"{name}: a dump cannot run forward: it is the program at the "
                   "moment it was dumped (where, up, down and p show it)")
    command.__doc__ = f"""{usage}

        Not available in a dump: {what}. A dump is the program
        at one moment and cannot run forward; the session goes on.
        """
    return command


class DumpCommands(pyhd_tasks.TaskCommands):
    """The dump's commands, mixed into pdb.Pdb or a debugger built on it.

    tasks, task N and enter come from pyhd_tasks.TaskCommands.

    init_dump(dump) must run after the debugger's own __init__.
    """

    def init_dump(self, dump, start=None):
        """start (a model.Start) chooses the exception and frame shown first."""
        self.dump = dump
        self._dump_exception = dump.trigger_index
        self._dump_thread = dump.failed_thread()
        self._start_frame = None
        if start is not None:
            if start.exception_index is not None:
                self._dump_exception = start.exception_index
            if start.thread_index is not None:
                self._dump_thread = start.thread_index
            self._start_frame = start.frame

    def setup(self, f, tb):
        """pdb's setup, then the chosen start frame, once; then the -c commands.

        3.10-3.12's pdb.setup runs the -c commands itself, before the start
        frame is chosen: they are held back and run once it is (3.13's queues
        them for its command loop)."""
        held = []
        if sys.version_info < (3, 13):
            held, self.rcLines = self.rcLines, []
        result = super().setup(f, tb)
        frame, self._start_frame = self._start_frame, None
        index = next((i for i, (entry, _) in enumerate(self.stack) if entry is frame), None)
        if frame is not None and index is not None:
            self.curindex = index
            self.curframe = frame
            self.curframe_locals = frame.f_locals
        if held:
            self.rcLines = held
            return self.execRcLines()
        return result

    def _show(self, tb):
        self.setup(None, tb)
        self.print_stack_entry(self.stack[self.curindex])

    def onecmd(self, line):
        """Run one command; an error inside it is reported and the session goes on.

        Stock pdb lets an exception escape some commands (``args`` on a local
        whose repr recurses past the limit, as a deep linked structure does),
        which would end the session, and the dump with it.
        """
        # The reprs of one command share a budget (pyhd_reprexpr is imported
        # by the first repr that needs it, so before that none was spent).
        reprexpr = sys.modules.get("pyhd_reprexpr")
        if reprexpr is not None:
            reprexpr.new_command()
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
            where = innermost_location(self.dump, thread)
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
                rep = line_repr(exc, 80)
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

    do_next = do_n = _cannot_run("next", "n(ext)", "it would run to the next line")
    do_step = do_s = _cannot_run("step", "s(tep)", "it would run into the next call")
    do_continue = do_c = do_cont = _cannot_run(
        "continue", "c(ont(inue))", "it would run the program on")
    do_until = do_unt = _cannot_run("until", "unt(il) [lineno]",
                                    "it would run to a later line")
    do_return = do_r = _cannot_run("return", "r(eturn)",
                                   "it would run until the function returns")
    do_break = do_b = _cannot_run("break", "b(reak) [ ([filename:]lineno | function) [, condition] ]",
                                  "no code runs, so no breakpoint is ever reached")
    do_tbreak = _cannot_run("tbreak", "tbreak [ ([filename:]lineno | function) [, condition] ]",
                            "no code runs, so no breakpoint is ever reached")
    do_jump = do_j = _cannot_run("jump", "j(ump) lineno",
                                 "it would run the program from another line")

    def do_debug(self, arg):
        """debug code

        Enter a recursive debugger that steps through the code argument
        (an expression or statement to be executed in the current
        environment). Functions rebuilt from a dump do not run, so most
        calls fail at once; the session goes on in the dump.
        """
        try:
            super().do_debug(arg)
        finally:
            # pdb turns its tracing back on when the recursive debugger
            # ends, for a program that runs on; nothing runs after a dump,
            # so the trace would stop in pyhd-debug's own frames instead.
            sys.settrace(None)
            self.quitting = False

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


class DumpPdb(DumpCommands, pdb.Pdb):
    """pdb plus commands to move between the dump's threads and exceptions."""

    def __init__(self, dump, start=None, **kwargs):
        # 3.14's pdb colours source lines when asked, on a terminal that
        # allows it (not with NO_COLOR, TERM=dumb or a pipe), as python -m pdb does.
        if sys.version_info >= (3, 14):
            kwargs.setdefault("colorize", True)
        super().__init__(**kwargs)
        self.prompt = "(Pdb) "
        self.init_dump(dump, start)
