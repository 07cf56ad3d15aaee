"""test_list.py: triage of many dumps as coredumpctl does it: --list DIR, --group,
--json, filters, and opening a dump of a directory by number."""
import fcntl
import io
import json
import os
import re
import shutil
import struct
import subprocess
import tarfile
import tempfile
import termios
import time
import unittest

from e2e_util import NO_BYTECODE, clean_env, read_pty

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]

DUMP_LINE = re.compile(r"pyhd: dump written to (/\S+\.dump) ")
LONG_MESSAGE = ("row 5 of the report has no amount for the region north-east, so the "
                "summary cannot be totalled")


def rewrite_manifest(source, target, change):
    """Copy the dump source to target with change(text) applied to its MANIFEST."""
    with tarfile.open(source) as old, tarfile.open(target, "w", format=tarfile.USTAR_FORMAT) as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == "MANIFEST":
                data = change(data.decode()).encode()
                member.size = len(data)
            new.addfile(member, io.BytesIO(data))


class ListTestCase(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pyhd-test-list-")
        cls.dumps = os.path.join(cls.dir, "dumps")
        scripts = {
            "value.py": "def check(x):\n    raise ValueError('bad value')\n\ncheck(1)\n",
            "key.py": "{}['missing']\n",
            "report.py": f"raise LookupError({LONG_MESSAGE!r})\n",
        }
        for name, text in scripts.items():
            with open(os.path.join(cls.dir, name), "w") as f:
                f.write(text)
        cls.paths = []
        # Three ValueErrors from the same place, one KeyError, one long
        # message: three fingerprints.
        for name in ("value.py", "key.py", "value.py", "value.py", "report.py"):
            proc = subprocess.run([RUN, "--dump-dir", cls.dumps, os.path.join(cls.dir, name)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=clean_env(**NO_BYTECODE), cwd=cls.dir)
            cls.paths.append(DUMP_LINE.search(proc.stderr.decode())[1])
            time.sleep(0.01)
        cls.files = [os.path.basename(p) for p in cls.paths]
        now = time.time()
        # Damaged files: not a dump at all, and a dump cut inside its
        # MANIFEST; they sort by their mtime, before the dumps.
        junk = os.path.join(cls.dumps, "pyhd-junk-1.dump")
        with open(junk, "wb") as f:
            f.write(b"junk")
        with open(cls.paths[0], "rb") as f:
            head = f.read(600)
        cut = os.path.join(cls.dumps, "pyhd-cut-1.dump")
        with open(cut, "wb") as f:
            f.write(head)
        os.utime(junk, (now - 7300, now - 7300))
        os.utime(cut, (now - 7200, now - 7200))
        with open(os.path.join(cls.dumps, "notes.txt"), "w") as f:
            f.write("not listed\n")
        cls.empty = os.path.join(cls.dir, "empty")
        os.mkdir(cls.empty)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def debug(self, *args, **env):
        proc = subprocess.run([DEBUG, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, env=clean_env(**NO_BYTECODE, **env))
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def test_list_reads_like_coredumpctl(self):
        rc, out, err = self.debug("--list", self.dumps)
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["#", "TIME", "(UTC)", "PROGRAM", "PID", "TRIGGER",
                                            "EXCEPTION", "WHERE", "SIZE", "FILE"])
        self.assertNotIn("notes.txt", out)
        # Numbered rows, oldest first: the newest, number 1, is last; the
        # file name ends each row.
        self.assertEqual([line.split()[0] for line in lines[1:]],
                         ["7", "6", "5", "4", "3", "2", "1"])
        self.assertEqual([line.split()[-1] for line in lines[1:]],
                         ["pyhd-junk-1.dump", "pyhd-cut-1.dump"] + self.files)
        self.assertRegex(lines[2], r"damaged: .*MANIFEST")
        value = lines[3]
        # No "builtins.", the message whole, where it crashed, a human size.
        self.assertIn("  ValueError: bad value  ", value)
        self.assertNotIn("builtins.", out)
        self.assertIn("  value.py:2 in check  ", value)
        self.assertRegex(value, r"  \d+\.\dK  ")
        self.assertIn("  uncaught  ", value)
        self.assertIn(f"LookupError: {LONG_MESSAGE}  report.py:1 in <module>", lines[-1])
        # Columns line up: each header starts where its column does.
        start = lines[0].index("EXCEPTION")
        self.assertTrue(all(line[start - 2:start] == "  " and line[start] != " "
                            for line in lines[3:]), out)

    def test_list_fits_the_terminal(self):
        for width in (140, 170):
            with self.subTest(width=width):
                rc, out, err = self.debug("--list", self.dumps, COLUMNS=str(width))
                self.assertEqual((rc, err), (0, ""))
                lines = out.splitlines()
                for line, name in zip(lines[3:], self.files):
                    self.assertLessEqual(len(line), width, line)
                    self.assertTrue(line.endswith("  " + name), line)
                long = lines[-1]
                self.assertNotIn(LONG_MESSAGE, long)
                # Cut at a word, with "...".
                match = re.search(r"LookupError: (.*?)\.\.\.  ", long)
                self.assertIsNotNone(match, long)
                self.assertTrue(LONG_MESSAGE.startswith(match.group(1)))
                self.assertIn(LONG_MESSAGE[len(match.group(1))], " ,")

    def test_a_real_terminal_sets_the_width(self):
        # A pseudo-terminal of 150 columns, no COLUMNS: the width comes from it.
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 150, 0, 0))
        proc = subprocess.Popen([DEBUG, "--list", self.dumps], stdin=subprocess.DEVNULL,
                                stdout=slave, stderr=slave, env=clean_env(**NO_BYTECODE))
        os.close(slave)
        out = read_pty(master)
        os.close(master)
        self.assertEqual(proc.wait(timeout=60), 0)
        lines = out.decode().replace("\r\n", "\n").splitlines()
        self.assertEqual(len(lines), 8, lines)
        for line, name in zip(lines[3:], self.files):
            self.assertLessEqual(len(line), 150, line)
            self.assertTrue(line.endswith("  " + name), line)
        self.assertNotIn(LONG_MESSAGE, lines[-1])

    def test_a_narrow_terminal_loses_pid_size_and_trigger(self):
        rc, out, err = self.debug("--list", self.dumps, COLUMNS="110")
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["#", "TIME", "(UTC)", "PROGRAM", "EXCEPTION",
                                            "WHERE", "FILE"])
        # The file name is never cut, even where the line then runs on.
        for line, name in zip(lines[3:], self.files):
            self.assertTrue(line.endswith("  " + name), line)
        self.assertRegex(lines[3], r"^5  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  value\.py  ")

    def test_json_is_typed_and_complete(self):
        rc, out, err = self.debug("--list", self.dumps, "--json")
        self.assertEqual((rc, err), (0, ""))
        entries = json.loads(out)
        self.assertEqual([e["number"] for e in entries], [7, 6, 5, 4, 3, 2, 1])
        good = [e for e in entries if "damaged" not in e]
        self.assertEqual([e["file"] for e in good], self.files)
        value = good[-2]
        self.assertEqual(value["path"], self.paths[-2])
        self.assertEqual(value["program"], "value.py")
        self.assertEqual(value["trigger"], "uncaught-exception")
        self.assertEqual(value["exception_type"], "ValueError")
        self.assertEqual(value["exception_message"], "bad value")
        self.assertEqual((value["crash_file"], value["crash_line"], value["crash_function"]),
                         (os.path.join(self.dir, "value.py"), 2, "check"))
        self.assertEqual(value["size"], os.path.getsize(self.paths[-2]))
        self.assertRegex(value["fingerprint"], r"^[0-9a-f]{16}$")
        self.assertRegex(value["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        for field in ("number", "pid", "size", "crash_line", "format_version", "redacted"):
            self.assertIs(type(value[field]), int, field)
        self.assertEqual(value["format_version"], 4)
        self.assertEqual(sum(1 for e in entries if "damaged" in e), 2)

    def test_group(self):
        rc, out, err = self.debug("--list", self.dumps, "--group", "--json")
        self.assertEqual((rc, err), (0, ""))
        groups = json.loads(out)
        by_type = {g.get("exception_type"): g for g in groups}
        value = by_type["ValueError"]
        self.assertEqual(value["count"], 3)
        self.assertEqual(by_type["KeyError"]["count"], 1)
        self.assertEqual(value["newest"], self.files[3])
        self.assertEqual(value["newest_number"], 2)
        self.assertLess(value["first"], value["last"])
        # The most recently seen group last.
        self.assertEqual(groups[-1]["exception_type"], "LookupError")
        rc, out, err = self.debug("--list", self.dumps, "--group")
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines()[0].split(),
                         ["COUNT", "FIRST", "(UTC)", "LAST", "(UTC)", "PROGRAM", "EXCEPTION",
                          "WHERE", "FINGERPRINT", "NEWEST"])
        self.assertRegex(out, r"(?m)^\s+3\s.*ValueError: bad value +value\.py:2 in check +"
                              rf"[0-9a-f]{{16}}  {re.escape(self.files[3])}$")

    def test_filters(self):
        rc, out, err = self.debug("--list", self.dumps, "--program", "value.py", "--json")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual([e["file"] for e in json.loads(out)],
                         [self.files[0], self.files[2], self.files[3]])
        self.assertEqual([e["number"] for e in json.loads(out)], [3, 2, 1])
        rc, out, err = self.debug("--list", self.dumps, "--json")
        fingerprint = json.loads(out)[-1]["fingerprint"]
        rc, out, err = self.debug("--list", self.dumps, "--fingerprint", fingerprint[:6],
                                  "--json")
        self.assertEqual([e["file"] for e in json.loads(out)], [self.files[4]])
        rc, out, err = self.debug("--list", self.dumps, "--since", "1h", "--json")
        self.assertEqual([e["file"] for e in json.loads(out)], self.files)
        rc, out, err = self.debug("--list", self.dumps, "--since", "2999-01-01")
        self.assertEqual((rc, out, err), (0, f"No dumps in {self.dumps} match.\n", ""))
        rc, out, err = self.debug("--list", self.dumps, "--since", "yesterday")
        self.assertEqual(rc, 2)
        self.assertRegex(err, r"^pyhd-debug: --since 'yesterday': .*30m, 2h, 3d\n\Z")

    def test_open_a_directory_by_number(self):
        rc, out, err = self.debug(self.dumps, "--print")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn(f"LookupError: {LONG_MESSAGE}", out)
        rc, out, err = self.debug(self.dumps, "2", "--info")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("Exception-Message: bad value\n", out)
        rc, out, err = self.debug(self.dumps, "1", "--program", "key.py", "-c", "p 1 + 1",
                                  "-c", "q")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn(f"Dump:      {self.paths[1]}\n", out)
        self.assertTrue(out.endswith("\n2\n"), out)
        rc, out, err = self.debug(self.dumps, "9")
        self.assertEqual((rc, out), (2, ""))
        self.assertEqual(err, f"pyhd-debug: {self.dumps}: no dump number 9 (--list "
                              f"{self.dumps} numbers 1 to 7, 1 the newest)\n")
        rc, out, err = self.debug(self.empty)
        self.assertEqual((rc, out, err), (2, "", f"pyhd-debug: {self.empty}: no dumps here\n"))
        rc, out, err = self.debug("--list", self.empty)
        self.assertEqual((rc, out, err), (0, f"No dumps in {self.empty}.\n", ""))
        rc, out, err = self.debug(self.paths[0], "2")
        self.assertEqual(rc, 2)
        self.assertIn("go with a directory of dumps", err)

    def test_newer_format_version(self):
        newer = os.path.join(self.dir, "newer")
        os.mkdir(newer)
        path = os.path.join(newer, "pyhd-future-1-20991231T000000Z.dump")
        rewrite_manifest(self.paths[-2], path,
                         lambda text: text.replace("Format-Version: 4\n", "Format-Version: 7\n")
                         .replace("Pyhd-Version: ", "Pyhd-Version: 9."))
        rc, out, err = self.debug("--info", path)
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("Format-Version: 7\n", out)
        rc, out, err = self.debug("--print", path)
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("ValueError: bad value\n", out)
        rc, out, err = self.debug("--list", newer, "--json")
        entry, = json.loads(out)
        self.assertEqual((entry["format_version"], entry["exception_type"]), (7, "ValueError"))
        rc, out, err = self.debug(path)
        self.assertEqual((rc, out), (2, ""))
        self.assertRegex(err, r"^pyhd-debug: .*: format version 7 is newer than this "
                              r"pyhd-debug .* reads \(version 4\); install pyhd 9\.\S+ or later")

    def test_usage_errors(self):
        rc, _, err = self.debug("--list", os.path.join(self.dir, "nowhere"))
        self.assertEqual(rc, 2)
        self.assertRegex(err, r"^pyhd-debug: .*nowhere: No such file or directory\n\Z")
        rc, _, err = self.debug("--group", self.paths[0])
        self.assertEqual(rc, 2)
        self.assertIn("--group goes with --list DIR", err)


if __name__ == "__main__":
    unittest.main()
