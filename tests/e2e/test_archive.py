"""test_archive.py: the dump pyhd-run writes: members, MANIFEST, fingerprint, sources, tracebacks."""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import unittest

from e2e_util import NO_BYTECODE, clean_env

RUN = os.environ["PYHD_RUN"]
PYTHON = os.environ["PYHD_PYTHON"]

DUMP_LINE = re.compile(rb"pyhd: dump written to (?P<path>/[^\n]+\.dump) \([^\n]*\)\n\Z")

# Every key the MANIFEST of an exception dump has (Source-Unavailable only
# when a source could not be read).
MANIFEST_KEYS = [
    "Format-Version", "Pyhd-Version", "Created", "Hostname", "Pid", "Uid", "Cwd", "Argv",
    "Executable", "Python-Version", "Python-Implementation", "Platform", "Trigger",
    "Exception-Type", "Exception-Message", "Fingerprint", "Threads", "Objects",
    "Opaque-Objects", "Truncated-Objects", "Truncated", "Graph-Size",
    "Graph-Compressed-Size", "Sources", "Sources-Size", "Traceback-Size", "Dump-Time-Ms",
]


def unescape(value):
    """A MANIFEST value as src/manifest.c escapes it, back to text."""
    out = bytearray()
    i = 0
    while i < len(value):
        c = value[i]
        if c != 0x5C:
            out.append(c)
            i += 1
            continue
        nxt = value[i + 1:i + 2]
        if nxt == b"\\":
            out += b"\\"
            i += 2
        elif nxt == b"n":
            out += b"\n"
            i += 2
        elif nxt == b"r":
            out += b"\r"
            i += 2
        elif nxt == b"x":
            out.append(int(value[i + 2:i + 4], 16))
            i += 4
        else:
            raise ValueError("bad escape in %r" % value)
    return out.decode("utf-8")


def parse_manifest(data):
    """[(key, value)] in order; every line must be "Key: value"."""
    fields = []
    assert data.endswith(b"\n"), data[-40:]
    for line in data[:-1].split(b"\n"):
        key, sep, value = line.partition(b": ")
        assert sep and re.fullmatch(rb"[A-Za-z0-9-]+", key), line
        fields.append((key.decode("ascii"), unescape(value)))
    return fields


class Dump:
    """One dump archive, read with the standard library's tarfile."""

    def __init__(self, path):
        self.path = path
        with tarfile.open(path, "r:") as tf:
            self.members = tf.getmembers()
            self.data = {m.name: tf.extractfile(m).read() for m in self.members}
        self.names = [m.name for m in self.members]
        self.fields = parse_manifest(self.data["MANIFEST"])
        self.manifest = {}
        for key, value in self.fields:
            self.manifest.setdefault(key, value)

    def all(self, key):
        return [v for k, v in self.fields if k == key]

    def source(self, path):
        return self.data["sources/" + os.path.abspath(path).lstrip("/")]


class ArchiveTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="pyhd-test-archive-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text, encoding="utf-8", prefix=b""):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(prefix + textwrap.dedent(text).encode(encoding))
        return path

    def run_cmd(self, argv, cwd=None, input=None):
        return subprocess.run(argv, cwd=cwd or self.dir, env=clean_env(**NO_BYTECODE), input=input,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)

    def crash(self, args, cwd=None, options=(), input=None):
        """Run pyhd-run on args, expect a dump; returns (Dump, stderr without the pyhd line)."""
        p = self.run_cmd([RUN, *options, *args], cwd, input)
        head, sep, last = p.stderr.rstrip(b"\n").rpartition(b"\n")
        m = DUMP_LINE.match(last + b"\n")
        self.assertIsNotNone(m, p.stderr.decode(errors="replace"))
        self.assertEqual(p.returncode, 1)
        path = m.group("path").decode()
        self.assertTrue(os.path.isfile(path))
        return Dump(path), head + sep

    def test_members_and_tar_listing(self):
        script = self.write("boom.py", """\
            def explode():
                raise RuntimeError("boom")
            explode()
            """)
        dump, _ = self.crash([script])
        self.assertEqual(dump.names[:3], ["MANIFEST", "traceback.txt", "graph.z"])
        self.assertIn("sources/" + script.lstrip("/"), dump.names[3:])
        self.assertTrue(all(n.startswith("sources/") for n in dump.names[3:]), dump.names)
        self.assertTrue(all(m.isfile() and m.mode == 0o600 for m in dump.members))
        listing = subprocess.run(["tar", "tvf", dump.path], stdout=subprocess.PIPE,
                                 check=True).stdout.decode()
        names = [line.split()[-1] for line in listing.splitlines()]
        self.assertEqual(names, dump.names)
        # The dump's own mode, and nothing else was left in the directory.
        self.assertEqual(stat.S_IMODE(os.stat(dump.path).st_mode), 0o600)
        self.assertEqual(sorted(os.listdir(self.dir)),
                         sorted(["boom.py", os.path.basename(dump.path)]))
        # graph.z is a zlib stream of the graph format.
        import zlib
        self.assertEqual(zlib.decompress(dump.data["graph.z"])[:8], b"PYHDGRPH")

    def test_small_graph_stored_large_compressed(self):
        """A graph of at most 1 MiB is in stored deflate blocks (inflating it would
        cost more than its bytes); a larger one is compressed."""
        import zlib
        for label, count in (("small", 10), ("large", 200000)):
            script = self.write("g%s.py" % label, """\
                def crash(n):
                    rows = [("row", i, i * 0.5) for i in range(n)]
                    raise ValueError(len(rows))
                crash(%d)
                """ % count)
            dump, _ = self.crash([script])
            z = dump.data["graph.z"]
            size = int(dump.manifest["Graph-Size"])
            self.assertEqual(len(zlib.decompress(z)), size)
            # RFC 1951: BTYPE, bits 1-2 of the first block's first byte, after
            # zlib's two-byte header: 0 for stored blocks.
            with self.subTest(graph=label, size=size):
                if label == "small":
                    self.assertLess(size, 1 << 20)
                    self.assertEqual(z[2] >> 1 & 3, 0)
                    self.assertGreater(len(z), size)
                else:
                    self.assertGreater(size, 1 << 20)
                    self.assertNotEqual(z[2] >> 1 & 3, 0)
                    self.assertLess(len(z), size // 3)

    def test_manifest_keys_and_values(self):
        script = self.write("keys.py", """\
            import sys
            raise ValueError("bad value: 42\\nsecond line \\\\ backslash")
            """)
        dump, _ = self.crash([script, "arg one", "caf\u00e9"])
        keys = [k for k, _ in dump.fields]
        for key in MANIFEST_KEYS:
            self.assertIn(key, keys)
        # In the documented order (Source-Unavailable may come between).
        self.assertEqual([k for k in keys if k in MANIFEST_KEYS], MANIFEST_KEYS)
        m = dump.manifest
        self.assertEqual(m["Format-Version"], "4")
        self.assertRegex(m["Created"], r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")
        self.assertEqual(m["Cwd"], self.dir)
        self.assertEqual(json.loads(m["Argv"]), [script, "arg one", "caf\u00e9"])
        self.assertEqual(m["Uid"], str(os.getuid()))
        self.assertEqual(m["Trigger"], "uncaught-exception")
        self.assertEqual(m["Exception-Type"], "builtins.ValueError")
        self.assertEqual(m["Exception-Message"], "bad value: 42\nsecond line \\ backslash")
        self.assertRegex(m["Fingerprint"], r"\A[0-9a-f]{16}\Z")
        self.assertEqual(m["Python-Implementation"], "CPython")
        version = subprocess.run([PYTHON, "-c", "import sys; print(sys.version)"],
                                 stdout=subprocess.PIPE, check=True).stdout.decode()
        self.assertEqual(m["Python-Version"], version.splitlines()[0])
        self.assertEqual(m["Platform"].split()[0], os.uname().sysname)
        self.assertEqual(m["Truncated"], "no")
        self.assertEqual(int(m["Threads"]), 1)
        self.assertGreater(int(m["Objects"]), 0)
        self.assertEqual(int(m["Graph-Compressed-Size"]), len(dump.data["graph.z"]))
        self.assertEqual(int(m["Traceback-Size"]), len(dump.data["traceback.txt"]))
        sources = [n for n in dump.names if n.startswith("sources/")]
        self.assertEqual(int(m["Sources"]), len(sources))
        self.assertEqual(int(m["Sources-Size"]), sum(len(dump.data[n]) for n in sources))
        self.assertGreaterEqual(float(m["Dump-Time-Ms"]), 0.0)
        # The name: pyhd-PROGRAM-PID-UTCTIME.dump, with the MANIFEST's pid.
        name = os.path.basename(dump.path)
        self.assertRegex(name, r"\Apyhd-keys-%s-\d{8}T\d{6}Z\.dump\Z" % m["Pid"])

    def test_exception_messages_never_run_program_code(self):
        script = self.write("msg.py", """\
            import sys
            class Plain(Exception):
                pass
            class Loud(Exception):
                def __str__(self):
                    return "custom str"
            class Arg:
                def __repr__(self):
                    return "Arg()"
                __str__ = __repr__
            kind = sys.argv[1]
            if kind == "plain":
                raise Plain("just args", 2)
            if kind == "loud":
                raise Loud("hidden")
            if kind == "arg":
                raise ValueError(Arg())
            if kind == "oserror":
                open("/nonexistent/file")
            if kind == "key":
                {}["missing"]
            if kind == "group":
                raise ExceptionGroup("several", [ValueError(Arg()), Loud()])
            """)
        expect = {
            "plain": ("__main__.Plain", "('just args', 2)"),
            "loud": ("__main__.Loud", "<not computed>"),
            "arg": ("builtins.ValueError", "<not computed>"),
            "oserror": ("builtins.FileNotFoundError",
                        "[Errno 2] No such file or directory: '/nonexistent/file'"),
            "key": ("builtins.KeyError", "'missing'"),
            "group": ("builtins.ExceptionGroup", "several (2 sub-exceptions)"),
        }
        if sys.version_info < (3, 11):
            del expect["group"]
        for kind, (etype, msg) in expect.items():
            with self.subTest(kind=kind):
                dump, _ = self.crash([script, kind])
                self.assertEqual(dump.manifest["Exception-Type"], etype)
                self.assertEqual(dump.manifest["Exception-Message"], msg)

    def test_fingerprint(self):
        text = """\
            import sys
            def parse(s):
                return int(s)
            def main():
                if len(sys.argv) > 1:
                    return {}[sys.argv[1]]
                return parse("x")
            main()
            """
        first = self.write("a/fp.py", text)
        other_dir = self.write("b/deeper/fp.py", "# a comment moves every line\n\n"
                               + textwrap.dedent(text))
        one, _ = self.crash([first])
        two, _ = self.crash([first])
        moved, _ = self.crash([other_dir], cwd=os.path.dirname(other_dir))
        other_bug, _ = self.crash([first, "key"])
        fp = one.manifest["Fingerprint"]
        self.assertEqual(two.manifest["Fingerprint"], fp)
        self.assertEqual(moved.manifest["Fingerprint"], fp)
        self.assertNotEqual(other_bug.manifest["Fingerprint"], fp)
        # The documented recipe: FNV-1a 64 over the type and, per traceback
        # entry, NUL basename NUL qualname.
        data = b"builtins.ValueError"
        for name in ["<module>", "main", "parse"]:
            data += b"\0fp.py\0" + name.encode()
        h = 0xcbf29ce484222325
        for byte in data:
            h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        self.assertEqual(fp, "%016x" % h)

    def test_sources_are_byte_exact(self):
        latin = self.write("latin.py", """\
            # -*- coding: latin-1 -*-
            WORD = "caf\u00e9"
            def fail():
                raise KeyError(WORD)  # caf\u00e9
            """, encoding="latin-1")
        bom = self.write("bom.py", """\
            def fail():
                raise LookupError("bom")  # \u20ac
            """, prefix=b"\xef\xbb\xbf")
        main = self.write("main.py", """\
            import sys
            import latin, bom
            (latin if sys.argv[1] == "latin" else bom).fail()
            """)
        for which, path in (("latin", latin), ("bom", bom)):
            with self.subTest(which=which):
                dump, stderr = self.crash([main, which])
                with open(path, "rb") as f:
                    self.assertEqual(dump.source(path), f.read())
                with open(main, "rb") as f:
                    self.assertEqual(dump.source(main), f.read())
                self.assertEqual(dump.data["traceback.txt"], stderr)

    def test_printing_sources_are_bounded(self):
        # Ten library modules of about 60 KiB, each defining a class's __repr__,
        # no frame in them: the dump keeps as many of those files as 512 KiB
        # holds (eight), each byte for byte, and no more.
        pad = "#" * 99 + "\n"
        mods = []
        for i in range(10):
            mods.append(self.write("lib%d.py" % i, "class C%d:\n    def __repr__(self):\n"
                                   "        return 'C%d()'\n" % (i, i) + pad * 600))
        main = self.write("main.py", """\
            import %s
            objs = [%s]
            raise ValueError("many")
            """ % (", ".join("lib%d" % i for i in range(10)),
                   ", ".join("lib%d.C%d()" % (i, i) for i in range(10))))
        dump, _ = self.crash([main])
        kept = [m for m in mods if "sources/" + m.lstrip("/") in dump.names]
        self.assertEqual(len(kept), 8)
        self.assertLessEqual(sum(os.path.getsize(m) for m in kept), 512 << 10)
        for path in kept:
            with open(path, "rb") as f:
                self.assertEqual(dump.source(path), f.read())

    def test_string_frames_are_unavailable(self):
        dump, stderr = self.crash(["-c", "def f():\n    1/0\nf()\n"])
        self.assertIn("<string>: not a file name", dump.all("Source-Unavailable"))
        self.assertFalse(any("<string>" in n for n in dump.names))
        self.assertRegex(os.path.basename(dump.path), r"\Apyhd-c-\d+-")
        self.assertEqual(dump.data["traceback.txt"], stderr)

    def test_deleted_source_is_unavailable(self):
        gone = self.write("gone.py", "def fail():\n    raise ValueError('gone')\n")
        script = self.write("main.py", """\
            import os, gone
            os.remove(gone.__file__)
            gone.fail()
            """)
        dump, _ = self.crash([script])
        self.assertIn("%s: No such file or directory" % gone, dump.all("Source-Unavailable"))
        self.assertNotIn("sources/" + gone.lstrip("/"), dump.names)
        with open(script, "rb") as f:
            self.assertEqual(dump.source(script), f.read())

    def test_module_and_stdin_names(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/tool.py", "raise SystemError('from a module')\n")
        dump, _ = self.crash(["-m", "pkg.tool"])
        self.assertRegex(os.path.basename(dump.path), r"\Apyhd-pkg\.tool-\d+-")
        dump, stderr = self.crash(["-"], input=b"raise OSError('from stdin')\n")
        self.assertRegex(os.path.basename(dump.path), r"\Apyhd-stdin-\d+-")
        self.assertIn("<stdin>: not a file name", dump.all("Source-Unavailable"))

    def test_traceback_equals_python_stderr(self):
        script = self.write("chain.py", """\
            class Custom(Exception):
                pass
            def inner(d):
                return d["key"]
            def outer():
                try:
                    inner({})
                except KeyError as e:
                    raise Custom("while handling") from e
            try:
                outer()
            except Custom:
                raise TypeError("during handling")
            """)
        expected = self.run_cmd([PYTHON, script]).stderr
        self.assertIn(b"The above exception was the direct cause", expected)
        dump, stderr = self.crash([script])
        self.assertEqual(stderr, expected)
        self.assertEqual(dump.data["traceback.txt"], expected)

    def test_syntax_error(self):
        script = self.write("syn.py", "x = 1\ny = (1 +\n")
        expected = self.run_cmd([PYTHON, script]).stderr
        dump, stderr = self.crash([script])
        self.assertEqual(stderr, expected)
        self.assertEqual(dump.data["traceback.txt"], expected)
        self.assertEqual(dump.manifest["Exception-Type"], "builtins.SyntaxError")
        # The file that did not compile is kept, though no frame runs it.
        self.assertEqual(dump.source(script), b"x = 1\ny = (1 +\n")

    def test_other_threads_stacks(self):
        script = self.write("threads.py", """\
            import threading
            started = threading.Event()
            def worker():
                started.set()
                threading.Event().wait()  # blocks forever
            t = threading.Thread(target=worker, name="sleeper", daemon=True)
            t.start()
            started.wait()
            def fail():
                raise RuntimeError("main thread fails")
            fail()
            """)
        dump, stderr = self.crash([script])
        text = dump.data["traceback.txt"].decode()
        self.assertTrue(text.startswith(stderr.decode()), text)
        rest = text[len(stderr.decode()):]
        self.assertRegex(rest, r'\A\nThread 0x[0-9a-f]{16} "sleeper" \(most recent call last\):\n')
        self.assertIn('File "%s", line 5, in worker\n' % script, rest)
        self.assertIn("    threading.Event().wait()  # blocks forever\n", rest)
        self.assertEqual(dump.manifest["Threads"], "2")

    def test_uncreatable_dump_dir_is_one_line(self):
        # A missing dump directory is created (test_retention checks that); one
        # under a regular file cannot be: one line, traceback and status intact.
        script = self.write("x.py", "raise ValueError\n")
        plain = self.write("plain", "not a directory\n")
        missing = os.path.join(plain, "missing")
        p = self.run_cmd([RUN, "--dump-dir", missing, script])
        py = self.run_cmd([PYTHON, script])
        self.assertEqual(p.returncode, py.returncode)
        head, _, last = p.stderr.rstrip(b"\n").rpartition(b"\n")
        self.assertEqual(head + b"\n", py.stderr)
        self.assertEqual(last.decode(), "pyhd: no dump: dump directory %s: Not a directory"
                         % missing)
        self.assertEqual(sorted(os.listdir(self.dir)), ["plain", "x.py"])

    def test_existing_name_is_not_replaced(self):
        script = self.write("x.py", "raise ValueError\n")
        out = os.path.join(self.dir, "out")
        os.mkdir(out)
        with open(os.path.join(out, "fixed.dump"), "wb") as f:
            f.write(b"keep me")
        dump, _ = self.crash([script], options=["--dump-dir", out, "--dump-name", "fixed.dump"])
        self.assertEqual(dump.path, os.path.join(out, "fixed-2.dump"))
        with open(os.path.join(out, "fixed.dump"), "rb") as f:
            self.assertEqual(f.read(), b"keep me")
        self.assertEqual(sorted(os.listdir(out)), ["fixed-2.dump", "fixed.dump"])


if __name__ == "__main__":
    unittest.main()
