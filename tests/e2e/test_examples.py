"""Every program in examples/ runs as a test: as under python, with a dump that pyhd-debug opens.

Each example runs under $PYHD_PYTHON and under $PYHD_RUN: stdout and the exit
status must be equal, stderr equal but for pyhd's one final line, and the dump
must open in pyhd-debug, whose --print must start with what python printed and
whose pdb session (the commands scripts/demo.sh pipes in) must reach the frame
that raised. A new example needs an entry in EXAMPLES, or this test fails.
"""
import glob
import os
import re
import subprocess
import tempfile
import unittest

from e2e_util import NO_BYTECODE, clean_env

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
PYTHON = os.environ["PYHD_PYTHON"]
SOURCE_DIR = os.environ["PYHD_SOURCE_DIR"]
EXAMPLES_DIR = os.path.join(SOURCE_DIR, "examples")

# name -> (arguments, the function of the innermost frame)
EXAMPLES = {
    "divide.py": (["5", "0"], "divide"),
    "crash_chain.py": ([], None),
    "crash_locals.py": ([], None),
    "crash_recursion.py": ([], None),
    "crash_asyncio.py": ([], None),
}

DUMP_LINE = re.compile(rb"^pyhd: dump written to (.+\.dump) \(.*\)\n\Z")


class Examples(unittest.TestCase):
    def test_every_example_is_listed(self):
        found = sorted(os.path.basename(p) for p in glob.glob(os.path.join(EXAMPLES_DIR, "*.py")))
        self.assertEqual(found, sorted(EXAMPLES))

    def test_examples(self):
        for name, (args, innermost) in sorted(EXAMPLES.items()):
            with self.subTest(example=name), tempfile.TemporaryDirectory() as tmp:
                self.check(os.path.join(EXAMPLES_DIR, name), args, innermost, tmp)

    def check(self, path, args, innermost, tmp):
        py = subprocess.run([PYTHON, path] + args, cwd=tmp, env=clean_env(**NO_BYTECODE),
                            capture_output=True, timeout=300)
        hd = subprocess.run([RUN, path] + args, cwd=tmp, env=clean_env(**NO_BYTECODE),
                            capture_output=True, timeout=300)
        self.assertNotEqual(py.returncode, 0, "the example should crash")
        self.assertEqual(hd.returncode, py.returncode)
        self.assertEqual(hd.stdout, py.stdout)
        head, sep, last = hd.stderr.rstrip(b"\n").rpartition(b"\n")
        self.assertEqual(head + sep, py.stderr)
        m = DUMP_LINE.match(last + b"\n")
        self.assertIsNotNone(m, hd.stderr.decode(errors="replace"))
        dump = m.group(1).decode()
        self.assertTrue(os.path.isfile(dump))

        printed = subprocess.run([DEBUG, "--print", dump], capture_output=True, timeout=300,
                                 stdin=subprocess.DEVNULL)
        self.assertEqual(printed.returncode, 0, printed.stderr)
        self.assertTrue(printed.stdout.startswith(py.stderr), printed.stdout)

        session = subprocess.run([DEBUG, dump], input=b"where\nargs\np sorted(locals())\nquit\n",
                                 capture_output=True, timeout=300)
        self.assertEqual(session.returncode, 0, session.stderr)
        out = session.stdout.decode()
        self.assertIn("(Pdb)", out)
        self.assertIn("-> ", out)
        if innermost is not None:
            self.assertRegex(out, r"\n> %s\(\d+\)%s\(\)\n" % (re.escape(path), innermost))


if __name__ == "__main__":
    unittest.main()
