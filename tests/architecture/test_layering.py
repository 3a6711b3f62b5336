"""The floors of the code base, enforced: each room imports only the rooms below it.

    shanchuan            application layer (scenarios, CLI, archives, outputs)
    matching  allocation the two engines: peers, neither imports the other
    solverkit            solver registry and the shared vocabulary (no domain)

Imports are read from the source (``ast``), including those inside functions, so a lazy
import cannot hide a layering break.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
ROOMS = ("solverkit", "matching", "allocation", "shanchuan")

#: room -> the project rooms it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "solverkit": set(),
    "matching": {"solverkit"},
    "allocation": {"solverkit"},
    "shanchuan": {"solverkit", "matching", "allocation"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def _modules(room: str) -> list[Path]:
    return sorted((SRC / room).rglob("*.py"))


@pytest.mark.parametrize("room", ROOMS)
def test_room_imports_only_lower_floors(room: str) -> None:
    assert _modules(room), f"no modules found for {room}"
    bad = []
    for path in _modules(room):
        for name in sorted(_imports(path) & set(ROOMS)):
            if name != room and name not in ALLOWED[room]:
                bad.append(f"{path.relative_to(SRC)} imports {name}")
    assert not bad, "layering broken:\n" + "\n".join(bad)


def test_every_project_package_is_a_known_room() -> None:
    packages = {p.parent.name for p in SRC.glob("*/__init__.py")}
    assert packages == set(ROOMS), packages


def _loaded_after(code: str) -> set[str]:
    probe = (
        "import sys\n"
        f"{code}\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["match", "--help"]])
def test_cli_help_and_version_load_no_engine(argv: list[str]) -> None:
    loaded = _loaded_after(
        "from shanchuan.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass"
    )
    heavy = loaded & {"matching", "allocation", "pulp", "pandas", "scipy", "numpy"}
    assert not heavy, f"shanchuan {' '.join(argv)} loaded {sorted(heavy)}"


def test_importing_one_engine_does_not_load_the_other() -> None:
    assert "allocation" not in _loaded_after("import matching")
    assert "matching" not in _loaded_after("import allocation")


def test_test_module_basenames_are_unique() -> None:
    # tests/ has no __init__.py (pytest's rootdir-relative "prepend" import mode), so two
    # test files with the same basename in different folders stop collection on a clean
    # clone ("import file mismatch") while a warm __pycache__ can hide it locally.
    tests = SRC.parent / "tests"
    seen: dict[str, list[str]] = {}
    for path in tests.rglob("*.py"):
        seen.setdefault(path.name, []).append(str(path.relative_to(tests)))
    clashes = {
        name: paths
        for name, paths in seen.items()
        if len(paths) > 1 and name not in ("conftest.py", "__init__.py")
    }
    assert not clashes, f"test modules share a basename: {clashes}"
