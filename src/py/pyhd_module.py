"""pyhd_module.py: the part of the pyhd module written in Python: DumpHandler."""


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


def __getattr__(name):
    # logging is imported when DumpHandler is first used, not by "import pyhd".
    if name == "DumpHandler":
        handler_class = globals()["DumpHandler"] = _make_dump_handler()
        return handler_class
    raise AttributeError("module 'pyhd' has no attribute %r" % (name,))
