"""pyhd surrogates: inert stand-ins for what pyhd-debug cannot rebuild (being written)."""
