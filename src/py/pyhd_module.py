"""pyhd_module.py: the part of the pyhd module written in Python: DumpHandler, dump_logged_exceptions()."""


def _make_dump_handler():
    import logging

    class DumpHandler(logging.Handler):
        """A logging handler that writes a dump for each record that carries an
        exception (logger.exception(...), exc_info=True), with that exception
        as the dump's; other records pass. Its dumps share the rate limit of
        thread failures (see pyhd-run(1)). A dump that fails is reported as
        logging reports a handler's errors."""

        def emit(self, record):
            exc_info = record.exc_info
            if not exc_info or exc_info[1] is None:
                return
            try:
                _dump_limited(exc_info[1], "log record of logger %s" % (record.name,))
            except Exception:
                self.handleError(record)

    DumpHandler.__module__ = "pyhd"
    return DumpHandler


def dump_logged_exceptions():
    """Write a dump for each log record that carries an exception
    (logger.exception(...), exc_info=True), with that exception as the
    dump's, leaving the program's logging exactly as it was: no handler is
    added anywhere, so logging's implicit configuration (the first
    logging.warning() of a plain script, its last-resort handler, Flask's and
    werkzeug's own handlers) happens as without pyhd. Records are seen as
    logging makes them, through its record factory, which this wraps; a
    program that sets its own factory afterwards replaces it. Dumps share the
    rate limit of thread failures; each prints its "pyhd:" line, before the
    record is emitted. Calling it again does nothing."""
    import logging
    import sys

    previous = logging.getLogRecordFactory()
    if getattr(previous, "_pyhd_dumps", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None:
            try:
                _dump_limited(exc_info[1], "log record of logger %s" % (record.name,))
            except Exception as e:
                # A failed dump never disturbs the logging call.
                if sys.stderr is not None:
                    sys.stderr.write("pyhd: no dump: %s\n" % (e,))
        return record

    factory._pyhd_dumps = True
    logging.setLogRecordFactory(factory)


def __getattr__(name):
    # logging is imported when DumpHandler is first used, not by "import pyhd".
    if name == "DumpHandler":
        handler_class = globals()["DumpHandler"] = _make_dump_handler()
        return handler_class
    raise AttributeError("module 'pyhd' has no attribute %r" % (name,))


def _json_text(value):
    """A str as a JSON string, without importing json into the program."""
    out = ['"']
    for c in value:
        if c in '"\\' or c < " " or c == "\x7f":
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _asyncio_call_graph(native, coroutine_type):
    """(number of tasks, JSON text) of the asyncio call graph of this thread's
    running event loop, or None with no loop running here. Called by the dump
    (3.14+, once the program imported _asyncio) before it pauses other
    threads, with the _asyncio module and types.CoroutineType, which it found
    in C: an import or a sys.modules lookup here would compare the names with
    the program's keys in sys.modules, running their __eq__.

    Like asyncio.capture_call_graph(), but reading only the standard library's
    own objects through their C types: a task's name, its coroutine chain
    (cr_await, while it is a coroutine) and the tasks awaiting it. The
    program's own awaitables and Task subclasses are never asked anything.
    """
    loop = native._get_running_loop()
    if loop is None:
        return None
    task_type = native.Task
    awaited_by = native.Future.__dict__["_asyncio_awaited_by"]
    current = native.current_task(loop)
    records = []
    for task in native.all_tasks(loop):
        if not isinstance(task, task_type):
            records.append('{"id": %d, "type": %s}' % (id(task), _json_text(type(task).__qualname__)))
            continue
        coro = task_type.get_coro(task)
        frames = []
        while type(coro) is coroutine_type:
            frame = coro.cr_frame
            if frame is None:
                break
            code = frame.f_code
            frames.append('{"function": %s, "file": %s, "line": %d}' % (
                _json_text(code.co_qualname), _json_text(code.co_filename),
                frame.f_lineno or 0))
            coro = coro.cr_await
        parents = awaited_by.__get__(task) or ()
        # The running task's coroutines are not suspended, so its chain stops at
        # the first: the rest is on the thread's stack.
        records.append('{"id": %d, "name": %s, "current": %s, "stack": [%s], '
                       '"awaited_by": [%s]}' % (
                           id(task), _json_text(str(task_type.get_name(task))),
                           "true" if task is current else "false", ", ".join(frames),
                           ", ".join(str(id(p)) for p in parents)))
    return len(records), "[" + ",\n ".join(records) + "]\n"
