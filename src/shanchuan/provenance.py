"""Provenance recorded with every result: what went in, what ran, what came out."""

from __future__ import annotations

import functools
import hashlib
import platform
import sys
from collections.abc import Mapping
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
        "set": list(scenario.sets),
        "changes": [c.to_dict() for c in scenario.changes],
        "versions": package_versions(),
        "platform": f"{platform.system()} {platform.machine()}",
        "command": " ".join(sys.argv[:1] + sys.argv[1:]) if sys.argv else "",
        **extra,
    }
