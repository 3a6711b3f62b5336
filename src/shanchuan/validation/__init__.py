"""Reading and validating a scenario's input files, each alone and against each other.

One module per layer, each collecting every problem rather than stopping at the first:

* :mod:`~shanchuan.validation.readers` reads a CSV file as Excel saves it (encodings,
  delimiters, workbooks refused) into stripped text cells numbered as a spreadsheet shows them;
* :mod:`~shanchuan.validation.cells` parses one cell into its column's type;
* :mod:`~shanchuan.validation.tables` checks one table against its schema (columns, types,
  empty cells, ranges, uniqueness, the schema's declared checks);
* :mod:`~shanchuan.validation.counties` resolves counties given by id, Annex-2 name or full name;
* :mod:`~shanchuan.validation.references` checks the files against each other;
* :mod:`~shanchuan.validation.load` drives them all: :func:`load_inputs` raises one
  :class:`~shanchuan.errors.InputError` holding every problem of every file.
"""

from shanchuan.validation.cells import BadCell, convert_cell
from shanchuan.validation.counties import CountyIndex, resolve_county
from shanchuan.validation.load import REQUIRED_FILES, LoadedData, load_inputs
from shanchuan.validation.readers import ROW, decode, parse_csv, read_table, read_table_collect
from shanchuan.validation.references import validate_references
from shanchuan.validation.tables import EVALUATORS, check_problems, validate_table

__all__ = [
    "EVALUATORS",
    "REQUIRED_FILES",
    "ROW",
    "BadCell",
    "CountyIndex",
    "LoadedData",
    "check_problems",
    "convert_cell",
    "decode",
    "load_inputs",
    "parse_csv",
    "read_table",
    "read_table_collect",
    "resolve_county",
    "validate_references",
    "validate_table",
]
