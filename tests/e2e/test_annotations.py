"""test_annotations.py: class annotations come back in pyhd-debug, and dumping never runs an annotate function."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from e2e_util import clean_env

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
OTHERS = os.environ.get("PYHD_DEBUG_OTHERS", "").split()

DUMP_LINE = re.compile(r"pyhd: dump written to (/\S+\.dump) ")
# 3.14 evaluates annotations only when asked (PEP 649).
LAZY = sys.version_info >= (3, 14)

PROGRAM = """\
import dataclasses

calls = []

def noted(value):
    calls.append(value)
    return value

class Point:
    x: int
    y: "list[str]"
    z: noted(complex)

@dataclasses.dataclass
class Pair:
    a: int
    b: str = "b"

raise SystemError("stop")
"""


class Annotations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pyhd-test-annotations-")
        script = os.path.join(cls.dir, "annotated.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(PROGRAM)
        proc = subprocess.run([RUN, "--dump-dir", cls.dir, script], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=clean_env(), encoding="utf-8")
        [cls.dump] = DUMP_LINE.findall(proc.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def replies(self, program, *commands):
        args = [program]
        for command in commands:
            args += ["-c", command]
        proc = subprocess.run(args + [self.dump], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=clean_env(), encoding="utf-8")
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        return proc.stdout.splitlines()[-len(commands) - 3:-3]

    def check(self, program):
        calls, point, pair = self.replies(program, "p calls", "p Point.__annotations__",
                                          "p Pair.__annotations__")
        if LAZY:
            # The annotate function never ran, in the program or in the dump;
            # the annotations are read from the source: a name found in the
            # dumped globals or builtins is the object, a call its text.
            self.assertEqual(calls, "[]")
            self.assertEqual(point, "{'x': <class 'int'>, 'y': 'list[str]', "
                                    "'z': 'noted(complex)'}")
        else:
            self.assertEqual(calls, "[<class 'complex'>]")
            self.assertEqual(point, "{'x': <class 'int'>, 'y': 'list[str]', "
                                    "'z': <class 'complex'>}")
        # A dataclass computed them: the values themselves.
        self.assertEqual(pair, "{'a': <class 'int'>, 'b': <class 'str'>}")

    def test_annotations(self):
        self.check(DEBUG)

    def test_other_versions(self):
        if not OTHERS:
            self.skipTest("PYHD_DEBUG_OTHERS is not set")
        for program in OTHERS:
            with self.subTest(program=program):
                self.check(program)


if __name__ == "__main__":
    unittest.main()
