"""test_attach.py: pyhd-debug --attach PID dumps a running python and opens the dump."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from e2e_util import clean_env, manifest, sanitizer_env

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
PYTHON = os.environ["PYHD_PYTHON"]

WROTE_LINE = re.compile(r"\Apyhd-debug: process (\d+) wrote (/\S+\.dump)\n\Z")
REMOTE_EXEC = hasattr(sys, "remote_exec")

PROGRAM = """\
import sys, time
def spin():
    counter = 41
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    while True:
        time.sleep(0.02)
spin()
"""


def may_trace_others():
    """Remote execution needs ptrace rights over a process that is not
    pyhd-debug's child: root, or Yama's ptrace_scope 0 (or no Yama)."""
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            scope = int(f.read())
    except OSError:
        scope = 0
    return os.geteuid() == 0 or scope == 0


class Attach(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-attach-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.script = os.path.join(self.dir, "spin.py")
        with open(self.script, "w", encoding="utf-8") as f:
            f.write(PROGRAM)

    def start(self, argv, **env):
        proc = subprocess.Popen(argv, cwd=self.dir, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=clean_env(**env))
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        return proc

    def attach(self, pid, *options):
        return subprocess.run([DEBUG, "--attach", str(pid), *options], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=clean_env(), timeout=120,
                              encoding="utf-8", errors="replace")

    def check_dump(self, proc, result, trigger, reason):
        match = WROTE_LINE.match(result.stderr)
        self.assertIsNotNone(match, result.stderr)
        self.assertEqual(int(match.group(1)), proc.pid)
        path = match.group(2)
        self.assertEqual(os.path.dirname(path), self.dir)
        self.assertEqual(result.returncode, 0)
        self.assertIn(f'File "{self.script}", line 7, in spin', result.stdout)
        m = manifest(path)
        self.assertEqual((m["Pid"], m["Trigger"], m.get("Reason")), (str(proc.pid), trigger, reason))
        # The process goes on.
        time.sleep(0.2)
        self.assertIsNone(proc.poll())
        return path

    def test_plain_python(self):
        if not REMOTE_EXEC:
            proc = self.start([PYTHON, self.script])
            result = self.attach(proc.pid)
            self.assertEqual(result.returncode, 2)
            self.assertRegex(result.stderr, r"\Apyhd-debug: process \d+ is not run by "
                             r"pyhd-run, .* needs sys\.remote_exec .*\n\Z")
            return
        if not may_trace_others():
            self.skipTest("this user may not trace other processes (Yama ptrace_scope)")
        proc = self.start([PYTHON, self.script], **sanitizer_env())
        result = self.attach(proc.pid, "--threads")
        self.check_dump(proc, result, "api", "pyhd-debug --attach")
        # The script's frame sits on top of the main thread's stack.
        self.assertIn("in _pyhd_attach", result.stdout)

    def test_remote_debugging_disabled(self):
        if not REMOTE_EXEC:
            self.skipTest("sys.remote_exec is new in 3.14")
        proc = self.start([PYTHON, self.script], PYTHON_DISABLE_REMOTE_DEBUG="1")
        result = self.attach(proc.pid)
        self.assertEqual((result.returncode, result.stdout), (2, ""))
        self.assertEqual(result.stderr, f"pyhd-debug: remote debugging is disabled in process "
                         f"{proc.pid} (PYTHON_DISABLE_REMOTE_DEBUG or -X disable_remote_debug)\n")
        self.assertEqual(os.listdir(self.dir), ["spin.py"])

    def test_pyhd_run_by_its_dump_signal(self):
        # Remote execution disabled: the dump signal is the way in, as on every
        # Python before 3.14.
        proc = self.start([RUN, "--dump-signal=USR2", self.script],
                          PYTHON_DISABLE_REMOTE_DEBUG="1")
        result = self.attach(proc.pid, "--threads")
        self.check_dump(proc, result, "signal", "SIGUSR2")

    def test_no_such_process(self):
        result = self.attach(2 ** 22 + 1)
        self.assertEqual((result.returncode, result.stdout, result.stderr),
                         (2, "", f"pyhd-debug: no process {2 ** 22 + 1}\n"))
        result = self.attach("self")
        self.assertEqual((result.returncode, result.stderr),
                         (2, "pyhd-debug: --attach takes a process id, not 'self'\n"))


if __name__ == "__main__":
    unittest.main()
