"""Behaviour pinned by golden records of real CLI runs (see ``cases.py``)."""

from __future__ import annotations

import json

import pytest
from cases import CASES, golden_path, run_case


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    path = golden_path(name)
    assert path.exists(), f"no golden for {name}: python tests/golden/cases.py --update {name}"
    expected = json.loads(path.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(run_case(name), ensure_ascii=False, sort_keys=True))
    assert got == expected, (
        f"{name} differs from its golden; if the change is intended, run "
        f"python tests/golden/cases.py --update {name} and review the diff"
    )
