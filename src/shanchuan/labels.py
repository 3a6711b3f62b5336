"""Which solve a live-progress event belongs to: the labels of the application's stages.

The backends emit :class:`solverkit.progress.SolveProgress` events to the sink in force; the
stages (:mod:`shanchuan.stages`) say what is being solved by opening a
:func:`solverkit.progress.reporting` block per solve ("pairing: main solve", "pairing:
forcing costs", ...). The allocation engine runs its main solve and its analyses in one call,
so its phases are told apart by the engine's own progress lines ("rule costs: ...", "pricing
the ..."), which precede each phase: :class:`Phases` relabels the events as they pass.

An engine that labels its own events (e.g. ``"rule cost: minimum per pair"``) keeps its label.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Callable, Iterator, Sequence

from solverkit.progress import ProgressSink, SolveProgress, active, emit, reporting

#: Labels of the pairing's solves.
PAIRING_MAIN = "pairing: main solve"
PAIRING_DIAGNOSIS = "pairing: diagnosis"
PAIRING_FORCING = "pairing: forcing costs"
PAIRING_ALTERNATIVES = "pairing: alternatives"
PAIRING_SENSITIVITY = "pairing: sensitivity"

#: Labels of the allocation's solves, and the progress-line prefix that starts each phase.
ALLOCATION_MAIN = "allocation: main solve"
ALLOCATION_PHASES: tuple[tuple[str, str], ...] = (
    ("rule costs", "allocation: rule costs"),
    ("pricing the", "allocation: pricing unfunded projects"),
    ("rules are infeasible", "allocation: diagnosis"),
)


@contextlib.contextmanager
def solving(on_solve: ProgressSink | None, label: str) -> Iterator[None]:
    """The solves inside go to ``on_solve`` (or the sink already in force) labelled ``label``."""
    with reporting(on_solve, label=label):
        yield


class Phases:
    """Relabels events by phase, the phase being switched by the engine's progress lines.

    Use :meth:`block` around the engine call and pass :meth:`progress` as its line callback.
    """

    def __init__(
        self,
        on_solve: ProgressSink | None,
        first: str,
        phases: Sequence[tuple[str, str]],
        say: Callable[[str], None],
    ) -> None:
        self._on_solve = on_solve
        self._first = first
        self._phases = tuple(phases)
        self._say = say
        self.label = first

    def progress(self, line: str) -> None:
        """The engine's line callback: switch phase on a known prefix, then pass it on."""
        for prefix, label in self._phases:
            if line.startswith(prefix):
                self.label = label
                break
        self._say(line)

    @contextlib.contextmanager
    def block(self) -> Iterator[None]:
        """A reporting block whose unlabelled events get the current phase's label."""
        if self._on_solve is None and not active():
            yield
            return
        # With no sink of its own the block forwards to the sink in force outside it (run in
        # the outer context, so the outer block's sink receives it).
        outer = contextvars.copy_context()
        target = self._on_solve

        def sink(event: SolveProgress) -> None:
            if event.label == self._first:  # unlabelled by the engine: give it the phase
                event = dataclasses.replace(event, label=self.label)
            if target is not None:
                target(event)
            else:
                outer.run(emit, event)

        with reporting(sink, label=self._first):
            yield


__all__ = [
    "ALLOCATION_MAIN",
    "ALLOCATION_PHASES",
    "PAIRING_ALTERNATIVES",
    "PAIRING_DIAGNOSIS",
    "PAIRING_FORCING",
    "PAIRING_MAIN",
    "PAIRING_SENSITIVITY",
    "Phases",
    "solving",
]
