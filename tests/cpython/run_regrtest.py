#!/usr/bin/env python3
"""run_regrtest.py: CPython's own regression tests under python and under pyhd-run, and what fails only under pyhd-run.

    run_regrtest.py [--python PY] [--pyhd-run PATH] [--side both|python|pyhd]
                    [--work DIR] [--timeout SECONDS] [MODULE ...]

`python -m test` runs in-process (no -j), once by PY and once by pyhd-run,
for each MODULE (default: the modules of issue 10). In both runs
sys.executable is a wrapper in a virtualenv made for the run, so that every
child the tests start (script_helper, subprocess) is run the same way: plain
PY on one side, pyhd-run on the other. Both sides get the same environment
(PYHD_QUIET=1, so the documented "pyhd:" line does not show; a throwaway dump
directory), so the only difference is pyhd-run.

A test that fails under pyhd-run and not under python is run again alone
under pyhd-run; if it passes then, it is reported as flaky. A difference
listed in KNOWN below, with its reason, is reported and accepted. Exit
status: 0 when every other difference is absent, 1 otherwise, 77 (ctest's
skip) when PY has no test package (Debian ships it apart, in
libpython3.X-testsuite).

PY and pyhd-run default to $PYHD_PYTHON and $PYHD_RUN, as ctest sets them.
"""

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

MODULES = [
    "test_cmd_line", "test_cmd_line_script", "test_runpy", "test_sys", "test_traceback",
    "test_exceptions", "test_threading", "test_thread", "test_signal", "test_faulthandler",
    "test_subprocess", "test_atexit", "test_logging", "test_pdb",
]

SKIP = 77

# Tests that fail under pyhd-run and not under python, by design, each with
# the reason (a glob over "MODULE: Class.method"). Keep this list short: every
# entry is a difference a user could see, and pyhd-run(1) documents it.
KNOWN = {
}


def wrapper(path, body):
    with open(path, "w") as f:
        f.write("#!/bin/bash\n" + body + "\n")
    os.chmod(path, 0o755)


def make_venv(root, python, version, exec_line):
    """A virtualenv whose bin/python is a wrapper script: sys.executable
    names it, so children run the way the parent was run."""
    os.makedirs(os.path.join(root, "bin"))
    home = os.path.dirname(os.path.realpath(python))
    with open(os.path.join(root, "pyvenv.cfg"), "w") as f:
        f.write("home = %s\ninclude-system-site-packages = false\nversion = %s\n"
                % (home, version))
    exe = os.path.join(root, "bin", "python")
    wrapper(exe, exec_line.format(venv=root, exe=exe))
    for alias in ("python3", "python%s" % version.rsplit(".", 1)[0]):
        os.symlink("python", os.path.join(root, "bin", alias))
    return exe


def parse_junit(path, module):
    """{'MODULE: Class.method': 'failure'|'error'} of a --junit-xml file."""
    failed = {}
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        kind = next((c.tag for c in case if c.tag in ("failure", "error")), None)
        if kind is None:
            continue
        # regrtest names a case by its whole id: test.MODULE.Class.method.
        short = ".".join(case.get("name", "").split(".")[-2:])
        failed["%s: %s" % (module, short)] = kind
    # Errors outside any test (a setUpClass, a module's setup) are counted by
    # the suite but come as a nameless case: keep their number.
    counted = sum(int(suite.get("errors", 0)) + int(suite.get("failures", 0))
                  for suite in root.iter("testsuite"))
    if counted > len(failed):
        failed["%s: (%d errors outside named tests)" % (module, counted - len(failed))] = "error"
    return failed


def side_env(side_dir):
    """The same environment for both sides: no stray pyhd or python settings,
    the documented "pyhd:" line off, dumps into the side's directory."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("PYHD_") or k.startswith("PYTHON"))}
    env.update(PYHD_QUIET="1", PYHD_DUMP_DIR=os.path.join(side_dir, "dumps"))
    return env


def run_module(exe, module, work, env, timeout, match=None):
    """Run one test module in-process; returns (failures, seconds, note)."""
    xml = os.path.join(work, "%s.xml" % module)
    if os.path.exists(xml):
        os.unlink(xml)
    cmd = [exe, "-m", "test", "--junit-xml", xml]
    if match:
        cmd += ["--match", match]
    cmd.append(module)
    log = os.path.join(work, "%s%s.log" % (module, ".rerun" if match else ""))
    t0 = time.monotonic()
    with open(log, "w") as out:
        try:
            rc = subprocess.run(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    seconds = time.monotonic() - t0
    if not os.path.exists(xml):
        return {"%s: (whole module)" % module: "did not finish (exit %s; see %s)" % (rc, log)}, \
            seconds, rc
    return parse_junit(xml, module), seconds, rc


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", default=os.environ.get("PYHD_PYTHON"))
    p.add_argument("--pyhd-run", default=os.environ.get("PYHD_RUN"))
    p.add_argument("--side", choices=("both", "python", "pyhd"), default="both")
    p.add_argument("--work", help="keep the runs' files here (default: a temporary directory)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per module")
    p.add_argument("modules", nargs="*", default=MODULES)
    a = p.parse_args()
    if not a.python or not a.pyhd_run:
        p.error("--python and --pyhd-run (or PYHD_PYTHON and PYHD_RUN) are needed")

    probe = subprocess.run(
        [a.python, "-c", "import sys, importlib.util as u; print('%d.%d.%d' % sys.version_info[:3]);"
         "print(' '.join(m for m in sys.argv[1:] if u.find_spec('test.' + m) is None))"]
        + a.modules, capture_output=True, text=True)
    if probe.returncode != 0:
        print("run_regrtest: %s does not run: %s" % (a.python, probe.stderr.strip()))
        return 1
    version, missing = probe.stdout.splitlines()[0], probe.stdout.splitlines()[1:]
    missing = missing[0].split() if missing else []
    if missing:
        print("run_regrtest: skipped: %s has no test package for %s (Debian ships CPython's "
              "tests apart, in libpython%s-testsuite)" % (a.python, " ".join(missing),
                                                         version.rsplit(".", 1)[0]))
        return SKIP

    work = a.work or tempfile.mkdtemp(prefix="pyhd-regrtest-")
    os.makedirs(work, exist_ok=True)
    python = os.path.realpath(a.python)
    pyhd_run = os.path.realpath(a.pyhd_run)
    sides = ["python", "pyhd"] if a.side == "both" else [a.side]
    exes = {}
    for side in sides:
        venv = os.path.join(work, "venv-" + side)
        shutil.rmtree(venv, ignore_errors=True)
        if side == "python":
            # argv[0] is the wrapper, so python finds pyvenv.cfg beside it, as
            # it does for a virtualenv's own bin/python.
            line = 'VIRTUAL_ENV={venv} exec -a {exe} %s "$@"' % python
        else:
            # pyhd-run takes sys.executable from VIRTUAL_ENV's bin/python.
            line = 'VIRTUAL_ENV={venv} exec %s "$@"' % pyhd_run
        exes[side] = make_venv(venv, python, version, line)

    results = {}
    for side in sides:
        side_dir = os.path.join(work, side)
        shutil.rmtree(side_dir, ignore_errors=True)
        os.makedirs(os.path.join(side_dir, "dumps"))
        env = side_env(side_dir)
        results[side] = {}
        for module in a.modules:
            failed, seconds, rc = run_module(exes[side], module, side_dir, env, a.timeout)
            results[side].update(failed)
            print("run_regrtest: %-6s %-22s %4d failed  %6.1f s  (exit %s)"
                  % (side, module, len(failed), seconds, rc), flush=True)
    if a.side != "both":
        for name, kind in sorted(results[a.side].items()):
            print("  %s: %s" % (name, kind))
        return 0

    only = sorted(set(results["pyhd"]) - set(results["python"]))
    gone = sorted(set(results["python"]) - set(results["pyhd"]))
    unexplained = []
    for name in only:
        reason = next((r for pat, r in KNOWN.items() if fnmatch.fnmatch(name, pat)), None)
        if reason is None and not name.endswith("(whole module)"):
            module, test = name.split(": ", 1)
            env = side_env(os.path.join(work, "pyhd"))
            again, _, _ = run_module(exes["pyhd"], module, os.path.join(work, "pyhd"), env,
                                     a.timeout, match=test.split(".")[-1])
            if name not in again:
                reason = "flaky: passed when run again alone under pyhd-run"
        print("run_regrtest: fails only under pyhd-run: %s (%s)%s"
              % (name, results["pyhd"][name], ": " + reason if reason else ""))
        if reason is None:
            unexplained.append(name)
    for name in gone:
        print("run_regrtest: fails only under python: %s" % name)
    print("run_regrtest: %d failures under python, %d under pyhd-run, %d only under pyhd-run "
          "(%d unexplained); files in %s"
          % (len(results["python"]), len(results["pyhd"]), len(only), len(unexplained), work))
    if not a.work and not unexplained:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
