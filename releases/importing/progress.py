"""Progress on a terminal."""

import functools
import sys
import time

from django.core.management.base import OutputWrapper


class Progress:
    """A one-line progress bar on a terminal; silent when output is not a terminal."""

    def __init__(self, stream=None, total_bytes=0):
        self.stream = stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        # A management command's stderr adds a newline to each write unless told not to.
        self.write = (
            functools.partial(self.stream.write, ending="", style_func=str)
            if isinstance(self.stream, OutputWrapper)
            else self.stream.write
        )
        self.total = max(total_bytes, 1)
        self.done = 0
        self.label = ""
        self.shown_at = 0.0

    def start(self, label):
        self.label, self.done = label, 0

    def advance(self, count):
        self.advance_to(self.done + count)

    def advance_to(self, position):
        self.done = position
        now = time.monotonic()
        if self.enabled and now - self.shown_at > 0.2:
            self.shown_at = now
            self.draw()

    def draw(self):
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        self.write(f"\r{self.label:<10} [{bar:<30}] {share:4.0%}")
        self.stream.flush()

    def finish(self):
        if self.enabled:
            self.done = self.total
            self.draw()
            self.write("\n")
            self.stream.flush()
