"""pyhd-debug --json and --html: the crash report of real dumps; the HTML page loaded in chromium.

The JSON report is checked field by field against what the crashed programs
held. The HTML page is loaded by headless chromium (/usr/bin/chromium or
$PYHD_CHROMIUM; skipped with a line where there is none), which runs the
page's own script and dumps the resulting DOM: the traceback's frames, the
locals, the thread list must be there, and no script or handler carried in
the dump's strings may have run.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

DEBUG = os.environ["PYHD_DEBUG"]
SOURCE_DIR = os.path.abspath(os.environ["PYHD_SOURCE_DIR"])
EXAMPLES = os.path.join(SOURCE_DIR, "examples")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphread  # noqa: E402
from e2e_util import clean_env  # noqa: E402
from test_debug import Crash  # noqa: E402

# What this Python says for float / 0 ("float division by zero" before 3.14).
try:
    1.0 / 0
except ZeroDivisionError as _e:
    FLOAT_DIVISION = str(_e)

# A program whose strings, thread name and exception message try to run
# script in a page that shows them.
HOSTILE = r'''
import threading


PAYLOAD = '<script>document.documentElement.setAttribute("data-owned", "script")</script>'
HANDLER = '<img src=x onerror="document.documentElement.setAttribute(\'data-owned\', \'img\')">'
LINK = 'javascript:document.documentElement.setAttribute("data-owned", "link")'


def fail(note):
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, name=PAYLOAD, daemon=True)
    worker.start()
    attributes = {"<b>key</b>": HANDLER, "href": LINK}
    title = "\x1b]0;owned\x07\x9b2J"
    raise ValueError(PAYLOAD + " " + LINK + title)


fail(HANDLER)
'''

# A local whose list the dump cuts (pyhd-run --max-items).
CUT = '''
def fail():
    numbers = list(range(100))
    1 / 0


fail()
'''


def chromium():
    """The chromium to test with, or None."""
    candidate = os.environ.get("PYHD_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    return candidate if candidate and os.access(candidate, os.X_OK) else None


def setUpModule():
    global WORKDIR, LOCALS, CHAIN, HOSTILE_CRASH, CUT_CRASH
    WORKDIR = tempfile.mkdtemp(prefix="pyhd-test-report-")
    LOCALS = Crash(WORKDIR, os.path.join(EXAMPLES, "crash_locals.py"), "10")
    CHAIN = Crash(WORKDIR, os.path.join(EXAMPLES, "crash_chain.py"))
    hostile = os.path.join(WORKDIR, "hostile.py")
    with open(hostile, "w") as f:
        f.write(HOSTILE)
    HOSTILE_CRASH = Crash(WORKDIR, hostile)
    cut = os.path.join(WORKDIR, "cut.py")
    with open(cut, "w") as f:
        f.write(CUT)
    CUT_CRASH = CutCrash(WORKDIR, cut)


class CutCrash(Crash):
    """A crash dumped with --max-items 10."""

    def __init__(self, directory, script):
        proc = subprocess.run([os.environ["PYHD_RUN"], "--dump-dir", directory,
                               "--max-items", "10", script], cwd=directory, env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=300)
        self.dump = re.search(r"pyhd: dump written to (/\S+\.dump) ", proc.stderr).group(1)


def tearDownModule():
    shutil.rmtree(WORKDIR, True)


def json_report(dump):
    proc = subprocess.run([DEBUG, "--json", dump], env=clean_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=300)
    if proc.returncode != 0 or proc.stderr:
        raise AssertionError(f"pyhd-debug --json failed: {proc.returncode}\n{proc.stderr}")
    return json.loads(proc.stdout)


def frame_named(frames, name):
    return next(f for f in frames if f["function"] == name)


def local(frame, name):
    return next(v for v in frame["locals"] if v["name"] == name)


class JsonReport(unittest.TestCase):
    def test_header_threads_and_locals(self):
        report = json_report(LOCALS.dump)
        self.assertEqual(report["pyhd_report"], 1)
        head = report["header"]
        self.assertEqual(head["exception"], "ZeroDivisionError")
        self.assertEqual(head["exception_message"], FLOAT_DIVISION)
        self.assertEqual(head["trigger"], "uncaught-exception")
        self.assertEqual(head["argv"][0], os.path.join(EXAMPLES, "crash_locals.py"))
        self.assertIn("    return total / count\n", report["traceback_text"])
        self.assertIn(f"ZeroDivisionError: {FLOAT_DIVISION}\n", report["traceback_text"])
        self.assertEqual(sorted(t["name"] for t in report["threads"]), ["MainThread", "worker"])
        main = next(t for t in report["threads"] if t["name"] == "MainThread")
        self.assertIn("main", main["flags"])
        worker = next(t for t in report["threads"] if t["name"] == "worker")
        self.assertIn("daemon", worker["flags"])
        loop = frame_named(worker["frames"], "worker_loop")
        self.assertEqual(loop["line"], 23)
        (exc,) = report["exceptions"]
        self.assertTrue(exc["trigger"])
        self.assertEqual([f["function"] for f in exc["frames"]],
                         ["<module>", "main", "process", "average"])
        average = exc["frames"][-1]
        self.assertEqual(local(average, "count")["value"], "0")
        self.assertEqual(local(average, "label")["value"], "'selected'")
        current = [row for row in average["source"] if row["current"]]
        self.assertEqual(current, [{"line": 29, "text": "    return total / count",
                                    "current": True}])
        module = exc["frames"][0]
        self.assertTrue(module["locals_are_globals"])
        self.assertEqual(local(module, "__name__")["value"], "'__main__'")
        self.assertNotIn("parts", local(module, "sys"))
        orders = local(frame_named(exc["frames"], "main"), "orders")
        self.assertEqual(orders["parts_count"], 2)
        order = orders["parts"][0]
        self.assertEqual(order["type"], "__main__.Order")
        number = next(p for p in order["parts"] if p["name"] == "number")
        self.assertEqual(number["value"], "1")
        self.assertEqual(report["manifest"][0], {"key": "Format-Version", "value": str(graphread.VERSION)})

    def test_chain_and_group(self):
        report = json_report(CHAIN.dump)
        excs = report["exceptions"]
        trigger = next(e for e in excs if e["trigger"])
        self.assertEqual((trigger["type"], trigger["message"]), ("KeyError", "'two'"))
        cause = next(e for e in excs if {"cause_of": trigger["index"]} in e["relations"])
        self.assertEqual(cause["type"], "ValueError")
        self.assertIn("invalid literal", cause["message"])
        context = next(e for e in excs if {"context_of": cause["index"]} in e["relations"])
        self.assertEqual((context["type"], context["message"]), ("KeyError", "'two'"))
        self.assertEqual(local(frame_named(context["frames"], "lookup"), "key")["value"],
                         "'two'")
        if sys.version_info >= (3, 11):
            group = next(e for e in excs if e["type"] == "ExceptionGroup")
            members = [excs[i]["message"] for i in group["members"]]
            self.assertEqual(members, ["negative: -1", "negative: -2"])
            self.assertIn({"member_of": group["index"]}, excs[group["members"][0]]["relations"])

    def test_truncation_is_visible(self):
        report = json_report(CUT_CRASH.dump)
        numbers = local(report["exceptions"][0]["frames"][-1], "numbers")
        self.assertEqual(numbers["missing_items"], 90)
        self.assertIn("90 more items not in the dump", numbers["dump_truncated"])
        self.assertEqual(numbers["parts_count"], 10)

    def test_no_control_character_reaches_the_terminal(self):
        proc = subprocess.run([DEBUG, "--json", HOSTILE_CRASH.dump], env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        self.assertIsNone(re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]",
                                    proc.stdout))
        report = json.loads(proc.stdout)
        frame = frame_named(report["exceptions"][0]["frames"], "fail")
        self.assertEqual(local(frame, "title")["value"], repr("\x1b]0;owned\x07\x9b2J"))

    def test_usage(self):
        proc = subprocess.run([DEBUG, "--json", "--print", LOCALS.dump], env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--html and --json write a report", proc.stderr)
        bad = os.path.join(WORKDIR, "bad.dump")
        with open(bad, "wb") as f:
            f.write(b"no dump here" * 100)
        proc = subprocess.run([DEBUG, "--html", os.path.join(WORKDIR, "bad.html"), bad],
                              env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertRegex(proc.stderr, r"^pyhd-debug: \S+bad\.dump: [^\n]+\n\Z")
        self.assertFalse(os.path.exists(os.path.join(WORKDIR, "bad.html")))


class HtmlInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.browser = chromium()

    def setUp(self):
        if self.browser is None:
            print("test_report: skipped: no chromium (set PYHD_CHROMIUM)", file=sys.stderr)
            self.skipTest("no chromium")

    def html(self, dump):
        out = os.path.join(WORKDIR, os.path.basename(dump) + ".html")
        proc = subprocess.run([DEBUG, "--html", out, dump], env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        with open(out, encoding="utf-8") as f:
            return out, f.read()

    def dom(self, page):
        """The DOM chromium builds from the page, after its scripts ran.

        A browser that dies before printing anything (it happens on a loaded
        machine) is tried once more; what it prints is never retried.
        """
        for attempt in (1, 2):
            profile = tempfile.mkdtemp(prefix="profile-", dir=WORKDIR)
            proc = subprocess.run(
                [self.browser, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--dump-dom", "file://" + page],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=240)
            if proc.returncode == 0 and "<html" in proc.stdout:
                return proc.stdout
            print(f"test_report: chromium attempt {attempt} failed ({proc.returncode}): "
                  f"{proc.stderr[-500:]}", file=sys.stderr)
        self.fail(f"chromium failed twice: {proc.returncode}\n{proc.stderr[-2000:]}")

    def test_report_of_a_crash(self):
        page, source = self.html(LOCALS.dump)
        self.assertNotRegex(source, r"(?i)<(link|img|iframe)\b|\bsrc=|https?://")
        dom = self.dom(page)
        # The page's own script ran (the CSP lets it), so scripts were on.
        self.assertRegex(dom, r'<html lang="en" data-js="on">')
        traceback_text = re.search(r'<pre id="traceback">(.*?)</pre>', dom, re.S).group(1)
        self.assertIn("line 29, in average", traceback_text)
        self.assertIn(f"ZeroDivisionError: {FLOAT_DIVISION}", traceback_text)
        frames = re.findall(r'<summary><code>([^<]*)</code> <span class="where">([^<]*)</span>',
                            dom)
        self.assertIn(("average", os.path.join(EXAMPLES, "crash_locals.py") + ":29"), frames)
        self.assertIn(("worker_loop", os.path.join(EXAMPLES, "crash_locals.py") + ":23"), frames)
        self.assertRegex(dom, r'<span class="name">label</span> <span class="type">\(str\)'
                              r'</span> = <span class="value">\'selected\'</span>')
        names = re.findall(r'<span class="thread-name">([^<]*)</span>', dom)
        self.assertEqual(sorted(names), ["MainThread", "worker"])
        self.assertIn('<td class="key">Format-Version</td>', dom)

    def test_nothing_from_the_dump_runs(self):
        page, source = self.html(HOSTILE_CRASH.dump)
        dom = self.dom(page)
        self.assertRegex(dom, r'<html lang="en" data-js="on">')
        self.assertNotIn("data-owned", re.search(r"<html[^>]*>", dom).group(0))
        self.assertEqual(len(re.findall(r"<script\b", dom)), 1)
        self.assertEqual(re.findall(r"<img\b", dom), [])
        self.assertNotIn('href="javascript:', dom)
        # The strings are shown, as text.
        self.assertIn("&lt;script&gt;document.documentElement.setAttribute(", dom)
        names = re.findall(r'<span class="thread-name">([^<]*)</span>', dom)
        self.assertIn('&lt;script&gt;document.documentElement.setAttribute("data-owned", '
                      '"script")&lt;/script&gt;', names)
        self.assertIn("&lt;img src=x onerror=", dom)

    def test_the_csp_blocks_any_other_script(self):
        """Were a script ever to slip into the page, its Content-Security-Policy stops it."""
        page, source = self.html(CHAIN.dump)
        injected = os.path.join(WORKDIR, "injected.html")
        with open(injected, "w", encoding="utf-8") as f:
            f.write(source.replace("</body>", '<script>document.documentElement.setAttribute('
                                              '"data-owned", "csp")</script></body>'))
        dom = self.dom(injected)
        html_tag = re.search(r"<html[^>]*>", dom).group(0)
        self.assertEqual(html_tag, '<html lang="en" data-js="on">')

    def test_truncation_shown(self):
        page, _ = self.html(CUT_CRASH.dump)
        dom = self.dom(page)
        self.assertIn("[90 more items not in the dump (truncated when it was written)]", dom)


if __name__ == "__main__":
    unittest.main()
