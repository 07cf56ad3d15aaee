"""The debuggers a session can open: pdb, ipdb and pudb, found without --trust.

pyhd-debug runs isolated, so that nothing from the environment or the current
directory enters the process that reads a dump. ipdb and pudb are looked for
where the Python that pyhd-debug was built for keeps its packages, and in the
active virtual environment; those directories go after the standard library
on sys.path, so no standard-library name that a dump may name can be taken
from them, and the dump's own rules (no import of a module it names outside
the standard library without --trust) stay as they are.
"""

import bdb
import importlib
import os
import re
import site
import sys

from .commands import DumpCommands, DumpPdb

DEBUGGERS = ("pdb", "ipdb", "pudb")

# SGR sequences ("ESC [ 1;32 m"): the colours IPython writes itself.
# Compiled (by re's cache) when ipdb writes, not at start-up.
_SGR = "(\x1b\\[[0-9;]*m)"


class DebuggerMissing(Exception):
    """The chosen debugger cannot be imported; str is one line saying where
    pyhd-debug looked and how to install it."""


def _venv_dir():
    """The active virtual environment's site-packages for this Python
    version, or None."""
    venv = os.environ.get("VIRTUAL_ENV")
    if not venv:
        return None
    # A free-threaded build's venv has lib/python3.14t, as site.py computes it.
    thread = "t" if "t" in getattr(sys, "abiflags", "") else ""
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}{thread}"
    path = os.path.join(venv, "lib", version, "site-packages")
    return path if os.path.isdir(path) else None


def _add_package_dirs():
    """Put the active virtual environment's site-packages and this Python's
    own site directories on sys.path, after the standard library: the venv's
    first, as python in that venv would. Returns the directories added."""
    site_dirs = []
    try:
        site_dirs = [d for d in site.getsitepackages() if os.path.isdir(d)]
    except AttributeError:  # an old virtualenv's site module
        pass
    added = []
    venv = _venv_dir()
    if venv and venv not in sys.path:
        # Before the first site directory already there (site.py put this
        # Python's own on sys.path), else at the end.
        first = next((i for i, p in enumerate(sys.path)
                      if p in site_dirs or p.endswith(("site-packages", "dist-packages"))),
                     len(sys.path))
        sys.path.insert(first, venv)
        added.append(venv)
    for directory in site_dirs:
        if directory not in sys.path:
            sys.path.append(directory)
            added.append(directory)
    importlib.invalidate_caches()
    return added


def import_debugger(name):
    """Import debugger name (one of DEBUGGERS); raises DebuggerMissing."""
    if name == "pdb":
        return None
    _add_package_dirs()
    try:
        return importlib.import_module(name)
    except ImportError as error:
        missing = error.name or name
    where = ", ".join(p for p in sys.path if p and os.path.isdir(p))
    hint = f"{sys.executable} -m pip install {name}"
    if sys.executable.startswith("/usr/bin/"):
        hint += f" (or the system's package python3-{name})"
    hint += ", or activate a virtual environment of this Python version that has it"
    what = name if missing == name else f"{name} (it needs {missing})"
    raise DebuggerMissing(f"debugger {what} is not installed for {sys.executable} "
                          f"(looked in {where}); install it with {hint}")


class _SgrEscapingWriter:
    """The escaping writer, letting through the SGR colour sequences that
    IPython's debugger writes (text from the dump can at most colour text)."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        n = 0
        for i, piece in enumerate(re.split(_SGR, text)):
            n += self.out.stream.write(piece) if i % 2 else self.out.write(piece)
        return n

    def flush(self):
        self.out.flush()

    def __getattr__(self, name):
        return getattr(self.out, name)


def _ipdb_debugger(module):
    """An instance of ipdb's debugger class with the dump's commands."""
    entry = importlib.import_module(module.__name__ + ".__main__")
    get_class = getattr(entry, "_get_debugger_cls", None)
    if get_class is not None:
        base = get_class()
    else:
        from IPython.terminal.debugger import TerminalPdb as base
    cls = type("DumpIpdb", (DumpCommands, base), {})
    try:
        context = int(os.environ.get("IPDB_CONTEXT_SIZE", "3"))
    except ValueError:
        context = 3
    try:
        return cls(context=context)
    except TypeError:
        return cls()


class DumpedStack(Exception):
    """What pudb shows as the exception of a thread's stack that has none."""


def run_session(name, module, dump, start, commands, out):
    """Run debugger name (module: import_debugger's) on start (a model.Start)."""
    if name == "pudb":
        # pudb draws the whole terminal itself: its own commands move in
        # the stack; --thread N starts at another thread's.
        exc = dump.exceptions[start.exception_index] if start.exception_index is not None \
            else DumpedStack(start.label or "the dumped stack")
        module.post_mortem(start.tb, type(exc), exc)
        return
    if name == "ipdb":
        debugger = _ipdb_debugger(module)
        debugger.init_dump(dump, start)
        debugger.stdout = _SgrEscapingWriter(out)
    else:
        debugger = DumpPdb(dump, start, readrc=False)
        # Set after __init__: given to it, pdb would stop using readline.
        # 3.14's pdb colours source on a terminal: its colours, like ipdb's,
        # go through.
        debugger.stdout = _SgrEscapingWriter(out) if getattr(debugger, "colorize", False) \
            else out
    debugger.rcLines.extend(commands)
    debugger.reset()
    # What the session prints outside pdb's own stdout (interact, "!print(x)")
    # is escaped too. input() still edits lines: the writer has the
    # terminal's fileno.
    saved, sys.stdout = sys.stdout, debugger.stdout
    try:
        debugger.interaction(None, start.tb)
    except bdb.BdbQuit:
        # "q" where pdb raises it (after a recursive debugger, say) still
        # just ends the session.
        pass
    finally:
        sys.stdout = saved
