"""What is checked before any solve: the CLI flags' values and every file a command reads.

The scenario's keys are checked when it is loaded (:data:`shanchuan.scenario.DOMAINS`). What
the CLI adds on top — analysis counts given as flags, and the files of every stage a command
will run — is checked here, so that ``shanchuan run`` reports a bad project file before the
pairing is solved, not after it, and ``--alternatives -1`` names the flag.

>>> FLAG_DOMAINS["alternatives"].expected
'an integer in [0, 1000] (0 = off)'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shanchuan import config
from shanchuan.errors import InputError, Problem

if TYPE_CHECKING:
    from shanchuan.loaded import Engine, Loaded

#: The ``match`` flags that take a number, by argparse ``dest``: what each accepts. Each
#: alternative and each sample is a re-solve, hence the caps.
FLAG_DOMAINS: Mapping[str, config.Domain] = {
    "alternatives": config.interval(0, 1000, integer=True, note="0 = off"),
    "sensitivity": config.interval(0, 100_000, integer=True, note="0 = off"),
}


def flag_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Problems of the numeric CLI flags among ``values`` (argparse ``dest`` -> value)."""
    problems = []
    for dest, domain in FLAG_DOMAINS.items():
        if dest in values and not domain(values[dest]):
            flag = "--" + dest.replace("_", "-")
            problems.append(
                Problem(
                    file=flag,
                    message="invalid value",
                    value=values[dest],
                    expected=domain.expected,
                    label="flag",
                )
            )
    return problems


def check_flags(values: Mapping[str, Any]) -> None:
    """Raise :class:`InputError` (exit 2) naming every numeric flag with a bad value."""
    InputError.collect(flag_problems(values))


def engines_of(command: str, loaded: Loaded) -> tuple[Engine, ...]:
    """The engines whose files ``command`` reads.

    ``allocate`` and ``run`` solve the pairing first unless the scenario gives a pair file.
    """
    if command == "match":
        return ("matching",)
    if command in ("allocate", "run"):
        if loaded.scenario.settings.data.pairs:
            return ("allocation",)
        return ("matching", "allocation")
    return ()


def file_problems(loaded: Loaded, engines: Iterable[Engine]) -> list[Problem]:
    """The data files ``engines`` read that are missing, not regular files or unreadable.

    Each is filed where its key was set (the scenario file, an override set, ``--set``, or
    the ``--pairs`` flag).
    """
    from shanchuan.loaded import ENGINE_FILES

    sc = loaded.scenario
    problems = []
    keys = dict.fromkeys(k for e in engines for k in ENGINE_FILES[e])
    for key in keys:
        path = sc.data_path(key)
        if path is None:
            continue
        reason = _unreadable(path)
        if reason:
            origin = sc.origin(f"data.{key}")
            relative = "the working directory" if origin.startswith("--") else "the scenario file"
            problems.append(
                Problem(
                    file=origin,
                    column=f"data.{key}",
                    message=reason,
                    value=str(path),
                    expected=f"a readable file (relative paths are read from {relative})",
                    label="key",
                )
            )
    return problems


def _unreadable(path: Path) -> str | None:
    import os

    try:
        if not path.exists():
            return "file not found"
        if path.is_dir():
            return "is a folder, not a file"
        if not path.is_file():
            return "not a regular file"
        if not os.access(path, os.R_OK):
            return "file not readable (permission denied)"
    except OSError as exc:  # a name too long, a loop of links
        return f"cannot be opened ({exc.strerror or exc})"
    return None


def preflight(loaded: Loaded, engines: Iterable[Engine]) -> None:
    """Read and validate every file ``engines`` read, and resolve their rules' counties.

    Done before any solve; raises one :class:`InputError` holding every problem of all of
    them (each problem once, though two engines read the same counties file).
    """
    engines = tuple(engines)
    problems = file_problems(loaded, engines)
    InputError.collect(problems)  # the readers would report these again, less precisely
    seen: set[str] = set()
    for engine in engines:
        try:
            loaded.settings(engine)  # reads and validates the engine's files first
        except InputError as exc:
            for p in exc.problems:
                if str(p) not in seen:
                    seen.add(str(p))
                    problems.append(p)
    InputError.collect(problems)
