"""The ``shanchuan`` command line: a thin layer over :mod:`shanchuan.pipeline`.

It parses the arguments, runs the pipeline and hands the outcome to :mod:`shanchuan.outputs`
(the ``--format`` on stdout, the ``--out`` archive, the messages on stderr).

Exit codes: 0 solved and verified; 2 bad input; 3 infeasible rules (a diagnosis is printed);
4 the solver failed or stopped without a verified solution. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Only light modules at import time: `shanchuan --help`, `--version` and `match --help` load no
# engine, pandas, numpy, pulp or scipy (tests/architecture/test_layering.py). The pipeline and
# the scenario machinery are imported in _dispatch, when a command runs.
from shanchuan import __version__, commands, outputs, signals
from shanchuan.commands import report as report_cmd
from shanchuan.commands.arguments import add_override_args, add_scenario_arg
from shanchuan.errors import InfeasibleError, InputError, ShanchuanError, SolveFailedError
from shanchuan.outputs import archive, messages
from shanchuan.outputs.base import OutputOptions

log = logging.getLogger("shanchuan")

EXIT_OK, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_FAILED = 0, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    """argparse that exits with the bad-input code (2) and one clear line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"shanchuan: error: {message}\n")
        raise SystemExit(EXIT_INPUT)


def _add_scenario_args(p: argparse.ArgumentParser) -> None:
    add_scenario_arg(p)
    add_override_args(
        p,
        scenario_help="apply the named override set (repeatable, in order; sets must not overlap)",
        set_help="set one dotted key, e.g. matching.rules.max_distance=300 (applied last)",
    )
    p.add_argument("--format", choices=outputs.stdout_formats(), default="table")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="write results here")
    p.add_argument("--force", action="store_true", help="replace an earlier run in --out DIR")
    p.add_argument(
        "--wide", action="store_true", help="terminal tables in full (default: fit 120 columns)"
    )
    p.add_argument(
        "--bom", action="store_true", help="--format csv: start with a UTF-8 BOM (for Excel)"
    )
    for fmt in outputs.opt_in_formats():
        assert fmt.opt_in is not None
        p.add_argument(
            fmt.opt_in, action="store_true", help=f"with --out: also write {fmt.description}"
        )


def _add_global_args(p: argparse.ArgumentParser, *, top: bool) -> None:
    """The global flags, accepted before the subcommand and after it (``shanchuan run -q``).

    On a subcommand they default to SUPPRESS, so one not given there does not overwrite the
    value given before the subcommand.
    """

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    p.add_argument("--debug", action="store_true", default=default(False), help="show tracebacks")
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="no progress messages and no live progress line",
    )
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=default(None),
        help="language of the reasons (sets matching.explain.language)",
    )


def _add_fast_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--fast",
        action="store_true",
        help="the quickest answer: no analyses (no rule costs, no pricing of unfunded "
        "projects; the pairing's reasons are kept)",
    )


def make_parser() -> argparse.ArgumentParser:
    """The argument parser (public so docs and tests can inspect it)."""
    parser = _Parser(prog="shanchuan", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"shanchuan {__version__}")
    _add_global_args(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        _add_global_args(p, top=False)
        return p

    p = add("run", "suggest the pairing, then allocate the special fund")
    _add_scenario_args(p)
    _add_fast_arg(p)
    report_cmd.add_report_arg(p)

    p = add("match", "suggest, verify and explain the pairing")
    _add_scenario_args(p)
    _add_fast_arg(p)
    report_cmd.add_report_arg(p)
    p.add_argument(
        "--forcing-costs", action="store_true", help="objective loss of forcing each pair"
    )
    p.add_argument(
        "--alternatives", type=int, default=0, metavar="K", help="K best distinct pairings"
    )
    p.add_argument(
        "--sensitivity",
        type=int,
        default=0,
        metavar="N",
        help="N robustness samples (weights, and data/willingness noise when asked)",
    )
    for flag, key, kind, text in _SENSITIVITY_FLAGS:
        p.add_argument(flag, type=kind, default=None, help=f"{text} (sets {key})")
    p.add_argument(
        "--stability", action="store_true", help="list blocking pairs against willingness"
    )
    p.add_argument(  # agreement with a reference (shanchuan.commands.calibrate)
        "--reference", type=Path, default=None, metavar="PAIRS_FILE", help="agreement with it"
    )

    p = add("allocate", "select and fund the special-fund projects year by year")
    _add_scenario_args(p)
    _add_fast_arg(p)
    p.add_argument("--pairs", type=Path, default=None, help="pair file (overrides data.pairs)")
    report_cmd.add_report_arg(p)

    _add_global_args(report_cmd.add_parser(sub), top=False)

    p = add("check", "validate a scenario, its files and its cross-setting rules without solving")
    _add_scenario_args(p)

    p = add("scenarios", "list built-in scenarios and override sets")
    p.add_argument("scenario", nargs="?", default=None)

    p = add("keys", "list every scenario key with its default and meaning")
    p.add_argument("--markdown", action="store_true")
    for command in commands.COMMANDS.values():  # compare, reproduce: their own modules
        command.add_parser(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``shanchuan`` console script."""
    parser = make_parser()
    args = parser.parse_args(argv)
    from shanchuan.outputs import live

    # The live line and the log lines share stderr: the log goes through the live sink, so
    # a line logged while a solve is shown is printed above it, not through it.
    sink = None if args.quiet else live.LiveProgress(sys.stderr)
    handler: logging.Handler = (
        live.LogHandler(sink) if sink is not None else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("shanchuan: %(message)s"))
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO, handlers=[handler], force=True
    )
    try:
        with signals.handling(hard_exit=True):  # SIGINT/TERM/HUP: kill solvers, clean, 128+N
            return _dispatch(args, sink)
    except ShanchuanError as exc:
        if args.debug:
            raise
        sys.stderr.write(messages.error_text(exc))
        return exc.exit_code
    except KeyboardInterrupt as exc:
        return signals.report(exc, sys.stderr)
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
    finally:
        if sink is not None:
            sink.close()


#: ``match`` flags that shape the robustness analysis: flag, scenario key, type, help.
_SENSITIVITY_FLAGS: tuple[tuple[str, str, Any, str], ...] = (
    ("--sensitivity-mode", "matching.sensitivity.mode", str, "'uniform' or 'dirichlet'"),
    ("--concentration", "matching.sensitivity.concentration", float, "Dirichlet concentration"),
    ("--spread", "matching.sensitivity.spread", float, "uniform mode: relative weight spread"),
    ("--data-noise", "matching.sensitivity.data_noise", float, "relative noise on indicators"),
    ("--willingness-noise", "matching.sensitivity.willingness_noise", float, "list noise p"),
)

#: What ``--fast`` sets: the allocation's analyses off (each re-solves the plan); an
#: infeasible run is still diagnosed, since the diagnosis is the answer then.
FAST_SETS = ("allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0")
#: The ``match`` flags that ask for an analysis, which ``--fast`` leaves out.
_ANALYSIS_FLAGS = {
    "forcing_costs": "--forcing-costs",
    "alternatives": "--alternatives",
    "sensitivity": "--sensitivity",
    "stability": "--stability",
}


def _dispatch(args: argparse.Namespace, sink: Any = None) -> int:
    signals.set_stage("loading the scenario")
    from shanchuan import scenario as scenario_mod

    if args.command == "keys":
        from solverkit import jsonio

        if args.markdown:
            sys.stdout.write(scenario_mod.keys_markdown())
        else:
            for key, info in scenario_mod.KNOWN.items():
                print(f"{key} = {jsonio.dumps(info.default).strip()}  # {info.doc}")
        return EXIT_OK
    if args.command == "scenarios":
        return _list_scenarios(args.scenario)
    if args.command == "report":
        return report_cmd.run(args)
    if args.command in commands.COMMANDS:
        return int(commands.COMMANDS[args.command].run(args, sink))
    if getattr(args, "report", None) is not None:
        report_cmd.check_target(args.report)  # refuse before any work is done
    options = _output_options(args)
    if args.command == "run" and getattr(args, "format", "") == "csv":
        from shanchuan.outputs import csv as csv_format

        raise InputError(csv_format.RUN_CSV_REFUSAL)  # before any work is done
    if args.out is not None:
        archive.check_target(args.out, force=args.force)  # refuse before any work is done

    from shanchuan import pipeline
    from shanchuan.scenario import FlagSet
    from shanchuan.validation import preflight

    preflight.check_flags(vars(args))
    sets = list(args.sets)
    flag_sets: dict[str, list[str]] = {}  # flag -> the items it stands for (credited to it)
    if args.lang:
        flag_sets[f"--lang {args.lang}"] = [
            FlagSet(f"matching.explain.language={args.lang}", f"--lang {args.lang}")
        ]
    if getattr(args, "pairs", None) is not None:
        sets.append(FlagSet(f"data.pairs={_toml_str(args.pairs)}", "--pairs"))
    for flag, key, _, _ in _SENSITIVITY_FLAGS if args.command == "match" else ():
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is None:
            continue
        if not args.sensitivity:  # a shaping flag alone would do nothing
            raise InputError(f"{flag} shapes the robustness analysis; add --sensitivity N")
        item = f'{key}="{value}"' if isinstance(value, str) else f"{key}={value!r}"
        sets.append(FlagSet(item, f"{flag} {value}"))
    fast = getattr(args, "fast", False)
    if fast:
        asked = [flag for dest, flag in _ANALYSIS_FLAGS.items() if getattr(args, dest, False)]
        if asked:
            raise InputError(
                f"--fast runs no analyses, but {', '.join(asked)} asks for one; "
                "drop --fast or the analysis flag"
            )
        flag_sets["--fast"] = [FlagSet(item, "--fast") for item in FAST_SETS]
    for items in flag_sets.values():
        sets += items
    loaded = pipeline.load(args.scenario, overrides=args.overrides, sets=sets)
    loaded = _credit_flags(loaded, flag_sets)
    preflight.preflight(loaded, preflight.engines_of(args.command, loaded))  # before any solve

    if args.command == "check":
        from shanchuan import checks

        return checks.check(loaded)

    signals.set_stage("solving")
    if args.command == "match":
        analyses = pipeline.Analyses(
            explain=True,
            forcing_costs=args.forcing_costs,
            alternatives=args.alternatives,
            sensitivity=args.sensitivity,
            stability=args.stability,
        )
        outcome: Any = pipeline.match(loaded, analyses=analyses, on_solve=sink)
    elif args.command == "allocate":
        outcome = pipeline.allocate(loaded, on_solve=sink)
    else:
        outcome = pipeline.run(loaded, on_solve=sink)
    if sink is not None:
        sink.close()  # the live line goes before the results are printed

    signals.set_stage("writing the results")
    outputs.FORMATS[args.format].emit(outcome, sys.stdout, options)
    if args.out is not None:
        archive.write_run(args.out, outcome, options, force=args.force)
        log.info("results written to %s", args.out)
    if getattr(args, "reference", None) is not None:  # table: stdout; else stderr (parseable)
        from shanchuan.commands.calibrate import agreement_lines

        lines = agreement_lines(outcome, loaded, args.reference, args.lang or "zh")
        print("\n".join(lines), file=sys.stdout if args.format == "table" else sys.stderr)
    if getattr(args, "report", None) is not None:
        report_cmd.write_for(args, outcome, loaded)
    return _exit_code(outcome, repeat_diagnosis=args.format != "table")


def _toml_str(path: Path) -> str:
    """``path`` as a TOML string (``--pairs`` becomes a ``--set data.pairs=...`` item)."""
    import json

    return json.dumps(os.path.abspath(path), ensure_ascii=False)


def _credit_flags(loaded: Any, flag_sets: dict[str, list[str]]) -> Any:
    """The loaded scenario with each flag's changes recorded as that flag (``--fast``)."""
    import dataclasses

    from shanchuan import provenance

    sc = loaded.scenario
    for flag, items in flag_sets.items():
        sc = provenance.attribute(sc, items, flag)
    return dataclasses.replace(loaded, scenario=sc) if sc is not loaded.scenario else loaded


def _opt_in_dest(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def _output_options(args: argparse.Namespace) -> OutputOptions:
    """The options of the run's outputs; refuses opt-in members that cannot be written."""
    extras = set()
    for fmt in outputs.opt_in_formats():
        assert fmt.opt_in is not None  # opt_in_formats says so
        if not getattr(args, _opt_in_dest(fmt.opt_in), False):
            continue
        if args.out is None:
            raise InputError(
                f"{fmt.opt_in} writes {fmt.in_archive} into the --out directory; give --out DIR"
            )
        if not fmt.available():
            raise InputError(f"{fmt.opt_in} needs {fmt.missing}")
        extras.add(fmt.name)
    return OutputOptions(
        command=args.command,
        extras=frozenset(extras),
        lang=args.lang or "",
        wide=getattr(args, "wide", False),
        bom=getattr(args, "bom", False),
    )


def _exit_code(outcome: Any, *, repeat_diagnosis: bool) -> int:
    status = outcome.status
    if status in ("optimal", "feasible"):
        return EXIT_OK
    diagnosis = getattr(outcome, "diagnosis", None) if repeat_diagnosis else None
    sys.stderr.write(messages.stop_text(status, diagnosis))
    return EXIT_INFEASIBLE if status == "infeasible" else EXIT_FAILED


def _list_scenarios(spec: str | None) -> int:
    from shanchuan import scenario as scenario_mod

    names = [spec] if spec else scenario_mod.builtin_scenarios()
    for name in names:
        sc = scenario_mod.load(name)
        print(f"{name}: {sc.settings.scenario.description}")
        for set_name, ov in sorted(sc.available_overrides.items()):
            print(f"  --scenario {set_name}: {ov.description}")
    return EXIT_OK


__all__ = ["InfeasibleError", "InputError", "SolveFailedError", "main", "make_parser"]


if __name__ == "__main__":
    sys.exit(main())
