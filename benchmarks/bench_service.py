"""Load benchmark of ``shanchuan serve`` on loopback: a real server process, N concurrent clients.

Each client loops for a bounded time over a mix of calls — ``GET /v1/scenarios`` (no solve),
``POST /v1/match`` (answered directly) and ``POST /v1/allocate`` (a job, polled to its end) —
each solve tagged with its client and call number in ``scenario.description``, so a result that
comes back to the wrong caller is caught. Reports throughput, p50/p95 latency per kind, errors,
429 refusals (back-pressure, not errors) and lost or mixed-up jobs (must be zero), and, as the
anchor measured in the same run, one in-process ``shanchuan.match`` call: the ratio is what the
HTTP service adds on top of the solve.

    python benchmarks/bench_service.py            # 50 clients for 60 s, 2 workers
    python benchmarks/bench_service.py --quick    # smoke run for CI: 6 clients for 6 s
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx


def start_server(workers: int, tmp: Path, token: str) -> tuple[subprocess.Popen[bytes], str]:
    (tmp / "tokens").write_text(token + "\n", encoding="utf-8")
    port_file = tmp / "port"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shanchuan.cli",
            "serve",
            "-q",
            "--port",
            "0",
            "--workers",
            str(workers),
            "--token-file",
            str(tmp / "tokens"),
            "--port-file",
            str(port_file),
            "--max-jobs-per-token",
            "1000",
            "--max-queue",
            "1000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    end = time.monotonic() + 60
    while not port_file.exists():
        if proc.poll() is not None or time.monotonic() > end:
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{int(port_file.read_text())}"
    while True:
        try:
            if httpx.get(base + "/v1/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if time.monotonic() > end:
            raise SystemExit("the server does not answer")
        time.sleep(0.1)


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"scenarios": [], "match": [], "allocate": []}
        self.errors: list[str] = []
        self.refused = 0
        self.mixed = 0

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def _tagged(result: dict[str, Any], tag: str) -> bool:
    return tag in str(result.get("provenance", {}).get("changes", ""))


def client_loop(base: str, token: str, index: int, until: float, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=300) as http:
        n = 0
        while time.monotonic() < until:
            n += 1
            kind = ("scenarios", "match", "allocate")[(index + n) % 3]
            tag = f"client-{index}-call-{n}"
            body = {"fast": True, "set": [f'scenario.description="{tag}"']}
            t = time.perf_counter()
            try:
                if kind == "scenarios":
                    r = http.get("/v1/scenarios")
                    ok = r.status_code == 200
                elif kind == "match":
                    r = http.post("/v1/match", json=body)
                    ok = r.status_code == 200 and r.json()["status"] == "optimal"
                    if ok and not _tagged(r.json()["result"], tag):
                        tally.mixed += 1
                else:
                    r = http.post("/v1/allocate", json=body)
                    ok = r.status_code == 202
                    if ok:
                        job = r.json()["job"]
                        while (view := http.get(f"/v1/jobs/{job}").json())["state"] in (
                            "queued",
                            "running",
                        ):
                            time.sleep(0.2)
                        res = http.get(f"/v1/jobs/{job}/result").json()
                        ok = view["state"] == "done" and res["status"] in ("optimal", "feasible")
                        if ok and not _tagged(res["result"], tag):
                            tally.mixed += 1
                if r.status_code == 429:
                    tally.refused += 1
                    time.sleep(float(r.headers.get("Retry-After", "1")))
                    continue
                if not ok:
                    tally.error(f"{kind}: HTTP {r.status_code} {r.text[:200]}")
                    continue
            except httpx.HTTPError as exc:
                tally.error(f"{kind}: {type(exc).__name__}: {exc}")
                continue
            tally.add(kind, time.perf_counter() - t)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (6 clients, 6 s)")
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    clients = args.clients or (6 if args.quick else 50)
    seconds = args.seconds or (6.0 if args.quick else 60.0)

    import shanchuan

    t = time.perf_counter()
    shanchuan.match(progress=lambda line: None)
    anchor = time.perf_counter() - t

    token = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(args.workers, Path(tmp), token)
        try:
            tally = Tally()
            start = time.monotonic()
            until = start + seconds
            threads = [
                threading.Thread(target=client_loop, args=(base, token, i, until, tally))
                for i in range(clients)
            ]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            wall = time.monotonic() - start
            alive = httpx.get(base + "/v1/health", timeout=5).status_code == 200
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    done = sum(len(v) for v in tally.latency.values())
    print(
        f"service load: {clients} clients, {seconds:g} s, {args.workers} workers, "
        f"cpus {os.cpu_count()}"
    )
    print(
        f"  completed {done} calls in {wall:.1f} s: {done / wall:.2f} calls/s; "
        f"errors {len(tally.errors)}; 429 refusals {tally.refused}; "
        f"mixed-up results {tally.mixed}; server alive after: {alive}"
    )
    for kind, values in tally.latency.items():
        if values:
            print(
                f"  {kind:9s} n={len(values):4d}  p50 {pct(values, 0.5):7.3f} s  "
                f"p95 {pct(values, 0.95):7.3f} s  mean {statistics.fmean(values):7.3f} s"
            )
    match = tally.latency["match"]
    if match:
        print(
            f"  anchor: in-process shanchuan.match {anchor:.3f} s; service match p50 / anchor "
            f"= {pct(match, 0.5) / anchor:.2f}"
        )
    for text in tally.errors[:5]:
        print("  error:", text)
    return 1 if tally.errors or tally.mixed or not alive else 0


if __name__ == "__main__":
    sys.exit(main())
