"""``--format csv``: the main table on stdout; every table as a CSV file in ``--out``.

On stdout plain UTF-8 (for pipes and ``> file.csv``); in ``--out`` UTF-8 with a BOM, so Excel
on Chinese Windows reads the names. Lines end in LF on every platform, and the index is
never written. The goldens pin these bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from shanchuan.outputs.base import Format, OutputOptions

if TYPE_CHECKING:
    import pandas as pd

#: Encoding of the CSV files in ``--out``: UTF-8 with a byte-order mark, for Excel.
ARCHIVE_ENCODING = "utf-8-sig"


def frame_text(frame: pd.DataFrame) -> str:
    """One table as CSV text (no index, LF line ends)."""
    return frame.to_csv(index=False, lineterminator="\n")


def main_table(outcome: Any) -> pd.DataFrame:
    """The outcome's first table (pairs, or projects), empty when it has none."""
    import pandas as pd

    return next(iter(outcome.tables().values()), pd.DataFrame())


def emit(outcome: Any, stream: IO[str], options: OutputOptions) -> None:
    """Write the main table to ``stream``."""
    stream.write(frame_text(main_table(outcome)))


def members(outcome: Any, options: OutputOptions) -> Mapping[str, bytes]:
    """Every table, one file each, named as in ``outcome.tables()`` (``pairs.csv``, ...)."""
    return {
        name: frame_text(frame).encode(ARCHIVE_ENCODING)
        for name, frame in outcome.tables().items()
    }


FORMAT = Format(
    name="csv",
    description="the main table as CSV (every table, UTF-8 with BOM, in --out)",
    emit=emit,
    stdout=True,
    members=members,
    in_archive="one CSV file per table",
)
