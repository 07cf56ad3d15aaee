"""Fidelity: standard-library values in the crashing frame."""
import argparse
import array
import collections
import configparser
import datetime
import decimal
import fractions
import http
import ipaddress
import itertools
import json
import pathlib
import queue
import re
import threading
import types
import uuid


def crash(path):
    when = datetime.datetime(2024, 2, 29, 13, 45, 10, 500, tzinfo=datetime.timezone.utc)
    day = datetime.date(2020, 1, 2)
    delta = datetime.timedelta(days=3, seconds=7)
    price = decimal.Decimal("19.990")
    third = fractions.Fraction(1, 3)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    where = pathlib.PurePosixPath("/srv/app/data.csv")
    recent = collections.deque([1, 2, 3], maxlen=5)
    ordered = collections.OrderedDict([("z", 1), ("a", 2)])
    groups = collections.defaultdict(list, {"k": [1]})
    counts = collections.Counter("abracadabra")
    pattern = re.compile(r"(\d+)-(\w+)", re.I)
    numbers = array.array("i", [1, 2, 3])
    args = argparse.Namespace(verbose=True, n=3)
    layers = collections.ChainMap({"a": 1}, {"b": 2})
    addr = ipaddress.ip_address("192.168.1.10")
    addr6 = ipaddress.ip_address("2001:db8::1")
    net = ipaddress.ip_network("10.0.0.0/8")
    iface = ipaddress.ip_interface("10.1.2.3/24")
    ns = types.SimpleNamespace(x=1, y=[2, 3])
    status = http.HTTPStatus.NOT_FOUND
    jobs = queue.Queue()
    jobs.put("job-1")
    worker = threading.Thread(target=print, name="worker-1")
    done = threading.Event()
    cfg = configparser.ConfigParser()
    cfg.read_string("[db]\nhost = localhost\nport = 5432\n")
    ids = itertools.count(1000)
    next(ids)
    ticks = itertools.count(0.5, 0.25)
    cents = itertools.count(decimal.Decimal("0.01"), decimal.Decimal("0.01"))
    fill = itertools.repeat("-", 3)
    forever = itertools.repeat(None)
    try:
        json.loads("{bad json")
    except ValueError as exc:
        error = exc
    return open(path)


crash("/nonexistent/pyhd-fidelity")
