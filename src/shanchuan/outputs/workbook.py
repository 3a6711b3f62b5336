"""``--excel``: ``results.xlsx``, a planner's workbook in the run's language (Chinese by default).

Sheets, in order (those of an engine the run did not use are left out): 概况 (each engine's
status, gap, objective with its unit and what it is made of), 结对建议 (pairs with their
criteria and reasons), 项目清单 (one row per project with its years and totals), 资金安排表
(special fund, recipient × year, with totals), per year / per pair / per category, the
supporter floor, fairness, 约束规则及代价 (the rules that bind and what relaxing each gains),
未入选项目 (good projects left out and why), the matching analyses when run, 假设与数据说明
(every estimate, assumption, illustrative and synthetic input the scenario states,
:mod:`shanchuan.outputs.assumptions`) and 来源与版本 (provenance).

Headers come from the one label table (:func:`shanchuan.labels.header`, ``--lang en`` for
English); numbers stay numbers with formats by the column's kind (万元 ``#,##0.0``, shares as
percentages, km), the header row is frozen and filtered, and columns are sized to their text.
Cells never hold Python reprs (:func:`shanchuan.outputs.summary.plain`). Text that looks like a
formula is stored as a quoted string cell, never as a formula
(:mod:`shanchuan.outputs.formulas`). Optional: openpyxl (``pip install 'shanchuan[excel]'``).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from shanchuan.outputs.base import Format, OutputOptions
from shanchuan.outputs.formulas import protect_workbook_cells

if TYPE_CHECKING:
    import pandas as pd

#: The archive member.
WORKBOOK = "results.xlsx"

#: Excel's limit on the length of a sheet name.
SHEET_NAME_MAX = 31

#: Number format of each column kind (:mod:`shanchuan.outputs.columns`).
NUMBER_FORMATS: Mapping[str, str] = {
    "wan": "#,##0.0",
    "yuan": "#,##0.0",
    "share": "0.0%",
    "km": "#,##0.0",
    "score": "0.000",
    "number": "#,##0.0##",
    "int": "0",
    "year": "0",
}

#: Widest a column is sized to (characters; longer text wraps in the cell).
MAX_WIDTH = 60


def excel_available() -> bool:
    """Whether the optional xlsx writer (``pip install 'shanchuan[excel]'``) is installed."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# The sheets: (sheet key, frame) in order


def sheets(outcome: Any, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """Every sheet of the workbook as ``(label key, table)`` with column *names* (not headers)."""
    from shanchuan.outputs.summary import engine_parts, plain_frame

    parts = dict(engine_parts(outcome))
    if not parts:  # tables only (a stand-in of the Outcome interface): one sheet per table
        return [(name.removesuffix(".csv"), plain_frame(f)) for name, f in outcome.tables().items()]
    out: list[tuple[str, pd.DataFrame]] = [("summary", summary_frame(outcome, lang))]
    match, alloc = parts.get("matching"), parts.get("allocation")
    if match is not None:
        out.append(("pairs", pairs_frame(match, lang)))
    if alloc is not None:
        tables = alloc.tables()
        projects = tables["projects.csv"]
        names = category_names(tables["per_category.csv"], lang)
        out += [
            ("projects", projects_by_project(projects, names)),
            ("funding", funding_frame(projects, lang)),
        ]
        for name in ("per_year", "per_pair", "per_category", "floor", "fairness"):
            out.append((name, tables[f"{name}.csv"]))
        out.append(("rule_costs", rule_costs_frame(tables["rule_costs.csv"], lang)))
        unfunded = one_language(tables["unfunded.csv"], lang)
        if "category" in unfunded.columns:  # codes shown by their names
            unfunded["category"] = unfunded["category"].map(lambda c: names.get(c, c))
        out.append(("unfunded", unfunded))
    if match is not None:
        for name, frame in match.tables().items():
            key = name.removesuffix(".csv")
            if key not in ("pairs",) and f"sheet.{key}" in _sheet_keys():
                out.append((key, one_language(frame, lang)))
    out.append(("assumptions", assumptions_frame(outcome, lang)))
    out.append(("provenance", provenance_frame(outcome, lang)))
    return [(key, plain_frame(frame)) for key, frame in out]


def _sheet_keys() -> set[str]:
    from shanchuan.labels import TEXT

    return {k for k in TEXT if k.startswith("sheet.")}


def summary_frame(outcome: Any, lang: str) -> pd.DataFrame:
    """概况: the status rows, then what each objective is made of, one line each."""
    import pandas as pd

    from shanchuan import labels
    from shanchuan.outputs.summary import engine_parts, status_rows

    rows: list[dict[str, Any]] = []
    for row in status_rows(outcome):
        row = dict(row)
        row["engine"] = labels.text(f"engine.{row['engine']}", lang)
        status = str(row["status"])
        if f"status.{status}" in labels.TEXT:
            row["status"] = labels.text(f"status.{status}", lang)
        unit_key = "unit.matching" if row["objective_unit"] == "score points" else "unit.allocation"
        row["objective_unit"] = labels.text(unit_key, lang)
        row["verified"] = labels.text("yes" if row["verified"] else "no", lang)
        rows.append(row)
    frame = pd.DataFrame(rows)
    notes = []
    for engine, part in engine_parts(outcome):
        d = part.to_dict()
        if engine == "matching" and d.get("objective_shares"):
            shares = "，".join(
                f"{labels.header(k, lang)} {v:.1%}" for k, v in d["objective_shares"].items()
            )
            notes.append(f"{labels.text('criteria_shares', lang)}: {shares}")
        dec = (d.get("summary") or {}).get("objective_decomposition")
        if engine == "allocation" and dec:
            notes.append(
                f"{labels.text('decomposition', lang)}: "
                + str(dec.get("text_zh" if lang == "zh" else "text") or dec.get("text"))
            )
        diagnosis = getattr(part, "diagnosis", None)
        if diagnosis is not None:  # the rules are infeasible: why, in the run's language
            try:
                text = str(diagnosis.message(lang))
            except TypeError:
                text = str(diagnosis.message())
            notes += [line.strip() for line in text.splitlines() if line.strip()]
    for note in notes:
        frame = pd.concat([frame, pd.DataFrame([{"engine": note}])], ignore_index=True)
    return frame


def category_names(per_category: pd.DataFrame, lang: str) -> dict[str, str]:
    """Category code -> its name in ``lang`` (from the per-category table)."""
    col = "category_zh" if lang == "zh" else "category_en"
    if per_category.empty or col not in per_category.columns:
        return {}
    return dict(zip(per_category["category"], per_category[col], strict=True))


def pairs_frame(match: Any, lang: str = "zh") -> pd.DataFrame:
    """结对建议: the pairs with each criterion's score, the weakest point and the reasons."""
    from shanchuan import labels

    tables = match.tables()
    pairs = tables.get("pairs.csv")
    if pairs is None:
        import pandas as pd

        return pd.DataFrame()
    expl = tables.get("explanations.csv")
    out = pairs.drop(columns=[c for c in ("recipient_id", "supporter_id") if c in pairs.columns])
    if expl is not None and len(expl) == len(pairs):
        for col in ("weakest", "reasons"):
            if col in expl.columns:
                out[col] = expl[col].to_numpy()
        if f"reasons_{lang}" in expl.columns:  # the reasons in the workbook's language
            out["reasons"] = expl[f"reasons_{lang}"].to_numpy()
        if "weakest" in out.columns:  # a criterion, by its name
            out["weakest"] = out["weakest"].map(
                lambda c: labels.header(str(c), lang) if isinstance(c, str) else c
            )
    return out


def projects_by_project(
    projects: pd.DataFrame, category_names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """项目清单: one row per project, its funded years and its totals over them.

    With ``category_names`` (code -> name in the run's language) the category is shown by name.
    """
    import pandas as pd

    if projects.empty:
        return projects
    if category_names:
        projects = projects.assign(
            category_zh=projects["category"].map(lambda c: category_names.get(c, c))
        )
    wan = [c for c in projects.columns if c.endswith("_wan")] + ["benefit"]
    first = projects.groupby("id", sort=False).first()
    sums = projects.groupby("id", sort=False)[[c for c in wan if c in projects.columns]].sum()
    years = projects.groupby("id", sort=False)["year"].apply(
        lambda ys: ";".join(str(int(y)) for y in sorted(ys))
    )
    keep = [
        c
        for c in (
            "title",
            "recipient",
            "supporter",
            "category_zh",
            "priority",
            "priority_kinds",
            "start_year",
            "end_year",
            "executed",
        )
        if c in first.columns
    ]
    out = pd.concat([first[keep], years.rename("years"), sums], axis=1).reset_index()
    return out


def funding_frame(projects: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """资金安排表: special fund 万元 per recipient (rows) and year (columns), with totals."""
    import pandas as pd

    from shanchuan.labels import TEXT

    if projects.empty:
        return pd.DataFrame()
    table = projects.pivot_table(
        index=["recipient", "supporter"],
        columns="year",
        values="special_fund_wan",
        aggfunc="sum",
        fill_value=0.0,
        sort=False,
    )
    table.columns = [str(int(y)) for y in table.columns]
    total = TEXT["total"]
    table[total.get(lang)] = table.sum(axis=1)
    out = table.reset_index()
    sums = {c: out[c].sum() for c in out.columns if c not in ("recipient", "supporter")}
    out = pd.concat(
        [out, pd.DataFrame([{"recipient": total.get(lang), **sums}])], ignore_index=True
    )
    return out


def one_language(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with each text given in both languages in ``lang`` only.

    The engines write both (JSON and CSV keep both): ``X`` English beside ``X_zh``, or ``X``
    in the run's language beside ``X_en`` and ``X_zh``; a sheet shows the workbook's language.
    """
    twins = [c for c in frame.columns if f"{c}_zh" in frame.columns]
    if any(f"{c}_en" in frame.columns for c in twins):  # X in the run's language, X_en, X_zh
        frame = frame.copy()
        for c in [c for c in twins if f"{c}_en" in frame.columns]:
            frame[c] = frame[f"{c}_{lang if lang == 'zh' else 'en'}"]
            frame = frame.drop(columns=[f"{c}_en", f"{c}_zh"])
        twins = [c for c in frame.columns if f"{c}_zh" in frame.columns]
    drop = twins if lang == "zh" else [f"{c}_zh" for c in twins]
    return frame.drop(columns=drop)


def rule_costs_frame(costs: pd.DataFrame, lang: str) -> pd.DataFrame:
    """约束规则及代价: each rule by its label, the finding in the run's language first."""
    from shanchuan import labels

    if costs.empty:
        return costs
    out = costs.copy()
    out["rule"] = out["rule"].map(lambda r: labels.rule(str(r), lang))
    first = "text_zh" if lang == "zh" else "text"
    change = "change_zh" if lang == "zh" and "change_zh" in out.columns else "change"
    cols = [
        "rule",
        change,
        first,
        "established",
        "gain",
        "gain_low",
        "gain_high",
        "tolerance",
        "gain_pct_of_objective",
        "benefit_gain",
        "coverage_gain",
        "status",
        "objective",
        "method",
    ]
    return out[[c for c in cols if c in out.columns]]


def assumptions_frame(outcome: Any, lang: str) -> pd.DataFrame:
    """假设与数据说明: every estimate, assumption, illustrative and synthetic input stated."""
    import pandas as pd

    from shanchuan.outputs.assumptions import KIND_LABELS, assumption_rows
    from shanchuan.outputs.summary import engine_parts

    scenario = None
    data_files: dict[str, Any] = {}
    for _, part in engine_parts(outcome):
        scenario = scenario or getattr(part, "scenario", None)
        data_files.update((getattr(part, "provenance", None) or {}).get("data_files", {}))
    rows = assumption_rows(scenario, data_files) if scenario is not None else []
    frame = pd.DataFrame(rows, columns=["item", "kind", "source", "note"])
    frame["kind"] = frame["kind"].map(lambda k: KIND_LABELS[k][lang])
    return frame.rename(columns={"kind": "label"})


def provenance_frame(outcome: Any, lang: str) -> pd.DataFrame:
    """来源与版本: scenario and hash, command, changed settings, data files, versions."""
    import pandas as pd

    from shanchuan import labels

    prov = getattr(outcome, "provenance", None) or outcome.to_dict().get("provenance", {})
    t = labels.text
    rows: list[tuple[str, str]] = [
        (t("prov.scenario", lang), str(prov.get("scenario", ""))),
        (t("prov.scenario_hash", lang), str(prov.get("scenario_hash", ""))),
        (t("prov.command", lang), str(prov.get("command", ""))),
    ]
    rows += [
        (t("prov.changes", lang), f"{c['key']}: {c['old']} -> {c['new']} ({c['source']})")
        for c in prov.get("changes", [])
    ]
    rows += [
        (t("prov.data", lang), f"{key}: {info.get('path', '')} (sha256 {info.get('sha256', '')})")
        for key, info in (prov.get("data_files") or {}).items()
    ]
    rows += [
        (t("prov.version", lang), f"{name} {ver}")
        for name, ver in (prov.get("versions") or {}).items()
    ]
    rows.append((t("prov.platform", lang), str(prov.get("platform", ""))))
    return pd.DataFrame(rows, columns=["item", "note"])


# --------------------------------------------------------------------------------------------
# Writing


def build(outcome: Any, lang: str) -> Any:
    """The openpyxl workbook of ``outcome`` in ``lang`` (``zh`` or ``en``)."""
    from openpyxl import Workbook

    from shanchuan import labels

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for key, frame in sheets(outcome, lang):
        label = labels.TEXT.get(f"sheet.{key}")
        title = sheet_title(label.get(lang) if label is not None else key, used)
        # The funding table's year and total columns are 万元 (they are not declared columns).
        write_sheet(wb.create_sheet(title), frame, lang, default_kind=DEFAULT_KINDS.get(key))
    protect_workbook_cells(wb)
    return wb


def sheet_title(title: str, used: set[str]) -> str:
    """``title`` cut to Excel's 31 characters and made unique among ``used`` (then added)."""
    title = title[:SHEET_NAME_MAX]
    base, k = title, 2
    while title in used:
        title, k = f"{base[: SHEET_NAME_MAX - 3]}~{k}", k + 1
    used.add(title)
    return title


#: The kind of a sheet's undeclared numeric columns (the 资金安排表's years are 万元).
DEFAULT_KINDS: Mapping[str, str] = {
    "funding": "wan",
    "forcing_loss_matrix": "score",
    "sensitivity_frequency": "share",
}


def write_sheet(
    ws: Any, frame: pd.DataFrame, lang: str, *, default_kind: str | None = None
) -> None:
    """One table: labelled bold header, typed cells with formats, frozen and filtered header."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from shanchuan import labels
    from shanchuan.outputs.columns import OUTPUT_COLUMNS
    from shanchuan.outputs.render import width

    names = [str(c) for c in frame.columns]
    ws.append([labels.header(n, lang) for n in names])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    kinds = [
        OUTPUT_COLUMNS[n].kind if n in OUTPUT_COLUMNS else _guess(frame[n], default_kind)
        for n in names
    ]
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v, kinds[i], lang) for i, v in enumerate(row)])
    widths = [width(labels.header(n, lang)) for n in names]
    for j, kind in enumerate(kinds, start=1):
        fmt = NUMBER_FORMATS.get(kind)
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            if fmt is not None and isinstance(cell.value, int | float):
                cell.number_format = fmt
            text = _shown(cell.value, kind)
            widths[j - 1] = max(widths[j - 1], width(text))
            if width(text) > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, w + 2)
    ws.freeze_panes = "A2"
    if names:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}{max(1, ws.max_row)}"


def _guess(series: pd.Series, default: str | None) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if default is not None and pd.api.types.is_numeric_dtype(series):
        return default
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "text"


def _cell(value: Any, kind: str, lang: str) -> Any:
    """A cell value openpyxl stores as a number, text or empty — never a repr."""
    from shanchuan import labels
    from shanchuan.outputs.summary import plain

    value = plain(value)
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return labels.text("yes" if value else "no", lang)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None if math.isnan(value) else str(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if kind != "share" else f"{value:.1%}"
    return str(value)


def emit(outcome: Any, stream: IO[bytes], options: OutputOptions) -> None:
    """Write the workbook of ``outcome`` to the binary ``stream``."""
    from shanchuan.labels import language_of

    build(outcome, language_of(outcome, options.lang)).save(stream)


def members(outcome: Any, options: OutputOptions) -> Mapping[str, bytes]:
    """``results.xlsx``."""
    buf = io.BytesIO()
    emit(outcome, buf, options)
    return {WORKBOOK: buf.getvalue()}


def headers_of(frame: pd.DataFrame, lang: str) -> Sequence[str]:
    """The headers a sheet shows for ``frame`` (for tests and the report)."""
    from shanchuan import labels

    return [labels.header(str(c), lang) for c in frame.columns]


FORMAT = Format(
    name="workbook",
    description=f"{WORKBOOK}, a planner's workbook in the run's language "
    "(pip install 'shanchuan[excel]')",
    emit=emit,
    stdout=False,
    members=members,
    in_archive=WORKBOOK,
    binary=True,
    opt_in="--excel",
    available=lambda: excel_available(),  # looked up on call, so tests can stand in for it
    missing="the optional xlsx writer: pip install 'shanchuan[excel]' "
    "(the CSV tables in --out open in Excel without it)",
)
