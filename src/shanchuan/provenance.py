"""Provenance recorded with every result: what went in, what ran, what came out."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import platform
import sys
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PACKAGES = ("shanchuan", "pulp", "numpy", "scipy", "pandas", "networkx", "geopy", "highspy")


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape a result."""
    return dict(_package_versions())


@functools.cache  # reading package metadata costs ~30 ms; a sweep stamps every variant
def _package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


#: Path -> SHA-256 of files whose bytes were read once and passed on by value (sweep workers,
#: which must not open the parent's files); consulted before a file is read.
KNOWN_DIGESTS: dict[str, str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    if str(path) in KNOWN_DIGESTS:
        return KNOWN_DIGESTS[str(path)]
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def scenario_hash(settings_hash: str, data_digests: Mapping[str, str]) -> str:
    """One hash of the effective settings and the bytes of every data file used."""
    h = hashlib.sha256(settings_hash.encode())
    for key in sorted(data_digests):
        h.update(f"\n{key}={data_digests[key]}".encode())
    return h.hexdigest()


def build(
    scenario: Any, data_files: Mapping[str, Path], extra: Mapping[str, Any]
) -> dict[str, Any]:
    """The provenance block of a result (``scenario`` is a :class:`shanchuan.scenario.Scenario`)."""
    digests = {key: file_digest(path) for key, path in sorted(data_files.items())}
    settings_hash = scenario.settings_hash()
    return {
        "scenario": scenario.name,
        "scenario_files": [str(p) for p in scenario.files],
        "scenario_hash": scenario_hash(settings_hash, digests),
        "settings_hash": settings_hash,
        "data_files": {
            k: {"path": str(p), "sha256": digests[k]} for k, p in sorted(data_files.items())
        },
        "override_sets": list(scenario.overrides),
        "set": typed_sets(scenario),
        "changes": [c.to_dict() for c in scenario.changes],
        "versions": package_versions(),
        "platform": f"{platform.system()} {platform.machine()}",
        "command": " ".join(sys.argv[:1] + sys.argv[1:]) if sys.argv else "",
        **extra,
    }


def typed_sets(scenario: Any) -> list[str]:
    """The ``--set`` items the user typed (not those a flag such as ``--fast`` stands for)."""
    origins = getattr(scenario, "origins", {}) or {}
    return [
        s for s in scenario.sets if origins.get(s.split("=", 1)[0].strip(), "--set") == "--set"
    ]


def attribute(scenario: Any, items: Sequence[str], source: str) -> Any:
    """``scenario`` with the changes made by ``items`` (``key=value``) credited to ``source``.

    A flag such as ``--fast`` or ``--lang zh`` is applied as ``--set`` items; the record
    (``changes.log``, the manifest's ``changes`` and ``set``) names what the user typed, not
    an anonymous ``--set``. Items the user also gave with ``--set`` stay ``--set``.
    """
    keys = {item.split("=", 1)[0].strip() for item in items}
    user = [s for s in scenario.sets if s not in items]
    typed = {s.split("=", 1)[0].strip() for s in user}
    mine = keys - typed
    changes = tuple(
        dataclasses.replace(c, source=source) if c.key in mine and c.source == "--set" else c
        for c in scenario.changes
    )
    origins = {
        k: (source if k in mine and v == "--set" else v) for k, v in scenario.origins.items()
    }
    # ``sets`` is kept whole: a variant made from this scenario (``with_overrides``) re-applies
    # it; :func:`build` lists as ``set`` only the items still credited to ``--set``.
    return dataclasses.replace(scenario, changes=changes, origins=origins)
