"""The sweep folder: one JSON file per finished variant, written atomically, and its base.

::

    DIR/sweep.json           the base scenario (name, settings hash, data digests), the engine
    DIR/variants/<key>.json  one finished variant (its record: settings, status, results)
    DIR/index.csv            one row per variant of the last sweep run into DIR
    DIR/summary.json         + DIR/*.csv: the summary tables (:mod:`shanchuan.sweep.summary`)

A variant file appears whole or not at all (written beside, then renamed), so an interrupted
sweep leaves only finished variants behind, and a re-run skips them. A folder made for another
base scenario, another engine or other data is refused: its variants would mix two sweeps.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shanchuan.errors import InputError, Problem

FORMAT = 1
MANIFEST = "sweep.json"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps(value: Any) -> str:
    """Canonical JSON text (sorted keys, UTF-8 names kept) of a record or manifest."""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"


class SweepFolder:
    """A sweep folder on disk (see the module doc)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.variants = self.root / "variants"

    def open(self, base: Mapping[str, Any]) -> None:
        """Claim the folder for ``base``; refuse one that holds another base's sweep."""
        manifest = self.root / MANIFEST
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"--out {self.root}: is a file; give a folder for the sweep")
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise InputError(
                    f"{manifest}: not a readable sweep manifest ({exc}); give another --out"
                ) from exc
            differs = [
                k
                for k in sorted(set(base) | set(old.get("base", {})))
                if old.get("base", {}).get(k) != base.get(k)
            ]
            if differs:
                raise InputError(
                    [
                        Problem(
                            file=str(manifest),
                            column=k,
                            message="this sweep folder belongs to another base "
                            "(variants are never mixed)",
                            value=old.get("base", {}).get(k),
                            expected=f"{base.get(k)!r}; give another --out folder",
                        )
                        for k in differs
                    ]
                )
        elif self.root.is_dir() and any(self.root.iterdir()):
            raise InputError(
                f"--out {self.root}: exists and is not a sweep folder (no {MANIFEST}); "
                "give a new or empty folder"
            )
        else:
            write_atomic(manifest, dumps({"format": FORMAT, "base": dict(base)}))
        self.variants.mkdir(parents=True, exist_ok=True)

    def finished(self) -> dict[str, dict[str, Any]]:
        """Key -> record of every variant already in the folder."""
        out: dict[str, dict[str, Any]] = {}
        if not self.variants.is_dir():
            return out
        for path in sorted(self.variants.glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue  # only a hand-edited file can be broken; it is solved again
            if isinstance(record, dict) and record.get("key") == path.stem:
                out[path.stem] = record
        return out

    def save(self, record: Mapping[str, Any]) -> None:
        write_atomic(self.variants / f"{record['key']}.json", dumps(record))


__all__ = ["FORMAT", "MANIFEST", "SweepFolder", "dumps", "write_atomic"]
