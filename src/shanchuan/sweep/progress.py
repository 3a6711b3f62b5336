"""The sweep's progress: a live bar with ETA on a terminal, plain throttled lines elsewhere.

Same house style as the solve line (:mod:`shanchuan.outputs.live`): tqdm redraws one line in
place on a terminal; on a pipe or CI log there are plain ``shanchuan: sweep …`` lines, at most
one every :data:`~shanchuan.outputs.live.INTERVAL` seconds, and one at the end.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from shanchuan.outputs.live import INTERVAL, PREFIX


class SweepProgress:
    """Counts finished variants and shows them; ``enabled=False`` shows nothing."""

    def __init__(
        self,
        total: int,
        *,
        stream: IO[str] | None = None,
        enabled: bool = True,
        tty: bool | None = None,
        interval: float = INTERVAL,
        clock: Any = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)()) if tty is None else tty
        self.interval = interval
        self._clock = clock
        self._start = clock()
        self._last = -float("inf")
        self._bar: Any = None
        if self.enabled and self.tty:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                desc=PREFIX + "sweep",
                unit="variant",
                file=self.stream,
                leave=False,
                mininterval=min(0.2, interval),
                dynamic_ncols=True,
            )

    def update(self, record: dict[str, Any]) -> None:
        """One variant finished (``record`` says whether it solved)."""
        self.done += 1
        if record.get("status") not in ("optimal", "feasible"):
            self.failed += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix_str(f"failed {self.failed}", refresh=False)
            self._bar.update(1)
            return
        now = self._clock()
        if now - self._last >= self.interval or self.done == self.total:
            self._last = now
            self.stream.write(PREFIX + self.line(now) + "\n")
            self.stream.flush()

    def line(self, now: float | None = None) -> str:
        """``sweep 12/50 variants (1 failed), 3.1 variants/s, ETA 12 s``."""
        elapsed = (self._clock() if now is None else now) - self._start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        text = f"sweep {self.done}/{self.total} variants ({self.failed} failed)"
        if rate > 0:
            text += f", {rate:.2f} variants/s"
            if self.done < self.total:
                text += f", ETA {(self.total - self.done) / rate:.0f} s"
        return text

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


__all__ = ["SweepProgress"]
