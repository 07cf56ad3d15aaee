"""test_asyncio_graph.py: a dump taken in a running event loop records its tasks (asyncio.json, 3.14+)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

from e2e_util import clean_env

RUN = os.environ["PYHD_RUN"]
DUMP_LINE = re.compile(r"pyhd: dump written to (/\S+\.dump) ")

PROGRAM = """\
import asyncio, pyhd

class Waiter:
    # The program's own awaitable: it ends a chain, it is never asked anything.
    def __await__(self):
        return (yield from asyncio.sleep(3600).__await__())

async def inner(event):
    await event.wait()

async def outer(event):
    await inner(event)

async def own_awaitable():
    await Waiter()

async def dumper():
    await asyncio.sleep(0.1)
    print(pyhd.dump(reason="tasks"))

async def main():
    event = asyncio.Event()
    sleeper = asyncio.create_task(outer(event), name="sleeper")
    other = asyncio.create_task(own_awaitable(), name="own")
    await asyncio.create_task(dumper(), name="dumper")
    event.set()
    await sleeper
    other.cancel()

asyncio.run(main())
"""


class AsyncioGraph(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-asyncio-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_tasks_in_the_dump(self):
        script = os.path.join(self.dir, "tasks.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(PROGRAM)
        proc = subprocess.run([RUN, script], cwd=self.dir, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=clean_env(), encoding="utf-8")
        path = proc.stdout.strip()
        # pyhd.dump() prints its line, as every dump does.
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stderr, r"\Apyhd: dump written to %s \(" % re.escape(path))
        with tarfile.open(path) as tar:
            names = tar.getnames()
            manifest = dict(line.split(": ", 1) for line in
                            tar.extractfile("MANIFEST").read().decode().splitlines())
            graph = (json.loads(tar.extractfile("asyncio.json").read())
                     if "asyncio.json" in names else None)
        if sys.version_info < (3, 14):
            self.assertNotIn("asyncio.json", names)
            self.assertNotIn("Asyncio-Tasks", manifest)
            return
        self.assertEqual(names[:4], ["MANIFEST", "traceback.txt", "graph.z", "asyncio.json"])
        self.assertEqual(int(manifest["Asyncio-Tasks"]), len(graph))
        tasks = {task["name"]: task for task in graph}
        self.assertEqual(sorted(tasks), ["Task-1", "dumper", "own", "sleeper"])
        self.assertEqual([(t["current"]) for t in graph if t["current"]], [True])
        self.assertTrue(tasks["dumper"]["current"])
        stack = [(frame["function"], os.path.basename(frame["file"]))
                 for frame in tasks["sleeper"]["stack"]]
        self.assertEqual(stack, [("outer", "tasks.py"), ("inner", "tasks.py"),
                                 ("Event.wait", "locks.py")])
        self.assertEqual(tasks["sleeper"]["stack"][0]["line"], 12)
        self.assertEqual([f["function"] for f in tasks["own"]["stack"]], ["own_awaitable"])
        self.assertEqual(tasks["dumper"]["awaited_by"], [tasks["Task-1"]["id"]])
        self.assertEqual(tasks["sleeper"]["awaited_by"], [])
        self.assertEqual([f["function"] for f in tasks["Task-1"]["stack"]], ["main"])


if __name__ == "__main__":
    unittest.main()
