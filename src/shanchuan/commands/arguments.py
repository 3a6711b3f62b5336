"""Argument groups that several subcommands share, with each command's own help texts."""

from __future__ import annotations

import argparse


def add_scenario_arg(p: argparse.ArgumentParser) -> None:
    """The optional positional SCENARIO: a file, a folder with ``scenario.toml``, or a name."""
    p.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="scenario file, folder with scenario.toml, or built-in name (default: hubei-2021)",
    )


def add_override_args(p: argparse.ArgumentParser, *, scenario_help: str, set_help: str) -> None:
    """``--scenario NAME`` (override sets, in order) and ``--set KEY=VALUE`` (dotted keys)."""
    p.add_argument(
        "--scenario",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME",
        help=scenario_help,
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=set_help,
    )
