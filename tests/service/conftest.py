"""A TestClient over the service app with one worker process, shared by the API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="the service extra is part of the test extra")

from fastapi.testclient import TestClient
from service_helpers import TOKEN_A, TOKEN_B

from shanchuan.service.app import create_app
from shanchuan.service.config import ServiceConfig


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(ServiceConfig(tokens=(TOKEN_A, TOKEN_B), workers=1, max_rows=500))
    with TestClient(app) as c:
        yield c
