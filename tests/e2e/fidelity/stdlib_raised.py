"""Fidelity: the exception is raised inside the standard library (json's
decoder), two frames further in than the program's own code; pyhd-debug starts
in the program's frame, and so do its -c commands (on 3.10-3.12 too, whose pdb
ran them before the start frame was chosen)."""
import json


def load(text):
    limit = 3
    keys = ["unterminated"]
    length = len(text)
    return json.loads(text)


load('{"unterminated": ')
