"""test_install.py: `cmake --install` honours CMAKE_INSTALL_PREFIX and DESTDIR for every file,
the pyhd module included, and the installed binaries carry no path into the build tree."""
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import unittest

BUILD_DIR = os.environ["PYHD_BUILD_DIR"]
SOURCE_DIR = os.environ["PYHD_SOURCE_DIR"]
PYTHON = os.environ["PYHD_PYTHON"]


def cache_value(name):
    with open(os.path.join(BUILD_DIR, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].rstrip("\n")
    return None


class InstallTest(unittest.TestCase):
    prefix = "/opt/pyhd-test-prefix"

    @classmethod
    def setUpClass(cls):
        cls.destdir = tempfile.mkdtemp(prefix="pyhd-test-install-")
        env = dict(os.environ, DESTDIR=cls.destdir)
        result = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", cls.prefix],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        cls.log = result.stdout.decode(errors="replace")
        cls.status = result.returncode
        cls.root = cls.destdir + cls.prefix

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.destdir, True)

    def installed_files(self):
        found = []
        for top, _, files in os.walk(self.destdir):
            found += [os.path.join(top, name) for name in files]
        return found

    def test_every_file_lands_under_destdir_and_prefix(self):
        self.assertEqual(self.status, 0, self.log)
        files = self.installed_files()
        self.assertTrue(files, self.log)
        outside = [f for f in files if not f.startswith(self.root + "/")]
        self.assertEqual(outside, [], "installed outside DESTDIR/PREFIX:\n" + self.log)
        rel = sorted(os.path.relpath(f, self.root) for f in files)
        for expected in ("bin/pyhd-run", "bin/pyhd-debug", "share/man/man1/pyhd-run.1",
                         "share/man/man1/pyhd-debug.1", "share/man/man5/pyhd-dump.5"):
            self.assertIn(expected, rel)

    def test_module_goes_to_the_pythons_directory_under_the_prefix(self):
        self.assertEqual(self.status, 0, self.log)
        moddir = cache_value("PYHD_PYTHON_INSTALL_DIR")
        self.assertFalse(os.path.isabs(moddir), moddir)
        modules = [f for f in self.installed_files() if os.path.basename(f).startswith("pyhd.")
                   and f.endswith(".so")]
        self.assertEqual(len(modules), 1, self.installed_files())
        self.assertEqual(os.path.dirname(modules[0]), os.path.join(self.root, moddir))
        # The python it was built for imports it from there.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONPATH"] = os.path.dirname(modules[0])
        if "LD_PRELOAD" not in env and cache_value("PYHD_SANITIZE") == "ON":
            self.skipTest("a sanitized module needs the sanitizer runtime preloaded")
        out = subprocess.run([PYTHON, "-c", "import pyhd; print(pyhd.__file__)"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertEqual(out.stdout.decode().strip(), modules[0])

    def test_no_path_into_the_build_tree(self):
        self.assertEqual(self.status, 0, self.log)
        if not shutil.which("readelf"):
            self.skipTest("readelf missing")
        build = os.path.realpath(BUILD_DIR)
        for f in self.installed_files():
            if not (f.endswith(".so") or "/bin/" in f):
                continue
            dyn = subprocess.run(["readelf", "-d", f], stdout=subprocess.PIPE).stdout.decode()
            for line in dyn.splitlines():
                if "RPATH" in line or "RUNPATH" in line:
                    self.assertNotIn(build, line, f)
                    self.assertNotIn(os.path.realpath(SOURCE_DIR) + "/", line, f)
            # Strings the code uses (not the debug information, which names its sources).
            # A sanitized build keeps its source file names in .rodata for its reports.
            if cache_value("PYHD_SANITIZE") == "ON":
                continue
            rodata = subprocess.run(["readelf", "-p", ".rodata", f], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL).stdout.decode(errors="replace")
            naming = [line.strip() for line in rodata.splitlines() if build + "/" in line]
            self.assertEqual(naming[:5], [], f + " names the build tree")


if __name__ == "__main__":
    unittest.main()
