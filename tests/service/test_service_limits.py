"""The service's limits: body size (413), rows (422, in test_service_api), jobs per token and
queue length (429 with Retry-After), and the serve command without the extra."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from service_helpers import TOKEN_A, TOKEN_B, A, B

from shanchuan import cli, service
from shanchuan.errors import InputError
from shanchuan.service.app import create_app
from shanchuan.service.config import ServiceConfig, read_tokens


@pytest.fixture(scope="module")
def tight() -> Iterator[TestClient]:
    config = ServiceConfig(
        tokens=(TOKEN_A, TOKEN_B),
        workers=1,
        max_body_bytes=20_000,
        max_jobs_per_token=2,
        max_queue=1,
    )
    with TestClient(create_app(config)) as c:
        yield c


def test_oversize_body_is_413_before_parsing(tight: TestClient) -> None:
    big = json.dumps({"scenario": {"scenario": {"name": "x" * 30_000}}})
    r = tight.post("/v1/match", content=big, headers={**A, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert "20000 bytes" in r.json()["error"]


def test_oversize_chunked_body_is_413(tight: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"scenario": {"scenario": {"name": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}}}'

    r = tight.post("/v1/match", content=chunks(), headers={**A, "Content-Type": "application/json"})
    assert r.status_code == 413


def test_jobs_per_token_and_queue_length_give_429_with_retry_after(tight: TestClient) -> None:
    first = tight.post("/v1/allocate", json={}, headers=A).json()["job"]
    end = time.monotonic() + 60
    while tight.get(f"/v1/jobs/{first}", headers=A).json()["state"] != "running":
        assert time.monotonic() < end
        time.sleep(0.05)
    second = tight.post("/v1/allocate", json={}, headers=A)
    assert second.status_code == 202  # queued behind the first
    third = tight.post("/v1/allocate", json={}, headers=A)
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
    assert "at most 2" in third.json()["error"]
    other = tight.post("/v1/allocate", json={}, headers=B)
    assert other.status_code == 429 and int(other.headers["Retry-After"]) > 0
    assert "queue is full" in other.json()["error"]
    # Cancelling a queued job frees its place at once; the running one is killed.
    queued = second.json()["job"]
    assert tight.delete(f"/v1/jobs/{queued}", headers=A).json()["state"] == "cancelled"
    assert tight.delete(f"/v1/jobs/{first}", headers=A).json()["state"] == "cancelled"
    assert tight.post("/v1/match?async=1", json={}, headers=B).status_code == 202


def test_short_tokens_and_bad_limits_are_refused() -> None:
    with pytest.raises(InputError, match="shorter than 16 characters"):
        ServiceConfig(tokens=("short",))
    with pytest.raises(InputError, match="'workers': must be positive"):
        ServiceConfig(tokens=(TOKEN_A,), workers=0)


def test_tokens_come_from_the_file_or_the_environment(tmp_path) -> None:
    f = tmp_path / "tokens"
    f.write_text(f"# clients\n{TOKEN_A}\n\n{TOKEN_B}\n", encoding="utf-8")
    assert read_tokens(f, {}) == (TOKEN_A, TOKEN_B)
    assert read_tokens(None, {"SHANCHUAN_TOKEN": TOKEN_B}) == (TOKEN_B,)
    assert read_tokens(None, {}) == ()
    with pytest.raises(InputError, match="cannot be read"):
        read_tokens(tmp_path / "missing", {})
    (tmp_path / "empty").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no token"):
        read_tokens(tmp_path / "empty", {})


def test_serve_without_the_extra_exits_2(monkeypatch, capsys) -> None:
    monkeypatch.setattr(service, "missing_dependencies", lambda: ["fastapi", "uvicorn"])
    assert cli.main(["serve", "-q"]) == 2
    err = capsys.readouterr().err
    assert "install shanchuan[service]" in err and "Traceback" not in err


def test_a_stopping_server_fails_its_queued_jobs_and_forgets_them() -> None:
    from shanchuan.service import intake
    from shanchuan.service.jobs import JobManager

    manager = JobManager(ServiceConfig(tokens=(TOKEN_A,), workers=1))
    manager.started = True  # no worker: the jobs stay queued
    jobs = [
        manager.submit("owner", "match", {}, intake.build("hubei-2021", [], [], max_rows=10))
        for _ in range(2)
    ]
    assert all(j.state == "queued" for j in jobs)
    manager.stop()
    assert [j.state for j in jobs] == ["failed", "failed"]
    assert all(j.message == "the server stopped before it ran" for j in jobs)
    assert all(not j.intake.workdir.exists() for j in jobs)  # private folders removed
    # A new server (a restart) knows none of them: 404 through the API.
    assert JobManager(ServiceConfig(tokens=(TOKEN_A,))).get("owner", jobs[0].id) is None


def test_serve_registers_under_both_cli_conventions() -> None:
    import argparse

    from shanchuan.commands import serve

    sub = argparse.ArgumentParser().add_subparsers()
    assert serve.add_parser(sub).parse_args(["--port", "0"]).port == 0
    made: list[str] = []

    def add(name: str, help: str) -> argparse.ArgumentParser:
        made.append(name)
        return argparse.ArgumentParser(prog=name)

    args = serve.add_parser(add).parse_args(["--token-file", "t", "--workers", "3"])
    assert made == ["serve"] and args.workers == 3 and args.host == "127.0.0.1"
