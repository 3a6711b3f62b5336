"""Every endpoint of the service and its errors, through Starlette's TestClient."""

from __future__ import annotations

import csv
import io
import time

from fastapi.testclient import TestClient
from service_helpers import TOKEN_A, A, B, wait

import shanchuan
from shanchuan import scenario as scenario_mod


def counties_csv() -> list[list[str]]:
    path = scenario_mod.builtin_path("hubei-2021").parent / "counties.csv"
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# -- reference endpoints and docs ---------------------------------------------------------


def test_health_needs_no_token_and_says_little(client: TestClient) -> None:
    r = client.get("/v1/health")
    assert r.status_code == 200
    assert r.json() == {"schema_version": "1", "status": "ok", "version": shanchuan.__version__}


def test_scenarios_lists_the_builtins_and_their_override_sets(client: TestClient) -> None:
    body = client.get("/v1/scenarios", headers=A).json()
    names = [s["name"] for s in body["scenarios"]]
    assert names == scenario_mod.builtin_scenarios()
    hubei = body["scenarios"][names.index("hubei-2021")]
    loaded = scenario_mod.load("hubei-2021")
    assert [o["name"] for o in hubei["overrides"]] == sorted(loaded.available_overrides)


def test_keys_lists_every_scenario_key(client: TestClient) -> None:
    keys = client.get("/v1/keys", headers=A).json()["keys"]
    assert [k["key"] for k in keys] == list(scenario_mod.KNOWN)
    by_key = {k["key"]: k for k in keys}
    assert by_key["matching.solver.time_limit"]["default"] == 60.0


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/match",
        "/v1/allocate",
        "/v1/run",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/result",
        "/v1/scenarios",
        "/v1/keys",
        "/v1/health",
    ):
        assert path in spec["paths"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200


# -- authentication -----------------------------------------------------------------------


def test_missing_or_wrong_token_is_401(client: TestClient) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token-wrong-token"},
        {"Authorization": f"Basic {TOKEN_A}"},
        {"Authorization": f"Bearer {TOKEN_A}x"},
    ):
        for method, path in (
            ("get", "/v1/scenarios"),
            ("get", "/v1/keys"),
            ("post", "/v1/match"),
            ("post", "/v1/run"),
            ("get", "/v1/jobs/abc"),
        ):
            r = client.request(method, path, headers=headers, json={})
            assert r.status_code == 401, (headers, path)
            assert r.headers["WWW-Authenticate"] == "Bearer"
            assert r.json()["error"] == "missing or wrong token"


def test_cors_is_off(client: TestClient) -> None:
    r = client.options(
        "/v1/match",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}


# -- match: the same answer as the CLI, and its errors ------------------------------------


def test_match_answers_directly_with_the_same_pairs_as_the_api(client: TestClient) -> None:
    sets = ["matching.rules.max_distance=400"]
    r = client.post("/v1/match", json={"set": sets}, headers=A)
    assert r.status_code == 200
    body = r.json()
    assert body["schema_version"] == "1" and body["status"] == "optimal"
    expected = shanchuan.match("hubei-2021", sets=sets, progress=lambda line: None)
    want = expected.to_dict()
    assert body["result"]["pairs"] == want["pairs"]
    assert body["result"]["objective"] == want["objective"]
    changes = body["result"]["provenance"]["changes"]
    assert any("matching.rules.max_distance" in str(c) for c in changes)


def test_match_set_as_an_object_and_async(client: TestClient) -> None:
    r = client.post(
        "/v1/match?async=1",
        json={"set": {"matching.rules.max_distance": 400}, "stability": True},
        headers=A,
    )
    assert r.status_code == 202
    job = r.json()["job"]
    assert r.headers["Location"] == f"/v1/jobs/{job}"
    assert wait(client, job)["state"] == "done"
    result = client.get(f"/v1/jobs/{job}/result", headers=A).json()
    assert result["status"] == "optimal"
    assert "blocking_pairs" in result["result"]["analyses"]


def test_infeasible_rules_are_200_with_the_diagnosis(client: TestClient) -> None:
    r = client.post("/v1/match", json={"set": ["matching.rules.max_distance=5"]}, headers=A)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "infeasible"
    assert body["result"]["diagnosis"]


def test_bad_setting_is_422_with_structured_problems(client: TestClient) -> None:
    r = client.post(
        "/v1/match",
        json={"set": ["matching.rules.max_distance=far", "matching.nosuchkey=1"]},
        headers=A,
    )
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert {p["key"] for p in problems} == {"matching.rules.max_distance", "matching.nosuchkey"}
    bad = next(p for p in problems if p["key"] == "matching.rules.max_distance")
    assert bad["value"] == "far" and bad["file"] == "set" and bad["expected"]


def test_unknown_override_set_and_body_field_are_422(client: TestClient) -> None:
    r = client.post("/v1/match", json={"overrides": ["nosuch"]}, headers=A)
    assert r.status_code == 422
    assert r.json()["problems"][0]["key"] == "overrides.nosuch"
    r = client.post("/v1/match", json={"scenari": "hubei-2021"}, headers=A)
    assert r.status_code == 422
    assert r.json()["problems"][0]["key"] == "scenari"
    r = client.post("/v1/match", json={"alternatives": -1}, headers=A)
    assert r.status_code == 422 and r.json()["problems"][0]["key"] == "alternatives"


def test_fast_with_an_analysis_is_422(client: TestClient) -> None:
    r = client.post("/v1/match", json={"fast": True, "alternatives": 2}, headers=A)
    assert r.status_code == 422 and r.json()["problems"][0]["key"] == "fast"


# -- a request never names a server path --------------------------------------------------


def test_paths_on_the_server_are_refused_naming_the_key(client: TestClient) -> None:
    cases = [
        ({"scenario": "/etc/passwd"}, "scenario"),
        ({"scenario": "../../src/shanchuan/data/hubei-2021"}, "scenario"),
        ({"scenario": {"scenario": {"extends": "/tmp/x.toml"}}}, "scenario.extends"),
        (
            {
                "scenario": {
                    "scenario": {"extends": "hubei-2021"},
                    "data": {"counties": "/etc/passwd"},
                }
            },
            "data.counties",
        ),
        (
            {
                "scenario": {
                    "scenario": {"extends": "hubei-2021"},
                    "overrides": {"x": {"data": {"projects": "p.csv"}}},
                }
            },
            "overrides.x.data.projects",
        ),
        ({"scenario": {"scenario.extends": "/tmp/x.toml"}}, "scenario.extends"),
        (
            {"scenario": {"scenario": {"extends": "hubei-2021"}, "data.counties": "/etc/passwd"}},
            "data.counties",
        ),
        (
            {
                "scenario": {
                    "scenario": {"extends": "hubei-2021"},
                    "overrides": {"x": {"data.projects": "/etc/passwd"}},
                }
            },
            "overrides.x.data.projects",
        ),
        ({"set": ['data.counties="/etc/passwd"']}, "set: data.counties"),
        ({"set": {"data.projects": "/etc/shadow"}}, "set: data.projects"),
    ]
    for body, key in cases:
        r = client.post("/v1/match", json=body, headers=A)
        assert r.status_code == 422, body
        problems = r.json()["problems"]
        assert [p["key"] for p in problems] == [key], body
        assert "server" in problems[0]["message"]


def test_run_with_infeasible_rules_is_200_with_the_diagnosis(client: TestClient) -> None:
    r = client.post("/v1/run?async=0", json={"set": ["matching.rules.max_distance=5"]}, headers=A)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "infeasible" and body["result"]["diagnosis"]


def test_inline_table_problems_name_the_table_row_and_column(client: TestClient) -> None:
    rows = counties_csv()
    header = rows[0]
    rows[3][header.index("population_wan")] = "many"
    body = {
        "scenario": {
            "scenario": {"extends": "hubei-2021"},
            "data": {"counties": {"csv": to_csv(rows)}},
        }
    }
    r = client.post("/v1/match", json=body, headers=A)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any(
        p["file"] == "data.counties"
        and p["row"] == 4
        and p["column"] == "population_wan"
        and p["value"] == "many"
        for p in problems
    ), problems
    assert not any("shanchuan-job-" in str(p) for p in problems)  # no server path leaks


def test_inline_records_solve_like_the_file(client: TestClient) -> None:
    rows = counties_csv()
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    body = {
        "scenario": {
            "scenario": {"extends": "hubei-2021", "name": "inline"},
            "data": {"counties": {"records": records}},
        }
    }
    r = client.post("/v1/match", json=body, headers=A)
    assert r.status_code == 200, r.json()
    expected = shanchuan.match("hubei-2021", progress=lambda line: None).to_dict()
    assert r.json()["result"]["pairs"] == expected["pairs"]


def test_too_many_rows_is_422(client: TestClient) -> None:
    rows = counties_csv()
    rows += [rows[1]] * 500
    body = {
        "scenario": {
            "scenario": {"extends": "hubei-2021"},
            "data": {"counties": {"csv": to_csv(rows)}},
        }
    }
    r = client.post("/v1/match", json=body, headers=A)
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    assert p["key"] == "data.counties" and "at most 500" in p["message"]


def test_solver_time_over_the_cap_is_422(client: TestClient) -> None:
    r = client.post("/v1/match", json={"set": ["matching.solver.time_limit=100000"]}, headers=A)
    assert r.status_code == 422
    assert r.json()["problems"][0]["key"] == "matching.solver.time_limit"


# -- jobs ---------------------------------------------------------------------------------


def test_allocate_job_progress_result_and_owner(client: TestClient) -> None:
    r = client.post("/v1/allocate", json={"fast": True}, headers=A)
    assert r.status_code == 202
    job = r.json()["job"]
    assert len(job) >= 24
    assert client.get(f"/v1/jobs/{job}", headers=B).status_code == 404  # another token's job
    assert client.get(f"/v1/jobs/{job}/result", headers=B).status_code == 404
    assert client.delete(f"/v1/jobs/{job}", headers=B).status_code == 404
    early = client.get(f"/v1/jobs/{job}/result", headers=A)
    assert early.status_code in (200, 409)
    seen_progress = False
    end = time.monotonic() + 120
    while time.monotonic() < end:
        view = client.get(f"/v1/jobs/{job}", headers=A).json()
        seen_progress = seen_progress or bool(view["progress"])
        if view["state"] not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert view["state"] == "done" and view["status"] in ("optimal", "feasible")
    assert seen_progress and view["progress"]["label"].startswith("allocation")
    result = client.get(f"/v1/jobs/{job}/result", headers=A).json()
    assert result["status"] == view["status"]
    assert result["result"]["provenance"]["changes"]  # fast's sets are logged


def test_unknown_job_is_404(client: TestClient) -> None:
    for method in ("get", "delete"):
        assert client.request(method, "/v1/jobs/nope", headers=A).status_code == 404
    assert client.get("/v1/jobs/nope/result", headers=A).status_code == 404


def test_cancel_a_running_job_kills_its_solver(client: TestClient) -> None:
    r = client.post("/v1/allocate", json={}, headers=A)
    job = r.json()["job"]
    manager = client.app.state.manager  # type: ignore[attr-defined]
    from shanchuan.service.worker import children

    def solver_running() -> bool:  # a worker has a child: CBC has started (progress may not)
        return any(s.process is not None and s.process.pid is not None
                   and children(s.process.pid) for s in manager.slots)

    end = time.monotonic() + 60
    while time.monotonic() < end:
        view = client.get(f"/v1/jobs/{job}", headers=A).json()
        if view["state"] == "running" and solver_running():
            break
        time.sleep(0.05)
    assert view["state"] == "running"
    r = client.delete(f"/v1/jobs/{job}", headers=A)
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    killed = manager.jobs[job].killed_pids
    assert killed, "a CBC child was running"
    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().split(")")[-1].split()[0] not in ("Z", "X")
        except FileNotFoundError:
            return False

    # SIGKILL is delivered at once but the kernel ends the process a moment later.
    end = time.monotonic() + 10
    while any(alive(pid) for pid in killed) and time.monotonic() < end:
        time.sleep(0.05)
    assert not [pid for pid in killed if alive(pid)], "the solver outlived its cancelled job"
    # The server keeps serving on a fresh worker.
    r = client.post("/v1/match", json={"fast": True}, headers=A)
    assert r.status_code == 200 and r.json()["status"] == "optimal"
    result = client.get(f"/v1/jobs/{job}/result", headers=A).json()
    assert result["state"] == "cancelled" and result["status"] == "cancelled"
