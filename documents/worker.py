"""The render worker: a daemon thread of each server process that works through the render jobs.

It sleeps until the issuing transaction of this process commits (``wake``) or the poll interval
has passed (jobs queued by other processes), then renders until no job is open. Each job is
claimed in the database (``documents.jobs.claim``), so the threads of any number of processes
share one queue and never do a job twice.

Requests go first: a render holds the interpreter for about a second, so while ``busy()`` says
the process is answering requests the worker waits before its next job — at most ``patience``
seconds, so a PDF is never held back for long; a download renders its PDF on the spot anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine

from documents.jobs import LEASE, render_next, worker_name

log = logging.getLogger("caseflow.render")


class RenderWorker:
    def __init__(
        self,
        engine: Engine,
        *,
        poll: float = 1.0,
        lease: timedelta = LEASE,
        busy: Callable[[], bool] = lambda: False,
        patience: float = 2.0,
    ) -> None:
        self.engine = engine
        self.poll = poll
        self.lease = lease
        self.busy = busy
        self.patience = patience
        self.name = worker_name("worker")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="caseflow-render", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """A job was queued: look now instead of at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the render under way and end the thread; an open job stays queued for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                while self._give_way() and render_next(self.engine, self.name, lease=self.lease):
                    pass
            except Exception:  # noqa: BLE001 - the database may be away for a moment; try again later
                log.exception("render worker %s: claiming a job failed", self.name)
            self._wake.wait(self.poll)

    def _give_way(self) -> bool:
        """Wait while requests are being answered (up to the patience); False once stopping."""
        until = time.monotonic() + self.patience
        while self.busy() and time.monotonic() < until and not self._stop.is_set():
            time.sleep(0.01)
        return not self._stop.is_set()
