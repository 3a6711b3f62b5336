"""``shanchuan reproduce RUN_DIR``: run a run folder again from what it recorded, and compare.

A run folder (run format 2, ``docs/run-folder.md``) records its effective settings
(``scenario.toml``), a copy of each input file (``inputs/``) and the SHA-256 of every input
and output file. :func:`reproduce` checks those hashes, re-runs the same command with the
same pairing analyses on the recorded settings and inputs, and compares the new result with
the recorded one (:mod:`shanchuan.comparison`): ``identical``, or every difference — including a
file of the folder changed after it was written, and an input copy that no longer matches
its hash. The CLI exits 0 when identical, 1 when anything differs, 2 for a folder it cannot
reproduce (missing, not a run folder, from an older run format, or a run whose
``extra_constraints`` function the folder cannot hold).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shanchuan import runfolder
from shanchuan.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from shanchuan.comparison import Comparison


@dataclass(frozen=True)
class Reproduction:
    """The verdict of re-running a run folder."""

    folder: str
    command: str
    comparison: Comparison
    changed_files: tuple[str, ...] = ()
    """Files of the folder whose bytes no longer match the manifest's SHA-256."""
    inputs: tuple[str, ...] = ()
    """Input problems: a copy that no longer matches its hash (the copy was used)."""
    used: dict[str, str] = field(default_factory=dict)
    """Data key -> the file the re-run read (the copy, or the original when the copy was bad)."""

    @property
    def identical(self) -> bool:
        return self.comparison.identical and not self.changed_files and not self.inputs

    @property
    def status(self) -> str:
        return "identical" if self.identical else "different"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "folder": self.folder,
            "command": self.command,
            "changed_files": list(self.changed_files),
            "inputs": list(self.inputs),
            "inputs_used": self.used,
            "comparison": self.comparison.to_dict(),
            "provenance": self.comparison.to_dict()["provenance"],
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        return self.comparison.tables()

    def report_lines(self) -> list[str]:
        zh = self.comparison.language == "zh"
        if self.identical:
            word = "相同" if zh else "identical"
            return [f"reproduce {self.folder}: {word}"]
        lines = [f"reproduce {self.folder}: " + ("有差别" if zh else "different")]
        for name in self.changed_files:
            lines.append(("  运行后被改动的文件：" if zh else "  changed after the run: ") + name)
        lines += [f"  {p}" for p in self.inputs]
        if not self.comparison.identical:
            lines += ["", *self.comparison.report_lines()]
        return lines

    def markdown(self) -> str:
        return "\n".join(["```text", *self.report_lines(), "```"]) + "\n"


def _inputs(folder: Path, manifest: dict[str, Any]) -> tuple[list[str], list[str], dict[str, str]]:
    """``--set`` items pointing at usable inputs, the problems found, and what is used."""
    from shanchuan.provenance import file_digest

    sets: list[str] = []
    problems: list[str] = []
    used: dict[str, str] = {}
    missing = []
    for key, info in sorted((manifest.get("inputs") or {}).items()):
        digest = info.get("sha256")
        copy = folder / info["copy"] if info.get("copy") else None
        original = Path(info.get("path", ""))
        if copy is not None and copy.is_file() and file_digest(copy) == digest:
            used[key] = str(copy)
            continue
        if original.is_file() and file_digest(original) == digest:
            sets.append(f'data.{key}="{original.as_posix()}"')
            used[key] = str(original)
            if copy is not None:
                problems.append(
                    f"input {info['copy']}: does not match its recorded SHA-256 (changed after "
                    f"the run); the original {original} does and was used"
                )
            continue
        if copy is not None and copy.is_file():
            problems.append(
                f"input {info['copy']}: does not match its recorded SHA-256 (changed after "
                "the run); re-run on the changed copy"
            )
            used[key] = str(copy)
            continue
        missing.append(f"{key} ({info.get('copy') or original})")
    if missing:
        raise runfolder.problem(
            folder,
            "input files missing: " + ", ".join(missing),
            "the copies in inputs/ (or the original files) the run recorded",
        )
    return sets, problems, used


def reproduce(folder: str | Path, *, language: str = "zh", on_solve: Any = None) -> Reproduction:
    """Re-run the run folder ``folder`` from what it recorded and compare (see module doc)."""
    from shanchuan import pipeline
    from shanchuan.comparison import diff, from_folder, from_outcome

    folder = Path(folder)
    manifest = runfolder.read_manifest(folder, what="a run folder to reproduce")
    if not (folder / runfolder.SCENARIO_COPY).is_file() or "inputs" not in manifest:
        raise runfolder.problem(
            folder,
            f"records no {runfolder.SCENARIO_COPY} and inputs/ (written before run format 2)",
            "a run folder written by this shanchuan's --out",
        )
    hook = (manifest.get("provenance") or {}).get("extra_constraints")
    if hook:
        raise runfolder.problem(
            folder,
            f"was solved with extra_constraints={hook}, a Python function the folder cannot "
            "hold; re-run it from Python with the same function",
        )
    command = str(manifest["command"])
    sets, problems, used = _inputs(folder, manifest)
    changed = runfolder.changed_files(folder, manifest)
    recorded = from_folder(folder, "recorded")
    loaded = pipeline.load(folder / runfolder.SCENARIO_COPY, sets=sets)
    analyses = manifest.get("analyses")
    chosen = pipeline.Analyses(**analyses) if isinstance(analyses, dict) else None
    if command == "match":
        outcome: Any = pipeline.match(loaded, analyses=chosen, on_solve=on_solve)
    elif command == "allocate":
        outcome = pipeline.allocate(loaded, on_solve=on_solve)
    else:
        outcome = pipeline.run(loaded, analyses=chosen, on_solve=on_solve)
    again = from_outcome(outcome, "re-run")
    return Reproduction(
        folder=str(folder),
        command=command,
        comparison=diff(recorded, again, language=language),
        changed_files=tuple(changed),
        inputs=tuple(problems),
        used=used,
    )


__all__ = ["InputError", "Reproduction", "reproduce"]
