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
