"""The docstring examples of the allocation modules run as tests (linopy's habit)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import allocation

MODULES = sorted(m.name for m in pkgutil.walk_packages(allocation.__path__, prefix="allocation."))


def test_some_modules_carry_examples():
    with_examples = [
        name
        for name in MODULES
        if doctest.DocTestFinder().find(importlib.import_module(name))
        and any(t.examples for t in doctest.DocTestFinder().find(importlib.import_module(name)))
    ]
    assert {"allocation.rules", "allocation.instances", "allocation.errors"} <= set(with_examples)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
