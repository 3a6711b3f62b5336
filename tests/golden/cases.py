"""The golden cases: CLI invocations whose JSON, text and messages pin today's behaviour.

Each case is run as a real ``shanchuan`` process. Its stdout (JSON, or the terminal report),
stderr (messages and diagnoses, progress lines removed) and exit code are normalised —
timings, versions, paths and the command line dropped, floats rounded to 6 significant
digits — and compared with ``tests/golden/<name>.json``. Refresh the files after an
intended change with ``python tests/golden/cases.py --update`` and review the diff.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCEN = REPO / "scenarios"

#: Analysis re-solves get a time limit no busy machine reaches, so that no golden depends on
#: the speed of the machine (a re-solve stopped by its limit is reported "not proven").
PATIENT = ["--set", "allocation.analysis.resolve_time_limit=600", "--set",
           "allocation.analysis.workers=1"]

#: name -> argv after ``shanchuan`` (paths relative to the repository).
CASES: dict[str, list[str]] = {
    "match-default": [
        "match", "--format", "json", "--alternatives", "3", "--stability",
        "--sensitivity", "50",
    ],
    "match-default-table": ["match"],
    "match-default-forcing": ["match", "--format", "json", "--forcing-costs", "--lang", "en"],
    "match-strength-first": ["match", "scenarios/strength-first.toml", "--format", "json"],
    "match-nearby-and-spread": ["match", "scenarios/nearby-and-spread.toml", "--format", "json"],
    "match-nearby-tighter": [
        "match", "scenarios/nearby-and-spread.toml", "--scenario", "tighter", "--format", "json",
    ],
    "match-locked-pairs": ["match", "scenarios/locked-pairs.toml", "--format", "json"],
    "match-infeasible": [
        "match", "--set", "matching.rules.max_distance=150", "--set",
        'matching.rules.locks=[["竹溪县","宜都市"]]', "--format", "json",
    ],
    "match-infeasible-table-en": [
        "match", "--set", "matching.rules.max_distance=150", "--lang", "en",
    ],
    "allocate-default": ["allocate", "--format", "json", *PATIENT],
    "allocate-default-table": ["allocate", *PATIENT],
    "allocate-tight-fund": ["allocate", "scenarios/tight-fund.toml", "--format", "json", *PATIENT],
    "allocate-bad-settings": [
        "allocate", "--set", "allocation.projects_per_year_min=120", "--format", "json",
    ],
    "allocate-small-fund": [
        "allocate", "--set", "allocation.annual_budget_wan=3000", "--format", "json", *PATIENT,
    ],
    "run-replan-2023": ["run", "scenarios/replan-2023", "--format", "json", *PATIENT],
    "bad-set-values": [
        "match", "--set", "matching.rules.max_distance=-1", "--set",
        "matching.weights.strenght=1", "--set", "allocation.annual_budget_wan=\"lots\"",
    ],
    "bad-lock-name": ["match", "--set", 'matching.rules.locks=[["竹溪","宜都市"]]'],
    "check-default": ["check"],
    "scenarios-list": ["scenarios"],
}

#: Keys whose values depend on the machine, the clock or the checkout, not on behaviour.
VOLATILE = {
    "timings", "seconds", "versions", "command", "platform", "scenario_files", "path",
    "created", "wall_seconds", "solve_seconds", "elapsed",
}


def _norm(value: object) -> object:
    if isinstance(value, dict):
        return {
            k: _norm(v)
            for k, v in value.items()
            if k not in VOLATILE and not k.endswith("seconds")
        }
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, str):
        return value.replace(str(REPO), "<repo>")
    if isinstance(value, float):
        if not math.isfinite(value) or value == 0:
            return value
        return float(f"{value:.6g}")
    return value


_PROGRESS = re.compile(
    r"^shanchuan: .*(\d+/\d+|\bin \d+(\.\d+)? ?s\b|seconds?\b"
    # live solve lines (SolveProgress.line): which of them appear depends on the machine's speed
    r"|\[[a-z]+\] \d+(\.\d+)? s\b)"
)


def _norm_text(text: str) -> list[str]:
    text = text.replace(str(REPO), "<repo>")
    lines = []
    for line in text.splitlines():
        if _PROGRESS.match(line):
            continue  # progress lines carry timings
        line = re.sub(r"\b\d+\.\d+ ?s\b", "<t> s", line)
        line = re.sub(r"(hash: |哈希：)[0-9a-f]{12}", r"\1<hash>", line)  # zh header too
        lines.append(line.rstrip())
    return lines


def run_case(name: str) -> dict[str, object]:
    """Run one case and return its normalised record."""
    exe = Path(sys.executable).with_name("shanchuan")
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200"}
    proc = subprocess.run(
        [str(exe), *CASES[name]], cwd=REPO, capture_output=True, text=True, env=env,
        timeout=600, check=False,
    )
    record: dict[str, object] = {"argv": CASES[name], "exit_code": proc.returncode}
    try:
        record["stdout_json"] = _norm(json.loads(proc.stdout))
    except ValueError:
        record["stdout"] = _norm_text(proc.stdout)
    record["stderr"] = _norm_text(proc.stderr)
    return record


def golden_path(name: str) -> Path:
    return HERE / f"{name}.json"


def write(name: str, record: dict[str, object]) -> None:
    golden_path(name).write_text(
        json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    if "--update" not in sys.argv:
        sys.exit("usage: python tests/golden/cases.py --update [NAME ...]")
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or list(CASES)
    for n in names:
        rec = run_case(n)
        write(n, rec)
        print(n, rec["exit_code"])
