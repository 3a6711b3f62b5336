"""The README's service examples (the blocks of "The HTTP service") run as written against a
started server. The server's start is a ``text`` block and the client a ``py`` block, so that
``tests/test_readme.py``, which runs ``shanchuan`` lines of shell blocks and ``python`` blocks
to their end, does not start a server that never exits."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## The HTTP service", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", SECTION, flags=re.S)


def test_the_section_has_a_server_a_curl_and_a_python_example() -> None:
    langs = [lang for lang, _ in BLOCKS]
    assert langs == ["text", "sh", "py"]
    assert "shanchuan serve" in BLOCKS[0][1] and "curl" in BLOCKS[1][1]


def _serve_command() -> list[str]:
    line = next(x for x in BLOCKS[0][1].splitlines() if x.startswith("shanchuan serve"))
    args = line.split("#")[0].split()[1:]
    return [sys.executable, "-m", "shanchuan.cli", *args]


def test_the_examples_run_against_a_started_server(tmp_path: Path) -> None:
    import httpx

    token = "readme-" + "r" * 30
    port = _free_port()
    cmd = [*_serve_command(), "-q", "--workers", "1"]
    cmd[cmd.index("--port") + 1] = str(port)
    env = dict(os.environ, SHANCHUAN_TOKEN=token, SHANCHUAN_URL=f"http://127.0.0.1:{port}")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(httpx, port, proc)
        out = subprocess.run(
            [sys.executable, "-c", BLOCKS[2][1]],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert lines[0] == "optimal 22 pairs"
        assert lines[-1].split()[0] in ("optimal", "feasible")
        if shutil.which("curl") and shutil.which("bash"):
            script = BLOCKS[1][1].replace("http://127.0.0.1:8000", env["SHANCHUAN_URL"])
            got = subprocess.run(
                ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120
            )
            assert got.returncode == 0 and '"status":"optimal"' in got.stdout
            assert '"job":' in got.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(httpx: object, port: int, proc: subprocess.Popen[bytes]) -> None:
    import time

    import httpx as client

    end = time.monotonic() + 60
    while time.monotonic() < end:
        assert proc.poll() is None, "the server exited"
        try:
            if client.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200:
                return
        except client.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail("the server did not start")
