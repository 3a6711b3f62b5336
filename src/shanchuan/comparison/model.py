"""The typed result of a comparison: what changed from run A to run B, and why.

Every number is B − A; ``relative`` is (B − A) / A (``None`` when A is 0). A difference no
larger than what the solvers' proven gaps allow is marked ``within_tolerance`` and is not
called an effect (``docs/compare.md`` gives the rule).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from solverkit.jsonio import to_jsonable

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class SettingDiff:
    """A setting (or an input file's bytes) that differs between A and B."""

    key: str
    a: Any
    b: Any
    source: str = ""
    """Where B's value was set (its change log), when known."""


@dataclass(frozen=True)
class CriterionDelta:
    """One criterion of a changed pair: B's pair against A's pair for the same recipient."""

    criterion: str
    a: float | None
    b: float | None
    weighted_delta: float
    """weight_B × value_B − weight_A × value_A: what it adds to the recipient's pair score."""


@dataclass(frozen=True)
class PairChange:
    """A recipient whose supporter differs."""

    recipient: str
    supporter_a: str | None
    supporter_b: str | None
    score_a: float | None
    score_b: float | None
    criteria: tuple[CriterionDelta, ...]
    """Largest weighted change first: the criteria that drove the change."""
    within_tolerance: bool = False
    settings: tuple[str, ...] = ()
    """The differing settings and input files that shape the pairing (``key: A → B``)."""


@dataclass(frozen=True)
class ProjectChange:
    """A project funded in one run only (``left``/``entered``), or differently (``changed``)."""

    id: str
    change: str
    title: str
    recipient: str
    supporter: str
    category: str
    special_fund_a: float
    special_fund_b: float
    years_a: tuple[int, ...]
    years_b: tuple[int, ...]
    reasons: tuple[str, ...] = ()
    """Why it left (B's rule codes: ``budget``, ``count cap``, ``supporter_mismatch``, ...)."""
    detail: str = ""
    within_tolerance: bool = False


@dataclass(frozen=True)
class MoneyRow:
    """Special fund and supporter aid of one recipient, year, category or the total."""

    level: str
    """``recipient``, ``year``, ``category`` or ``total``."""
    key: str
    label: str
    """The key in words (a category's Chinese name; else the key)."""
    special_fund_a: float
    special_fund_b: float
    special_fund_delta: float
    special_fund_relative: float | None
    supporter_total_a: float
    supporter_total_b: float
    supporter_total_delta: float
    supporter_total_relative: float | None
    within_tolerance: bool = False

    @property
    def changed(self) -> bool:
        return self.special_fund_delta != 0 or self.supporter_total_delta != 0


@dataclass(frozen=True)
class FairnessDelta:
    """One fairness figure of the special fund per recipient (min, max, Gini)."""

    measure: str
    a: float | None
    b: float | None
    delta: float | None
    who_a: str = ""
    who_b: str = ""


@dataclass(frozen=True)
class ObjectiveDelta:
    """One engine's objective, compared only when both runs define it the same way."""

    engine: str
    unit: str
    a: float | None
    b: float | None
    comparable: bool
    delta: float | None
    note: str
    """Why not comparable (the definitions that differ), or the tolerance used."""
    within_tolerance: bool = False
    differs: tuple[str, ...] = ()
    """The settings defining the objective that differ (``key A → B``)."""


@dataclass(frozen=True)
class Comparison:
    """What changed from run A to run B (``shanchuan.compare(a, b)``)."""

    a: dict[str, Any]
    b: dict[str, Any]
    """Who each side is: label, source, command, status, scenario, hash, gaps."""
    settings: tuple[SettingDiff, ...]
    pairs_compared: bool
    pair_changes: tuple[PairChange, ...]
    pairs_total: int
    """Recipients whose pairs were compared."""
    projects_compared: bool
    project_changes: tuple[ProjectChange, ...]
    money: tuple[MoneyRow, ...]
    fairness: tuple[FairnessDelta, ...]
    objectives: tuple[ObjectiveDelta, ...]
    tolerance: dict[str, float]
    """Engine -> the relative tolerance its differences are judged against (the larger gap)."""
    notes: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()
    language: str = field(default="zh", compare=False)

    @property
    def identical(self) -> bool:
        """Nothing differs: settings, inputs, pairs, projects, money, fairness, objectives."""
        return not (
            self.settings
            or self.pair_changes
            or self.project_changes
            or any(r.changed for r in self.money)
            or any(f.delta not in (0, 0.0, None) for f in self.fairness)
            or any(o.delta not in (0, 0.0, None) for o in self.objectives if o.comparable)
            or any(not o.comparable for o in self.objectives)
        )

    def __repr__(self) -> str:
        parts = [f"{len(self.settings)} settings differ"]
        if self.pairs_compared:
            parts.append(f"{len(self.pair_changes)} of {self.pairs_total} pairs changed")
        if self.projects_compared:
            parts.append(f"{len(self.project_changes)} project changes")
        sides = f"{self.a.get('label', 'A')} → {self.b.get('label', 'B')}"
        return f"<Comparison {self.status}: {', '.join(parts)}; {sides}>"

    @property
    def status(self) -> str:
        """``identical`` or ``different`` (what ``--out`` records as the status)."""
        return "identical" if self.identical else "different"

    def projects(self, change: str) -> tuple[ProjectChange, ...]:
        """The project changes of one kind: ``left``, ``entered`` or ``changed``."""
        return tuple(p for p in self.project_changes if p.change == change)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``--format json``, ``result.json`` of ``compare --out``)."""
        out = to_jsonable(
            {
                "status": self.status,
                "a": self.a,
                "b": self.b,
                "settings": [asdict(s) for s in self.settings],
                "pairs_compared": self.pairs_compared,
                "pairs_total": self.pairs_total,
                "pairs_changed": [asdict(p) for p in self.pair_changes],
                "projects_compared": self.projects_compared,
                "projects": {
                    kind: [asdict(p) for p in self.projects(kind)]
                    for kind in ("left", "entered", "changed")
                },
                "money": [asdict(r) for r in self.money],
                "fairness": [asdict(f) for f in self.fairness],
                "objectives": [asdict(o) for o in self.objectives],
                "tolerance": self.tolerance,
                "notes": list(self.notes),
            }
        )
        out["provenance"] = {"a": self.a, "b": self.b}
        return dict(out)

    def tables(self) -> dict[str, pd.DataFrame]:
        """CSV tables (``--format csv`` prints the first; ``--out`` writes them all)."""
        import pandas as pd

        def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
            return pd.DataFrame(rows, columns=columns)

        pair_rows = [
            {
                **{k: v for k, v in asdict(p).items() if k != "criteria"},
                "drivers": "; ".join(f"{c.criterion} {c.weighted_delta:+.4f}" for c in p.criteria),
                "settings": "; ".join(p.settings),
            }
            for p in self.pair_changes
        ]
        project_rows = [
            {
                **asdict(p),
                "years_a": ";".join(map(str, p.years_a)),
                "years_b": ";".join(map(str, p.years_b)),
                "reasons": ";".join(p.reasons),
            }
            for p in self.project_changes
        ]
        return {
            "money.csv": frame(
                [asdict(r) for r in self.money], list(MoneyRow.__dataclass_fields__)
            ),
            "pairs_changed.csv": frame(
                pair_rows,
                [*(f for f in PairChange.__dataclass_fields__ if f != "criteria"), "drivers"],
            ),
            "projects_changed.csv": frame(project_rows, list(ProjectChange.__dataclass_fields__)),
            "settings.csv": frame(
                [asdict(s) for s in self.settings], list(SettingDiff.__dataclass_fields__)
            ),
            "fairness.csv": frame(
                [asdict(f) for f in self.fairness], list(FairnessDelta.__dataclass_fields__)
            ),
            "objectives.csv": frame(
                [asdict(o) for o in self.objectives], list(ObjectiveDelta.__dataclass_fields__)
            ),
        }

    def report_lines(self) -> list[str]:
        """The terminal report in :attr:`language` (``--format table``)."""
        from shanchuan.comparison import render

        return render.text(self)

    def markdown(self) -> str:
        """The report as Markdown (``--format markdown``)."""
        from shanchuan.comparison import render

        return render.markdown(self)


@dataclass(frozen=True)
class Comparisons:
    """``compare A B C ...``: B, C, ... each compared with A, in order."""

    items: tuple[Comparison, ...]

    @property
    def identical(self) -> bool:
        return all(c.identical for c in self.items)

    @property
    def status(self) -> str:
        return "identical" if self.identical else "different"

    def __repr__(self) -> str:
        return f"<Comparisons {self.status}: {len(self.items)} comparisons against A>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "comparisons": [c.to_dict() for c in self.items],
            "provenance": {"sides": [self.items[0].a, *(c.b for c in self.items)]},
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Each comparison's tables, prefixed ``b2_`` (the second side), ``b3_``, ..."""
        return {
            f"b{i}_{name}": frame
            for i, c in enumerate(self.items, start=2)
            for name, frame in c.tables().items()
        }

    def report_lines(self) -> list[str]:
        lines: list[str] = []
        for c in self.items:
            lines += ([""] if lines else []) + c.report_lines()
        return lines

    def markdown(self) -> str:
        return "\n".join(c.markdown() for c in self.items)
