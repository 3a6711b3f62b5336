"""The report as one self-contained HTML file: styles, ECharts, data and the drawing script inline.

Nothing on the page is fetched: the ECharts library (``vendor/echarts.min.js``, Apache-2.0,
its licence notice kept in the page), the county shapes and every number are embedded; the
fonts are the reader's system fonts (a CJK stack that Chinese Windows, macOS and Linux with
Noto CJK all have). The tables are plain HTML, so the words are readable without JavaScript.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from shanchuan.htmlreport.labels import table, text

FONTS = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", '
    '"PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif'
)


def _static(name: str) -> str:
    """The page's own script or style sheet (``static/``), read from the package."""
    return (
        resources.files("shanchuan.htmlreport").joinpath("static", name).read_text(encoding="utf-8")
    )


def echarts_js() -> str:
    """The embedded ECharts build."""
    return (
        resources.files("shanchuan.htmlreport")
        .joinpath("vendor", "echarts.min.js")
        .read_text(encoding="utf-8")
    )


def _license_notice() -> str:
    notice = resources.files("shanchuan.htmlreport").joinpath("vendor", "NOTICE")
    return notice.read_text(encoding="utf-8").strip()


def _version() -> str:
    from shanchuan import __version__

    return __version__


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], num: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(c)}</td>' if i in num else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _json_script(element_id: str, value: Any) -> str:
    # `<`, `>` and `&` escaped so no string in the data can close the script element.
    data = (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return f'<script type="application/json" id="{element_id}">{data}</script>'


def _sections(d: Mapping[str, Any], lang: str) -> str:
    t = lambda key: text(key, lang)  # noqa: E731
    out = []
    m = d["map"]
    notes = []
    if "geojson" not in m:
        notes.append(t("map_fallback"))
    if m.get("aliased"):
        notes.append(
            t("map_alias") + " " + "；".join(m["aliased"])
            if lang == "zh"
            else t("map_alias") + " " + "; ".join(m["aliased"])
        )
    if m.get("unmatched"):
        notes.append(
            t("map_unmatched") + " " + ("、" if lang == "zh" else ", ").join(m["unmatched"])
        )
    if m.get("not_shown"):
        notes.append(
            t("map_not_shown") + " " + ("、" if lang == "zh" else ", ").join(m["not_shown"])
        )
    if m.get("attribution"):
        notes.append(f"{t('map_boundaries')}: {m['attribution']}")
    c = m["colours"]
    legend = [
        f'<span class="sw" style="background:{c["recipient"]}"></span>{_e(t("recipient"))}',
        f'<span class="sw" style="background:{c["supporter"]}"></span>{_e(t("supporter"))}',
        f'<span class="sw" style="background:{c["other"]}"></span>{_e(t("other_county"))}',
    ]
    if m.get("score_range"):
        lo, hi = m["score_range"]
        legend.append(
            f'&nbsp;&nbsp;{_e(t("map_legend_score"))}: {lo:.2f}<span class="bar" style="background:'
            f'linear-gradient(90deg,{",".join(c["score"])})"></span>{hi:.2f}'
        )
    if m.get("fund_range"):
        lo, hi = m["fund_range"]
        legend.append(
            f'&nbsp;&nbsp;{_e(t("map_legend_fund"))}: {lo:.0f}<span class="bar" style="background:'
            f'linear-gradient(90deg,{c["fund"][0]},{c["fund"][1]})"></span>{hi:.0f}'
        )
    out.append(
        f'<section id="sec-map"><h2>{_e(t("sec_map"))}</h2>'
        f'<div class="legend note">{"".join(legend)}</div><div id="map"></div>'
        + "".join(f'<p class="note">{_e(n)}</p>' for n in notes)
        + "</section>"
    )
    ch = d["charts"]
    fund_charts = [
        k
        for k in ("by_year", "by_category", "by_recipient", "budget", "lorenz")
        if k in ch or (k == "budget" and "by_year" in ch)
    ]
    if fund_charts:
        divs = "".join(f'<div class="chart" id="chart-{k}"></div>' for k in fund_charts)
        out.append(
            f'<section id="sec-charts"><h2>{_e(t("sec_charts"))}</h2>'
            f'<div class="grid2">{divs}</div></section>'
        )
    an = [k for k in ("forcing", "robustness") if k in ch]
    if an:
        divs = "".join(
            f'<div class="chart" id="chart-{k}" style="height:{560 if k == "forcing" else 420}px">'
            "</div>"
            for k in an
        )
        out.append(f'<section id="sec-analyses"><h2>{_e(t("sec_analyses"))}</h2>{divs}</section>')

    pairs = d["pairs"]
    header = [t("col_recipient"), t("col_supporter"), t("col_score"), t("col_distance")]
    alloc = d["has_allocation"]
    if alloc:
        header += [t("col_special"), t("col_aid"), t("col_projects")]
    header.append(t("col_reasons"))
    rows = []
    for p in pairs:
        row: list[object] = [
            p["recipient"],
            p["supporter"],
            "–" if p.get("score") is None else f"{p['score']:.3f}",
            "–" if p.get("distance_km") is None else f"{p['distance_km']:.0f}",
        ]
        if alloc:
            row += [
                "–" if p.get("special_fund_wan") is None else f"{p['special_fund_wan']:,.0f}",
                "–" if p.get("supporter_aid_wan") is None else f"{p['supporter_aid_wan']:,.0f}",
                p.get("projects") if p.get("projects") is not None else "–",
            ]
        row.append(p.get("reasons") or "")
        rows.append(row)
    num = [2, 3, 4, 5, 6] if alloc else [2, 3]
    out.append(
        f'<section id="sec-pairs"><h2>{_e(t("sec_pairs"))}</h2>'
        f"{_table(header, rows, num)}</section>"
    )

    if d.get("rules") is not None:
        rules = d["rules"]
        if rules:
            hdr = [t("col_rule")] + ([t("col_change")] if lang == "en" else []) + [t("col_gain")]
            body = [[r["rule"], *([r["change"]] if lang == "en" else []), r["text"]] for r in rules]
            inner = _table(hdr, body)
        else:
            inner = f'<p class="note">{_e(t("no_rule_costs"))}</p>'
        out.append(f'<section id="sec-rules"><h2>{_e(t("sec_rules"))}</h2>{inner}</section>')
    if d.get("shortfalls"):
        body = [[s["pair"], s["year"], s["floor"], s["shortfall"]] for s in d["shortfalls"]]
        out.append(
            f'<section id="sec-shortfalls"><h2>{_e(t("sec_shortfalls"))}</h2>'
            + _table([t("pair"), t("col_year"), t("col_floor"), t("col_shortfall")], body, [2, 3])
            + "</section>"
        )
    if d.get("unfunded"):
        body = [
            [u["title"] or u["id"], u["recipient"], u["category"], u["value"], u["why"]]
            for u in d["unfunded"]
        ]
        out.append(
            f'<section id="sec-unfunded"><h2>{_e(t("sec_unfunded"))}</h2>'
            + _table(
                [
                    t("col_project"),
                    t("col_recipient"),
                    t("col_category"),
                    t("col_value"),
                    t("col_left_out"),
                ],
                body,
                [3],
            )
            + "</section>"
        )
    if d.get("diagnosis"):
        diag = d["diagnosis"]
        paras = [f"<p>{_e(x)}</p>" for x in diag["text"]]
        for key, items in (
            ("diag_conflict", diag["conflict"]),
            ("diag_relax", diag["relaxations"]),
        ):
            if items:
                lis = "".join(f"<li>{_e(x)}</li>" for x in items)
                paras.append(f"<p>{_e(t(key))}</p><ul>{lis}</ul>")
        title = _e(t("sec_diagnosis"))
        out.append(f'<section id="sec-diagnosis"><h2>{title}</h2>{"".join(paras)}</section>')

    asm = d["assumptions"]
    parts = []
    if asm["problem"]:
        parts.append(f'<p class="note">{_e(t("no_context"))} {_e(asm["problem"])}</p>')
    if asm["changed"]:
        parts.append(f'<p class="note">{_e(t("context_changed"))}</p>')
    if asm["files"]:
        parts.append(f"<p>{_e(t('quality_intro'))}</p>")
        parts.append(
            _table(
                [t("col_file"), t("col_rows"), t("col_kind")],
                [[f["name"], f["rows"], f["kinds"]] for f in asm["files"]],
                [1],
            )
        )
    if asm["settings"]:
        intro = t("assumptions_intro") + (" " + t("assumption_doc") if lang == "zh" else "")
        parts.append(f"<p>{_e(intro)}</p>")
        parts.append(
            _table(
                [t("col_key"), t("col_setting_value"), t("col_meaning")],
                [[s["key"], s["value"], s["doc"]] for s in asm["settings"]],
            )
        )
    out.append(
        f'<section id="sec-assumptions"><h2>{_e(t("sec_assumptions"))}</h2>'
        f"{''.join(parts)}</section>"
    )
    out.append(
        f'<section id="sec-provenance"><h2>{_e(t("sec_provenance"))}</h2>'
        f"{_table([t('col_item'), t('col_detail')], d['provenance'])}</section>"
    )
    lic = [t("licenses_text"), _license_notice().replace("\n", " ")]
    if m.get("attribution"):
        lic.append(m["attribution"])
    out.append(
        f'<section id="sec-licenses"><h2>{_e(t("sec_licenses"))}</h2>'
        + "".join(f'<p class="note">{_e(x)}</p>' for x in lic)
        + "</section>"
    )
    return "".join(out)


def render(d: Mapping[str, Any]) -> str:
    """The whole HTML document for assembled report data ``d`` (:func:`.assemble.assemble`)."""
    lang = d["lang"]
    h = d["head"]
    meta = [
        (text("scenario", lang), h["scenario"]),
        (text("status", lang), h["status_text"]),
    ]
    if h.get("objective_matching"):
        meta.append((text("objective_pairing", lang), h["objective_matching"]))
    if h.get("objective_allocation"):
        meta.append((text("objective_fund", lang), h["objective_allocation"]))
    if h.get("gap"):
        meta.append((text("gap", lang), h["gap"]))
    meta.append((text("hash", lang), h["hash"]))
    meta_html = "".join(f"<span>{_e(k)}: {_e(v)}</span>" for k, v in meta)
    page_data = {k: d[k] for k in ("lang", "map", "charts", "pairs")} | {"fonts": FONTS}
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="shanchuan {_e(_version())}">'
        # Nothing may leave the page: no fetch, image, font or frame from anywhere else.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">"
        f"<title>{_e(text('title', lang))} – {_e(h['scenario'])}</title>"
        f"<style>:root {{ --fonts: {FONTS}; }}\n{_static('page.css')}</style></head><body>"
        f'<header><h1>{_e(text("title", lang))}</h1><div class="meta">{meta_html}</div></header>'
        f"<main><noscript><p>{_e(text('no_js', lang))}</p></noscript>{_sections(d, lang)}</main>"
        f"<script>/*! Apache ECharts, Apache License 2.0; see the licences section */\n"
        f"{echarts_js()}</script>"
        + _json_script("report-data", page_data)
        + _json_script("report-labels", table(lang))
        + f"<script>{_static('app.js')}</script></body></html>\n"
    )


__all__ = ["echarts_js", "render"]
