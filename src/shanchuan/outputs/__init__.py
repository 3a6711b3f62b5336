"""The output room: every way a result leaves shanchuan, one module per format.

=====================  ==========================================================
module                 holds
=====================  ==========================================================
:mod:`.base`           the :class:`Format` record, :class:`OutputOptions`
:mod:`.table`          ``--format table``: the terminal report
:mod:`.json`           ``--format json`` and ``result.json``
:mod:`.csv`            ``--format csv`` (main table) and every table in ``--out``
:mod:`.markdown`       ``--format markdown``: a report of sections and tables
:mod:`.workbook`       ``--excel``: ``results.xlsx``, the planner's workbook (openpyxl)
:mod:`.archive`        the atomic ``--out DIR`` writer (manifest, changes.log, members)
:mod:`.columns`        every output column: headers in zh/en, kind (format, unit), meaning
:mod:`.summary`        ``status.csv`` rows, and cells made plain (no Python reprs)
:mod:`.assumptions`    假设与数据说明: the estimates and assumptions a scenario states
:mod:`.render`         CJK-aware text tables, cut and wrapped to a width
:mod:`.messages`       errors and stops on stderr, from structured problems
=====================  ==========================================================

A new format is one module defining ``FORMAT = Format(...)`` and one line in
:data:`FORMATS`; ``--format`` offers every format with ``stdout`` set, ``--out`` writes every
archive member, and ``tests/app/test_outputs.py`` fails when a record lacks a part. Importing
this package loads no pandas (``shanchuan --help`` reads the registry).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from shanchuan.outputs import csv as _csv
from shanchuan.outputs import json as _json
from shanchuan.outputs import markdown as _markdown
from shanchuan.outputs import table as _table
from shanchuan.outputs import workbook as _workbook
from shanchuan.outputs.base import Format, Outcome, OutputOptions

#: Every output format, by name, in the order ``--format`` lists them.
FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        f.name: f
        for f in (
            _table.FORMAT,
            _json.FORMAT,
            _csv.FORMAT,
            _markdown.FORMAT,
            _workbook.FORMAT,
        )
    }
)


def stdout_formats() -> tuple[str, ...]:
    """The ``--format`` choices, in registry order."""
    return tuple(name for name, f in FORMATS.items() if f.stdout)


def opt_in_formats() -> tuple[Format, ...]:
    """Archive members added only when their flag (``--excel``) is given."""
    return tuple(f for f in FORMATS.values() if f.opt_in is not None)


__all__ = ["FORMATS", "Format", "Outcome", "OutputOptions", "opt_in_formats", "stdout_formats"]
