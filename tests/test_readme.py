"""Every example the README shows runs as written: the Python blocks and the shanchuan commands.

(The two set-up commands of the quick start are what CI itself runs, in `.ci/run`.) The helpers
here (:func:`shell_commands`, :func:`run_command`, :func:`expected_exit`) also run the commands
of the docs pages (tests/test_docs_commands.py).
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

#: Fenced code blocks: (language, code).
FENCE = re.compile(r"```(\w*)\n(.*?)```", flags=re.S)
#: Languages of the blocks whose ``shanchuan ...`` lines are commands to run.
SHELL = ("bash", "sh", "shell", "console")
#: ``# exits N`` after a command: the exit code it is shown to end with (3 = infeasible rules).
EXITS = re.compile(r"#\s*exits\s+(\d+)")


def shell_commands(markdown: str) -> list[str]:
    """Every ``shanchuan ...`` line of the shell blocks of ``markdown``, comments kept.

    A leading ``$ `` prompt is dropped. The comment (after ``  #``) is kept so that
    :func:`expected_exit` can read a ``# exits N`` marker; :func:`command_text` removes it.
    """
    out = []
    for lang, code in FENCE.findall(markdown):
        if lang not in SHELL:
            continue
        for line in code.splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("shanchuan "):
                out.append(line)
    return out


def command_text(line: str) -> str:
    """The command of a documented line, without its comment."""
    return line.split("  #")[0].strip()


def expected_exit(line: str) -> int:
    """The exit code a documented line is shown to end with (0 unless ``# exits N``)."""
    m = EXITS.search(line)
    return int(m.group(1)) if m else 0


def run_command(command: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in bash in ``cwd`` (with ``scenarios/`` linked in), this venv first."""
    if not (cwd / "scenarios").exists():
        (cwd / "scenarios").symlink_to(REPO / "scenarios")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


BLOCKS = FENCE.findall(README)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
COMMANDS = [command_text(line) for line in shell_commands(README)]


def test_the_readme_has_examples() -> None:
    assert len(PYTHON) >= 3 and len(COMMANDS) >= 6


def test_python_examples_run_in_order() -> None:
    namespace: dict[str, object] = {}
    for code in PYTHON:
        exec(compile(code, "README.md", "exec"), namespace)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_runs_as_written(command: str, tmp_path: Path) -> None:
    proc = run_command(command, tmp_path)
    # 3 = the rules are infeasible, a planner's answer (tight-fund is such a what-if).
    assert proc.returncode in (0, 3), proc.stderr[-2000:]
    assert "internal error" not in proc.stderr
    assert proc.stdout.strip() or list(tmp_path.glob("*.csv")), "printed nothing"
