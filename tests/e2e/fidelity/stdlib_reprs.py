"""Fidelity: standard-library objects whose reprs are written in Python (argparse,
os.environ, an asyncio loop, traceback and inspect records, pure-data classes) and
sys's struct sequences, in the crashing frame."""
import argparse
import asyncio
import calendar
import email.headerregistry
import enum
import inspect
import logging
import os
import statistics
import subprocess
import sys
import traceback
import typing
import warnings
import wsgiref.headers
import zipfile


# sys.flags differs between the runs (the harness runs python with -I):
# test_fidelity.test_stdlib_reprs_behave compares it with what this prints.
FLAGS = sys.flags


class Mode(enum.Enum):
    FAST = 1
    SAFE = 2


if hasattr(enum, "global_enum"):  # 3.11
    Mode = enum.global_enum(Mode)


def handler(path, *rest, limit: int = 3, **options) -> bool:
    return False


def crash(path):
    parser = argparse.ArgumentParser(prog="app", description="demo")
    action = parser.add_argument("--n", type=int, default=3)
    flag = parser.add_argument("-v", "--verbose", action="store_true")
    # The environment as python shows it (one without secrets: those are redacted).
    os.environ.clear()
    os.environ.update({"HOME": "/home/app", "LANG": "C.UTF-8", "APP_MODE": "t\u00e9st"})
    env = os.environ
    loop = asyncio.new_event_loop()
    loop.close()
    frame = traceback.extract_stack()[-1]
    signature = inspect.signature(handler)
    parameter = signature.parameters["limit"]
    kind = parameter.kind
    empty = inspect.Parameter.empty
    done = subprocess.CompletedProcess(["ls", "-l"], 0, stdout=b"x")
    dist = statistics.NormalDist(0.0, 1.0)
    version = sys.version_info
    floats = sys.float_info
    hashes = sys.hash_info
    ints = sys.int_info
    threads = sys.thread_info
    newer = sys.version_info >= (3, 8)
    output = argparse.FileType("w", encoding="utf-8")
    process = subprocess.Popen(["true"])
    process.wait()
    adapter = logging.LoggerAdapter(logging.getLogger("app.db"), {"user": "ann"})
    address = email.headerregistry.Address("Ann", "ann", "example.com")
    group = email.headerregistry.Group("team", [address])
    member = zipfile.ZipInfo("data/report.csv", (2024, 1, 2, 3, 4, 6))
    member.file_size, member.compress_size = 120, 80
    member.compress_type = zipfile.ZIP_DEFLATED
    headers = wsgiref.headers.Headers([("Content-Type", "text/plain")])
    T = typing.TypeVar("T")
    T_co = typing.TypeVar("T_co", covariant=True)
    T_contra = typing.TypeVar("T_contra", bound=int, contravariant=True)
    # Python 3.12's: a variance inferred by type checkers (printed with no sign).
    T_infer = typing.TypeVar("T_infer", infer_variance=True) if sys.version_info >= (3, 12) \
        else typing.TypeVar("T_infer")
    P = typing.ParamSpec("P")
    P_co = typing.ParamSpec("P_co", covariant=True)
    P_args, P_kwargs = P.args, P.kwargs
    if sys.version_info >= (3, 11):
        Ts = typing.TypeVarTuple("Ts")
        # *Ts on 3.11, typing.Unpack[Ts] since 3.12.
        unpacked = typing.Unpack[Ts]
        variadic = typing.Tuple[typing.Unpack[Ts]]
    UserId = typing.NewType("UserId", int)
    alias = typing.List[int]
    bare = typing.List
    call = typing.Callable[[int], str]
    anything = typing.Any
    literal = typing.Literal["a", "b"]
    annotated = typing.Annotated[int, "meta"]
    optional = typing.Optional[str]
    union = typing.Union[int, str]
    nested_optional = typing.Optional[typing.List[int]]  # 3.14: a Union holding a typing alias
    weekday = calendar.MONDAY
    mode = Mode.SAFE
    with zipfile.ZipFile("archive.zip", "w") as made:  # in the harness's temporary directory
        made.writestr("report.csv", "a,b\n")
    archive = zipfile.ZipFile("archive.zip")
    where = inspect.getframeinfo(sys._getframe())
    warning = warnings.WarningMessage("disk low", UserWarning, "app.py", 7)
    print("FLAGS: %r" % (FLAGS,))
    return open(path)


crash("/nonexistent/pyhd-fidelity")
