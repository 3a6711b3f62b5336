"""Reading input CSV files the way planners save them from Excel.

:func:`read_table` returns every cell as stripped text, indexed by the row number a spreadsheet
shows (the header is row 1); :mod:`shanchuan.validation.tables` converts the text to typed
columns.

What is accepted, and what is rejected with an exact instruction:

* encodings: UTF-8, UTF-8 with a byte-order mark (Excel's *CSV UTF-8*), and GBK/GB18030
  (Excel's plain *CSV* on Chinese Windows). UTF-16 (Excel's *Unicode text*) and bytes that
  decode in none of them are rejected;
* the delimiter must be ``,``: files separated by ``;``, tabs, ``|`` or the full-width comma
  ``，`` are rejected, naming the delimiter found;
* ``.xlsx``/``.xls`` workbooks (also when renamed to ``.csv``) are rejected;
* spaces around header names and cells are removed; rows whose cells are all empty are
  skipped (their numbers are kept, so later rows still carry the spreadsheet's numbering);
* an empty file, a header repeated twice, an empty header name and a row with more non-empty
  cells than the header are problems.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shanchuan.errors import InputError, Problem
from shanchuan.schemas import Schema

#: Encodings tried in order (a UTF-8 byte-order mark is recognised first).
ENCODINGS: tuple[str, ...] = ("utf-8", "gb18030")

#: How to save a file so that it is read: the instruction repeated in messages.
SAVE_AS = "in Excel use 文件 → 另存为 → 'CSV UTF-8 (逗号分隔)(*.csv)'"

#: Delimiters recognised as a mistake, with their names in messages.
WRONG_DELIMITERS: dict[str, str] = {
    ";": "';' (semicolon)",
    "\t": "a tab",
    "，": "'，' (full-width comma)",
    "|": "'|' (vertical bar)",
}

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Index name of the frames returned by :func:`read_table`.
ROW = "row"

#: Environment variables that raise (or lower) the size limits of an input file and of one
#: cell. They are limits on resources, not on meaning, so they are not scenario keys: a
#: service or a shared machine sets them once for every scenario.
MAX_FILE_ENV, MAX_CELL_ENV = "SHANCHUAN_MAX_FILE_MB", "SHANCHUAN_MAX_CELL_CHARS"
#: Defaults: 64 MB a file (a province's project pool is well under 1 MB) and 32,768
#: characters a cell (Excel's own limit of a cell, so a file Excel saved always fits).
DEFAULT_MAX_FILE_MB, DEFAULT_MAX_CELL_CHARS = 64, 32_767


@dataclass(frozen=True)
class Limits:
    """Size limits of the readers: bytes of one file, characters of one cell."""

    file_bytes: int
    cell_chars: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """The limits set by :data:`MAX_FILE_ENV` and :data:`MAX_CELL_ENV` (or the defaults).

        A value that is not a positive number is a problem of the environment, reported as
        bad input naming the variable.
        """
        env = os.environ if env is None else env
        problems = []
        values: list[float] = []
        for name, default, what in (
            (MAX_FILE_ENV, DEFAULT_MAX_FILE_MB, "a number of megabytes > 0"),
            (MAX_CELL_ENV, DEFAULT_MAX_CELL_CHARS, "a whole number of characters > 0"),
        ):
            raw = env.get(name, "").strip()
            try:
                value = float(raw) if raw else float(default)
            except ValueError:
                value = math.nan
            if not (value > 0 and math.isfinite(value)):
                problems.append(
                    Problem(
                        file=f"environment variable {name}",
                        message="invalid value",
                        value=raw,
                        expected=what,
                    )
                )
            values.append(value)
        InputError.collect(problems)
        return cls(file_bytes=int(values[0] * 1_000_000), cell_chars=int(values[1]))


def decode(data: bytes, file: str) -> str:
    """Decode the bytes of a CSV file, trying UTF-8 (with or without BOM), then GB18030.

    GB18030 is a superset of GBK, the encoding of Excel's plain *CSV* on Chinese Windows.
    Raises :class:`InputError` naming the encodings tried and how to save the file instead.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem(
                    file=file,
                    message=f"the file starts with a UTF-8 byte-order mark but byte {exc.start} "
                    f"({data[len(codecs.BOM_UTF8) + exc.start]:#04x}) is not UTF-8",
                    expected=f"a file saved as CSV UTF-8 ({SAVE_AS})",
                )
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(
            Problem(
                file=file,
                message="the file is UTF-16 (Excel's 'Unicode 文本'), which is not read",
                expected=f"a comma-separated CSV file ({SAVE_AS})",
            )
        )
    first_error: UnicodeDecodeError | None = None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    bad = data[first_error.start]
    line = data[: first_error.start].count(b"\n") + 1
    raise InputError(
        Problem(
            file=file,
            row=line,
            message=f"cannot decode the file: byte {bad:#04x} on line {line} is neither UTF-8 nor "
            f"GBK/GB18030 (tried {', '.join(ENCODINGS)})",
            expected=f"a file saved as CSV UTF-8 ({SAVE_AS})",
        )
    )


def _check_path(path: Path, file: str) -> bytes:
    if path.suffix.lower() in _WORKBOOK_SUFFIXES:
        raise InputError(
            Problem(
                file=file,
                message=f"this is an Excel workbook ({path.suffix}), not a CSV file; save it as "
                f"CSV UTF-8 from Excel",
                expected=f"a .csv file ({SAVE_AS})",
            )
        )
    if not path.exists():
        raise InputError(Problem(file=file, message="file not found"))
    if path.is_dir():
        raise InputError(
            Problem(
                file=file,
                message="this is a folder, not a file",
                expected="the path of a .csv file",
            )
        )
    limit = Limits.from_env().file_bytes
    size = path.stat().st_size
    with path.open("rb") as fh:
        data = fh.read(limit + 1)  # a file that grows while read is still cut at the limit
    if max(size, len(data)) > limit:
        raise InputError(
            Problem(
                file=file,
                message=f"the file is {max(size, len(data)) / 1e6:,.1f} MB, more than the limit "
                f"of {limit / 1e6:,.0f} MB for an input file",
                expected=f"a smaller file, or a higher limit in the environment variable "
                f"{MAX_FILE_ENV} (megabytes)",
            )
        )
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise InputError(
            Problem(
                file=file,
                message="this is an Excel workbook saved under a .csv name, not a CSV file; "
                "save it as CSV UTF-8 from Excel",
                expected=f"a .csv file ({SAVE_AS})",
            )
        )
    return data


def _wrong_delimiter(header: list[str], schema: Schema, file: str, row: int) -> Problem | None:
    """A problem when the header line shows that the file is not comma-separated."""
    known = set(schema.column_names)
    comma_hits = sum(1 for name in header if name.strip() in known)
    line = ",".join(header)
    best: tuple[int, str] | None = None
    for sep in WRONG_DELIMITERS:
        if sep not in line:
            continue
        parts = [p.strip().strip('"') for p in line.split(sep)]
        hits = sum(1 for p in parts if p in known)
        if hits > comma_hits and (best is None or hits > best[0]):
            best = (hits, sep)
    if best is None and len(header) == 1 and len(schema.columns) > 1:
        present = [sep for sep in WRONG_DELIMITERS if sep in line]
        if present:
            best = (0, present[0])
    if best is None:
        return None
    name = WRONG_DELIMITERS[best[1]]
    return Problem(
        file=file,
        row=row,
        message=f"file uses {name} as delimiter; save as comma-separated CSV ({SAVE_AS})",
        expected="columns separated by ','",
    )


def parse_csv(text: str, schema: Schema, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse decoded CSV text into a frame of stripped strings (see :func:`read_table`).

    Raises :class:`InputError` when nothing can be read (empty file, wrong delimiter, not CSV).
    Otherwise returns the frame and the problems with single rows, whose rows are left out
    of the frame; the frame is ``None`` when the header itself is malformed.
    """
    first = next(
        (i for i, rec in enumerate(_records(text, file)) if any(c.strip() for c in rec)), None
    )
    if first is None:
        raise InputError(
            Problem(
                file=file,
                message="the file is empty",
                expected="a header line naming the columns: " + ", ".join(schema.required_columns),
            )
        )
    # The spreadsheet row of a record is its position + 1: csv.reader yields one record per
    # spreadsheet row, also for blank lines and for cells spanning several physical lines.
    records = _records(text, file)
    problems: list[Problem] = []
    header_raw = records[first]
    header_row = first + 1
    cell_limit = Limits.from_env().cell_chars
    oversize = {pos: _oversize(rec, cell_limit) for pos, rec in enumerate(records)}
    if oversize[first]:
        raise InputError(
            [_too_long(file, header_row, f"#{i + 1}", n, cell_limit) for i, n in oversize[first]]
        )
    problem = _wrong_delimiter(header_raw, schema, file, header_row)
    if problem is not None:
        raise InputError(problem)
    header = [h.strip() for h in header_raw]
    # Trailing empty header cells (Excel writes them for formatted but empty columns) carry no
    # column; an empty name between named columns is a problem.
    while header and not header[-1]:
        header.pop()
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name:
            problems.append(
                Problem(
                    file=file,
                    row=header_row,
                    column=f"#{i + 1}",
                    message=f"header cell {i + 1} is empty",
                    expected="a column name",
                )
            )
        elif name in seen:
            problems.append(
                Problem(
                    file=file,
                    row=header_row,
                    column=name,
                    message="column appears twice in the header",
                    expected="each column once",
                )
            )
        seen.add(name)
    if problems:
        return None, problems
    rows: list[list[str]] = []
    numbers: list[int] = []
    width = len(header)
    for pos in range(first + 1, len(records)):
        cells = [c.strip() for c in records[pos]]
        if not any(cells):
            continue
        row = pos + 1
        if oversize[pos]:
            problems += [
                _too_long(file, row, header[i] if i < width else f"#{i + 1}", n, cell_limit)
                for i, n in oversize[pos]
            ]
            continue
        if len(cells) > width:
            extra = [c for c in cells[width:] if c]
            if extra:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        message=f"the row has {len(cells)} cells but the header names {width} "
                        "columns (a ',' inside a value? then put the value in double quotes, or "
                        "write numbers without ',')",
                        value=",".join(records[pos]),
                        expected=f"{width} cells",
                    )
                )
                continue
            cells = cells[:width]
        cells += [""] * (width - len(cells))
        rows.append(cells)
        numbers.append(row)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame.index = pd.Index(numbers, name=ROW, dtype="int64")
    return frame, problems


def _oversize(record: list[str], limit: int) -> list[tuple[int, int]]:
    """(cell index, length) of the cells of ``record`` longer than ``limit`` characters."""
    return [(i, len(c)) for i, c in enumerate(record) if len(c) > limit]


def _too_long(file: str, row: int, column: str, length: int, limit: int) -> Problem:
    # The cell itself is not echoed: it may be megabytes, and it is untrusted text.
    return Problem(
        file=file,
        row=row,
        column=column,
        message=f"the cell holds {length:,} characters, more than the limit of {limit:,}",
        expected=f"a shorter cell (Excel holds at most 32,767 characters a cell), or a higher "
        f"limit in the environment variable {MAX_CELL_ENV}",
    )


def _records(text: str, file: str) -> list[list[str]]:
    # The csv module's own guard (131,072 characters a field) would stop the read with no
    # row or column; the file is already within its size limit, so let csv read any field
    # and report long cells with their place (parse_csv). The limit is process-wide, only
    # ever raised here.
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(min(len(text) + 1, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise InputError(
            Problem(
                file=file,
                message=f"the file is not readable as CSV: {exc} (line {reader.line_num})",
                expected=f"a comma-separated CSV file ({SAVE_AS})",
            )
        ) from None


def read_table_collect(
    path: str | os.PathLike[str], schema: Schema
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Like :func:`read_table`, but return problems with single rows instead of raising.

    Rows with problems are left out of the frame, so the rest of the file can still be
    validated and every problem reported at once. The frame is ``None`` when the header is
    malformed. Problems with the file as a whole still raise :class:`InputError`.
    """
    file = str(path)
    data = _check_path(Path(path), file)
    return parse_csv(decode(data, file), schema, file)


def read_table(path: str | os.PathLike[str], schema: Schema) -> pd.DataFrame:
    """Read one input CSV as stripped text, one row per data row of the spreadsheet.

    The index (named ``row``) is the row number a spreadsheet shows, the header being row 1;
    columns are as named in the header (checked against ``schema`` by
    :func:`shanchuan.validation.validate_table`). Every cell is a ``str``; empty cells are ``""``.
    Raises :class:`InputError` for problems with the file as a whole (missing, a workbook,
    undecodable, wrong delimiter, empty, malformed header or rows); ``Problem.file`` is
    ``str(path)`` as given.
    """
    frame, problems = read_table_collect(path, schema)
    InputError.collect(problems)
    assert frame is not None
    return frame
