"""The ``shanchuan`` command line: a thin layer over :mod:`shanchuan.pipeline`.

Exit codes: 0 solved and verified; 2 bad input; 3 infeasible rules (a diagnosis is printed);
4 the solver failed or stopped without a verified solution. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from shanchuan import __version__, archive, pipeline, render
from shanchuan import scenario as scenario_mod
from shanchuan.errors import InfeasibleError, InputError, ShanchuanError, SolveFailedError

log = logging.getLogger("shanchuan")

EXIT_OK, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_FAILED = 0, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    """argparse that exits with the bad-input code (2) and one clear line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"shanchuan: error: {message}\n")
        raise SystemExit(EXIT_INPUT)


def _add_scenario_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="scenario file, folder with scenario.toml, or built-in name (default: hubei-2021)",
    )
    p.add_argument(
        "--scenario",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME",
        help="apply the named override set (repeatable, in order; sets must not overlap)",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set one dotted key, e.g. matching.rules.max_distance=300 (applied last)",
    )
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="write results here")
    p.add_argument("--force", action="store_true", help="replace an earlier run in --out DIR")
    p.add_argument(
        "--excel",
        action="store_true",
        help="with --out: also write results.xlsx, one sheet per table "
        "(pip install 'shanchuan[excel]')",
    )


def make_parser() -> argparse.ArgumentParser:
    """The argument parser (public so docs and tests can inspect it)."""
    parser = _Parser(prog="shanchuan", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"shanchuan {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="suggest the pairing, then allocate the special fund")
    _add_scenario_args(p)

    p = sub.add_parser("match", help="suggest, verify and explain the pairing")
    _add_scenario_args(p)
    p.add_argument(
        "--forcing-costs", action="store_true", help="objective loss of forcing each pair"
    )
    p.add_argument(
        "--alternatives", type=int, default=0, metavar="K", help="K best distinct pairings"
    )
    p.add_argument(
        "--sensitivity", type=int, default=0, metavar="N", help="N weight-perturbation samples"
    )
    p.add_argument(
        "--stability", action="store_true", help="list blocking pairs against willingness"
    )
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the reasons")

    p = sub.add_parser("allocate", help="select and fund the special-fund projects year by year")
    _add_scenario_args(p)
    p.add_argument("--pairs", type=Path, default=None, help="pair file (overrides data.pairs)")

    p = sub.add_parser("check", help="validate a scenario and its files without solving")
    _add_scenario_args(p)

    p = sub.add_parser("scenarios", help="list built-in scenarios and override sets")
    p.add_argument("scenario", nargs="?", default=None)

    p = sub.add_parser("keys", help="list every scenario key with its default and meaning")
    p.add_argument("--markdown", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``shanchuan`` console script."""
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="shanchuan: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    try:
        return _dispatch(args)
    except ShanchuanError as exc:
        if args.debug:
            raise
        sys.stderr.write(f"shanchuan: {exc}\n")
        diagnosis = getattr(exc, "diagnosis", None)
        if diagnosis is not None:
            sys.stderr.write(diagnosis.message() + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("shanchuan: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`shanchuan keys | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug, not the user's fault: say so plainly
        if args.debug:
            raise
        sys.stderr.write(
            f"shanchuan: internal error: {type(exc).__name__}: {exc}\n"
            "  run again with --debug for the traceback, and please report it\n"
        )
        return EXIT_FAILED


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "keys":
        if args.markdown:
            sys.stdout.write(scenario_mod.keys_markdown())
        else:
            for key, info in scenario_mod.KNOWN.items():
                print(f"{key} = {archive.dumps(info.default).strip()}  # {info.doc}")
        return EXIT_OK
    if args.command == "scenarios":
        return _list_scenarios(args.scenario)
    if getattr(args, "excel", False):
        if args.out is None:
            raise InputError("--excel writes results.xlsx into the --out directory; give --out DIR")
        if not archive.excel_available():
            raise InputError(
                "--excel needs the optional xlsx writer: pip install 'shanchuan[excel]' "
                "(the CSV tables in --out open in Excel without it)"
            )
    if args.out is not None:
        archive.check_target(args.out, force=args.force)  # refuse before any work is done
    sets = list(args.sets)
    if getattr(args, "lang", None):
        sets.append(f"matching.explain.language={args.lang}")
    if getattr(args, "pairs", None) is not None:
        sets.append(f'data.pairs="{args.pairs.resolve().as_posix()}"')
    sc = pipeline.load_scenario(args.scenario, overrides=args.overrides, sets=sets)

    if args.command == "check":
        data, files = pipeline.load_data(sc, scenario_mod.DATA_FILE_KEYS)
        pipeline.resolve_settings(sc, data)
        print(f"scenario {sc.name}: {len(files)} files valid ({', '.join(files)})")
        for change in sc.changes:
            print(f"  {change}")
        return EXIT_OK

    if args.command == "match":
        analyses = pipeline.Analyses(
            explain=True,
            forcing_costs=args.forcing_costs,
            alternatives=args.alternatives,
            sensitivity=args.sensitivity,
            stability=args.stability,
        )
        outcome: Any = pipeline.match(sc, analyses=analyses)
    elif args.command == "allocate":
        outcome = pipeline.allocate(sc)
    else:
        outcome = pipeline.run(sc)

    _emit(outcome, args)
    if args.out is not None:
        _write_out(outcome, args)
    return _exit_code(outcome, repeat_diagnosis=args.format != "table")


def _exit_code(outcome: Any, *, repeat_diagnosis: bool) -> int:
    status = outcome.status
    if status in ("optimal", "feasible"):
        return EXIT_OK
    if status == "infeasible":
        diagnosis = getattr(outcome, "diagnosis", None)
        sys.stderr.write("shanchuan: the rules are infeasible (see the diagnosis).\n")
        if diagnosis is not None and repeat_diagnosis:
            sys.stderr.write(diagnosis.message() + "\n")
        return EXIT_INFEASIBLE
    sys.stderr.write(f"shanchuan: no verified solution (status {status}).\n")
    return EXIT_FAILED


def _list_scenarios(spec: str | None) -> int:
    names = [spec] if spec else scenario_mod.builtin_scenarios()
    for name in names:
        sc = scenario_mod.load(name)
        print(f"{name}: {sc.settings.scenario.description}")
        for set_name, ov in sorted(sc.available_overrides.items()):
            print(f"  --scenario {set_name}: {ov.description}")
    return EXIT_OK


def _write_out(outcome: Any, args: argparse.Namespace) -> None:
    payload = outcome.to_dict()
    prov = payload.get("provenance", {})
    manifest = {
        "shanchuan": __version__,
        "command": args.command,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "status": outcome.status,
        "provenance": prov,
    }
    changes = "\n".join(
        f"{c['key']}: {c['old']} -> {c['new']} ({c['source']})" for c in prov.get("changes", [])
    )
    archive.write_archive(
        args.out,
        manifest=manifest,
        json_files={"result.json": payload},
        tables=outcome.tables(),
        text_files={"changes.log": changes + ("\n" if changes else "")},
        force=args.force,
        excel=getattr(args, "excel", False),
    )
    log.info("results written to %s", args.out)


def _emit(outcome: Any, args: argparse.Namespace) -> None:
    if args.format == "json":
        sys.stdout.write(archive.dumps(outcome.to_dict()))
        return
    tables = outcome.tables()
    if args.format == "csv":
        main_table = next(iter(tables.values()), pd.DataFrame())
        buf = io.StringIO()
        main_table.to_csv(buf, index=False, lineterminator="\n")
        sys.stdout.write(buf.getvalue())
        return
    sys.stdout.write(_text_report(outcome) + "\n")


def _header(d: dict[str, Any], outcome: Any, *, diagnosis: bool = True) -> list[str]:
    prov = d.get("provenance", {})
    objective = d.get("objective")
    lines = [
        f"scenario: {prov.get('scenario')}   hash: {str(prov.get('scenario_hash', ''))[:12]}",
        f"status: {d.get('status')}"
        + (f"   objective: {objective:.4f}" if isinstance(objective, float) else "")
        + (f"   gap: {d['gap']:.2%}" if d.get("gap") else ""),
    ]
    lines += [
        f"  {c['key']}: {c['old']} -> {c['new']} ({c['source']})" for c in prov.get("changes", [])
    ]
    if diagnosis and getattr(outcome, "diagnosis", None) is not None:
        lines.append(outcome.diagnosis.message())
    return lines


def _section(title: str, frame: pd.DataFrame, limit: int = 60, digits: int = 3) -> list[str]:
    if frame.empty:
        return []
    lines = ["", f"[{title}]", render.table(frame.head(limit), digits=digits)]
    if len(frame) > limit:
        lines.append(f"... {len(frame) - limit} more rows (use --format csv or --out DIR)")
    return lines


def _match_report(outcome: pipeline.MatchOutcome) -> list[str]:
    d = outcome.to_dict()
    lines = _header(d, outcome)
    if not outcome.result.pairs:
        return lines
    pairs = outcome.result.pairs_frame()
    dist = next(c for c in pairs.columns if c.startswith("distance_"))
    view = pairs[["recipient", "supporter", "score", dist]].copy()
    expl = outcome.analyses.get("explanations")
    if isinstance(expl, pd.DataFrame):
        view["reasons"] = expl["reasons"].to_numpy()
    lines += _section("pairs", view)
    forcing = outcome.analyses.get("forcing_costs")
    if isinstance(forcing, pd.DataFrame):
        lines += _section(
            "next-best partner per recipient (cost of forcing it)", _next_best(forcing, outcome)
        )
    alts = outcome.analyses.get("alternatives")
    if isinstance(alts, pd.DataFrame):
        lines += _section("alternatives", alts[["rank", "objective", "loss", "changes"]], digits=4)
    sens = outcome.analyses.get("sensitivity")
    if sens is not None:
        lines += [
            "",
            f"[sensitivity] {sens.samples} samples, weights ±{sens.spread:.0%}: the pairing is "
            f"reproduced exactly in {sens.reproduced_share:.1%} of samples",
        ]
        partners = sens.partners
        freq_col = next((c for c in partners.columns if "base" in c and "freq" in c), None)
        if freq_col is not None:
            lines += _section(
                "pairs chosen in under 90 % of samples", partners[partners[freq_col] < 0.9]
            )
    blocking = outcome.analyses.get("blocking_pairs")
    if isinstance(blocking, pd.DataFrame):
        lines += ["", f"[stability] {len(blocking)} blocking pair(s) against the willingness lists"]
        lines += _section("blocking pairs", blocking)
    return lines


def _next_best(forcing: pd.DataFrame, outcome: pipeline.MatchOutcome) -> pd.DataFrame:
    names = outcome.problem.names
    candidates = forcing[forcing["status"].isin(["optimal", "feasible"])]
    rows = []
    for r in outcome.problem.recipients:
        sub = candidates[candidates["recipient"] == r]
        if sub.empty:
            continue
        best = sub.loc[sub["loss"].idxmin()]
        rows.append(
            {"recipient": names[r], "next_best": names[best["supporter"]], "loss": best["loss"]}
        )
    return pd.DataFrame(rows, columns=["recipient", "next_best", "loss"])


#: Columns of the allocation tables shown in the terminal (all columns go to --out / csv).
_ALLOCATION_VIEWS = {
    "per_year": [
        "year",
        "projects",
        "new_projects",
        "special_fund_wan",
        "budget_wan",
        "budget_use",
        "supporter_fund_wan",
        "priority_share",
    ],
    "per_pair": [
        "recipient",
        "supporter",
        "projects",
        "priority_projects",
        "special_fund_wan",
        "supporter_aid_wan",
        "years_covered",
        "shortfall_wan",
    ],
    "per_category": [
        "category_zh",
        "category_en",
        "plan_section",
        "projects",
        "special_fund_wan",
        "share",
    ],
}


def _allocation_report(outcome: pipeline.AllocationOutcome) -> list[str]:
    d = outcome.to_dict()
    lines = _header(d, outcome, diagnosis=False)  # the findings below carry the diagnosis
    lines.append(f"pairs: {outcome.pairs_source}")
    if outcome.status in ("optimal", "feasible", "failed"):
        frames = outcome.result.summary_frames()
        for name, columns in _ALLOCATION_VIEWS.items():
            frame = frames[name][[c for c in columns if c in frames[name].columns]].copy()
            for col in frame.columns:
                if col.endswith(("share", "_use")):  # shares read as percentages
                    frame[col] = frame[col].map(lambda v: f"{v:.1%}")
            lines += _section(name, frame, digits=1)
        fairness = d["summary"]["fairness"]
        lines += ["", "[fairness: special fund per recipient over the years]"]
        for key, label in (("special_fund_wan", "万元"), ("yuan_per_head", "元 per head")):
            f = fairness.get(key) or {}
            if f:
                lines.append(
                    f"  {label}: min {f['min']:,.1f} ({f['min_recipient']}), "
                    f"max {f['max']:,.1f} ({f['max_recipient']}), Gini {f['gini']:.3f}"
                )
    explained = outcome.result.explain()
    if explained:
        lines += ["", "[findings]", *(f"  {line}" for line in explained)]
    return lines


def _text_report(outcome: Any) -> str:
    if isinstance(outcome, pipeline.RunOutcome):
        parts = []
        if outcome.match is not None:
            parts.append("\n".join(["== pairing", *_match_report(outcome.match)]))
        parts.append("\n".join(["== special fund", *_allocation_report(outcome.allocation)]))
        return "\n\n".join(parts)
    if isinstance(outcome, pipeline.MatchOutcome):
        return "\n".join(_match_report(outcome))
    return "\n".join(_allocation_report(outcome))


__all__ = ["InfeasibleError", "InputError", "SolveFailedError", "main", "make_parser"]


if __name__ == "__main__":
    sys.exit(main())
