"""A year of demo cases, every one created and moved through the case services.

`stories` deals what happens to each case; here each level's steps are planned when the
case reaches that level, inside that level's deadline, and `History` runs them in time
order, with the overdue sweep running through the year as its schedule would have run it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.db.models import Count, F, Max, Value
from django.db.models.functions import Least
from django.utils import timezone

from demo import casebook
from demo.cast import Cast, cast_for
from demo.history import SWEEP, History, Tick
from demo.ledger import Ledger
from demo.people import People
from demo.stories import Almanac, Story, county_places
from disputes import services
from disputes.models import (
    OPEN_STATUSES,
    AssignmentStatus,
    Case,
    CaseEvent,
    CaseLevel,
    CaseStatus,
)
from disputes.services.sweeps import escalate_overdue
from governance.platform.roles import Role
from grids import tree
from grids.models import Area, AreaLevel
from notifications.models import Notification
from notifications.services import outgoing_paused
from personnel.models import User

CASES_PER_COUNTY = {"tiny": 100, "county": 15_000, "city": 450}
LATE_AFTER_FLAG = 0.5  # of the cases flagged overdue at county level, handled late
# The sweep runs every few hours through the year, and last ran three days ago: the first
# run on a fresh demo finds cases to escalate.
SWEEP_EVERY = timedelta(hours=4)
SWEEP_PAUSED = timedelta(days=3)
STEPS_PER_TRANSACTION = 2500  # about 300 cases
# The last weeks are played through the case services, so that the pages show live work;
# the older steps are written in bulk (demo.ledger), as the services would have.
LIVE_WEEKS = timedelta(weeks=1)
# What a long step says as it goes: (part, done, of how many).
Progress = Callable[[str, int, int], None]
SEVERITY_NAMES = {"ordinary": "一般", "attention": "关注类", "key_attention": "重点关注类"}
# Of the village cases assigned on the political-legal line alone, the share whose handler
# (when they have a login) returns the line; the centre gives it to the mediation committee.
RETURNED = 0.05
RETURN_REASONS = [
    "该纠纷涉及土地权属确认，超出网格员职责范围，请另行交办。",
    "当事人户籍及居住地均不在本网格，请核实后重新交办。",
    "涉及村级集体经济账目问题，建议由村委会牵头处理。",
    "双方分歧较大，需专业调解员介入，请另行交办。",
]


def office_hours(rng: random.Random, moment: datetime) -> datetime:
    """Centre work (analysis, closing, follow-up calls) is done between 8:00 and 21:00."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 21:
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= 21 else 0)
    morning = timezone.make_aware(datetime.combine(day, time(8)))
    return morning + timedelta(minutes=rng.randrange(150))


class Pace:
    """Moments within a level's time, as growing shares of its budget (90 % of the time the
    level has), never past LAST of it; in office hours unless that would pass the limit."""

    HANDLING = 0.9  # steps before the outcome leave room for it
    LAST = 0.97

    def __init__(self, rng: random.Random, start: datetime, budget: timedelta) -> None:
        self.rng, self.start, self.budget, self.share = rng, start, budget, 0.0

    def after(self, low: float, high: float) -> datetime:
        return self._settle(self.share + self.rng.uniform(low, high), self.HANDLING)

    def by(self, low: float, high: float) -> datetime:
        return self._settle(max(self.share + 0.02, self.rng.uniform(low, high)), self.LAST)

    def _settle(self, share: float, limit: float) -> datetime:
        share = max(self.share, min(share, limit))
        moment = self.start + self.budget * share
        moved = office_hours(self.rng, moment)
        if (moved - self.start) / self.budget <= limit:
            moment, share = moved, (moved - self.start) / self.budget
        self.share = share
        return moment


class Year:
    """Plans and plays the stories of every county on one shared calendar."""

    def __init__(
        self,
        *,
        seed: int,
        end: datetime,
        live_from: datetime | None = None,
        progress: Progress | None = None,
    ) -> None:
        """`live_from`: the steps before it are played in the ledger and written in bulk
        (demo.ledger), the later ones through the case services; None: all of them."""
        self.seed = seed
        self.rng = random.Random(f"cases-{seed}")
        self.people = People(self.rng)
        self.end = end
        self.progress = progress
        self.history = History(
            end=end,
            sweep=self.sweep,
            sweep_every=SWEEP_EVERY,
            sweep_until=end - SWEEP_PAUSED,
            cutoff=live_from,
            on_cutoff=self.write_ledger,
        )
        self.casts: dict[int, Cast] = {}
        self.by_case: dict[int, Story] = {}
        self.hours: dict[tuple, int] = {}
        self.live = Live()
        self.ledger = Ledger(hours=self._hours)
        self.planned = self.reported = 0

    def plan(self, county: Area, count: int) -> None:
        villages, grids = county_places(county)
        # Accounts come from their own generator: the stories are the same whether the
        # accounts exist already or not.
        staff_rng = random.Random(f"staff-{self.seed}-{county.code}")
        cast = self.casts[county.pk] = cast_for(county, villages, staff_rng)
        for story in Almanac(self.rng, self.end, county).stories(villages, grids, count):
            self.history.at(story.reported_at, partial(self.report, story, cast))
            self.planned += 1

    def play(self) -> None:
        def reported() -> None:
            if self.progress:
                self.progress("cases", self.reported, self.planned)

        self.history.run(steps_per_transaction=STEPS_PER_TRANSACTION, progress=reported)

    def write_ledger(self) -> None:
        """The steps played in the ledger, into the database; the later steps go live."""
        if self.progress:
            self.progress("cases", self.reported, self.planned)
        self.ledger.flush(self.progress)

    # --- levels ---------------------------------------------------------------------

    def deadline_hours(self, story: Story, level: str) -> int:
        return self._hours(story.category.county_id, story.category.pk, story.severity, level)

    def _hours(self, county_id: int, category_id: int, severity: str, level: str) -> int:
        # A category is its county's: its id says the county too.
        key = (category_id, severity, level)
        if key not in self.hours:
            self.hours[key] = services.deadline_hours(
                county_id=county_id, category_id=category_id, severity=severity, level=level
            )
        return self.hours[key]

    def episode(
        self, story: Story, level: str, start: datetime, status: str, late: bool = False
    ) -> None:
        """Plan what happens to the case at `level`, from `status`, inside its deadline."""
        rng, at = self.rng, self.history.at
        behaviour = "handle" if late else story.behaviour(level)
        hours = rng.uniform(72, 720) if late else 0.9 * self.deadline_hours(story, level)
        pace = Pace(rng, start, timedelta(hours=hours))

        def do(action: str, *args) -> partial:
            return partial(self.act, story, level, action, args)

        if behaviour == "stall":
            if status == CaseStatus.REPORTED and rng.random() < 0.7:
                at(pace.after(0.01, 0.1), do("accept"))
                if rng.random() < 0.5:
                    at(pace.after(0.01, 0.05), do("assign", self._lines(story, level)))
                    if rng.random() < 0.5:
                        at(pace.after(0.05, 0.2), do("record"))
            return
        if status == CaseStatus.REPORTED:
            at(pace.after(0.01, 0.1), do("accept"))
        if story.supervise_level == level and not late:
            at(pace.after(0.01, 0.05), do("supervise"))
        if behaviour == "escalate":
            if rng.random() < 0.6:
                at(pace.after(0.005, 0.05), do("assign", self._lines(story, level)))
                at(pace.after(0.05, 0.2), do("record"))
            at(pace.by(0.3, 0.92), do("escalate"))
            return
        lines = list(story.handlers)
        if status in (CaseStatus.REPORTED, CaseStatus.ACCEPTED):
            planned = self._lines(story, level)
            lines = [line["line"] for line in planned]
            at(pace.after(0.005, 0.05), do("assign", planned))
            alone = lines == ["political_legal"] and level == CaseLevel.VILLAGE
            if alone and rng.random() < RETURNED:
                at(pace.after(0.02, 0.1), do("return", "political_legal"))
                at(pace.after(0.01, 0.05), do("reassign"))
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            at(pace.after(0.05, 0.2), do("record"))
        stabilise = 0.3 if story.code == "key_person" or level == CaseLevel.COUNTY else 0.07
        outcome = CaseStatus.STABILISED if rng.random() < stabilise else CaseStatus.RESOLVED
        resolved = pace.by(0.3, 0.9)
        for number, line in enumerate(sorted(lines)):  # the police line reports first
            if number:
                resolved = pace.after(0.005, 0.06)
            at(resolved, do("resolve", line, outcome))
        closed = office_hours(rng, resolved + timedelta(hours=rng.uniform(2, 72)))
        at(closed, do("close"))
        last = closed
        if rng.random() < 0.8:
            last = office_hours(rng, closed + timedelta(hours=rng.uniform(3, 240)))
            at(last, do("evaluate"))
        if story.reopen:
            story.reopen = False
            at(office_hours(rng, last + timedelta(days=rng.uniform(7, 60))), do("reopen"))

    def cast_of(self, story: Story) -> Cast:
        return self.casts[story.village.parent.parent_id]

    def _lines(self, story: Story, level: str) -> list[dict]:
        police = self.rng.random() < story.pattern.police or story.risk
        return self.cast_of(story).lines(
            self.rng,
            level=level,
            grid=story.grid,
            code=story.code,
            kind=story.category.kind,
            police=police,
        )

    # --- steps: each one service call -----------------------------------------------

    def via(self, tick: Tick) -> Live | Ledger:
        """Where a step goes: the ledger before the cut-off, the case services after it."""
        return self.live if tick.live else self.ledger

    def report(self, story: Story, cast: Cast, tick: Tick) -> None:
        rng, village = self.rng, story.village
        parties = self.people.parties(story.pattern.roles, village.code[:6])
        title, description = casebook.case_text(
            rng, self.people, story.pattern, parties, village.name
        )
        located = village.centre_lat is not None and rng.random() < 0.6
        story.case = self.via(tick).case_report(
            now=tick.at,
            reporter=cast.reporter(
                rng, story.grid, story.category.kind, timezone.localdate(tick.at)
            ),
            client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            kind=story.category.kind,
            category=story.category,
            title=title,
            description=description,
            grid=story.grid,
            severity=story.severity,
            parties=parties,
            location_lat=village.centre_lat + _jitter(rng) if located else None,
            location_lng=village.centre_lng + _jitter(rng) if located else None,
        )
        self.by_case[story.case.pk] = story
        self.reported += 1
        tick.touch(story.case.pk, "report")
        if story.duplicate_of is not None:
            merge_at = tick.at + timedelta(hours=rng.uniform(0.3, 5))
            self.history.at(merge_at, partial(self.act, story, CaseLevel.VILLAGE, "merge", ()))
        else:
            self.episode(story, CaseLevel.VILLAGE, tick.at, CaseStatus.REPORTED)

    def act(self, story: Story, level: str, action: str, args: tuple, tick: Tick) -> None:
        cast = self.cast_of(story)
        step = getattr(self, f"_{action}")
        case = step(story, cast, cast.centre(level, story.village), level, tick, *args)
        if case is not None:  # None: the step did not apply, and nothing was written
            story.case = case
            tick.touch(case.pk, "assign" if action == "reassign" else action)

    def _accept(self, story: Story, cast: Cast, centre: User, level: str, tick: Tick) -> Case:
        note = f"经研判，属{story.category.name}，列为{SEVERITY_NAMES[story.severity]}事件。"
        return self.via(tick).case_accept(
            now=tick.at,
            case=story.case,
            actor=centre,
            severity=story.severity,
            criminal_risk=story.risk,
            note=note + ("存在民转刑风险。" if story.risk else ""),
        )

    def _assign(
        self, story: Story, cast: Cast, centre: User, level: str, tick: Tick, lines: list[dict]
    ) -> Case:
        cases = self.via(tick)
        case = cases.case_assign(
            now=tick.at, case=story.case, actor=centre, lines=lines, note="请按期办理并反馈。"
        )
        # Who acts on each line: its handler's login; the township centre for a line a
        # vacant post sent there; else the centre, which records the handling of a unit
        # or of a post holder without a login.
        story.handlers = {}
        for line, handler_id, staff_id, routing_note in cases.active_lines(case):
            if handler_id is not None:
                actor = cast.logins.get(handler_id) or User.objects.get(pk=handler_id)
            elif staff_id is None and routing_note:
                actor = cast.township_centre[story.village.parent_id]
            else:
                actor = centre
            story.handlers[line] = actor
        return case

    def _return(
        self, story: Story, cast: Cast, centre: User, level: str, tick: Tick, line: str
    ) -> Case | None:
        """A handler with a login sends the line back (a unit's line is not returned)."""
        handler = story.handlers.get(line)
        if handler is None or handler.role not in (Role.GRID_WORKER, Role.POLICE):
            return None
        story.handlers.pop(line)
        reason = self.rng.choice(RETURN_REASONS)
        return self.via(tick).case_return(
            now=tick.at, case=story.case, line=line, actor=handler, reason=reason
        )

    def _reassign(
        self, story: Story, cast: Cast, centre: User, level: str, tick: Tick
    ) -> Case | None:
        if self.via(tick).status_of(story.case) == CaseStatus.ACCEPTED:
            unit = f"{story.village.name}人民调解委员会"
            lines = [{"line": "political_legal", "unit": unit, "handler": None}]
            return self._assign(story, cast, centre, level, tick, lines)
        return None

    def _record(self, story: Story, cast: Cast, centre: User, level: str, tick: Tick) -> Case:
        kinds = casebook.DISPUTE_RECORD_KINDS
        if story.category.kind != "dispute":
            kinds = casebook.HAZARD_RECORD_KINDS
        kind = self.rng.choice(kinds)
        note = self.rng.choice(casebook.RECORD_NOTES[kind]).format(a=_first_party(story.case))
        actor = story.handlers.get("political_legal") or story.handlers.get("police") or centre
        return self.via(tick).case_record_action(
            now=tick.at, case=story.case, actor=actor, action_kind=kind, note=note
        )

    def _resolve(
        self,
        story: Story,
        cast: Cast,
        centre: User,
        level: str,
        tick: Tick,
        line: str,
        outcome: str,
    ) -> Case:
        topic = "police" if line == "police" else story.category.kind
        if outcome == CaseStatus.STABILISED:
            topic = "stabilised"
        notes = casebook.RESOLVE_NOTES.get(topic, casebook.RESOLVE_NOTES["dispute"])
        return self.via(tick).case_resolve(
            now=tick.at,
            case=story.case,
            line=line,
            actor=story.handlers.pop(line, centre),
            outcome=outcome,
            note=self.rng.choice(notes),
        )

    def _close(self, story: Story, cast: Cast, centre: User, level: str, tick: Tick) -> Case:
        note = self.rng.choice(casebook.CLOSE_NOTES)
        return self.via(tick).case_close(now=tick.at, case=story.case, actor=centre, note=note)

    def _evaluate(self, story: Story, cast: Cast, centre: User, level: str, tick: Tick) -> Case:
        scores, shares = zip(*casebook.SATISFACTION, strict=True)
        score = self.rng.choices(scores, shares)[0]
        return self.via(tick).case_evaluate(
            now=tick.at,
            case=story.case,
            actor=centre,
            satisfaction=score,
            review=casebook.REVIEWS[score],
        )

    def _escalate(self, story: Story, cast: Cast, centre: User, level: str, tick: Tick) -> Case:
        reason = self.rng.choice(casebook.ESCALATE_REASONS[level])
        if story.risk and self.rng.random() < 0.6:
            reason = casebook.RISK_REASON
        case = self.via(tick).case_escalate(
            now=tick.at, case=story.case, actor=centre, reason=reason
        )
        story.handlers = {}
        self.episode(story, case.level, tick.at, CaseStatus.REPORTED)
        return case

    def _reopen(self, story: Story, cast: Cast, centre: User, level: str, tick: Tick) -> Case:
        reason = self.rng.choice(casebook.REOPEN_REASONS)
        case = self.via(tick).case_reopen(now=tick.at, case=story.case, actor=centre, reason=reason)
        self.episode(story, level, tick.at, CaseStatus.ACCEPTED)
        return case

    def _merge(self, story: Story, cast: Cast, centre: User, level: str, tick: Tick) -> Case:
        return self.via(tick).case_merge(
            now=tick.at,
            case=story.case,
            into=story.duplicate_of.case,
            actor=centre,
            note=casebook.DUPLICATE_NOTE,
        )

    def _supervise(self, story: Story, cast: Cast, centre: User, level: str, tick: Tick) -> Case:
        days = timedelta(days=self.rng.randint(3, 10))
        return self.via(tick).case_supervise(
            now=tick.at,
            tick=tick,
            case=story.case,
            actor=cast.supervisor(level, story.village),
            deadline=tick.at + days,
            note=self.rng.choice(casebook.SUPERVISE_NOTES),
        )

    def sweep(self, tick: Tick) -> None:
        """The overdue sweep at a historical time; upper levels take up what it moves."""
        for case_id, action, from_status, level in self.via(tick).escalate_overdue(now=tick.at):
            story = self.by_case[case_id]
            tick.touch(case_id, SWEEP)
            if action == "escalate_overdue":
                story.handlers = {}
                self.episode(story, level, tick.at, CaseStatus.REPORTED)
            elif self.rng.random() < LATE_AFTER_FLAG:
                self.episode(story, level, tick.at, from_status, late=True)


class Live:
    """The steps through the case services themselves, at the wall clock (the tick moves
    what they wrote back to its historical time)."""

    def case_report(self, *, now: datetime, **fields) -> Case:
        return services.case_report(**fields).case

    def case_accept(self, *, now: datetime, **fields) -> Case:
        return services.case_accept(**fields)

    def case_merge(self, *, now: datetime, **fields) -> Case:
        return services.case_merge(**fields)

    def case_assign(self, *, now: datetime, **fields) -> Case:
        return services.case_assign(**fields)

    def case_record_action(self, *, now: datetime, **fields) -> Case:
        return services.case_record_action(**fields)

    def case_return(self, *, now: datetime, **fields) -> Case:
        return services.case_return(**fields)

    def case_resolve(self, *, now: datetime, **fields) -> Case:
        return services.case_resolve(**fields)

    def case_close(self, *, now: datetime, **fields) -> Case:
        return services.case_close(**fields)

    def case_evaluate(self, *, now: datetime, **fields) -> Case:
        return services.case_evaluate(**fields)

    def case_escalate(self, *, now: datetime, **fields) -> Case:
        return services.case_escalate(**fields)

    def case_reopen(self, *, now: datetime, **fields) -> Case:
        return services.case_reopen(**fields)

    def case_supervise(self, *, now: datetime, tick: Tick, deadline: datetime, **fields) -> Case:
        # The service wants a deadline in the real future: the wall clock's, which the tick
        # moves back to `deadline`; the event's copy of it is corrected to match.
        case = services.case_supervise(deadline=deadline + (tick.started - tick.at), **fields)
        event = CaseEvent.objects.filter(case=case, action="supervise").latest("id")
        event.data = {**event.data, "deadline": deadline.isoformat()}
        event.save(update_fields=["data"])
        return case

    def active_lines(self, case: Case) -> list[tuple[str, int | None, int | None, str]]:
        return list(
            case.assignments.filter(status=AssignmentStatus.ACTIVE).values_list(
                "line", "handler_id", "staff_id", "routing_note"
            )
        )

    def status_of(self, case: Case) -> str:
        return Case.objects.values_list("status", flat=True).get(pk=case.pk)

    def escalate_overdue(self, *, now: datetime) -> list[tuple[int, str, str, str]]:
        overdue = Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now)
        if not overdue.exclude(level=CaseLevel.COUNTY, overdue=True).exists():
            return []  # one query instead of the sweep's three claims
        last = CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0
        escalate_overdue(now=now)
        return sorted(
            CaseEvent.objects.filter(
                id__gt=last, actor=None, action__in=("escalate_overdue", "flag_overdue")
            ).values_list("case_id", "action", "from_status", "level")
        )


def _jitter(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(-60, 60)) / 10000


def _first_party(case: Case) -> str:
    return case.parties[0]["name"] if case.parties else "当事人"


def case_counts() -> dict[tuple[str, str], int]:
    rows = Case.objects.values_list("level", "status").annotate(n=Count("id"))
    return {(level, status): n for level, status, n in rows}


def case_summary(now: datetime | None = None) -> dict[str, int]:
    """What an operator wants to know after seeding, besides the counts by level and status."""
    now = now or timezone.now()
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    return {
        "open": open_cases.count(),
        "past_deadline": open_cases.filter(deadline__lt=now, overdue=False).count(),
        "flagged_overdue": Case.objects.filter(overdue=True).count(),
        "supervised": Case.objects.filter(supervised=True).count(),
    }


def seed_cases(
    *,
    scale: str,
    seed: int,
    now: datetime | None = None,
    live: timedelta | None = LIVE_WEEKS,
    progress: Progress | None = None,
) -> dict[str, int]:
    """About a year of cases up to `now` in every county (see CASES_PER_COUNTY): the steps
    of the last `live` through the case services, the older ones written in bulk as the
    services would have written them (demo.ledger); `live=None`: every step live."""
    end = now or timezone.now()
    year = Year(
        seed=seed, end=end, live_from=None if live is None else end - live, progress=progress
    )
    for county in tree.in_order(Area.objects.filter(level=AreaLevel.COUNTY)):
        services.categories_ensure_defaults(county=county)
        year.plan(county, CASES_PER_COUNTY[scale])
    with outgoing_paused():
        year.play()
    inbox_mostly_read(end)
    return {"cases": Case.objects.count()}


UNREAD_KEPT = 6  # per demo account: the latest few of the last days stay unread
UNREAD_DAYS = 3


def inbox_mostly_read(now: datetime) -> None:
    """Historical notifications were read a while after they came; each demo account keeps
    a handful of recent ones unread."""
    unread = Notification.objects.filter(read_at__isnull=True)
    kept: list[int] = []
    for user in User.objects.filter(pk__in=unread.values("recipient")):
        if user.has_usable_password():
            kept += unread.filter(
                recipient=user, created_at__gte=now - timedelta(days=UNREAD_DAYS)
            ).values_list("id", flat=True)[:UNREAD_KEPT]
    unread.exclude(id__in=kept).update(
        read_at=Least(F("created_at") + timedelta(hours=3), Value(now))
    )
