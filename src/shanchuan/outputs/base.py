"""The parts every output format is made of: the :class:`Format` record and its options.

A format is one module of :mod:`shanchuan.outputs` holding one ``FORMAT = Format(...)``, and
one line in :data:`shanchuan.outputs.FORMATS`. Nothing here imports pandas: the registry is
read by ``shanchuan --help`` (for the ``--format`` choices), which must stay light.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd


class Outcome(Protocol):
    """What a format may read from a pipeline outcome (match, allocate or run).

    Formats rely on this interface only, never on the pipeline's classes, so the pipeline can
    change behind it. The terminal report also reads the engines' results (see
    :mod:`shanchuan.outputs.table`).
    """

    @property
    def status(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...

    def tables(self) -> Mapping[str, pd.DataFrame]: ...


@dataclass(frozen=True)
class OutputOptions:
    """How a run's outputs are written (closed and frozen, like every option object)."""

    command: str = ""
    """The subcommand that produced the outcome (``match``, ``allocate``, ``run``), kept in the
    archive's manifest."""
    extras: frozenset[str] = frozenset()
    """Names of the opt-in archive members asked for (``{"workbook"}`` with ``--excel``)."""
    lang: str = ""
    """``zh`` or ``en`` (``--lang``); empty: the scenario's ``matching.explain.language``."""
    bom: bool = False
    """``--bom``: ``--format csv`` on stdout starts with a UTF-8 byte-order mark, for Excel
    (off by default: a pipe into another program wants plain UTF-8)."""
    wide: bool = False
    """``--wide``: terminal tables show every reason in full (else they fit 120 columns)."""


Emit = Callable[[Any, IO[Any], OutputOptions], None]
"""Write the format of ``outcome`` to ``stream`` (text, or bytes when the format is binary)."""

Members = Callable[[Any, OutputOptions], Mapping[str, bytes]]
"""The files the format adds to an ``--out`` archive: file name -> bytes."""


def _installed() -> bool:
    return True


@dataclass(frozen=True)
class Format:
    """One output format: how it is written to a stream, and what it adds to ``--out``."""

    name: str
    """The registry key, and the ``--format`` choice when :attr:`stdout` is true."""
    description: str
    """One line saying what the format holds."""
    emit: Emit
    """Writes the format to a stream (stdout with ``--format NAME``)."""
    stdout: bool
    """Offered as ``--format NAME`` (results on stdout)."""
    members: Members | None = None
    """The files it adds to an ``--out`` archive; ``None`` when it is not an archive member."""
    in_archive: str = ""
    """What it adds to ``--out``, in words (``results.xlsx``); needed with :attr:`members`."""
    binary: bool = False
    """:attr:`emit` writes bytes (a workbook), not text."""
    opt_in: str | None = None
    """The CLI flag that adds this member to ``--out`` (``--excel``); ``None``: always added."""
    available: Callable[[], bool] = field(default=_installed)
    """Whether the optional packages the format needs are installed."""
    missing: str = ""
    """What to install when :attr:`available` is false (the end of the CLI's message)."""

    @property
    def archive_member(self) -> bool:
        """Whether the format writes files into ``--out`` (always, or when opted in)."""
        return self.members is not None

    def wanted_in_archive(self, options: OutputOptions) -> bool:
        """Whether ``--out`` gets this format's files under ``options``."""
        return self.members is not None and (self.opt_in is None or self.name in options.extras)
