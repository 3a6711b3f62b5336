"""The robustness examples of docs/matching-analysis.md run as written and print what it shows.

Each ``shanchuan`` command of a ``bash`` block is run; when a ``text`` block follows it, every
line of that block must appear in the command's output (the study is seeded). Each ``python``
block runs too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "matching-analysis.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", DOC, flags=re.S)


def _commands() -> list[tuple[str, str | None]]:
    out = []
    for k, (lang, code) in enumerate(BLOCKS):
        if lang != "bash":
            continue
        shown = BLOCKS[k + 1][1] if k + 1 < len(BLOCKS) and BLOCKS[k + 1][0] == "text" else None
        out += [(line.strip(), shown) for line in code.splitlines() if line.startswith("shanchuan ")]
    return out


COMMANDS = _commands()


def test_the_page_has_a_command_with_its_output() -> None:
    assert any(shown for _, shown in COMMANDS)


@pytest.mark.parametrize(("command", "shown"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_command_prints_what_the_page_shows(command: str, shown: str | None, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    printed = {line.rstrip() for line in proc.stdout.splitlines()}
    missing = [line for line in (shown or "").splitlines() if line.strip() and line not in printed]
    assert not missing, f"lines the page shows but the command no longer prints: {missing}"


def test_python_examples_run() -> None:
    for lang, code in BLOCKS:
        if lang == "python":
            exec(compile(code, "docs/matching-analysis.md", "exec"), {})
