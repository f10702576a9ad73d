"""A progress bar on a terminal while a class is graded; silent when not a TTY or in CI."""
from __future__ import annotations

import os
import sys
import time


class Progress:
    """`update(result)` per submission, `start(total)` once the total is known, then `finish()`."""

    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() and not os.environ.get("CI")
        self.enabled = enabled
        self.total = self.done = 0
        self.started = time.monotonic()

    def start(self, total: int) -> None:
        """How many there are to grade: known once the class is read, when some may be graded already."""
        self.total = total
        self._draw("")

    def update(self, result) -> None:
        self.done += 1
        self._draw(result.name)  # printable: an id may hold terminal escapes

    def finish(self) -> None:
        if self.enabled and self.total:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _draw(self, last: str) -> None:
        if not self.enabled or not self.total:
            return
        width = 30
        filled = int(width * self.done / self.total)
        rate = self.done / max(time.monotonic() - self.started, 1e-9)
        self.stream.write(f"\r\033[K[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                          f"({rate:.0f}/s) {last[:30]}")
        self.stream.flush()
