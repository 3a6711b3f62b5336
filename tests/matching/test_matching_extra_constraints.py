"""The ``extra_constraints`` hook: rows a caller adds to the model, honoured and verified."""

from __future__ import annotations

import pulp
import pytest

from matching import MatchingInputs, MatchModel, MatchSettings, MatchStatus, prepare, solve, verify
from matching.model import ExtraRow


def _at_most_one_of_pa(m: MatchModel) -> None:
    """Supporters sa and sc together take at most one recipient of prefecture PA."""
    pa = [r for r in m.problem.recipients if m.problem.prefecture[r] == "PA"]
    terms = {(r, s): 1.0 for r in pa for s in ("sa", "sc")}
    m.add_extra("sa+sc<=1 of PA", terms, "<=", 1)


def test_extra_row_is_honoured_and_verified(tiny_inputs: MatchingInputs) -> None:
    problem = prepare(tiny_inputs)
    free = solve(problem)
    pa = {r for r in problem.recipients if problem.prefecture[r] == "PA"}
    taken = [(r, s) for r, s in free.pairs if r in pa and s in ("sa", "sc")]
    assert len(taken) == 2  # without the row the best pairing breaks it
    result = solve(problem, extra_constraints=_at_most_one_of_pa)
    assert result.status == MatchStatus.OPTIMAL
    assert result.method != "assignment"  # the hook turns the shortcuts off
    taken = [(r, s) for r, s in result.pairs if r in pa and s in ("sa", "sc")]
    assert len(taken) <= 1
    assert result.objective is not None and free.objective is not None
    assert result.objective <= free.objective + 1e-9
    assert result.verification is not None
    assert result.verification.extra_checked == ("extra[sa+sc<=1 of PA]",)
    assert result.to_dict()["verification"]["extra_checked"] == ["extra[sa+sc<=1 of PA]"]


def test_verify_fails_a_pairing_that_breaks_an_extra_row(tiny_inputs: MatchingInputs) -> None:
    problem = prepare(tiny_inputs)
    free = solve(problem)
    row = ExtraRow(
        "extra[k]",
        tuple(((r, s), 1.0) for r in ("ra", "rc") for s in ("sa", "sc")),
        "<=",
        1.0,
    )
    ver = verify(problem, MatchSettings(), free.pairs, extra=[row])
    assert not ver.ok and ver.extra_checked == ("extra[k]",)
    assert ver.problems == ("extra row extra[k] violated: 2 <= 1 does not hold",)


def test_rows_added_with_add_are_read_back(tiny_inputs: MatchingInputs) -> None:
    problem = prepare(tiny_inputs)

    def hook(m: MatchModel) -> None:
        terms = pulp.lpSum(m.variables([("ra", "sa"), ("ra", "sb")]))
        m.add("extra", "ra-not-sa-sb", "", terms <= 0)

    result = solve(problem, extra_constraints=hook)
    assert result.status == MatchStatus.OPTIMAL
    assert dict(result.pairs)["ra"] == "sc"
    assert result.verification is not None
    assert result.verification.extra_checked == ("extra[ra-not-sa-sb]",)


def test_a_hook_that_makes_the_model_infeasible(tiny_inputs: MatchingInputs) -> None:
    problem = prepare(tiny_inputs)

    def nobody(m: MatchModel) -> None:
        m.add_extra("none", {pair: 1.0 for pair in m.x}, "<=", 0)

    result = solve(problem, extra_constraints=nobody)
    assert result.status == MatchStatus.INFEASIBLE and not result.pairs


def test_extra_rows_must_use_pairing_variables(tiny_inputs: MatchingInputs) -> None:
    problem = prepare(tiny_inputs)

    def foreign(m: MatchModel) -> None:
        y = pulp.LpVariable("y", lowBound=0)
        m.add("extra", "y", "", pulp.lpSum([y]) <= 1)

    with pytest.raises(ValueError, match="'y', which is not a pairing variable"):
        solve(problem, extra_constraints=foreign)


def test_add_extra_rejects_bad_senses_and_counties(tiny_inputs: MatchingInputs) -> None:
    problem = prepare(tiny_inputs)

    def bad_sense(m: MatchModel) -> None:
        m.add_extra("k", {("ra", "sa"): 1.0}, "<", 1)

    with pytest.raises(ValueError, match="sense must be one of <=, >=, ==, got '<'"):
        solve(problem, extra_constraints=bad_sense)

    def bad_pair(m: MatchModel) -> None:
        m.add_extra("k", {("sa", "ra"): 1.0}, "<=", 1)

    with pytest.raises(Exception, match="must name a recipient then a supporter"):
        solve(problem, extra_constraints=bad_pair)
