"""A transient status line on stderr while the tenant is read: on a terminal only, rewritten in
place and wiped when done, so neither CI logs nor piped output get noise."""

from __future__ import annotations

import shutil
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

#: Redraw at most this often: status reads finish many times a second.
MIN_INTERVAL = 0.1


class StatusLine:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._lock = threading.Lock()
        self._shown = 0
        self._last = 0.0

    def __call__(self, text: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            now = time.monotonic()
            if now - self._last < MIN_INTERVAL and self._shown:
                return
            self._last = now
            width = max(shutil.get_terminal_size((80, 24)).columns - 1, 10)
            line = text[:width]
            # Plain carriage return and spaces: no escape codes, so --no-color stays plain.
            self.stream.write("\r" + line.ljust(self._shown))
            self.stream.flush()
            self._shown = len(line)

    def clear(self) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self._shown:
                self.stream.write("\r" + " " * self._shown + "\r")
                self.stream.flush()
                self._shown = 0

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.clear()
