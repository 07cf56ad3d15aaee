"""setup.py: build pyhd with CMake for the python that runs pip.

The C build is CMake's (CMakeLists.txt); this file only drives it: build_ext
configures and builds into the build directory, puts the pyhd extension module
where setuptools expects it, and install_scripts adds the two executables,
which pip then installs into the environment's bin directory. Needs cmake, a C
compiler, libpython's headers, zlib and libarchive (scripts/setup.sh).
"""

import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.install_scripts import install_scripts

HERE = os.path.dirname(os.path.abspath(__file__))
EXECUTABLES = ("pyhd-run", "pyhd-debug")


class CMakeBuild(build_ext):
    """Configure and build the CMake project once; copy out the extension module."""

    def run(self):
        cmake_dir = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        os.makedirs(cmake_dir, exist_ok=True)
        subprocess.check_call([
            "cmake", "-S", HERE, "-B", cmake_dir,
            "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
            "-DPython3_EXECUTABLE=" + sys.executable,
            "-DPYHD_TESTS=OFF",
        ])
        subprocess.check_call(["cmake", "--build", cmake_dir,
                               "-j%d" % (os.cpu_count() or 1)])
        self.distribution.pyhd_cmake_dir = cmake_dir
        for ext in self.extensions:
            built = [name for name in os.listdir(cmake_dir)
                     if name.startswith(ext.name + ".") and name.endswith(".so")]
            if len(built) != 1:
                raise RuntimeError("CMake built no single %s module in %s" % (ext.name, cmake_dir))
            target = self.get_ext_fullpath(ext.name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(os.path.join(cmake_dir, built[0]), target)


class InstallExecutables(install_scripts):
    """Install pyhd-run and pyhd-debug (ELF executables) beside the scripts."""

    def run(self):
        super().run()
        cmake_dir = getattr(self.distribution, "pyhd_cmake_dir", None)
        if cmake_dir is None:
            self.run_command("build_ext")
            cmake_dir = self.distribution.pyhd_cmake_dir
        os.makedirs(self.install_dir, exist_ok=True)
        for name in EXECUTABLES:
            target = os.path.join(self.install_dir, name)
            shutil.copyfile(os.path.join(cmake_dir, name), target)
            os.chmod(target, 0o755)
            self.outfiles.append(target)


setup(
    ext_modules=[Extension("pyhd", sources=[])],
    # The pytest plugin (pytest -p pyhd_pytest; pyproject.toml's pytest11 entry
    # point loads it by that name), a plain module beside the extension.
    py_modules=["pyhd_pytest"],
    package_dir={"": "src/plugin"},
    cmdclass={"build_ext": CMakeBuild, "install_scripts": InstallExecutables},
    data_files=[
        ("share/man/man1", ["man/pyhd-run.1", "man/pyhd-debug.1"]),
        ("share/man/man5", ["man/pyhd-dump.5"]),
    ],
)
