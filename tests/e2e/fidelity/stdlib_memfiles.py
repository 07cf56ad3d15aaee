"""Fidelity: in-memory files (io.StringIO, io.BytesIO) are real ones, holding
what they held at the crash at the position they were at: written at their
end (a StringIO then keeps its text in pieces), read part way, with a newline
argument, non-ASCII text, closed."""
import csv
import io


def crash():
    report = io.StringIO()
    report.write("name,qty\n")
    csv.writer(report).writerow(["apple", 3])
    lines = io.StringIO("first\nsecond\nthird\n")
    lines.readline()
    raw_newlines = io.StringIO("a\r\nb", newline="")
    raw_newlines.read(2)
    accents = io.StringIO()
    accents.write("caf\u00e9 \u20ac \U0001F600")
    packet = io.BytesIO(b"\x00\x01payload")
    packet.seek(2)
    built = io.BytesIO()
    built.write(b"abc" * 3)
    finished = io.StringIO("done")
    finished.close()
    released = io.BytesIO(b"gone")
    released.close()
    raise ValueError("report has %d lines" % report.getvalue().count("\n"))


crash()
