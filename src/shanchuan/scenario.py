"""Scenario files: inheritance, named override sets, ``--set`` and one precedence order.

A scenario is a TOML file (read with :mod:`tomllib`), or a JSON file with the same structure
(for tools that speak JSON). Its effective settings are assembled in
this order, each step overriding the ones before it:

1. the defaults declared by the engines' option classes;
2. the ``extends`` chain, root ancestor first, each descendant overriding its parent;
3. the named override sets selected with ``--scenario NAME``, in the order given — two selected
   sets that set the same key are an error (say which one you mean with ``--set``);
4. ``--set dotted.key=value`` from the command line, last; the same key twice is an error.

Every change made by steps 2–4 is logged as ``key: old -> new (source)`` and stored with the
results. Relative paths under ``[data]`` are resolved against the file that names them (against
the working directory for ``--set``). Unknown keys are rejected with a "did you mean".
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from allocation.options import AllocationSettings
from matching.options import MatchSettings
from shanchuan import config
from shanchuan.errors import Problem, ScenarioError

DEFAULT_SCENARIO = "hubei-2021"


def _key_problem(**kwargs: Any) -> Problem:
    """A :class:`~shanchuan.errors.Problem` whose ``column`` is a scenario key."""
    return Problem(label="key", **kwargs)


SCENARIO_FILE = "scenario.toml"


@dataclass(frozen=True)
class ScenarioInfo:
    """The ``[scenario]`` table."""

    name: str = field(default="", metadata={"doc": "Short name of the scenario."})
    description: str = field(default="", metadata={"doc": "What the scenario is for."})
    extends: str = field(
        default="",
        metadata={
            "doc": "Parent scenario: a built-in name (e.g. 'hubei-2021') or a path relative "
            "to this file. This file's keys override the parent's."
        },
    )


@dataclass(frozen=True)
class DataFiles:
    """The ``[data]`` table: the input files. Empty string = not given."""

    counties: str = field(
        default="", metadata={"doc": "County table (counties schema).", "path": True}
    )
    sectors: str = field(default="", metadata={"doc": "Industry sector taxonomy.", "path": True})
    sector_links: str = field(
        default="", metadata={"doc": "Upstream/complement links between sectors.", "path": True}
    )
    regions: str = field(
        default="",
        metadata={"doc": "Prefecture → city cluster of the regional strategy.", "path": True},
    )
    willingness: str = field(
        default="", metadata={"doc": "Ranked acceptable partners (optional).", "path": True}
    )
    distances: str = field(
        default="",
        metadata={
            "doc": "Distance or travel-time matrix overriding geodesic km (optional).",
            "path": True,
        },
    )
    distance_unit: str = field(
        default="km", metadata={"doc": "Unit of the distances file: 'km' or 'minutes'."}
    )
    incumbent: str = field(
        default="",
        metadata={"doc": "Pairing in force, for continuity rules (optional).", "path": True},
    )
    projects: str = field(
        default="", metadata={"doc": "Candidate special-fund projects.", "path": True}
    )
    pairs: str = field(
        default="",
        metadata={
            "doc": "Fixed pairs for allocation; when given, `run` allocates on these instead of "
            "the suggested pairing (optional).",
            "path": True,
        },
    )
    executed: str = field(
        default="",
        metadata={
            "doc": "Executed funding of earlier years, for a rolling re-plan (optional).",
            "path": True,
        },
    )

    def __post_init__(self) -> None:
        if self.distance_unit not in ("km", "minutes"):
            raise ValueError(f"distance_unit must be 'km' or 'minutes', got {self.distance_unit!r}")


@dataclass(frozen=True)
class ScenarioSettings:
    """The whole settings tree of a scenario file (minus ``[overrides]``)."""

    scenario: ScenarioInfo = field(default_factory=ScenarioInfo)
    data: DataFiles = field(default_factory=DataFiles)
    matching: MatchSettings = field(default_factory=MatchSettings)
    allocation: AllocationSettings = field(default_factory=AllocationSettings)


KNOWN = config.leaf_keys(ScenarioSettings)
GROUPS = config.group_keys(ScenarioSettings)
PATH_KEYS = {k for k in KNOWN if k.startswith("data.") and k != "data.distance_unit"}
#: Names of the data files (keys of ``[data]`` that hold paths), in declaration order.
DATA_FILE_KEYS = tuple(k.split(".", 1)[1] for k in KNOWN if k in PATH_KEYS)


def _solver_names(*, empty_ok: bool) -> config.Domain:
    from solverkit.registry import REGISTRY

    names = tuple(REGISTRY)
    d = config.one_of(*names, fold=True)
    # Registered, not available here: a missing solver is refused when the stage needs it,
    # with what is installed (a scenario may name one only another machine has).
    return config.Domain(
        d.expected + (", or empty for the main solver" if empty_ok else ""),
        lambda v: (empty_ok and v == "") or d(v),
        message="unknown solver {value!r}",
    )


def _languages() -> config.Domain:
    # LANGUAGES lives with the reason texts (matching.explain, which loads pandas): read the
    # names when a value is checked, so `shanchuan keys` stays light.
    def test(v: object) -> bool:
        from matching.explain import LANGUAGES

        return v in LANGUAGES

    return config.Domain("one of 'zh', 'en'", test)


def _indicator_weight() -> config.Domain:
    from matching.indicators import STRENGTH_INDICATORS

    weight = config.interval(0)
    return config.Domain(
        f"[indicator, weight] pairs: indicator one of {', '.join(STRENGTH_INDICATORS)}; "
        f"weight {weight.expected}",
        lambda v: all(name in STRENGTH_INDICATORS and weight(w) for name, w in v),
    )


def _year_budget() -> config.Domain:
    year, amount = _YEAR, config.interval(0)
    return config.Domain(
        f"[year, 万元] pairs: year {year.expected}; 万元 {amount.expected}",
        lambda v: all(year(y) and amount(a) for y, a in v),
    )


_I = config.interval
_SHARE = _I(0, 1, note="a share")
_WEIGHT = _I(0)
_COUNT = _I(0, integer=True)
_YEAR = _I(1900, 2200, integer=True)
_TEXT = config.any_text()
_PATH = config.path()
_TIME_LIMIT = _I(0, lo_open=True, unit="s")
_GAP = _I(0, 1, hi_open=True)
_THREADS = _I(1, 256, integer=True)
_PAIRS = config.Domain(
    "a list of [recipient, supporter] pairs of county names or ids",
    lambda v: all(_TEXT(a) and _TEXT(b) for a, b in v),
)

#: What every scenario key accepts once its type fits, checked when a scenario is loaded
#: (:func:`load`), before any file is read or solver started. The engines keep their own
#: checks, and their cross-setting rules (min <= max, ...) run after these.
#: tests/app/test_scenario.py fails when a key of :data:`KNOWN` has no domain here.
DOMAINS: dict[str, config.Domain] = {
    "scenario.name": _TEXT,
    "scenario.description": _TEXT,
    "scenario.extends": _PATH,
    **{k: _PATH for k in sorted(PATH_KEYS)},
    "data.distance_unit": config.one_of("km", "minutes"),
    "matching.objective": config.one_of("weighted_sum", "maxmin"),
    "matching.fast_path": config.Domain("true or false", lambda v: True),
    "matching.maxmin_tolerance": _I(0, 1, hi_open=True),
    **{
        f"matching.weights.{k}": _WEIGHT
        for k in ("strength", "industry", "resource", "distance", "willingness", "plan")
    },
    "matching.criteria.strength_weighting": config.one_of("entropy", "given"),
    "matching.criteria.indicator_weights": _indicator_weight(),
    "matching.criteria.distance_scale": _I(0, lo_open=True, unit="km"),
    "matching.criteria.willingness_unlisted": _SHARE,
    "matching.criteria.willingness_no_list": _SHARE,
    "matching.criteria.plan_cluster_share": _SHARE,
    "matching.rules.supporter_capacity": _I(1, integer=True),
    "matching.rules.recipient_demand": _I(1, integer=True),
    "matching.rules.locks": _PAIRS,
    "matching.rules.forbids": _PAIRS,
    "matching.rules.max_distance": _I(0, lo_open=True, inf_ok=True, unit="km"),
    "matching.rules.prefecture_spread": _I(0, integer=True, note="0 = no limit"),
    "matching.rules.min_pair_score": _I(0, 1),
    "matching.rules.max_changes": _I(-1, integer=True, note="-1 = no limit"),
    "matching.rules.change_penalty": _WEIGHT,
    "matching.rules.stable": config.Domain("true or false", lambda v: True),
    "matching.explain.language": _languages(),
    "matching.sensitivity.samples": _COUNT,
    "matching.sensitivity.mode": config.one_of("uniform", "dirichlet"),
    "matching.sensitivity.spread": _I(0, 1, hi_open=True),
    "matching.sensitivity.concentration": _I(0, lo_open=True),
    "matching.sensitivity.data_noise": _I(0, 1, hi_open=True),
    "matching.sensitivity.willingness_noise": _I(0, 1),
    "matching.sensitivity.seed": _I(0, 2**63 - 1, integer=True),
    "allocation.first_year": _YEAR,
    "allocation.last_year": _YEAR,
    "allocation.annual_budget_wan": _I(0, unit="万元/year"),
    "allocation.budget_by_year": _year_budget(),
    "allocation.carry_over": config.Domain("true or false", lambda v: True),
    "allocation.projects_per_year_min": _COUNT,
    "allocation.projects_per_year_max": _COUNT,
    "allocation.count_basis": config.one_of("active", "new"),
    "allocation.pair_projects_min": _COUNT,
    "allocation.pair_projects_max": _COUNT,
    "allocation.pair_share_max": _SHARE,
    "allocation.priority_share_min": _SHARE,
    "allocation.supporter_floor_wan": _I(0, unit="万元/year"),
    "allocation.floor_mode": config.one_of("soft", "hard", "off"),
    "allocation.floor_counts": config.one_of("all", "priority"),
    "allocation.floor_topup": config.one_of("none", "other_funds", "unlimited"),
    "allocation.shortfall_penalty": _WEIGHT,
    "allocation.locked_projects": config.each(_TEXT, "a list of project ids"),
    "allocation.excluded_projects": config.each(_TEXT, "a list of project ids"),
    "allocation.lexicographic": config.Domain("true or false", lambda v: True),
    **{
        f"allocation.benefit.{k}": _WEIGHT
        for k in ("people", "low_income", "jobs", "income_uplift", "priority")
    },
    "allocation.benefit.readiness_floor": _SHARE,
    "allocation.benefit.scale_by_funded_share": config.Domain("true or false", lambda v: True),
    "allocation.analysis.rule_costs": config.Domain("true or false", lambda v: True),
    "allocation.analysis.budget_step": _SHARE,
    "allocation.analysis.count_step": _COUNT,
    "allocation.analysis.pair_step": _COUNT,
    "allocation.analysis.share_step": _SHARE,
    "allocation.analysis.best_unfunded": _COUNT,
    "allocation.analysis.force_unfunded": _COUNT,
    "allocation.analysis.diagnose": config.Domain("true or false", lambda v: True),
    "allocation.analysis.bisection_steps": _I(1, 60, integer=True),
    "allocation.analysis.resolve_time_limit": _TIME_LIMIT,
    "allocation.analysis.stop_when_decided": config.Domain("true or false", lambda v: True),
    "allocation.analysis.solver": _solver_names(empty_ok=True),
    "allocation.analysis.workers": _I(1, 64, integer=True),
    **{
        f"{engine}.solver.{k}": d
        for engine in ("matching", "allocation")
        for k, d in (
            ("name", _solver_names(empty_ok=False)),
            ("time_limit", _TIME_LIMIT),
            ("gap", _GAP),
            ("threads", _THREADS),
            ("msg", config.Domain("true or false", lambda v: True)),
        )
    },
}


@dataclass(frozen=True)
class Change:
    """One applied change: ``key: old -> new (source)``."""

    key: str
    old: Any
    new: Any
    source: str

    def __str__(self) -> str:
        return f"{self.key}: {_show(self.old)} -> {_show(self.new)} ({self.source})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "old": config.to_plain(self.old),
            "new": config.to_plain(self.new),
            "source": self.source,
        }


@dataclass(frozen=True)
class OverrideSet:
    """A named set of overrides, ``[overrides.NAME]`` in a scenario file."""

    name: str
    description: str
    values: Mapping[str, Any]
    file: Path


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its effective settings, where they came from, and what changed."""

    name: str
    files: tuple[Path, ...]
    """The extends chain, root first."""
    settings: ScenarioSettings
    effective: Mapping[str, Any]
    """Effective flat settings (the values users gave, after all layers)."""
    changes: tuple[Change, ...]
    overrides: tuple[str, ...]
    sets: tuple[str, ...]
    available_overrides: Mapping[str, OverrideSet]
    origins: Mapping[str, str] = field(default_factory=dict)
    """Key -> where its effective value was set (a file, ``FILE [overrides.NAME]``, ``--set``),
    so a problem found later (a county name in a lock, an engine's cross-setting check) is
    filed where the user can fix it."""

    def origin(self, key: str) -> str:
        """Where ``key``'s effective value was set (the scenario file when not set at all)."""
        return self.origins.get(key, str(self.files[-1]))

    def settings_hash(self) -> str:
        """SHA-256 of the effective settings (canonical JSON).

        Data files enter by name only: where a copy of the scenario sits on disk does not
        change the hash (their bytes enter the scenario hash through their SHA-256s).
        """
        plain = config.to_plain(self.settings)
        plain["data"] = {
            k: Path(v).name if k in DATA_FILE_KEYS and v else v for k, v in plain["data"].items()
        }
        blob = json.dumps(plain, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def data_path(self, key: str) -> Path | None:
        value = getattr(self.settings.data, key)
        return Path(value) if value else None


def _show(value: Any) -> str:
    if value is None:
        return "(unset)"
    return json.dumps(config.to_plain(value), ensure_ascii=False, default=str)


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped inside the package."""
    root = resources.files("shanchuan") / "data"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / SCENARIO_FILE).is_file())


def builtin_path(name: str) -> Path:
    """Path of the ``scenario.toml`` of a built-in scenario."""
    return Path(str(resources.files("shanchuan") / "data" / name / SCENARIO_FILE))


def locate(spec: str | Path | None, *, relative_to: Path | None = None) -> Path:
    """Find a scenario from a path, a directory holding ``scenario.toml``, or a built-in name."""
    if spec is None or str(spec) == "":
        spec = DEFAULT_SCENARIO
    raw = Path(spec).expanduser()
    candidates = [raw if raw.is_absolute() or relative_to is None else relative_to / raw]
    if relative_to is not None and not raw.is_absolute():
        candidates.append(raw)
    for path in candidates:
        if path.is_file():
            return path.resolve()
        if path.is_dir() and (path / SCENARIO_FILE).is_file():
            return (path / SCENARIO_FILE).resolve()
    names = builtin_scenarios()
    if str(spec) in names:
        return builtin_path(str(spec)).resolve()
    hint = config.did_you_mean(str(spec), names)
    raise ScenarioError(
        _key_problem(
            file=str(spec),
            message="no such scenario file, directory or built-in scenario" + hint,
            expected=f"a .toml file, a directory with {SCENARIO_FILE}, or one of: "
            + ", ".join(names),
        )
    )


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a scenario file: TOML, or JSON with the same structure (for other tools)."""
    if path.suffix.lower() == ".json":
        try:
            # utf-8-sig: Notepad and Excel on Windows save UTF-8 with a byte-order mark.
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                _key_problem(file=str(path), message=f"not valid JSON: {exc}")
            ) from None
        except UnicodeDecodeError:
            raise ScenarioError(
                _key_problem(file=str(path), message="not UTF-8 text", expected="UTF-8 JSON")
            ) from None
        if not isinstance(data, dict):
            raise ScenarioError(
                _key_problem(file=str(path), message="must be a JSON object of settings tables")
            )
        return data
    try:
        # tomllib refuses a byte-order mark; Notepad writes one by default.
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(
            _key_problem(file=str(path), message=f"not valid TOML: {exc}")
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError(
            _key_problem(
                file=str(path), message="not UTF-8 text", expected="a TOML file saved as UTF-8"
            )
        ) from None


def _resolve_paths(flat: dict[str, Any], base: Path) -> dict[str, Any]:
    out = dict(flat)
    for key in PATH_KEYS & out.keys():
        value = out[key]
        # A value that is no path at all (a NUL byte, a name too long) is left as given, for
        # its domain check to report; resolving it would raise.
        if isinstance(value, str) and value and config.path()(value):
            try:
                out[key] = str((base / value).resolve())
            except OSError:  # a loop of links, say: the file check reports it later
                out[key] = str(base / value)
    return out


def _check_keys(flat: Mapping[str, Any], source: str, problems: list[Problem]) -> None:
    for key in config.unknown_keys(flat, KNOWN, GROUPS):
        problems.append(
            _key_problem(
                file=source, column=key, message="unknown key" + config.did_you_mean(key, KNOWN)
            )
        )
    for key in GROUPS & flat.keys():
        problems.append(
            _key_problem(
                file=source,
                column=key,
                message="is a table of settings, not a value",
                value=flat[key],
            )
        )


def _load_chain(
    path: Path, seen: tuple[Path, ...] = ()
) -> list[tuple[Path, dict[str, Any], dict[str, OverrideSet]]]:
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ScenarioError(
            _key_problem(file=str(path), message=f"'extends' forms a cycle: {chain}")
        )
    raw = _read_toml(path)
    overrides_raw = raw.pop("overrides", {})
    flat = config.flatten(raw)
    problems: list[Problem] = []
    _check_keys(flat, str(path), problems)
    sets: dict[str, OverrideSet] = {}
    if not isinstance(overrides_raw, Mapping):
        problems.append(
            _key_problem(
                file=str(path), column="overrides", message="must be a table of named override sets"
            )
        )
        overrides_raw = {}
    for name, table in overrides_raw.items():
        if not isinstance(table, Mapping):
            problems.append(
                _key_problem(
                    file=str(path),
                    column=f"overrides.{name}",
                    message="must be a table of settings",
                )
            )
            continue
        values = config.flatten(table)
        description = str(values.pop("description", ""))
        _check_keys(values, f"{path} [overrides.{name}]", problems)
        sets[name] = OverrideSet(name, description, _resolve_paths(values, path.parent), path)
    if problems:
        raise ScenarioError(problems)
    flat = _resolve_paths(flat, path.parent)
    parent = flat.pop("scenario.extends", "")
    if not isinstance(parent, str):
        raise ScenarioError(
            _key_problem(
                file=str(path), column="scenario.extends", message="must be a string", value=parent
            )
        )
    layers: list[tuple[Path, dict[str, Any], dict[str, OverrideSet]]] = []
    if parent:
        try:
            parent_path = locate(parent, relative_to=path.parent)
        except ScenarioError as exc:
            # Name the file and key that point at the missing parent, not the parent alone.
            raise ScenarioError(
                [
                    replace(
                        p,
                        file=str(path),
                        column="scenario.extends",
                        value=parent,
                        message=p.message.replace("no such", "names no", 1),
                    )
                    for p in exc.problems
                ]
            ) from None
        layers = _load_chain(parent_path, (*seen, path))
    layers.append((path, flat, sets))
    return layers


class FlagSet(str):
    """A ``--set`` item made by a CLI flag (``--lang en``, ``--pairs FILE``, ``--fast``).

    It is the ``key=value`` text itself (a ``str``: stored, hashed and replayed like any
    ``--set``), and remembers the flag, so a problem with its value names the flag the user
    typed, not a ``--set`` they never gave.
    """

    source: str

    def __new__(cls, text: str, source: str) -> FlagSet:
        obj = super().__new__(cls, text)
        obj.source = source
        return obj


def _set_source(item: str) -> str:
    return getattr(item, "source", "--set")


def parse_set(items: Sequence[str]) -> dict[str, Any]:
    """Parse ``--set key=value`` items; values are TOML (``300``, ``true``, ``"x"``, ``[1, 2]``)."""
    values, problems = _parse_set(items)
    if problems:
        raise ScenarioError(problems)
    return values


def _parse_set(
    items: Sequence[str], sources: dict[str, str] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The values of ``items`` by key, and their problems.

    ``sources`` gets key -> where (``--set``, or the flag that made the item).
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    by_source: dict[str, list[str]] = {}
    for item in items:
        where = _set_source(item)
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(
                _key_problem(
                    file=where,
                    message="expected key=value",
                    value=item,
                    expected="e.g. matching.rules.max_distance=300",
                )
            )
            continue
        if key in values:
            problems.append(
                _key_problem(
                    file=where, column=key, message="set twice on the command line; give it once"
                )
            )
            continue
        try:
            parsed = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            parsed = text.strip()  # a bare word is a string: --set matching.objective=maxmin
        values[key] = parsed
        by_source.setdefault(where, []).append(key)
        if sources is not None:
            sources[key] = where
    for where, keys in by_source.items():
        _check_keys({k: values[k] for k in keys}, where, problems)
    return _resolve_paths(values, Path.cwd()), problems


def load(
    spec: str | Path | None = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
) -> Scenario:
    """Load a scenario, apply the named override sets and ``--set`` items; build its settings."""
    path = locate(spec)
    layers = _load_chain(path)
    effective: dict[str, Any] = {}
    changes: list[Change] = []
    available: dict[str, OverrideSet] = {}
    origin: dict[str, str] = {}  # key -> where its effective value was set
    for i, (file, flat, file_sets) in enumerate(layers):
        for key, value in flat.items():
            if i > 0 and effective.get(key, KNOWN[key].default) != value:
                changes.append(
                    Change(key, effective.get(key, KNOWN[key].default), value, f"extends: {file}")
                )
            effective[key] = value
            origin[key] = str(file)
        available.update(file_sets)

    problems: list[Problem] = []
    setter: dict[str, str] = {}
    for name in overrides:
        if name not in available:
            problems.append(
                _key_problem(
                    file=str(path),
                    column=f"overrides.{name}",
                    message="no such override set" + config.did_you_mean(name, available),
                    expected="one of: "
                    + (", ".join(sorted(available)) or "(this scenario defines none)"),
                )
            )
            continue
        for key, value in available[name].values.items():
            if key in setter:
                problems.append(
                    _key_problem(
                        file=str(path),
                        column=key,
                        message=f"set by both override sets '{setter[key]}' and '{name}'; "
                        "select only one, or give the value with --set",
                    )
                )
                continue
            setter[key] = name
            changes.append(
                Change(key, effective.get(key, KNOWN[key].default), value, f"override set {name}")
            )
            effective[key] = value
            origin[key] = f"{available[name].file} [overrides.{name}]"
    set_sources: dict[str, str] = {}
    set_values, set_problems = _parse_set(sets, set_sources)
    problems += set_problems
    for key, value in set_values.items():
        if key in KNOWN:
            where = set_sources.get(key, "--set")
            changes.append(Change(key, effective.get(key, KNOWN[key].default), value, where))
            effective[key] = value
            origin[key] = where
    # Every key against its domain first (located where it was set); the engines' own and
    # cross-setting checks only once each key is fine on its own, so a bad value is one
    # problem, not two.
    key_problems = config.key_problems(effective, KNOWN, DOMAINS, origin, str(path))
    problems += key_problems
    # The cross-setting checks run on the keys that are fine on their own (a bad one falls
    # back to its default there), and say nothing about a bad key: all problems at once,
    # none of them a knock-on of another.
    bad = {p.column for p in key_problems if p.column}
    settings, build_problems = config.build(
        ScenarioSettings,
        {k: v for k, v in effective.items() if k not in bad},
        prefix="",
        source=str(path),
    )
    leaf_names = {b.rsplit(".", 1)[-1] for b in bad}
    problems += [
        replace(p, label="key", file=origin.get(p.column or "", p.file))
        for p in build_problems
        if p.column not in bad and not any(n in p.message for n in leaf_names)
    ]
    if problems:
        raise ScenarioError(problems)
    name = settings.scenario.name or path.parent.name
    return Scenario(
        name=name,
        files=tuple(p for p, _, _ in layers),
        settings=settings,
        effective=effective,
        changes=tuple(changes),
        overrides=tuple(overrides),
        sets=tuple(sets),
        origins=origin,
        available_overrides=available,
    )


def keys_markdown() -> str:
    """The reference of every scenario key, for ``docs/scenario-keys.md``."""
    lines = [
        "# Scenario keys",
        "",
        "Generated from the option classes by `shanchuan keys --markdown`; do not edit by hand.",
        "Every key can be set in a scenario file, in an `[overrides.NAME]` set, or with",
        "`--set key=value`. Precedence: defaults < `extends` chain < `--scenario` sets < `--set`.",
        "",
        "Every value is checked against what its key accepts when the scenario is loaded,",
        "before any file is read or solver started; a bad value is reported (exit 2) with the",
        "file of the `extends` chain, override set, `--set` or flag that gave it.",
        "",
        "| key | type | default | unit | accepts | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, info in KNOWN.items():
        default = json.dumps(config.to_plain(info.default), ensure_ascii=False)
        doc = info.doc.replace("|", "\\|")
        if info.counties == "pairs":
            doc += " Pairs as [recipient, supporter] by Annex-2 name, full name or id."
        elif info.counties == "ids":
            doc += " Counties by Annex-2 name, full name or id."
        accepts = DOMAINS[key].expected.replace("|", "\\|")
        lines.append(
            f"| `{key}` | {config.type_name(info.type)} | `{default}` | {info.unit or ''} "
            f"| {accepts} | {doc} |"
        )
    from shanchuan.validation import readers  # the readers' limits, documented with the keys

    lines += [
        "",
        "## Limits set in the environment",
        "",
        "Size limits of the input files are limits on resources, not on meaning, so they are",
        "environment variables rather than scenario keys (a service or a shared machine sets",
        "them once). A file or cell beyond its limit is refused (exit 2) naming the file, and",
        "for a cell its row and column; the cell itself is not echoed.",
        "",
        "| variable | default | meaning |",
        "| --- | --- | --- |",
        f"| `{readers.MAX_FILE_ENV}` | `{readers.DEFAULT_MAX_FILE_MB}` | Largest input file, "
        "in megabytes. |",
        f"| `{readers.MAX_CELL_ENV}` | `{readers.DEFAULT_MAX_CELL_CHARS}` | Most characters in "
        "one CSV cell (Excel's own limit of a cell). |",
    ]
    return "\n".join(lines) + "\n"
