"""假设与数据说明: which inputs of a run are estimates, assumptions, illustrative or synthetic.

Read from what the scenario itself states, never written by hand here:

* the scenario files' comments: a setting or data file whose comment says ``ASSUMPTION``,
  ``ILLUSTRATIVE``, ``SYNTHETIC`` or ``estimate`` (``annual_budget_wan = 12500.0  # ASSUMPTION:
  the plan does not state the fund size``);
* the scenario keys whose documentation calls their default an assumption (``shanchuan keys``),
  with the value in force;
* the data folder's ``README.md`` (the data-quality notes beside the files a run read): a file
  section titled ILLUSTRATIVE or SYNTHETIC, a section whose kind is an estimate, and each column
  whose *kind* cell says ``estimate``.

A scenario that states nothing yields no rows; the sheet then says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

#: Data-quality words, in the order a line is classified by (the first found wins).
KINDS: tuple[str, ...] = ("synthetic", "illustrative", "assumption", "estimate")

#: Each kind in the planner's words.
KIND_LABELS: Mapping[str, Mapping[str, str]] = {
    "synthetic": {"zh": "合成数据", "en": "synthetic"},
    "illustrative": {"zh": "示意数据", "en": "illustrative"},
    "assumption": {"zh": "假设", "en": "assumption"},
    "estimate": {"zh": "估算", "en": "estimate"},
}

_KIND_RE = re.compile(r"\b(synthetic|illustrative|assumption|assumed|estimates?|estimated)\b", re.I)
_SETTING = re.compile(r'^\s*"?([A-Za-z0-9_.]+)"?\s*=\s*(.*?)\s+#\s*(.+)$')
_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")


def kind_of(text: str) -> str | None:
    """The data-quality kind a note states (``None``: it states none)."""
    found = {m.group(1).lower() for m in _KIND_RE.finditer(text)}
    words = {
        "synthetic": {"synthetic"},
        "illustrative": {"illustrative"},
        "assumption": {"assumption", "assumed"},
        "estimate": {"estimate", "estimates", "estimated"},
    }
    return next((k for k in KINDS if found & words[k]), None)


def setting_rows(files: Iterable[Path]) -> list[dict[str, str]]:
    """Settings and data files whose comment in a scenario file states their kind."""
    rows = []
    for path in files:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        section = ""
        for line in lines:
            head = _SECTION.match(line)
            if head:
                section = head.group(1).strip()
                continue
            m = _SETTING.match(line)
            if not m or line.lstrip().startswith("#"):
                continue
            key, value, comment = m.groups()
            kind = kind_of(comment)
            if kind is None or section.startswith("overrides"):
                continue
            rows.append(
                {
                    "item": f"{section}.{key} = {value.strip()}" if section else key,
                    "kind": kind,
                    "source": Path(path).name,
                    "note": comment.strip(),
                }
            )
    return rows


def key_rows(
    effective: Mapping[str, Any], known: Mapping[str, Any], seen: set[str]
) -> list[dict[str, str]]:
    """Scenario keys documented as assumptions, with the value in force (not listed yet)."""
    rows = []
    for key, info in known.items():
        doc = str(getattr(info, "doc", ""))
        if kind_of(doc) != "assumption" or key in seen:
            continue
        value = effective.get(key, getattr(info, "default", ""))
        rows.append(
            {
                "item": f"{key} = {value}",
                "kind": "assumption",
                "source": "shanchuan keys",
                "note": doc,
            }
        )
    return rows


def readme_rows(readme: Path, files: Iterable[str]) -> list[dict[str, str]]:
    """The data README's notes on the files a run read: per file, per estimated column."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return []
    wanted = set(files)
    rows = []
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        name = title.split(" ", 1)[0].strip()
        if name not in wanted:
            continue
        heading_kind = kind_of(title)
        paragraph = body.split("\n\n", 2)
        intro = " ".join(p for p in paragraph[:2] if not p.lstrip().startswith("|"))
        kind = heading_kind or _stated_kind(intro)
        if kind is not None:
            rows.append(
                {
                    "item": name,
                    "kind": kind,
                    "source": readme.name,
                    "note": f"{title.strip()}. {_first_sentence(intro)}".strip(),
                }
            )
        for line in body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 4 or not cells[0].startswith("`"):
                continue
            col_kind = kind_of(cells[2])
            if col_kind is None or col_kind == kind:
                continue
            rows.append(
                {
                    "item": f"{name}: {cells[0].replace('`', '')}",
                    "kind": col_kind,
                    "source": readme.name,
                    "note": f"{cells[2]}: {cells[3]}",
                }
            )
    return rows


def _stated_kind(intro: str) -> str | None:
    m = re.search(r"Kind:\s*([^.]*)", intro)
    return kind_of(m.group(1)) if m else None


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    m = re.search(r"Kind:[^.]*\.", text)
    if m:
        return m.group(0)
    return text.split(". ")[0][:300]


def assumption_rows(scenario: Any, data_files: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every stated estimate, assumption, illustrative and synthetic input of a run.

    ``data_files`` is the provenance's ``data_files`` (key -> ``{"path": ...}``).
    """
    from shanchuan.scenario import KNOWN

    rows = setting_rows(getattr(scenario, "files", ()))
    seen = {r["item"].split(" = ", 1)[0] for r in rows}
    rows += key_rows(getattr(scenario, "effective", {}), KNOWN, seen)
    by_folder: dict[Path, list[str]] = {}
    for info in data_files.values():
        path = Path(info["path"] if isinstance(info, Mapping) else info)
        by_folder.setdefault(path.parent, []).append(path.name)
    for folder, names in sorted(by_folder.items()):
        rows += readme_rows(folder / "README.md", names)
    return rows
