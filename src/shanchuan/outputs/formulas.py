"""Keep untrusted text from becoming a live formula in a spreadsheet (CSV injection).

Project titles, notes and county names come from many offices and the tables are opened in
Excel, LibreOffice or WPS. A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return is taken for a formula by those programs (``=HYPERLINK(...)``,
``=cmd|' /C calc'!A0``). Following the OWASP advice on CSV injection, such text gets a leading
apostrophe ``'`` in CSV output (spreadsheets then show it as text); in the workbook it is
written as a typed *string* cell with Excel's quote-prefix flag, so the text itself is kept.
Numbers stay numbers (only text cells are touched) and JSON keeps the original text.

>>> neutralise("=1+2"), neutralise("-5"), neutralise("竹溪县"), neutralise(-5)
("'=1+2", "'-5", '竹溪县', -5)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Leading characters that make a spreadsheet read text as a formula.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet would evaluate."""
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is formula-like text; anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised (numeric columns untouched)."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if series.map(is_formula_like).any():
            out[col] = series.map(neutralise).astype(series.dtype)
    return out


def protect_workbook_cells(workbook: Any) -> int:
    """Turn every formula-like text cell of an openpyxl ``workbook`` into a quoted string cell.

    openpyxl stores a string that begins with ``=`` as a formula; this restores it as text and
    sets the quote prefix (how Excel marks "text, even if it looks like a formula"). Returns
    the number of cells changed.
    """
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    changed += 1
    return changed
