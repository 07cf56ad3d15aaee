"""bench_program.py: pyhd-debug's load of a dump that is mostly a program's code.

Usage: python bench/bench_program.py --pyhd-run BUILD/pyhd-run --pyhd-debug BUILD/pyhd-debug
       [--modules 20] [--repeat 21]
Run it with the python pyhd was built against. See bench/README-load.md.

A real crash's dump holds few data objects next to the program's own
functions, classes and methods (every module's globals are in it): a dump
of a program using numpy, Jinja2, requests and Flask has 1,903 functions
and 399 classes among its 18,000 objects. bench_load.py's mixes are data;
this one is code. It writes a package of --modules modules, each with 10
classes (a base, subclasses of it and of each other, with methods, a
property, a classmethod, a staticmethod, class attributes) and 20
functions (defaults, keyword-only defaults, annotations, closures,
decorators), imports them all from a program that crashes under pyhd-run,
then, in one pyhd-debug process, times `_pyhd.load(dump)` (best of
--repeat, the garbage collector run between loads).

For scale it also times, in a plain python, the execution of the same
modules' code objects (compiled before timing): what python itself spends
making those functions and classes when the program starts. pickle cannot
stand beside it: it pickles functions and classes by name.
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_load import run  # noqa: E402  (the benches' one way to run a command)

CLASSES = 10
FUNCTIONS = 20


def module_source(index):
    """One module of the package: classes and functions of common shapes."""
    out = ["import functools", "from typing import Optional", ""]
    out.append("LIMIT_%d = %d" % (index, 100 + index))
    out.append("")
    out.append("class Base%d:" % index)
    out.append('    """A base class."""')
    out.append("    kind = 'base'")
    out.append("    def __init__(self, name: str, size: int = 0):")
    out.append("        self.name, self.size = name, size")
    out.append("    @property")
    out.append("    def label(self) -> str:")
    out.append("        return '%s:%d' % (self.name, self.size)")
    out.append("    @classmethod")
    out.append("    def make(cls, name):")
    out.append("        return cls(name)")
    out.append("    @staticmethod")
    out.append("    def check(value, *, strict=False):")
    out.append("        return bool(value) or strict")
    out.append("    def grow(self, by=1):")
    out.append("        self.size += by")
    out.append("        return self")
    out.append("")
    for c in range(1, CLASSES):
        base = "Base%d" % index if c < 3 else "Item%d_%d" % (index, c - 2)
        out.append("class Item%d_%d(%s):" % (index, c, base))
        out.append("    kind = 'item%d'" % c)
        out.append("    limit: Optional[int] = None")
        out.append("    def describe(self, prefix='', *args, **kwargs):")
        out.append("        return prefix + self.label")
        out.append("    def total(self, other: 'Item%d_%d') -> int:" % (index, c))
        out.append("        return self.size + other.size")
        out.append("    def __len__(self):")
        out.append("        return self.size")
        out.append("")
    for f in range(FUNCTIONS):
        if f % 4 == 0:
            out.append("def make_adder_%d(n=%d):" % (f, f))
            out.append("    def add(x, *, scale=1):")
            out.append("        return (x + n) * scale")
            out.append("    return add")
            out.append("adder_%d = make_adder_%d()" % (f, f))
        elif f % 4 == 1:
            out.append("@functools.lru_cache(maxsize=None)")
            out.append("def cached_%d(key: str, default: Optional[int] = None) -> int:" % f)
            out.append("    return len(key) + (default or 0)")
        elif f % 4 == 2:
            out.append("def helper_%d(a, b=2, /, c=3, *rest, d=4, **options):" % f)
            out.append('    """Add them."""')
            out.append("    return a + b + c + d + len(rest) + len(options)")
        else:
            out.append("def wrapper_%d(func):" % f)
            out.append("    @functools.wraps(func)")
            out.append("    def inner(*args, **kwargs):")
            out.append("        return func(*args, **kwargs)")
            out.append("    return inner")
            out.append("wrapped_%d = wrapper_%d(helper_%d)" % (f, f, f - 1))
        out.append("")
    return "\n".join(out) + "\n"


MAIN = r'''
import importlib, sys
sys.path.insert(0, sys.argv[1])
mods = [importlib.import_module("benchpkg.m%d" % i) for i in range(int(sys.argv[2]))]
def crash(namespaces):
    raise RuntimeError("bench crash")
# Each module's globals, as a crash whose stack passes through every module has them.
crash([vars(m) for m in mods])
'''

# Inside pyhd-debug: the best load time, and the dump's object count.
TIMER = r'''
import gc, sys, time, _pyhd
DUMP, REPEAT = sys.argv_bench
best = None
for _ in range(REPEAT):
    t0 = time.perf_counter()
    result = _pyhd.load(DUMP)
    t = time.perf_counter() - t0
    best = t if best is None else min(best, t)
    del result
    gc.collect()
print("BENCH %d %.3f" % (_pyhd.load(DUMP)["objects"], best * 1000))
'''

# In a plain python: executing the modules' compiled code (what making their
# functions and classes costs python itself), best of REPEAT.
EXEC_TIMER = r'''
import gc, sys, time
root, count, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import functools, typing
codes = []
for i in range(count):
    path = "%s/benchpkg/m%d.py" % (root, i)
    with open(path) as f:
        codes.append((path, compile(f.read(), path, "exec")))
best = None
for _ in range(repeat):
    t0 = time.perf_counter()
    for path, code in codes:
        exec(code, {"__name__": "benchpkg.x", "__file__": path})
    t = time.perf_counter() - t0
    best = t if best is None else min(best, t)
    gc.collect()
print("EXEC %.3f" % (best * 1000))
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyhd-run", required=True)
    ap.add_argument("--pyhd-debug", required=True)
    ap.add_argument("--modules", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=21)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="pyhd-bench-program-")
    try:
        pkg = os.path.join(workdir, "benchpkg")
        os.makedirs(pkg)
        open(os.path.join(pkg, "__init__.py"), "w").close()
        for i in range(args.modules):
            with open(os.path.join(pkg, "m%d.py" % i), "w") as f:
                f.write(module_source(i))
        prog = os.path.join(workdir, "prog.py")
        with open(prog, "w") as f:
            f.write(MAIN)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYHD_")}
        env["PYHD_QUIET"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        dumps = os.path.join(workdir, "dumps")
        os.makedirs(dumps)
        run([os.path.abspath(args.pyhd_run), "--dump-dir", dumps, prog, workdir,
             str(args.modules)], workdir, check=False, env=env)
        found = os.listdir(dumps)
        if len(found) != 1:
            sys.exit("bench: no dump of the program")
        dump = os.path.join(dumps, found[0])
        timer = os.path.join(workdir, "timer.py")
        with open(timer, "w") as f:
            f.write(TIMER)
        command = ("!import sys; sys.argv_bench = (%r, %d); exec(open(%r).read(), {})"
                   % (dump, args.repeat, timer))
        out = run([os.path.abspath(args.pyhd_debug), "-c", command, "-c", "q", dump],
                  workdir).stdout
        line = [l for l in out.splitlines() if l.startswith("BENCH ")]
        if not line:
            sys.exit("bench: no result from pyhd-debug:\n" + out)
        objects, load_ms = int(line[0].split()[1]), float(line[0].split()[2])
        exec_out = run([sys.executable, "-c", EXEC_TIMER, workdir, str(args.modules),
                        str(args.repeat)], workdir, env=env).stdout
        exec_ms = float([l for l in exec_out.splitlines() if l.startswith("EXEC ")][0].split()[1])
        size = os.path.getsize(dump)
    finally:
        shutil.rmtree(workdir, True)
    print("python %s, %d modules of %d classes and %d functions" % (
        sys.version.split()[0], args.modules, CLASSES, FUNCTIONS))
    print("dump: %d objects, %d bytes" % (objects, size))
    print("load: %.2f ms (%.2f us an object); python executing the modules' code: %.2f ms "
          "(load %.2fx)" % (load_ms, load_ms * 1000 / objects, exec_ms, load_ms / exec_ms))


if __name__ == "__main__":
    main()
