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

_CSS = """
* { box-sizing: border-box; }
body { font-family: %(fonts)s; margin: 0; color: #222; background: #fafafa; }
header { background: #23415f; color: #fff; padding: 16px 28px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header .meta { font-size: 13px; opacity: .9; }
header .meta span { margin-right: 18px; white-space: nowrap; }
main { padding: 8px 28px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; margin: 16px 0;
  padding: 12px 18px; }
h2 { font-size: 18px; margin: 4px 0 10px; color: #23415f; }
.chart { width: 100%%; height: 400px; }
#map { width: 100%%; height: 640px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%%; font-size: 13px; }
th, td { border-bottom: 1px solid #eee; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; position: sticky; top: 0; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.note { font-size: 12px; color: #666; }
.legend span.sw { display: inline-block; width: 14px; height: 10px; margin: 0 4px 0 12px;
  vertical-align: middle; border: 1px solid #bbb; }
.legend .bar { display: inline-block; width: 120px; height: 10px; vertical-align: middle;
  margin: 0 4px; border: 1px solid #bbb; }
code { font-size: 12px; }
"""


def echarts_js() -> str:
    """The embedded ECharts build."""
    return (
        resources.files("shanchuan.htmlreport").joinpath("vendor", "echarts.min.js")
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
        "<tr>" + "".join(
            f'<td class="num">{_e(c)}</td>' if i in num else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _json_script(element_id: str, value: Any) -> str:
    # `<`, `>` and `&` escaped so no string in the data can close the script element.
    data = (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
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
        notes.append(t("map_alias") + " " + "；".join(m["aliased"]) if lang == "zh"
                     else t("map_alias") + " " + "; ".join(m["aliased"]))
    if m.get("unmatched"):
        notes.append(t("map_unmatched") + " " + ("、" if lang == "zh" else ", ").join(m["unmatched"]))
    if m.get("not_shown"):
        notes.append(t("map_not_shown") + " " + ("、" if lang == "zh" else ", ").join(m["not_shown"]))
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
        + "".join(f'<p class="note">{_e(n)}</p>' for n in notes) + "</section>"
    )
    ch = d["charts"]
    fund_charts = [k for k in ("by_year", "by_category", "by_recipient", "budget", "lorenz")
                   if k in ch or (k == "budget" and "by_year" in ch)]
    if fund_charts:
        divs = "".join(f'<div class="chart" id="chart-{k}"></div>' for k in fund_charts)
        out.append(f'<section id="sec-charts"><h2>{_e(t("sec_charts"))}</h2>'
                   f'<div class="grid2">{divs}</div></section>')
    an = [k for k in ("forcing", "robustness") if k in ch]
    if an:
        divs = "".join(
            f'<div class="chart" id="chart-{k}" style="height:{560 if k == "forcing" else 420}px">'
            "</div>" for k in an
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
            p["recipient"], p["supporter"],
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
    out.append(f'<section id="sec-pairs"><h2>{_e(t("sec_pairs"))}</h2>'
               f"{_table(header, rows, num)}</section>")

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
        body = [[u["title"] or u["id"], u["recipient"], u["category"], u["value"], u["why"]]
                for u in d["unfunded"]]
        out.append(
            f'<section id="sec-unfunded"><h2>{_e(t("sec_unfunded"))}</h2>'
            + _table([t("col_project"), t("col_recipient"), t("col_category"), t("col_value"),
                      t("col_left_out")], body, [3])
            + "</section>"
        )
    if d.get("diagnosis"):
        diag = d["diagnosis"]
        body_text = diag.get("text_zh" if lang == "zh" else "text") or diag.get("text") or ""
        out.append(f'<section id="sec-diagnosis"><h2>{_e(t("sec_diagnosis"))}</h2>'
                   f"<p>{_e(body_text)}</p></section>")

    asm = d["assumptions"]
    parts = []
    if asm["problem"]:
        parts.append(f'<p class="note">{_e(t("no_context"))} {_e(asm["problem"])}</p>')
    if asm["changed"]:
        parts.append(f'<p class="note">{_e(t("context_changed"))}</p>')
    if asm["files"]:
        parts.append(f"<p>{_e(t('quality_intro'))}</p>")
        parts.append(_table([t("col_file"), t("col_rows"), t("col_kind")],
                            [[f["name"], f["rows"], f["kinds"]] for f in asm["files"]], [1]))
    if asm["settings"]:
        intro = t("assumptions_intro") + (" " + t("assumption_doc") if lang == "zh" else "")
        parts.append(f"<p>{_e(intro)}</p>")
        parts.append(_table([t("col_key"), t("col_setting_value"), t("col_meaning")],
                            [[s["key"], s["value"], s["doc"]] for s in asm["settings"]]))
    out.append(f'<section id="sec-assumptions"><h2>{_e(t("sec_assumptions"))}</h2>'
               f'{"".join(parts)}</section>')
    out.append(f'<section id="sec-provenance"><h2>{_e(t("sec_provenance"))}</h2>'
               f'{_table([t("col_item"), t("col_detail")], d["provenance"])}</section>')
    lic = [t("licenses_text"), _license_notice().replace("\n", " ")]
    if m.get("attribution"):
        lic.append(m["attribution"])
    out.append(f'<section id="sec-licenses"><h2>{_e(t("sec_licenses"))}</h2>'
               + "".join(f'<p class="note">{_e(x)}</p>' for x in lic) + "</section>")
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
    page_data = {k: d[k] for k in ("lang", "map", "charts", "pairs")}
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="shanchuan {_e(_version())}">'
        # Nothing may leave the page: no fetch, image, font or frame from anywhere else.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">"
        f"<title>{_e(text('title', lang))} – {_e(h['scenario'])}</title>"
        f"<style>{_CSS % {'fonts': FONTS}}</style></head><body>"
        f"<header><h1>{_e(text('title', lang))}</h1><div class=\"meta\">{meta_html}</div></header>"
        f"<main><noscript><p>{_e(text('no_js', lang))}</p></noscript>{_sections(d, lang)}</main>"
        f"<script>/*! Apache ECharts, Apache License 2.0; see the licences section */\n"
        f"{echarts_js()}</script>"
        + _json_script("report-data", page_data)
        + _json_script("report-labels", table(lang))
        + f"<script>{_APP_JS % {'fonts': json.dumps(FONTS)}}</script></body></html>\n"
    )


_APP_JS = r"""
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var L = JSON.parse(document.getElementById('report-labels').textContent);
  var FONT = %(fonts)s;
  var charts = [];
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"]/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c];
    });
  }
  function fmt(x, d) {
    if (x == null || isNaN(x)) return '–';
    return Number(x).toLocaleString(D.lang === 'zh' ? 'zh-CN' : 'en-US',
      {minimumFractionDigits: d, maximumFractionDigits: d});
  }
  function make(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    var c = echarts.init(el, null, {renderer: 'svg', locale: D.lang === 'zh' ? 'ZH' : 'EN'});
    charts.push(c);
    return c;
  }
  var base = {textStyle: {fontFamily: FONT}, animation: false};
  function opt(o) { return Object.assign({}, base, o); }
  var CRIT = ['strength', 'industry', 'resource', 'distance', 'willingness', 'plan'];

  function pairTip(p) {
    var s = '<b>' + esc(p.recipient) + ' – ' + esc(p.supporter) + '</b>';
    if (p.score != null) s += '<br>' + esc(L.score) + ': ' + fmt(p.score, 3);
    if (p.distance_km != null) s += '<br>' + esc(L.distance_km) + ': ' + fmt(p.distance_km, 0);
    CRIT.forEach(function (c) {
      if (p.criteria && p.criteria[c] != null) s += '<br>' + esc(L['crit_' + c]) + ': ' + fmt(p.criteria[c], 2);
    });
    if (p.special_fund_wan != null) s += '<br>' + esc(L.special_fund) + ': ' + fmt(p.special_fund_wan, 0) + ' ' + esc(L.wan);
    if (p.reasons) s += '<div style="max-width:420px;white-space:normal">' + esc(L.reasons) + ': ' + esc(p.reasons) + '</div>';
    return s;
  }

  function drawMap() {
    var M = D.map, el = document.getElementById('map');
    if (!el) return;
    var chart = make('map');
    var geo = !!M.geojson;
    var cs = geo ? 'geo' : 'cartesian2d';
    var series = [];
    if (geo) {
      echarts.registerMap('province', M.geojson);
      series.push({type: 'lines', coordinateSystem: 'geo', polyline: true, silent: true, z: 3,
        data: M.borders.map(function (c) { return {coords: c}; }),
        lineStyle: {color: '#5a5a5a', width: 1.1, opacity: 0.9}});
      series.push({type: 'scatter', coordinateSystem: 'geo', silent: true, symbolSize: 0, z: 4,
        data: M.prefectures, label: {show: true, formatter: '{b}', color: '#555', fontSize: 13,
        fontWeight: 'bold', fontFamily: FONT, textBorderColor: '#fff', textBorderWidth: 2}});
    }
    series.push({type: 'lines', coordinateSystem: cs, z: 5,
      data: M.lines.map(function (l) {
        return {coords: l.coords, pair: l.pair, lineStyle: {color: l.colour}};
      }),
      lineStyle: {width: 2.4, opacity: 0.95, curveness: 0.15},
      emphasis: {lineStyle: {width: 4.5}},
      tooltip: {formatter: function (p) { return pairTip(p.data.pair); }}});
    series.push({type: 'scatter', coordinateSystem: cs, z: 6,
      data: M.seats.map(function (s) {
        return {name: s.name, value: s.value, role: s.role,
          symbol: s.role === 'recipient' ? 'circle' : 'diamond',
          itemStyle: {color: s.role === 'recipient' ? '#b3361b' : '#23415f'}};
      }),
      symbolSize: 7,
      label: {show: true, formatter: '{b}', fontSize: 10, fontFamily: FONT, position: 'right',
        color: '#222', textBorderColor: '#fff', textBorderWidth: 2},
      labelLayout: {hideOverlap: true},
      tooltip: {formatter: function (p) {
        return '<b>' + esc(p.name) + '</b><br>' + esc(L[p.data.role]);
      }}});
    var o = {tooltip: {trigger: 'item', confine: true}, series: series};
    if (geo) {
      o.geo = {map: 'province', roam: true, z: 1, aspectScale: 0.86,
        top: 8, bottom: 8, left: 8, right: 8,
        itemStyle: {areaColor: M.colours.other, borderColor: '#c8c8c8', borderWidth: 0.5},
        emphasis: {label: {show: false}, itemStyle: {areaColor: '#ffe9a8'}},
        select: {disabled: true},
        label: {show: false},
        tooltip: {show: true, formatter: function (p) {
          var r = M.regions[p.name];
          var s = '<b>' + esc(p.name) + '</b>';
          if (M.county_prefecture[p.name]) s += '<br>' + esc(L.prefecture) + ': ' + esc(M.county_prefecture[p.name]);
          if (!r) return s;
          if (r.county !== p.name) s += '<br>' + esc(r.county);
          s += '<br>' + esc(L[r.role]) + ' · ' + esc(L.partner) + ': ' + esc(r.partner);
          if (r.per_head != null) s += '<br>' + esc(L.funds_per_head) + ': ' + fmt(r.per_head, 1);
          if (r.fund != null) s += '<br>' + esc(L.special_fund) + ': ' + fmt(r.fund, 0) + ' ' + esc(L.wan);
          return s;
        }},
        regions: Object.keys(M.regions).map(function (n) {
          return {name: n, itemStyle: {areaColor: M.regions[n].colour}};
        })};
    } else {
      var xs = M.seats.map(function (s) { return s.value[0]; });
      var ys = M.seats.map(function (s) { return s.value[1]; });
      o.xAxis = {type: 'value', scale: true, min: Math.floor(Math.min.apply(null, xs) - 0.3),
        max: Math.ceil(Math.max.apply(null, xs) + 0.3), name: 'lon'};
      o.yAxis = {type: 'value', scale: true, min: Math.floor(Math.min.apply(null, ys) - 0.3),
        max: Math.ceil(Math.max.apply(null, ys) + 0.3), name: 'lat'};
    }
    chart.setOption(opt(o));
  }

  function stackedBars(id, title, cats, series, horizontal) {
    var c = make(id);
    if (!c) return;
    var cat = {type: 'category', data: cats, axisLabel: {fontFamily: FONT, interval: 0,
      rotate: horizontal ? 0 : (cats.length > 8 ? 45 : 0)}};
    var val = {type: 'value', name: L.wan};
    c.setOption(opt({
      title: {text: title, textStyle: {fontSize: 14, fontFamily: FONT}},
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
      legend: {bottom: 0, textStyle: {fontFamily: FONT, fontSize: 11}, itemWidth: 14, itemHeight: 9},
      grid: {top: 50, left: horizontal ? 90 : 60, right: 20,
        bottom: (horizontal ? 40 : (cats.length > 8 ? 100 : 60)) + (series.length > 4 ? 40 : 0)},
      xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
      series: series.map(function (s) {
        return {name: s.name, type: 'bar', stack: 'all', data: s.data, emphasis: {focus: 'series'}};
      })
    }));
  }

  function drawCharts() {
    var C = D.charts;
    if (C.by_year) {
      stackedBars('chart-by_year', L.chart_by_year, C.by_year.years,
        [{name: L.special_fund, data: C.by_year.special}, {name: L.supporter_aid, data: C.by_year.aid}]);
      var b = make('chart-budget');
      if (b) b.setOption(opt({
        title: {text: L.chart_budget, textStyle: {fontSize: 14, fontFamily: FONT}},
        tooltip: {trigger: 'axis'},
        legend: {bottom: 0, textStyle: {fontFamily: FONT}},
        grid: {top: 50, left: 60, right: 60, bottom: 60},
        xAxis: {type: 'category', data: C.by_year.years},
        yAxis: [{type: 'value', name: L.wan}, {type: 'value', name: L.budget_use, max: 1,
          axisLabel: {formatter: function (v) { return Math.round(v * 100) + '%%'; }}}],
        series: [
          {name: L.budget, type: 'bar', data: C.by_year.budget, itemStyle: {color: '#c9d6e8'}},
          {name: L.special_fund, type: 'bar', data: C.by_year.special, itemStyle: {color: '#4f7cc3'}},
          {name: L.budget_use, type: 'line', yAxisIndex: 1, data: C.by_year.use,
            label: {show: true, formatter: function (p) { return fmt(100 * p.value, 1) + '%%'; }}}
        ]
      }));
    }
    if (C.by_category) stackedBars('chart-by_category', L.chart_by_category, C.by_category.years, C.by_category.series);
    if (C.by_recipient) stackedBars('chart-by_recipient', L.chart_by_recipient, C.by_recipient.recipients,
      [{name: L.special_fund, data: C.by_recipient.special}, {name: L.supporter_aid, data: C.by_recipient.aid}]);
    if (C.lorenz) {
      var lz = make('chart-lorenz');
      lz.setOption(opt({
        title: {text: L.chart_lorenz, subtext: C.lorenz.gini != null ? L.gini + ' ' + fmt(C.lorenz.gini, 3) : '',
          textStyle: {fontSize: 14, fontFamily: FONT}},
        tooltip: {trigger: 'item', formatter: function (p) {
          var n = C.lorenz.names[p.dataIndex] || '';
          return esc(n) + '<br>' + fmt(100 * p.value[0], 1) + '%%, ' + fmt(100 * p.value[1], 1) + '%%';
        }},
        legend: {bottom: 0, textStyle: {fontFamily: FONT}},
        grid: {top: 60, left: 60, right: 20, bottom: 70},
        xAxis: {type: 'value', min: 0, max: 1, name: L.lorenz_x, nameLocation: 'middle', nameGap: 28},
        yAxis: {type: 'value', min: 0, max: 1, name: L.lorenz_y},
        series: [
          {name: L.equality, type: 'line', data: [[0, 0], [1, 1]], symbol: 'none',
            lineStyle: {type: 'dashed', color: '#999'}},
          {name: L.chart_lorenz.split(/[:：]/)[0], type: 'line', data: C.lorenz.points, areaStyle: {opacity: 0.15},
            itemStyle: {color: '#b3361b'}}
        ]
      }));
    }
    if (C.forcing) {
      var F = C.forcing, f = make('chart-forcing');
      var vals = F.cells.map(function (c) { return c[2]; }).filter(function (v) { return v != null; });
      f.setOption(opt({
        title: {text: L.chart_forcing, textStyle: {fontSize: 14, fontFamily: FONT}},
        tooltip: {formatter: function (p) {
          var c = p.data;
          return esc(F.recipients[c[1]]) + ' – ' + esc(F.supporters[c[0]]) + '<br>' + esc(L.loss) + ': ' +
            (c[2] == null ? '–' : fmt(c[2], 4)) + (c[3] ? '<br>' + esc(L.chosen) : '');
        }},
        grid: {top: 40, left: 80, right: 30, bottom: 130},
        xAxis: {type: 'category', data: F.supporters, axisLabel: {rotate: 60, interval: 0, fontSize: 10, fontFamily: FONT}},
        yAxis: {type: 'category', data: F.recipients, axisLabel: {interval: 0, fontSize: 10, fontFamily: FONT}},
        visualMap: {dimension: 2, min: 0, max: vals.length ? Math.max.apply(null, vals) : 1, calculable: true,
          orient: 'horizontal', left: 'center', bottom: 0, text: [L.high, L.low],
          inRange: {color: ['#f7fbff', '#6baed6', '#08306b']}},
        series: [{type: 'heatmap', data: F.cells.map(function (c) {
          return {value: [c[0], c[1], c[2] == null ? '-' : c[2], c[3] ? 1 : 0], itemStyle: c[3] ? {borderColor: '#d62728', borderWidth: 2} : {}};
        })}]
      }));
    }
    if (C.robustness) {
      var R = C.robustness, r = make('chart-robustness');
      r.setOption(opt({
        title: {text: L.chart_robustness, subtext: L.samples + ' ' + R.samples + ' · ' + L.reproduced + ' ' +
          fmt(100 * R.reproduced, 0) + '%%', textStyle: {fontSize: 14, fontFamily: FONT}},
        tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
        grid: {top: 60, left: 60, right: 20, bottom: 110},
        xAxis: {type: 'category', data: R.pairs, axisLabel: {rotate: 55, interval: 0, fontSize: 10, fontFamily: FONT}},
        yAxis: {type: 'value', min: 0, max: 1, name: L.frequency},
        series: [{type: 'bar', data: R.frequency, itemStyle: {color: '#1b7f3b'}}]
      }));
    }
  }
  drawMap();
  drawCharts();
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-charts', String(charts.length));
})();
"""


__all__ = ["echarts_js", "render"]
