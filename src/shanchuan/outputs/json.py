"""``--format json``: the JSON contract on stdout, and ``result.json`` in ``--out``.

Written by the one JSON writer, :func:`solverkit.jsonio.dumps`, so stdout and the archive
hold the same bytes (strict JSON: NaN is ``null``, infinity ``"inf"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from shanchuan.outputs.base import Format, OutputOptions
from solverkit import jsonio

#: The archive member holding the JSON contract.
RESULT = "result.json"


def text(outcome: Any) -> str:
    """The JSON contract of ``outcome`` (indented, newline-terminated), versioned."""
    from shanchuan.contract import stamp

    return jsonio.dumps(stamp(outcome.to_dict()))


def emit(outcome: Any, stream: IO[str], options: OutputOptions) -> None:
    """Write the JSON contract to ``stream``."""
    stream.write(text(outcome))


def members(outcome: Any, options: OutputOptions) -> Mapping[str, bytes]:
    """``result.json``: the same JSON as on stdout."""
    return {RESULT: text(outcome).encode("utf-8")}


FORMAT = Format(
    name="json",
    description="the JSON contract (result.json in --out)",
    emit=emit,
    stdout=True,
    members=members,
    in_archive=RESULT,
)
