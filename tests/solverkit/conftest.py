import pytest

from solverkit.registry import available_solvers


@pytest.fixture(params=available_solvers())
def solver(request: pytest.FixtureRequest) -> str:
    """Every solver installed here (the registry's tests run on each)."""
    return request.param
