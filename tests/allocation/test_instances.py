"""The seeded pools of :mod:`allocation.instances`: deterministic and valid inputs."""

from __future__ import annotations

from allocation import prepare
from allocation.instances import DEFAULT_LIKE, PoolSpec, make_pool


def test_same_spec_same_pool_and_other_seed_other_pool():
    spec = PoolSpec("t", n_pairs=4, n_candidates=40, seed=3)
    a, b = make_pool(spec), make_pool(spec)
    assert a.projects.equals(b.projects)
    assert not a.projects.equals(
        make_pool(PoolSpec("t", n_pairs=4, n_candidates=40, seed=4)).projects
    )


def test_default_like_pool_prepares_without_problems():
    problem = prepare(make_pool(DEFAULT_LIKE))
    assert len(problem.all_ids) == DEFAULT_LIKE.n_candidates
    assert len(problem.pairs) == DEFAULT_LIKE.n_pairs
