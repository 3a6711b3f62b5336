"""A fuzzer of our own: mutated bytes of real input files into the readers and the load stage.

The invariant: loading either succeeds or raises a :class:`~shanchuan.errors.ShanchuanError`
(exit 2 for bad input) whose every problem names where it is — never another exception (a
crash), never a hang (each example is time-boxed by hypothesis' deadline).

CI runs a short budget. The long budget is a documented command::

    SHANCHUAN_FUZZ_EXAMPLES=2000 python -m pytest tests/fuzz -q

Each case starts from the default Hubei files, so mutations land in realistic places (headers,
numbers, county ids, the TOML structure).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shanchuan
from shanchuan import scenario as sc_mod
from shanchuan.errors import ShanchuanError

DEFAULT_DIR = sc_mod.builtin_path("hubei-2021").parent
EXAMPLES = int(os.environ.get("SHANCHUAN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=20_000,  # ms: a hang shows as a deadline failure, not a stuck CI
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the CI budget is the same examples every run
)


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few byte-level edits: flip, insert, delete, duplicate or cut a line."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "dup_line", "cut", "cell"]))
        if not out:
            break
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del out[at : at + draw(st.integers(1, 16))]
        elif kind == "dup_line":
            start = out.rfind(b"\n", 0, at) + 1
            end = out.find(b"\n", at)
            end = len(out) if end < 0 else end + 1
            out[end:end] = out[start:end]
        elif kind == "cut":
            del out[at:]
        else:  # a hostile or odd cell value at a comma
            comma = out.find(b",", at)
            if comma >= 0:
                value = draw(
                    st.sampled_from(
                        [b"=1+1", b"-1", b"nan", b"inf", b"1e400", b'"', b"\xef\xbb\xbf", b"",
                         "竹溪县".encode(), b"9" * 40, b"\x00"]
                    )
                )
                out[comma + 1 : comma + 1] = value
    return bytes(out)


def _check_located(exc: ShanchuanError) -> None:
    message = str(exc)
    assert message.strip(), "an error without a message"
    assert "Traceback" not in message
    assert "internal error" not in message.lower()
    for problem in getattr(exc, "problems", ()):
        assert str(getattr(problem, "file", "")).strip(), f"a problem without a place: {problem}"


def _load_with(name: str, data: bytes, engine: str) -> None:
    with tempfile.TemporaryDirectory(prefix="shanchuan-fuzz-") as tmp:
        folder = Path(tmp) / "hubei"
        shutil.copytree(DEFAULT_DIR, folder)
        (folder / name).write_bytes(data)
        try:
            loaded = shanchuan.load(str(folder))
            loaded.data(engine)  # type: ignore[arg-type]
        except ShanchuanError as exc:
            _check_located(exc)


def _fuzz_file(name: str, engine: str) -> None:
    original = (DEFAULT_DIR / name).read_bytes()

    @FUZZ
    @given(mutations(original))
    def run(data: bytes) -> None:
        _load_with(name, data, engine)

    run()


@pytest.mark.parametrize(
    ("name", "engine"),
    [
        ("counties.csv", "matching"),
        ("willingness.csv", "matching"),
        ("sector_links.csv", "matching"),
        ("projects.csv", "allocation"),
        ("scenario.toml", "all"),
    ],
)
def test_mutated_file_loads_or_is_refused_with_a_located_message(name: str, engine: str) -> None:
    _fuzz_file(name, engine)
