"""No "internal error" for anything a user can cause: every CLI command under generated bad
settings, flags and paths.

The invariant: ``shanchuan.cli.main([...])`` returns 0 (fine), 2 (bad input, with a located
message), 3 (infeasible rules, diagnosed) — never 4 with "internal error", never a traceback.
Where a solve would happen ``--fast`` and a short time limit keep each example quick; the
solve itself is not what is fuzzed.

CI runs a short budget. The long budget is a documented command::

    SHANCHUAN_FUZZ_EXAMPLES=2000 python -m pytest tests/fuzz -q
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shanchuan import cli
from shanchuan import scenario as sc_mod

EXAMPLES = int(os.environ.get("SHANCHUAN_FUZZ_EXAMPLES", "0")) or 15
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=60_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)

KEYS = sorted(sc_mod.KNOWN)
#: Values of every kind a user types after ``KEY=``: wrong types, edges, junk, paths.
RAW_VALUES = st.one_of(
    st.sampled_from(
        [
            "-1",
            "0",
            "1",
            "-0.5",
            "1.5",
            "nan",
            "inf",
            "-inf",
            "1e308",
            "1e400",
            "99999999999999999999999999",
            "-99999999999999999999",
            "true",
            "false",
            '""',
            '"x"',
            "[]",
            "[1, 2]",
            '[["a", "b"]]',
            '[["竹溪县", "宜都市"]]',
            "[[1, 2, 3]]",
            "{a = 1}",
            "1979-05-27",
            "12:00:00",
            '"\\u0000"',
            '"../../etc/passwd"',
            '"/dev/null"',
            '"/"',
            '"' + "a" * 300 + '"',
            "=cmd|' /C calc'!A0",
            "[[[]]]",
            '"zh"',
            '"en"',
            '"cbc"',
            '"highs"',
            '"scipy"',
            '"portfolio"',
            "2021",
            "2025",
            "[[2021, 1]]",
            '[["2021", "x"]]',
            "0.999999",
            "1e-300",
        ]
    ),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)
UNKNOWN_KEYS = st.sampled_from(
    [
        "matching.rules.max_distnce",
        "x",
        "matching",
        "matching.rules",
        ".",
        "a..b",
        "",
        "=",
        "data",
        "overrides.x",
        "scenario.extends",
    ]
)


@st.composite
def set_items(draw: st.DrawFn) -> list[str]:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.one_of(st.sampled_from(KEYS), UNKNOWN_KEYS))
        out.append(f"{key}={draw(RAW_VALUES)}")
    if draw(st.booleans()):
        out.append(draw(st.text(max_size=8)))  # no '=' at all, or junk
    return out


FLAG_VALUES = st.sampled_from(["-1", "0", "3", "x", "1e3", "", "99999999999999999999"])
PATHS = st.sampled_from(
    ["/nonexistent/x.csv", "/", "/dev/null", "", "\x01", "a" * 300, "../..", "~nobody/x"]
)


@st.composite
def argvs(draw: st.DrawFn, tmp: Path) -> list[str]:
    command = draw(
        st.sampled_from(
            [
                "run",
                "match",
                "allocate",
                "check",
                "scenarios",
                "keys",
                "report",
                "reproduce",
                "compare",
            ]
        )
    )
    argv = [command]
    if command in ("report", "reproduce"):
        # A run folder argument: missing, not a folder, a look-alike with a junk manifest.
        fake = tmp / "fake-run"
        fake.mkdir(exist_ok=True)
        (fake / "manifest.json").write_text(
            draw(
                st.sampled_from(
                    [
                        "",
                        "{",
                        "[]",
                        '{"tool": "shanchuan"}',
                        '{"tool": "shanchuan", "run_format": 99}',
                        '{"tool": "shanchuan", "run_format": 1, "files": ["../../x"]}',
                    ]
                )
            ),
            encoding="utf-8",
        )
        argv.append(draw(st.sampled_from([str(fake), "/nonexistent", "/dev/null", "/", ""])))
        if command == "report" and draw(st.booleans()):
            argv += ["--out", draw(st.sampled_from(["/", "/dev/null/x", str(tmp / "r.html")]))]
        return argv
    if command == "compare":
        argv += ["--engine", "match"]
        argv += draw(
            st.lists(
                st.sampled_from(["hubei-2021", "hubei-2021+nope", "nope", "/", str(tmp)]),
                min_size=0,
                max_size=2,
            )
        )
        for item in draw(set_items()):
            argv += ["--set", item]
        return argv
    if command == "keys":
        if draw(st.booleans()):
            argv.append("--markdown")
        if draw(st.booleans()):
            argv.append(draw(st.sampled_from(["--bogus", "extra", "--lang=fr"])))
        return argv
    if command == "scenarios":
        argv.append(draw(st.sampled_from(["hubei-2021", "nope", "/", "/dev/null", ""])))
        return argv
    if draw(st.integers(0, 4)) == 0:
        argv.append(draw(st.sampled_from(["hubei-2021", "nope", "/", "/dev/null", str(tmp)])))
    for item in draw(set_items()):
        argv += ["--set", item]
    if draw(st.booleans()):
        argv += ["--scenario", draw(st.sampled_from(["nope", "", "tighter"]))]
    if draw(st.booleans()):
        argv += ["--lang", draw(st.sampled_from(["zh", "en", "fr"]))]
    if draw(st.booleans()):
        argv += ["--format", draw(st.sampled_from(["json", "csv", "table", "xml"]))]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--out", draw(st.sampled_from([str(tmp / "out"), "/", "/dev/null/x", ""]))]
    if command == "match":
        for flag in ("--alternatives", "--sensitivity"):
            if draw(st.booleans()):
                argv += [flag, draw(FLAG_VALUES)]
    if command == "allocate" and draw(st.booleans()):
        argv += ["--pairs", draw(PATHS)]
    if command != "check":
        # Keep any solve quick: no analyses, short limits (the fuzzed --set come first, so a
        # fuzzed time limit is a duplicate key -> exit 2, which is fine too).
        has_analysis = any(a in argv for a in ("--alternatives", "--sensitivity"))
        if not has_analysis:
            argv.append("--fast")
    return argv


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse: --help, or its own exit 2
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


@FUZZ
@given(data=st.data())
def test_no_command_crashes_on_bad_settings(
    data: st.DataObject, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = data.draw(argvs(tmp_path), label="argv")
    code, text = _run(argv, capsys)
    assert "internal error" not in text, (argv, text[-3000:])
    assert "Traceback" not in text, (argv, text[-3000:])
    assert code in (0, 2, 3), (argv, code, text[-3000:])
    if code == 2:  # one clear message of ours (or argparse's usage line)
        assert text.startswith(("shanchuan", "usage")) or "\nshanchuan" in text, (argv, text)


@pytest.mark.parametrize(
    "argv",
    [
        ["match", "--set", "matching.explain.language=fr"],
        ["match", "--set", "matching.sensitivity.spread=-1", "--sensitivity", "3"],
        ["match", "--set", "matching.sensitivity.seed=-1", "--sensitivity", "3"],
        ["match", "--set", "matching.rules.locks=5"],
        ["match", "--set", "matching.rules.locks=[[1, 2, 3]]"],
        ["match", "--set", 'data.counties="a\\u0000b"'],
        ["allocate", "--fast", "--set", "allocation.first_year=-5"],
        ["allocate", "--fast", "--set", "allocation.budget_by_year=[[2021]]"],
        ["allocate", "--fast", "--pairs", "\x01"],
        ["match", "--set", "matching.solver.threads=99999999999999999999999"],
        ["match", "--alternatives", "-1", "--sensitivity", "-5"],
    ],
)
def test_known_crashes_are_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Cases the fuzzer (or the adversarial trial) found once: each is bad input now."""
    code, text = _run(argv, capsys)
    assert code == 2, text
    assert "internal error" not in text and "Traceback" not in text
