"""``--format table`` (the default): the terminal report, with CJK-aligned tables.

A report is a header (scenario, hash, status, objective, the applied changes, a diagnosis)
and sections ``[title]`` of at most 60 rows each; every column of every table goes to
``--format csv`` and ``--out``, the terminal shows the columns a planner reads first.

pandas is imported inside the functions: this module is loaded with the format registry by
``shanchuan --help``, which must not load it.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        "supporter_total_wan",
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
    stream.write(report(outcome, options) + "\n")


#: Terminal width the tables fit by default (``--wide``: no limit).
WIDTH = 120


@dataclass(frozen=True)
class View:
    """How a report is shown: its language and the width its tables fit (0: any)."""

    lang: str = "zh"
    width: int = WIDTH


def view_of(outcome: Any, options: OutputOptions | None) -> View:
    """The view asked for by ``options`` (``--lang``, ``--wide``) for ``outcome``."""
    from shanchuan import labels

    options = options or OutputOptions()
    return View(labels.language_of(outcome, options.lang), 0 if options.wide else WIDTH)


def report(outcome: Any, options: OutputOptions | None = None) -> str:
    """The terminal report of a match, allocate or run outcome."""
    # Told apart by their parts, not their classes: the output room knows the outcome
    # interface only (see shanchuan.outputs.base.Outcome), so the pipeline may change behind it.
    if hasattr(outcome, "report_lines"):  # a comparison renders itself (shanchuan.comparison)
        return "\n".join(outcome.report_lines())
    from shanchuan import labels

    v = view_of(outcome, options)
    if hasattr(outcome, "allocation"):  # a run: the pairing (unless a pair file), then the fund
        parts = []
        matched = _run_matching(outcome)
        if matched is not None:
            title = "== " + labels.text("engine.matching", v.lang)
            parts.append("\n".join([title, *match_report(matched, v)]))
        title = "== " + labels.text("engine.allocation", v.lang)
        parts.append("\n".join([title, *allocation_report(outcome.allocation, v)]))
        return "\n\n".join(parts)
    if hasattr(outcome, "analyses"):
        return "\n".join(match_report(outcome, v))
    return "\n".join(allocation_report(outcome, v))


def _run_matching(outcome: Any) -> Any:
    # The pairing step of a run outcome: ``matching`` in the staged pipeline, ``match`` before.
    if hasattr(outcome, "matching"):
        return outcome.matching
    return getattr(outcome, "match", None)


#: The unit of each engine's objective, printed beside it: a pairing's objective is the sum of
#: its pairs' weighted scores, an allocation's is benefit minus penalty in person-equivalents
#: (:meth:`allocation.AllocationResult.objective_decomposition`). Objectives of different
#: weightings are not comparable, so none is printed beside another's.
OBJECTIVE_UNITS = {"matching": "score points", "allocation": "person-equivalents"}


def status_text(status: Any, gap: Any, lang: str = "en") -> str:
    """``optimal`` (proven, gap <= 1e-6), else e.g. ``feasible, gap 0.04 %``: one wording."""
    from shanchuan import labels
    from solverkit.progress import OPTIMALITY_TOLERANCE

    text = str(status)
    if text in ("optimal", "feasible") and isinstance(gap, int | float):
        if text == "optimal" and gap > OPTIMALITY_TOLERANCE:
            text = "feasible"
        if text == "feasible":
            return labels.text("head.gap", lang).format(gap=f"{100 * gap:.2f}")
    if text == "feasible":
        return labels.text("head.gap_unknown", lang)
    if f"status.{text}" in labels.TEXT:
        return labels.text(f"status.{text}", lang)
    return text


def header(
    d: dict[str, Any], outcome: Any, *, diagnosis: bool = True, view: View | None = None
) -> list[str]:
    """Scenario and hash, status, objective with its unit and decomposition, changes, diagnosis."""
    from shanchuan import labels
    from shanchuan.outputs import render

    v = view or View()
    prov = d.get("provenance", {})
    objective = d.get("objective")
    engine = "allocation" if hasattr(outcome, "pairs_source") else "matching"
    unit = labels.text(f"unit.{engine}", v.lang)
    lines = [
        labels.text("head.scenario", v.lang).format(
            scenario=prov.get("scenario"), hash=str(prov.get("scenario_hash", ""))[:12]
        ),
        labels.text("head.status", v.lang).format(
            status=status_text(d.get("status"), d.get("gap"), v.lang)
        )
        + (
            labels.text("head.objective", v.lang).format(objective=f"{objective:,.4f}", unit=unit)
            if isinstance(objective, float)
            else ""
        ),
    ]

    for line in objective_lines(d, engine, v):  # long: wrapped to the view's width
        lines += render.wrap(line.strip(), v.width, indent="  ") if v.width else [line]
    lines += [
        f"  {c['key']}: {c['old']} -> {c['new']} ({c['source']})" for c in prov.get("changes", [])
    ]
    if diagnosis and getattr(outcome, "diagnosis", None) is not None:
        lines.extend(_message(outcome.diagnosis, v.lang).splitlines())
    return lines


def objective_lines(d: dict[str, Any], engine: str, view: View) -> list[str]:
    """What the objective is made of: criteria shares (pairing), benefit − penalty (allocation)."""
    from shanchuan import labels

    if engine == "matching":
        shares = d.get("objective_shares") or {}
        if not shares:
            return []
        parts = [f"{labels.header(k, view.lang)} {v:.1%}" for k, v in shares.items()]
        sep = "，" if view.lang == "zh" else ", "
        return [
            f"  {labels.text('criteria_shares', view.lang)}{_colon(view.lang)}" + sep.join(parts)
        ]
    dec = (d.get("summary") or {}).get("objective_decomposition")
    if not dec:
        return []
    text = dec.get("text_zh" if view.lang == "zh" else "text") or dec.get("text", "")
    return [f"  {labels.text('decomposition', view.lang)}{_colon(view.lang)}{text}"]


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _message(diagnosis: Any, lang: str) -> str:
    try:
        return str(diagnosis.message(lang))
    except TypeError:  # a diagnosis that speaks one language
        return str(diagnosis.message())


def _pick(record: Any, name: str, lang: str) -> str:
    """A record's text ``name`` in ``lang``: its ``name_zh`` twin in Chinese when it has one."""
    english = str(getattr(record, name, "") or "")
    if lang == "zh":
        return str(getattr(record, f"{name}_zh", "") or english)
    return english


def section(
    title: str,
    frame: pd.DataFrame,
    limit: int = ROW_LIMIT,
    digits: int = 3,
    view: View | None = None,
) -> list[str]:
    """``[title]`` and the first ``limit`` rows of ``frame``; nothing when it is empty.

    Headers are the columns' labels in the view's language; the table fits the view's width
    (long text cut with ``…``; ``--wide`` shows it whole).
    """
    from shanchuan import labels
    from shanchuan.outputs import render

    v = view or View()
    if frame.empty:
        return []
    shown = frame.head(limit).rename(columns=lambda c: labels.header(str(c), v.lang))
    lines = ["", f"[{title}]", render.table(shown, digits=digits, fit=v.width or None)]
    if len(frame) > limit:
        lines.append(labels.text("more_rows", v.lang).format(n=len(frame) - limit))
    return lines


def match_report(outcome: Any, view: View | None = None) -> list[str]:
    """The pairing: pairs with reasons, and each analysis that was asked for."""
    import pandas as pd

    from shanchuan import labels

    v = view or view_of(outcome, None)
    d = outcome.to_dict()
    lines = header(d, outcome, view=v)
    if not outcome.result.pairs:
        return lines
    pairs = outcome.result.pairs_frame()
    dist = next(c for c in pairs.columns if c.startswith("distance_"))
    frame = pairs[["recipient", "supporter", "score", dist]].copy()
    expl = outcome.analyses.get("explanations")
    if isinstance(expl, pd.DataFrame):  # the reasons in the view's language (when both are there)
        col = f"reasons_{v.lang}" if f"reasons_{v.lang}" in expl.columns else "reasons"
        frame["reasons"] = expl[col].to_numpy()
    lines += section(labels.text("section.pairs", v.lang), frame, view=v)
    forcing = outcome.analyses.get("forcing_costs")
    if isinstance(forcing, pd.DataFrame):
        lines += section(
            labels.text("section.next_best", v.lang), next_best(forcing, outcome), view=v
        )
    alts = outcome.analyses.get("alternatives")
    if isinstance(alts, pd.DataFrame):
        alts = alts.assign(changes=alts.get(f"changes_{v.lang}", alts["changes"]))
        lines += section(
            labels.text("section.alternatives", v.lang),
            alts[["rank", "objective", "loss", "changes"]],
            digits=4,
            view=v,
        )
    sens = outcome.analyses.get("sensitivity")
    if sens is not None:
        setting = sens.setting_zh() if v.lang == "zh" and hasattr(sens, "setting_zh") else None
        lines += [
            "",
            labels.text("section.sensitivity", v.lang).format(
                samples=sens.samples,
                setting=setting or sens.setting(),
                share=f"{sens.reproduced_share:.1%}",
            ),
        ]
        partners = sens.partners
        freq_col = next((c for c in partners.columns if "base" in c and "freq" in c), None)
        if freq_col is not None:
            lines += section(
                labels.text("section.fragile", v.lang),
                partners[partners[freq_col] < 0.9],
                view=v,
            )
    blocking = outcome.analyses.get("blocking_pairs")
    if isinstance(blocking, pd.DataFrame):
        lines += ["", labels.text("section.stability", v.lang).format(n=len(blocking))]
        lines += section(labels.text("section.blocking_pairs", v.lang), blocking, view=v)
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


def allocation_report(outcome: Any, view: View | None = None) -> list[str]:
    """The funded plan: per year, pair and category, fairness, and the findings."""
    from shanchuan import labels
    from shanchuan.outputs import render

    v = view or view_of(outcome, None)
    d = outcome.to_dict()
    lines = header(d, outcome, diagnosis=False, view=v)  # the findings carry the diagnosis
    lines.append(labels.text("head.pairs", v.lang).format(source=pairs_source(outcome, v.lang)))
    if outcome.status in ("optimal", "feasible", "failed"):
        frames = outcome.result.summary_frames()
        for name, columns in ALLOCATION_VIEWS.items():
            shown = [c for c in columns if c in frames[name].columns and c not in _OTHER[v.lang]]
            frame = frames[name][shown].copy()
            for col in frame.columns:
                if col.endswith(("share", "_use")):  # shares read as percentages
                    frame[col] = frame[col].map(lambda x: f"{x:.1%}")
            if v.lang != "zh" and "plan_section" in frame.columns:
                frame["plan_section"] = frame["plan_section"].map(section_number)
            lines += section(labels.text(f"section.{name}", v.lang), frame, digits=1, view=v)
        fairness = d["summary"]["fairness"]
        lines += ["", f"[{labels.text('section.fairness', v.lang)}]"]
        per_head = labels.text("unit.per_head", v.lang)
        for key, label in (("special_fund_wan", "万元"), ("yuan_per_head", per_head)):
            f = fairness.get(key) or {}
            if f:
                lines.append(
                    labels.text("fairness.line", v.lang).format(
                        unit=label,
                        min=f"{f['min']:,.1f}",
                        min_recipient=f["min_recipient"],
                        max=f"{f['max']:,.1f}",
                        max_recipient=f["max_recipient"],
                        gini=f"{f['gini']:.3f}",
                    )
                )
    explained = findings(outcome, v.lang)
    if explained:
        lines += ["", f"[{labels.text('section.findings', v.lang)}]"]
        for line in explained:
            lines += render.wrap(line, v.width, indent="  ") if v.width else [f"  {line}"]
    return lines


#: Columns a language does not show: each category is shown by its name in the view's language.
_OTHER = {"zh": ("category_en",), "en": ("category_zh",)}

#: Chinese numerals of the provincial plan's sections, read as numbers in English.
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def section_number(text: object) -> object:
    """``(六)(十)(十三)`` -> ``(6)(10)(13)``: the plan's section numbers in an English table."""
    import re

    def number(m: re.Match[str]) -> str:
        tens, _, ones = m[1].rpartition("十")
        if "十" not in m[1]:
            return f"({_NUMERALS.get(ones, ones)})"
        value = (_NUMERALS.get(tens, 1) if tens else 1) * 10 + _NUMERALS.get(ones, 0)
        return f"({value})"

    if not isinstance(text, str):
        return text
    return re.sub(r"[(（]([一二三四五六七八九十]+)[)）]", number, text)


def pairs_source(outcome: Any, lang: str) -> str:
    """Where an allocation's pairs came from, in ``lang`` (``suggested pairing``, ``file P``)."""
    from shanchuan import labels

    source = str(outcome.pairs_source)
    if source == "suggested pairing":
        return labels.text("pairs.suggested", lang)
    if source.startswith("file "):
        return labels.text("pairs.file", lang).format(path=source.removeprefix("file "))
    return source


def category_name(code: str, lang: str) -> str:
    """A project category by its name in ``lang`` (the code when it is not a known category)."""
    from allocation.problem import CATEGORIES

    cat = CATEGORIES.get(code)
    if cat is None:
        return code
    return str(cat.zh if lang == "zh" else cat.en)


def findings(outcome: Any, lang: str) -> list[str]:
    """The allocation's findings in ``lang``: status, shortfalls, rule costs, left-out projects.

    Written from the engine's records, each text in the language asked (the engine gives every
    text in English and Chinese: ``text``/``text_zh``, ``detail``/``detail_zh``); categories
    are shown by their names.
    """
    from shanchuan import labels

    result = outcome.result
    t = labels.text
    verified = str(result.solution_status)
    lines = [
        t("finding.status", lang).format(
            status=t(f"status.{result.status.value}", lang)
            if f"status.{result.status.value}" in labels.TEXT
            else result.status.value,
            verified=t(f"verified.{verified}", lang)
            if f"verified.{verified}" in labels.TEXT
            else verified,
        )
    ]
    ver = result.verification
    if ver:
        for viol in ver.violations:
            lines.append(
                t("finding.violation", lang).format(subject=viol.subject, message=viol.message)
            )
        for (k, y), g in sorted(ver.shortfalls.items()):
            pair = result.problem.pairs[k]
            lines.append(
                t("finding.shortfall", lang).format(
                    supporter=result.problem.name(pair.supporter),
                    recipient=result.problem.name(pair.recipient),
                    year=y,
                    gap=f"{g:,.1f}",
                )
            )
    lines.extend(_pick(r, "text", lang) for r in result.rule_costs)
    for u in result.unfunded:
        lines.append(
            t("finding.unfunded", lang).format(
                id=u.id,
                recipient=u.recipient,
                category=category_name(u.category, lang),
                detail=_pick(u, "detail", lang),
            )
        )
    if result.diagnosis:
        lines.extend(_message(result.diagnosis, lang).splitlines())
    return lines


FORMAT = Format(
    name="table",
    description="the terminal report: header, diagnosis and aligned tables (CJK-aware)",
    emit=emit,
    stdout=True,
)
