"""Counties referred to by id, Annex-2 name or full name, resolved to ids.

Other files and the scenario may write a county as its id (``wufeng``), its name in Annex 2 of
the programme document (``五峰县``) or its full official name (``五峰土家族自治县``).
:class:`CountyIndex` (built from counties.csv) resolves any of them to the id, or returns a
:class:`Problem` saying why it cannot: an unknown county (with a did-you-mean over ids and
names, or the one name containing a short form such as ``武昌``), a name shared by several
counties, or a county of the wrong role. :func:`resolve_county` is the one-call form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from shanchuan.errors import Problem
from shanchuan.validation.cells import cell_text
from solverkit.text import did_you_mean


@dataclass(frozen=True)
class CountyIndex:
    """Lookup of counties by id, Annex-2 name or full name (built from counties.csv)."""

    roles: Mapping[str, str]
    names: Mapping[str, str]
    """id → Annex-2 name."""
    by_name: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Annex-2 name or full name → ids carrying it."""

    @classmethod
    def from_frame(cls, counties: pd.DataFrame) -> CountyIndex:
        """Build from a counties frame indexed by id, or with an ``id`` column."""
        ids = counties["id"] if "id" in counties.columns else pd.Series(counties.index)
        ids_list = [cell_text(v) for v in ids]

        def column(name: str) -> list[str]:
            if name not in counties.columns:
                return [""] * len(ids_list)
            return [cell_text(v) for v in counties[name]]

        roles = dict(zip(ids_list, column("role"), strict=True))
        annex = column("annex_name")
        by_name: dict[str, list[str]] = {}
        for cid, a, f in zip(ids_list, annex, column("full_name"), strict=True):
            if not cid:
                continue
            for name in dict.fromkeys((a, f)):
                if name and name != cid:
                    by_name.setdefault(name, []).append(cid)
        return cls(
            roles={k: v for k, v in roles.items() if k},
            names={cid: a for cid, a in zip(ids_list, annex, strict=True) if cid},
            by_name={k: tuple(dict.fromkeys(v)) for k, v in by_name.items()},
        )

    def label(self, cid: str) -> str:
        """``'yunxi' (郧西县)``."""
        name = self.names.get(cid)
        return f"'{cid}' ({name})" if name else f"'{cid}'"

    def resolve(
        self,
        value: str,
        role: str | None = None,
        *,
        file: str,
        row: int | None = None,
        column: str | None = None,
    ) -> str | Problem:
        """The id ``value`` denotes, or a :class:`Problem` saying why there is none."""
        text = value.strip()
        expected = f"a {role or 'county'} of counties.csv, by id, Annex-2 name or full name"
        if text in self.roles:
            candidates: tuple[str, ...] = (text,)
        else:
            candidates = self.by_name.get(text, ())
        if not candidates:
            return Problem(
                file=file,
                row=row,
                column=column,
                message=f"unknown county '{text}'{self._hint(text, role)}",
                value=value,
                expected=expected,
            )
        if len(candidates) > 1:
            return Problem(
                file=file,
                row=row,
                column=column,
                message=f"'{text}' names several counties: "
                + ", ".join(self.label(c) for c in candidates),
                value=value,
                expected="the county's id",
            )
        cid = candidates[0]
        if role is not None and self.roles.get(cid) != role:
            return Problem(
                file=file,
                row=row,
                column=column,
                message=f"{self.label(cid)} is a {self.roles.get(cid)} county",
                value=value,
                expected=f"a {role} county",
            )
        return cid

    def _hint(self, text: str, role: str | None) -> str:
        """The did-you-mean for an unknown county, among the counties of ``role``."""
        pool = [c for c in self.roles if role is None or self.roles[c] == role]
        labels = {c: self.names.get(c, "") for c in pool}
        names = {n: ids[0] for n, ids in self.by_name.items() if ids[0] in labels}
        describe = {**labels, **{n: f"id '{i}'" for n, i in names.items()}}
        # A short form such as '武昌' for '武汉市武昌区': suggest the one name containing it.
        containing = {i for n, i in names.items() if len(text) >= 2 and text in n}
        if len(containing) == 1:
            return f" (did you mean {self.label(containing.pop())}?)"
        return did_you_mean(text, [*pool, *names], describe=describe)


def resolve_county(
    name_or_id: str,
    counties: pd.DataFrame,
    role: str | None = None,
    *,
    file: str = "scenario",
    row: int | None = None,
    column: str | None = None,
) -> str | Problem:
    """The id of the county given by id, Annex-2 name or full name, or a :class:`Problem`.

    ``counties`` is a counties frame (indexed by id, or with an ``id`` column). With ``role``
    (``'recipient'``/``'supporter'``) a county of the other role is a problem. ``file``,
    ``row`` and ``column`` locate the reference in the returned problem (e.g. the scenario file
    and the key holding a lock). Unknown names come with a did-you-mean over ids and names.
    """
    if role is not None and role not in ("recipient", "supporter"):
        raise ValueError(f"role must be 'recipient', 'supporter' or None, got {role!r}")
    return CountyIndex.from_frame(counties).resolve(
        name_or_id, role, file=file, row=row, column=column
    )
