"""Live progress of a solve: the one event shape every solver backend reports.

A backend that can read its solver's log while it runs (CBC's log file, HiGHS' callbacks)
emits :class:`SolveProgress` events — elapsed time, incumbent, bound and gap — to the sink in
force. The sink is set by whoever wants to listen (the CLI's progress line, a Python caller's
callback, the service's job record) with :func:`reporting`; engines need not pass it down
through every function, because it travels in a :mod:`contextvars` variable. Code that runs
solves in worker threads must start them with :func:`contextvars.copy_context` (or
:func:`bind`), since threads do not inherit the caller's context.

>>> seen = []
>>> with reporting(seen.append, label="main solve"):
...     emit(SolveProgress(solver="cbc", elapsed=2.5, incumbent=9.5, bound=9.6))
>>> seen[0].label, round(seen[0].gap, 4)
('main solve', 0.0105)
>>> emit(SolveProgress(solver="cbc", elapsed=1.0))  # no sink in force: a no-op
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

#: A relative gap at or below this is "proven optimal"; above it a result is ``feasible``
#: with its gap beside it, whatever gap the solver was asked to stop at.
OPTIMALITY_TOLERANCE = 1e-6


def relative_gap(incumbent: float | None, bound: float | None) -> float | None:
    """``|incumbent - bound| / max(|incumbent|, 1e-9)``; ``None`` when either is unknown."""
    if incumbent is None or bound is None:
        return None
    if not (math.isfinite(incumbent) and math.isfinite(bound)):
        return None
    return abs(incumbent - bound) / max(1e-9, abs(incumbent))


@dataclass(frozen=True)
class SolveProgress:
    """One progress event of one solve (objective values in the model's own sense and units).

    ``gap`` is derived from ``incumbent`` and ``bound`` when not given. ``done`` marks the
    last event of a solve. ``label`` says what is being solved ("main solve", "rule cost:
    minimum per pair", ...); :func:`reporting` fills it in when the event has none.
    """

    solver: str
    elapsed: float
    incumbent: float | None = None
    bound: float | None = None
    gap: float | None = None
    label: str = ""
    done: bool = False

    def __post_init__(self) -> None:
        if self.gap is None:
            object.__setattr__(self, "gap", relative_gap(self.incumbent, self.bound))

    def line(self) -> str:
        """One line in English, e.g. ``main solve [cbc] 12.3 s incumbent 9.51 gap 0.43 %``."""
        parts = [f"{self.label} [{self.solver}]" if self.label else f"[{self.solver}]"]
        parts.append(f"{self.elapsed:.1f} s")
        if self.incumbent is not None:
            parts.append(f"incumbent {self.incumbent:.6g}")
        if self.bound is not None:
            parts.append(f"bound {self.bound:.6g}")
        if self.gap is not None:
            parts.append(f"gap {100 * self.gap:.2f} %")
        if self.done:
            parts.append("done")
        return " ".join(parts)


ProgressSink = Callable[[SolveProgress], None]

_sink: contextvars.ContextVar[tuple[ProgressSink, str] | None] = contextvars.ContextVar(
    "solverkit_progress_sink", default=None
)


@contextlib.contextmanager
def reporting(sink: ProgressSink | None, label: str | None = None) -> Iterator[None]:
    """Send the progress events of the solves inside the block to ``sink``.

    ``label`` names what is solved inside; a nested call with only a ``label`` (``sink`` None)
    keeps the outer sink and relabels. ``reporting(None)`` with no outer sink is a no-op.
    """
    outer = _sink.get()
    if sink is None and outer is None:
        yield
        return
    target = sink if sink is not None else outer[0]  # type: ignore[index]
    name = label if label is not None else (outer[1] if outer else "")
    token = _sink.set((target, name))
    try:
        yield
    finally:
        _sink.reset(token)


def active() -> bool:
    """Whether a sink is in force (backends skip log reading when nobody listens)."""
    return _sink.get() is not None


def emit(event: SolveProgress) -> None:
    """Deliver ``event`` to the sink in force (labelled with the block's label if it has none).

    A sink that raises does not stop the solve: progress is advisory.
    """
    current = _sink.get()
    if current is None:
        return
    sink, label = current
    if not event.label and label:
        event = dataclasses.replace(event, label=label)
    with contextlib.suppress(Exception):
        sink(event)


T = TypeVar("T")


def bind(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` wrapped to run in a copy of the caller's context (for worker threads)."""
    ctx = contextvars.copy_context()

    def run(*args: object, **kwargs: object) -> T:
        return ctx.copy().run(fn, *args, **kwargs)

    return run


__all__ = [
    "OPTIMALITY_TOLERANCE",
    "ProgressSink",
    "SolveProgress",
    "active",
    "bind",
    "emit",
    "relative_gap",
    "reporting",
]
