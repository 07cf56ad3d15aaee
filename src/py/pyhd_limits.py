"""pyhd limits: how much of a dump pyhd-debug turns into real frames, so that any dump opens promptly.

Rebuilding a frame costs about 50 microseconds and a traceback a thread of
its own, so a crafted dump of a megabyte (a stack 100,000 frames deep, or
20,000 chained exceptions each with a traceback) would take many seconds
before the first prompt. A real crash is far inside these bounds: python's
default recursion limit is 1,000 frames. What is left out is said in the
header, never silently.
"""

# At most this many frames of one stack: the outermost OUTER and the innermost rest.
MAX_STACK_FRAMES = 10000
OUTER_FRAMES = 1000
# At most this many exceptions get their tracebacks rebuilt, in the dump's order
# (the exception that caused the dump, and its chain, come first) ...
MAX_TRACEBACKS = 1000
# ... and at most this many frames in all of those tracebacks together.
MAX_TRACEBACK_FRAMES = 10000
# At most this many threads' stacks are rebuilt (for --threads, "thread N").
MAX_THREAD_STACKS = 1000


def bounded_stack(entries):
    """entries (outermost first) cut to MAX_STACK_FRAMES: (entries, note or None)."""
    if len(entries) <= MAX_STACK_FRAMES:
        return entries, None
    inner = MAX_STACK_FRAMES - OUTER_FRAMES
    note = (f"{len(entries)} frames; the {len(entries) - MAX_STACK_FRAMES} between the "
            f"outermost {OUTER_FRAMES} and the innermost {inner} are left out "
            f"(pyhd-debug rebuilds at most {MAX_STACK_FRAMES} frames of a stack)")
    return entries[:OUTER_FRAMES] + entries[-inner:], note


class TracebackBudget:
    """Counts the tracebacks and frames rebuilt for the dump's exceptions."""

    def __init__(self):
        self.tracebacks = 0
        self.frames = 0
        self.skipped = 0

    def allows(self, nframes):
        """Whether one more traceback of nframes frames may be rebuilt (and count it)."""
        nframes = min(nframes, MAX_STACK_FRAMES)
        if self.tracebacks >= MAX_TRACEBACKS or self.frames + nframes > MAX_TRACEBACK_FRAMES:
            self.skipped += 1
            return False
        self.tracebacks += 1
        self.frames += nframes
        return True

    def note(self):
        """The header line saying what was left out, or None."""
        if not self.skipped:
            return None
        return (f"note: {self.skipped} exceptions keep no traceback: pyhd-debug rebuilds at "
                f"most {MAX_TRACEBACKS} tracebacks and {MAX_TRACEBACK_FRAMES} frames "
                f"for a dump's exceptions")


# An exception chain (causes and contexts) is cut after this many exceptions, as
# pdb lists at most 999 (3.13's MAX_CHAINED_EXCEPTION_DEPTH).
MAX_CHAIN = 1000


def _next_in_chain(exc):
    if exc.__cause__ is not None:
        return exc.__cause__
    if exc.__context__ is not None and not exc.__suppress_context__:
        return exc.__context__
    return None


def bounded_chain(exc):
    """Cut the chain below exc after MAX_CHAIN exceptions: the note saying so, or None."""
    seen = set()
    count = 0
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        count += 1
        following = _next_in_chain(exc)
        if count == MAX_CHAIN and following is not None:
            rest = 0
            while following is not None and id(following) not in seen:
                seen.add(id(following))
                rest += 1
                following = _next_in_chain(following)
            # Setting __cause__ to None also suppresses the context: the chain ends here.
            exc.__cause__ = None
            exc.__context__ = None
            return (f"note: the exception chain holds {MAX_CHAIN + rest} exceptions; the "
                    f"{rest} oldest are left out (pyhd-debug shows at most {MAX_CHAIN})")
        exc = following
    return None
