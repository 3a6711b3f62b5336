"""``shanchuan sweep``: many variants of one scenario, resumable, local or on a Dask cluster.

A thin layer over :func:`shanchuan.sweep`: it parses the flags, runs the sweep with a live
progress bar (plain lines off a terminal) and prints what the summary says; the tables are in
the ``--out`` folder. Exit 0 when the sweep ran (failed variants are recorded in the index,
not fatal); 2 for bad input (keys, values, a folder of another base, an unreachable
scheduler, a grid above the limit without ``--yes``); 130 when interrupted (what finished is
kept; run the same command again to resume).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shanchuan.commands.arguments import add_override_args, add_scenario_arg

log = logging.getLogger("shanchuan")

#: Default of ``--max-variants`` (kept here so ``--help`` loads no engine).
MAX_VARIANTS = 500


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the subcommand with ``add`` (the CLI's maker of subparsers with the global flags)."""
    p = add("sweep", "solve many variants (a grid, random draws, data noise); resumable, parallel")
    p.description = (
        "Solve many variants of a scenario and summarise which pairs and projects are robust. "
        "Re-running the same command resumes: finished variants are skipped."
    )
    add_scenario_arg(p)
    add_override_args(
        p,
        scenario_help="apply the named override set to the base (repeatable)",
        set_help="set one key of the base scenario (applied before the sweep's values)",
    )
    p.add_argument(
        "--engine",
        choices=("match", "allocate", "run"),
        default="run",
        help="what each variant solves (default: run, the pairing then the fund)",
    )
    p.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2,…",
        help="values of one scenario key (repeatable: the product of all)",
    )
    p.add_argument(
        "--samples",
        type=int,
        default=0,
        metavar="N",
        help="N random variants drawn with --dist (and/or noise from --perturb)",
    )
    p.add_argument(
        "--dist",
        action="append",
        default=[],
        metavar="KEY=SPEC",
        help="distribution of one key: uniform(A,B), loguniform(A,B), normal(MU,SD), "
        "int(A,B), choice(V1,…), or GROUP=dirichlet(ALPHA) (repeatable)",
    )
    p.add_argument(
        "--perturb",
        action="append",
        default=[],
        metavar="TABLE.COLUMN=SPREAD",
        help="scale a data column by 1+U(-SPREAD,SPREAD) per county, seeded per "
        "variant, e.g. counties.gdp_2019_yi=0.15; willingness.drop=P drops each "
        "willingness entry with probability P, willingness.shuffle=P reorders each list "
        "with probability P (repeatable)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the draws and the noise")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="the sweep folder (created; an earlier sweep of the same base resumes)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        metavar="N",
        help="worker processes (default 2; 1 = in this process)",
    )
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local processes (default) or a Dask cluster",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="with --executor dask: the scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: start a LocalCluster on 127.0.0.1)",
    )
    p.add_argument(
        "--robust",
        type=float,
        default=90.0,
        metavar="PCT",
        help="a pair or project is robust when chosen in at least PCT %% of the "
        "solved variants (default 90)",
    )
    p.add_argument(
        "--max-variants",
        type=int,
        default=MAX_VARIANTS,
        metavar="N",
        help=f"ask for --yes above N variants (default {MAX_VARIANTS})",
    )
    p.add_argument("--yes", action="store_true", help="run a sweep above --max-variants")
    p.add_argument(
        "--fast",
        action="store_true",
        help="no allocation analyses in the variants (rule costs, unfunded pricing)",
    )
    return p


def run(args: argparse.Namespace, sink: Any = None) -> int:
    """``shanchuan sweep``: run it, print the summary, return the exit code."""
    from shanchuan.errors import InputError

    if not 0 < args.robust <= 100:
        raise InputError(f"--robust must be a percentage in (0, 100], got {args.robust}")
    sets = list(args.sets)
    if args.lang:
        sets.append(f"matching.explain.language={args.lang}")
    try:
        result = _sweep(args, sets)
    except KeyboardInterrupt:
        log.warning(
            "interrupted: the finished variants are kept in %s; run the same command again "
            "to resume",
            args.out,
        )
        raise
    sys.stdout.write(summary_text(result))
    return 0


def _sweep(args: argparse.Namespace, sets: list[str]) -> Any:
    from shanchuan.sweep import sweep

    return sweep(
        args.scenario,
        engine=args.engine,
        grid=args.grid,
        samples=args.samples,
        dist=args.dist,
        perturb=args.perturb,
        seed=args.seed,
        out=args.out,
        workers=args.workers,
        executor=args.executor,
        scheduler=args.scheduler,
        overrides=args.overrides,
        sets=sets,
        fast=args.fast,
        yes=args.yes,
        max_variants=args.max_variants,
        robust_share=args.robust / 100,
        show_progress=not args.quiet,
    )


def summary_text(result: Any) -> str:
    """What the terminal shows after a sweep: counts, robust and fragile pairs, the drivers."""
    head = result.summary
    lines = [
        f"sweep of {head['scenario']} ({head['engine']}): {head['variants']} variants, "
        f"{head['solved']} solved ({result.skipped} finished earlier, {result.ran} run now)",
        "statuses: " + ", ".join(f"{k} {v}" for k, v in head["statuses"].items()),
    ]
    if head["solved"]:
        share = round(100 * head["robust_share"])
        lines.append(
            f"distinct pairings: {head['distinct_pairings']}; robust pairs (>= {share} %): "
            f"{len(head['robust_pairs'])} of "
            f"{len(head['robust_pairs']) + len(head['fragile_pairs'])}"
        )
        for f in head["fragile_pairs"][:5]:
            lines.append(
                f"  fragile: {f['recipient']} -> {f['modal_partner']} in {100 * f['share']:.0f} %"
                f" ({f['partners_seen']} partners seen)"
            )
        for d in head["strongest_drivers"][:3]:
            lines.append(
                f"  driver: {d['key']} moves {d['recipient_name']}-{d['supporter_name']} "
                f"(Spearman {d['spearman']:+.2f})"
            )
        if "robust_projects" in head:
            lines.append(
                f"projects funded in >= {share} % of variants: {head['robust_projects']} of "
                f"{head['projects_ever_funded']} ever funded"
            )
    failed = result.index[~result.index["status"].isin(["optimal", "feasible"])]
    for row in failed.head(3).itertuples():
        lines.append(f"  failed variant {row.key}: {row.status} {row.message}".rstrip())
    lines.append(f"written to {result.out}: index.csv, summary.json, pair_frequency.csv, …")
    return "\n".join(lines) + "\n"


__all__ = ["MAX_VARIANTS", "add_parser", "run", "summary_text"]
