"""test_list.py: pyhd-debug --list DIR, --group and --json: triage of many dumps from their MANIFESTs."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]

DUMP_LINE = re.compile(r"pyhd: dump written to (/\S+\.dump) ")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("PYHD_") or k.startswith("PYTHON") or k == "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


class ListTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pyhd-test-list-")
        cls.dumps = os.path.join(cls.dir, "dumps")
        scripts = {
            "value.py": "raise ValueError('bad value')\n",
            "key.py": "{}['missing']\n",
        }
        for name, text in scripts.items():
            with open(os.path.join(cls.dir, name), "w") as f:
                f.write(text)
        cls.paths = []
        # Three ValueErrors from the same place, one KeyError: two fingerprints.
        for name in ("value.py", "key.py", "value.py", "value.py"):
            proc = subprocess.run([RUN, "--dump-dir", cls.dumps, os.path.join(cls.dir, name)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=clean_env(), cwd=cls.dir)
            cls.paths.append(DUMP_LINE.search(proc.stderr.decode())[1])
        now = time.time()
        for i, path in enumerate(cls.paths):
            os.utime(path, (now - 100 + i, now - 100 + i))
        # Damaged files: not a dump at all, and a dump cut inside its MANIFEST.
        with open(os.path.join(cls.dumps, "pyhd-junk-1.dump"), "wb") as f:
            f.write(b"junk")
        with open(cls.paths[0], "rb") as f:
            head = f.read(600)
        with open(os.path.join(cls.dumps, "pyhd-cut-1.dump"), "wb") as f:
            f.write(head)
        with open(os.path.join(cls.dumps, "notes.txt"), "w") as f:
            f.write("not listed\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def debug(self, *args):
        proc = subprocess.run([DEBUG, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=clean_env())
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def test_list(self):
        rc, out, err = self.debug("--list", self.dumps)
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("TIME (UTC)"), lines[0])
        good = [line for line in lines[1:] if "damaged" not in line]
        damaged = [line for line in lines[1:] if "damaged" in line]
        self.assertEqual(len(good), 4)
        self.assertEqual(len(damaged), 2)
        self.assertTrue(any("pyhd-junk-1.dump: damaged: " in line for line in damaged))
        self.assertTrue(any("pyhd-cut-1.dump: damaged: MANIFEST cut short" in line
                            for line in damaged))
        self.assertNotIn("notes.txt", out)
        # Newest first: the dumps were written in order.
        order = [os.path.basename(p) for p in reversed(self.paths)]
        self.assertEqual([line.split()[-1] for line in good], order)
        self.assertIn("builtins.ValueError: bad value", good[0])
        self.assertIn("builtins.KeyError: 'missing'", good[2])
        self.assertIn("value.py", good[0])
        self.assertIn("uncaught-exception", good[0])

    def test_json(self):
        rc, out, err = self.debug("--list", self.dumps, "--json")
        self.assertEqual((rc, err), (0, ""))
        entries = json.loads(out)
        good = [e for e in entries if "damaged" not in e]
        self.assertEqual([e["file"] for e in good],
                         [os.path.basename(p) for p in reversed(self.paths)])
        first = good[0]
        self.assertEqual(first["program"], "value.py")
        self.assertEqual(first["trigger"], "uncaught-exception")
        self.assertEqual(first["size"], os.path.getsize(self.paths[-1]))
        self.assertRegex(first["fingerprint"], r"^[0-9a-f]{16}$")
        self.assertRegex(first["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertTrue(first["pid"].isdigit())
        self.assertEqual(sum(1 for e in entries if "damaged" in e), 2)

    def test_group(self):
        rc, out, err = self.debug("--list", self.dumps, "--group", "--json")
        self.assertEqual((rc, err), (0, ""))
        groups = {g["exception"].split(":")[0]: g for g in json.loads(out)
                  if g["fingerprint"] != "damaged"}
        self.assertEqual(groups["builtins.ValueError"]["count"], 3)
        self.assertEqual(groups["builtins.KeyError"]["count"], 1)
        self.assertEqual(groups["builtins.ValueError"]["newest"],
                         os.path.basename(self.paths[-1]))
        rc, out, err = self.debug("--list", self.dumps, "--group")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"(?m)^\s+3\s.*builtins\.ValueError: bad value$")
        self.assertRegex(out, r"(?m)^\s+1\s.*builtins\.KeyError: 'missing'$")

    def test_usage_errors(self):
        rc, _, err = self.debug("--list", os.path.join(self.dir, "nowhere"))
        self.assertEqual(rc, 2)
        self.assertRegex(err, r"^pyhd-debug: .*nowhere: No such file or directory\n\Z")
        rc, _, err = self.debug("--group", self.paths[0])
        self.assertEqual(rc, 2)
        self.assertIn("--group goes with --list DIR", err)


if __name__ == "__main__":
    unittest.main()
