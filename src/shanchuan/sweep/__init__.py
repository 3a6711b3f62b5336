"""Sweeps: many variants of one scenario, solved in parallel, resumable, summarised.

A sweep varies scenario keys (a grid, or random draws) and the data (multiplicative noise on
the counties' indicator columns); every variant is a full, verified run through the public
stages (:mod:`shanchuan.stages`) on data read and validated once. Variants run in this
process, in local worker processes, or on a Dask cluster (:mod:`.executors`), and are written
one file each into the sweep folder as they finish (:mod:`.store`), keyed by the hash of their
effective settings (:mod:`.spec`): a re-run skips what is finished. The summary
(:mod:`.summary`) says how often each pair is chosen and what moves it.

Modules: :mod:`.spec` (what varies), :mod:`.worker` (one variant), :mod:`.executors` (where),
:mod:`.store` (the folder), :mod:`.summary` (the tables), :mod:`.run` (:func:`sweep`).
"""

from __future__ import annotations

import sys
import types
from typing import Any

from shanchuan.sweep.run import ENGINES, SweepResult, sweep
from shanchuan.sweep.spec import MAX_VARIANTS

__all__ = ["ENGINES", "MAX_VARIANTS", "SweepResult", "sweep"]


class _CallablePackage(types.ModuleType):
    """``shanchuan.sweep(...)`` is the function, although ``shanchuan.sweep`` is this package.

    Importing a subpackage makes it an attribute of its parent, which would hide the function
    of the same name that ``shanchuan`` exports; calling the package calls the function.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> SweepResult:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
