"""``shanchuan compare``: what changed from one run to another, and why.

>>> import shanchuan
>>> cmp = shanchuan.compare("hubei-2021", "hubei-2021", engine="match",
...                         sets=["matching.rules.max_distance=400"])
>>> cmp.status, len(cmp.pair_changes) > 0
('different', True)
>>> sorted(o.engine for o in cmp.objectives), cmp.objectives[0].comparable
(['matching'], True)

Modules: :mod:`.record` (one side, from a run folder or an outcome), :mod:`.diff` (the
comparison of two records — no solving, so a sweep reuses it), :mod:`.model` (the typed
result: ``tables()``, ``to_dict()``), :mod:`.render` (terminal and Markdown),
:mod:`.sides` (what a side names, solved on the fly when it is not a run folder).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shanchuan.comparison.diff import diff
from shanchuan.comparison.model import (
    Comparison,
    Comparisons,
    CriterionDelta,
    FairnessDelta,
    MoneyRow,
    ObjectiveDelta,
    PairChange,
    ProjectChange,
    SettingDiff,
)
from shanchuan.comparison.record import RunRecord, from_folder, from_outcome
from shanchuan.comparison.sides import Side, folder_command, record


def compare(
    a: Any,
    b: Any,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
    engine: str | None = None,
    language: str = "zh",
    on_solve: Any = None,
) -> Comparison:
    """Compare run ``b`` with run ``a`` (every delta is B − A).

    ``a`` and ``b`` are run folders (``--out DIR``), scenarios (a file, a folder with
    ``scenario.toml``, a built-in name, a :class:`~shanchuan.loaded.Loaded`; solved now),
    outcomes of :func:`shanchuan.run`/``match``/``allocate``, or :class:`RunRecord`.
    ``overrides`` and ``sets`` apply to ``b`` (as ``--scenario``/``--set`` do on the command
    line). ``engine`` (``run``, ``match``, ``allocate``) solves the scenario sides; by default
    the command of a run-folder side, else ``run``.
    """
    return compare_sides(
        [Side(a), Side(b, tuple(overrides), tuple(sets))],
        engine=engine,
        language=language,
        on_solve=on_solve,
    )[0]


def compare_sides(
    sides: Sequence[Side],
    *,
    engine: str | None = None,
    language: str = "zh",
    on_solve: Any = None,
) -> list[Comparison]:
    """Every side after the first compared with the first (each solved at most once)."""
    if len(sides) < 2:
        raise ValueError("compare needs at least two sides")
    if engine is None:
        engine = next((c for c in map(folder_command, sides) if c is not None), "run")
    records = [record(s, engine=engine, language=language, on_solve=on_solve) for s in sides]
    return [diff(records[0], r, language=language) for r in records[1:]]


__all__ = [
    "Comparison",
    "Comparisons",
    "CriterionDelta",
    "FairnessDelta",
    "MoneyRow",
    "ObjectiveDelta",
    "PairChange",
    "ProjectChange",
    "RunRecord",
    "SettingDiff",
    "Side",
    "compare",
    "compare_sides",
    "diff",
    "from_folder",
    "from_outcome",
    "record",
]
