"""``--format markdown``: a report for a wiki page, an issue or a briefing note.

An outcome that renders itself (a comparison: ``outcome.markdown()``) does so; any other
outcome gets its status line and every table as a Markdown table.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from shanchuan.outputs.base import Format, OutputOptions

if TYPE_CHECKING:
    import pandas as pd


def _cell(value: object) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        value = f"{value:.6g}"
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def table(frame: pd.DataFrame) -> str:
    """One frame as a Markdown table (no index)."""
    headers = [_cell(c) for c in frame.columns]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += [
        "| " + " | ".join(_cell(v) for v in row) + " |"
        for row in frame.itertuples(index=False, name=None)
    ]
    return "\n".join(lines)


def text(outcome: Any) -> str:
    """The Markdown report of ``outcome``."""
    if hasattr(outcome, "markdown"):
        return str(outcome.markdown())
    d = outcome.to_dict()
    prov = d.get("provenance", {})
    lines = [f"# {prov.get('scenario', 'shanchuan')}", "", f"- status: {outcome.status}"]
    if isinstance(d.get("objective"), float):
        lines.append(f"- objective: {d['objective']:.4f}")
    for name, frame in outcome.tables().items():
        lines += ["", f"## {name.removesuffix('.csv')}", "", table(frame)]
    return "\n".join(lines) + "\n"


def emit(outcome: Any, stream: IO[str], options: OutputOptions) -> None:
    """Write the Markdown report of ``outcome`` to ``stream``."""
    stream.write(text(outcome))


FORMAT = Format(
    name="markdown",
    description="a Markdown report (a comparison's sections; else every table)",
    emit=emit,
    stdout=True,
)
