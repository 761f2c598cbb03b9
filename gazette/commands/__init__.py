"""One module per command, each exposing a click command named `command` (see gazette/cli.py)."""
