"""Subcommands that live in their own modules: each has ``add_parser(add)`` and ``run(args, sink)``.

``add`` is the CLI's function that makes a subparser with the global flags (``-q``,
``--debug``, ``--lang``); ``run`` returns the exit code. Importing this package loads only
argparse-level code: ``shanchuan --help`` stays light.
"""

from __future__ import annotations

from shanchuan.commands import calibrate, compare, reproduce, serve, sweep

# `report` is registered by hand in cli.py: `--report FILE` on run/match/allocate uses it too.

#: Subcommand name -> its module, in the order ``shanchuan --help`` lists them.
COMMANDS = {
    "compare": compare,
    "reproduce": reproduce,
    "sweep": sweep,
    "serve": serve,
    "calibrate": calibrate,
}

__all__ = ["COMMANDS"]
