"""``shanchuan sweep --executor dask``: a LocalCluster on loopback gives the local results."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

import shanchuan
from shanchuan import cli

# The optional extra `distributed` (in the `test` extra, so CI always runs these).
distributed = pytest.importorskip("distributed")

SWEEP = dict(
    engine="match",
    samples=3,
    dist=["matching.weights.distance=uniform(0.05,0.5)"],
    perturb=["counties.population_wan=0.1"],
    seed=11,
)


def _records(result: shanchuan.SweepResult) -> list[dict]:
    return [
        {k: v for k, v in r.items() if k not in ("seconds", "solve_seconds")}
        for r in result.records
    ]


def test_a_local_cluster_gives_the_local_results_variant_by_variant(tmp_path: Path) -> None:
    local = shanchuan.sweep(out=tmp_path / "local", workers=1, **SWEEP)
    dask = shanchuan.sweep(out=tmp_path / "dask", executor="dask", workers=2, **SWEEP)
    assert [r["key"] for r in dask.records] == [r["key"] for r in local.records]
    assert _records(dask) == _records(local)
    a = pd.read_csv(tmp_path / "local" / "index.csv").drop(columns="seconds")
    b = pd.read_csv(tmp_path / "dask" / "index.csv").drop(columns="seconds")
    assert a.to_csv(index=False) == b.to_csv(index=False)
    assert (tmp_path / "local" / "pair_frequency.csv").read_bytes() == (
        tmp_path / "dask" / "pair_frequency.csv"
    ).read_bytes()


def test_an_existing_cluster_is_used_by_address(tmp_path: Path) -> None:
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = shanchuan.sweep(
            engine="match",
            grid=["matching.weights.distance=0.1,0.3"],
            executor="dask",
            scheduler=cluster.scheduler_address,
            out=tmp_path / "remote",
        )
    assert list(result.index["status"]) == ["optimal", "optimal"]
    # Resuming on the local executor skips what the cluster finished.
    again = shanchuan.sweep(
        engine="match",
        grid=["matching.weights.distance=0.1,0.3"],
        out=tmp_path / "remote",
        workers=1,
    )
    assert (again.ran, again.skipped) == (0, 2)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path, capsys) -> None:
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    t = time.monotonic()
    code = cli.main(
        [
            "-q",
            "sweep",
            "--engine",
            "match",
            "--grid",
            "matching.weights.distance=0.1",
            "--executor",
            "dask",
            "--scheduler",
            address,
            "--out",
            str(tmp_path / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and address in err and "cannot reach a Dask scheduler" in err
    assert "Traceback" not in err and time.monotonic() - t < 60


def test_a_scheduler_without_the_dask_executor_is_refused(tmp_path: Path, capsys) -> None:
    code = cli.main(
        [
            "-q",
            "sweep",
            "--engine",
            "match",
            "--grid",
            "matching.weights.distance=0.1",
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert code == 2 and "give --executor dask" in capsys.readouterr().err


def test_a_cluster_without_workers_is_refused(tmp_path: Path) -> None:
    with distributed.LocalCluster(
        n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        with pytest.raises(shanchuan.InputError, match="the cluster has no workers"):
            shanchuan.sweep(
                engine="match",
                grid=["matching.weights.distance=0.1"],
                executor="dask",
                scheduler=cluster.scheduler_address,
                out=tmp_path / "none",
            )
    assert not list((tmp_path / "none" / "variants").glob("*.json"))
