"""``shanchuan reproduce RUN_DIR``: run a run folder again from what it recorded.

Exit 0 when the new result is identical to the recorded one, 1 when anything differs (the
differences are printed), 2 when the folder cannot be reproduced (missing, not a run folder,
an older run format, inputs missing).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shanchuan import outputs

HELP = "re-run a run folder from its recorded settings and inputs; report any difference"
EXIT_IDENTICAL, EXIT_DIFFERENT = 0, 1


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the subcommand with ``add`` (the CLI's maker of subparsers with the global flags)."""
    p = add("reproduce", HELP)
    p.description = (__doc__ or HELP).split("\n\n")[0].replace("``", "")
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a folder written by --out")
    p.add_argument("--format", choices=outputs.stdout_formats(), default="table")
    return p


def run(args: argparse.Namespace, sink: Any = None) -> int:
    """Run the subcommand; returns the exit code."""
    from shanchuan.outputs.base import OutputOptions
    from shanchuan.reproduce import reproduce

    found = reproduce(args.run_dir, language=args.lang or "zh", on_solve=sink)
    if sink is not None:
        sink.close()
    outputs.FORMATS[args.format].emit(found, sys.stdout, OutputOptions(command="reproduce"))
    return EXIT_IDENTICAL if found.identical else EXIT_DIFFERENT
