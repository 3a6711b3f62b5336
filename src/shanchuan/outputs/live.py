"""The CLI's live progress line on stderr while a solve runs (``-q`` turns it off).

A :class:`LiveProgress` is the sink of the :class:`solverkit.progress.SolveProgress` events
(see :mod:`shanchuan.labels` for the labels). A solve shows nothing until it has run
:data:`DELAY` seconds — most solves end sooner, and a flickering line for them is noise.
After that:

- on a terminal, one live line (``pairing: main solve [cbc] 12.3 s incumbent 9.51 bound 9.55
  gap 0.43 %``) redrawn in place by `tqdm <https://tqdm.github.io>`_, which also keeps the
  log lines printed meanwhile from tearing it (``tqdm.write``);
- on anything else (a pipe, a CI log, a file), plain lines without control codes, at most one
  per label every :data:`INTERVAL` seconds, and a last line when the solve ends.

tqdm is imported only when a live line is first drawn: ``shanchuan --help`` stays light.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import IO, Any

from solverkit.progress import SolveProgress

#: Seconds a solve runs before its progress is shown.
DELAY = 2.0
#: Seconds between two plain progress lines of one label when stderr is not a terminal.
INTERVAL = 5.0

PREFIX = "shanchuan: "


class LiveProgress:
    """A progress sink that draws a live line on a terminal, plain throttled lines elsewhere."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        tty: bool | None = None,
        delay: float = DELAY,
        interval: float = INTERVAL,
        clock: Any = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(self.stream.isatty()) if tty is None else tty
        self.delay = delay
        self.interval = interval
        self._clock = clock
        self._lock = threading.RLock()  # events may come from the solver's reader threads
        self._bar: Any = None
        self._last: dict[str, float] = {}  # label -> when its last plain line was written
        self._shown: set[str] = set()  # labels shown since their solve started

    def __call__(self, event: SolveProgress) -> None:
        with self._lock:
            key = event.label or event.solver
            if event.done:
                if key in self._shown or event.elapsed >= self.delay:
                    self._close_bar()
                    self._plain(event)
                self._shown.discard(key)
                self._last.pop(key, None)
                return
            if event.elapsed < self.delay:
                return
            self._shown.add(key)
            if self.tty:
                self._draw(event)
                return
            now = self._clock()
            if now - self._last.get(key, -float("inf")) >= self.interval:
                self._last[key] = now
                self._plain(event)

    def write(self, line: str) -> None:
        """Print a log line without tearing the live line (the CLI's log handler)."""
        with self._lock:
            if self._bar is not None:
                from tqdm import tqdm

                tqdm.write(line, file=self.stream)
            else:
                self.stream.write(line + "\n")
                self.stream.flush()

    def close(self) -> None:
        """Remove the live line, if one is drawn (at the end of the command)."""
        with self._lock:
            self._close_bar()

    def _plain(self, event: SolveProgress) -> None:
        self.write(PREFIX + event.line())

    def _draw(self, event: SolveProgress) -> None:
        if self._bar is None:
            try:
                from tqdm import tqdm
            except ImportError:  # installed without its dependencies: plain lines instead
                self.tty = False
                self._plain(event)
                return
            # bar_format "{desc}": no bar (a solve has no known total), just our one line.
            self._bar = tqdm(
                total=None, bar_format="{desc}", file=self.stream, leave=False, mininterval=0.2
            )
        self._bar.set_description_str(PREFIX + event.line(), refresh=True)

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class LogHandler(logging.Handler):
    """Writes the CLI's log lines through a :class:`LiveProgress`, above its live line."""

    def __init__(self, live: LiveProgress) -> None:
        super().__init__()
        self.live = live

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.live.write(self.format(record))
        except Exception:
            self.handleError(record)


__all__ = ["DELAY", "INTERVAL", "LiveProgress", "LogHandler"]
