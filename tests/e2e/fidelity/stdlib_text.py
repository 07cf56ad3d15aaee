"""Fidelity: text tools of the standard library, real instances of their own
classes (the trust table): difflib's matcher, textwrap, string's
Formatter, json's encoder and decoder, html.parser, gettext catalogs and
optparse's values. Their methods work on the rebuilt objects."""
import difflib
import gettext
import html.parser
import json
import optparse
import string
import textwrap


class LinkCollector(html.parser.HTMLParser):
    """A program's parser: its handler is the program's code."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href")


def crash():
    matcher = difflib.SequenceMatcher(None, "release notes v1", "release note v2")
    differ = difflib.Differ()  # a copy: it holds a function (charjunk)
    wrapper = textwrap.TextWrapper(width=24, initial_indent="* ", subsequent_indent="  ")
    formatter = string.Formatter()
    encoder = json.JSONEncoder(indent=2, sort_keys=True)
    decoder = json.JSONDecoder(strict=False)
    parser = html.parser.HTMLParser()
    parser.feed("<p class='x'>half")
    collector = LinkCollector()
    collector.feed("<a href='/docs'>docs</a>")
    catalog = gettext.NullTranslations()
    options = optparse.Values({"verbose": True, "level": 3})
    ratio = matcher.ratio()
    raise ValueError("text tools at %.2f" % ratio)


crash()
