"""What a side of ``compare`` names, turned into a :class:`RunRecord`.

A side is a run folder (read, never re-solved), a scenario (a ``.toml``/``.json`` file, a
folder holding ``scenario.toml``, or a built-in name — solved on the fly), an outcome in
memory, or a :class:`~shanchuan.loaded.Loaded`. A run folder is recognised by its
``manifest.json``; a folder that has one but was not written by shanchuan is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shanchuan import runfolder
from shanchuan.comparison.record import RunRecord, command_of, from_folder, from_outcome
from shanchuan.errors import InputError, Problem

ENGINES = ("run", "match", "allocate")


@dataclass(frozen=True)
class Side:
    """One side as given: a spec plus the override sets and ``--set`` items applied to it."""

    spec: Any
    overrides: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if isinstance(self.spec, RunRecord):
            return self.spec.label
        if is_outcome(self.spec):
            return f"{runfolder.scenario_of(self.spec).name} (outcome)"
        base = getattr(self.spec, "name", None) if not isinstance(self.spec, str | Path) else None
        text = str(base or self.spec or "hubei-2021")
        if isinstance(self.spec, str | Path) and is_run_folder(Path(self.spec)):
            text = Path(self.spec).name or str(self.spec)
        text += "".join(f" --scenario {o}" for o in self.overrides)
        text += "".join(f" --set {s}" for s in self.sets)
        return text


def is_outcome(value: Any) -> bool:
    """Whether ``value`` is a pipeline outcome (it has the outcome interface)."""
    return hasattr(value, "to_dict") and hasattr(value, "tables") and hasattr(value, "status")


def is_run_folder(path: Path) -> bool:
    """Whether ``path`` is meant as a run folder: a folder holding ``manifest.json``."""
    return path.is_dir() and (path / runfolder.MANIFEST).exists()


def folder_command(side: Side) -> str | None:
    """The command a run-folder side was written by (``None`` for other sides)."""
    if isinstance(side.spec, RunRecord):
        return side.spec.command
    if is_outcome(side.spec):
        return command_of(side.spec)
    if isinstance(side.spec, str | Path) and is_run_folder(Path(side.spec)):
        try:
            return str(runfolder.read_manifest(Path(side.spec)).get("command"))
        except InputError:
            return None
    return None


def _check_spec(spec: str | Path) -> None:
    """A clear error for a side that is neither a run folder nor a scenario."""
    from shanchuan import scenario as scenario_mod

    path = Path(spec)
    if path.exists():
        if path.is_dir() and not (path / scenario_mod.SCENARIO_FILE).is_file():
            raise InputError(
                Problem(
                    file=str(path),
                    message=f"neither a run folder (no {runfolder.MANIFEST}) nor a scenario "
                    f"folder (no {scenario_mod.SCENARIO_FILE})",
                    expected="a folder written by `shanchuan run|match|allocate --out DIR`, "
                    "a scenario file or folder, or a built-in scenario name",
                )
            )
        return
    names = scenario_mod.builtin_scenarios()
    if str(spec) not in names:
        from shanchuan import config

        raise InputError(
            Problem(
                file=str(spec),
                message="no such run folder, scenario file or built-in scenario"
                + config.did_you_mean(str(spec), names),
                expected="a run folder (`--out DIR`), a .toml/.json scenario, or one of: "
                + ", ".join(names),
            )
        )


def record(
    side: Side,
    *,
    engine: str = "run",
    language: str = "zh",
    on_solve: Any = None,
) -> RunRecord:
    """The run a side names: read from its folder, or solved now with ``engine``."""
    spec = side.spec
    if (
        isinstance(spec, RunRecord)
        or is_outcome(spec)
        or (isinstance(spec, str | Path) and is_run_folder(Path(spec)))
    ):
        if side.overrides or side.sets:
            raise InputError(
                Problem(
                    file=str(side.label),
                    message="--scenario/--set cannot change a finished run",
                    expected="a scenario to solve with the overrides (the folder's "
                    "scenario.toml is one), or the overrides without the run folder",
                )
            )
        if isinstance(spec, RunRecord):
            return spec
        if is_outcome(spec):
            return from_outcome(spec, side.label, "outcome")
        return from_folder(Path(spec), side.label)
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if isinstance(spec, str | Path):
        _check_spec(spec)
    return from_outcome(solve(side, engine, language, on_solve), side.label)


#: What an on-the-fly solve leaves out: the analyses re-solve the plan and change nothing a
#: comparison reads (the reasons a project left are asked of the plan directly).
QUICK_SETS = ("allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0")


def solve(side: Side, engine: str, language: str, on_solve: Any = None) -> Any:
    """Solve a scenario side with ``engine`` (``run``, ``match`` or ``allocate``)."""
    from shanchuan import pipeline

    sets: Sequence[str] = (*side.sets, *QUICK_SETS)
    loaded = pipeline.load(side.spec, overrides=side.overrides, sets=sets)
    quiet = pipeline.Analyses(explain=False)
    if engine == "match":
        return pipeline.match(loaded, analyses=quiet, on_solve=on_solve)
    if engine == "allocate":
        return pipeline.allocate(loaded, on_solve=on_solve)
    if loaded.scenario.settings.data.pairs:
        return pipeline.run(loaded, analyses=quiet, on_solve=on_solve)
    # As pipeline.run, but an infeasible pairing is this side's answer (compared, with a
    # note), not an error that stops the comparison.
    m = pipeline.match(loaded, analyses=quiet, on_solve=on_solve)
    if not m.status.ok:
        return m
    a = pipeline.allocate(loaded, match_outcome=m, on_solve=on_solve)
    return pipeline.RunOutcome(match=m, allocation=a)
