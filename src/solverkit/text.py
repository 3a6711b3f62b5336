"""Suggestions for mistyped names: one ``did_you_mean`` for keys, ids, names and solvers."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most similar to ``word``, or ``None`` when none is close.

    Tried in turn: the whole word; case-insensitively; for dotted keys, the last part alone
    (``rules.max_distnce`` finds ``matching.rules.max_distance``).
    """
    pool = list(dict.fromkeys(choices))
    close = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    if close:
        return close[0]
    lowered = {c.casefold(): c for c in pool}
    hit = difflib.get_close_matches(word.casefold(), list(lowered), n=1, cutoff=cutoff)
    if hit:
        return lowered[hit[0]]
    if "." in word:
        tail = word.rsplit(".", 1)[-1]
        by_tail = {c.rsplit(".", 1)[-1]: c for c in pool}
        hit = difflib.get_close_matches(tail, list(by_tail), n=1, cutoff=0.75)
        if hit:
            return by_tail[hit[0]]
    return None


def did_you_mean(
    word: str, choices: Iterable[str], *, describe: Mapping[str, str] | None = None
) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or ``""`` if none is close.

    ``describe`` maps a choice to a label shown after it, e.g. an id to its Chinese name.
    """
    best = closest(word, choices)
    if best is None:
        return ""
    label = f" ({describe[best]})" if describe and describe.get(best) else ""
    return f" (did you mean '{best}'{label}?)"
