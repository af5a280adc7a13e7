"""The demo's ledger (demo.ledger) writes what the case services write.

The tiny demo's year of cases is played three ways from the same seed and moment: every
step through the case services, every step in the ledger written in bulk, and the default
(the ledger, then the last weeks through the services). The three must leave the same
cases in the same states with the same flags and times, the same timelines, assignment
lines, inbox messages and audit entries, and the same figures on the dashboard; the audit
chain stays intact. When a service changes what it writes, this fails until the ledger
does the same."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_verify
from demo.cases import LIVE_WEEKS, seed_cases
from demo.places import demo_tree, demo_users
from demo.roster import seed_roster
from disputes.models import Assignment, Case, CaseEvent
from disputes.selectors.stats import area_stats, area_trend
from disputes.services import categories_ensure_defaults
from grids import tree
from grids.models import Area, AreaLevel
from notifications.models import Notification
from personnel.models import User

SECOND = timedelta(seconds=1)
CASE_TIMES = ("created_at", "updated_at", "deadline", "warn_at", "resolved_at", "closed_at")
CASE_STATE = (
    "client_uuid",
    "title",
    "kind",
    "category_id",
    "severity",
    "criminal_risk",
    "grid_id",
    "reporter_id",
    "level",
    "status",
    "overdue",
    "deadline_warned",
    "supervised",
    "went_overdue",
    "escalated_overdue",
    "escalated_to_township",
    "escalated_to_county",
    "supervision_note",
    "satisfaction",
    "review",
    "parties",
    "location_lat",
    "location_lng",
)


def played(now, live) -> dict:
    """Play the year (`live`: how much of its end goes through the services) and read back
    everything it wrote, keyed by what does not depend on ids: the case's client UUID."""
    audit_from = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    seed_cases(scale="tiny", seed=2026, now=now, live=live)
    uuid_of = dict(Case.objects.values_list("id", "client_uuid"))
    cases = {}
    for case in Case.objects.order_by("id"):
        state = {name: getattr(case, name) for name in CASE_STATE}
        state["merged_into"] = uuid_of.get(case.merged_into_id)
        state["times"] = [getattr(case, name) for name in CASE_TIMES]
        state["supervision_deadline"] = case.supervision_deadline
        cases[case.client_uuid] = state
    timelines = defaultdict(list)
    for event in CaseEvent.objects.order_by("id"):
        data = dict(event.data)
        if "into" in data:
            data["into"] = uuid_of[data["into"]]
        timelines[uuid_of[event.case_id]].append(
            (event.action, event.actor_id, event.from_status, event.to_status, event.level,
             event.note, data, event.created_at)
        )  # fmt: skip
    lines = defaultdict(list)
    for a in Assignment.objects.order_by("id"):
        lines[uuid_of[a.case_id]].append(
            (a.line, a.unit, a.handler_id, a.staff_id, a.routing_note, a.level, a.status,
             a.outcome, a.note, a.cancelled_overdue, a.created_at, a.finished_at)
        )  # fmt: skip
    # A sweep's message counting several cases names none (case_id None).
    inbox = Counter(
        (uuid_of.get(case_id), recipient, kind)
        for case_id, recipient, kind in Notification.objects.values_list(
            "case_id", "recipient_id", "kind"
        )
    )
    audit = defaultdict(list)
    for entry in AuditEntry.objects.filter(id__gt=audit_from, action__startswith="case.").order_by(
        "id"
    ):
        new = {k: (uuid_of[v] if k == "into" else v) for k, v in entry.new_values.items()}
        # A supervision's deadline: through the services, the audit entry keeps the wall
        # clock's (the replay moves the case and its event back, not the chained entry).
        new.pop("deadline", None)
        audit[uuid_of[int(entry.object_id)]].append(
            (entry.action, entry.actor_id, entry.area_id, entry.old_values, new)
        )
    county = tree.in_order(Area.objects.filter(level=AreaLevel.COUNTY))[0]
    viewer = User.objects.get(username="county")
    today = timezone.localdate(now)
    figures = area_stats(user=viewer, area=county, start=today - timedelta(days=364), end=today)
    trend = area_trend(user=viewer, area=county, end=today)
    return {
        "cases": cases,
        "timelines": dict(timelines),
        "lines": dict(lines),
        "inbox": inbox,
        "audit": dict(audit),
        "figures": (figures, trend),
    }


def forget_the_year() -> None:
    Notification.objects.all().delete()
    Case.objects.exclude(merged_into=None).delete()
    Case.objects.all().delete()


def assert_same_times(left: list, right: list, what: str) -> None:
    """The services stamp the wall clock moved back to the step's time, the ledger the
    step's time itself: the same to well within a second."""
    assert len(left) == len(right), what
    for a, b in zip(left, right, strict=True):
        assert (a is None) == (b is None), what
        if a is not None:
            assert abs(a - b) < SECOND, what


def assert_same_year(services: dict, other: dict) -> None:
    assert services["cases"].keys() == other["cases"].keys()
    for key, case in services["cases"].items():
        theirs = other["cases"][key]
        assert {k: v for k, v in case.items() if k not in ("times", "supervision_deadline")} == {
            k: v for k, v in theirs.items() if k not in ("times", "supervision_deadline")
        }, case["title"]
        assert_same_times(case["times"], theirs["times"], case["title"])
        assert_same_times(
            [case["supervision_deadline"]], [theirs["supervision_deadline"]], case["title"]
        )
    for name, time_at in (("timelines", -1), ("lines", slice(-2, None))):
        assert services[name].keys() == other[name].keys(), name
        for key, rows in services[name].items():
            theirs = other[name][key]
            assert len(rows) == len(theirs), (name, key)
            for row, their in zip(rows, theirs, strict=True):
                if isinstance(time_at, int):
                    assert row[:time_at] == their[:time_at], (name, row)
                    assert_same_times([row[time_at]], [their[time_at]], name)
                else:
                    assert row[:-2] == their[:-2], (name, row)
                    assert_same_times(list(row[-2:]), list(their[-2:]), name)
    assert services["inbox"] == other["inbox"]
    assert services["audit"] == other["audit"]
    assert services["figures"] == other["figures"]


@pytest.fixture
def tiny_county(db):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        areas = demo_tree(scale="tiny", seed=2026)
        tree.bulk_insert(areas)
        categories_ensure_defaults(county=areas[0])
        demo_users(root=areas[0], rng=random.Random(2026))
        seed_roster(root=areas[0], rng=random.Random("roster-2026"), today=timezone.localdate())
    return areas[0]


def test_the_ledger_and_the_services_write_the_same_year(tiny_county):
    now = timezone.now() - timedelta(hours=5)
    through_services = played(now, live=None)
    # A year worth testing: every kind of step, the sweep and its flags among them.
    actions = Counter(row[0] for rows in through_services["timelines"].values() for row in rows)
    steps = "report accept assign record resolve close evaluate escalate supervise merge"
    for action in [*steps.split(), "escalate_overdue", "flag_overdue"]:
        assert actions[action], action
    assert sum(through_services["inbox"].values()) > 20
    kinds = {kind for _case, _recipient, kind in through_services["inbox"]}
    assert {"new_report", "assigned", "returned", "lines_done", "closed", "escalated"} <= kinds
    forget_the_year()
    in_the_ledger = played(now, live=timedelta(0))
    assert_same_year(through_services, in_the_ledger)
    forget_the_year()
    both = played(now, live=LIVE_WEEKS)
    assert_same_year(through_services, both)
    assert audit_verify().intact
