"""Find solver child processes through /proc (Linux), without psutil."""

from __future__ import annotations

import os


def children(pid: int) -> dict[int, str]:
    """Live (non-zombie) processes whose parent is ``pid``: pid -> command name."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                fields = dict(line.split(":\t", 1) for line in fh if ":\t" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == pid and not fields.get("State", "").startswith(
            "Z"
        ):
            found[int(entry)] = fields.get("Name", "").strip()
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return not any(line.startswith("State:\tZ") for line in fh)
    except OSError:
        return False


def cbc_children(pid: int | None = None) -> dict[int, str]:
    return {p: n for p, n in children(pid or os.getpid()).items() if "cbc" in n.lower()}
