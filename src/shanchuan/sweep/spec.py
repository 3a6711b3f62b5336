"""What a sweep varies: grid axes, random draws, data noise — parsed once, checked all at once.

A sweep is a list of variants (:class:`Variant`). Each variant is a tuple of ``--set`` items
(the same machinery as the CLI's ``--set``, applied after the base scenario's own) plus,
optionally, a multiplicative noise on data columns drawn from a seed of its own. A variant's
key is the SHA-256 of what makes its result: the engine, the variant scenario's effective
settings hash (:meth:`shanchuan.scenario.Scenario.settings_hash`), the noise and its seed — so
the same variant in another run of the sweep (or on another executor) has the same key, and a
resumed sweep recognises what it already solved.

Distribution specs for ``--samples N --dist``::

    KEY=uniform(A,B)      # continuous, A <= x <= B
    KEY=loguniform(A,B)   # log-uniform, 0 < A <= B
    KEY=normal(MU,SD)     # Gaussian
    KEY=int(A,B)          # integer, A <= x <= B
    KEY=choice(V1,V2,…)   # one of the values (TOML values, as on --grid)
    GROUP=dirichlet(ALPHA)  # every numeric key of GROUP (e.g. matching.weights) from one
                            # Dirichlet(ALPHA, …, ALPHA) draw: weights that sum to 1
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shanchuan.errors import InputError, Problem
from solverkit.text import did_you_mean

#: Grids above this many variants need ``--yes`` (``max_variants=`` in the Python API).
MAX_VARIANTS = 500

#: The numeric indicator columns of the counties table that ``--perturb`` may jitter.
PERTURBABLE = {
    "counties": (
        "gdp_2019_yi",
        "revenue_2019_yi",
        "urban_income_2019_yuan",
        "rural_income_2019_yuan",
        "population_wan",
        "area_km2",
    ),
    # Probabilities: drop each willingness entry / shuffle each county's list.
    "willingness": ("drop", "shuffle"),
}

_DIST = re.compile(r"^\s*(uniform|loguniform|normal|int|choice|dirichlet)\s*\((.*)\)\s*$")


@dataclass(frozen=True)
class Variant:
    """One point of the sweep: ``--set`` items, data noise and the seed of that noise."""

    sets: tuple[str, ...]
    """``KEY=VALUE`` items applied after the base scenario's."""
    values: Mapping[str, Any]
    """The swept keys and this variant's value of each (the columns of the index)."""
    perturb: tuple[tuple[str, float], ...] = ()
    """``(table.column, relative spread)`` pairs, sorted."""
    replicate: int = 0
    """Which draw this is, for variants that differ only by their noise."""
    seed: int = 0
    """The sweep's seed; with the key, it seeds this variant's noise."""


@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep: the variants in order and what was swept."""

    variants: tuple[Variant, ...]
    keys: tuple[str, ...]
    """The swept scenario keys, in the order given."""
    perturb: tuple[tuple[str, float], ...] = ()
    seed: int = 0
    mode: str = "grid"
    extra: Mapping[str, Any] = field(default_factory=dict)


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()  # a bare word is a string, as on --set


def _split_values(text: str) -> list[str]:
    """``1,2,[3,4],"a,b"`` -> items, commas inside brackets or quotes kept."""
    out, depth, quote, cur = [], 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        cur += ch
    out.append(cur)
    return [v.strip() for v in out if v.strip()]


def _as_set(key: str, value: Any) -> str:
    """A ``--set`` item whose TOML value reads back as ``value``."""
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    if isinstance(value, float) and math.isinf(value):
        return f"{key}={'inf' if value > 0 else '-inf'}"
    if isinstance(value, int | float):
        return f"{key}={value!r}"
    return f"{key}={json.dumps(value, ensure_ascii=False)}"


def _check_key(key: str, known: Mapping[str, Any], flag: str, problems: list[Problem]) -> bool:
    if key in known:
        return True
    problems.append(
        Problem(
            file=flag,
            column=key,
            label="key",
            message="unknown scenario key" + did_you_mean(key, known),
            expected="a key listed by `shanchuan keys`",
        )
    )
    return False


def parse_grid(items: Sequence[str], known: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``KEY=V1,V2,…`` items -> key -> values; every problem of every item at once."""
    problems: list[Problem] = []
    axes: dict[str, list[Any]] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or not text.strip():
            problems.append(
                Problem(
                    file="--grid",
                    message="expected KEY=V1,V2,…",
                    value=item,
                    expected="e.g. matching.weights.distance=0.1,0.2,0.3",
                )
            )
            continue
        if not _check_key(key, known, "--grid", problems):
            continue
        if key in axes:
            problems.append(Problem(file="--grid", column=key, message="given twice; give it once"))
            continue
        axes[key] = [_toml_value(v) for v in _split_values(text)]
    InputError.collect(problems)
    return axes


def parse_perturb(items: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """``table.column=SPREAD`` items (0 < SPREAD < 1) -> sorted pairs."""
    problems: list[Problem] = []
    out: dict[str, float] = {}
    choices = [f"{t}.{c}" for t, cols in PERTURBABLE.items() for c in cols]
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if key not in choices:
            problems.append(
                Problem(
                    file="--perturb",
                    column=key or item,
                    message="not a column that can be perturbed" + did_you_mean(key, choices),
                    expected="one of: " + ", ".join(choices),
                )
            )
            continue
        try:
            spread = float(text)
        except ValueError:
            spread = float("nan")
        top_ok = key.startswith("willingness.") and spread == 1
        if not sep or not (0 < spread < 1 or top_ok):
            problems.append(
                Problem(
                    file="--perturb",
                    column=key,
                    message="spread must be a number in (0, 1)",
                    value=text,
                    expected="e.g. 0.15 for ±15 %",
                )
            )
            continue
        out[key] = spread
    InputError.collect(problems)
    return tuple(sorted(out.items()))


@dataclass(frozen=True)
class Dist:
    """One ``--dist`` item, parsed."""

    key: str
    kind: str
    args: tuple[Any, ...]
    group_keys: tuple[str, ...] = ()


def parse_dists(items: Sequence[str], known: Mapping[str, Any], groups: set[str]) -> list[Dist]:
    """``KEY=KIND(ARGS)`` items (see the module doc); every problem at once."""
    problems: list[Problem] = []
    out: list[Dist] = []
    for item in items:
        key, _, text = item.partition("=")
        key = key.strip()
        m = _DIST.match(text)
        if m is None:
            problems.append(
                Problem(
                    file="--dist",
                    column=key or item,
                    message="not a distribution",
                    value=text,
                    expected="uniform(A,B), loguniform(A,B), normal(MU,SD), "
                    "int(A,B), choice(V1,…) or, on a group, dirichlet(ALPHA)",
                )
            )
            continue
        kind = m.group(1)
        args = tuple(_toml_value(v) for v in _split_values(m.group(2)))
        if kind == "dirichlet":
            if key not in groups:
                problems.append(
                    Problem(
                        file="--dist",
                        column=key,
                        label="key",
                        message="dirichlet() draws a whole group of keys; not a group"
                        + did_you_mean(key, sorted(groups)),
                        expected="e.g. matching.weights",
                    )
                )
                continue
            members = tuple(
                k
                for k, info in known.items()
                if k.startswith(key + ".")
                and k.count(".") == key.count(".") + 1
                and isinstance(getattr(info, "default", None), int | float)
                and not isinstance(getattr(info, "default", None), bool)
            )
            if len(args) != 1 or not _positive(args[0]) or not members:
                problems.append(
                    Problem(
                        file="--dist",
                        column=key,
                        message="dirichlet takes one positive concentration",
                        value=text,
                    )
                )
                continue
            out.append(Dist(key, kind, args, members))
            continue
        if not _check_key(key, known, "--dist", problems):
            continue
        need = None if kind == "choice" else 2
        numeric = all(isinstance(a, int | float) and not isinstance(a, bool) for a in args)
        bad = (need is not None and (len(args) != need or not numeric)) or not args
        if not bad and kind in ("uniform", "int", "loguniform") and args[0] > args[1]:
            bad = True
        if not bad and kind == "loguniform" and args[0] <= 0:
            bad = True
        if not bad and kind == "normal" and args[1] < 0:
            bad = True
        if bad:
            problems.append(
                Problem(file="--dist", column=key, message=f"bad {kind}() arguments", value=text)
            )
            continue
        out.append(Dist(key, kind, args))
    InputError.collect(problems)
    return out


def _positive(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v > 0


def _draw(dist: Dist, rng: np.random.Generator) -> dict[str, Any]:
    a = dist.args
    if dist.kind == "uniform":
        return {dist.key: round(float(rng.uniform(a[0], a[1])), 6)}
    if dist.kind == "loguniform":
        return {dist.key: round(float(np.exp(rng.uniform(np.log(a[0]), np.log(a[1])))), 6)}
    if dist.kind == "normal":
        return {dist.key: round(float(rng.normal(a[0], a[1])), 6)}
    if dist.kind == "int":
        return {dist.key: int(rng.integers(int(a[0]), int(a[1]) + 1))}
    if dist.kind == "choice":
        return {dist.key: a[int(rng.integers(len(a)))]}
    w = rng.dirichlet([float(a[0])] * len(dist.group_keys))
    return {k: round(float(x), 6) for k, x in zip(dist.group_keys, w, strict=True)}


def build(
    *,
    grid: Sequence[str] = (),
    samples: int = 0,
    dists: Sequence[str] = (),
    perturb: Sequence[str] = (),
    seed: int = 0,
    known: Mapping[str, Any],
    groups: set[str],
    max_variants: int = MAX_VARIANTS,
    yes: bool = False,
) -> SweepSpec:
    """The sweep's variants: the grid's product, or ``samples`` random draws (optionally noise).

    A grid and ``--dist`` do not mix (say which space you sweep). ``--perturb`` adds noise to
    every grid point, or makes ``samples`` noisy replicates of the base settings.
    """
    noise = parse_perturb(perturb)
    if grid and dists:
        raise InputError("give --grid or --samples/--dist, not both", file="sweep")
    if dists and samples <= 0:
        raise InputError("--dist draws --samples N variants; give --samples", file="sweep")
    if samples < 0:
        raise InputError(f"--samples must be positive, got {samples}", file="sweep")
    if grid and samples:
        raise InputError("--samples draws random variants; a --grid lists them", file="sweep")
    if not grid and not samples:
        raise InputError(
            "nothing to sweep: give --grid KEY=V1,V2,… or --samples N with --dist/--perturb",
            file="sweep",
        )
    if samples and not dists and not noise:
        raise InputError("--samples N needs --dist or --perturb to vary something", file="sweep")
    variants: list[Variant] = []
    if grid:
        axes = parse_grid(grid, known)
        count = math.prod(len(v) for v in axes.values())
        _check_count(count, max_variants, yes, "the grid")
        for combo in itertools.product(*axes.values()):
            values = dict(zip(axes, combo, strict=True))
            sets = tuple(_as_set(k, v) for k, v in values.items())
            variants.append(Variant(sets, values, noise, 0, seed))
        return SweepSpec(tuple(variants), tuple(axes), noise, seed, "grid")
    parsed = parse_dists(dists, known, groups)
    _check_count(samples, max_variants, yes, "--samples")
    rng = np.random.default_rng(seed)
    keys: list[str] = []
    for d in parsed:
        keys.extend(d.group_keys or (d.key,))
    for i in range(samples):
        drawn: dict[str, Any] = {}
        for d in parsed:
            drawn.update(_draw(d, rng))
        sets = tuple(_as_set(k, v) for k, v in drawn.items())
        variants.append(Variant(sets, drawn, noise, i if noise else 0, seed))
    return SweepSpec(tuple(variants), tuple(keys), noise, seed, "samples")


def _check_count(count: int, limit: int, yes: bool, what: str) -> None:
    if count > limit and not yes:
        raise InputError(
            f"{what} makes {count} variants, more than the {limit} a sweep runs unasked; "
            "give --yes to run them all (or a smaller grid)",
            file="sweep",
        )


def variant_key(engine: str, settings_hash: str, variant: Variant) -> str:
    """The key of a variant's result (see the module doc); 16 hex digits."""
    blob = json.dumps(
        {
            "engine": engine,
            "settings": settings_hash,
            "perturb": [list(p) for p in variant.perturb],
            "replicate": variant.replicate,
            "seed": variant.seed if variant.perturb else None,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def noise_seed(key: str) -> int:
    """The seed of a variant's data noise, from its key alone (same on every executor)."""
    return int(key, 16) & 0xFFFFFFFF


__all__ = [
    "MAX_VARIANTS",
    "PERTURBABLE",
    "SweepSpec",
    "Variant",
    "build",
    "noise_seed",
    "parse_dists",
    "parse_grid",
    "parse_perturb",
    "variant_key",
]
