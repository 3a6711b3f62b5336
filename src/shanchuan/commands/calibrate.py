"""``shanchuan calibrate [SCENARIO] --reference PAIRS_FILE``: the weights a reference implies.

Reads PAIRS_FILE with the pairs reader of ``allocate --pairs`` (a run folder's pairs.csv
works; counties by id, Annex-2 name or full name; a partial list is fine), finds the
criterion weights under which those pairs are optimal or closest to it (inverse optimisation,
:func:`matching.calibrate.calibrate`, ``docs/calibration.md``), solves the pairing under them
and reports how many reference pairs it reproduces. ``--fix CRITERION=W`` holds a weight,
``--bootstrap N`` gives 5–95 % ranges, ``--folds K`` cross-validates. The calibrated weights
are written as an override set (``--weights FILE``, and ``calibrated.toml`` in ``--out``).
Exit 0 when calibrated, 2 for bad input.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shanchuan import outputs
from shanchuan.commands.arguments import add_override_args, add_scenario_arg
from shanchuan.errors import InputError, Problem

HELP = "criterion weights under which a reference pairing is optimal (inverse optimisation)"
#: The override set's name in the written TOML file.
OVERRIDE_SET = "calibrated"
#: The file the override set is written to in ``--out DIR``.
WEIGHTS_FILE = "calibrated.toml"

_TEXT = {
    "zh": {
        "title": "权重校准",
        "reference": "参照结对",
        "violation": "最小违背量",
        "margin": "领先幅度",
        "reproduced": "复现参照结对",
        "weights": "校准权重",
        "criterion": "准则",
        "weight": "权重",
        "start": "原权重",
        "range": "5–95 % 区间",
        "fixed": "固定",
        "unexplained": "任何权重都无法解释的参照结对",
        "none": "无",
        "beaten": "被超过的准则",
        "cv": "交叉验证",
        "exact": "完全一致",
        "same_pref": "同一地级市",
        "use": "使用方法",
        "ignored": "未建模的规则（校准时忽略）",
        "hint": "要保留这些结对：用规则锁定（matching.rules.locks），或补充使其占优的准则数据",
    },
    "en": {
        "title": "weight calibration",
        "reference": "reference pairs",
        "violation": "least violation",
        "margin": "margin",
        "reproduced": "reference pairs reproduced",
        "weights": "calibrated weights",
        "criterion": "criterion",
        "weight": "weight",
        "start": "scenario weight",
        "range": "5–95 % range",
        "fixed": "fixed",
        "unexplained": "reference pairs no weighting explains",
        "none": "none",
        "beaten": "beaten on",
        "cv": "cross-validation",
        "exact": "exact",
        "same_pref": "same prefecture",
        "use": "to use",
        "ignored": "rules not modelled (ignored by the calibration)",
        "hint": "to keep them: lock them (matching.rules.locks), or add the criterion they win on",
    },
}


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the subcommand with ``add`` (the CLI's maker of subparsers with the global flags)."""
    p = add("calibrate", HELP)
    p.description = (__doc__ or HELP).split("\n\n")[0].replace("``", "")
    add_scenario_arg(p)
    add_override_args(
        p,
        scenario_help="apply the named override set (repeatable, in order)",
        set_help="set one dotted key of the scenario calibrated (applied last)",
    )
    p.add_argument(
        "--reference",
        type=Path,
        required=True,
        metavar="PAIRS_FILE",
        help="the reference pairs (recipient,supporter CSV; a run's pairs.csv works)",
    )
    p.add_argument(
        "--fix",
        action="append",
        default=[],
        metavar="CRITERION=W",
        help="hold a criterion's weight (0..1); the others share the rest (repeatable)",
    )
    p.add_argument("--folds", type=int, default=0, metavar="K", help="K-fold cross-validation")
    p.add_argument(
        "--bootstrap", type=int, default=0, metavar="N", help="N resamples for weight ranges"
    )
    p.add_argument("--seed", type=int, default=20210101, help="seed of folds and bootstrap")
    p.add_argument(
        "--weights", type=Path, default=None, metavar="FILE", help="write the override set here"
    )
    p.add_argument("--format", choices=outputs.stdout_formats(), default="table")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="write results here")
    p.add_argument("--force", action="store_true", help="replace an earlier output in --out DIR")
    return p


@dataclass(frozen=True)
class CalibrationReport:
    """A calibration with what it was run on: the outcome the output formats render."""

    calibration: Any
    """The engine's :class:`matching.calibrate.Calibration`."""
    scenario: str
    extends: str
    """What the written override file extends (a built-in name or a scenario path)."""
    reference_file: str
    names: Mapping[str, str]
    language: str = "zh"

    @property
    def status(self) -> str:
        return "calibrated"

    def set_items(self) -> list[str]:
        """The calibrated weights as ``--set`` items."""
        return [f"matching.weights.{c}={w:.6f}" for c, w in self.calibration.weights.items()]

    def override_toml(self) -> str:
        """A scenario file holding ``[overrides.calibrated]`` (``--scenario calibrated``)."""
        cal = self.calibration
        lines = [
            f"# Written by `shanchuan calibrate --reference {self.reference_file}`.",
            f"# Use: shanchuan match THIS_FILE --scenario {OVERRIDE_SET}",
            "[scenario]",
            f'name = "{self.scenario}-calibrated"',
            f"extends = {_toml_str(self.extends)}",
            "",
            f"[overrides.{OVERRIDE_SET}]",
            f'description = "Weights calibrated on {len(cal.reference)} reference pairs '
            f'({len(cal.reproduced)} reproduced)"',
            *(f'"matching.weights.{c}" = {w:.6f}' for c, w in cal.weights.items()),
        ]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            **self.calibration.to_dict(),
            "set": self.set_items(),
            "provenance": {
                "scenario": self.scenario,
                "reference": self.reference_file,
                "seed": self.calibration.seed,
            },
        }

    def tables(self) -> dict[str, Any]:
        frames = self.calibration.tables()
        ref = frames["reference"]
        for col in ("recipient", "supporter", "calibrated_supporter"):
            ref.insert(ref.columns.get_loc(col) + 1, f"{col}_name", ref[col].map(self._name))
        return {f"{name}.csv": frame for name, frame in frames.items()}

    def _name(self, county: str) -> str:
        return self.names.get(county, county)

    def report_lines(self) -> list[str]:
        t = _TEXT.get(self.language, _TEXT["en"])
        cal = self.calibration
        n = len(cal.reference)
        lines = [
            f"{t['title']}: {self.scenario} ← {self.reference_file}",
            f"{t['reference']}: {n}   {t['reproduced']}: {len(cal.reproduced)}/{n}"
            f"   {t['violation']}: {cal.violation:.6f}   {t['margin']}: {cal.margin:.6f}",
            "",
            f"[{t['weights']}]",
        ]
        for c, w in cal.weights.items():
            row = f"  {c:<12} {w:8.4f}   ({t['start']} {cal.start_weights.get(c, math.nan):.4f})"
            if c in cal.ranges:
                lo, hi = cal.ranges[c]
                row += f"   {t['range']} {lo:.4f}–{hi:.4f}"
            if c in cal.fixed:
                row += f"   [{t['fixed']}]"
            lines.append(row)
        lines += ["", f"[{t['unexplained']}]"]
        if not cal.unexplained:
            lines.append(f"  {t['none']}")
        for u in cal.unexplained:
            lines.append(
                f"  {self._name(u.recipient)}–{self._name(u.supporter)}: "
                f"{self._name(u.competitor)} ({u.gap:+.4f}, e {u.violation:.4f}); "
                f"{t['beaten']}: {', '.join(u.beaten_on) or '-'}"
            )
        if cal.unexplained:
            lines.append(f"  {t['hint']}")
        if cal.folds:
            total, exact, same = cal.held_out_agreement()
            lines += [
                "",
                f"[{t['cv']}] {len(cal.folds)} folds, seed {cal.seed}: "
                f"{t['exact']} {exact}/{total}, {t['same_pref']} {same}/{total}",
            ]
        if cal.ignored_rules:
            lines += ["", f"{t['ignored']}: {', '.join(cal.ignored_rules)}"]
        lines += ["", f"[{t['use']}]", "  " + " ".join(f"--set {s}" for s in self.set_items())]
        return lines

    def markdown(self) -> str:
        return "```\n" + "\n".join(self.report_lines()) + "\n```\n"


#: The engine numbers reference pairs 1, 2, ... in file order; line 1 of the file is the header.
_PAIR_NUMBER = re.compile(r"^reference pair (\d+) ")


def _located(file: str, message: str) -> Problem:
    """An engine message about reference pair i as a problem of the file's row i + 1."""
    m = _PAIR_NUMBER.match(message)
    return Problem(file=file, row=int(m.group(1)) + 1 if m else None, message=message)


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fixed(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    problems = []
    for item in items:
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            problems.append(
                Problem(
                    file="command line",
                    column="--fix",
                    value=item,
                    message="not CRITERION=WEIGHT",
                    expected="e.g. --fix distance=0.2",
                    label="flag",
                )
            )
    InputError.collect(problems)
    return out


def read_reference(loaded: Any, path: Path) -> list[tuple[str, str]]:
    """The pairs of ``path`` as ids, read by the pairs reader of ``allocate --pairs``.

    Counties are resolved against the scenario's counties file; every problem of the file
    (unknown county, wrong role, a pair twice) is one :class:`InputError` naming its row.
    """
    if not path.is_file():
        raise InputError(
            Problem(
                file=str(path),
                column="--reference",
                label="flag",
                message="file not found",
                expected="a pairs CSV with columns recipient,supporter (a run's pairs.csv works)",
            )
        )
    files = loaded.files("matching")
    data = loaded.cache.get(
        {"counties": files["counties"], "sectors": files["sectors"], "pairs": path}
    )
    assert data.pairs is not None
    frame = data.pairs[["recipient", "supporter"]]
    return [(str(r), str(s)) for r, s in frame.itertuples(index=False)]


def agreement_lines(outcome: Any, loaded: Any, path: Path, language: str = "zh") -> list[str]:
    """``match --reference FILE``: the pairing's agreement with the reference, as text."""
    from matching.calibrate import CalibrationError, agreement

    pairs = read_reference(loaded, Path(path))
    problem = outcome.problem
    try:
        found = agreement(problem, outcome.result.pairs, pairs)
    except CalibrationError as exc:
        raise InputError([_located(str(path), p) for p in exc.problems]) from exc
    t = _AGREEMENT.get(language, _AGREEMENT["en"])
    n = len(found.reference)
    name = problem.name
    lines = [
        f"[{t['title']}] {path}",
        f"  {t['exact']}: {found.exact}/{n}   {t['same']}: {found.same_prefecture}/{n}",
    ]
    for d in found.disagreements:
        lines.append(
            f"  {name(d.recipient)}: {name(d.chosen) if d.chosen else '-'} ≠ {name(d.reference)}"
            f" ({t['gap']} {d.gap:+.4f}; {t['for_chosen']}: {', '.join(d.favour_chosen) or '-'};"
            f" {t['for_ref']}: {', '.join(d.favour_reference) or '-'})"
        )
    return lines


_AGREEMENT = {
    "zh": {
        "title": "与参照结对的一致性",
        "exact": "完全一致",
        "same": "同一地级市",
        "gap": "得分差",
        "for_chosen": "有利于建议方",
        "for_ref": "有利于参照方",
    },
    "en": {
        "title": "agreement with the reference",
        "exact": "exact",
        "same": "same prefecture",
        "gap": "score gap",
        "for_chosen": "favour the suggestion",
        "for_ref": "favour the reference",
    },
}


def calibrate_scenario(
    scenario: Any,
    reference: Path,
    *,
    overrides: tuple[str, ...] = (),
    sets: tuple[str, ...] = (),
    fixed: Mapping[str, float] | None = None,
    folds: int = 0,
    bootstrap: int = 0,
    seed: int = 20210101,
    language: str | None = None,
) -> CalibrationReport:
    """Load ``scenario``, read ``reference`` as a pairs file and calibrate (the CLI's work)."""
    from matching.calibrate import CalibrationError, calibrate
    from shanchuan import loaded as loaded_mod
    from shanchuan import stages

    loaded = loaded_mod.load(scenario, overrides=overrides, sets=sets)
    prepared = stages.prepare(loaded, "matching")
    ref_path = Path(reference)
    pairs = read_reference(loaded, ref_path)
    try:
        cal = calibrate(
            prepared.problem,
            pairs,
            settings=prepared.settings.matching,
            fixed=fixed,
            folds=folds,
            bootstrap=bootstrap,
            seed=seed,
        )
    except CalibrationError as exc:
        raise InputError([_located(str(ref_path), p) for p in exc.problems]) from exc
    spec = loaded.spec
    builtin = spec is None or (isinstance(spec, str) and not Path(spec).exists())
    extends = loaded.name if builtin else str(Path(loaded.source).resolve())
    lang = language or prepared.settings.matching.explain.language
    return CalibrationReport(
        cal, loaded.name, extends, str(reference), dict(prepared.problem.names), lang
    )


def run(args: argparse.Namespace, sink: Any = None) -> int:
    """Run the subcommand; returns the exit code."""
    from shanchuan.outputs import archive
    from shanchuan.outputs.base import OutputOptions
    from shanchuan.stages import engine_errors

    if args.out is not None:
        archive.check_target(args.out, force=args.force)  # refuse before any work
    with engine_errors(str(args.reference)):
        report = calibrate_scenario(
            args.scenario,
            args.reference,
            overrides=tuple(args.overrides),
            sets=tuple(args.sets),
            fixed=_fixed(args.fix),
            folds=args.folds,
            bootstrap=args.bootstrap,
            seed=args.seed,
            language=args.lang,
        )
    if sink is not None:
        sink.close()
    options = OutputOptions(command="calibrate", lang=args.lang or "")
    outputs.FORMATS[args.format].emit(report, sys.stdout, options)
    toml = report.override_toml()
    if args.weights is not None:
        args.weights.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.weights.with_name(args.weights.name + ".tmp")
        tmp.write_text(toml, encoding="utf-8")
        tmp.replace(args.weights)  # atomic: never a half-written override file
    if args.out is not None:
        info = archive.run_manifest(report, options)
        files = [
            *archive.member_files(report, options, outputs.FORMATS.values()),
            (WEIGHTS_FILE, toml.encode("utf-8")),
        ]
        archive.write_archive(args.out, manifest=info, files=files, force=args.force)
    return 0
