"""pyhd debugger: the Python half of pyhd-debug (being written)."""
