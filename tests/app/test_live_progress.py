"""Live solve progress: labels per stage, the on_solve API, the CLI's stderr line; CLI polish."""

from __future__ import annotations

import io

import pytest

import shanchuan
from shanchuan import cli, labels, stages
from shanchuan.outputs.live import LiveProgress
from solverkit.progress import SolveProgress, emit


def _emitting(real):
    def solve(*args, **kwargs):
        emit(SolveProgress(solver="fake", elapsed=3.0, incumbent=9.0, bound=9.5))
        emit(SolveProgress(solver="fake", elapsed=4.0, incumbent=9.4, bound=9.4, done=True))
        return real(*args, **kwargs)

    return solve


def test_on_solve_gets_the_main_solve_labelled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stages.matching, "solve", _emitting(stages.matching.solve))
    seen: list[SolveProgress] = []
    outcome = shanchuan.match(progress=lambda line: None, on_solve=seen.append)
    assert outcome.status == "optimal"
    assert [e.label for e in seen] == [labels.PAIRING_MAIN] * 2
    assert seen[0].gap == pytest.approx(0.5 / 9.0)
    assert seen[-1].done


def test_allocation_phases_relabel_events() -> None:
    seen: list[SolveProgress] = []
    phases = labels.Phases(seen.append, labels.ALLOCATION_MAIN, labels.ALLOCATION_PHASES, str)
    with phases.block():
        emit(SolveProgress(solver="x", elapsed=1.0))
        phases.progress("rule costs: 8 re-solves, each with one rule relaxed a step")
        emit(SolveProgress(solver="x", elapsed=1.0))
        emit(SolveProgress(solver="x", elapsed=1.0, label="rule cost: budget"))  # engine's own
    assert [e.label for e in seen] == [
        labels.ALLOCATION_MAIN, "allocation: rule costs", "rule cost: budget",
    ]


def test_plain_lines_are_throttled_and_free_of_control_codes() -> None:
    now = [0.0]
    out = io.StringIO()
    live = LiveProgress(out, tty=False, clock=lambda: now[0])
    live(SolveProgress(solver="cbc", elapsed=1.0, label="a"))  # under 2 s: silent
    for t in range(3, 13):
        now[0] = float(t)
        live(SolveProgress(solver="cbc", elapsed=float(t), incumbent=1.0, bound=2.0, label="a"))
    live(SolveProgress(solver="cbc", elapsed=13.0, incumbent=2.0, bound=2.0, label="a", done=True))
    lines = out.getvalue().splitlines()
    assert len(lines) == 3  # at 3 s, 8 s, and the last line
    assert lines[0].startswith("shanchuan: a [cbc] 3.0 s") and lines[-1].endswith("done")
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_real_backend_events_reach_on_solve() -> None:
    seen: list[SolveProgress] = []
    shanchuan.allocate(
        sets=["allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0"],
        progress=lambda line: None,
        on_solve=seen.append,
    )
    assert any(e.label == labels.ALLOCATION_MAIN for e in seen)


@pytest.mark.parametrize("argv", [["-q", "check"], ["check", "-q"], ["check", "--lang", "en"]])
def test_global_flags_before_or_after_the_command(argv, capsys) -> None:
    assert cli.main(argv) == 0
    assert "files valid" in capsys.readouterr().out


def test_set_problems_are_filed_at_set_and_the_key(capsys) -> None:
    assert cli.main(["check", "--set", "matching.rules.max_distance=-5"]) == 2
    err = capsys.readouterr().err
    assert "--set, key 'matching.rules.max_distance'" in err and "scenario.toml" not in err


def test_fast_refuses_analysis_flags_and_turns_analyses_off(capsys) -> None:
    assert cli.main(["match", "--fast", "--stability"]) == 2
    assert cli.main(["-q", "allocate", "--fast", "--format", "json"]) == 0
    assert '"rule_costs": []' in capsys.readouterr().out.replace("\n", "")
