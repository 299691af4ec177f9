"""The store as a sink: reports, rejects and alerts appended by a thread of their own.

The watch hands each batch over and goes on; the thread commits what has
piled up in one transaction (:class:`~airwitness.store.live.LiveStore`). The
store never drops anything: if it falls behind by :data:`QUEUE_BATCHES`
batches the watch waits for it (nothing seen live may be lost). A store that
fails (a full disk) stops the watch with its error.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from pathlib import Path

from airwitness.errors import InputError
from airwitness.schema import ReadResult
from airwitness.store.live import LiveBatch, LiveStore, open_live
from airwitness.watch.alerts import Alert

QUEUE_BATCHES = 256


class StoreSink:
    """Appends to the store at ``path`` (created if missing) from a writer thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.store: LiveStore = open_live(path)
        self.name = f"store {path}"
        self.committed = 0
        self.error: InputError | None = None
        self._queue: queue.Queue[LiveBatch | None] = queue.Queue(QUEUE_BATCHES)
        self._thread = threading.Thread(target=self._run, name="airwitness-store", daemon=True)
        self._thread.start()

    def put(
        self, sources: Sequence[tuple[str, str, ReadResult, int, str]], alerts: Sequence[Alert]
    ) -> None:
        """One batch of the watch: per source ``(name, format, decoded, bytes, sha256)``."""
        rows = [(a.received_ns, a.status, a.fields, a.json()) for a in alerts]
        if sources or rows:
            self._queue.put(LiveBatch(list(sources), rows))

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            done = False
            while not done:  # take what else is waiting into the same transaction
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    done = True
                else:
                    batch.sources += more.sources
                    batch.alerts += more.alerts
            try:
                self.store.add(batch)
                self.committed += 1
            except Exception as exc:  # the store failed: the watch stops and says why
                self.error = InputError(str(self.path), f"cannot append to the store: {exc}")
                return
            if done:
                return

    def close(self) -> None:
        """Commit what is queued, then count tracks, checkpoint and close the store."""
        if self._thread.is_alive():
            self._queue.put(None)
        self._thread.join()
        self.store.close()
