"""``shanchuan check``: every input check ``match`` and ``allocate`` would make, without solving.

Besides reading and validating every file, the scenario goes through the same preparation as a
run — county names in rules resolved, the pairing engine's ``prepare`` (units against the
matrix, locks against caps and ``max_distance``, ...), the allocation engine's ``prepare``
(settings against the project pool) and the solver looked up — so that ``check`` never passes
a scenario that a run then rejects with an input error (exit 2).

Without a pair file the allocation's pairs come from the pairing, which ``check`` does not
solve: the allocation is then prepared on a stand-in pairing (the projects' named supporters
and the locks first, the rest in file order). Its problems do not depend on which supporter a
recipient gets, except those that count a pair's fundable projects; a problem found this way
says so.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from shanchuan import scenario as scenario_mod
from shanchuan import stages
from shanchuan.errors import InputError
from shanchuan.loaded import Loaded

#: Exit code of a scenario that passes.
EXIT_OK = 0


def check(loaded: Loaded, *, write: object = print) -> int:
    """Validate ``loaded`` as a run would; raises the run's InputError, else prints a summary."""
    quiet = _quiet
    say = write if callable(write) else print
    sc = loaded.scenario
    stages.prepare(loaded, "matching", progress=quiet)
    files = dict(loaded.files("matching"))
    checked = ["pairing prepared"]
    if loaded.scenario.settings.data.projects:
        files.update(loaded.files("allocation"))
        if sc.settings.data.pairs:
            stages.prepare(loaded, "allocation", progress=quiet)
            checked.append("allocation prepared on the pair file")
        else:
            _prepare_on_stand_in(loaded)
            checked.append("allocation prepared on a stand-in pairing (pairs come from the solve)")
    names = [k for k in scenario_mod.DATA_FILE_KEYS if k in files]
    say(f"scenario {sc.name}: {len(names)} files valid ({', '.join(names)}); " + "; ".join(checked))
    for change in sc.changes:
        say(f"  {change}")
    return EXIT_OK


def _quiet(line: str) -> None:
    pass


def stand_in_pairs(loaded: Loaded) -> pd.DataFrame:
    """A 1:1 pairing that respects the locks and the projects' named supporters where it can."""
    data = loaded.data("matching")
    settings = loaded.settings("matching")
    counties = data.counties
    role = counties["role"] if "role" in counties.columns else None
    if role is None:
        raise InputError("counties.csv has no role column", file="check")
    recipients = [str(c) for c in counties.index[role == "recipient"]]
    supporters = [str(c) for c in counties.index[role == "supporter"]]
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    wishes = [tuple(map(str, pair)) for pair in settings.matching.rules.locks]
    projects = loaded.data("allocation").projects
    if projects is not None and "supporter" in projects.columns:
        for r, s in zip(projects["recipient"], projects["supporter"], strict=True):
            if isinstance(s, str) and s:
                wishes.append((str(r), s))
    for r, s in wishes:
        if r in recipients and s in supporters and r not in chosen and s not in taken:
            chosen[r] = s
            taken.add(s)
    rest = iter(s for s in supporters if s not in taken)
    rows = [(r, chosen.get(r) or next(rest, "")) for r in recipients]
    return pd.DataFrame([row for row in rows if row[1]], columns=["recipient", "supporter"])


def _prepare_on_stand_in(loaded: Loaded) -> None:
    try:
        stages.prepare(loaded, "allocation", pairs=stand_in_pairs(loaded), progress=_quiet)
    except InputError as exc:
        note = " (found on a stand-in pairing: no pair file, and check does not solve the pairing)"
        raise InputError([replace(p, message=p.message + note) for p in exc.problems]) from exc
