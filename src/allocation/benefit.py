"""The benefit model and fairness measures (pure functions, no solver)."""

from __future__ import annotations

from collections.abc import Iterable

from allocation.options import BenefitWeights


def project_value(
    *,
    people: float,
    low_income_people: float,
    jobs: float,
    income_uplift: float,
    priority: bool,
    readiness: float,
    weights: BenefitWeights,
) -> float:
    r"""Benefit of a fully funded project over its whole duration, in person-equivalents.

    .. math::

        v = (w_P P + w_L L + w_J J + w_U U)\,(1 + w_\pi [\text{priority}])\,
            (r_0 + (1 - r_0)\,\text{readiness})

    ``P`` people benefited, ``L`` low-income people benefited (counted again with the extra
    weight ``w_L``), ``J`` jobs, ``U`` annual income uplift (万元).

    >>> w = BenefitWeights()
    >>> project_value(people=100, low_income_people=10, jobs=2, income_uplift=0,
    ...               priority=True, readiness=1.0, weights=w)
    255.0
    """
    outcome = (
        weights.people * people
        + weights.low_income * low_income_people
        + weights.jobs * jobs
        + weights.income_uplift * income_uplift
    )
    bonus = 1.0 + (weights.priority if priority else 0.0)
    ready = weights.readiness_floor + (1.0 - weights.readiness_floor) * readiness
    return float(outcome * bonus * ready)


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values (0 = equal, → 1 = concentrated; 0 if all zero).

    >>> gini([5, 5, 5]), gini([0, 0, 10]), gini([])
    (0.0, 0.6666666666666667, 0.0)
    """
    xs = sorted(float(v) for v in values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total <= 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return float((2.0 * weighted) / (n * total) - (n + 1.0) / n)
