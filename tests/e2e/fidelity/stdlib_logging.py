"""Fidelity: the logging module's loggers and handlers in the crashing frame (copies
whose methods do not run: their reprs are written again over the dumped attributes)."""
import logging
import sys


class AppLogger(logging.Logger):
    pass


def crash(path):
    log = logging.getLogger("app.db")
    quiet = logging.getLogger("app.quiet")
    quiet.setLevel(logging.ERROR)
    custom = logging.getLogger("app.custom")
    custom.setLevel(5)
    root = logging.getLogger()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.INFO)
    logfile = logging.FileHandler("/nonexistent/pyhd-fidelity.log", delay=True)
    plain = logging.Handler()
    own = AppLogger("own")
    return open(path)


crash("/nonexistent/pyhd-fidelity")
