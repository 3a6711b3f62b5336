"""``--format csv``: the main table on stdout; every table as a CSV file in ``--out``.

On stdout plain UTF-8 (for pipes), with a BOM under ``--bom`` (``> file.csv`` for Excel); in
``--out`` UTF-8 with a BOM, so Excel on Chinese Windows reads the names. ``run --format csv``
is refused (a run has several tables; ``--out DIR`` writes each). Lines end in LF on every
platform, and the index is never written; ``status.csv`` (:mod:`shanchuan.outputs.summary`)
states each engine's status, gap, objective with its unit, solver and time. Tuples and lists
are written as ``a;b`` text, never as Python reprs. Text that a spreadsheet would evaluate
(``=``, ``+``, ``-``, ``@`` ...) gets a leading apostrophe (:mod:`shanchuan.outputs.formulas`).
The goldens pin these bytes.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from shanchuan.outputs.base import Format, OutputOptions
from shanchuan.outputs.formulas import neutralise_frame
from shanchuan.outputs.summary import plain_frame, with_status

if TYPE_CHECKING:
    import pandas as pd

#: Encoding of the CSV files in ``--out``: UTF-8 with a byte-order mark, for Excel.
ARCHIVE_ENCODING = "utf-8-sig"


def frame_text(frame: pd.DataFrame) -> str:
    r"""One table as CSV text (no index, LF line ends, formula-like text neutralised).

    Python's csv writer quotes a field holding ``\n`` (the line end) but not one holding a
    bare ``\r``, which Excel and pandas read as a row break; when any text cell holds one,
    every text field is quoted.
    """
    safe = neutralise_frame(frame)
    quoting = csv.QUOTE_NONNUMERIC if _has_carriage_return(safe) else csv.QUOTE_MINIMAL
    return safe.to_csv(index=False, lineterminator="\n", quoting=quoting)


def _has_carriage_return(frame: pd.DataFrame) -> bool:
    return any(
        frame[col].map(lambda v: isinstance(v, str) and "\r" in v).any()
        for col in frame.columns
        if frame[col].dtype.kind not in "biufc"
    )


def main_table(outcome: Any) -> pd.DataFrame:
    """The outcome's first table (pairs, or projects), empty when it has none."""
    import pandas as pd

    return plain_frame(next(iter(outcome.tables().values()), pd.DataFrame()))


#: Why ``run --format csv`` is refused: a run has two engines' tables, stdout holds one.
RUN_CSV_REFUSAL = (
    "--format csv writes one table to stdout, and a run has several (the pairs, the projects "
    "and their summaries); use `run --out DIR` (every table as a CSV file), or "
    "`match --format csv` / `allocate --format csv` for one table"
)


def emit(outcome: Any, stream: IO[str], options: OutputOptions) -> None:
    """Write the main table to ``stream`` (with a byte-order mark under ``--bom``).

    A run (pairing and allocation) is refused: which of its tables would be "the" table?
    """
    if hasattr(outcome, "allocation"):
        from shanchuan.errors import InputError

        raise InputError(RUN_CSV_REFUSAL)
    stream.write(("\ufeff" if options.bom else "") + frame_text(main_table(outcome)))


def members(outcome: Any, options: OutputOptions) -> Mapping[str, bytes]:
    """``status.csv``, then every table, one file each, named as in ``outcome.tables()``."""
    return {
        name: frame_text(frame).encode(ARCHIVE_ENCODING)
        for name, frame in with_status(outcome).items()
    }


FORMAT = Format(
    name="csv",
    description="the main table as CSV (every table, UTF-8 with BOM, in --out)",
    emit=emit,
    stdout=True,
    members=members,
    in_archive="one CSV file per table",
)
