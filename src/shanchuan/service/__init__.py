"""``shanchuan serve``: the engines behind an HTTP API, for planning systems in other languages.

The service is a thin front end over the public stages (:mod:`shanchuan.stages`), as the CLI
is: a request body is a scenario in the structure of the TOML/JSON scenario files, its data
tables inline (:mod:`shanchuan.service.intake`); it is validated by the same checks as
``shanchuan check`` and solved in worker processes that a cancel can kill
(:mod:`shanchuan.service.jobs`). Authentication and limits: :mod:`shanchuan.service.config`,
``SECURITY.md``. Usage: ``docs/service.md``.

Needs the optional extra ``service`` (FastAPI, uvicorn); importing this package does not
import them — :func:`shanchuan.service.app.create_app` does.
"""

from __future__ import annotations

from shanchuan.contract import SCHEMA_VERSION  # the one contract version (docs/contract.md)
from shanchuan.service.config import ServiceConfig

__all__ = ["SCHEMA_VERSION", "ServiceConfig", "missing_dependencies"]


def missing_dependencies() -> list[str]:
    """The packages of the ``service`` extra that are not installed (empty when all are)."""
    import importlib.util

    return [name for name in ("fastapi", "uvicorn") if importlib.util.find_spec(name) is None]
