"""Long analyses report progress as (done, total), ending at total."""

from __future__ import annotations

from matching import MatchSettings, forcing_costs, sensitivity
from matching.instances import make_problem


def test_forcing_costs_report_each_recipient_row() -> None:
    problem = make_problem(4, 4, seed=3)
    calls: list[tuple[int, int]] = []
    forcing_costs(problem, MatchSettings(), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(4, 16), (8, 16), (12, 16), (16, 16)]


def test_sensitivity_reports_tenths_and_the_end() -> None:
    problem = make_problem(4, 4, seed=3)
    calls: list[tuple[int, int]] = []
    sensitivity(
        problem,
        MatchSettings(),
        samples=20,
        spread=0.2,
        seed=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (20, 20)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) == 10
