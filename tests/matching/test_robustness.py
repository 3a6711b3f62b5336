"""Robustness analysis (issue 8): Dirichlet weights, data and willingness noise, fragility."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MatchRules, MatchSettings, SensitivitySettings, prepare
from matching.forcing import AnalysisError
from matching.instances import make_problem
from matching.options import OptionsError
from matching.problem import CRITERIA, MatchingProblem
from matching.sensitivity import _noisy_lists, dirichlet_weights, sensitivity


@settings(max_examples=15, deadline=None)
@given(
    st.integers(2, 5),
    st.integers(0, 10**6),
    st.sampled_from(["uniform", "dirichlet"]),
    st.floats(0.2, 20.0),
    st.floats(0.0, 1.0),
    st.sampled_from([1, 2]),
)
def test_pair_frequency_rows_sum_to_the_sample_count(
    n: int, seed: int, mode: str, kappa: float, p: float, cap: int
) -> None:
    problem = make_problem(n, n, seed)
    cfg = MatchSettings(rules=MatchRules(supporter_capacity=cap))
    res = sensitivity(
        problem, cfg, samples=12, seed=seed, mode=mode, concentration=kappa, willingness_noise=p
    )
    assert res.infeasible == 0  # no min score: every sample has a pairing
    np.testing.assert_array_equal(res.counts.to_numpy().sum(axis=1), 12)
    np.testing.assert_allclose(res.frequency.to_numpy().sum(axis=1), 1.0)
    assert len(res.sample_table) == 12 and len(res.sample_pairs) == 12 * n
    assert res.sample_pairs.groupby("sample").size().eq(n).all()
    np.testing.assert_allclose(res.weights.sum(axis=1), 1.0)
    shares = res.fragility["kept_share"].to_numpy()
    assert (np.diff(shares) >= 0).all()  # most fragile first


def test_dirichlet_has_the_given_mean_and_reaches_double_weights() -> None:
    weights = {"strength": 0.3, "industry": 0.25, "resource": 0.15, "distance": 0.15,
               "willingness": 0.1, "plan": 0.05}
    wide = dirichlet_weights(weights, 4000, 1.0, seed=3)
    np.testing.assert_allclose(wide.mean(axis=0), list(weights.values()), atol=0.02)
    # "distance twice as important" is inside the space at concentration 1
    assert (wide[:, 3] >= 2 * 0.15).mean() > 0.1
    tight = dirichlet_weights(weights, 4000, 200.0, seed=3)
    assert tight.std(axis=0).max() < 0.05 < wide.std(axis=0).max()
    zero = dirichlet_weights({"strength": 0.5, "industry": 0.0, "distance": 0.5}, 50, 1.0, 1)
    assert (zero[:, 1] == 0).all()
    np.testing.assert_allclose(zero.sum(axis=1), 1.0)


def test_seeded_and_each_noise_has_its_own_stream() -> None:
    problem = make_problem(5, 5, 8)
    a = sensitivity(problem, samples=30, seed=4, mode="dirichlet", concentration=2.0)
    b = sensitivity(problem, samples=30, seed=4, mode="dirichlet", concentration=2.0)
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)
    noisy = sensitivity(
        problem, samples=30, seed=4, mode="dirichlet", concentration=2.0, willingness_noise=0.3
    )
    np.testing.assert_array_equal(noisy.weights.to_numpy(), a.weights.to_numpy())
    assert noisy.sample_table["lists_changed"].sum() > 0
    assert (a.sample_table["lists_changed"] == 0).all()


def test_settings_give_the_defaults() -> None:
    problem = make_problem(4, 4, 2)
    cfg = MatchSettings(sensitivity=SensitivitySettings(samples=7, mode="dirichlet", seed=9))
    res = sensitivity(problem, cfg)
    assert (res.samples, res.mode, res.seed) == (7, "dirichlet", 9)
    assert "Dirichlet(concentration 1)" in res.setting()


def test_noisy_lists_drop_and_swap_but_keep_one() -> None:
    prefs = {"a": ("x", "y", "z"), "b": ("x",), "c": ()}
    rng = np.random.default_rng(1)
    assert _noisy_lists(prefs, 0.0, rng) == prefs
    for _ in range(20):
        out = _noisy_lists(prefs, 1.0, rng)
        assert len(out["a"]) == 1 and out["b"] == ("x",) and out["c"] == ()
    seen = {_noisy_lists(prefs, 0.5, rng)["a"] for _ in range(200)}
    assert ("y", "x", "z") in seen or ("x", "z", "y") in seen  # a reorder happens
    assert all(set(lst) <= {"x", "y", "z"} and lst for lst in seen)


def test_data_noise_recomputes_strength_from_the_indicators() -> None:
    problem = prepare(make_inputs())
    res = sensitivity(problem, samples=40, spread=0.0, seed=1, data_noise=0.3)
    assert res.data_noise == 0.3 and "strength data ±30%" in res.setting()
    np.testing.assert_array_equal(res.counts.to_numpy().sum(axis=1), 40)
    still = sensitivity(problem, samples=10, spread=0.0, seed=1)
    assert still.reproduced == 10  # no weight spread and no noise: always the base
    drivers = set(res.fragility["driver"].dropna())
    assert drivers <= {"data:strength"}  # the only thing that varies


def test_data_noise_needs_a_prepared_problem() -> None:
    with pytest.raises(AnalysisError, match=r"data_noise needs a problem made by matching\.prepare"):
        sensitivity(make_problem(3, 3, 1), samples=5, data_noise=0.1)


def test_bad_options_are_reported_together() -> None:
    with pytest.raises(AnalysisError, match=r"mode must be one of.*concentration must be positive"):
        sensitivity(make_problem(3, 3, 1), samples=5, mode="normal", concentration=0.0)
    with pytest.raises(OptionsError, match=r"samples must be 0 \(off\)"):
        SensitivitySettings(samples=-1)
    with pytest.raises(OptionsError, match=r"willingness_noise must be in \[0, 1\]"):
        SensitivitySettings(willingness_noise=2.0)


def _two_by_two() -> MatchingProblem:
    """The diagonal wins on distance, the anti-diagonal on industry, strength is a tie."""
    diag = np.array([[1.0, 0.0], [0.0, 1.0]])
    zeros = np.zeros((2, 2))
    crit = {c: zeros for c in CRITERIA} | {"distance": diag, "industry": 1.0 - diag}
    crit["strength"] = np.full((2, 2), 0.5)
    return MatchingProblem(
        recipients=("r0", "r1"),
        supporters=("s0", "s1"),
        names={},
        full_names={},
        prefecture={"r0": "P", "r1": "P", "s0": "Q", "s1": "Q"},
        criteria=crit,
        weights={"distance": 0.45, "industry": 0.35, "strength": 0.2},
        distance=np.full((2, 2), 100.0),
    )


def test_fragility_names_the_weight_that_flips_the_pair() -> None:
    res = sensitivity(_two_by_two(), samples=300, seed=5, mode="dirichlet", concentration=1.0)
    assert set(res.base_pairs) == {("r0", "s0"), ("r1", "s1")}
    assert 0.2 < res.reproduced_share < 0.9
    top = res.fragility.iloc[0]
    assert top["driver"] in {"weight:distance", "weight:industry"}
    sign = 1 if top["driver"] == "weight:distance" else -1
    assert sign * top["driver_rho"] > 0.6  # kept when distance matters more
    assert "kept more often the" in top["reading"]
    assert res.partners["driver"].notna().all()
    assert "most fragile:" in res.headline()
    payload = res.to_dict()
    assert len(payload["per_sample"]) == 300 and payload["per_sample"][0]["pairs"]
    json.dumps(payload)  # plain data


def test_cli_refuses_a_shaping_flag_without_samples(capsys: pytest.CaptureFixture[str]) -> None:
    from shanchuan import cli

    code = cli.main(["-q", "match", "--concentration", "2"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--concentration shapes the robustness analysis; add --sensitivity N" in err
