"""Fidelity: documents and containers of the standard library written in Python
(cookies, XML nodes, a task group), ISO calendar dates, and program classes
derived from UserDict, UserList, ChainMap and typing.Protocol, in the crashing
frame."""
import asyncio
import collections
import datetime
import http.cookies
import typing
import xml.dom.minidom
import xml.etree.ElementTree as ET


class Settings(collections.UserDict):
    pass


class Names(collections.UserList):
    pass


class Layers(collections.ChainMap):
    pass


class Sized(typing.Protocol):
    def size(self) -> int: ...


def finished_group():
    """A TaskGroup after its tasks ran (3.11+), else None."""
    if not hasattr(asyncio, "TaskGroup"):
        return None

    async def run():
        async with asyncio.TaskGroup() as group:
            group.create_task(asyncio.sleep(0))
        return group
    return asyncio.run(run())


def crash(text):
    jar = http.cookies.SimpleCookie()
    jar.load("theme=dark; lang=en")
    jar["lang"]["path"] = "/docs"
    jar["lang"]["max-age"] = 60
    jar["lang"]["secure"] = True
    lang = jar["lang"]
    plain = http.cookies.Morsel()
    plain.set("k", "v", '"v"')
    qname = ET.QName("urn:media", "thumb")
    dom = xml.dom.minidom.parseString("<a>Hello &amp; welcome<!-- note --><b>hi</b></a>")
    long_text = dom.documentElement.firstChild
    comment = long_text.nextSibling
    short_text = comment.nextSibling.firstChild
    group = finished_group()
    week = datetime.date(2024, 5, 1).isocalendar()
    settings = Settings(debug=True, level=3)
    names = Names(["a", "b"])
    layers = Layers({"a": 1}, {"b": 2})
    protocol = Sized
    settings_class = Settings
    return text["unterminated"]


crash('{"unterminated": ')
