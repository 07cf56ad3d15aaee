"""test_extension.py: the pyhd extension module under a plain python: pyhd.install() dumps as pyhd-run does."""
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import textwrap
import unittest

from e2e_util import clean_env, dumps_in, manifest, sanitizer_env

DEBUG = os.environ["PYHD_DEBUG"]
PYTHON = os.environ["PYHD_PYTHON"]
BUILD_DIR = os.environ["PYHD_BUILD_DIR"]

DUMP_LINE = re.compile(rb"pyhd: dump written to (/\S+\.dump) \([^)]*\)\n")


def base_env(**extra):
    """clean_env() where a plain python imports the pyhd module built here."""
    return clean_env(**{"PYTHONPATH": BUILD_DIR, **sanitizer_env(), **extra})


class ExtensionTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-ext-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def script(self, text):
        path = os.path.join(self.dir, "prog.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
        return path

    def run_python(self, text, env=None):
        return subprocess.run([PYTHON, self.script(text)], cwd=self.dir,
                              env=env or base_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=300)

    def dumps(self):
        return dumps_in(self.dir)


class Extension(ExtensionTestCase):
    def test_built_without_libpython(self):
        [module] = glob.glob(os.path.join(BUILD_DIR, "pyhd.cpython-*.so"))
        dynamic = subprocess.run(["readelf", "-d", module], stdout=subprocess.PIPE,
                                 check=True).stdout
        self.assertIn(b"libarchive", dynamic)
        self.assertNotIn(b"libpython", dynamic)

    def test_uncaught_exception_dump_opens_in_pyhd_debug(self):
        code = """\
            import pyhd
            pyhd.install()
            def fail(value):
                raise ValueError("boom %d" % value)
            fail(42)
            """
        plain = subprocess.run([PYTHON, self.script(code)],
                               cwd=self.dir, env=dict(base_env(), PYHD_DISABLE="1"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(self.dumps(), [])
        result = self.run_python(code)
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stderr.startswith(plain.stderr), result.stderr)
        [path] = [os.fsdecode(p) for p in DUMP_LINE.findall(result.stderr)]
        self.assertEqual(self.dumps(), [path])
        self.assertEqual(manifest(path)["Trigger"], "uncaught-exception")
        printed = subprocess.run([DEBUG, "--print", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=base_env())
        self.assertEqual(printed.returncode, 0, printed.stderr)
        self.assertIn(b"ValueError: boom 42", printed.stdout)
        self.assertIn(b"in fail", printed.stdout)

    def test_thread_failure(self):
        result = self.run_python("""\
            import threading, pyhd
            pyhd.install()
            t = threading.Thread(target=lambda: [][1], name="indexer")
            t.start(); t.join()
            print("on")
            """)
        self.assertEqual((result.returncode, result.stdout), (0, b"on\n"), result.stderr)
        self.assertIn(b"Exception in thread indexer", result.stderr)
        [path] = self.dumps()
        m = manifest(path)
        self.assertEqual((m["Trigger"], m["Exception-Type"]),
                         ("thread-exception", "builtins.IndexError"))

    def test_dump_signal(self):
        path = self.script("""\
            import os, signal, time, pyhd
            pyhd.install()
            print("ready", flush=True)
            time.sleep(2)
            print("finished")
            """)
        proc = subprocess.Popen([PYTHON, path], cwd=self.dir, env=base_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=lambda: signal.signal(signal.SIGURG, signal.SIG_DFL))
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        proc.send_signal(signal.SIGURG)
        out, err = proc.communicate(timeout=300)
        self.assertEqual((proc.returncode, out), (0, b"finished\n"), err)
        [dump] = self.dumps()
        self.assertEqual(manifest(dump)["Reason"], "SIGURG")

    def test_settings_enabled_and_dump_before_install(self):
        result = self.run_python("""\
            import pyhd
            print(pyhd.enabled(), pyhd.settings()["launcher"], pyhd.settings()["installed"])
            print(pyhd.dump(reason="early") is not None)
            pyhd.install()
            pyhd.install()
            print(pyhd.enabled(), pyhd.settings()["installed"])
            """, env=base_env(PYHD_DUMP_NAME="named.dump"))
        self.assertEqual(result.stdout, b"False extension False\nTrue\nTrue True\n",
                         result.stderr)
        self.assertEqual(self.dumps(), [os.path.join(self.dir, "named.dump")])

    def test_disabled_by_environment(self):
        result = self.run_python("""\
            import pyhd
            pyhd.install()
            print(pyhd.enabled(), pyhd.dump())
            raise ValueError
            """, env=base_env(PYHD_DISABLE="1"))
        self.assertEqual(result.stdout, b"False None\n")
        self.assertNotIn(b"pyhd:", result.stderr)
        self.assertEqual(self.dumps(), [])

    def test_bad_variable_is_a_value_error(self):
        result = self.run_python("""\
            import pyhd
            try:
                pyhd.install()
            except ValueError as e:
                print(e)
            """, env=base_env(PYHD_DUMP_SIGNAL="KILL"))
        self.assertEqual(result.stdout,
                         b"pyhd: PYHD_DUMP_SIGNAL: 'KILL' is not URG, USR1, USR2, HUP, QUIT, "
                         b"TERM or none\n", result.stderr)


if __name__ == "__main__":
    unittest.main()
