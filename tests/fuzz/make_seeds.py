"""Write the crafted seeds of tests/fuzz/seeds: small dumps that reach the reader's bounds.

Run from the repository's top directory: python3 tests/fuzz/make_seeds.py. Each
seed is a whole dump (crafted-NAME.dump: the MANIFEST and traceback.txt of
seeds/dump-0.dump around a crafted graph) and its inflated graph
(crafted-NAME.graph, which fuzz_reader wraps in a dump itself), small enough
for -max_len=65536: a tuple key nested
past the hash bound, slices nested past theirs, a class chain and a wide
class, keys that hash alike, a long exception chain with tracebacks, stand-ins
that share their attributes, standard-library names, REDUCED values the reader
makes in Python (StringIO, BytesIO, an XML element, a Random; an lru_cache
wrapper, ContextVars and a Context also named by a THREAD record, a symtable
entry among its own children, sqlite3 rows, range iterators, sockets), and control
characters in names, messages and the MANIFEST.
"""

import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import hostile_graphs as hg  # noqa: E402

SEEDS = os.path.join(HERE, "seeds")


def base():
    with tarfile.open(os.path.join(SEEDS, "dump-0.dump")) as tar:
        return tar.extractfile("MANIFEST").read(), tar.extractfile("traceback.txt").read()


def code_and_frames(g, count, filename="/tmp/fuzz.py"):
    s = g.str
    code = g.add(hg.CODE, g.refs([s(filename), s("f"), s("f")]) + b"\x01\x00\x00\x00\x03"
                 + g.refs([g.tuple([])] * 3))
    glob_ = g.dict([(s("__name__"), s("__main__"))])
    frames, back = [], 0
    for i in range(count):
        line = 1 + i % 3
        back = g.add(hg.FRAME, g.ref(code) + b"".join(hg.svarint(v) for v in
                                                      (line, line, 0, 5))
                     + g.ref(0) + g.ref(glob_) + g.ref(0) + g.ref(back))
        frames.append(back)
    return frames


def traceback_of(g, frames):
    tb = 0
    for frame in reversed(frames):
        tb = g.add(hg.TRACEBACK, g.ref(frame) + b"".join(hg.svarint(v) for v in (2, 2, 0, 5))
                   + g.ref(tb))
    return tb


def seeds():
    g = hg.Graph()
    t = g.tuple([])
    for _ in range(1100):
        t = g.tuple([t])
    yield "deep-key", g, {"d": g.dict([(t, g.none())]), "s": g.set([t])}

    g = hg.Graph()
    none = g.none()
    s = none
    for _ in range(1100):
        s = g.slice(s, none, none)
    yield "deep-slice", g, {"s": s}

    g = hg.Graph()
    c = g.klass("C0")
    for i in range(1, 500):
        c = g.klass("C%d" % i, bases=[c])
    yield "class-chain", g, {"x": g.instance(c)}

    g = hg.Graph()
    yield "class-wide", g, {"x": g.instance(g.klass("W", bases=[g.klass("B%d" % i)
                                                                 for i in range(1000)]))}

    g = hg.Graph()
    keys = [g.bigint(i * (2 ** 61 - 1)) for i in range(1, 150)]
    yield "collide", g, {"d": g.dict([(k, k) for k in keys]), "s": g.set(keys)}

    g = hg.Graph()
    cls = g.klass("ValueError", "builtins", flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
    exc = 0
    for i in range(200):
        exc = g.exception(cls, g.tuple([g.str("e%d" % i)]), context=exc,
                          tb=traceback_of(g, code_and_frames(g, 2)))
    yield "exc-chain", g, {"exception": exc}

    g = hg.Graph()
    node = g.klass("Node")
    a, b = g.str("a"), g.str("b")
    n = g.none()
    for _ in range(40):
        n = g.instance(node, g.dict([(a, n), (b, n)]))
    yield "shared", g, {"n": n}

    g = hg.Graph()
    names = [("collections", "OrderedDict"), ("enum", "Enum"), ("datetime", "datetime"),
             ("os", "PathLike"), ("pathlib", "PurePosixPath"), ("threading", "Thread"),
             ("queue", "Queue"), ("argparse", "Namespace"), ("builtins", "object")]
    classes = [g.klass(q, m, flags=hg.CLASS_STDLIB | hg.CLASS_HEAPTYPE) for m, q in names]
    yield "stdlib-names", g, {"x": g.list([g.instance(c) for c in classes])}

    # Values the reader makes in Python from REDUCED records: in-memory files, an
    # XML element among its own children, a random generator's state.
    g = hg.Graph()
    none, text, false = g.none(), g.str("abc"), g.add(0x02)
    children = g.list([])
    element = g.reduced("xml.etree.ElementTree", "Element",
                        [g.str("e"), g.dict([(g.str("k"), text)]), text, none, children])
    g.records[children - 1] = (hg.LIST, hg.varint(1) + hg.varint(1) + g.refs([element]))
    values = [g.reduced("_io", "StringIO", [text, none, g.int(1), false]),
              g.reduced("_io", "BytesIO", [g.bytes_(b"abc"), g.int(2), false]),
              element,
              g.reduced("random", "Random", [g.tuple([g.int(5)] * 624 + [g.int(624)]), none])]
    yield "reduced-values", g, {"x": g.list(values)}

    # More of them: an lru_cache wrapper, context variables and a context (which a
    # THREAD record names as its own), a symtable entry among its own children,
    # sqlite3 rows, range iterators, sockets.
    g = hg.Graph()
    none, false, zero, name = g.none(), g.add(0x02), g.int(0), g.str("rid")
    var = g.reduced("_contextvars", "ContextVar", [name, g.str("d")])
    ctx = g.reduced("_contextvars", "Context", [g.tuple([g.tuple([var, g.str("v")]),
                                                         g.tuple([g.int(1), none])])])
    kids = g.list([])
    entry = g.reduced("builtins", "symtable entry",
                      [g.int(7), g.str("top"), g.dict([(g.str("x"), g.int(2))]), g.list([]),
                       kids, zero, g.int(2), g.int(1)])
    g.records[kids - 1] = (hg.LIST, hg.varint(1) + hg.varint(1) + g.refs([entry]))
    rng = g.add(0x12, g.refs([zero, g.int(5), g.int(1)]))
    values = [g.reduced("functools", "_lru_cache_wrapper",
                        [g.builtin_function(g.str("len"), g.str("builtins"), 0), g.int(8),
                         false, g.int(2), g.int(3), g.int(1),
                         g.dict([(g.str("__name__"), g.str("memo"))])]),
              var, ctx, entry,
              g.reduced("sqlite3", "Row", [g.tuple([g.int(1)]), g.tuple([g.str("A")])]),
              g.reduced("builtins", "range_iterator", [rng, g.int(2)]),
              g.reduced("socket", "socket", [g.int(5), g.int(1), g.int(1), zero, false,
                                             g.str("/tmp/s"), g.bytes_(b"\0abstract"), none])]
    g.meta.append((hg.THREAD, hg.varint(1) + b"\x00" + hg.text("MainThread") + bytes([0x0C])
                   + g.ref(0) + g.ref(ctx)))
    yield "reduced-values-2", g, {"x": g.list(values)}, 2  # the THREAD's context: version 2

    # DATETIME records (version 3): valid ones, fields out of range for their class,
    # a tzinfo that is no tzinfo, a class that is no datetime class.
    g = hg.Graph()
    utc = g.reduced("datetime", "timezone",
                    [g.reduced("datetime", "timedelta", [g.int(0), g.int(0), g.int(0)])])
    values = [g.datetime("datetime", "datetime", 2020, 1, 2, 3, 4, 5, 6, fold=1, tzinfo=utc),
              g.datetime("datetime", "date", 2021, 2, 29),
              g.datetime("datetime", "time", hour=23, microsecond=10 ** 6),
              g.datetime("datetime", "time", hour=1, tzinfo=g.list([utc])),
              g.datetime("datetime", "datetime", 2 ** 40, 12, 31),
              g.datetime("builtins", "dict", 2020, 1, 1)]
    date_cls = g.klass("date", "datetime", flags=hg.CLASS_STDLIB)
    mine = g.klass("MyDate", bases=[date_cls])
    values += [g.datetime_subclass(mine, "datetime", "date", 2020, 1, 2),
               g.datetime_subclass(mine, "datetime", "time", 2020, 1, 2)]
    yield "datetimes", g, {"x": g.list(values)}, 3

    g = hg.Graph()
    evil = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]0;title\x07\r\x00\x7f\x9b"
    cls = g.klass("E" + evil, "m" + evil, flags=hg.CLASS_EXCEPTION | hg.CLASS_HEAPTYPE)
    frames = code_and_frames(g, 1, "/tmp/" + evil)
    exc = g.exception(cls, g.tuple([g.str(evil)]), tb=traceback_of(g, frames))
    yield "escapes", g, {"exception": exc, "argv": g.list([g.str(evil)])}


def main():
    manifest, traceback_txt = base()
    evil = "\\x1b]0;title\\x07\\x1b[2J"
    for name, graph, roots, *version in seeds():
        m = manifest
        if name == "escapes":
            m = hg.manifest_with(manifest, Exception_Message=evil, Hostname=evil)
        stream = graph.stream(roots, *version)
        data = hg.dump_bytes(stream, m, traceback_txt)
        with open(os.path.join(SEEDS, "crafted-%s.dump" % name), "wb") as f:
            f.write(data)
        # The inflated graph too: fuzz_reader makes its END right and wraps it.
        if len(stream) <= 65536:
            with open(os.path.join(SEEDS, "crafted-%s.graph" % name), "wb") as f:
                f.write(stream)
        print("crafted-%s: %d bytes, graph %d bytes" % (name, len(data), len(stream)))


if __name__ == "__main__":
    main()
