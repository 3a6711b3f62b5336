"""``--format table`` (the default): the terminal report, with CJK-aligned tables.

A report is a header (scenario, hash, status, objective, the applied changes, a diagnosis)
and sections ``[title]`` of at most 60 rows each; every column of every table goes to
``--format csv`` and ``--out``, the terminal shows the columns a planner reads first.

pandas is imported inside the functions: this module is loaded with the format registry by
``shanchuan --help``, which must not load it.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from shanchuan.outputs.base import Format, OutputOptions

if TYPE_CHECKING:
    import pandas as pd

#: Rows of one section shown in the terminal (the rest: ``--format csv`` or ``--out DIR``).
ROW_LIMIT = 60

#: Columns of the allocation tables shown in the terminal (all columns go to --out / csv).
ALLOCATION_VIEWS: dict[str, list[str]] = {
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


def emit(outcome: Any, stream: IO[str], options: OutputOptions) -> None:
    """Write the terminal report of ``outcome`` to ``stream``."""
    stream.write(report(outcome) + "\n")


def report(outcome: Any) -> str:
    """The terminal report of a match, allocate or run outcome."""
    # Told apart by their parts, not their classes: the output room knows the outcome
    # interface only (see shanchuan.outputs.base.Outcome), so the pipeline may change behind it.
    if hasattr(outcome, "allocation"):  # a run: the pairing (unless a pair file), then the fund
        parts = []
        matched = _run_matching(outcome)
        if matched is not None:
            parts.append("\n".join(["== pairing", *match_report(matched)]))
        parts.append("\n".join(["== special fund", *allocation_report(outcome.allocation)]))
        return "\n\n".join(parts)
    if hasattr(outcome, "analyses"):
        return "\n".join(match_report(outcome))
    return "\n".join(allocation_report(outcome))


def _run_matching(outcome: Any) -> Any:
    # The pairing step of a run outcome: ``matching`` in the staged pipeline, ``match`` before.
    if hasattr(outcome, "matching"):
        return outcome.matching
    return getattr(outcome, "match", None)


#: The unit of each engine's objective, printed beside it: a pairing's objective is the sum of
#: its pairs' weighted scores, an allocation's the engine's benefit units. Objectives of
#: different weightings are not comparable, so none is printed beside another's.
OBJECTIVE_UNITS = {"matching": "score points", "allocation": "benefit points"}


def status_text(status: Any, gap: Any) -> str:
    """``optimal`` (proven, gap <= 1e-6), else e.g. ``feasible, gap 0.04 %``: one wording."""
    from solverkit.progress import OPTIMALITY_TOLERANCE

    text = str(status)
    if text in ("optimal", "feasible") and isinstance(gap, int | float):
        if text == "optimal" and gap > OPTIMALITY_TOLERANCE:
            text = "feasible"
        if text == "feasible":
            return f"feasible, gap {100 * gap:.2f} %"
    if text == "feasible":
        return "feasible, gap unknown"
    return text


def header(d: dict[str, Any], outcome: Any, *, diagnosis: bool = True) -> list[str]:
    """Scenario and hash, status, objective and gap, the applied changes, the diagnosis."""
    prov = d.get("provenance", {})
    objective = d.get("objective")
    unit = OBJECTIVE_UNITS.get("allocation" if hasattr(outcome, "pairs_source") else "matching")
    lines = [
        f"scenario: {prov.get('scenario')}   hash: {str(prov.get('scenario_hash', ''))[:12]}",
        f"status: {status_text(d.get('status'), d.get('gap'))}"
        + (f"   objective: {objective:.4f} {unit}" if isinstance(objective, float) else ""),
    ]
    lines += [
        f"  {c['key']}: {c['old']} -> {c['new']} ({c['source']})" for c in prov.get("changes", [])
    ]
    if diagnosis and getattr(outcome, "diagnosis", None) is not None:
        lines.append(outcome.diagnosis.message())
    return lines


def section(
    title: str, frame: pd.DataFrame, limit: int = ROW_LIMIT, digits: int = 3
) -> list[str]:
    """``[title]`` and the first ``limit`` rows of ``frame``; nothing when it is empty."""
    from shanchuan.outputs import render

    if frame.empty:
        return []
    lines = ["", f"[{title}]", render.table(frame.head(limit), digits=digits)]
    if len(frame) > limit:
        lines.append(f"... {len(frame) - limit} more rows (use --format csv or --out DIR)")
    return lines


def match_report(outcome: Any) -> list[str]:
    """The pairing: pairs with reasons, and each analysis that was asked for."""
    import pandas as pd

    d = outcome.to_dict()
    lines = header(d, outcome)
    if not outcome.result.pairs:
        return lines
    pairs = outcome.result.pairs_frame()
    dist = next(c for c in pairs.columns if c.startswith("distance_"))
    view = pairs[["recipient", "supporter", "score", dist]].copy()
    expl = outcome.analyses.get("explanations")
    if isinstance(expl, pd.DataFrame):
        view["reasons"] = expl["reasons"].to_numpy()
    lines += section("pairs", view)
    forcing = outcome.analyses.get("forcing_costs")
    if isinstance(forcing, pd.DataFrame):
        lines += section(
            "next-best partner per recipient (cost of forcing it)", next_best(forcing, outcome)
        )
    alts = outcome.analyses.get("alternatives")
    if isinstance(alts, pd.DataFrame):
        lines += section("alternatives", alts[["rank", "objective", "loss", "changes"]], digits=4)
    sens = outcome.analyses.get("sensitivity")
    if sens is not None:
        lines += [
            "",
            f"[sensitivity] {sens.samples} samples, {sens.setting()}: the pairing is "
            f"reproduced exactly in {sens.reproduced_share:.1%} of samples",
        ]
        partners = sens.partners
        freq_col = next((c for c in partners.columns if "base" in c and "freq" in c), None)
        if freq_col is not None:
            lines += section(
                "pairs chosen in under 90 % of samples", partners[partners[freq_col] < 0.9]
            )
    blocking = outcome.analyses.get("blocking_pairs")
    if isinstance(blocking, pd.DataFrame):
        lines += ["", f"[stability] {len(blocking)} blocking pair(s) against the willingness lists"]
        lines += section("blocking pairs", blocking)
    return lines


def next_best(forcing: pd.DataFrame, outcome: Any) -> pd.DataFrame:
    """Per recipient, the partner whose forcing costs the least objective (and that loss)."""
    import pandas as pd

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


def allocation_report(outcome: Any) -> list[str]:
    """The funded plan: per year, pair and category, fairness, and the findings."""
    d = outcome.to_dict()
    lines = header(d, outcome, diagnosis=False)  # the findings below carry the diagnosis
    lines.append(f"pairs: {outcome.pairs_source}")
    if outcome.status in ("optimal", "feasible", "failed"):
        frames = outcome.result.summary_frames()
        for name, columns in ALLOCATION_VIEWS.items():
            frame = frames[name][[c for c in columns if c in frames[name].columns]].copy()
            for col in frame.columns:
                if col.endswith(("share", "_use")):  # shares read as percentages
                    frame[col] = frame[col].map(lambda v: f"{v:.1%}")
            lines += section(name, frame, digits=1)
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


FORMAT = Format(
    name="table",
    description="the terminal report: header, diagnosis and aligned tables (CJK-aware)",
    emit=emit,
    stdout=True,
)
