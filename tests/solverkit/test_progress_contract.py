"""The progress contract every solver backend and listener shares."""

from __future__ import annotations

import doctest
import threading

import solverkit.progress as progress
from solverkit.progress import SolveProgress, bind, emit, reporting


def test_doctests() -> None:
    failed, tried = doctest.testmod(progress)
    assert tried > 0 and failed == 0


def test_gap_is_derived_and_line_reads() -> None:
    ev = SolveProgress(solver="highs", elapsed=3.25, incumbent=100.0, bound=99.0, label="x")
    assert ev.gap == 0.01
    assert ev.line() == "x [highs] 3.2 s incumbent 100 bound 99 gap 1.00 %"
    assert SolveProgress(solver="cbc", elapsed=0.0, incumbent=1.0).gap is None


def test_nested_label_keeps_sink_and_sink_errors_do_not_stop_the_solve() -> None:
    seen: list[SolveProgress] = []
    with reporting(seen.append, label="outer"), reporting(None, label="inner"):
        emit(SolveProgress(solver="cbc", elapsed=1.0))
    assert [e.label for e in seen] == ["inner"]

    def broken(_: SolveProgress) -> None:
        raise RuntimeError("listener bug")

    with reporting(broken):
        emit(SolveProgress(solver="cbc", elapsed=1.0))  # no exception


def test_threads_see_the_sink_only_when_bound() -> None:
    seen: list[SolveProgress] = []

    def work() -> None:
        emit(SolveProgress(solver="cbc", elapsed=1.0, label="thread"))

    with reporting(seen.append):
        plain = threading.Thread(target=work)
        plain.start()
        plain.join()
        assert seen == []
        bound = threading.Thread(target=bind(work))
        bound.start()
        bound.join()
    assert [e.label for e in seen] == ["thread"]
