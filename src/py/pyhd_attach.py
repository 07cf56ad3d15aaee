"""pyhd_attach: pyhd-debug --attach PID: make a running python write a dump now.

On Python 3.14+ sys.remote_exec() (PEP 768) has the process run a small
script at its next safe point, in its main thread: it imports the pyhd
extension module (from beside this pyhd-debug, or the process's own path) and
calls pyhd.dump(). A pyhd-run process needs no remote execution: it dumps on
its dump signal, which is the way on older Pythons. Nothing here reads the
process's memory; the dump is written by the process itself, as pyhd.dump()
writes any dump, and then opened like any other file.
"""

import glob
import importlib.machinery
import os
import shutil
import signal
import sys
import sysconfig
import tempfile
import time

# How long the process has to reach a safe point and write its dump.
TIMEOUT = 30.0
REASON = "pyhd-debug --attach"

# Run inside the process: no name is left in its namespaces (the script gets a
# fresh dict), sys.path is put back as it was, and the result goes to a file.
_REMOTE_SCRIPT = """\
def _pyhd_attach(result, module_dir, reason):
    import os, sys
    try:
        added = module_dir is not None and module_dir not in sys.path
        if added:
            sys.path.append(module_dir)
        try:
            import pyhd
        finally:
            if added and module_dir in sys.path:
                sys.path.remove(module_dir)
        path = pyhd.dump(reason=reason)
        text = "ok\\n" + ("" if path is None else path)
    except BaseException as error:
        text = "error\\n" + type(error).__name__ + ": " + str(error)
    with open(result + ".tmp", "w", encoding="utf-8", errors="backslashreplace") as f:
        f.write(text)
    os.replace(result + ".tmp", result)
_pyhd_attach({result!r}, {module_dir!r}, {reason!r})
"""


class AttachError(Exception):
    """The process could not be dumped; str is one line."""


def attach(pid_text, timeout=TIMEOUT):
    """Have process pid_text write a dump; returns the dump's path."""
    try:
        pid = int(pid_text)
    except ValueError:
        raise AttachError(f"--attach takes a process id, not {pid_text!r}") from None
    if pid <= 0 or not os.path.isdir(f"/proc/{pid}"):
        raise AttachError(f"no process {pid}")
    launched = _is_pyhd_run(pid)
    if hasattr(sys, "remote_exec"):
        try:
            return _dump_by_remote_exec(pid, timeout)
        except AttachError:
            if not launched:
                raise
    if launched:
        return _dump_by_signal(pid, timeout)
    raise AttachError(
        f"process {pid} is not run by pyhd-run, and this pyhd-debug runs Python "
        f"{sys.version_info[0]}.{sys.version_info[1]}: dumping a plain python needs "
        "sys.remote_exec (a pyhd-debug built with Python 3.14 or later)")


def _is_pyhd_run(pid):
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "pyhd-run"
    except OSError:
        return False


def _module_dir():
    """The directory of a pyhd extension module for this Python, or None (then
    the process's own sys.path must find one)."""
    here = os.path.dirname(os.path.realpath("/proc/self/exe"))
    # A build tree holds the module beside the executables; a venv's
    # bin/pyhd-debug has it in the venv's site-packages; else this Python's.
    version = "python%d.%d%s" % (sys.version_info[0], sys.version_info[1],
                                 "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else "")
    venv = os.path.join(os.path.dirname(here), "lib", version, "site-packages")
    for directory in (here, venv, sysconfig.get_path("platlib"), sysconfig.get_path("purelib")):
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if directory and os.path.isfile(os.path.join(directory, "pyhd" + suffix)):
                return directory
    return None


def _dump_by_remote_exec(pid, timeout):
    workdir = tempfile.mkdtemp(prefix="pyhd-attach-")
    try:
        # The process reads the script and writes the result: when it runs
        # as another user (pyhd-debug runs as root), the directory is its.
        status = os.stat(f"/proc/{pid}")
        if os.geteuid() == 0 and status.st_uid != 0:
            os.chown(workdir, status.st_uid, status.st_gid)
            os.chmod(workdir, 0o755)
        result = os.path.join(workdir, "result")
        script = os.path.join(workdir, "dump.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(_REMOTE_SCRIPT.format(result=result, module_dir=_module_dir(),
                                          reason=REASON))
        os.chmod(script, 0o644)
        try:
            sys.remote_exec(pid, script)
        except PermissionError as error:
            raise AttachError(f"not allowed to attach to process {pid}: "
                              f"{error.strerror or error}") from None
        except (RuntimeError, OSError) as error:
            message = str(error)
            if "not enabled" in message:
                raise AttachError(
                    f"remote debugging is disabled in process {pid} "
                    "(PYTHON_DISABLE_REMOTE_DEBUG or -X disable_remote_debug)") from None
            raise AttachError(f"cannot run code in process {pid}: {message}") from None
        text = _wait_for(lambda: _read(result), pid, timeout,
                         "run the dump (it runs between two bytecodes of its main "
                         "thread, which may be blocked)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    status, _, detail = text.partition("\n")
    if status != "ok":
        raise AttachError(f"process {pid} could not dump: {detail}")
    if not detail:
        raise AttachError(f"process {pid} has dumps turned off (PYHD_DISABLE)")
    return detail


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="backslashreplace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _wait_for(probe, pid, timeout, doing):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if not os.path.isdir(f"/proc/{pid}"):
            raise AttachError(f"process {pid} ended before it could {doing.split(' (')[0]}")
        if time.monotonic() > deadline:
            raise AttachError(f"process {pid} did not {doing} within {timeout:g} s")
        time.sleep(0.05)


def _pyhd_run_settings(pid):
    """(signal name, dump directory) of a pyhd-run process, from its command
    line and environment as pyhd-run reads them."""
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        argv = [os.fsdecode(a) for a in f.read().split(b"\0")[1:-1]]
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = dict(e.partition(b"=")[::2] for e in f.read().split(b"\0") if e)
    except OSError:
        environ = {}
    name = os.fsdecode(environ.get(b"PYHD_DUMP_SIGNAL", b"URG"))
    directory = environ.get(b"PYHD_DUMP_DIR")
    directory = os.fsdecode(directory) if directory else None
    i = 0
    # pyhd-run's own options come first, up to the script, -m, -c or "-".
    while i < len(argv) and argv[i].startswith("--") and argv[i] != "--":
        option, eq, value = argv[i].partition("=")
        if not eq and option in ("--dump-signal", "--dump-dir") and i + 1 < len(argv):
            i += 1
            value = argv[i]
        if option == "--dump-signal":
            name = value
        elif option == "--dump-dir":
            directory = value
        i += 1
    cwd = os.readlink(f"/proc/{pid}/cwd")
    return name, os.path.join(cwd, directory) if directory else cwd


def _dump_by_signal(pid, timeout):
    try:
        name, directory = _pyhd_run_settings(pid)
    except OSError as error:
        raise AttachError(f"cannot read process {pid}'s settings: "
                          f"{error.strerror or error}") from None
    upper = name.upper()
    signum = getattr(signal, upper if upper.startswith("SIG") else "SIG" + upper, None)
    if upper == "NONE" or not isinstance(signum, signal.Signals):
        raise AttachError(f"pyhd-run process {pid} has no dump signal (--dump-signal={name})")
    pattern = os.path.join(glob.escape(directory), f"pyhd-*-{pid}-*.dump")
    before = set(glob.glob(pattern))
    try:
        os.kill(pid, signum)
    except OSError as error:
        raise AttachError(f"cannot signal process {pid}: {error.strerror or error}") from None

    def new_dump():
        found = sorted(set(glob.glob(pattern)) - before)
        return found[-1] if found else None
    return _wait_for(new_dump, pid, timeout,
                     f"write a dump in {directory} on {signum.name}")
