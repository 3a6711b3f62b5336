"""The versioned JSON contract: real outputs validate against the published schemas.

Every JSON the tool writes carries ``schema_version``; the shipped schema files are what the
generator writes; a key the tool writes that no schema declares fails here.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

import shanchuan
from shanchuan import contract, stages
from shanchuan import scenario as sc_mod
from shanchuan.outputs import archive
from shanchuan.outputs.base import OutputOptions
from shanchuan.schemas import INPUT_FILES

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "src" / "shanchuan" / "data" / "schemas"
QUIET = {"progress": lambda line: None}


def validator(name: str) -> Any:
    schema = contract.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(name: str, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}"
        for e in validator(name).iter_errors(document)
    ]


@pytest.fixture(scope="module")
def match_outcome() -> Any:
    return shanchuan.match(**QUIET)


@pytest.fixture(scope="module")
def run_outcome() -> Any:
    # As `--fast`: the rule costs and forced-in projects re-solve the plan dozens of times.
    fast = ["allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0"]
    return shanchuan.run(sets=fast, **QUIET)


def as_written(outcome: Any) -> Any:
    """The bytes ``--format json`` writes, read back."""
    return json.loads(stages.report(outcome, "json"))


# -- the shipped files ------------------------------------------------------------------------


def test_shipped_schema_files_are_the_generators_output() -> None:
    expected = contract.all_schemas()
    on_disk = sorted(p.name.removesuffix(".schema.json") for p in SHIPPED.glob("*.schema.json"))
    assert on_disk == sorted(expected), "run: python -m shanchuan.contract --write " + str(SHIPPED)
    for name, node in expected.items():
        text = (SHIPPED / f"{name}.schema.json").read_text(encoding="utf-8")
        assert text == contract.render(node), f"{name} is stale: regenerate the schema files"
    assert contract.main(["--check", str(SHIPPED)]) == 0


def test_every_schema_is_valid_draft_2020_12_and_versioned() -> None:
    names = contract.published()
    assert {"scenario", "output.match", "output.allocate", "output.run", "output.compare"} <= set(
        names
    )
    assert {f"input.{k}" for k in INPUT_FILES} <= set(names)
    for name in names:
        schema = contract.load(name)
        assert schema["$schema"] == contract.DIALECT
        jsonschema.Draft202012Validator.check_schema(schema)
        if name.startswith("output.") and name != "output.sweep_index":
            assert schema["properties"]["schema_version"] == {
                "const": contract.SCHEMA_VERSION,
                "description": "The contract version.",
            }
            assert "schema_version" in schema["required"]


def test_generator_check_reports_a_stale_folder(tmp_path: Path) -> None:
    contract.write(tmp_path)
    assert contract.main(["--check", str(tmp_path)]) == 0
    (tmp_path / "output.match.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "output.old.schema.json").write_text("{}\n", encoding="utf-8")
    assert contract.main(["--check", str(tmp_path)]) == 1
    contract.write(tmp_path)  # rewrites the stale one and removes the one no longer generated
    assert not (tmp_path / "output.old.schema.json").exists()
    assert contract.main(["--check", str(tmp_path)]) == 0


# -- real outputs -----------------------------------------------------------------------------


def test_match_json_validates_and_is_versioned(match_outcome: Any) -> None:
    d = as_written(match_outcome)
    assert next(iter(d)) == "schema_version" and d["schema_version"] == contract.SCHEMA_VERSION
    assert problems("output.match", d) == []


def test_infeasible_match_json_validates() -> None:
    # No pairing within 300 km: no verification, a diagnosis instead (exit 3 on the CLI).
    outcome = shanchuan.match(sets=["matching.rules.max_distance=300"], **QUIET)
    d = as_written(outcome)
    assert d["status"] == "infeasible" and d["diagnosis"] and d["verification"] is None
    assert problems("output.match", d) == []


def test_allocate_and_run_json_validate(run_outcome: Any) -> None:
    run = as_written(run_outcome)
    assert run["schema_version"] == "1"
    assert problems("output.run", run) == []
    allocate = as_written(run_outcome.allocation)
    assert problems("output.allocate", allocate) == []
    assert allocate["projects"], "the default plan funds projects: their rows were checked"


def test_compare_json_validates(match_outcome: Any) -> None:
    other = shanchuan.match(sets=["matching.rules.max_distance=400"], **QUIET)
    comparison = shanchuan.compare(match_outcome, other)
    d = as_written(comparison)
    assert d["status"] == "different" and d["pairs_changed"]
    assert problems("output.compare", d) == []


def test_run_folder_manifest_and_result_validate(match_outcome: Any, tmp_path: Path) -> None:
    out = archive.write_run(tmp_path / "run", match_outcome, OutputOptions(command="match"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == "1"
    assert problems("output.manifest", manifest) == []
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert problems("output.match", result) == []


def test_sweep_summary_validates(tmp_path: Path) -> None:
    result = shanchuan.sweep(
        engine="match",
        grid=["matching.rules.max_distance=400,600"],
        out=tmp_path / "sweep",
        workers=1,
        yes=True,
    )
    summary = json.loads((tmp_path / "sweep" / "summary.json").read_text(encoding="utf-8"))
    assert summary["schema_version"] == "1" and summary["variants"] == 2
    assert problems("output.sweep_summary", summary) == []
    for row in result.index.to_dict(orient="records"):
        row = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        assert problems("output.sweep_index", row) == []


# -- an undocumented key fails ------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [(), ("provenance",), ("pairs", 0), ("analyses",)],
    ids=["top", "provenance", "pair row", "analyses"],
)
def test_a_key_no_schema_declares_fails(match_outcome: Any, where: tuple[Any, ...]) -> None:
    d = copy.deepcopy(as_written(match_outcome))
    at = d
    for step in where:
        at = at[step]
    at["undocumented_new_key"] = 1
    found = problems("output.match", d)
    assert any("undocumented_new_key" in p for p in found), found


def test_allocation_project_rows_and_run_top_are_closed(run_outcome: Any) -> None:
    d = copy.deepcopy(as_written(run_outcome))
    d["allocation"]["projects"][0]["surprise"] = 1
    d["extra"] = True
    found = problems("output.run", d)
    assert any("surprise" in p for p in found) and any("extra" in p for p in found), found


def test_a_wrong_version_fails(match_outcome: Any) -> None:
    d = as_written(match_outcome)
    d["schema_version"] = "0"
    assert problems("output.match", d)
    del d["schema_version"]
    assert any("schema_version" in p for p in problems("output.match", d))


# -- inputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sc_mod.builtin_scenarios())
def test_builtin_scenario_files_validate(name: str) -> None:
    raw = tomllib.loads(sc_mod.builtin_path(name).read_text(encoding="utf-8"))
    assert problems("scenario", raw) == []


def test_scenario_schema_rejects_an_unknown_key() -> None:
    found = problems("scenario", {"matching": {"rules": {"max_distanse": 400}}})
    assert any("max_distanse" in p for p in found), found


def test_default_input_tables_validate_as_records() -> None:
    loaded = shanchuan.load()
    checked = 0
    for key in INPUT_FILES:
        path = loaded.scenario.data_path(key)
        if path is None:
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        records = [
            {k: _cell(v, INPUT_FILES[key].by_name.get(k)) for k, v in row.items()}
            for row in frame.to_dict(orient="records")
        ]
        assert problems(f"input.{key}", records) == [], key
        checked += 1
    assert checked >= 5


def test_an_input_row_missing_a_required_column_fails() -> None:
    found = problems("input.counties", [{"id": "yunxi"}])
    assert any("required" in p for p in found), found


def _cell(text: str, column: Any) -> Any:
    """A CSV cell as a client would post it in ``records``: typed, empty as null."""
    if text == "":
        return None
    if column is None:
        return text
    if column.dtype in ("int", "year"):
        return int(float(text))
    if column.dtype == "float":
        return float(text)
    return text


# -- the service serves them ------------------------------------------------------------------


def test_service_lists_and_serves_the_schemas() -> None:
    pytest.importorskip("fastapi", reason="the service extra is part of the test extra")
    from fastapi.testclient import TestClient

    from shanchuan.service.app import create_app
    from shanchuan.service.config import ServiceConfig

    token = "t" * 32
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ServiceConfig(tokens=(token,), workers=1))) as client:
        assert client.get("/v1/schemas").status_code == 401
        listing = client.get("/v1/schemas", headers=headers).json()
        assert listing["schema_version"] == "1"
        assert "/v1/schemas/output.match" in listing["schemas"]
        served = client.get("/v1/schemas/output.match", headers=headers)
        assert served.status_code == 200 and served.json() == contract.load("output.match")
        for bad in ("nothing", "..%2Fcontract", "%2Fetc%2Fpasswd"):
            r = client.get(f"/v1/schemas/{bad}", headers=headers)
            assert r.status_code == 404, bad


# -- the golden outputs (real runs of the documented cases, volatile keys stripped) ------------


GOLDEN = REPO / "tests" / "golden"
GOLDEN_JSON = sorted(
    p.stem
    for p in GOLDEN.glob("*.json")
    if "stdout_json" in json.loads(p.read_text(encoding="utf-8"))
)


def volatile_keys() -> set[str]:
    """The keys the goldens drop (tests/golden/cases.py), read from the one place they are."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("golden_cases", GOLDEN / "cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.VOLATILE)


@pytest.mark.parametrize("case", GOLDEN_JSON)
def test_golden_json_outputs_validate(case: str) -> None:
    # These are the slow cases (full rule costs, infeasible plans, sensitivity, alternatives,
    # stability, forcing costs) the tests above do not re-solve. The goldens drop the keys
    # whose values depend on the machine (tests/golden/cases.py VOLATILE): only their absence
    # is forgiven, every key present must be declared.
    golden = json.loads((GOLDEN / f"{case}.json").read_text(encoding="utf-8"))
    document = contract.stamp(golden["stdout_json"])
    found = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}"
        for e in validator(f"output.{golden['argv'][0]}").iter_errors(document)
        if not (e.validator == "required" and e.message.split("'")[1] in volatile_keys())
    ]
    assert found == []


def test_service_job_without_a_solve_is_versioned_and_validates(tmp_path: Path) -> None:
    # An allocation whose pairing is infeasible: the worker answers with the diagnosis.
    from shanchuan.service.worker import run_job

    here = Path.cwd()
    spec = {
        "kind": "allocate",
        "workdir": str(tmp_path),
        "scenario_path": str(sc_mod.builtin_path("hubei-2021")),
        "overrides": [],
        "sets": ["matching.rules.max_distance=150"],
        "analyses": {},
    }
    try:
        message = run_job(spec, lambda event: None)
    finally:
        os.chdir(here)  # run_job moves into the job's folder, as a worker process does
    assert message[:2] == ("done", "infeasible")
    body = json.loads(message[2])
    assert body["schema_version"] == "1" and body["diagnosis"]
    assert problems("output.unsolved", body) == []
