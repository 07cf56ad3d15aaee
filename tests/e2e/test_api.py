"""test_api.py: the pyhd module under pyhd-run: dump(), enabled(), settings(), DumpHandler."""
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

from e2e_util import clean_env, dumps_in, manifest

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
PYTHON = os.environ["PYHD_PYTHON"]


class ApiTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-api-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def run_script(self, text, argv=(RUN,), env=None):
        path = os.path.join(self.dir, "prog.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
        result = subprocess.run([*argv, path], cwd=self.dir, env=env or clean_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        return result

    def dumps(self):
        return dumps_in(self.dir)


class Dump(ApiTestCase):
    def test_dump_in_except_names_the_handled_exception(self):
        result = self.run_script("""\
            import pyhd
            def handle(request):
                try:
                    return {"n": 1} [request]
                except Exception:
                    path = pyhd.dump(reason="request failed")
                    print(path)
                    return 500
            print(handle("missing"))
            """)
        self.assertEqual(result.returncode, 0, result.stderr)
        path, status = result.stdout.decode().splitlines()
        self.assertEqual(status, "500")
        # A dump is never silent: the line names it, as for every other trigger.
        self.assertRegex(result.stderr.decode(),
                         r"^pyhd: dump written to %s \(.* objects, .* ms\)\n$" % path)
        self.assertEqual(self.dumps(), [path])
        m = manifest(path)
        self.assertEqual(m["Trigger"], "api")
        self.assertEqual(m["Reason"], "request failed")
        self.assertEqual(m["Exception-Type"], "builtins.KeyError")
        self.assertEqual(m["Exception-Message"], "'missing'")
        printed = subprocess.run([DEBUG, "--print", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=clean_env())
        self.assertEqual(printed.returncode, 0, printed.stderr)
        self.assertIn(b"KeyError: 'missing'", printed.stdout)
        self.assertIn(b"in handle", printed.stdout)

    def test_dump_without_exception_path_and_explicit_exc(self):
        result = self.run_script("""\
            import os, pyhd
            os.mkdir("sub")
            plain = pyhd.dump()
            named = pyhd.dump(path=os.path.join("sub", "mine.dump"), exc=OSError(2, "gone"))
            again = pyhd.dump(path="sub/mine.dump")
            print(plain); print(named); print(again)
            """)
        self.assertEqual(result.returncode, 0, result.stderr)
        plain, named, again = result.stdout.decode().splitlines()
        self.assertNotIn("Exception-Type", manifest(plain))
        self.assertEqual(named, os.path.join(os.path.realpath(self.dir), "sub", "mine.dump"))
        self.assertEqual(again, os.path.join(os.path.realpath(self.dir), "sub", "mine-2.dump"))
        self.assertEqual(manifest(named)["Exception-Type"], "builtins.FileNotFoundError")
        self.assertEqual(manifest(plain)["Trigger"], "api")

    def test_bad_arguments_and_failure(self):
        result = self.run_script("""\
            import pyhd
            for kwargs in ({"exc": 3}, {"reason": b"x"}):
                try:
                    pyhd.dump(**kwargs)
                except TypeError as e:
                    print("TypeError")
            try:
                pyhd.dump(path="prog.py/x.dump")
            except pyhd.DumpError as e:
                print(isinstance(e, RuntimeError), "prog.py" in str(e))
            """)
        self.assertEqual(result.stdout, b"TypeError\nTypeError\nTrue True\n", result.stderr)
        self.assertEqual(self.dumps(), [])

    def test_enabled_and_settings(self):
        code = """\
            import json, pyhd
            print(json.dumps([pyhd.enabled(), pyhd.settings()]))
            print(pyhd.dump())
            """
        result = self.run_script(code, argv=(RUN, "--dump-signal=USR2", "--max-items=7"))
        enabled, settings = json.loads(result.stdout.decode().splitlines()[0])
        self.assertTrue(enabled)
        self.assertEqual(settings["launcher"], "pyhd-run")
        self.assertEqual(settings["dump_signal"], "SIGUSR2")
        self.assertEqual(settings["max_items"], 7)
        self.assertEqual(settings["dump_dir"], os.path.realpath(self.dir))
        self.assertEqual(settings["rate_limit_per_minute"], 10)
        self.assertEqual(len(self.dumps()), 1)

        result = self.run_script(code, argv=(RUN, "--no-dump"))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.decode().splitlines()
        self.assertFalse(json.loads(lines[0])[0])
        self.assertEqual(lines[1], "None")
        self.assertEqual(len(self.dumps()), 1)

    def test_import_fails_under_plain_python(self):
        result = self.run_script("import pyhd\n", argv=(PYTHON,))
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"ModuleNotFoundError: No module named 'pyhd'", result.stderr)

    def test_dump_fork_returns_none_and_child_writes(self):
        result = self.run_script("""\
            import pyhd
            try:
                1 / 0
            except ZeroDivisionError:
                print(pyhd.dump())
            """, argv=(RUN, "--dump-fork"))
        self.assertEqual((result.returncode, result.stdout), (0, b"None\n"), result.stderr)
        [path] = self.dumps()
        self.assertIn(b"pyhd: dump written to " + os.fsencode(path), result.stderr)
        self.assertEqual(manifest(path)["Exception-Type"], "builtins.ZeroDivisionError")


class Handler(ApiTestCase):
    def test_dump_handler_with_logging_exception(self):
        result = self.run_script("""\
            import logging, sys
            import pyhd
            log = logging.getLogger("app")
            log.addHandler(pyhd.DumpHandler())
            log.error("no exception here")
            try:
                int("x")
            except ValueError:
                log.exception("parsing failed")
            print("served", "logging" in sys.modules)
            """)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"served True\n")
        [path] = self.dumps()
        m = manifest(path)
        self.assertEqual((m["Trigger"], m["Exception-Type"]), ("api", "builtins.ValueError"))
        self.assertEqual(m["Reason"], "log record of logger app")

    def test_import_pyhd_does_not_import_logging(self):
        result = self.run_script("""\
            import sys, pyhd
            print("logging" in sys.modules, issubclass(pyhd.DumpHandler, __import__("logging").Handler))
            """)
        self.assertEqual(result.stdout, b"False True\n", result.stderr)


if __name__ == "__main__":
    unittest.main()
