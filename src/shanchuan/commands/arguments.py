"""Argument groups that several subcommands share, with each command's own help texts."""

from __future__ import annotations

import argparse


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
