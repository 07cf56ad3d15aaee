"""An asyncio crawler that gives up while its workers wait: tasks, futures and generators.

Open its dump and try: p pages, p fetched.result(), p title.group(0),
p rows.gi_frame.f_locals, then tasks (every task with its await chain),
task 2 (the stack of a waiting worker: up, p url) and enter rows.
"""

import asyncio
import functools
import re


def numbered(lines):
    for number, line in enumerate(lines, 1):
        yield number, line


async def fetch(url, delay):
    request = f"GET {url}"
    await asyncio.sleep(delay)
    return f"<html>{url}</html>"


async def worker(urls):
    pages = []
    for url in urls:
        pages.append(await fetch(url, 3600))
    return pages


async def main():
    loop = asyncio.get_running_loop()
    fetched = loop.create_future()
    fetched.set_result("<html>cached</html>")
    workers = [asyncio.create_task(worker([f"http://example.com/{i}"]), name=f"worker-{i}")
               for i in range(2)]
    for task in workers:
        # They stay pending for the dump to show; asyncio would warn of them at exit.
        task._log_destroy_pending = False
    await asyncio.sleep(0)
    title = re.search(r"<html>(\w+)</html>", fetched.result())
    parse = functools.partial(int, base=16)
    rows = numbered(["a", "b", "c"])
    next(rows)
    pages = [title.group(1), parse("ff")]
    raise TimeoutError(f"gave up after {len(pages)} pages")


# Not asyncio.run(): it would cancel the workers before the exception escapes.
asyncio.new_event_loop().run_until_complete(main())
