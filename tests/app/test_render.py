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
