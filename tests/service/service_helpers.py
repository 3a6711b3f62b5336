"""Tokens and small helpers shared by the service tests."""

from __future__ import annotations

import time
from typing import Any

TOKEN_A = "token-a-" + "a" * 24
TOKEN_B = "token-b-" + "b" * 24
A = {"Authorization": f"Bearer {TOKEN_A}"}
B = {"Authorization": f"Bearer {TOKEN_B}"}


def wait(client: Any, job: str, headers: dict[str, str] = A, limit: float = 120) -> dict[str, Any]:
    """Poll ``GET /v1/jobs/{job}`` until the job has finished; its last view."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        view: dict[str, Any] = client.get(f"/v1/jobs/{job}", headers=headers).json()
        if view["state"] not in ("queued", "running"):
            return view
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish in {limit} s")
