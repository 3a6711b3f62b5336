"""Every example the README shows runs as written: the Python blocks and the shanchuan commands.

(The two set-up commands of the quick start are what CI itself runs, in `.ci/run`.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
COMMANDS = [
    line.split("  #")[0].strip()
    for lang, code in BLOCKS
    if lang == "bash"
    for line in code.splitlines()
    if line.startswith("shanchuan ")
]


def test_the_readme_has_examples() -> None:
    assert len(PYTHON) >= 3 and len(COMMANDS) >= 6


def test_python_examples_run_in_order() -> None:
    namespace: dict[str, object] = {}
    for code in PYTHON:
        exec(compile(code, "README.md", "exec"), namespace)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_runs_as_written(command: str, tmp_path: Path) -> None:
    (tmp_path / "scenarios").symlink_to(REPO / "scenarios")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    # 3 = the rules are infeasible, a planner's answer (tight-fund is such a what-if).
    assert proc.returncode in (0, 3), proc.stderr[-2000:]
    assert "internal error" not in proc.stderr
    assert proc.stdout.strip() or list(tmp_path.glob("*.csv")), "printed nothing"
