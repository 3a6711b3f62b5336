"""One side of a comparison: a run, read from its folder or from an outcome in memory.

Both sources go through the same door, the run's JSON contract (``result.json`` in a run
folder is ``outcome.to_dict()``), so a folder and an on-the-fly solve of the same scenario
give the same :class:`RunRecord`. What the contract lacks — the effective settings and the
input files' SHA-256s — comes from the manifest (a folder) or the scenario (an outcome).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shanchuan import runfolder

#: ``(codes, detail)`` of why a project is not funded in this run (see
#: :func:`allocation.why_unfunded`), when the run's problem is at hand.
WhyUnfunded = Callable[[str], "tuple[tuple[str, ...], str] | None"]


@dataclass(frozen=True)
class PairView:
    """One chosen pair: its supporter, score and criteria (empty for a fixed pair file)."""

    recipient: str
    supporter: str
    score: float | None = None
    criteria: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MatchingView:
    """What a comparison reads of a pairing."""

    status: str
    objective: float | None
    gap: float
    objective_mode: str
    weights: Mapping[str, float]
    pairs: Mapping[str, PairView]
    """Recipient (Annex-2 name) -> its pair."""


@dataclass(frozen=True)
class AllocationView:
    """What a comparison reads of a special-fund plan."""

    status: str
    objective: float | None
    gap: float
    projects: tuple[Mapping[str, Any], ...]
    """One row per funded project and year (the JSON contract's ``projects``)."""
    pairs: Mapping[str, str]
    """Recipient -> supporter the fund was allocated on."""
    fairness: Mapping[str, Any]
    left_out: Mapping[str, tuple[str, str]]
    """Project id -> (reason code, detail) of candidates excluded before solving."""
    unfunded: Mapping[str, tuple[tuple[str, ...], str]]
    """Project id -> (reason codes, detail) of the best unfunded projects the run listed."""
    titles: Mapping[str, str] = field(default_factory=dict)
    pair_ids: Mapping[str, str] = field(default_factory=dict)
    """Recipient id -> supporter id (the engine's keys)."""


@dataclass(frozen=True)
class RunRecord:
    """A run as a comparison sees it."""

    label: str
    source: str
    """``run folder PATH`` or ``solved``."""
    command: str
    status: str
    scenario: str
    scenario_hash: str
    settings: Mapping[str, Any]
    """Flat dotted key -> effective value; empty when the run did not record them."""
    changes: tuple[Mapping[str, Any], ...]
    """The run's change log (``key``, ``old``, ``new``, ``source``)."""
    inputs: Mapping[str, str]
    """Data key -> SHA-256 of the file read."""
    matching: MatchingView | None
    allocation: AllocationView | None
    why_unfunded: WhyUnfunded | None = field(default=None, compare=False, repr=False)
    settings_hash: str = ""

    def side(self) -> dict[str, Any]:
        """Who this side is, for a report's header and the JSON."""
        return {
            "label": self.label,
            "source": self.source,
            "command": self.command,
            "status": self.status,
            "scenario": self.scenario,
            "scenario_hash": self.scenario_hash,
            "matching_gap": None if self.matching is None else self.matching.gap,
            "allocation_gap": None if self.allocation is None else self.allocation.gap,
        }


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A settings tree as dotted keys (``matching.weights.distance``)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _gap(d: Mapping[str, Any]) -> float:
    gap = d.get("gap")
    return float(gap) if isinstance(gap, int | float) else 0.0


def matching_view(m: Mapping[str, Any]) -> MatchingView:
    """The pairing part of a JSON contract."""
    pairs = {
        str(p["recipient"]): PairView(
            str(p["recipient"]),
            str(p["supporter"]),
            p.get("score"),
            dict(p.get("criteria") or {}),
        )
        for p in m.get("pairs") or []
    }
    return MatchingView(
        status=str(m.get("status")),
        objective=m.get("objective"),
        gap=_gap(m),
        objective_mode=str(m.get("objective_mode", "")),
        weights=dict(m.get("weights") or {}),
        pairs=pairs,
    )


def allocation_view(a: Mapping[str, Any]) -> AllocationView:
    """The special-fund part of a JSON contract."""
    summary = a.get("summary") or {}
    projects = tuple(a.get("projects") or [])
    left_out = {
        str(r["id"]): (str(r.get("reason", "")), str(r.get("detail", "")))
        for r in summary.get("left_out") or []
    }
    unfunded: dict[str, tuple[tuple[str, ...], str]] = {}
    for u in summary.get("best_unfunded") or []:
        reasons = u.get("reasons") or ()
        codes = tuple(reasons.split(";")) if isinstance(reasons, str) else tuple(reasons)
        unfunded[str(u["id"])] = (codes, str(u.get("detail", "")))
    titles = {str(u["id"]): str(u.get("title", "")) for u in summary.get("best_unfunded") or []}
    titles.update({str(p["id"]): str(p.get("title", "")) for p in projects})
    pairs = {str(r["recipient"]): str(r["supporter"]) for r in summary.get("per_pair") or []}
    return AllocationView(
        status=str(a.get("status")),
        objective=a.get("objective"),
        gap=_gap(a),
        projects=projects,
        pairs=pairs,
        fairness=dict(summary.get("fairness") or {}),
        left_out=left_out,
        unfunded=unfunded,
        titles=titles,
        pair_ids={
            str(r["recipient_id"]): str(r["supporter_id"])
            for r in summary.get("per_pair") or []
            if "recipient_id" in r
        },
    )


def views(command: str, d: Mapping[str, Any]) -> tuple[MatchingView | None, AllocationView | None]:
    """The pairing and the plan of a JSON contract of ``run``, ``match`` or ``allocate``."""
    if command == "run":
        m = d.get("matching")
        a = d.get("allocation")
        return (
            matching_view(m) if m else None,
            allocation_view(a) if a else None,
        )
    if command == "match":
        return matching_view(d), None
    return None, allocation_view(d)


def _inputs_of(provenances: list[Mapping[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for prov in provenances:
        for key, info in (prov.get("data_files") or {}).items():
            out.setdefault(key, str(info.get("sha256", "")))
    return dict(sorted(out.items()))


def from_folder(folder: Path, label: str | None = None) -> RunRecord:
    """Read a run folder written by ``--out`` (a clear :class:`InputError` otherwise)."""
    folder = Path(folder)
    manifest = runfolder.read_manifest(folder)
    d = runfolder.read_result(folder)
    command = str(manifest["command"])
    prov = manifest.get("provenance") or d.get("provenance") or {}
    try:
        inputs = {k: str(v.get("sha256", "")) for k, v in (manifest.get("inputs") or {}).items()}
        m, a = views(command, d)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise runfolder.problem(
            folder,
            f"{runfolder.RESULT} does not hold the results of `shanchuan {command}` "
            f"(edited or damaged: {type(exc).__name__} {exc})",
            "the result.json the run wrote (`shanchuan reproduce` re-runs the folder)",
        ) from None
    return RunRecord(
        label=label or folder.name or str(folder),
        source=f"run folder {folder}",
        command=command,
        status=str(d.get("status", manifest.get("status"))),
        scenario=str(prov.get("scenario", "")),
        scenario_hash=str(prov.get("scenario_hash", "")),
        settings=flatten(manifest.get("settings") or {}),
        changes=tuple(prov.get("changes") or ()),
        inputs=inputs or _inputs_of([prov]),
        matching=m,
        allocation=a,
        why_unfunded=_folder_reasons(folder, manifest, a),
        settings_hash=str(prov.get("settings_hash", "")),
    )


def command_of(outcome: Any) -> str:
    """``run``, ``match`` or ``allocate``: which command gives this outcome."""
    if hasattr(outcome, "allocation"):
        return "run"
    if hasattr(outcome, "analyses"):
        return "match"
    return "allocate"


def from_outcome(outcome: Any, label: str, source: str = "solved") -> RunRecord:
    """A record of an outcome in memory (a match, allocation or run outcome)."""
    from shanchuan import config

    command = command_of(outcome)
    d = outcome.to_dict()
    sc = runfolder.scenario_of(outcome)
    provs = [p.provenance for p in runfolder._outcome_parts(outcome)]
    prov = d.get("provenance") or {}
    m, a = views(command, d)
    alloc = outcome if command == "allocate" else getattr(outcome, "allocation", None)
    return RunRecord(
        label=label,
        source=source,
        command=command,
        status=str(outcome.status),
        scenario=sc.name,
        scenario_hash=str(prov.get("scenario_hash", "")),
        settings=flatten(config.to_plain(sc.settings)),
        changes=tuple(prov.get("changes") or ()),
        inputs=_inputs_of(provs),
        matching=m,
        allocation=a,
        why_unfunded=None if alloc is None else _outcome_reasons(alloc),
        settings_hash=str(prov.get("settings_hash", "")),
    )


def _outcome_reasons(alloc: Any) -> WhyUnfunded | None:
    """Why a project is not funded, asked of the allocation's own problem and schedule."""
    result = getattr(alloc, "result", None)
    if result is None or not getattr(result, "schedule", None):
        return None
    return _reasons(result.problem, result.settings, result.schedule)


def _reasons(problem: Any, settings: Any, schedule: Mapping[str, Any]) -> WhyUnfunded:
    import allocation

    def why(pid: str) -> tuple[tuple[str, ...], str] | None:
        if pid in problem.left_out:
            lo = problem.left_out[pid]
            return (lo.reason,), lo.detail
        if pid not in problem.projects or pid in schedule:
            return None
        return allocation.why_unfunded(problem, settings, schedule, pid)

    return why


def _folder_reasons(
    folder: Path, manifest: Mapping[str, Any], view: AllocationView | None
) -> WhyUnfunded | None:
    """Reasons for any unfunded project of a run folder, from the inputs it recorded.

    The folder's scenario (``scenario.toml`` and ``inputs/``, run format 2) is prepared again
    on the pairs the run allocated on — no solve — and the recorded schedule is asked why a
    project is not in it. Nothing when the folder does not record its inputs or they no
    longer match their SHA-256s (the reasons would be those of other data).
    """
    if view is None or not (folder / runfolder.SCENARIO_COPY).is_file():
        return None
    cache: dict[str, WhyUnfunded | None] = {}

    def why(pid: str) -> tuple[tuple[str, ...], str] | None:
        if "fn" not in cache:
            cache["fn"] = _rebuild_reasons(folder, manifest, view)
        fn = cache["fn"]
        return None if fn is None else fn(pid)

    return why


def _rebuild_reasons(
    folder: Path, manifest: Mapping[str, Any], view: AllocationView
) -> WhyUnfunded | None:
    import pandas as pd

    from shanchuan import stages
    from shanchuan.errors import ShanchuanError
    from shanchuan.loaded import load
    from shanchuan.provenance import file_digest

    for info in (manifest.get("inputs") or {}).values():
        copy = info.get("copy")
        path = folder / copy if copy else Path(info.get("path", ""))
        if not path.is_file() or file_digest(path) != info.get("sha256"):
            return None
    schedule: dict[str, dict[int, float]] = {}
    for row in view.projects:
        schedule.setdefault(str(row["id"]), {})[int(row["year"])] = float(row["special_fund_wan"])
    pairs = pd.DataFrame(list(view.pair_ids.items()), columns=["recipient", "supporter"])
    try:
        prepared = stages.prepare(load(folder / runfolder.SCENARIO_COPY), "allocation", pairs=pairs)
    except ShanchuanError:
        return None
    problem, settings = prepared.problem, prepared.settings.allocation
    return _reasons(problem, settings, schedule)
