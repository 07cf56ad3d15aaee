"""e2e: the trust boundary of pyhd-debug is the reviewed table of src/trust.c.

A dump names classes by (module, qualname). pyhd-debug imports a module only
when the table lists the pair (or the user says --trust): these tests import
every module of the table in a fresh `python -I` and look for side effects,
then feed pyhd-debug dumps that name __main__ modules, test packages, os and
a module planted in the current directory, and check that nothing was
imported or run.
"""

import os
import subprocess
import sys
import tempfile
import unittest

from e2e_util import CrashTestCase, run_checker, write_program

PYTHON = os.environ.get("PYHD_PYTHON", sys.executable)

# Imports one module (argv[1]) and prints what changed: threads, open file
# descriptors (sockets included) and the names of the current directory.
IMPORT_PROBE = r"""
import os, sys, threading, importlib
def fds():
    return sorted(os.listdir('/proc/self/fd'))
before = (threading.active_count(), fds(), sorted(os.listdir('.')))
importlib.import_module(sys.argv[1])
after = (threading.active_count(), fds(), sorted(os.listdir('.')))
if before != after:
    sys.stderr.write('changed: %r -> %r\n' % (before, after))
"""


class TrustTest(CrashTestCase):
    def debug(self, dump, checker, trust=False):
        """Run checker (it sets `facts`) in pyhd-debug on dump; return (facts, output)."""
        return run_checker(dump, checker, self.dir, trust, env=dict(os.environ))

    def table(self):
        dump = self.dump("1 / 0\n")
        facts, _ = self.debug(dump, "facts = [list(row) for row in _pyhd.TRUSTED]")
        return facts

    # ----------------------------------------------------------------------

    def test_table_modules_import_without_side_effects(self):
        rows = self.table()
        self.assertGreater(len(rows), 50)
        hows = {row[3] for row in rows}
        self.assertEqual(hows, {"class", "reduced", "instance", "enum"})
        modules = sorted({row[2] for row in rows})
        # The pure-data classes the issue names are in the table as real instances.
        instances = {(row[0], row[1]) for row in rows if row[3] == "instance"}
        for pair in [("argparse", "Namespace"), ("collections", "ChainMap"),
                     ("ipaddress", "IPv4Address"), ("queue", "Queue"),
                     ("threading", "Thread"), ("configparser", "ConfigParser"),
                     ("types", "SimpleNamespace"), ("inspect", "Signature"),
                     ("subprocess", "CompletedProcess"), ("statistics", "NormalDist")]:
            self.assertIn(pair, instances)
        # Classes that act on the world outside the object are not.
        names = {(row[0], row[1]) for row in rows}
        for pair in [("subprocess", "Popen"), ("socket", "socket"), ("os", "_wrap_close"),
                     ("logging", "Logger"), ("logging", "FileHandler"),
                     ("argparse", "ArgumentParser"), ("os", "_Environ"),
                     ("zipfile", "ZipFile"), ("tempfile", "TemporaryDirectory")]:
            self.assertNotIn(pair, names)
        for module in modules:
            cwd = tempfile.mkdtemp(dir=self.dir)
            proc = subprocess.run([PYTHON, "-I", "-c", IMPORT_PROBE, module], cwd=cwd,
                                  capture_output=True, text=True, timeout=60,
                                  stdin=subprocess.DEVNULL)
            self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, "", ""),
                             "importing %s" % module)

    def test_every_entry_is_found_and_nothing_else(self):
        # trust.c finds a name by binary search over the table sorted once:
        # each entry is found as itself, and names next to entries are not.
        dump = self.dump("1 / 0\n")
        facts, _ = self.debug(dump, """
            import importlib
            found, absent, near = [], [], []
            for module, qualname, where, how in _pyhd.TRUSTED:
                got = _pyhd.trusted_class(module, qualname)
                try:
                    real = getattr(importlib.import_module(where), qualname)
                except (ImportError, AttributeError):
                    real = None  # not in this Python (StrEnum before 3.11), or renamed
                if not isinstance(real, type):
                    real = None  # no class here (typing.Union before 3.14)
                if got is None:
                    absent.append([module, qualname, real is None])
                else:
                    found.append([module, qualname, got[1] == how and
                                  (real is None or got[0] is real)])
                for m, q in ((module, qualname + 'x'), (module, qualname[:-1]),
                             (module + 'x', qualname), (module[:-1], qualname),
                             (module, '_' + qualname)):
                    if m not in ('builtins', '') and _pyhd.trusted_class(m, q) is not None \
                            and (m, q) not in {(r[0], r[1]) for r in _pyhd.TRUSTED}:
                        near.append([m, q])
            facts = {'found': found, 'absent': absent, 'near': near}
        """)
        self.assertGreater(len(facts["found"]), 100)
        self.assertEqual([row for row in facts["found"] if not row[2]], [])
        self.assertEqual([row for row in facts["absent"] if not row[2]], [])
        self.assertEqual(facts["near"], [])

    def test_dump_names_outside_the_table_are_never_imported(self):
        # Each class claims to be defined by a module that would run something
        # when imported; the fake module in sys.modules makes pyhd-run flag it as
        # standard library, exactly as a crafted dump could.
        dump = self.dump("""
            import sys, types
            NAMES = [('unittest.__main__', 'TestProgram'), ('venv.__main__', 'EnvBuilder'),
                     ('lib2to3.__main__', 'Main'), ('idlelib.idle', 'Idle'),
                     ('test.test_os', 'FileTests'), ('this', 'Zen'),
                     ('antigravity', 'Fly'), ('os', 'Shell'), ('planted', 'Planted'),
                     ('json.tool', 'Tool')]
            def make(module, qualname):
                mod = sys.modules.setdefault(module, types.ModuleType(module))
                cls = type(qualname, (), {'__module__': module, '__qualname__': qualname})
                setattr(mod, qualname, cls)
                return cls()
            def crash():
                objs = {module: make(module, qualname) for module, qualname in NAMES}
                1 / 0
            crash()
        """)
        # A module of that name in the current directory, and one shadowing argparse.
        write_program(os.path.join(self.dir, "planted.py"),
              "open('planted-ran', 'w').close()\nprint('planted ran')\n")
        write_program(os.path.join(self.dir, "argparse.py"),
              "open('argparse-ran', 'w').close()\nprint('shadow ran')\n")
        checker = """
            import os
            names = ['unittest.__main__', 'venv.__main__', 'lib2to3.__main__', 'idlelib.idle',
                     'test.test_os', 'this', 'antigravity', 'planted', 'json.tool', 'idlelib',
                     'test', 'lib2to3', 'venv']
            before = [n for n in names if n in sys.modules]
            r = _pyhd.load(DUMP)
            tb = r['exceptions'][0][1]
            while tb.next is not None:
                tb = tb.next
            objs = tb.frame.locals['objs']
            facts = {
                'before': before,
                'imported': [n for n in names if n in sys.modules],
                'types': sorted('%s.%s' % (type(o).__module__, type(o).__qualname__)
                                for o in objs.values()),
                'real_os': any(type(o) is getattr(os, 'Shell', None) for o in objs.values()),
                'ran': sorted(n for n in os.listdir('.') if n.endswith('-ran')),
                'direct': [_pyhd.trusted_class(m, q) for m, q in
                           [('unittest.__main__', 'TestProgram'), ('planted', 'Planted'),
                            ('os', 'system'), ('builtins', 'print'), ('builtins', 'a.b')]],
                'argparse_file': sys.modules['argparse'].__file__ != os.path.abspath('argparse.py')
                                 if 'argparse' in sys.modules else True,
            }
        """
        facts, proc = self.debug(dump, checker)
        self.assertEqual(facts["before"], [])
        self.assertEqual(facts["imported"], [])
        self.assertEqual(facts["ran"], [])
        self.assertFalse(facts["real_os"])
        self.assertEqual(facts["direct"], [None] * 5)
        self.assertTrue(facts["argparse_file"])
        # The objects keep the names the program gave their classes.
        self.assertEqual(facts["types"], sorted([
            "unittest.__main__.TestProgram", "venv.__main__.EnvBuilder",
            "lib2to3.__main__.Main", "idlelib.idle.Idle", "test.test_os.FileTests", "this.Zen",
            "antigravity.Fly", "os.Shell", "planted.Planted", "json.tool.Tool"]))
        self.assertNotIn("planted ran", proc.stdout)
        self.assertNotIn("shadow ran", proc.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "pyhd-prog")))

    def test_trusted_names_resolve_to_the_real_classes(self):
        dump = self.dump("1 / 0\n")
        facts, _ = self.debug(dump, """
            import argparse, collections, enum, http, json, types
            def real(module, qualname):
                found = _pyhd.trusted_class(module, qualname)
                return found and [found[0].__module__ + '.' + found[0].__qualname__, found[1]]
            facts = {
                'namespace': real('argparse', 'Namespace'),
                'simple': real('types', 'SimpleNamespace'),
                'status': real('http', 'HTTPStatus'),
                'json': real('json.decoder', 'JSONDecodeError'),
                'object': real('builtins', 'object'),
                'value_error': real('builtins', 'ValueError'),
                'identity': _pyhd.trusted_class('argparse', 'Namespace')[0] is argparse.Namespace,
                'bad': [_pyhd.trusted_class(1, 'x'), _pyhd.trusted_class('argparse', '\\ud800')],
            }
        """)
        self.assertEqual(facts["namespace"], ["argparse.Namespace", "instance"])
        self.assertEqual(facts["simple"], ["types.SimpleNamespace", "instance"])
        self.assertEqual(facts["status"], ["http.HTTPStatus", "enum"])
        self.assertEqual(facts["json"], ["json.decoder.JSONDecodeError", "class"])
        self.assertEqual(facts["object"], ["builtins.object", "instance"])
        self.assertEqual(facts["value_error"], ["builtins.ValueError", "class"])
        self.assertTrue(facts["identity"])
        self.assertEqual(facts["bad"], [None, None])


if __name__ == "__main__":
    unittest.main()
