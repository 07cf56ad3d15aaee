"""e2e_util.py: what the end-to-end tests share: a clean environment, running pyhd-run and pyhd-debug, reading a dump's members.

The tests are run as scripts (tests/CMakeLists.txt), so this file's folder is
sys.path[0] and `import e2e_util` finds it.
"""
import json
import os
import re
import subprocess
import tarfile
import tempfile
import textwrap
import unittest

# Leave fatal signals to pyhd and python when pyhd-run is built with ASan.
NO_ASAN_SIGNALS = "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0"
# clean_env(**NO_BYTECODE): python writes no .pyc files.
NO_BYTECODE = {"PYTHONDONTWRITEBYTECODE": "1"}
DUMP_WRITTEN = re.compile(rb"pyhd: dump written to (/\S+\.dump) \(")
# What the checker of run_checker() prints before its JSON facts.
CHECK_MARK = "@@pyhd-check@@"
# What every checker of run_checker() starts with.
CHECK_PRELUDE = """\
import _pyhd, json, sys
DUMP = %r
TRUST = %r
def innermost_locals(loaded):
    '''The locals of the innermost frame of the first exception's traceback.'''
    tb = loaded['exceptions'][0][1]
    while tb.next is not None:
        tb = tb.next
    return tb.frame.locals
"""


def clean_env(**extra):
    """The caller's environment without pyhd, python, virtualenv or terminal-size
    settings (ASan, if built with it, keeps no leak check), then extra."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("PYHD_") or k.startswith("PYTHON")
                   or k in ("VIRTUAL_ENV", "NO_COLOR", "FORCE_COLOR", "COLUMNS"))}
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env.update(extra)
    return env


def signal_env(**extra):
    """clean_env(), where ASan (if built with it) leaves fatal signals alone."""
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), NO_ASAN_SIGNALS]))
    return clean_env(**{"ASAN_OPTIONS": asan, **extra})


def sanitizer_env():
    """What a plain python needs to import a module of a sanitized build: the
    sanitizer runtimes loaded first ({"LD_PRELOAD": ...}); {} for a plain build."""
    try:
        with open(os.path.join(os.environ["PYHD_BUILD_DIR"], "CMakeCache.txt"),
                  encoding="utf-8") as f:
            sanitized = "PYHD_SANITIZE:BOOL=ON" in f.read()
    except OSError:
        sanitized = False
    if not sanitized:
        return {}
    libs = [subprocess.run(["gcc", "-print-file-name=" + name], stdout=subprocess.PIPE,
                           check=True).stdout.decode().strip()
            for name in ("libasan.so", "libubsan.so")]
    return {"LD_PRELOAD": " ".join(libs)}


def write_program(path, text):
    """Write text, dedented, to path (making its folder); returns path."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(textwrap.dedent(text))
    return path


def dumps_in(directory):
    """The paths of the dumps in directory, sorted."""
    return sorted(os.path.join(directory, n) for n in os.listdir(directory)
                  if n.endswith(".dump"))


def run_pyhd(args, cwd, env=None, timeout=300, **kwargs):
    """Run `pyhd-run ARGS` in cwd with clean_env() (or env), its output
    captured (bytes unless kwargs say text=True). Returns (proc, the path
    the first "pyhd: dump written to" line names, or None)."""
    proc = subprocess.run([os.environ["PYHD_RUN"], *args], cwd=cwd, env=env or clean_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                          **kwargs)
    stderr = proc.stderr if isinstance(proc.stderr, bytes) else os.fsencode(proc.stderr)
    match = DUMP_WRITTEN.search(stderr)
    return proc, os.fsdecode(match[1]) if match else None


def crash_program(directory, program, env=None, timeout=120):
    """Write program (source text) as prog.py in directory and run it there
    under pyhd-run, with the caller's environment and env, output as text.
    Returns (proc, the dumps in directory)."""
    write_program(os.path.join(directory, "prog.py"), program)
    proc, _ = run_pyhd(["prog.py"], directory, env=dict(os.environ, **(env or {})),
                       timeout=timeout, text=True)
    return proc, dumps_in(directory)


def one_dump(directory, program):
    """crash_program() that must leave one dump, whose path is returned."""
    proc, dumps = crash_program(directory, program)
    if len(dumps) != 1:
        raise AssertionError(proc.stderr)
    return dumps[0]


def run_debug(dump, *options, commands=(), cwd=None, env=None, timeout=300):
    """Run `pyhd-debug OPTIONS -c COMMAND... -c q DUMP` (no -c at all without
    commands) with stdin closed and clean_env() (or env). Returns the
    CompletedProcess, its output as text."""
    argv = [os.environ["PYHD_DEBUG"], *options]
    for command in commands:
        argv += ["-c", command]
    if commands:
        argv += ["-c", "q"]
    return subprocess.run(argv + [dump], cwd=cwd, env=env or clean_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def run_checker(dump, checker, directory, trust=False, env=None, timeout=120):
    """Run checker (source text that sets `facts`) inside pyhd-debug on dump
    (with --trust if trust), after CHECK_PRELUDE: DUMP and TRUST name the dump
    and trust, _pyhd, json and sys are imported, innermost_locals(loaded) is
    defined. Returns (facts, proc); raises AssertionError when the checker
    printed no facts."""
    script = os.path.join(directory, "checker.py")
    with open(script, "w", encoding="utf-8") as f:
        f.write(CHECK_PRELUDE % (dump, trust))
        f.write(textwrap.dedent(checker))
        f.write("\nprint(%r + json.dumps(facts))\n" % CHECK_MARK)
    proc = run_debug(dump, *(["--trust"] if trust else []),
                     commands=["!exec(open(%r).read(), {})" % script], cwd=directory,
                     env=env, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(CHECK_MARK)]
    if len(lines) != 1:
        raise AssertionError("no result from the checker:\n%s\n%s" % (proc.stdout, proc.stderr))
    return json.loads(lines[0][len(CHECK_MARK):]), proc


def load_each(paths):
    """A checker for run_checker() that gives _pyhd.load() each of paths and
    repr()s every root: facts = {'ok': how many loaded, 'refused': how many
    raised DumpError, 'other': ["PATH: error"] for any other exception}."""
    return """
        facts = {'ok': 0, 'refused': 0, 'other': []}
        for p in %r:
            try:
                r = _pyhd.load(p)
                [repr(v) for v in r['roots'].values()]
                facts['ok'] += 1
            except _pyhd.DumpError:
                facts['refused'] += 1
            except Exception as e:
                facts['other'].append('%%s: %%r' %% (p, e))
        """ % (paths,)


class CrashTestCase(unittest.TestCase):
    """A fresh folder per test, self.dir, where dump() crashes a program."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def dump(self, program, env=None):
        """crash_program() in self.dir: it must fail and leave one dump there,
        whose path is returned."""
        proc, dumps = crash_program(self.dir, program, env)
        self.assertNotEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(dumps), 1, proc.stderr)
        return dumps[0]


def read_pty(master):
    """All a pseudo-terminal's other side wrote, read from master until that
    side is closed (Linux then fails the read with EIO)."""
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def manifest_lines(path):
    """The lines of a dump's MANIFEST."""
    with tarfile.open(path) as tar:
        return tar.extractfile("MANIFEST").read().decode().splitlines()


def manifest(path):
    """A dump's MANIFEST as a dict."""
    return dict(line.split(": ", 1) for line in manifest_lines(path))


def member(path, name):
    """A member of a dump, as text."""
    with tarfile.open(path) as tar:
        return tar.extractfile(name).read().decode()


def without_pyhd_lines(data):
    """Output (bytes) without pyhd's own "pyhd: " lines."""
    return b"".join(line for line in data.splitlines(keepends=True)
                    if not line.startswith(b"pyhd: "))
