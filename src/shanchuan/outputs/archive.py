"""``--out DIR``: a run's files written atomically, with a manifest.

``DIR`` gets ``manifest.json`` (provenance: scenario hash, applied changes, package and solver
versions, status, timings, and the list of files), ``changes.log`` (one applied change a
line), and the files of every archive member of the format registry: ``result.json`` (the
JSON contract), the CSV tables (UTF-8 with BOM, for Excel on Chinese Windows) and, when asked
for with ``--excel``, ``results.xlsx``. Everything is first written into a fresh sibling
directory, then renamed into place in one step, so a reader never sees half a run.

An existing ``DIR`` is never overwritten unless ``force`` is given, and even then only when it
holds an earlier shanchuan run — a ``manifest.json`` that says it was written by shanchuan
(``"tool"``, ``"run_format"``) and lists its files — and nothing else: a folder holding any
file that run did not write is refused, so a user's files are never deleted. An ``--out``
that cannot be created or written (read-only parent, a file in the way, a dangling link) is
refused before any solving.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from shanchuan import signals
from shanchuan.contract import SCHEMA_VERSION
from shanchuan.errors import OutputExistsError
from shanchuan.outputs.base import Format, OutputOptions
from solverkit import jsonio

MANIFEST = "manifest.json"
CHANGES = "changes.log"


#: The marker that makes a folder a shanchuan run: ``manifest.json`` is a JSON object with
#: ``"tool": "shanchuan"``, this ``run_format`` and the list of ``files`` the run wrote.
TOOL = "shanchuan"
#: The layout of a run folder (docs/run-folder.md). 2: one table name per table in every
#: command (``pairs.csv``, ``projects.csv``, ...), ``scenario.json``, ``inputs/`` and the
#: files' SHA-256s; 1: ``run`` prefixed its tables (``matching_pairs.csv``, ...).
RUN_FORMAT = 2
#: Run formats recognised as a shanchuan run (for ``--force`` and for reading back).
KNOWN_RUN_FORMATS = (1, 2)


def _run_listing(out: Path) -> list[str] | None:
    """The files an earlier run in ``out`` wrote, or ``None`` when ``out`` is not such a run.

    A folder is a run by what its manifest says, not by the file's name: a stray
    ``manifest.json`` (a web extension's, say) does not make a user's folder replaceable.
    """
    path = out / MANIFEST
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("tool") != TOOL:
        return None
    if data.get("run_format") not in KNOWN_RUN_FORMATS:
        return None
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return files


def _first_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    return probe


def check_writable(out: Path) -> None:
    """Refuse an ``--out`` that cannot be created or written, before any work is done."""
    if out.is_symlink() and not out.exists():
        raise OutputExistsError(
            f"--out {out}: is a symbolic link to {os.readlink(out)!s}, which does not exist; "
            "choose another path (nothing was written)"
        )
    parent = out.absolute().parent
    anchor = _first_existing(parent)
    if anchor.is_symlink() and not anchor.exists():
        raise OutputExistsError(
            f"--out {out}: {anchor} is a symbolic link to a path that does not exist "
            "(nothing was written)"
        )
    if not anchor.is_dir():
        raise OutputExistsError(
            f"--out {out}: {anchor} is a file, not a folder, so the output folder cannot be "
            "created there; choose another path (nothing was written)"
        )
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise OutputExistsError(
            f"--out {out}: no permission to write in {anchor}; choose a folder you can write "
            "to (nothing was written)"
        )


def check_target(out: Path, *, force: bool) -> None:
    """Refuse a target that would overwrite something or cannot be written (before any work)."""
    out = Path(out)
    check_writable(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputExistsError(f"--out {out}: exists and is not a directory; choose another path")
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    listing = _run_listing(out)
    if listing is None:
        raise OutputExistsError(
            f"--out {out}: directory exists and holds files that are not a shanchuan run "
            f"(no {MANIFEST} written by shanchuan); choose an empty or new directory "
            "(nothing was written)"
        )
    foreign = sorted(set(entries) - set(listing) - {MANIFEST})
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        shown = ", ".join(foreign[:5]) + more
        raise OutputExistsError(
            f"--out {out}: holds an earlier run but also files that run did not write "
            f"({shown}); shanchuan replaces only what it wrote: move them or choose another "
            "directory (nothing was written)"
        )
    if not force:
        raise OutputExistsError(
            f"--out {out}: holds an earlier run ({MANIFEST} present); "
            "pass --force to replace it, or choose another directory (nothing was written)"
        )
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputExistsError(
            f"--out {out}: no permission to replace the earlier run in it (nothing was written)"
        )


def changes_log(provenance: Mapping[str, Any]) -> str:
    """The applied changes, ``key: old -> new (source)`` one a line."""
    changes = "\n".join(
        f"{c['key']}: {c['old']} -> {c['new']} ({c['source']})"
        for c in provenance.get("changes", [])
    )
    return changes + ("\n" if changes else "")


def run_manifest(outcome: Any, options: OutputOptions) -> dict[str, Any]:
    """The manifest of a run, without its file list (:func:`write_archive` adds it)."""
    from shanchuan import __version__

    d = outcome.to_dict()
    return {
        "shanchuan": __version__,
        "command": options.command,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "status": outcome.status,
        "gap": d.get("gap", (d.get("allocation") or {}).get("gap")),
        "provenance": d.get("provenance", {}),
    }


def _recorded(outcome: Any) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """What ``shanchuan reproduce`` needs (:mod:`shanchuan.runfolder`).

    Nothing for an outcome without a scenario (a comparison).
    """
    from shanchuan import runfolder

    if not any(True for _ in runfolder._outcome_parts(outcome)):
        return {}, []
    return runfolder.recorded(outcome)


def member_files(
    outcome: Any, options: OutputOptions, formats: Iterable[Format]
) -> Iterator[tuple[str, bytes]]:
    """The files of every format wanted in the archive, produced one format at a time."""
    for fmt in formats:
        if fmt.wanted_in_archive(options):
            assert fmt.members is not None  # wanted_in_archive says so
            yield from fmt.members(outcome, options).items()


def write_run(out: Path, outcome: Any, options: OutputOptions, *, force: bool = False) -> Path:
    """Write ``outcome`` into ``out`` atomically: manifest, changes.log and the members."""
    from shanchuan.outputs import FORMATS

    info = run_manifest(outcome, options)
    extra, inputs = _recorded(outcome)
    info.update(extra)
    log = changes_log(info["provenance"])
    files = itertools.chain(
        member_files(outcome, options, FORMATS.values()),
        [(CHANGES, log.encode("utf-8"))],
        inputs,
    )
    return write_archive(out, manifest=info, files=files, force=force)


def write_archive(
    out: Path,
    *,
    manifest: Mapping[str, Any],
    files: Iterable[tuple[str, bytes]],
    force: bool = False,
) -> Path:
    """Write ``files`` (name, bytes) and the manifest into ``out`` atomically; returns ``out``.

    ``files`` may be produced lazily: they are written into the staging directory as they
    come, and a failure on the way leaves nothing behind.
    """
    out = Path(out)
    check_target(out, force=force)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    try:
        digests: dict[str, str] = {}
        for name, data in files:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)  # inputs/
            (staging / name).write_bytes(data)
            digests[name] = hashlib.sha256(data).hexdigest()
        # The manifest goes last: its presence marks a complete run.
        listing = sorted(p.name for p in staging.iterdir())
        (staging / MANIFEST).write_text(
            jsonio.dumps(
                {
                    "schema_version": SCHEMA_VERSION,
                    "tool": TOOL,
                    "run_format": RUN_FORMAT,
                    **manifest,
                    "files": listing,
                    "sha256": dict(sorted(digests.items())),
                }
            ),
            encoding="utf-8",
        )
        if out.exists() and any(out.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            with signals.deferred():  # a signal never falls between the two renames
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
