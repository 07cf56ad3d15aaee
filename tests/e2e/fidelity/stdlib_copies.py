"""Fidelity: standard-library classes rebuilt as copies (their methods act on the world:
a logger writes, an HTTPError holds a response) in the crashing frame; their reprs are
written again over the dumped attributes."""
import argparse
import http.client
import logging
import sys
import urllib.error


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
    http_error = urllib.error.HTTPError("http://example.org/", 503, "Unavailable", None, None)
    url_error = urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
    partial_read = http.client.IncompleteRead(b"12345", 3)
    bad_argument = argparse.ArgumentError(None, "expected one argument")
    return open(path)


crash("/nonexistent/pyhd-fidelity")
