"""pyhd_pytest: a pytest plugin writing a pyhd dump for each failing or hanging test.

Use it with ``pytest -p pyhd_pytest --pyhd-dumps[=DIR]`` (and, for hangs,
``--pyhd-timeout=SECONDS``). It needs the pyhd module: the one pyhd-run
provides, or the extension module (``cmake --install`` puts it and this file
beside each other; in a build tree, PYTHONPATH=BUILD). Each dump is written at
the moment a test's setup, call or teardown fails, while the failing frames
still hold their locals; it holds every thread. Under pytest-xdist each worker
writes its own dumps and the controller lists them all at the end.
"""

import hashlib
import os
import re
import signal
import sys
import threading
import types

import pytest

_DEFAULT_DIR = "pyhd-dumps"
_NAME_LIMIT = 150
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pytest_addoption(parser):
    group = parser.getgroup("pyhd", "pyhd dumps of failing tests")
    group.addoption(
        "--pyhd-dumps", nargs="?", const=_DEFAULT_DIR, default=None, metavar="DIR",
        help="write a pyhd dump for each failing test (setup, call or teardown) into DIR "
             "(default: pyhd-dumps); give DIR as --pyhd-dumps=DIR")
    group.addoption(
        "--pyhd-timeout", type=float, default=None, metavar="SECONDS",
        help="dump every thread of a test still running after SECONDS, then fail it "
             "(the dump goes to the --pyhd-dumps directory)")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    """A bare --pyhd-dumps takes no value: "pytest --pyhd-dumps tests/" must not
    read tests/ as the directory, so only --pyhd-dumps=DIR names one.

    args is parsed once more after this hook, and is rewritten for that; the
    early parse pytest has made already (which finds the initial conftests)
    gets the word back as a test path.
    """
    for i, arg in enumerate(args):
        if arg != "--pyhd-dumps":
            continue
        args[i] = f"--pyhd-dumps={_DEFAULT_DIR}"
        early = early_config.known_args_namespace
        taken = args[i + 1] if i + 1 < len(args) else None
        if taken is not None and getattr(early, "pyhd_dumps", None) == taken:
            early.pyhd_dumps = _DEFAULT_DIR
            early.file_or_dir = [*(early.file_or_dir or []), taken]


def pytest_configure(config):
    directory = config.getoption("pyhd_dumps")
    timeout = config.getoption("pyhd_timeout")
    if directory is None and timeout is None:
        return
    if timeout is not None and timeout <= 0:
        raise pytest.UsageError("--pyhd-timeout must be a positive number of seconds")
    try:
        import pyhd
    except ImportError:
        raise pytest.UsageError(
            "pyhd_pytest: the pyhd module is not importable: install pyhd "
            "(cmake --install) or set PYTHONPATH to its build directory") from None
    root = str(config.invocation_params.dir)
    directory = os.path.join(root, directory or _DEFAULT_DIR)
    config.pluginmanager.register(DumpPlugin(pyhd, directory, timeout), "pyhd_pytest_dumps")


def dump_name(nodeid, when):
    """A file name for a test id: unsafe characters folded to "_", long ids cut
    and made unique with a hash; the phase is added unless it is the call."""
    name = _UNSAFE.sub("_", nodeid).strip("._") or "test"
    if len(name) > _NAME_LIMIT:
        digest = hashlib.sha1(nodeid.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        name = f"{name[:_NAME_LIMIT]}-{digest}"
    if when != "call":
        name += f"-{when}"
    return name + ".dump"


def _stack_traceback(frame, test_file):
    """A traceback from the outermost caller of frame down to the innermost
    frame running code of test_file (else down to frame).

    It lets a dump of a hanging test open in pyhd-debug at the test's frame,
    as if the test had raised where it waits; the thread's whole stack, down
    to where it is blocked, is in the dump as the thread's stack.
    """
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    inner = next((i for i, f in enumerate(frames) if f.f_code.co_filename == test_file), 0)
    tb = None
    for f in frames[inner:]:
        tb = types.TracebackType(tb, f, f.f_lasti, f.f_lineno)
    return tb


class DumpPlugin:
    """Writes the dumps and lists them at the end of the session."""

    def __init__(self, pyhd, directory, timeout):
        self.pyhd = pyhd
        self.directory = directory
        self.timeout = timeout
        self.written = []    # (nodeid, when, path or error)

    def _dump(self, nodeid, when, exc, reason):
        """Write one dump; its path, or a line saying why there is none."""
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            path = os.path.join(self.directory, dump_name(nodeid, when))
            written = self.pyhd.dump(path, exc, reason)
        except (OSError, self.pyhd.DumpError, ValueError) as error:
            return None, f"pyhd: no dump: {error}"
        if written is None:
            return None, "pyhd: no dump: dumps are off (PYHD_DISABLE)"
        return written, None

    # -- failures ----------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if not report.failed or call.excinfo is None:
            return
        exc = call.excinfo.value
        path = getattr(exc, "pyhd_dump", None)
        error = None
        if path is None:
            path, error = self._dump(item.nodeid, call.when, exc,
                                     f"pytest: {call.when} of {item.nodeid} failed")
        if path is not None:
            report.pyhd_dump = path
            report.sections.append(("pyhd dump", path))
        else:
            report.sections.append(("pyhd dump", error))

    def pytest_runtest_logreport(self, report):
        # In the controller of pytest-xdist, the workers' reports arrive here
        # with the attribute set by the worker.
        path = getattr(report, "pyhd_dump", None)
        if path is not None and report.failed:
            self.written.append((report.nodeid, report.when, path))

    def pytest_terminal_summary(self, terminalreporter):
        if not self.written:
            return
        terminalreporter.write_sep("-", "pyhd dumps")
        for nodeid, when, path in self.written:
            phase = "" if when == "call" else f" ({when})"
            terminalreporter.write_line(f"{nodeid}{phase}: {path}")
        count = len(self.written)
        terminalreporter.write_line(
            f"pyhd: {count} dump{'s' if count != 1 else ''} written; open one with "
            "pyhd-debug FILE")

    # -- hangs -------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        if self.timeout is None:
            yield
            return
        if (hasattr(signal, "SIGALRM")
                and threading.current_thread() is threading.main_thread()):
            with _AlarmTimeout(self, item):
                yield
        else:
            with _ThreadTimeout(self, item):
                yield

    def timed_out_exception(self, item, frame):
        """Dump every thread at a timeout; the Failed exception that ends the test."""
        message = f"Timeout: still running after {self.timeout:g} s"
        if frame is not None:
            message += (f" (in {frame.f_code.co_name} at "
                        f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno})")
        failed = pytest.fail.Exception(message, pytrace=False)
        failed.__traceback__ = _stack_traceback(frame, str(item.path))
        path, error = self._dump(item.nodeid, "timeout", failed,
                                 f"pytest: {item.nodeid} timed out after {self.timeout:g} s")
        failed.__traceback__ = None
        failed.msg = f"{message}; pyhd dump: {path}" if path else f"{message}; {error}"
        failed.pyhd_dump = path
        return failed


class _AlarmTimeout:
    """The signal method: SIGALRM interrupts the test in the main thread."""

    def __init__(self, plugin, item):
        self.plugin, self.item = plugin, item
        self.previous = None

    def _expired(self, signum, frame):
        raise self.plugin.timed_out_exception(self.item, frame)

    def __enter__(self):
        self.previous = signal.signal(signal.SIGALRM, self._expired)
        signal.setitimer(signal.ITIMER_REAL, self.plugin.timeout)

    def __exit__(self, *exc_info):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)
        return False


class _ThreadTimeout:
    """Where no alarm can interrupt the test (not the main thread): a timer
    thread dumps every thread, reports the test and ends the process, as
    pytest-timeout's thread method does."""

    def __init__(self, plugin, item):
        self.plugin, self.item = plugin, item
        self.ident = threading.get_ident()
        self.timer = threading.Timer(plugin.timeout, self._expired)
        self.timer.daemon = True

    def _expired(self):
        frame = sys._current_frames().get(self.ident)
        failed = self.plugin.timed_out_exception(self.item, frame)
        sys.stderr.write(f"\n{self.item.nodeid}: {failed.msg}\n")
        sys.stderr.flush()
        os._exit(1)

    def __enter__(self):
        self.timer.start()

    def __exit__(self, *exc_info):
        self.timer.cancel()
        return False
