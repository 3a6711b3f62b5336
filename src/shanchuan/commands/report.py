"""``shanchuan report RUN_DIR`` and ``--report FILE`` on ``run``, ``match`` and ``allocate``.

The report is one self-contained HTML file (:mod:`shanchuan.htmlreport`). ``report RUN_DIR`` reads
the run's ``result.json`` (the JSON contract) and the scenario its provenance names; the
default output is ``RUN_DIR.html`` beside the folder, so the run folder keeps only the files
its manifest lists. An existing file is replaced only when it is a shanchuan report.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path
from typing import Any

from shanchuan.errors import InputError, OutputExistsError

log = logging.getLogger("shanchuan")

#: The marker a report carries in its ``<head>``; a file without it is never overwritten.
GENERATOR = '<meta name="generator" content="shanchuan'


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``report`` subcommand (the caller adds the global flags)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "report", help="write the offline HTML report (map, charts, reasons) of a run folder"
    )
    p.add_argument(
        "run_dir",
        type=Path,
        metavar="RUN_DIR",
        help="a folder written by --out (or its result.json)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="the HTML file (default: RUN_DIR.html beside the folder)",
    )
    p.add_argument(
        "--province",
        default=None,
        help="the map's province, e.g. 湖北省 (default: the one holding the counties)",
    )
    return p


def add_report_arg(p: argparse.ArgumentParser) -> None:
    """``--report FILE`` on the solving commands."""
    p.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the offline HTML report (map, charts, reasons) to FILE",
    )


def check_target(path: Path) -> None:
    """Refuse a path that holds a file that is not a report, or that cannot be written."""
    if path.is_dir():
        raise OutputExistsError(
            f"--report {path}: is a folder; give a file name such as report.html"
        )
    if path.exists():
        try:
            with path.open("r", encoding="utf-8", errors="replace") as fh:
                head = fh.read(4096)
        except OSError as exc:
            raise OutputExistsError(f"{path}: cannot be read ({exc}); choose another file") from exc
        if GENERATOR not in head:
            raise OutputExistsError(
                f"{path}: exists and is not a shanchuan report; choose another file "
                "(nothing was written)"
            )
    parent = path.absolute().parent
    probe = parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise OutputExistsError(f"{path}: cannot write in {probe}; choose another file")


def _read_result(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "result.json" if run_dir.is_dir() else run_dir
    if not path.exists():
        raise InputError(
            f"{run_dir}: no result.json there; give a folder written by "
            "`shanchuan run --out DIR` (or match/allocate --out) or its result.json"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable shanchuan result ({exc})") from exc
    if not isinstance(data, dict) or "status" not in data:
        raise InputError(f"{path}: not a shanchuan result (no 'status' at the top level)")
    return data


def run(args: argparse.Namespace) -> int:
    """``shanchuan report RUN_DIR``: write the report, return the exit code."""
    from shanchuan import htmlreport as report

    result = _read_result(args.run_dir)
    base = args.run_dir if args.run_dir.is_dir() else args.run_dir.parent
    out = args.out or base.with_name(base.resolve().name + ".html")
    check_target(out)
    report.write(out, result, lang=args.lang or "zh", province=args.province)
    log.info("report written to %s", out)
    return 0


def write_for(args: argparse.Namespace, outcome: Any, loaded: Any) -> None:
    """``--report FILE`` after a solve, with the scenario already loaded."""
    from shanchuan import htmlreport as report

    report.write(args.report, outcome, lang=args.lang or "zh", loaded=loaded)
    log.info("report written to %s", args.report)


__all__ = ["GENERATOR", "add_parser", "add_report_arg", "check_target", "run", "write_for"]
