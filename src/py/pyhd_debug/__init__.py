"""pyhd debugger: rebuilds a dump's stacks as real frames and opens pdb on them.

pyhd-debug loads this package into an isolated interpreter and calls
main(sys.argv[1:]) (through pyhd_debugger). The dump itself is read by the
builtin module _pyhd (src/rebuild.c). One module per concern:

  frames    the dumped sources in linecache; real frames from frame records
  model     the Dump: its exceptions, threads and where the session starts
  output    reports: the header, --locals, --threads, --info
  commands  DumpPdb: pdb plus the dump's commands
  triage    --list DIR and --group: many dumps, one line each
  cli       the command line and the session
"""

from .cli import main

__all__ = ["main"]
