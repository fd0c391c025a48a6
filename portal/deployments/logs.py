"""A run's log: lines stored as they come (masked, batched), and read back by cursor.

The writer is fed from the engine's thread and flushed from it and from the run's
watcher thread, so lines reach the database within ``FLUSH_SECONDS`` even when the
engine goes quiet. Every line is masked before it is kept in memory, so nothing
unmasked can ever be stored.
"""

import threading
import time
from collections.abc import Iterator

from portal.deployments.models import LogLine, Run

FLUSH_SECONDS = 0.2
FLUSH_LINES = 200
TAIL_LINES = 500
PAGE_LINES = 500
MAX_LINE_CHARS = 10_000


class LogWriter:
    def __init__(self, run: Run, masker):
        self.run_id = run.pk
        self.masker = masker
        last = LogLine.objects.filter(run_id=run.pk).order_by("-seq").values_list("seq", flat=True)
        self._seq = last.first() or 0
        self._first_seq = self._seq + 1
        self._pending: list[LogLine] = []
        self._oldest_pending = 0.0
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.step_index: int | None = None

    def write(self, text: str, level: str = "info", payload: dict | None = None) -> None:
        text = self.masker.mask(text)[:MAX_LINE_CHARS]
        payload = self._mask_payload(payload or {})
        with self._lock:
            self._seq += 1
            if not self._pending:
                self._oldest_pending = time.monotonic()
            self._pending.append(
                LogLine(
                    run_id=self.run_id,
                    seq=self._seq,
                    step_index=self.step_index,
                    level=level if level in LogLine.Level.values else "info",
                    text=text,
                    payload=payload,
                )
            )
            # The first line goes out at once: it shows the person watching that the run
            # has started.
            due = len(self._pending) >= FLUSH_LINES or self._seq == self._first_seq
        if due:
            self.flush()

    def flush_if_due(self) -> None:
        with self._lock:
            due = self._pending and time.monotonic() - self._oldest_pending >= FLUSH_SECONDS
        if due:
            self.flush()

    def flush(self) -> None:
        # One writer at a time keeps batches in seq order.
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if batch:
                LogLine.objects.bulk_create(batch)

    def _mask_payload(self, payload: dict) -> dict:
        # Payloads are small structured facts (task, host, change counts); a secret could
        # still hide in one, so every string in them is masked too.
        def mask(value):
            if isinstance(value, str):
                return self.masker.mask(value)
            if isinstance(value, dict):
                return {key: mask(item) for key, item in value.items()}
            if isinstance(value, list):
                return [mask(item) for item in value]
            return value

        return mask(payload)


def lines_after(run: Run, after: int, limit: int = PAGE_LINES) -> list[LogLine]:
    return list(run.log_lines.filter(seq__gt=after).order_by("seq")[:limit])


def lines_before(run: Run, before: int, limit: int = PAGE_LINES) -> list[LogLine]:
    """The ``limit`` lines just before ``before`` (the "load earlier" page), in order."""
    page = run.log_lines.filter(seq__lt=before).order_by("-seq")[:limit]
    return list(reversed(page))


def tail(run: Run, limit: int = TAIL_LINES) -> list[LogLine]:
    return list(reversed(run.log_lines.order_by("-seq")[:limit]))


def as_text(run: Run, chunk: int = 2000) -> Iterator[str]:
    """The whole log as text, read by keyset pages so memory stays flat."""
    after = 0
    while True:
        page = list(
            run.log_lines.filter(seq__gt=after)
            .order_by("seq")
            .values_list("seq", "level", "text")[:chunk]
        )
        if not page:
            return
        yield "".join(f"{level.upper():7} {text}\n" for _, level, text in page)
        after = page[-1][0]
