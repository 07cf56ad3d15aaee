"""test_retention.py: the dump directory (created 0700, refused when others can write it), retention, free-space floor, disk full."""
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
import unittest

import e2e_util
from e2e_util import NO_BYTECODE, clean_env

DUMP_LINE = re.compile(r"pyhd: dump written to (/\S+\.dump) ")
NO_DUMP = re.compile(r"pyhd: no dump: (.*)\n\Z")


class RetentionTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-retention-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.script = os.path.join(self.dir, "crash.py")
        with open(self.script, "w") as f:
            f.write("import os\nblob = os.urandom(int(os.environ.get('BLOB', '0')))\n"
                    "raise ValueError('crash')\n")
        self.dumps = os.path.join(self.dir, "dumps")

    def run_pyhd(self, *options, **env):
        proc, _ = e2e_util.run_pyhd([*options, self.script], self.dir,
                                    env=clean_env(**NO_BYTECODE, **env))
        self.assertEqual(proc.returncode, 1)
        return proc.stderr.decode()

    def dump(self, *options, **env):
        stderr = self.run_pyhd("--dump-dir", self.dumps, *options, **env)
        match = DUMP_LINE.search(stderr)
        self.assertIsNotNone(match, stderr)
        return match[1]

    def no_dump(self, *options, **env):
        stderr = self.run_pyhd(*options, **env)
        match = NO_DUMP.search(stderr)
        self.assertIsNotNone(match, stderr)
        return match[1]

    def aged_dumps(self, n):
        """n dumps, the first the oldest (their times set a minute apart)."""
        paths = [self.dump("--max-dumps=0", "--max-use=0") for _ in range(n)]
        now = time.time()
        for i, path in enumerate(paths):
            os.utime(path, (now - 60 * (n - i), now - 60 * (n - i)))
        return paths


class Directory(RetentionTestCase):
    def test_missing_directory_created_private(self):
        self.dumps = os.path.join(self.dir, "a", "b", "dumps")
        old = os.umask(0o022)
        try:
            self.dump()
        finally:
            os.umask(old)
        for d in (os.path.join(self.dir, "a"), os.path.join(self.dir, "a", "b"), self.dumps):
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700, d)

    def test_writable_by_others_refused(self):
        os.mkdir(self.dumps)
        os.chmod(self.dumps, 0o777)
        reason = self.no_dump("--dump-dir", self.dumps)
        self.assertEqual(reason, "dump directory %s: others can write to it (mode 0777) and it "
                         "is not sticky; refusing it (use a private directory)" % self.dumps)
        self.assertEqual(os.listdir(self.dumps), [])

    def test_sticky_directory_accepted(self):
        os.mkdir(self.dumps)
        os.chmod(self.dumps, 0o1777)
        path = self.dump()
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)

    def test_keep_free_floor(self):
        for options, env in ((["--keep-free=1000000G"], {}), ([], {"PYHD_KEEP_FREE": "1000000G"})):
            with self.subTest(options=options, env=env):
                reason = self.no_dump("--dump-dir", self.dir, *options, **env)
                self.assertRegex(reason, r"^dump directory %s: .* free, a dump would leave less "
                                 r"than --keep-free=" % re.escape(self.dir))
                self.assertEqual(sorted(os.listdir(self.dir)), ["crash.py"])


class Retention(RetentionTestCase):
    def test_max_dumps_keeps_the_newest(self):
        old = self.aged_dumps(3)
        os.makedirs(self.dumps, exist_ok=True)
        # Not pyhd dumps: wrong name, or the right name but not a dump. Never deleted.
        others = ["notes.txt", "pyhd-fake-1.dump", "other.dump"]
        for name in others:
            with open(os.path.join(self.dumps, name), "w") as f:
                f.write("not a dump\n")
            os.utime(os.path.join(self.dumps, name), (1, 1))
        new = self.dump("--max-dumps=2")
        left = sorted(os.listdir(self.dumps))
        self.assertEqual(left, sorted(others + [os.path.basename(old[2]),
                                                os.path.basename(new)]))

    def test_max_dumps_from_the_environment(self):
        self.aged_dumps(2)
        new = self.dump(PYHD_MAX_DUMPS="1")
        self.assertEqual(os.listdir(self.dumps), [os.path.basename(new)])

    def test_max_use(self):
        old = self.aged_dumps(3)
        size = os.path.getsize(old[0])
        # Room for two dumps of this size (the new one and the newest old one).
        new = self.dump("--max-use=%d" % (2 * size + size // 2))
        self.assertEqual(sorted(os.listdir(self.dumps)),
                         sorted([os.path.basename(old[2]), os.path.basename(new)]))
        # A limit below the new dump's own size never deletes the new dump.
        newer = self.dump("--max-use=1K")
        self.assertEqual(os.listdir(self.dumps), [os.path.basename(newer)])

    def test_defaults_keep_a_hundred(self):
        old = self.aged_dumps(3)
        self.dump()
        self.assertEqual(len(os.listdir(self.dumps)), 4)
        self.assertTrue(all(os.path.exists(p) for p in old))


class DiskFull(RetentionTestCase):
    def test_full_disk_leaves_no_partial_file(self):
        mnt = os.path.join(self.dir, "small")
        os.mkdir(mnt)
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k,mode=0700", "tmpfs", mnt],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            self.skipTest("cannot mount a small tmpfs here (%s): the unit tests inject "
                          "ENOSPC instead" % proc.stderr.decode().strip())
        self.addCleanup(subprocess.run, ["umount", mnt])
        # 512 KiB of random bytes do not compress: the dump cannot fit in 128 KiB.
        reason = self.no_dump("--dump-dir", mnt, "--keep-free=0", BLOB=str(512 * 1024))
        self.assertIn("No space left on device", reason)
        self.assertEqual(os.listdir(mnt), [])
        # With the default floor the dump is refused before anything is written.
        reason = self.no_dump("--dump-dir", mnt, BLOB="0")
        self.assertIn("--keep-free=", reason)
        self.assertEqual(os.listdir(mnt), [])


if __name__ == "__main__":
    unittest.main()
