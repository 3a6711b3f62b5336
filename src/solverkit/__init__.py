"""The floor below both engines: solver plumbing and the vocabulary every room shares.

Nothing here knows about counties, pairs or projects. :mod:`matching` and :mod:`allocation`
stand on it as peers (neither imports the other) and :mod:`shanchuan` stands on all three.

=====================  ==========================================================
module                 holds
=====================  ==========================================================
:mod:`.registry`       solver registry: backends, options, statuses, warm starts
:mod:`.status`         the outcome vocabulary (optimal, feasible, infeasible, failed)
:mod:`.errors`         one exception hierarchy carrying structured problems
:mod:`.jsonio`         the one JSON writer (non-finite numbers, numpy scalars)
:mod:`.text`           "did you mean" suggestions
=====================  ==========================================================

The submodules are imported on use: ``import solverkit`` loads nothing heavy.
"""
