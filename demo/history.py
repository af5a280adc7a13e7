"""Replaying a year of cases through the real services, which stamp `timezone.now()`.

Steps are kept in time order and run in ticks: the steps due within an hour (and before
the next sweep) run together at the first one's time, then everything the tick wrote is
moved back to that historical time with one UPDATE per table (`F(column) - delta`). Ticks
run in time order, so at any moment the database holds the county as it stood then, and
the overdue sweep can run at historical times too, as its beat schedule would have.

Rows inserted during the tick are recognised by a creation time after the tick's real
start (every historical time lies before it); the columns of cases are moved for the
cases whose steps wrote them (`WRITES`), since a historical deadline may lie in the future.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import Expression, F, When
from django.utils import timezone

from disputes.models import Assignment, Case, CaseEvent
from notifications.models import Notification

# The Case columns each step writes from the wall clock, besides updated_at (every step
# saves the case). A sweep writes its historical `now` itself.
WRITES = {
    "report": ("created_at", "deadline", "warn_at"),
    "escalate": ("deadline", "warn_at"),
    "reopen": ("deadline", "warn_at"),
    "resolve": ("resolved_at",),
    "close": ("closed_at",),
    "supervise": ("supervision_deadline",),
}
SWEEP = "sweep"


class Tick:
    """One moment of history: the cases its steps touched, and the columns they wrote."""

    def __init__(self, at: datetime, *, live: bool = True) -> None:
        self.at = at
        self.live = live  # through the services; else in the ledger, at `at` itself
        self.started = timezone.now()
        self.cases: set[int] = set()
        self.written: dict[str, set[int]] = defaultdict(set)  # column → case ids
        self.assigned: set[int] = set()

    def touch(self, case_id: int, action: str) -> None:
        self.cases.add(case_id)
        if action == SWEEP:
            return
        self.written["updated_at"].add(case_id)
        for column in WRITES.get(action, ()):
            self.written[column].add(case_id)
        if action == "assign":
            self.assigned.add(case_id)

    def historical(self, when: datetime) -> datetime:
        """A wall-clock time written in this tick, as it will read once moved back."""
        return when - (self.started - self.at)

    def move_back(self) -> None:
        if not self.cases or not self.live:
            return
        delta = self.started - self.at

        def back(column: str, chosen: set[int], among: set[int], key: str = "id") -> Expression:
            if chosen == among:
                return F(column) - delta
            when = When(**{f"{key}__in": sorted(chosen)}, then=F(column) - delta)
            return SqlCase(when, default=F(column))

        ids = sorted(self.cases)
        if self.written:
            Case.objects.filter(id__in=ids).update(
                **{
                    column: back(column, chosen, self.cases)
                    for column, chosen in self.written.items()
                }
            )
        # Every event written since the tick began is this tick's.
        CaseEvent.objects.filter(created_at__gte=self.started).update(
            created_at=F("created_at") - delta
        )
        if self.assigned:
            # An assignment copies its case's deadline, which may have been set in this tick.
            columns = {"created_at": F("created_at") - delta}
            if restarted := self.written["deadline"] & self.assigned:
                columns["deadline"] = back("deadline", restarted, self.assigned, "case_id")
            Assignment.objects.filter(
                case_id__in=sorted(self.assigned), created_at__gte=self.started
            ).update(**columns)
        # Lines finished (resolved, returned, cancelled) by this tick's steps.
        Assignment.objects.filter(case_id__in=ids, finished_at__gte=self.started).update(
            finished_at=F("finished_at") - delta
        )
        Notification.objects.filter(case_id__in=ids, created_at__gte=self.started).update(
            created_at=F("created_at") - delta
        )


Action = Callable[[Tick], None]


@contextmanager
def queries_unlogged() -> Iterator[None]:
    """With DEBUG on, Django keeps every query for the debug toolbar and on SQLite runs an
    extra query per query to quote its parameters: a sixth of a replay's time, for a log
    nobody reads. The replay is a single-threaded command, so DEBUG is off while it runs."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


class History:
    """A calendar of steps, run in time order through `end`, with a periodic sweep."""

    def __init__(
        self,
        *,
        end: datetime,
        sweep: Callable[[Tick], None],
        sweep_every: timedelta,
        sweep_until: datetime,
        window: timedelta = timedelta(hours=1),
        cutoff: datetime | None = None,
        on_cutoff: Callable[[], None] | None = None,
    ) -> None:
        self.end = end
        # Ticks before the cut-off are played in the ledger (demo.ledger); `on_cutoff`
        # writes them before the first tick at or after it.
        self.cutoff = cutoff
        self.on_cutoff = on_cutoff
        self.sweep = sweep
        self.sweep_every = sweep_every
        self.sweep_until = sweep_until
        self.window = window
        self.next_sweep = end
        self.steps: list[tuple[datetime, int, Action]] = []
        self.counter = 0

    def at(self, when: datetime, action: Action) -> None:
        if when <= self.end:
            self.counter += 1
            heapq.heappush(self.steps, (when, self.counter, action))

    def run(
        self,
        *,
        steps_per_transaction: int,
        progress: Callable[[], None] | None = None,
    ) -> None:
        if not self.steps:
            self._cut()
            return
        self.next_sweep = self.steps[0][0] + self.sweep_every
        with queries_unlogged():
            while self.steps:
                with transaction.atomic():
                    self._run(steps_per_transaction)
                if progress:
                    progress()
            with transaction.atomic():
                self._cut()

    def _tick(self, at: datetime) -> Tick:
        if self.cutoff is not None and at >= self.cutoff:
            self._cut()
        return Tick(at, live=self.cutoff is None)

    def _cut(self) -> None:
        """Write what the ledger holds, once: from here on the steps go live."""
        if self.cutoff is not None:
            self.cutoff = None
            if self.on_cutoff:
                self.on_cutoff()

    def _sweeping(self) -> bool:
        return self.next_sweep <= self.sweep_until

    def _run(self, budget: int) -> None:
        while self.steps and budget > 0:
            first = self.steps[0][0]
            if self._sweeping() and self.next_sweep <= first:
                tick = self._tick(self.next_sweep)
                self.sweep(tick)
                tick.move_back()
                self.next_sweep += self.sweep_every
                continue
            # Everything due before the window closes (or the next sweep) runs at `first`.
            window_end = first + self.window
            if self._sweeping():
                window_end = min(window_end, self.next_sweep)
            tick = self._tick(first)
            while self.steps and self.steps[0][0] < window_end:
                _when, _order, action = heapq.heappop(self.steps)
                action(tick)
                budget -= 1
            tick.move_back()
