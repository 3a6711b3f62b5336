"""Stage 1 of the application pipeline: a scenario loaded and validated once.

:func:`load` reads the scenario (its ``extends`` chain, override sets and ``--set`` items) and
returns a :class:`Loaded`. Its data files are read and validated on first use, per group of
files an engine needs, and kept: the later stages (:mod:`shanchuan.stages`) and every variant
made with :meth:`Loaded.with_overrides` reuse the parsed tables as long as the variant names
the same files with the same bytes on disk (path, size and modification time). So a sweep of
a hundred weight variants reads and validates ``counties.csv`` once.

>>> import shanchuan
>>> loaded = shanchuan.load("hubei-2021")
>>> loaded.name
'hubei-2021'
>>> variant = loaded.with_overrides(sets=["matching.rules.max_distance=400"])
>>> variant.settings().matching.rules.max_distance
400.0
>>> variant.data("matching").counties is loaded.data("matching").counties
True
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from shanchuan import config
from shanchuan import scenario as scenario_mod
from shanchuan.errors import InputError, Problem, ScenarioError
from shanchuan.scenario import Scenario, ScenarioSettings
from shanchuan.validation import LoadedData, load_inputs, resolve_county

Engine = Literal["matching", "allocation", "all"]

#: Files read for each engine (keys of ``[data]``); "all" is every data key (``check``).
ENGINE_FILES: Mapping[str, tuple[str, ...]] = {
    "matching": (
        "counties",
        "sectors",
        "sector_links",
        "regions",
        "willingness",
        "distances",
        "incumbent",
    ),
    "allocation": ("counties", "sectors", "projects", "pairs", "executed"),
    "all": scenario_mod.DATA_FILE_KEYS,
}

_FileKey = tuple[tuple[str, str, int, int], ...]


class DataCache:
    """Validated tables by the exact files they came from (shared by a scenario's variants)."""

    def __init__(self) -> None:
        self._tables: dict[_FileKey, LoadedData] = {}
        self.reads = 0
        """How many times files were actually read and validated (for tests and progress)."""

    @staticmethod
    def key(files: Mapping[str, Path]) -> _FileKey:
        out = []
        for name, path in sorted(files.items()):
            st = path.stat()
            out.append((name, str(path.resolve()), st.st_size, st.st_mtime_ns))
        return tuple(out)

    def get(self, files: Mapping[str, Path]) -> LoadedData:
        key = self.key(files)
        if key not in self._tables:
            self.reads += 1
            self._tables[key] = load_inputs(files)
        return self._tables[key]


@dataclass
class Loaded:
    """A loaded scenario: its settings, its validated data (read on first use), their sources.

    Make variants with :meth:`with_overrides`; run it with :mod:`shanchuan.stages`.
    """

    scenario: Scenario
    spec: str | Path | None = None
    """What was loaded (a path or a built-in name), for :meth:`with_overrides`."""
    cache: DataCache = field(default_factory=DataCache)
    load_seconds: float = 0.0
    _settings: dict[str, ScenarioSettings] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def source(self) -> str:
        """The scenario file problems with settings are reported against."""
        return str(self.scenario.files[-1])

    def files(self, engine: Engine) -> dict[str, Path]:
        """The data files ``engine`` reads that the scenario gives (missing files are problems)."""
        keys = ENGINE_FILES[engine]
        files: dict[str, Path] = {}
        problems: list[Problem] = []
        for key in keys:
            path = self.scenario.data_path(key)
            if path is None:
                continue
            if not path.is_file():
                problems.append(
                    Problem(
                        file=str(path),
                        column=f"data.{key}",
                        message="file not found",
                        expected="an existing file (relative paths are read from the scenario "
                        "folder)",
                    )
                )
                continue
            files[key] = path
        InputError.collect(problems)
        required = {"counties"} | ({"sectors", "sector_links"} & set(keys))
        missing = sorted(required - files.keys())
        if missing:
            raise ScenarioError(
                [
                    Problem(
                        file=self.source,
                        column=f"data.{k}",
                        message="required data file not given",
                        expected="a path in the scenario's [data] table",
                    )
                    for k in missing
                ]
            )
        return files

    def data(self, engine: Engine) -> LoadedData:
        """The validated tables ``engine`` reads; every problem of every file in one error."""
        t = time.perf_counter()
        data = self.cache.get(self.files(engine))
        self.load_seconds += time.perf_counter() - t
        return data

    def settings(self, engine: Engine = "matching") -> ScenarioSettings:
        """The settings with every county named in a rule resolved to its id.

        County names are resolved against the counties file ``engine`` reads (the same file
        for every engine unless a scenario says otherwise).
        """
        if engine not in self._settings:
            self._settings[engine] = resolve_settings(self.scenario, self.data(engine))
        return self._settings[engine]

    def with_overrides(
        self, *, overrides: Sequence[str] = (), sets: Sequence[str] = ()
    ) -> Loaded:
        """A variant: this scenario with more override sets and ``--set`` items (applied last).

        The variant shares this one's validated data where it names the same files.
        """
        t = time.perf_counter()
        sc = scenario_mod.load(
            self.spec if self.spec is not None else self.scenario.files[-1],
            overrides=(*self.scenario.overrides, *overrides),
            sets=(*self.scenario.sets, *sets),
        )
        return Loaded(sc, self.spec, self.cache, time.perf_counter() - t)


def load(
    scenario: str | Path | Scenario | Loaded | None = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
) -> Loaded:
    """Load a scenario by path or built-in name (``None`` = the default ``hubei-2021``).

    Raises :class:`~shanchuan.errors.ScenarioError` listing every problem of the scenario
    files, override sets and ``sets``. Data files are read on first use.
    """
    if isinstance(scenario, Loaded):
        if overrides or sets:
            return scenario.with_overrides(overrides=overrides, sets=sets)
        return scenario
    if isinstance(scenario, Scenario):
        if overrides or sets:
            raise ScenarioError("pass overrides and sets when loading, not with a loaded Scenario")
        return Loaded(scenario, scenario.files[-1])
    t = time.perf_counter()
    sc = scenario_mod.load(scenario, overrides=overrides, sets=sets)
    return Loaded(sc, scenario, load_seconds=time.perf_counter() - t)


def resolve_settings(sc: Scenario, data: LoadedData) -> ScenarioSettings:
    """Settings with every county named in a rule resolved to its id (unknown names reported)."""
    effective = dict(sc.effective)
    problems: list[Problem] = []
    source = str(sc.files[-1])
    for key, info in scenario_mod.KNOWN.items():
        if info.counties is None or key not in effective:
            continue
        value = effective[key]
        if info.counties == "pairs":
            resolved = []
            for i, pair in enumerate(value or []):
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    problems.append(
                        Problem(
                            file=sc.origin(key),
                            column=key,
                            message=f"entry {i + 1} is not a [recipient, supporter] pair",
                            value=pair,
                        )
                    )
                    continue
                ids = []
                for name, role in zip(pair, ("recipient", "supporter"), strict=True):
                    found = resolve_county(str(name), data.counties, role=role)
                    if isinstance(found, Problem):
                        problems.append(
                            replace(found, file=sc.origin(key), column=f"{key} entry {i + 1}")
                        )
                    else:
                        ids.append(found)
                if len(ids) == 2:
                    resolved.append(ids)
            effective[key] = resolved
        elif info.counties == "ids":
            resolved_ids = []
            for name in value or []:
                found = resolve_county(str(name), data.counties)
                if isinstance(found, Problem):
                    problems.append(replace(found, file=sc.origin(key), column=key))
                else:
                    resolved_ids.append(found)
            effective[key] = resolved_ids
    InputError.collect(problems)
    settings, problems = config.build(ScenarioSettings, effective, prefix="", source=source)
    InputError.collect(problems)
    return settings
