"""Shared pieces of the report tests: a real default run, and the page's visible text."""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import shanchuan
from shanchuan.cli import FAST_SETS
from shanchuan.outputs import archive
from shanchuan.outputs.base import OutputOptions


@functools.lru_cache(maxsize=1)
def default_run() -> shanchuan.RunOutcome:
    """``shanchuan run --fast`` on the default scenario, with forcing costs and sensitivity."""
    return shanchuan.run(
        sets=list(FAST_SETS),
        analyses=shanchuan.Analyses(forcing_costs=True, sensitivity=40),
    )


def write_run_dir(path: Path) -> Path:
    """The default run as an ``--out`` folder."""
    return archive.write_run(path, default_run(), OutputOptions(command="run"))


class Visible(HTMLParser):
    """The page's text nodes outside script and style, and every URL-bearing attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.urls: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("src", "href", "action", "data", "poster", "srcset") and value:
                self.urls.append((tag, name, value))
            if name == "style" and value and "url(" in value:
                self.urls.append((tag, name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def parse(html: str) -> Visible:
    v = Visible()
    v.feed(html)
    v.close()
    return v


#: CSS url(...) with anything but a fragment or a data: URI.
EXTERNAL_CSS_URL = re.compile(r"url\(\s*['\"]?(?!#|data:)", re.I)
