"""What the report needs besides the result: the counties, the assumptions, the data's kinds.

The JSON contract holds the pairs and the funds but not the counties' seats, prefectures and
populations, nor which settings are assumptions and which input rows are estimates. They come
from the run's scenario: the loaded one when the report is written in the same process
(``--report``), or the scenario the provenance names, loaded again with the same override sets
and ``--set`` items (``shanchuan report RUN_DIR``). When that scenario cannot be read any more
the report is still written, from the result alone, and says what it left out.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Words in a data file's source/note column that say what kind of figure a row holds,
#: checked in this order (a row that says "synthetic" is synthetic even if it cites a source).
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("synthetic", ("synthetic",)),
    ("illustrative", ("illustrative",)),
    # the project's own reading or mapping of a document is an estimate (data README)
    ("estimate", ("estimate", "project reading", "project mapping", "project's own")),
    ("sourced", ("source", "from a public", "plan", "report", "gazetteer")),
)
_SOURCE_COLUMNS = ("source", "note", "notes")


@dataclass(frozen=True)
class CountyInfo:
    """One county of the scenario, as the map needs it."""

    id: str
    annex_name: str
    full_name: str
    role: str
    prefecture: str
    lat: float | None
    lon: float | None
    population_wan: float | None


@dataclass(frozen=True)
class Assumption:
    """A setting documented as an assumption, with its value in this run."""

    key: str
    value: Any
    doc: str


@dataclass(frozen=True)
class FileQuality:
    """How many rows of one input file are of each kind (``sourced``, ``estimate``, ...)."""

    name: str
    path: str
    rows: int
    kinds: dict[str, int]


@dataclass(frozen=True)
class ReportContext:
    """The scenario-side facts of a report; empty when the scenario could not be read."""

    counties: tuple[CountyInfo, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    quality: tuple[FileQuality, ...] = ()
    problem: str = ""
    """Why the scenario could not be read (shown in the report), or empty."""
    changed: bool = False
    """The scenario hash differs from the run's: the files changed since the run."""
    extra: Mapping[str, Any] = field(default_factory=dict)


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _setting(settings: Any, key: str) -> Any:
    value = settings
    for part in key.split("."):
        value = getattr(value, part)
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)  # type: ignore[arg-type]
    return value


def classify(text: str) -> str:
    """The kind of figure a source/note cell states (``unlabelled`` when it says none)."""
    low = text.lower()
    for kind, words in KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "unlabelled"


def file_quality(name: str, path: Path) -> FileQuality | None:
    """Rows by kind of one CSV input (``None`` when it has no source/note column)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        return None
    column = next((c for c in _SOURCE_COLUMNS if c in rows[0]), None)
    if column is None:
        return None
    kinds: dict[str, int] = {}
    for row in rows:
        kind = classify(row.get(column) or "")
        kinds[kind] = kinds.get(kind, 0) + 1
    return FileQuality(name, str(path), len(rows), dict(sorted(kinds.items())))


def from_loaded(loaded: Any, *, run_files: Mapping[str, Any] | None = None) -> ReportContext:
    """The context of a loaded scenario (:class:`shanchuan.loaded.Loaded`)."""
    from shanchuan import scenario as scenario_mod

    frame = loaded.data("matching").counties
    counties = tuple(
        CountyInfo(
            id=str(cid),
            annex_name=str(row["annex_name"]),
            full_name=str(row.get("full_name") or row["annex_name"]),
            role=str(row["role"]),
            prefecture=str(row.get("prefecture") or ""),
            lat=_num(row.get("lat")),
            lon=_num(row.get("lon")),
            population_wan=_num(row.get("population_wan")),
        )
        for cid, row in frame.iterrows()
    )
    settings = loaded.settings()
    assumptions = tuple(
        Assumption(key, _setting(settings, key), info.doc)
        for key, info in scenario_mod.KNOWN.items()
        if "assumption" in info.doc.lower()
    )
    quality = tuple(
        q
        for name, path in loaded.files("all").items()
        for q in [file_quality(name, Path(path))]
        if q is not None
    )
    changed = False
    if run_files:
        # A data file whose bytes differ from the run's: what follows describes today's file.
        from shanchuan import provenance

        for info in run_files.values():
            path = Path(str(info.get("path", "")))
            if not path.is_file() or provenance.file_digest(path) != info.get("sha256"):
                changed = True
    return ReportContext(counties, assumptions, quality, changed=changed)


def from_provenance(prov: Mapping[str, Any]) -> ReportContext:
    """Load the run's scenario again from its provenance; an empty context saying why on failure."""
    from shanchuan import pipeline
    from shanchuan.errors import ShanchuanError

    files: Sequence[str] = prov.get("scenario_files") or []
    spec = files[0] if files and Path(files[0]).exists() else prov.get("scenario")
    if not spec:
        return ReportContext(problem="the provenance names no scenario")
    try:
        loaded = pipeline.load(
            str(spec),
            overrides=list(prov.get("override_sets") or []),
            sets=list(prov.get("set") or []),
        )
        return from_loaded(loaded, run_files=prov.get("data_files") or {})
    except (ShanchuanError, OSError) as exc:
        return ReportContext(problem=f"{spec}: {exc}")


__all__ = [
    "Assumption",
    "CountyInfo",
    "FileQuality",
    "ReportContext",
    "classify",
    "file_quality",
    "from_loaded",
    "from_provenance",
]
