"""A crash whose exception has a cause, a context and (on 3.11+) a group.

pyhd-debug's tests walk the chain with its exceptions command.
"""

import sys


def parse(text):
    try:
        return int(text)
    except ValueError as error:
        raise KeyError(text) from error


def lookup(table, key):
    try:
        return table[key]
    except KeyError:
        return parse(key)


def validate(values):
    errors = []
    for value in values:
        try:
            if value < 0:
                raise ValueError(f"negative: {value}")
        except ValueError as error:
            errors.append(error)
    if errors and sys.version_info >= (3, 11):
        raise ExceptionGroup("invalid values", errors)  # noqa: F821 (3.11+)
    if errors:
        raise errors[0]


def main():
    table = {"one": 1}
    try:
        validate([3, -1, -2])
    except Exception:
        lookup(table, "two")


if __name__ == "__main__":
    main()
