"""``--excel``: ``results.xlsx`` beside the CSV tables in ``--out``, one sheet per table.

Optional: pandas writes it through openpyxl (``pip install 'shanchuan[excel]'``). Not a
``--format`` choice, since a workbook on a terminal is no use. Text that looks like a formula
is stored as a quoted string cell, never as a formula (:mod:`shanchuan.outputs.formulas`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from shanchuan.outputs.base import Format, OutputOptions
from shanchuan.outputs.formulas import protect_workbook_cells

#: The archive member.
WORKBOOK = "results.xlsx"

#: Excel's limit on the length of a sheet name.
SHEET_NAME_MAX = 31


def excel_available() -> bool:
    """Whether the optional xlsx writer (``pip install 'shanchuan[excel]'``) is installed."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


def sheet_names(tables: Mapping[str, object]) -> dict[str, str]:
    """Table name -> sheet name: without ``.csv``, cut to 31 characters, made unique."""
    used: set[str] = set()
    out: dict[str, str] = {}
    for name in tables:
        sheet = name.removesuffix(".csv")[:SHEET_NAME_MAX]
        base, k = sheet, 2
        while sheet in used:
            suffix = f"~{k}"
            sheet, k = base[: SHEET_NAME_MAX - len(suffix)] + suffix, k + 1
        used.add(sheet)
        out[name] = sheet
    return out


def emit(outcome: Any, stream: IO[bytes], options: OutputOptions) -> None:
    """Write the workbook of every table to the binary ``stream``."""
    import pandas as pd

    tables = outcome.tables()
    with pd.ExcelWriter(stream, engine="openpyxl") as writer:
        for name, sheet in sheet_names(tables).items():
            tables[name].to_excel(writer, sheet_name=sheet, index=False)
        protect_workbook_cells(writer.book)


def members(outcome: Any, options: OutputOptions) -> Mapping[str, bytes]:
    """``results.xlsx``."""
    buf = io.BytesIO()
    emit(outcome, buf, options)
    return {WORKBOOK: buf.getvalue()}


FORMAT = Format(
    name="workbook",
    description=f"{WORKBOOK}, one sheet per table (pip install 'shanchuan[excel]')",
    emit=emit,
    stdout=False,
    members=members,
    in_archive=WORKBOOK,
    binary=True,
    opt_in="--excel",
    available=lambda: excel_available(),  # looked up on call, so tests can stand in for it
    missing="the optional xlsx writer: pip install 'shanchuan[excel]' "
    "(the CSV tables in --out open in Excel without it)",
)
