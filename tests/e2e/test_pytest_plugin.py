"""The pytest plugin pyhd_pytest: dumps of failing and hanging tests, with and without xdist.

Runs Debian's pytest and pytest-xdist with the python pyhd was built for
(PYHD_PYTHON) and the pyhd extension module of the build tree
(PYTHONPATH=$PYHD_BUILD_DIR, where the plugin is copied too), then opens each
dump in pyhd-debug at the test's frame. Where that python has no pytest of its
own, Debian's pure-Python one (/usr/lib/python3/dist-packages) is used if it
runs a test there; otherwise the tests are skipped with a line saying why.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

DEBUG = os.environ["PYHD_DEBUG"]
PYTHON = os.environ.get("PYHD_PYTHON") or sys.executable
BUILD_DIR = os.path.abspath(os.environ["PYHD_BUILD_DIR"])
DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import NO_BYTECODE, clean_env, sanitizer_env  # noqa: E402

SAMPLE = '''
import threading
import time

import pytest


class Basket:
    def __init__(self, items):
        self.items = items


@pytest.fixture
def broken():
    config = {"retries": 3}
    raise RuntimeError("fixture broke")


@pytest.fixture
def leaky():
    handle = {"open": True}
    yield handle
    raise OSError("teardown broke")


def test_assert():
    basket = Basket(["apple", "pear"])
    expected = 3
    assert len(basket.items) == expected


def test_fixture(broken):
    pass


def test_teardown(leaky):
    assert leaky["open"]


def test_passes():
    total = 1 + 1
    assert total == 2
'''

HANG = '''
import threading


def test_hang():
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, name="helper", daemon=True)
    helper.start()
    waited_for = "never set"
    stop.wait()
'''

XDIST = '''
import pytest


@pytest.mark.parametrize("n", range(4))
def test_odd(n):
    checked = n * 10
    assert n % 2 == 0
'''


def pytest_environment():
    """(environment, None) to run pytest and pyhd with, or (None, why not)."""
    env = clean_env(PYTHONPATH=BUILD_DIR, **NO_BYTECODE, **sanitizer_env())
    # Importing is not enough: Debian's pytest imports on 3.14 but its assertion
    # rewriting (run on every test module and -p plugin) uses ast.Str, gone in
    # 3.14. So the probe runs pytest, with the plugin, on a passing test.
    probe_dir = tempfile.mkdtemp(prefix="pyhd-test-pytest-probe-")
    try:
        with open(os.path.join(probe_dir, "test_probe.py"), "w") as f:
            f.write("def test_probe():\n    assert True\n")
        probe = [PYTHON, "-c", "import sys, xdist, pyhd, pytest; sys.exit(pytest.main("
                 "['-q', '-p', 'pyhd_pytest', '-p', 'no:cacheprovider', 'test_probe.py']))"]
        last = "?"
        for path in (BUILD_DIR, os.pathsep.join((BUILD_DIR, DEBIAN_PACKAGES))):
            env["PYTHONPATH"] = path
            proc = subprocess.run(probe, env=env, cwd=probe_dir, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=300)
            if proc.returncode == 0:
                return env, None
            last = (proc.stdout.strip().splitlines() or ["?"])[-1]
    finally:
        shutil.rmtree(probe_dir, True)
    return None, f"pytest and pytest-xdist do not run in {PYTHON}: {last}"


class PluginTestCase(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.env, cls.reason = pytest_environment()

    def setUp(self):
        if self.env is None:
            print(f"test_pytest_plugin: skipped: {self.reason}", file=sys.stderr)
            self.skipTest(self.reason)
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-pytest-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def pytest(self, source, *args, name="test_sample.py"):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(textwrap.dedent(source))
        proc = subprocess.run(
            [PYTHON, "-m", "pytest", "-p", "pyhd_pytest", "-p", "no:cacheprovider",
             "-W", "ignore::DeprecationWarning", "-rA", *args, name],
            cwd=self.dir, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=300)
        return proc

    def dumps(self, directory="pyhd-dumps"):
        path = os.path.join(self.dir, directory)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    def debug(self, dump, *commands):
        """pyhd-debug on a dump with pdb commands; stdout."""
        args = [a for c in ("where", *commands) for a in ("-c", c)]
        proc = subprocess.run([DEBUG, *args, "-c", "q", dump], env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        return proc.stdout

    def assertStopsIn(self, output, function):
        current = re.findall(r"(?m)^> \S+\(\d+\)(\S+)\(\)$", output)
        self.assertEqual(current[:1], [function], output)


class Installed(unittest.TestCase):
    def test_installed_beside_the_module(self):
        """cmake --install puts pyhd_pytest.py in the directory of the pyhd module."""
        destdir = tempfile.mkdtemp(prefix="pyhd-test-pytest-install-")
        self.addCleanup(shutil.rmtree, destdir, True)
        proc = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", "/opt/pyhd"],
                              env=dict(os.environ, DESTDIR=destdir), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        where = {}
        for top, _, files in os.walk(destdir):
            for name in files:
                if name == "pyhd_pytest.py" or (name.startswith("pyhd.")
                                                and name.endswith(".so")):
                    where[name.split(".")[0]] = top
        self.assertEqual(sorted(where), ["pyhd", "pyhd_pytest"], proc.stdout)
        self.assertEqual(where["pyhd"], where["pyhd_pytest"])


class FailingTests(PluginTestCase):
    def test_a_dump_per_failing_test_at_its_frame(self):
        proc = self.pytest(SAMPLE, "--pyhd-dumps")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertEqual(self.dumps(), ["test_sample.py_test_assert.dump",
                                        "test_sample.py_test_fixture-setup.dump",
                                        "test_sample.py_test_teardown-teardown.dump"])
        where = os.path.join(self.dir, "pyhd-dumps")
        self.assertIn(f"test_sample.py::test_assert: {where}/test_sample.py_test_assert.dump",
                      proc.stdout)
        self.assertIn(f"test_sample.py::test_fixture (setup): {where}/"
                      "test_sample.py_test_fixture-setup.dump", proc.stdout)
        self.assertRegex(proc.stdout, r"(?m)^pyhd: 3 dumps written; open one with "
                                      r"pyhd-debug FILE$")

        out = self.debug(os.path.join(where, "test_sample.py_test_assert.dump"),
                         "p basket.items, expected")
        self.assertStopsIn(out, "test_assert")
        self.assertIn("(['apple', 'pear'], 3)", out)
        out = self.debug(os.path.join(where, "test_sample.py_test_fixture-setup.dump"),
                         "p config")
        self.assertStopsIn(out, "broken")
        self.assertIn("{'retries': 3}", out)
        out = self.debug(os.path.join(where, "test_sample.py_test_teardown-teardown.dump"),
                         "p handle")
        self.assertStopsIn(out, "leaky")
        self.assertIn("{'open': True}", out)

    def test_directory_and_no_option(self):
        proc = self.pytest(SAMPLE, "--pyhd-dumps=out/dumps", "-k", "assert")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertEqual(self.dumps("out/dumps"), ["test_sample.py_test_assert.dump"])
        proc = self.pytest(SAMPLE, "-k", "assert or passes", name="test_other.py")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertNotIn("pyhd dump", proc.stdout)
        self.assertEqual(self.dumps(), [])

    def test_a_bare_option_leaves_the_test_path(self):
        """--pyhd-dumps suite: suite stays a test path, and its conftest's options work."""
        tests = os.path.join(self.dir, "suite")
        os.mkdir(tests)
        with open(os.path.join(tests, "conftest.py"), "w") as f:
            f.write("def pytest_addoption(parser):\n"
                    "    parser.addoption('--flavour', default='none')\n")
        with open(os.path.join(tests, "test_flavour.py"), "w") as f:
            f.write("def test_flavour(request):\n"
                    "    flavour = request.config.getoption('flavour')\n"
                    "    assert flavour == 'sweet'\n")
        proc = subprocess.run(
            [PYTHON, "-m", "pytest", "-p", "pyhd_pytest", "-p", "no:cacheprovider",
             "--pyhd-dumps", "suite", "--flavour=sour"],
            cwd=self.dir, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=300)
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn("AssertionError: assert 'sour' == 'sweet'", proc.stdout)
        self.assertEqual(self.dumps(), ["suite_test_flavour.py_test_flavour.dump"])

    def test_every_thread_is_in_the_dump(self):
        proc = self.pytest(HANG, "--pyhd-timeout=1")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertRegex(proc.stdout, r"Timeout: still running after 1 s \(in wait at "
                                      r"threading\.py:\d+\); pyhd dump: \S+"
                                      r"test_sample\.py_test_hang-timeout\.dump")
        self.assertEqual(self.dumps(), ["test_sample.py_test_hang-timeout.dump"])
        dump = os.path.join(self.dir, "pyhd-dumps", "test_sample.py_test_hang-timeout.dump")
        out = self.debug(dump, "p waited_for", "threads")
        self.assertStopsIn(out, "test_hang")
        self.assertIn("'never set'", out)
        self.assertRegex(out, r"Thread \d+: helper \(ident")
        self.assertRegex(out, r"Thread \d+: MainThread \(ident")

    def test_xdist_workers(self):
        proc = self.pytest(XDIST, "-n", "2", "--pyhd-dumps")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertRegex(proc.stdout, r"(?m)^created: 2/2 workers$|\[gw1\]")
        names = ["test_sample.py_test_odd_1.dump", "test_sample.py_test_odd_3.dump"]
        self.assertEqual(self.dumps(), names)
        self.assertRegex(proc.stdout, r"(?m)^pyhd: 2 dumps written")
        for n, name in zip((1, 3), names):
            self.assertIn(f"test_sample.py::test_odd[{n}]: ", proc.stdout)
            out = self.debug(os.path.join(self.dir, "pyhd-dumps", name), "p n, checked")
            self.assertStopsIn(out, "test_odd")
            self.assertIn(f"({n}, {n * 10})", out)

    def test_bad_timeout(self):
        proc = self.pytest(SAMPLE, "--pyhd-timeout=0")
        self.assertEqual(proc.returncode, 4, proc.stdout)
        self.assertIn("--pyhd-timeout must be a positive number of seconds", proc.stdout)


if __name__ == "__main__":
    unittest.main()
