"""Result archives: a directory of files written atomically, with a manifest.

``--out DIR`` gets ``manifest.json`` (provenance: scenario hash, applied changes, package and
solver versions, status, timings), ``result.json`` (the JSON contract) and CSV tables that open
in Excel on Chinese Windows (UTF-8 with BOM). Everything is first written into a fresh sibling
directory, then renamed into place in one step, so a reader never sees half a run.

An existing ``DIR`` is never overwritten unless ``force`` is given, and even then only when it
holds an earlier shanchuan run (a ``manifest.json``): a user's other files are never deleted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from shanchuan.errors import OutputExistsError
from solverkit import jsonio

MANIFEST = "manifest.json"
WORKBOOK = "results.xlsx"


def excel_available() -> bool:
    """Whether the optional xlsx writer (``pip install 'shanchuan[excel]'``) is installed."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


def write_workbook(path: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    """One sheet per table; sheet names are the table names, cut to Excel's 31 characters."""
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            sheet = name.removesuffix(".csv")[:31]
            base, k = sheet, 2
            while sheet in used:
                suffix = f"~{k}"
                sheet, k = base[: 31 - len(suffix)] + suffix, k + 1
            used.add(sheet)
            frame.to_excel(writer, sheet_name=sheet, index=False)


def dumps(obj: Any) -> str:
    """The JSON of every file we write: the one writer of :mod:`solverkit.jsonio`."""
    return jsonio.dumps(obj)


def check_target(out: Path, *, force: bool) -> None:
    """Refuse a target that would overwrite something (before any work is done)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputExistsError(f"--out {out}: exists and is not a directory; choose another path")
    entries = list(out.iterdir())
    if not entries:
        return
    if not (out / MANIFEST).is_file():
        raise OutputExistsError(
            f"--out {out}: directory exists and holds files that are not a shanchuan run; "
            "choose an empty or new directory (nothing was written)"
        )
    if not force:
        raise OutputExistsError(
            f"--out {out}: holds an earlier run ({MANIFEST} present); "
            "pass --force to replace it, or choose another directory (nothing was written)"
        )


def write_archive(
    out: Path,
    *,
    manifest: Mapping[str, Any],
    json_files: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    text_files: Mapping[str, str] | None = None,
    force: bool = False,
    excel: bool = False,
) -> Path:
    """Write a run into ``out`` atomically; returns the final directory.

    With ``excel`` the tables also go into ``results.xlsx``, one sheet each (needs openpyxl).
    """
    out = Path(out)
    check_target(out, force=force)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    try:
        for name, payload in json_files.items():
            (staging / name).write_text(dumps(payload), encoding="utf-8")
        for name, frame in tables.items():
            frame.to_csv(staging / name, index=False, encoding="utf-8-sig", lineterminator="\n")
        for name, text in (text_files or {}).items():
            (staging / name).write_text(text, encoding="utf-8")
        if excel:
            write_workbook(staging / WORKBOOK, tables)
        # The manifest goes last: its presence marks a complete run.
        listing = sorted(p.name for p in staging.iterdir())
        (staging / MANIFEST).write_text(dumps({**manifest, "files": listing}), encoding="utf-8")
        if out.exists() and any(out.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            os.replace(out, old / out.name)
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if out.exists():
                out.rmdir()
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
