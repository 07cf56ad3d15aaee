"""pyhd-debug's command line: options, reports, and the debugger session."""

import os
import sys
import traceback

from .debuggers import DEBUGGERS, DebuggerMissing, import_debugger, run_session
from .frames import RebuildError
from .common import PROG
from .model import Dump
from .output import (EscapingWriter, escape, format_header, format_info, format_threads,
                     format_with_locals)
from .reader import newer_format, read_text

HELP = """\
usage: pyhd-debug [options] FILE
       pyhd-debug [options] DIR [N]
       pyhd-debug [options] --attach PID
       pyhd-debug --list DIR [--group] [--json] [filters]
       pyhd-debug --dap [--listen HOST:PORT] [--trust] [FILE]

Open a pyhd dump in pdb at the frame that raised, with the real frames,
locals and sources of the crashed program. Nothing from the dump is run.
Given a directory, open its dump number N (1, the newest, by default), as
--list DIR numbers them with the same filters.

options:
  -c CMD, --command CMD  run pdb command CMD first (repeatable, as in pdb)
  --print                print the traceback exactly as the program printed it
  --locals               print the traceback with each frame's locals
  --threads              print every thread's stack
  --info                 print the MANIFEST (when, where, which program)
  --audit                list what the dump holds that may be sensitive:
                         values redacted (where, by which rule), secret-shaped
                         values kept; exit 1 if any was kept, else 0
  --debugger NAME        pdb (default), ipdb or pudb; PYHD_DEBUGGER sets the
                         default; ipdb and pudb are looked for in this
                         Python's packages and the venv VIRTUAL_ENV names
  --trust                also import non-standard modules named in the dump
  --thread N             start at thread N's stack (numbered as the threads
                         command lists them; with pudb, the way to reach them)
  --frame WHERE          where the session starts: program (default: the
                         innermost frame of the program's own code, at the
                         first leaf of an exception group) or innermost
  --attach PID           have the running python PID write a dump now (pyhd.dump()
                         through sys.remote_exec on 3.14+, or pyhd-run's dump
                         signal), then open that dump as FILE
  --list DIR             list the dumps in DIR (*.dump), numbered, the newest
                         last as number 1: time, program, pid, trigger,
                         exception, where it crashed, size, file
  --group                with --list: one line per fingerprint: count, first
                         and last seen, the newest file
  --json                 with FILE: print the crash report as JSON (see
                         pyhd-debug(1), CRASH REPORTS); with --list: print
                         JSON instead of columns
  --html OUT             write the crash report as one self-contained HTML
                         page to OUT ("-": standard output)
  --dap                  serve the Debug Adapter Protocol on standard input
                         and output, for VS Code and other DAP clients; the
                         client's launch request names the dump ("dump"),
                         else FILE is opened
  --listen HOST:PORT     with --dap: serve one client over TCP instead
                         (HOST defaults to 127.0.0.1; port 0 picks a free one)
  --program NAME         only dumps of program NAME (its file name)
  --fingerprint PREFIX   only dumps whose fingerprint starts with PREFIX
  --since WHEN           only dumps written since WHEN: a UTC date and time
                         (2026-11-30T06:00) or an age (30m, 2h, 3d, 1w)
  -h, --help             show this help and exit
  --version              show pyhd's version and exit

With --print, --locals, --threads, --info, --audit, --json or --html the
report is printed and no debugger starts. Otherwise pdb reads commands from the terminal, or from
standard input when it is not one. Added pdb commands: threads, thread N,
exceptions, exception N, tasks, task N, enter EXPR, dumpinfo ("help CMD"
explains each). A dump cannot
run forward: next, step, continue, until, return, break and jump say so and
the session goes on.

--list reads only each file's MANIFEST and traceback.txt; a damaged file gets
a line saying so and the listing goes on. Columns fit the terminal's width.
Reading any dump is bounded (nesting, classes, colliding keys, stack depth,
chain length): a dump past a bound is refused with one line, see "Limits" in
pyhd-debug(1).

Text from the dump is printed with its control characters escaped (\\x1b),
except --print into a file or pipe, which is byte for byte.

Exit status: 0 on success, 2 for a bad dump or bad usage; --audit: 1 when a
secret-shaped value was kept.
"""

FRAMES = ("program", "innermost")


class UsageError(Exception):
    """Bad command line; str is the one-line message."""


# The options, parsed by hand rather than with argparse: importing argparse
# (with gettext and locale) and building its parser compile a dozen regular
# expressions, about 16 M instructions, a tenth of pyhd-debug's start-up.
# The syntax and error messages are argparse's: --opt VALUE, --opt=VALUE,
# -cVALUE, "--" ends the options, options and operands in any order.
_FLAGS = {"--print": "print", "--locals": "locals", "--threads": "threads", "--info": "info",
          "--trust": "trust", "--version": "version", "--group": "group", "--json": "json",
          "--audit": "audit", "--dap": "dap", "-h": "help", "--help": "help"}
_VALUED = {"-c": "command", "--command": "command", "--debugger": "debugger",
           "--list": "list", "--attach": "attach", "--frame": "frame", "--thread": "thread",
           "--listen": "listen", "--html": "html",
           "--program": "program", "--fingerprint": "fingerprint", "--since": "since"}
_SPELLINGS = {"help": "-h/--help", "command": "-c/--command"}


class _Args:
    """The parsed command line: one attribute per option, as argparse's Namespace."""

    def __init__(self):
        for dest in _FLAGS.values():
            setattr(self, dest, False)
        for dest in _VALUED.values():
            setattr(self, dest, None)
        self.command = []
        self.frame = "program"
        self.file = self.number = None


def _is_negative_number(arg):
    """argparse's ^-\\d+$|^-\\d*\\.\\d+$: such a word is an operand, not an option."""
    whole, dot, fraction = arg[1:].partition(".")
    if not dot:
        return whole.isdecimal()
    return fraction.isdecimal() and (not whole or whole.isdecimal())


def _split_option(arg):
    """(option, explicit value or None) for a known option word, else None."""
    if arg in _FLAGS or arg in _VALUED:
        return arg, None
    if "=" in arg:
        option, value = arg.split("=", 1)
        if option in _FLAGS or option in _VALUED:
            return option, value
    if not arg.startswith("--") and (arg[:2] in _VALUED or arg[:2] in _FLAGS):
        return arg[:2], arg[2:]
    return None


def _looks_like_option(arg):
    """Whether argparse takes arg for an option (known or not) rather than an operand."""
    if not arg.startswith("-") or arg == "-":
        return False
    if _split_option(arg) is not None:
        return True
    return not _is_negative_number(arg) and " " not in arg


def _parse_words(argv):
    """argv into _Args; raises UsageError with argparse's message."""
    args, operands, extras = _Args(), [], []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            operands.extend(argv[i:])
            break
        if not _looks_like_option(arg):
            operands.append(arg)
            continue
        split = _split_option(arg)
        if split is None:
            extras.append(arg)
            continue
        option, value = split
        # A flag's attached letters are more short options (-hc q: -h, -c q).
        while option in _FLAGS:
            dest = _FLAGS[option]
            if value is None:
                break
            following = "-" + value[:1]
            if option.startswith("--") or following not in _FLAGS and following not in _VALUED:
                raise UsageError(f"argument {_SPELLINGS.get(dest, option)}: "
                                 f"ignored explicit argument {value!r}")
            setattr(args, dest, True)
            option, value = following, value[1:] or None
        if option in _FLAGS:
            setattr(args, _FLAGS[option], True)
            continue
        dest = _VALUED[option]
        if value is None:
            if i == len(argv) or argv[i] == "--" or _looks_like_option(argv[i]):
                raise UsageError(f"argument {_SPELLINGS.get(dest, option)}: "
                                 "expected one argument")
            value = argv[i]
            i += 1
        if dest == "command":
            args.command.append(value)
        else:
            setattr(args, dest, value)
    if operands:
        args.file = operands.pop(0)
    if operands:
        args.number = operands.pop(0)
    extras.extend(operands)
    if extras:
        raise UsageError("unrecognized arguments: " + " ".join(extras))
    return args


def _check_integrations(args):
    """Check --dap, --listen, --html and --json (a report); raises UsageError."""
    if args.listen is not None and not args.dap:
        raise UsageError("--listen goes with --dap")
    others = (args.command or args.print or args.locals or args.threads or args.info
              or args.audit)
    if args.dap and (args.list is not None or args.html is not None or args.json or others):
        raise UsageError("--dap takes no other mode (the client sends requests)")
    if args.json and args.list is None and args.file is None:
        raise UsageError("--json needs a dump file (a report) or --list DIR")
    if (args.html is not None or (args.json and args.list is None)) and others:
        raise UsageError("--html and --json write a report; they cannot be combined "
                         "with -c, --print, --locals, --threads, --info or --audit")


def parse_args(argv):
    """The options of argv, checked; raises UsageError."""
    args = _parse_words(argv)
    if args.help or args.version:
        return args
    args.filtered = any(v is not None for v in (args.program, args.fingerprint, args.since))
    if args.since is not None:
        # triage (and datetime) load only when asked for: a session starts
        # without them.
        from .triage import TriageError, parse_since
        try:
            args.since = parse_since(args.since)
        except TriageError as error:
            raise UsageError(str(error)) from None
    if args.group and args.list is None:
        raise UsageError("--group goes with --list DIR")
    _check_integrations(args)
    if args.list is not None:
        if args.file is not None:
            raise UsageError("--list DIR takes no dump file")
        return args
    if args.attach is not None and args.file is not None:
        raise UsageError("--attach PID takes no dump file")
    if args.file is None and not args.dap and args.attach is None:
        raise UsageError("a dump file is required (see --help)")
    if args.number is not None:
        if not args.number.isdigit() or int(args.number) < 1:
            raise UsageError(f"{args.number!r}: the number of a dump in the directory "
                             "is 1 (the newest) or more (see --list)")
        args.number = int(args.number)
    reports = args.print or args.locals or args.threads or args.info or args.audit
    if reports and args.command:
        raise UsageError("-c starts the debugger; it cannot be combined with "
                         "--print, --locals, --threads, --info or --audit")
    if args.thread is not None:
        if not args.thread.isdigit() or int(args.thread) < 1:
            raise UsageError(f"--thread {args.thread!r}: a thread number, from 1 as "
                             "the threads command lists them")
        args.thread = int(args.thread)
    if args.frame not in FRAMES:
        raise UsageError(f"--frame {args.frame!r}: choose from {', '.join(FRAMES)}")
    if args.debugger is None:
        args.debugger = os.environ.get("PYHD_DEBUGGER") or "pdb"
    if args.debugger not in DEBUGGERS:
        raise UsageError(f"unknown debugger {args.debugger!r} "
                         f"(choose from {', '.join(DEBUGGERS)})")
    return args


def _choose_file(args):
    """Resolve FILE: a directory means its dump number N (1, the newest,
    by default), filtered as --list is; a file takes no number or filter.
    Raises UsageError."""
    if not os.path.isdir(args.file):
        if args.number is not None or args.filtered:
            raise UsageError("a dump number and --program, --fingerprint and --since go "
                             "with a directory of dumps")
        return args.file
    from .triage import TriageError, choose
    try:
        return choose(args.file, args.number or 1, args.program, args.fingerprint,
                      args.since)
    except TriageError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"{args.file}: {error.strerror or error}") from None


def _version():
    """pyhd's version, as the _pyhd module reports it."""
    try:
        import _pyhd
        return getattr(_pyhd, "__version__", "unknown")
    except ImportError:
        return "unknown"


def _error(message):
    """Print one line to stderr, escaped: it may quote the dump."""
    sys.stderr.write(escape(f"{PROG}: {message}") + "\n")


def _print_traceback(text, out):
    """--print: traceback.txt as the program printed it.

    Into a file or a pipe it goes byte for byte; to a terminal its control
    characters are escaped like everything else from the dump.
    """
    data = text.traceback
    if not sys.stdout.isatty() and hasattr(sys.stdout, "buffer"):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    shown = data.decode("utf-8", "surrogateescape")
    out.write(shown if not shown or shown.endswith("\n") else shown + "\n")


def _run_reports(args, text, dump, out):
    """Print the reports asked for (--info, --print, --locals, --threads).

    --info and --print read text (the MANIFEST and traceback.txt); the
    others need dump, the rebuilt graph (None when not asked for).
    """
    if args.info:
        out.write(format_info(text))
    if args.print:
        _print_traceback(text, out)
    if args.locals:
        if dump.exception is None:
            out.write("The dump has no exception.\n")
        else:
            out.write("".join(format_with_locals(dump.exception)))
    if args.threads:
        out.write(format_threads(dump))


def _rc_lines(trust):
    """The pdb commands of ~/.pdbrc, and of ./.pdbrc with --trust.

    pdb itself reads both; a .pdbrc in the current directory (where a
    stranger's dump may have been unpacked) could run any code, so only
    --trust lets it in, as it lets in the current directory's modules.
    """
    paths = [os.path.expanduser("~/.pdbrc")]
    if trust:
        paths.append(".pdbrc")
    lines = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as rc:
                lines.extend(rc)
        except (OSError, UnicodeDecodeError):
            continue
    return lines


def _run_debugger(args, dump, out, module):
    """Print the header and traceback, then run the debugger post mortem."""
    if args.thread is not None:
        try:
            start = dump.start_thread(args.thread)
        except RebuildError as error:
            _error(f"{args.file}: --thread {args.thread}: {error}")
            return 2
    else:
        start = dump.start(args.frame)
    out.write(format_header(dump))
    if dump.exception is not None:
        out.write("\n")
        out.write("".join(traceback.format_exception(dump.exception)))
    out.write("\n")
    if start.notes:
        out.write("".join(note + "\n" for note in start.notes) + "\n")
    out.flush()
    if start.tb is None:
        out.write("The dump has no frame to debug.\n")
        return 0
    _lend_main_file(start.tb)
    import _pyhd
    _pyhd.resume_collector()
    run_session(args.debugger, module, dump, start,
                _rc_lines(args.trust) + args.command, out)
    return 0


def _lend_main_file(tb):
    """Give this process's __main__ the dumped program's __file__ when it has
    none: inspect finds a class's source through sys.modules[cls.__module__],
    and the program's own classes say "__main__" (the dumped source of that
    file is in linecache). Python 3.14 has removed __main__.__file__ by the
    time it prints the traceback: then the file of the main script's
    module-level frame says it."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__file__", None) is not None:
        return
    frame = tb.tb_frame if tb is not None else None
    seen = set()
    while frame is not None and id(frame) not in seen:
        seen.add(id(frame))
        g = frame.f_globals
        if type(g) is dict and g.get("__name__") == "__main__":
            path = g.get("__file__")
            if type(path) is not str and frame.f_code.co_name == "<module>":
                path = frame.f_code.co_filename
            if type(path) is str and not path.startswith("<"):
                main.__file__ = path
                return
        frame = frame.f_back


def main(argv):
    """pyhd-debug's entry point: returns the exit status."""
    import _pyhd
    try:
        return _main(argv)
    finally:
        # debug_main.c paused the collector for the start; a session resumes it
        # before it begins (_run_debugger, --dap), any other path here.
        _pyhd.resume_collector()


def _main(argv):
    try:
        args = parse_args(argv)
    except UsageError as error:
        _error(error)
        return 2
    if args.help:
        sys.stdout.write(HELP)
        return 0
    if args.version:
        print(f"{PROG} {_version()}")
        return 0
    reports = args.print or args.locals or args.threads or args.info or args.audit
    # Everything printed from the dump goes through out (see escape).
    out = EscapingWriter(sys.stdout)
    if args.list is not None:
        from .triage import TriageError, run_list
        try:
            return run_list(args, out)
        except (TriageError, OSError) as error:
            _error(f"{args.list}: {getattr(error, 'strerror', None) or error}")
            return 2
    if args.attach is not None:
        import pyhd_attach
        try:
            args.file = pyhd_attach.attach(args.attach)
        except pyhd_attach.AttachError as error:
            _error(error)
            return 2
        print(f"{PROG}: process {args.attach} wrote {args.file}", file=sys.stderr)
    try:
        args.file = _choose_file(args) if args.file is not None else None
    except UsageError as error:
        _error(error)
        return 2
    if args.dap:
        import _pyhd
        import pyhd_dap
        _pyhd.resume_collector()
        return pyhd_dap.run(args)
    report = args.html is not None or args.json
    # Only the names in DEBUGGERS are ever imported here.
    try:
        module = import_debugger(args.debugger) if not (reports or report) else None
    except DebuggerMissing as error:
        _error(error)
        return 2
    import _pyhd
    # The MANIFEST and traceback.txt, read without the graph: --info and
    # --print need no more, and a dump of a newer format is refused here
    # by name before its graph is read.
    try:
        text = read_text(args.file, traceback=args.print)
    except (_pyhd.DumpError, OSError) as error:
        text, text_error = None, error
    graph = args.locals or args.threads or args.audit or not (args.info or args.print)
    if text is None and not graph:
        _error(f"{args.file}: {getattr(text_error, 'strerror', None) or text_error}")
        return 2
    refusal = newer_format(text) if text is not None and graph else None
    if refusal:
        _error(f"{args.file}: {refusal}")
        return 2
    dump = None
    if graph:
        try:
            data = _pyhd.load(args.file, trust=args.trust)
        except _pyhd.DumpError as error:
            _error(f"{args.file}: {error}")
            return 2
        except OSError as error:
            _error(f"{args.file}: {error.strerror or error}")
            return 2
        if args.audit:
            import pyhd_audit
            status = pyhd_audit.run_audit(data, out)
            out.flush()
            return status
        dump = Dump(data)
    if report:
        import pyhd_report
        return pyhd_report.run(args, dump)
    if reports:
        _run_reports(args, text, dump, out)
        out.flush()
        return 0
    return _run_debugger(args, dump, out, module)
