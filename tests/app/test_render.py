"""Terminal tables line up when cells mix Chinese and ASCII."""

from __future__ import annotations

import math

import pandas as pd

from shanchuan.outputs import render


def test_wide_characters_count_two_columns() -> None:
    assert render.width("竹溪县") == 6
    assert render.width("abc") == 3
    assert render.width("（前 30%）") == 4 + 4 + 2  # full-width brackets, space, digits, percent


def test_columns_line_up_with_chinese_names() -> None:
    frame = pd.DataFrame(
        {"受援地": ["竹溪县", "房县"], "score": [0.3154, 12345.6], "note": ["a", None]}
    )
    lines = render.table(frame).splitlines()
    assert lines[0].startswith("受援地")

    # the numeric column is right-aligned: its cells end where its header ends
    def end_of(line: str, text: str) -> int:
        return render.width(line[: line.index(text) + len(text)])

    assert end_of(lines[0], "score") == end_of(lines[2], "0.315") == end_of(lines[3], "12,345.600")
    # the text column after it starts at the same terminal column in every row
    assert render.width(lines[0][: lines[0].index("note")]) == render.width(
        lines[2][: lines[2].index("a")]
    )


def test_missing_values_are_blank() -> None:
    frame = pd.DataFrame({"x": [math.nan, 1.0]})
    assert render.table(frame).splitlines()[2].strip() == ""


def test_cut_counts_wide_characters_and_marks_the_cut() -> None:
    assert render.cut("竹溪县枣阳市", 7) == "竹溪县…"
    assert render.width(render.cut("竹溪县枣阳市", 7)) <= 7
    assert render.cut("short", 10) == "short"


def test_wrap_breaks_at_spaces_or_between_chinese_characters() -> None:
    english = "Relaxing the yearly special-fund budget would raise the objective by 108,803.0."
    lines = render.wrap(english, 30, indent="  ")
    assert all(render.width(x) <= 30 for x in lines)
    assert " ".join(x.strip() for x in lines) == english
    assert lines[1].startswith("    ")  # continuation indented
    chinese = "放宽年度专项资金预算可使目标值提高十万八千八百零三人当量并多覆盖三个结对年度"
    lines = render.wrap(chinese, 20)
    assert all(render.width(x) <= 20 for x in lines)
    assert "".join(x.strip() for x in lines) == chinese


def test_a_table_fits_its_width_by_cutting_text_never_numbers() -> None:
    frame = pd.DataFrame(
        {"recipient": ["竹溪县"], "score": [1234567.891], "reasons": ["理由很长" * 40]}
    )
    text = render.table(frame, digits=1, fit=60)
    assert max(render.width(x) for x in text.splitlines()) <= 60
    assert "1,234,567.9" in text and "…" in text
    assert "理由很长" * 40 in render.table(frame, digits=1)  # no fit: whole
