"""The demo's scheduler: steps registered with the moment they happen, run in time order, each with the
application's clock held at its moment (core/db.py ``clock_at``).

So the demo has one write path, the real services, and they accept, refuse and record exactly as they
would have at that moment: a call is approved before its announcement date, a proposal is submitted
while its call is open, and every row and log entry carries the moment of its act. The participation
log's chain order is then the order things happened.

A step may schedule later steps (creating a call schedules the seats' approvals of its publication, a
proposal its response): the steps wait in a heap, ordered by moment and then by the order they were
registered, so the run is deterministic. Nothing may be scheduled before the moment being run, nor
after the real present: the demo replays the past, it does not invent the future.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime

from ..core.db import clock_at, utcnow
from ..extensions import db


class TimelineError(RuntimeError):
    """A step scheduled before the moment being run, or in the future."""


class Timeline:
    def __init__(self, present: datetime | None = None) -> None:
        self.present = present or utcnow()  # the real moment of loading: no step may come after it
        self.now: datetime | None = None  # the moment of the step being run (or last run)
        self._heap: list[tuple[datetime, int, Callable, tuple, dict]] = []
        self._order = itertools.count()

    def at(self, moment: datetime, step: Callable, *args, **kwargs) -> None:
        """Run ``step(*args, **kwargs)`` at ``moment``, with the clock held there."""
        if moment.tzinfo is None:
            raise TimelineError("a step's moment must be an aware datetime")
        moment = moment.astimezone(UTC)
        name = getattr(step, "__name__", repr(step))
        if self.now is not None and moment < self.now:
            raise TimelineError(f"{name} scheduled at {moment:%Y-%m-%d %H:%M}, before the moment being run "
                                f"({self.now:%Y-%m-%d %H:%M}): the timeline never goes back")
        if moment > self.present:
            raise TimelineError(f"{name} scheduled at {moment:%Y-%m-%d %H:%M}, after the present")
        heapq.heappush(self._heap, (moment, next(self._order), step, args, kwargs))

    def __len__(self) -> int:
        return len(self._heap)

    def run(self) -> None:
        """Run every step in time order, including those the steps schedule, then flush."""
        while self._heap:
            moment, _order, step, args, kwargs = heapq.heappop(self._heap)
            self.now = moment
            with clock_at(moment):
                step(*args, **kwargs)
                db.session.flush()  # column defaults and onupdate hooks read the held clock too
