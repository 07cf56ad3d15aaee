"""Fidelity: XML elements (xml.etree.ElementTree.Element, a C type) are real
ones: tag, attributes, text (also as the tree builder left it, in pieces to
be joined), tail and children; comments keep their factory as tag."""
import xml.etree.ElementTree as ET

FEED = "<feed version='2'><entry id='1'>first<b>bold</b>after</entry><entry id='2'/></feed>"


def crash():
    root = ET.fromstring(FEED)
    entry = root[0]
    built = ET.Element("item", {"k": "v"})
    ET.SubElement(built, "child").text = "x"
    builder = ET.TreeBuilder()
    builder.start("a", {})
    builder.data("piece1")
    builder.data("piece2")
    builder.end("a")
    joined = builder.close()
    note = ET.Comment("note")
    raise ValueError("entry %s" % entry.get("id"))


crash()
