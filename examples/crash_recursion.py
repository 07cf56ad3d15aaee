"""Unbounded recursion: a RecursionError with a stack of about a thousand frames.

pyhd-debug's tests use it to check deep stacks: every frame is rebuilt, with
its own value of depth.
"""


def descend(node, depth):
    child = {"parent": node, "depth": depth}
    return descend(child, depth + 1)


if __name__ == "__main__":
    descend(None, 0)
