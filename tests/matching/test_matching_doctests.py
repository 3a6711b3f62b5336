"""The docstring examples of every ``matching`` module run as tests (as linopy's do)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import matching

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(matching.__path__, prefix="matching.")
)


@pytest.mark.parametrize("name", ["matching", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
