"""e2e: the datetime values rebuilt in C (src/rebuild_values.c) are those Python would make.

pyhd-debug makes datetime.date, time and datetime values of DATETIME records,
and timedelta and timezone values of REDUCED records (dates, times and
datetimes too in version 2 dumps), through the datetime C API instead of calling
pyhd_surrogates.make_reduced for each. These tests hold the two to the same
results: a program's values (aware, folded, named zones, extremes) print and
type as in the program without make_reduced being called for them, and for
crafted records (values out of range, wrong types or counts, a class that
is no value) every load result equals what make_reduced itself
makes of the same class and args.
"""

import glob
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_graphs as hg  # noqa: E402

RUN = os.environ.get("PYHD_RUN")
DEBUG = os.environ.get("PYHD_DEBUG")
MARK = "@@pyhd-check@@"
REDUCED = 0x21

PROGRAM = r'''
import datetime as dt, decimal, json, sys

class MyDate(dt.date):
    pass

class Stamp(dt.datetime):
    def __new__(cls, *args, **kwargs):
        raise AssertionError("the program's __new__ ran")

class Zone(dt.tzinfo):
    def utcoffset(self, d):
        return dt.timedelta(hours=1)

def main():
    plus2 = dt.timezone(dt.timedelta(hours=2), "Z\u00fcrich \u2713")
    v = {
        "d_min": dt.date.min, "d_max": dt.date.max, "leap": dt.date(2024, 2, 29),
        "t": dt.time(23, 59, 59, 999999), "t_aware": dt.time(1, 2, 3, 4, tzinfo=plus2, fold=1),
        "t_utc": dt.time(12, tzinfo=dt.timezone.utc),
        "dt_naive": dt.datetime(2026, 11, 30, 9, 33, 27, 123456),
        "dt_fold": dt.datetime(2021, 10, 31, 2, 30, fold=1),
        "dt_utc": dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc),
        "dt_named": dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=plus2, fold=1),
        "dt_min": dt.datetime.min, "dt_max": dt.datetime.max,
        "td_max": dt.timedelta.max, "td_min": dt.timedelta.min,
        "td_res": dt.timedelta.resolution, "td_zero": dt.timedelta(),
        "td_neg": dt.timedelta(days=-3, seconds=5, microseconds=7),
        "tz_utc": dt.timezone.utc, "tz_min": dt.timezone.min, "tz_max": dt.timezone.max,
        "tz_neg": dt.timezone(-dt.timedelta(hours=5, minutes=30)), "tz_named": plus2,
        "tz_empty_name": dt.timezone(dt.timedelta(0), ""),
        "dec": decimal.Decimal("-1.50"),
    }
    try:  # a zone of the tz database, where this machine has one
        import zoneinfo
        v["zone"] = zoneinfo.ZoneInfo("Europe/Paris")
        v["dt_zoneinfo"] = dt.datetime(2024, 7, 1, 12, tzinfo=v["zone"])
    except Exception:
        pass
    # A program's date subclass, a datetime subclass (its own __new__, an attribute),
    # and a datetime in a program's zone, which a dump keeps but cannot rebuild as it was.
    stamp = dt.datetime.__new__(Stamp, 2020, 1, 2, 3, 4, 5, 6, tzinfo=plus2, fold=1)
    stamp.label = "build"
    odd = {"mydate": MyDate(2020, 1, 2), "own_zone": dt.datetime(2020, 5, 5, tzinfo=Zone()),
           "stamp": stamp}
    with open(sys.argv[1], "w") as f:
        json.dump({k: [type(x).__module__, type(x).__qualname__, repr(x)]
                   for k, x in v.items()}, f)
    raise RuntimeError(v, [v["dt_named"], v["dt_named"]], odd)

main()
'''

# Inside pyhd-debug: load with make_reduced counting its calls.
PROGRAM_CHECKER = r'''
import datetime, pyhd_surrogates
calls = []
original = pyhd_surrogates.make_reduced
def counting(cls, args):
    calls.append(getattr(cls, "__qualname__", "?"))
    return original(cls, args)
pyhd_surrogates.make_reduced = counting
try:
    r = _pyhd.load(DUMP)
finally:
    pyhd_surrogates.make_reduced = original
v, shared, odd = r["roots"]["exception"].args
facts = {
    "values": {k: [type(x).__module__, type(x).__qualname__, repr(x)] for k, x in v.items()},
    "make_reduced": sorted(set(calls)),
    "shared": shared[0] is shared[1] is v["dt_named"],
    "utc_singleton": v["tz_utc"] is datetime.timezone.utc and
                     v["dt_utc"].tzinfo is datetime.timezone.utc,
    "zone_shared": v["dt_named"].tzinfo is v["tz_named"] is v["t_aware"].tzinfo,
    "mydate": [type(odd["mydate"]).__module__, isinstance(odd["mydate"], datetime.date),
               repr(odd["mydate"])],
    "stamp": [type(odd["stamp"]).__qualname__, repr(odd["stamp"]), odd["stamp"].label,
              odd["stamp"].tzinfo is v["tz_named"], str(odd["stamp"].utcoffset())],
    "own_zone": [repr(odd["own_zone"]), type(odd["own_zone"]).__qualname__],
}
try:
    odd["own_zone"].utcoffset()
    facts["own_zone"].append("no error")
except Exception as e:
    facts["own_zone"].append(type(e).__name__)
'''

# Inside pyhd-debug: each crafted REDUCED record against make_reduced(cls, args).
CRAFTED_CHECKER = r'''
import datetime, pyhd_surrogates
passed = []
original = pyhd_surrogates.make_reduced
def counting(cls, args):
    passed.append(args)
    return original(cls, args)
pyhd_surrogates.make_reduced = counting
try:
    r = _pyhd.load(DUMP)
finally:
    pyhd_surrogates.make_reduced = original
roots = r["roots"]
facts = {"cases": {}, "passed": []}
def kind(value):
    # A stand-in is named as the dumped class: say which it is.
    stub = isinstance(value, pyhd_surrogates.OpaqueStub)
    return ("stand-in " if stub else "") + repr(type(value))
for name, (value, cls, args) in roots["cases"].items():
    expected = pyhd_surrogates.make_reduced(cls, args)
    facts["cases"][name] = [kind(value), repr(value), kind(expected), repr(expected)]
    if any(a is args for a in passed):
        facts["passed"].append(name)
facts["utc"] = roots["cases"]["tz_zero"][0] is datetime.timezone.utc
'''


class Ref:
    """An object id among a crafted record's args (a bare int is an INT record)."""

    def __init__(self, oid):
        self.oid = oid


def run(args, cwd, timeout=120):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


class RebuildValuesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.dir = cls._tmp.name
        with open(os.path.join(cls.dir, "prog.py"), "w", encoding="utf-8") as f:
            f.write(PROGRAM)
        cls.expected_path = os.path.join(cls.dir, "expected.json")
        proc = run([RUN, "prog.py", cls.expected_path], cls.dir)
        dumps = glob.glob(os.path.join(cls.dir, "*.dump"))
        assert len(dumps) == 1, proc.stderr
        cls.program_dump = dumps[0]
        with tarfile.open(dumps[0]) as tar:
            cls.manifest = tar.extractfile("MANIFEST").read()
            cls.traceback_txt = tar.extractfile("traceback.txt").read()

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def check(self, dump, checker):
        """Run checker (it sets `facts`) inside pyhd-debug with DUMP = dump; facts."""
        script = os.path.join(self.dir, "checker.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write("import _pyhd, json\nDUMP = %r\n" % dump)
            f.write(textwrap.dedent(checker))
            f.write("\nprint(%r + json.dumps(facts))\n" % MARK)
        proc = run([DEBUG, "-c", "!exec(open(%r).read(), {})" % script, "-c", "q",
                    self.program_dump], self.dir)
        lines = [l for l in proc.stdout.splitlines() if l.startswith(MARK)]
        self.assertEqual(len(lines), 1, "no result from the checker:\n%s\n%s"
                         % (proc.stdout, proc.stderr))
        return json.loads(lines[0][len(MARK):])

    def test_program_values_print_and_type_as_in_the_program(self):
        facts = self.check(self.program_dump, PROGRAM_CHECKER)
        with open(self.expected_path, encoding="utf-8") as f:
            expected = json.load(f)
        self.assertEqual(sorted(facts["values"]), sorted(expected))
        for key, want in expected.items():
            self.assertEqual(facts["values"][key], want, key)
        # Made in C: make_reduced was called for the Decimal, the ZoneInfo and
        # the datetime in a program's zone only, and for the crashing thread's
        # contextvars.Context and its one variable (decimal keeps its current
        # context there).
        self.assertEqual(facts["make_reduced"],
                         ["Context", "ContextVar", "Decimal"]
                         + (["ZoneInfo"] if "zone" in expected else []) + ["datetime"])
        self.assertTrue(facts["shared"])
        self.assertTrue(facts["utc_singleton"])
        self.assertTrue(facts["zone_shared"])
        # A program's date and datetime subclasses are real dates of the rebuilt
        # classes (made by date's and datetime's own constructors: the program's
        # __new__ does not run), with their attributes; a datetime in a
        # program's zone stays aware, its zone a tzinfo standing for the dumped
        # one (its offsets unknown).
        self.assertEqual(facts["mydate"], ["__main__", True, "MyDate(2020, 1, 2)"])
        self.assertEqual(facts["stamp"], [
            "Stamp", "Stamp(2020, 1, 2, 3, 4, 5, 6, fold=1, tzinfo=datetime.timezone("
            "datetime.timedelta(seconds=7200), 'Zürich ✓'))", "build", True, "2:00:00"])
        self.assertEqual(facts["own_zone"],
                         ["datetime.datetime(2020, 5, 5, 0, 0, tzinfo=<rebuilt Zone>)",
                          "datetime", "DumpedCodeError"])

    def test_crafted_records_rebuild_as_make_reduced_makes_them(self):
        g = hg.Graph()
        classes = {name: g.klass(name, module="datetime", flags=hg.CLASS_STDLIB)
                   for name in ("date", "time", "datetime", "timedelta", "timezone", "tzinfo")}
        program_class = g.klass("Thing")
        thing = Ref(g.instance(program_class))
        ints = {}

        def num(n):
            if n not in ints:
                ints[n] = g.int(n) if -2**63 <= n < 2**63 else g.bigint(n)
            return ints[n]

        def arg(a):
            if isinstance(a, bool):
                return g.add(0x03 if a else 0x02)
            if isinstance(a, int):
                return num(a)
            if isinstance(a, str):
                return g.str(a)
            if a is None:
                return g.none()
            return a.oid

        cases = {}

        def reduced(name, cls, args):
            args_id = g.tuple([arg(a) for a in args])
            value = g.add(REDUCED, g.ref(classes[cls]) + g.ref(args_id))
            cases[name] = (value, classes[cls], args_id)
            return Ref(value)

        hours2 = reduced("td_2h", "timedelta", (0, 7200, 0))
        reduced("date", "date", (2024, 2, 29))
        reduced("date_bad_day", "date", (2023, 2, 29))
        reduced("date_bool", "date", (2024, True, 1))
        reduced("date_huge", "date", (2**70, 1, 1))
        reduced("date_int_max", "date", (2**31, 1, 1))
        reduced("date_arity", "date", (2024, 1))
        reduced("dt", "datetime", (2021, 10, 31, 2, 30, 0, 5, None, 1))
        reduced("dt_zone", "datetime", (2021, 10, 31, 2, 30, 0, 5, hours2, 0))
        reduced("dt_fold_2", "datetime", (2021, 10, 31, 2, 30, 0, 5, None, 2))
        reduced("dt_fold_bool", "datetime", (2021, 10, 31, 2, 30, 0, 5, None, False))
        reduced("dt_tz_str", "datetime", (2021, 1, 1, 0, 0, 0, 0, "UTC", 0))
        reduced("dt_tz_thing", "datetime", (2021, 1, 1, 0, 0, 0, 0, thing, 0))
        reduced("dt_tz_timedelta", "datetime", (2021, 1, 1, 0, 0, 0, 0, hours2, 0))
        reduced("dt_hour_24", "datetime", (2021, 1, 1, 24, 0, 0, 0, None, 0))
        reduced("dt_us_neg", "datetime", (2021, 1, 1, 0, 0, 0, -1, None, 0))
        reduced("time", "time", (1, 2, 3, 4, None, 1))
        reduced("time_minute_60", "time", (1, 60, 3, 4, None, 0))
        reduced("time_str", "time", ("1", 2, 3, 4, None, 0))
        reduced("td_neg", "timedelta", (-3, 5, 7))
        reduced("td_unnormalized", "timedelta", (0, 100000, -1))
        reduced("td_too_big", "timedelta", (1000000000, 0, 0))
        reduced("td_max", "timedelta", (999999999, 86399, 999999))
        reduced("td_min", "timedelta", (-999999999, 0, 0))
        reduced("td_huge_seconds", "timedelta", (0, 2**40, 0))
        zone = reduced("tz_named", "timezone", (hours2, "Z\u00fcrich"))
        reduced("dt_named_zone", "datetime", (1999, 12, 31, 23, 59, 59, 0, zone, 1))
        zero = reduced("td_zero", "timedelta", (0, 0, 0))
        reduced("tz_zero", "timezone", (zero,))
        reduced("tz_zero_named", "timezone", (zero, "UTC"))
        day = reduced("td_day", "timedelta", (1, 0, 0))
        reduced("tz_day", "timezone", (day,))
        reduced("tz_name_int", "timezone", (hours2, 5))
        reduced("tz_offset_int", "timezone", (7200,))
        reduced("tz_three", "timezone", (hours2, "a", "b"))
        reduced("tz_none", "timezone", ())
        reduced("tzinfo", "tzinfo", ())
        roots = {"cases": g.dict([(g.str(name), g.tuple(list(ids)))
                                  for name, ids in cases.items()])}
        path = os.path.join(self.dir, "crafted.dump")
        with open(path, "wb") as f:
            f.write(hg.dump_bytes(g.stream(roots), self.manifest, self.traceback_txt))
        facts = self.check(path, CRAFTED_CHECKER)
        self.assertEqual(sorted(facts["cases"]), sorted(cases))
        for name, (got_type, got, want_type, want) in facts["cases"].items():
            self.assertEqual((got_type, got), (want_type, want), name)
        # Some cases are values, the others stand-ins naming the error.
        values = {name for name, (t, *_) in facts["cases"].items()
                  if t.startswith("<class 'datetime.")}
        self.assertIn("dt_named_zone", values)
        self.assertIn("td_unnormalized", values)
        self.assertNotIn("date_bad_day", values)
        self.assertNotIn("dt_fold_2", values)
        self.assertNotIn("tz_day", values)
        self.assertTrue(facts["utc"])
        # What the datetime C API makes is made in C; make_reduced makes the rest
        # (a tzinfo that is none here is wrapped there: dt_zone, dt_tz_*).
        made_in_c = {"date", "dt", "dt_named_zone", "time", "td_2h", "td_neg", "td_max", "td_min", "td_zero",
                     "td_day", "tz_named", "tz_zero", "tz_zero_named"}
        self.assertEqual(sorted(set(cases) - set(facts["passed"])), sorted(made_in_c))


if __name__ == "__main__":
    unittest.main()
