"""pyhd-debug --dap driven by a real DAP client: VS Code's DebugClient, installed from npm.

Crashes examples/ under $PYHD_RUN, installs the client with npm into the build
tree (once; $PYHD_BUILD_DIR/node), then runs tests/e2e/dap/dap_client.test.js
with node's test runner, which drives `pyhd-debug --dap` through the protocol.
Skipped, with a line saying why, where node or npm is missing or the npm
registry cannot be reached. A few checks that need no client run here too.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
SOURCE_DIR = os.path.abspath(os.environ["PYHD_SOURCE_DIR"])
BUILD_DIR = os.path.abspath(os.environ["PYHD_BUILD_DIR"])
EXAMPLES = os.path.join(SOURCE_DIR, "examples")
CLIENT_TEST = os.path.join(SOURCE_DIR, "tests", "e2e", "dap", "dap_client.test.js")
NODE_DIR = os.path.join(BUILD_DIR, "node")
CLIENT_PACKAGE = "@vscode/debugadapter-testsupport@1"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import clean_env  # noqa: E402
from test_debug import Crash  # noqa: E402


def install_client():
    """Install the DAP test client into the build tree; None, or why it is not there."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node or npm is not installed"
    marker = os.path.join(NODE_DIR, "node_modules", "@vscode", "debugadapter-testsupport",
                          "package.json")
    if os.path.exists(marker):
        return None
    os.makedirs(NODE_DIR, exist_ok=True)
    proc = subprocess.run(["npm", "install", "--prefix", NODE_DIR, "--no-audit", "--no-fund",
                           "--no-save", "--loglevel=error", CLIENT_PACKAGE],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300)
    if proc.returncode != 0 or not os.path.exists(marker):
        return f"npm install {CLIENT_PACKAGE} failed: {proc.stdout.strip()[-300:]}"
    return None


def setUpModule():
    global WORKDIR, LOCALS, CHAIN, RECURSION, MOVED, MOVED_ROOT, BAD
    WORKDIR = tempfile.mkdtemp(prefix="pyhd-test-dap-")
    LOCALS = Crash(WORKDIR, os.path.join(EXAMPLES, "crash_locals.py"), "10")
    CHAIN = Crash(WORKDIR, os.path.join(EXAMPLES, "crash_chain.py"))
    RECURSION = Crash(WORKDIR, os.path.join(EXAMPLES, "crash_recursion.py"))
    # A crash whose source is no longer on this disk: served from the dump.
    MOVED_ROOT = os.path.join(WORKDIR, "moved")
    os.mkdir(MOVED_ROOT)
    script = shutil.copy(os.path.join(EXAMPLES, "crash_locals.py"), MOVED_ROOT)
    MOVED = Crash(WORKDIR, script, "10")
    os.unlink(script)
    BAD = os.path.join(WORKDIR, "bad.dump")
    with open(BAD, "wb") as f:
        f.write(b"this is not a dump\n" * 40)


def tearDownModule():
    shutil.rmtree(WORKDIR, True)


def frame(payload):
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def messages(data):
    """The DAP messages in an adapter's output."""
    out = []
    while data:
        header, _, rest = data.partition(b"\r\n\r\n")
        length = int(header.split(b":")[1])
        out.append(json.loads(rest[:length]))
        data = rest[length:]
    return out



def main_thread_name():
    """The DAP name of a program's only thread: "MainThread" when the python's start-up
    imports threading (pyenv's site does, through .pth files), else the dump knows no name."""
    out = subprocess.run([RUN, "-c", "import sys; print('threading' in sys.modules)"],
                         env=clean_env(), stdout=subprocess.PIPE, text=True, check=True).stdout
    return "MainThread" if out.strip() == "True" else "thread 1"

class DapClient(unittest.TestCase):
    def test_debug_client(self):
        reason = install_client()
        if reason is not None:
            print(f"test_dap: skipped: {reason}", file=sys.stderr)
            self.skipTest(reason)
        env = clean_env()
        env.update({
            "NODE_PATH": os.path.join(NODE_DIR, "node_modules"), "PYHD_DEBUG": DEBUG,
            "EXAMPLES": EXAMPLES, "DUMP_LOCALS": LOCALS.dump, "DUMP_CHAIN": CHAIN.dump,
            "DUMP_RECURSION": RECURSION.dump, "DUMP_MOVED": MOVED.dump,
            "MOVED_ROOT": MOVED_ROOT, "BAD_DUMP": BAD,
            "HAS_GROUPS": "1" if sys.version_info >= (3, 11) else "0",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")})
        proc = subprocess.run(["node", "--test", CLIENT_TEST], env=env, cwd=WORKDIR,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=540)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertRegex(proc.stdout, r"(?m)^# fail 0$")
        self.assertNotRegex(proc.stdout, r"(?m)^# pass 0$")


class DapWithoutClient(unittest.TestCase):
    """What a client library would hide: framing errors and output hygiene."""

    def run_adapter(self, *payloads, raw=b""):
        data = raw + b"".join(frame(p) for p in payloads)
        proc = subprocess.run([DEBUG, "--dap"], input=data, env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return messages(proc.stdout)

    def test_bad_json_is_answered_and_the_session_goes_on(self):
        bad = b"{not json"
        out = self.run_adapter(
            {"seq": 2, "type": "request", "command": "initialize", "arguments": {}},
            raw=b"Content-Length: %d\r\n\r\n" % len(bad) + bad)
        self.assertFalse(out[0]["success"])
        self.assertIn("not a JSON message", out[0]["message"])
        self.assertEqual(out[1]["command"], "initialize")
        self.assertTrue(out[1]["success"])

    def test_a_stream_without_lengths_ends_with_one_line(self):
        proc = subprocess.run([DEBUG, "--dap"], input=b"Content-Type: text\r\n\r\n{}",
                              env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, b"pyhd-debug: DAP: a message without a valid "
                                      b"Content-Length; ending the session\n")
        self.assertEqual(proc.stdout, b"")

    def test_dump_text_cannot_drive_the_console(self):
        """Control characters of dumped values reach the client escaped."""
        script = os.path.join(WORKDIR, "escape.py")
        with open(script, "w") as f:
            f.write("def f():\n    title = '\\x1b]0;owned\\x07\\x1b[2J'\n    1/0\nf()\n")
        crash = Crash(WORKDIR, script)
        out = self.run_adapter(
            {"seq": 1, "type": "request", "command": "initialize", "arguments": {}},
            {"seq": 2, "type": "request", "command": "launch", "arguments": {"dump": crash.dump}},
            {"seq": 3, "type": "request", "command": "evaluate",
             "arguments": {"expression": "print(title)", "context": "repl"}},
            {"seq": 4, "type": "request", "command": "threads"},
            {"seq": 5, "type": "request", "command": "stackTrace", "arguments": {"threadId": 1}},
            {"seq": 6, "type": "request", "command": "evaluate",
             "arguments": {"expression": "print(title)", "context": "repl"}})
        result = [m for m in out if m.get("request_seq") == 6][0]
        self.assertTrue(result["success"], result)
        self.assertEqual(result["body"]["result"], "\\x1b]0;owned\\x07\\x1b[2J")
        self.assertNotIn("\x1b", json.dumps(out, ensure_ascii=False))

    def test_vscode_example(self):
        """examples/vscode: the extension's adapter runs pyhd-debug --dap; launch.json uses it."""
        vscode = os.path.join(EXAMPLES, "vscode")
        with open(os.path.join(vscode, "pyhd-dap", "package.json")) as f:
            (debugger,) = json.load(f)["contributes"]["debuggers"]
        with open(os.path.join(vscode, "launch.json")) as f:
            configurations = json.load(f)["configurations"]
        self.assertEqual({c["type"] for c in configurations}, {debugger["type"]})
        self.assertEqual({c["request"] for c in configurations}, {"launch", "attach"})
        for config in configurations:
            for name in config:
                if name not in ("name", "type", "request", "debugServer"):
                    self.assertIn(name, debugger["configurationAttributes"][config["request"]]
                                  ["properties"])
        adapter = os.path.normpath(os.path.join(vscode, "pyhd-dap", debugger["program"]))
        env = clean_env()
        env["PYHD_DEBUG"] = DEBUG
        data = b"".join(frame(p) for p in (
            {"seq": 1, "type": "request", "command": "initialize", "arguments": {}},
            {"seq": 2, "type": "request", "command": "launch",
             "arguments": {"dump": LOCALS.dump}},
            {"seq": 3, "type": "request", "command": "configurationDone"},
            {"seq": 4, "type": "request", "command": "disconnect"}))
        proc = subprocess.run([adapter], input=data, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        out = messages(proc.stdout)
        stopped = [m for m in out if m.get("event") == "stopped"]
        self.assertEqual(stopped[0]["body"]["reason"], "exception")
        self.assertEqual([m["command"] for m in out if m["type"] == "response"],
                         ["initialize", "launch", "configurationDone", "disconnect"])

    def test_exception_of_an_api_dump_is_a_thread(self):
        """pyhd.dump(exc=...) marks no thread failed: its traceback is shown as one more thread."""
        script = os.path.join(WORKDIR, "handled.py")
        with open(script, "w") as f:
            f.write("import pyhd\n\ndef check(limit):\n    seen = [1, 2]\n"
                    "    raise LookupError(limit)\n\ntry:\n    check(7)\n"
                    "except LookupError as error:\n    pyhd.dump(exc=error)\n"
                    "raise SystemExit(3)\n")
        proc = subprocess.run([RUN, "--dump-dir", WORKDIR, script], cwd=WORKDIR,
                              env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=300)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        dump = max((os.path.join(WORKDIR, n) for n in os.listdir(WORKDIR)
                    if n.startswith("pyhd-handled-")), key=os.path.getmtime)
        out = self.run_adapter(
            {"seq": 1, "type": "request", "command": "initialize", "arguments": {}},
            {"seq": 2, "type": "request", "command": "launch", "arguments": {"dump": dump}},
            {"seq": 3, "type": "request", "command": "configurationDone"},
            {"seq": 4, "type": "request", "command": "threads"},
            {"seq": 5, "type": "request", "command": "stackTrace", "arguments": {"threadId": 2}},
            {"seq": 6, "type": "request", "command": "exceptionInfo",
             "arguments": {"threadId": 2}},
            {"seq": 7, "type": "request", "command": "evaluate",
             "arguments": {"expression": "seen + [limit]", "context": "watch"}})
        reply = {m["request_seq"]: m for m in out if m["type"] == "response"}
        stopped = [m for m in out if m.get("event") == "stopped"][0]
        self.assertEqual(stopped["body"]["threadId"], 2)
        self.assertEqual([t["name"] for t in reply[4]["body"]["threads"]],
                         [main_thread_name(), "(exception) LookupError: 7"])
        self.assertEqual([f["name"] for f in reply[5]["body"]["stackFrames"]],
                         ["check", "<module>"])
        self.assertEqual(reply[6]["body"]["exceptionId"], "LookupError")
        self.assertEqual(reply[7]["body"]["result"], "[1, 2, 7]")

    def test_truncation_is_visible(self):
        script = os.path.join(WORKDIR, "cut.py")
        with open(script, "w") as f:
            f.write("def fail():\n    numbers = list(range(100))\n    1 / 0\n\nfail()\n")
        proc = subprocess.run([RUN, "--dump-dir", WORKDIR, "--max-items", "10", script],
                              cwd=WORKDIR, env=clean_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=300)
        dump = re.search(r"pyhd: dump written to (/\S+\.dump) ", proc.stderr).group(1)
        out = self.run_adapter(
            {"seq": 1, "type": "request", "command": "initialize", "arguments": {}},
            {"seq": 2, "type": "request", "command": "launch", "arguments": {"dump": dump}},
            {"seq": 3, "type": "request", "command": "evaluate",
             "arguments": {"expression": "numbers", "context": "hover"}},
            {"seq": 4, "type": "request", "command": "variables",
             "arguments": {"variablesReference": 1}},
            {"seq": 5, "type": "request", "command": "variables",
             "arguments": {"variablesReference": 1, "start": 8, "count": 5}})
        reply = {m["request_seq"]: m for m in out if m["type"] == "response"}
        self.assertIn("<truncated: 90 more>", reply[3]["body"]["result"])
        items = reply[4]["body"]["variables"]
        self.assertEqual([v["value"] for v in items[:10]], [str(n) for n in range(10)])
        self.assertEqual(items[10]["value"],
                         "90 more items not in the dump (truncated when it was written)")
        self.assertEqual([v["name"] for v in reply[5]["body"]["variables"]],
                         ["[8]", "[9]", "..."])

    def test_the_file_on_the_command_line_is_the_default_dump(self):
        # A program's one thread has a name only if threading was imported: some
        # pythons' site (.pth files of pyenv's) import it at start-up.
        data = b"".join(frame(p) for p in (
            {"seq": 1, "type": "request", "command": "initialize", "arguments": {}},
            {"seq": 2, "type": "request", "command": "launch", "arguments": {}},
            {"seq": 3, "type": "request", "command": "threads"}))
        proc = subprocess.run([DEBUG, "--dap", CHAIN.dump], input=data, env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        reply = {m["request_seq"]: m for m in messages(proc.stdout) if m["type"] == "response"}
        self.assertTrue(reply[2]["success"], reply[2])
        self.assertEqual([t["name"] for t in reply[3]["body"]["threads"]], [main_thread_name()])

    def test_usage(self):
        proc = subprocess.run([DEBUG, "--listen", "127.0.0.1:0", LOCALS.dump],
                              env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, "pyhd-debug: --listen goes with --dap\n")
        proc = subprocess.run([DEBUG, "--dap", "--listen", "127.0.0.1:http"],
                              env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("the port must be a number", proc.stderr)


if __name__ == "__main__":
    unittest.main()
