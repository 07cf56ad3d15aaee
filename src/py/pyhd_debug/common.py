"""Names every part of pyhd-debug shares."""

PROG = "pyhd-debug"
