"""Every ``shanchuan ...`` command the docs pages show runs as written and ends as shown.

Commands are the ``shanchuan`` lines of the shell blocks (```bash, ```sh, ```console) of
``docs/*.md``, found with the README test's helpers; a command shown to fail carries its exit
code as a comment (``shanchuan allocate scenarios/tight-fund.toml  # exits 3``), any other must
exit 0. A page's commands run in order in one folder of their own (a page may first write the
run folders its later commands read); two pages run at a time (the machine has two cores).
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import test_readme as readme  # the README test's helpers (tests/ is on sys.path)

DOCS = sorted((readme.REPO / "docs").glob("*.md"))


def doc_commands() -> list[tuple[str, str, int]]:
    """``(page, command, expected exit code)`` of every command shown in ``docs/*.md``."""
    return [
        (page.name, readme.command_text(line), readme.expected_exit(line))
        for page in DOCS
        for line in readme.shell_commands(page.read_text(encoding="utf-8"))
    ]


def _run_page(items: list[tuple[str, str, int]]) -> list[str]:
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for page, command, expected in items:
            proc = readme.run_command(command, Path(tmp), timeout=300)
            if proc.returncode != expected or "internal error" in proc.stderr:
                failures.append(
                    f"{page}: `{command}` exited {proc.returncode}, the page shows {expected}:\n"
                    f"{proc.stderr[-1500:]}"
                )
    return failures


def test_every_docs_command_ends_as_shown() -> None:
    pages: dict[str, list[tuple[str, str, int]]] = {}
    for item in doc_commands():
        pages.setdefault(item[0], []).append(item)
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f for found in pool.map(_run_page, pages.values()) for f in found]
    assert not failures, "\n\n".join(failures)


def test_commands_and_exit_markers_are_found() -> None:
    page = """
Run it:

```bash
shanchuan match --forcing-costs        # the cost of each pair
$ shanchuan allocate scenarios/tight-fund.toml  # exits 3 (infeasible)
pip install shanchuan
```

```text
shanchuan run   (output, not a command)
```
"""
    lines = readme.shell_commands(page)
    assert [readme.command_text(x) for x in lines] == [
        "shanchuan match --forcing-costs",
        "shanchuan allocate scenarios/tight-fund.toml",
    ]
    assert [readme.expected_exit(x) for x in lines] == [0, 3]
