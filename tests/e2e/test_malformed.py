"""e2e: pyhd-debug refuses damaged or foreign files with one clear line and exit status 2.

A real dump is damaged in many ways (cut short, bytes flipped, another format
version, members missing, not a tar at all); every time pyhd-debug must print
exactly one line on stderr, `pyhd-debug: FILE: message`, no traceback, exit 2,
and finish promptly.
"""

import glob
import io
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zlib

from e2e_util import load_each, one_dump, run_checker

RUN = os.environ.get("PYHD_RUN")
DEBUG = os.environ.get("PYHD_DEBUG")

PROGRAM = """
import collections
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
def f(n):
    points = [Point(i, -i) for i in range(n)]
    names = {str(i): 'n' * i for i in range(n)}
    history = collections.deque(points[:5])
    raise ValueError('bad', n)
f(40)
"""


class MalformedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.dir = cls._tmp.name
        path = one_dump(cls.dir, PROGRAM)
        with open(path, "rb") as f:
            cls.good = f.read()
        with tarfile.open(path) as tar:
            cls.members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
            graph = tar.getmember("graph.z")
            cls.graph_offset, cls.graph_size = graph.offset_data, graph.size

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def tar(self, members):
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return out.getvalue()

    def with_graph(self, graph):
        """The good dump's members with graph.z replaced."""
        return self.tar([(n, graph if n == "graph.z" else d) for n, d in self.members])

    def refused(self, path, message=None):
        """pyhd-debug on path: exit 2, one line on stderr naming the file; returns the line.

        --locals rebuilds the whole graph (--print and --info read only the
        MANIFEST and traceback.txt, so they work on a dump whose graph is bad).
        """
        proc = subprocess.run([DEBUG, "--locals", path], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)
        lines = proc.stderr.splitlines()
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertTrue(lines[0].startswith("pyhd-debug: %s: " % path), lines[0])
        self.assertNotIn("Traceback", proc.stderr)
        if message is not None:
            self.assertEqual(lines[0], "pyhd-debug: %s: %s" % (path, message))
        return lines[0]

    # ----------------------------------------------------------------------

    def test_good_dump_loads(self):
        path = self.write("good.dump", self.good)
        proc = subprocess.run([DEBUG, "--locals", path], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("ValueError: ('bad', 40)", proc.stdout)

    def test_empty_file(self):
        self.refused(self.write("empty.dump", b""))

    def test_garbage(self):
        self.refused(self.write("garbage.dump", os.urandom(3000)))
        self.refused(self.write("text.dump", b"hello, this is not a dump\n" * 40))

    def test_not_a_tar(self):
        self.refused(self.write("prog.dump", PROGRAM.encode()))

    def test_missing_file(self):
        self.refused(os.path.join(self.dir, "does-not-exist.dump"))

    def test_truncated_at_several_offsets(self):
        n = len(self.good)
        cuts = sorted({1, 100, 511, 512, 1024, self.graph_offset + 10,
                       self.graph_offset + self.graph_size // 2,
                       self.graph_offset + self.graph_size - 1, n // 2})
        for cut in cuts:
            if cut < n and cut < self.graph_offset + self.graph_size:
                with self.subTest(cut=cut):
                    self.refused(self.write("cut-%d.dump" % cut, self.good[:cut]))

    def test_flipped_bytes_in_graph(self):
        # Not the last deflate byte (before the 4-byte Adler-32): its high bits may be
        # padding after the final block, and flipping only those leaves a valid stream.
        # Nor the Adler-32 itself: the graph's own CRC-32 checks the inflated bytes, so
        # a damaged trailer over intact data opens (tests/unit/test_decode.c).
        last = self.graph_size - 5
        for pos in range(0, self.graph_size, max(1, self.graph_size // 25)):
            if pos >= last:
                continue
            data = bytearray(self.good)
            data[self.graph_offset + pos] ^= 0x5A
            with self.subTest(pos=pos):
                self.refused(self.write("flip-%d.dump" % pos, bytes(data)))

    def test_wrong_version(self):
        raw = bytearray(zlib.decompress(dict(self.members)["graph.z"]))
        raw[8] = 7  # the version varint follows the 8-byte magic
        path = self.write("v7.dump", self.with_graph(zlib.compress(bytes(raw))))
        self.refused(path, "unsupported format version 7 (this pyhd-debug reads 4)")

    def test_bad_checksum(self):
        raw = bytearray(zlib.decompress(dict(self.members)["graph.z"]))
        raw[-1] ^= 0xFF  # the last byte of the END record's CRC
        path = self.write("crc.dump", self.with_graph(zlib.compress(bytes(raw))))
        self.assertTrue(self.refused(path).endswith(")"))
        self.assertIn("bad checksum in graph.z", self.refused(path))

    def test_truncated_graph_stream(self):
        raw = zlib.decompress(dict(self.members)["graph.z"])
        path = self.write("short.dump", self.with_graph(zlib.compress(raw[:len(raw) // 2])))
        self.assertIn(": truncated graph at record ", self.refused(path))

    def test_not_zlib(self):
        path = self.write("notz.dump", self.with_graph(b"PYHDGRPH\x01 not deflated"))
        self.assertIn("corrupt graph.z", self.refused(path))

    def test_missing_members(self):
        path = self.write("nograph.dump",
                          self.tar([(n, d) for n, d in self.members if n != "graph.z"]))
        self.refused(path, "not a pyhd dump (no graph.z member)")
        path = self.write("nomanifest.dump",
                          self.tar([(n, d) for n, d in self.members if n != "MANIFEST"]))
        self.refused(path, "not a pyhd dump (no MANIFEST member)")

    def handmade(self, records, count, roots=b"\x00"):
        """A dump whose graph holds records (kind, payload) after ROOTS (empty by default).
        Records hand out no fresh ids: references are absolute (id + 1)."""
        out = bytearray(b"PYHDGRPH\x01")
        for kind, payload in [(0xC0, roots)] + records:
            out += bytes([kind, 0, len(payload)]) + payload
        crc = zlib.crc32(out)
        out += bytes([0xFF, 0, 5, count]) + crc.to_bytes(4, "little")
        return self.with_graph(zlib.compress(bytes(out)))

    def test_handmade_graphs(self):
        # A tuple holding itself: no Python program makes one; refused, not crashed on.
        path = self.write("tuple-cycle.dump", self.handmade([(0x0D, b"\x01\x01\x02")], 1))
        self.refused(path, "bad record 2 (byte 13): TUPLE: a cycle of immutable objects "
                           "(no Python program makes one)")
        # A FRAME whose code is a STR.
        path = self.write("frame-code.dump", self.handmade(
            [(0x0A, b"\x01\x01f"), (0x1D, b"\x02\x00\x00\x01\x01\x00\x00\x00\x00")], 2))
        self.refused(path, "bad record 3 (byte 19): FRAME: code id 1 is a STR, not a CODE")
        # An id past the end.
        path = self.write("range.dump", self.handmade([(0x0E, b"\x01\x01\x0a")], 1))
        self.refused(path, "bad record 2 (byte 13): LIST: item id 9 out of range "
                           "(the graph has 1 objects)")
        # Kinds from a newer writer: an unknown object kind becomes a placeholder that
        # keeps its id, an unknown meta kind is skipped. Loaded from a session on a good dump.
        path = self.write("unknown.dump", self.handmade(
            [(0xB0, b"xyz"), (0xD0, b"")], 1, roots=b"\x01\x01x\x02"))
        good = self.write("good2.dump", self.good)
        proc = subprocess.run([DEBUG, "-c", "!import _pyhd; r = _pyhd.load(%r); "
                               "print('LOADED', r['objects'], r['roots'])" % path,
                               "-c", "q", good], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)
        self.assertIn("LOADED 1 {'x': <unknown object (record kind 0xb0)>}", proc.stdout)

    def test_mutated_graphs_load_or_refuse(self):
        # Bytes changed inside records with the CRC made right again, so that the
        # damage reaches the validator and the rebuilder: each load either
        # returns or raises DumpError; nothing else, and the process survives.
        rng = random.Random(20261122)
        raw = zlib.decompress(dict(self.members)["graph.z"])
        end = raw.rindex(b"\xff", 0, len(raw) - 5)
        while raw[end + 1] != 0 or raw[end + 2] != len(raw) - end - 3:  # END: fresh 0, length
            end = raw.rindex(b"\xff", 0, end)
        paths = []
        for i in range(150):
            body = bytearray(raw[:end])
            for _ in range(rng.randint(1, 3)):
                body[rng.randrange(9, end)] = rng.randrange(256)
            graph = bytes(body) + raw[end:-4] + zlib.crc32(body).to_bytes(4, "little")
            paths.append(self.write("mut-%03d.dump" % i, self.with_graph(zlib.compress(graph))))
        good = self.write("good3.dump", self.good)
        outcome, proc = run_checker(good, load_each(paths), self.dir, env=dict(os.environ),
                                    timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        self.assertEqual(outcome["other"], [])
        self.assertEqual(outcome["ok"] + outcome["refused"], 150)
        self.assertGreater(outcome["refused"], 0)

    def test_broken_argv_in_manifest(self):
        """A MANIFEST Argv that is not a whole JSON list opens; the header shows it as text.

        _json.scanstring raises SystemError instead of ValueError on an
        unterminated string until json.decoder is imported (3.11).
        """
        for argv in ('["', '["prog.py', '["\\', '["a", "\\u12', '["a" "b"]', '[1, 2]', '7', '{"a": 1}'):
            manifest = b"".join(
                b"Argv: " + argv.replace("\\", "\\\\").encode() + b"\n"
                if line.startswith(b"Argv:") else line + b"\n"
                for line in dict(self.members)["MANIFEST"].splitlines())
            self.assertEqual(manifest.count(b"\nArgv: "), 1)
            path = self.write("argv.dump", self.tar(
                [(n, manifest if n == "MANIFEST" else d) for n, d in self.members]))
            proc = subprocess.run([DEBUG, path], capture_output=True, text=True,
                                  timeout=60, input="c\n")
            self.assertEqual(proc.returncode, 0, (argv, proc.stderr))
            self.assertNotIn("Traceback", proc.stderr, argv)
            self.assertIn("\nException: ValueError: ('bad', 40)\n", proc.stdout, argv)
            program = proc.stdout.split("\nProgram:", 1)[1].split("\n", 1)[0].strip()
            self.assertEqual(program, "1 2" if argv == '[1, 2]' else argv)

    def test_names_that_are_not_utf8(self):
        """Member names and MANIFEST keys that are not UTF-8 give a DumpError (one line,
        the bytes shown as \\xNN), or open when nothing else is wrong."""
        def tar(members, truncate=0):
            out = io.BytesIO()
            with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT,
                              encoding="utf-8", errors="surrogateescape") as t:
                for name, data in members:
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    t.addfile(info, io.BytesIO(data))
            return out.getvalue()[:len(out.getvalue()) - truncate] if truncate else out.getvalue()
        odd = [("sources/tmp/\udcb9\udcff.py", b"x = 1\n")]
        path = self.write("odd-source.dump", tar(self.members + odd))
        proc = subprocess.run([DEBUG, "--locals", path], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # Cut inside the odd member's data: the reader's message names the member.
        raw = tar(self.members[:1] + [("\udcb9\x07", b"y" * 5000)])
        path = self.write("odd-cut.dump", raw[:len(raw) - 5000])
        line = self.refused(path)
        self.assertIn("\\xb9\\x07", line)
        manifest = dict(self.members)["MANIFEST"] + b"\xb9\xff: value\n"
        path = self.write("odd-key.dump", tar(
            [(n, manifest if n == "MANIFEST" else d) for n, d in self.members]))
        line = self.refused(path)
        self.assertIn("bad MANIFEST", line)

    def test_inflation_bomb(self):
        bomb = zlib.compress(b"PYHDGRPH\x01" + bytes(200 << 20), 9)
        path = self.write("bomb.dump", self.with_graph(bomb))
        self.assertIn("inflates past", self.refused(path))


if __name__ == "__main__":
    if not RUN or not DEBUG:
        sys.exit("PYHD_RUN and PYHD_DEBUG must name the executables")
    unittest.main()
