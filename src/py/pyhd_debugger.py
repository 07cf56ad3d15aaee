"""pyhd-debug's entry point: src/debug_main.c calls main(sys.argv[1:]).

The debugger itself is the package pyhd_debug (one module per concern).
"""

from pyhd_debug.cli import main
from pyhd_debug.frames import StackBuilder, rebuild_exceptions, register_sources

__all__ = ["StackBuilder", "main", "rebuild_exceptions", "register_sources"]
