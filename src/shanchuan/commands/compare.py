"""``shanchuan compare A B [C ...]``: what changed from run A to run B (and C, ...), and why.

Each side is a run folder (``--out DIR``; read, not re-solved), a scenario file or folder,
or a built-in scenario name (solved now with ``--engine``). ``--scenario``/``--set`` apply to
the last side; with a single side they make the second one from it, so
``shanchuan compare hubei-2021 --scenario lean-fund`` compares the default with lean-fund,
and ``shanchuan compare --scenario lean-fund`` too (no side: the default scenario). A side
``SCENARIO+NAME[+NAME...]`` applies override sets to that side alone (``+near``: the default
with ``near``), so ``shanchuan compare hubei-2021 +near +spread`` compares both with the base.
Exit 0 when compared (identical or not), 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shanchuan import outputs
from shanchuan.commands.arguments import add_override_args
from shanchuan.errors import InputError

HELP = "what changed from run A to run B: pairs, projects, money, fairness, objectives"


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the subcommand with ``add`` (the CLI's maker of subparsers with the global flags)."""
    p = add("compare", HELP)
    p.description = (__doc__ or HELP).split("\n\n")[0].replace("``", "")
    p.add_argument(
        "sides",
        nargs="*",
        metavar="SIDE",
        help="run folder, scenario file/folder or built-in name (first = A, the base; "
        "default hubei-2021); SCENARIO+NAME adds override set NAME to that side",
    )
    add_override_args(
        p,
        scenario_help="apply the named override set to the last side "
        "(with one side: make B from A)",
        set_help="set one key on the last side (with one side: make B from A)",
    )
    p.add_argument(
        "--engine",
        choices=("run", "match", "allocate"),
        default=None,
        help="how scenario sides are solved (default: the command of a run-folder side, else run)",
    )
    p.add_argument("--format", choices=outputs.stdout_formats(), default="table")
    p.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="write the comparison here"
    )
    p.add_argument("--force", action="store_true", help="replace an earlier output in --out DIR")
    return p


def sides_of(args: argparse.Namespace) -> list[Any]:
    """The sides named on the command line, the overrides on the last one."""
    from shanchuan.comparison import Side

    specs: list[Any] = list(args.sides)
    changes = bool(args.overrides or args.sets)
    if len(specs) <= 1:
        if not changes:
            raise InputError(
                "compare needs two runs: name A and B, or give --scenario/--set to make B "
                "from A (e.g. `shanchuan compare hubei-2021 --scenario lean-fund`)"
            )
        base = specs[0] if specs else None
        specs = [base, base]
    sides = [_side(s) for s in specs[:-1]]
    last = _side(specs[-1])
    sides.append(Side(last.spec, (*last.overrides, *args.overrides), tuple(args.sets)))
    return sides


def _side(spec: str | None) -> Any:
    """``SCENARIO+NAME+...``: a side with its own override sets (an existing path is a path)."""
    from shanchuan.comparison import Side

    if spec is None or "+" not in spec or Path(spec).exists():
        return Side(spec)
    base, *names = spec.split("+")
    if not all(names):
        raise InputError(
            f"side {spec!r}: an empty override-set name; write SCENARIO+NAME[+NAME...], "
            "e.g. hubei-2021+near"
        )
    return Side(base or None, tuple(names))


def run(args: argparse.Namespace, sink: Any = None) -> int:
    """Run the subcommand; returns the exit code."""
    from shanchuan.comparison import Comparisons, compare_sides
    from shanchuan.outputs import archive
    from shanchuan.outputs.base import OutputOptions

    if args.out is not None:
        archive.check_target(args.out, force=args.force)  # refuse before any solving
    found = compare_sides(
        sides_of(args), engine=args.engine, language=args.lang or "zh", on_solve=sink
    )
    if sink is not None:
        sink.close()
    result: Any = found[0] if len(found) == 1 else Comparisons(tuple(found))
    options = OutputOptions(command="compare")
    outputs.FORMATS[args.format].emit(result, sys.stdout, options)
    if args.out is not None:
        archive.write_run(args.out, result, options, force=args.force)
    return 0
