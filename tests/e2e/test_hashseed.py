"""e2e: a program run with a fixed str hash seed (PYTHONHASHSEED=N) gets its sets
of strs back in the order it printed them, where their items allow it.

A set iterates in the order of its table: its items' hashes, the table's size
and, for items whose hashes collide, the order they came in. str hashes depend
on the process's seed: pyhd-debug, which started with a random one, printed
{'b', 'a'} where the program printed {'a', 'b'}. pyhd-run names a fixed seed in
the MANIFEST (Hash-Seed), pyhd-debug starts its interpreter with it, and the
rebuilder makes each set again from its items (set_order.h): in the dumped
order, one by one or at its full size at once, then guessing which items
jumped over others. ORACLE says, under python with the same seed, which sets
the two plain ways give back: those must print as the program printed them,
and most others do too. A random seed cannot be reproduced: no Hash-Seed then.
"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import CrashTestCase, crash_program, manifest, run_debug  # noqa: E402

SETS = """
import enum, http, uuid
class Color(enum.Enum):
    RED = 1; GREEN = 2; BLUE = 3; CYAN = 4; MAGENTA = 5; YELLOW = 6
class Level(enum.IntEnum):
    LOW = 1; MID = 5; HIGH = 9; TOP = 33; MAX = 17
class Mode(str, enum.Enum):
    READ = "r"; WRITE = "w"; APPEND = "a"; X = "x"; Y = "y"
words = "the quick brown fox jumps over the lazy dog and keeps running far away".split()
sets = {
    "s": set(words),
    "upper": {w.upper() for w in words},
    "lit": {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"},
    "fs": frozenset(w.title() for w in words[:4]),
    "b": set(w.encode() for w in words),
    "pairs": set((w, len(w)) for w in words),
    "nums": {1000003, 7, 2 ** 40 + 5, 64, 31, -9},
    "ints": {100, 36, 4, 68, 5, 12},
    "colors": {Color.BLUE, Color.RED, Color.CYAN, Color.GREEN, Color.YELLOW},
    "statuses": {http.HTTPStatus.NOT_FOUND, http.HTTPStatus.OK, http.HTTPStatus.GONE},
    "safety": {uuid.SafeUUID.unsafe, uuid.SafeUUID.safe, uuid.SafeUUID.unknown},
    "levels": {Level.TOP, Level.LOW, Level.MAX, Level.MID, Level.HIGH},
    "modes": {Mode.WRITE, Mode.READ, Mode.X, Mode.APPEND, Mode.Y},
}
"""

PROGRAM = SETS + """
def main():
    s, upper, lit, fs, b, pairs, nums, ints, colors, statuses, safety, levels, modes = \
        sets.values()
    for name, value in sets.items():
        print(name, repr(value))
    raise RuntimeError("crash")
main()
"""

# Which of the sets the rebuilder's two ways give back in their order, under python.
ORACLE = SETS + """
for name, value in sets.items():
    order = list(value)
    one_by_one = set()
    for item in order:
        one_by_one.add(item)
    at_once = set(dict.fromkeys(order))
    print(name, list(one_by_one) == order or list(at_once) == order)
"""


class HashSeedTest(CrashTestCase):
    def crash(self, seed):
        """(dump, its MANIFEST, {name: repr the program printed}) of PROGRAM run
        under pyhd-run with PYTHONHASHSEED=seed (None: unset)."""
        env = {"PYTHONHASHSEED": seed} if seed is not None else {}
        directory = os.path.join(self.dir, seed or "random")
        os.mkdir(directory)
        proc, dumps = crash_program(directory, PROGRAM, env)
        self.assertEqual(len(dumps), 1, proc.stderr)
        printed = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
        return dumps[0], manifest(dumps[0]), printed

    def rebuilt(self, dump, names):
        """What p printed for each of names, in pyhd-debug on dump."""
        proc = run_debug(dump, commands=["p %s" % name for name in names])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return dict(zip(names, proc.stdout.splitlines()[-len(names):]))

    def oracle(self, seed):
        """The names of the sets ORACLE says come back, under python with seed."""
        proc = subprocess.run([os.environ["PYHD_PYTHON"], "-c", ORACLE],
                              env=dict(os.environ, PYTHONHASHSEED=seed),
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return [line.split()[0] for line in proc.stdout.splitlines()
                if line.split()[1] == "True"]

    def test_sets_iterate_as_the_program_printed_them(self):
        given_back, names = 0, set()
        for seed in ("4242", "0", "4294967295", "7", "99"):
            with self.subTest(seed=seed):
                dump, fields, printed = self.crash(seed)
                self.assertEqual(fields.get("Hash-Seed"), seed)
                rebuilt = self.rebuilt(dump, list(printed))
                # Those the two plain ways give back always come back; the
                # guesses of which items jumped give back more.
                expected = self.oracle(seed)
                self.assertEqual({name: rebuilt[name] for name in expected},
                                 {name: printed[name] for name in expected})
                same = [name for name in printed if rebuilt[name] == printed[name]]
                given_back += len(same)
                names.update(same)
        print("hashseed: %d of 65 sets given back" % given_back)
        # Most of the 65 sets come back (64 with these seeds); of the strs' and
        # enums', none did before.
        self.assertGreaterEqual(given_back, 60)
        # Each kind of item comes back with some seed: a program's enum members
        # too (they hash by name, as Enum's, since rebuild.c names them first).
        self.assertTrue({"s", "colors", "safety", "statuses", "pairs", "levels", "modes"} <= names,
                        names)

    def test_a_random_seed_is_not_named(self):
        dump, fields, printed = self.crash(None)
        self.assertNotIn("Hash-Seed", fields)
        # Ints hash alike everywhere: their sets come back without a seed.
        expected = [name for name in self.oracle("1") if name in ("nums", "ints")]
        self.assertIn("ints", expected)
        self.assertEqual(self.rebuilt(dump, expected), {name: printed[name] for name in expected})


if __name__ == "__main__":
    unittest.main()
