"""The run folder (``--out DIR``): what it records beyond the results, and how it is read back.

Written by :func:`shanchuan.outputs.archive.write_run`; the layout and its version
(``run_format`` in ``manifest.json``) are documented in ``docs/run-folder.md``. Besides the
results a run folder keeps what it takes to run it again (``shanchuan reproduce``):

- ``scenario.toml`` — the effective settings, resolved (every layer, override set and
  ``--set`` applied), as a scenario file shanchuan loads (so ``shanchuan run RUN_DIR`` runs
  it again); its data paths name the copies in ``inputs/`` (or the original file, when it
  was too large to copy). TOML, not JSON: it holds ``inf`` (no distance cap);
- ``inputs/KEY/NAME`` — a copy of every input file read, up to :data:`COPY_LIMIT_BYTES`
  (files the command did not read keep their recorded path);
- in ``manifest.json``: ``settings`` (the same tree), ``inputs`` (per data key its original
  path, size, SHA-256 and copy), ``analyses`` (the pairing analyses that ran) and
  ``sha256`` (every file the run wrote, so a changed file is found).

This module reads no engine: ``shanchuan compare --help`` stays light.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from shanchuan.errors import InputError, Problem

MANIFEST = "manifest.json"
RESULT = "result.json"
SCENARIO_COPY = "scenario.toml"
INPUTS_DIR = "inputs"
#: Input files up to this size are copied into ``inputs/``; larger ones are recorded by path,
#: size and SHA-256 only (a 44-county scenario's files are a few hundred kB in all).
COPY_LIMIT_BYTES = 5_000_000
#: The commands whose folders are runs (``compare --out`` writes a comparison, not a run).
RUN_COMMANDS = ("run", "match", "allocate")


def _outcome_parts(outcome: Any) -> Iterator[Any]:
    """The match/allocation outcomes inside ``outcome`` (a run holds both)."""
    seen: set[int] = set()
    stack = [outcome]
    while stack:
        part = stack.pop()
        if part is None or id(part) in seen:
            continue
        seen.add(id(part))
        if hasattr(part, "scenario"):
            yield part
        stack += [getattr(part, "match", None), getattr(part, "allocation", None)]


def scenario_of(outcome: Any) -> Any:
    """The :class:`~shanchuan.scenario.Scenario` an outcome was solved from."""
    for part in _outcome_parts(outcome):
        return part.scenario
    raise ValueError(f"{type(outcome).__name__} carries no scenario")


def input_files(outcome: Any) -> dict[str, Path]:
    """Data key -> the file every engine of ``outcome`` read (from their provenance)."""
    files: dict[str, Path] = {}
    for part in _outcome_parts(outcome):
        for key, info in (part.provenance.get("data_files") or {}).items():
            files.setdefault(key, Path(info["path"]))
    return dict(sorted(files.items()))


def analyses_of(outcome: Any) -> dict[str, Any] | None:
    """The pairing analyses that ran (as :class:`~shanchuan.outcomes.Analyses` fields)."""
    match = outcome if hasattr(outcome, "analyses") else getattr(outcome, "match", None)
    if match is None:
        return None
    found = match.analyses
    alts = found.get("alternatives")
    sens = found.get("sensitivity")
    return {
        "explain": "explanations" in found,
        "forcing_costs": "forcing_costs" in found,
        "alternatives": int(alts["rank"].max()) if alts is not None and len(alts) else 0,
        "sensitivity": int(getattr(sens, "samples", 0) or 0),
        "stability": "blocking_pairs" in found,
    }


def copy_name(key: str, path: Path) -> str:
    """Where the copy of data file ``key`` goes: ``inputs/KEY/NAME``.

    The file keeps its name, since the settings hash counts data files by name; the key's
    folder keeps two inputs of the same name apart.
    """
    return f"{INPUTS_DIR}/{key}/{path.name}"


def recorded(outcome: Any) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The manifest fields and the files that let ``reproduce`` re-run ``outcome``."""
    from shanchuan import config
    from shanchuan.provenance import file_digest

    sc = scenario_of(outcome)
    settings = config.to_plain(sc.settings)
    inputs: dict[str, Any] = {}
    files: list[tuple[str, bytes]] = []
    data = dict(settings["data"])
    for key, path in input_files(outcome).items():
        size = path.stat().st_size
        copy = copy_name(key, path) if size <= COPY_LIMIT_BYTES else None
        if copy is not None:
            files.append((copy, path.read_bytes()))
        inputs[key] = {"path": str(path), "bytes": size, "sha256": file_digest(path), "copy": copy}
        data[key] = copy if copy is not None else str(path)
    scenario_file = {**settings, "data": data}
    scenario_file["scenario"] = {**settings["scenario"], "name": sc.name, "extends": ""}
    head = "# The effective settings of this run, resolved (written by shanchuan --out).\n"
    files.append((SCENARIO_COPY, (head + toml_text(scenario_file)).encode("utf-8")))
    fields = {"settings": settings, "inputs": inputs, "analyses": analyses_of(outcome)}
    return fields, files


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        if value in ("inf", "-inf"):  # config.to_plain's spelling of an infinite float
            return value
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def toml_text(tree: Mapping[str, Any], prefix: str = "") -> str:
    """A settings tree (nested dicts of plain values) as TOML text, one table per group.

    A string setting spelled ``"inf"`` is written as the float ``inf``: the settings tree
    holds no string settings with that value (:func:`shanchuan.config.to_plain` writes
    infinite floats so).
    """
    scalars = [(k, v) for k, v in tree.items() if not isinstance(v, Mapping)]
    tables = [(k, v) for k, v in tree.items() if isinstance(v, Mapping)]
    lines = [f"[{prefix}]"] if prefix and scalars else []
    lines += [f"{k} = {_toml_value(v)}" for k, v in scalars]
    text = "\n".join(lines) + ("\n\n" if lines else "")
    for k, v in tables:
        text += toml_text(v, f"{prefix}.{k}" if prefix else k)
    return text


def problem(folder: Path, message: str, expected: str = "") -> InputError:
    """A bad run folder, as an input error naming it."""
    return InputError(Problem(file=str(folder), message=message, expected=expected or None))


def read_manifest(folder: Path, *, what: str = "a run folder") -> dict[str, Any]:
    """The manifest of a run folder written by ``--out``; a clear error for anything else."""
    from shanchuan.outputs.archive import KNOWN_RUN_FORMATS, TOOL

    folder = Path(folder)
    expected = f"{what} written by `shanchuan run|match|allocate --out DIR`"
    if not folder.exists():
        raise problem(folder, "no such folder", expected)
    if not folder.is_dir():
        raise problem(folder, "is a file, not a folder", expected)
    path = folder / MANIFEST
    if not path.is_file():
        raise problem(folder, f"not a shanchuan run folder (no {MANIFEST})", expected)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise problem(folder, f"{MANIFEST} is not readable JSON ({exc})", expected) from None
    if not isinstance(data, dict) or data.get("tool") != TOOL:
        raise problem(
            folder, f"{MANIFEST} was not written by shanchuan (another tool's folder)", expected
        )
    if data.get("run_format") not in KNOWN_RUN_FORMATS:
        raise problem(
            folder,
            f"run_format {data.get('run_format')!r} is not one this shanchuan reads",
            "run_format " + " or ".join(str(f) for f in KNOWN_RUN_FORMATS),
        )
    if data.get("command") not in RUN_COMMANDS:
        raise problem(
            folder,
            f"holds the output of `shanchuan {data.get('command')}`, not a run",
            expected,
        )
    if not (folder / RESULT).is_file():
        raise problem(folder, f"{RESULT} is missing", expected)
    return data


def read_result(folder: Path) -> dict[str, Any]:
    """``result.json`` of a run folder (the JSON contract of the run)."""
    path = Path(folder) / RESULT
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise problem(Path(folder), f"{RESULT} is not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise problem(Path(folder), f"{RESULT} is not a JSON object")
    return data


def changed_files(folder: Path, manifest: Mapping[str, Any]) -> list[str]:
    """Files of the run whose bytes differ from the SHA-256 the manifest recorded."""
    from shanchuan.provenance import file_digest

    out = []
    for name, digest in sorted((manifest.get("sha256") or {}).items()):
        path = Path(folder) / name
        if not path.is_file():
            out.append(f"{name} (missing)")
        elif file_digest(path) != digest:
            out.append(name)
    return out
