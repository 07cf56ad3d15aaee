"""Fidelity: more standard-library objects written in Python with reprs of their
own fields (warnings, email policies and charsets, entry points, forward
references, mapping views, XML-RPC faults, zip paths), the header strings of
email's registry (str subclasses behind rebuilt classes with no repr of their
own) and posix's uname record."""
import collections.abc
import email
import email.charset
import email.policy
import importlib.metadata
import io
import os
import typing
import warnings
import xmlrpc.client
import zipfile


def crash(archive):
    catcher = warnings.catch_warnings(record=True)
    plain_catcher = warnings.catch_warnings()
    policy = email.policy.default
    compat = email.policy.compat32
    strict = email.policy.EmailPolicy(utf8=True, max_line_length=100)
    charset = email.charset.Charset("UTF-8")
    entry = importlib.metadata.EntryPoint("run", "pkg.cli:main", "console_scripts")
    forward = typing.ForwardRef("Node")
    mapping = {"a": 1, "b": [2]}
    keys_view = collections.abc.KeysView(mapping)
    items_view = collections.abc.ItemsView(mapping)
    values_view = collections.abc.ValuesView(mapping)
    fault = xmlrpc.client.Fault(4, "Too many parameters")
    refused = xmlrpc.client.ProtocolError("example.org/RPC2", 503, "Unavailable", {})
    docs = zipfile.Path(zipfile.ZipFile(archive), "docs/")
    system = os.uname()
    message = email.message_from_string("Subject: Weekly report\nTo: Bob <bob@example.org>\n\nhi",
                                        policy=email.policy.default)
    subject = message["Subject"]
    to = message["To"]
    return mapping["c"]


buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as written:
    written.writestr("docs/readme.txt", "hello")
crash(io.BytesIO(buffer.getvalue()))
