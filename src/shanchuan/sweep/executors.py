"""Where the variants run: this process, local worker processes, or a Dask cluster.

Every executor runs the same function (:func:`shanchuan.sweep.worker.run_variant`) on the same
payload and tasks, so a variant's record does not depend on where it ran. Results come back
to the parent as they finish, and the parent writes each one before it takes the next: an
interrupted sweep keeps everything finished.

- ``local`` with one worker: in this process, one variant after the other (no start-up cost).
- ``local`` with N > 1 workers: a :class:`~concurrent.futures.ProcessPoolExecutor`; each
  process receives the payload once, when it starts.
- ``dask``: a ``distributed`` cluster at ``scheduler`` (``tcp://host:8786``), or, without an
  address, a ``LocalCluster`` of N single-threaded worker processes on 127.0.0.1. The payload
  is scattered to every worker once (by value: workers never see a local path).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from shanchuan.errors import InputError
from shanchuan.sweep.worker import Payload, Task, init_process, run_in_process, run_variant

OnResult = Callable[[dict[str, Any]], None]

#: Seconds to wait for a Dask scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 5.0
EXECUTORS = ("local", "dask")


def execute(
    payload: Payload,
    tasks: Sequence[Task],
    on_result: OnResult,
    *,
    executor: str = "local",
    workers: int = 2,
    scheduler: str | None = None,
) -> None:
    """Run ``tasks``, calling ``on_result(record)`` in this process as each one finishes."""
    if executor not in EXECUTORS:
        raise InputError(f"unknown executor {executor!r}; expected one of: {', '.join(EXECUTORS)}")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if scheduler and executor != "dask":
        raise InputError("--scheduler is the address of a Dask cluster; give --executor dask")
    if not tasks:
        return
    if executor == "dask":
        _dask(payload, tasks, on_result, workers, scheduler)
    elif workers == 1:
        for task in tasks:
            on_result(run_variant(payload, task))
    else:
        _processes(payload, tasks, on_result, workers)


def _processes(payload: Payload, tasks: Sequence[Task], on_result: OnResult, workers: int) -> None:
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)), initializer=init_process, initargs=(payload,)
    )
    try:
        # Keep a bounded number in flight: an interrupt then cancels little work, and the
        # parent writes results while the workers solve.
        pending: set[Future[dict[str, Any]]] = set()
        queue = iter(tasks)
        for task in queue:
            pending.add(pool.submit(run_in_process, task))
            if len(pending) >= 4 * workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                on_result(fut.result())
                nxt = next(queue, None)
                if nxt is not None:
                    pending.add(pool.submit(run_in_process, nxt))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _dask(
    payload: Payload,
    tasks: Sequence[Task],
    on_result: OnResult,
    workers: int,
    scheduler: str | None,
) -> None:
    try:
        import distributed
    except ImportError as exc:
        raise InputError(
            "--executor dask needs the optional 'distributed' package: "
            "pip install 'shanchuan[distributed]'"
        ) from exc
    cluster = None
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"--scheduler {scheduler}: cannot reach a Dask scheduler there within "
                f"{CONNECT_TIMEOUT:.0f} s ({type(exc).__name__}: {exc}); check the address "
                "(e.g. tcp://host:8786) and that the scheduler runs"
            ) from None
    else:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR: the sweep's own progress is the only output
        )
        client = distributed.Client(cluster, set_as_default=False)
    try:
        _check_workers(client, scheduler)
        shared = client.scatter(payload, broadcast=True)
        futures = [
            client.submit(
                run_variant, shared, task, key=f"shanchuan-variant-{task.key}", pure=False
            )
            for task in tasks
        ]
        try:
            with client.as_current():  # as_completed looks for the client in force
                for fut in distributed.as_completed(futures):
                    on_result(fut.result())
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _worker_version() -> str:
    import shanchuan

    return shanchuan.__version__


def _check_workers(client: Any, scheduler: str | None) -> None:
    """Refuse a cluster whose workers lack shanchuan or run another version of it."""
    import shanchuan

    where = scheduler or "the LocalCluster"
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        pass  # reported below as a cluster without workers
    try:
        versions = client.run(_worker_version)
    except Exception as exc:  # the workers could not even import it
        client.close()
        raise InputError(
            f"--scheduler {where}: the Dask workers cannot run shanchuan "
            f"({type(exc).__name__}: {exc}); install shanchuan {shanchuan.__version__} there"
        ) from None
    other = {w: v for w, v in versions.items() if v != shanchuan.__version__}
    if not versions or other:
        client.close()
        raise InputError(
            f"--scheduler {where}: "
            + (
                "the cluster has no workers"
                if not versions
                else f"workers run another shanchuan version ({other}); "
                f"this one is {shanchuan.__version__}, and results must not mix"
            )
        )


__all__ = ["CONNECT_TIMEOUT", "EXECUTORS", "execute"]
