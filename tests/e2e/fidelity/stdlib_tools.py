"""Fidelity: values of code tools and test doubles: ast nodes (real ones),
tokenize's tokens (their type named as the dumping python names it), import
specs, symtable symbols, unittest.mock's call records; struct.Struct, ctypes
numbers, characters, arrays and a program's Structure (made again from their
bytes)."""
import ast
import ctypes
import importlib
import io
import os
import pkgutil
import struct
import symtable
import tokenize
from unittest import mock

SOURCE = "import os\nLIMIT = 10  # cap\ndef scan(path):\n    return [p for p in os.listdir(path)]\n"


class Header(ctypes.LittleEndianStructure):
    _fields_ = [("magic", ctypes.c_char * 4), ("version", ctypes.c_uint16),
                ("crc", ctypes.c_uint32)]


class Box:
    """Holds what a local cannot (a mock prints its id, which differs between runs)."""


class Wire(ctypes.BigEndianStructure):
    _fields_ = [("kind", ctypes.c_uint8), ("length", ctypes.c_uint32)]


def crash():
    tree = ast.parse(SOURCE)
    function = tree.body[2]
    call = ast.parse("f(x, *rest, key=1)", mode="eval").body
    constant = ast.Constant(value=42)
    dumped = ast.dump(tree, include_attributes=True)
    layout = struct.Struct("<4sHI")
    wire_layout = struct.Struct(">hIf")
    tokens = list(tokenize.generate_tokens(io.StringIO(SOURCE).readline))
    names = [t for t in tokens if t.type in (tokenize.NAME, tokenize.OP, tokenize.COMMENT)]
    first, last = tokens[0], tokens[-1]
    math_spec = importlib.import_module("math").__spec__
    here = os.path.dirname(os.path.abspath(__file__))
    finder = pkgutil.get_importer(here)
    module_info = next(m for m in pkgutil.iter_modules([here]) if m.name == "stdlib_tools")
    table = symtable.symtable(SOURCE, "<tools>", "exec")
    limit = table.lookup("LIMIT")
    imported = table.lookup("os")
    scan = table.lookup("scan")
    gateway = mock.Mock(name="gateway")
    gateway.charge("acct-1", 250)
    gateway.refund.post("/ledger", json={"cents": 1})
    calls = gateway.mock_calls
    charge_calls = gateway.charge.call_args_list
    last_call = gateway.charge.call_args
    expected = [mock.call("acct-1", 250), mock.call.refund.post("/x"), mock.call()]
    kw_only = mock.call(cents=3)
    # mock's markers of a test's expectations.
    marker, anything = mock.sentinel.marker, mock.ANY
    box = Box()
    box.gateway, box.spec = gateway, mock.Mock(spec=Header, name="header")
    box.child = gateway.refund.post.return_value.json
    del gateway
    word = ctypes.c_uint32(0xDEADBEEF)
    short = ctypes.c_int16(-3)
    real = ctypes.c_double(2.5)
    flag = ctypes.c_bool(True)
    char = ctypes.c_char(b"x")
    wide = ctypes.c_wchar("\u00e9")
    buffer = ctypes.create_string_buffer(b"abc", 6)
    numbers = (ctypes.c_int * 3)(1, -2, 3)
    header = Header(b"PYHD", 2, 0xCAFE)
    wire = Wire(7, 1024)
    raise RuntimeError("tools")


crash()
