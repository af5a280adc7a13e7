"""The case workflow 研-交-办-督-结-评 as a state machine (Hypothesis, stateful): any
sequence of transitions, asked for through the API by any persona (the case's own centres,
its supervisors, its handlers, field staff with no say, an inspector, another township),
with well-formed or broken arguments, keeps the case in a legal state and its timeline
consistent with it.

The rules are written here from the design (DESIGN.md §3), not imported from the code,
so that a change of the workflow's table shows up as a failing step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from rest_framework.test import APIClient

from disputes.models import Assignment, Case, CaseLevel, CaseStatus
from tests.factories import report

S = CaseStatus
HANDLING = {S.ASSIGNED, S.IN_PROGRESS}
OPEN = {S.REPORTED, S.ACCEPTED, *HANDLING}
FINISHED = {S.RESOLVED, S.STABILISED, S.CLOSED, S.EVALUATED}
# action → (the states it may start from, the states it may end in)
WORKFLOW: dict[str, tuple[set[str], set[str]]] = {
    "accept": ({S.REPORTED}, {S.ACCEPTED}),
    "merge": ({S.REPORTED, S.ACCEPTED}, {S.MERGED}),
    "assign": ({S.ACCEPTED}, {S.ASSIGNED}),
    "record": (HANDLING, {S.IN_PROGRESS}),
    # the last active line returned sends the case back to its centre
    "return": (HANDLING, {S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}),
    # finished when every line is
    "resolve": (HANDLING, {S.IN_PROGRESS, S.RESOLVED, S.STABILISED}),
    "close": ({S.RESOLVED, S.STABILISED}, {S.CLOSED}),
    "evaluate": ({S.CLOSED}, {S.EVALUATED}),
    "escalate": (OPEN, {S.REPORTED}),
    "supervise": (OPEN, OPEN),  # the state stays; the case is marked supervised
    "reopen": (FINISHED, {S.ACCEPTED}),
}
LEVEL_ABOVE = {CaseLevel.VILLAGE: CaseLevel.TOWNSHIP, CaseLevel.TOWNSHIP: CaseLevel.COUNTY}
# Who analyses, assigns and closes a case of each level (its own centre), and who
# supervises it (a centre above; the committee its own cases too).
CENTRE = {"village": "village1", "township": "township1", "county": "county"}
SUPERVISOR = {"village": "township1", "township": "county", "county": "county"}
# The way round the loop; escalation, supervision and merging come from any step.
FORWARD = ["accept", "assign", "record", "resolve", "close", "evaluate", "reopen"]
CENTRE_ACTIONS = {"accept", "merge", "assign", "close", "evaluate", "escalate", "reopen"}
HANDLER_ACTIONS = {"record", "return", "resolve"}
# Field staff and inspectors never analyse, assign, close or supervise.
NEVER_CENTRE = {"grid1", "police1", "member1", "inspector"}
PERSONAS = [
    *("grid1", "police1", "member1", "inspector"),  # field staff, an inspector
    *("village1", "township1", "county"),  # the centres of each level
    "township2",  # another township
]
LINES = ["political_legal", "police"]

text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=20
).filter(str.strip)


@dataclass(frozen=True)
class Snapshot:
    status: str
    level: str
    supervised: bool
    merged_into: int | None
    satisfaction: int | None
    events: int
    assignments: tuple

    @classmethod
    def of(cls, case: Case) -> Snapshot:
        case.refresh_from_db()
        return cls(
            status=case.status,
            level=case.level,
            supervised=case.supervised,
            merged_into=case.merged_into_id,
            satisfaction=case.satisfaction,
            events=case.events.count(),
            assignments=tuple(
                Assignment.objects.filter(case=case).order_by("pk").values_list("pk", "status")
            ),
        )


def active_lines(case: Case) -> list[str]:
    return sorted(
        Assignment.objects.filter(case=case, status="active").values_list("line", flat=True)
    )


def has_message(body) -> bool:
    if isinstance(body, str):
        return bool(body.strip())
    if isinstance(body, list | tuple):
        return any(has_message(item) for item in body)
    if isinstance(body, dict):
        return any(has_message(value) for value in body.values())
    return False


class CaseWorkflow(RuleBasedStateMachine):
    def __init__(self, demo) -> None:
        super().__init__()
        self.demo = demo
        self.clients = {}
        for name in PERSONAS:
            client = APIClient()
            client.force_authenticate(demo.user(name))
            self.clients[name] = client
        self.successes = 0

    @initialize()
    def a_grid_worker_reports_two_cases(self) -> None:
        self.case = report(self.demo, client_uuid=uuid.uuid4()).case
        # A second report of the same dispute: what a merge names.
        self.duplicate = report(self.demo, client_uuid=uuid.uuid4()).case

    # --- what a persona sends -----------------------------------------------------------

    def payload(self, action: str, data) -> tuple[dict, bool]:
        """A request for `action` and whether its arguments are well-formed."""
        body: dict = {"action": action}
        well_formed = True
        if action == "accept":
            body["severity"] = data.draw(st.sampled_from(["ordinary", "attention"]))
        elif action == "merge":
            body["into"] = data.draw(st.sampled_from([0, self.case.pk, self.duplicate.pk]))
            well_formed = body["into"] == self.duplicate.pk and (self.duplicate.status != S.MERGED)
        elif action == "assign":
            handlers = {
                "roster": None,
                "police1": self.demo.user("police1").pk,
                "grid1": self.demo.user("grid1").pk,
                "outsider": self.demo.user("township2").pk,
            }
            chosen = data.draw(st.lists(st.sampled_from(LINES), min_size=1, max_size=2))
            lines = []
            for line in chosen:
                handler = data.draw(st.sampled_from(sorted(handlers)))
                lines.append(
                    {"line": line, **({"handler": handlers[handler]} if handlers[handler] else {})}
                )
                well_formed &= handler != "outsider"
            body["lines"] = lines
            well_formed &= len(set(chosen)) == len(chosen)
        elif action == "record":
            body["action_kind"] = data.draw(st.sampled_from(["visit", "mediation", "agreement"]))
            body["note"] = data.draw(text)
        elif action in ("return", "resolve"):
            body["line"] = data.draw(
                st.sampled_from(active_lines(self.case) or LINES) | st.sampled_from(LINES)
            )
            well_formed = body["line"] in active_lines(self.case)
            if action == "return":
                body["reason"] = data.draw(text)
            else:
                body["outcome"] = data.draw(st.sampled_from(["resolved", "stabilised"]))
        elif action == "evaluate":
            body["satisfaction"] = data.draw(st.integers(0, 6))
            well_formed = 1 <= body["satisfaction"] <= 5
        elif action in ("escalate", "reopen"):
            body["reason"] = data.draw(text)
            well_formed = action != "escalate" or self.case.level in LEVEL_ABOVE
        elif action == "supervise":
            days = data.draw(st.sampled_from([-1, 3]))
            body["deadline"] = (timezone.now() + timedelta(days=days)).isoformat()
            body["note"] = data.draw(text)
            well_formed = days > 0
        if len(body) > 1 and data.draw(st.integers(0, 4)) == 4:
            # Now and then an argument is left out: only accept's severity is optional.
            body.pop(sorted(set(body) - {"action"})[0])
            well_formed &= action == "accept"
        return body, well_formed

    def handlers(self) -> list[str]:
        """The personas handling an active line of the case."""
        users = Assignment.objects.filter(case=self.case, status="active").values_list(
            "handler__username", flat=True
        )
        return sorted({name for name in users if name in PERSONAS})

    def entitled(self, persona: str, action: str) -> bool:
        """The one persona sure to be allowed: the case's centre, or its supervisor."""
        if action == "supervise":
            return persona == SUPERVISOR[self.case.level]
        return persona == CENTRE[self.case.level]

    # --- the one rule: somebody asks for something ---------------------------------------

    @rule(data=st.data())
    def somebody_asks_for_a_transition(self, data) -> None:
        # A third of the time the next step forward, a third a step the state does not
        # allow, a third anything; half the time asked by someone who may well be allowed:
        # so that the case travels the whole loop, and every door is tried when it is shut.
        self.case.refresh_from_db()
        forward = [a for a in FORWARD if self.case.status in WORKFLOW[a][0]]
        shut = [a for a in sorted(WORKFLOW) if self.case.status not in WORKFLOW[a][0]]
        action = data.draw(
            st.sampled_from(forward or sorted(WORKFLOW))
            | st.sampled_from(shut or sorted(WORKFLOW))
            | st.sampled_from(sorted(WORKFLOW))
        )
        likely = [SUPERVISOR[self.case.level]] if action == "supervise" else []
        likely = likely or [CENTRE[self.case.level], *self.handlers()]
        persona = data.draw(st.sampled_from(likely) | st.sampled_from(PERSONAS))
        body, well_formed = self.payload(action, data)
        before = Snapshot.of(self.case)
        response = self.clients[persona].post(
            f"/api/v1/cases/{self.case.pk}/transitions/", body, format="json"
        )
        after = Snapshot.of(self.case)
        starts_from, ends_in = WORKFLOW[action]
        step = f"{persona} {body} in {before.status}/{before.level}: {response.status_code}"

        if response.status_code == 200:
            self.successes += 1
            assert persona != "township2", f"another township changed the case: {step}"
            if action in CENTRE_ACTIONS | {"supervise"}:
                assert persona not in NEVER_CENTRE, f"no say, yet it worked: {step}"
            assert before.status in starts_from, f"not possible from this state: {step}"
            assert after.status in ends_in, f"ended in {after.status}: {step}"
            assert after.events == before.events + 1, step
            event = self.case.events.order_by("-created_at", "-id").first()
            assert (event.action, event.from_status, event.to_status) == (
                action,
                before.status,
                after.status,
            ), step
            assert event.actor == self.demo.user(persona), step
            if action == "escalate":
                assert after.level == LEVEL_ABOVE[before.level], step
            else:
                assert after.level == before.level, step
            if action == "supervise":
                assert after.supervised and after.status == before.status, step
            if action == "merge":
                assert after.merged_into == self.duplicate.pk, step
            return

        assert response.status_code in (400, 403, 404), f"{step} {response.content[:300]}"
        assert has_message(response.json()), step
        assert after == before, f"a refused request changed the case: {step}"
        if persona == "township2":
            assert response.status_code == 404, step
        if well_formed and before.status in starts_from and self.entitled(persona, action):
            raise AssertionError(f"the case's own centre was refused: {step} {response.json()}")

    # --- what must hold after every step -----------------------------------------------

    @invariant()
    def the_timeline_tells_the_cases_story(self) -> None:
        case = self.case
        case.refresh_from_db()
        events = list(case.events.order_by("created_at", "id"))
        assert events[0].action == "report" and events[0].from_status == ""
        assert len(events) == 1 + self.successes  # only successful requests add events
        for previous, event in pairwise(events):
            assert event.from_status == previous.to_status, (previous, event)
        assert events[-1].to_status == case.status
        assert events[-1].level == case.level

    @invariant()
    def the_state_is_legal(self) -> None:
        case = self.case
        assert case.status in S.values and case.level in CaseLevel.values
        active = Assignment.objects.filter(case=case, status="active").exists()
        # Somebody is handling it exactly while it is assigned or in progress.
        assert active == (case.status in HANDLING), (case.status, active_lines(case))
        assert (case.merged_into_id is not None) == (case.status == S.MERGED)
        if case.status == S.EVALUATED:
            assert case.satisfaction in range(1, 6)


@pytest.mark.django_db
def test_any_sequence_of_transitions_keeps_the_case_legal_and_its_timeline_true(demo, roster):
    run_state_machine_as_test(
        lambda: CaseWorkflow(demo),
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


# The way to each state from a fresh report, as the village centre (and the township for
# supervision): the same requests a centre's staff send.
ROUTES: dict[str, list[dict]] = {
    S.REPORTED: [],
    S.ACCEPTED: [{"action": "accept"}],
    S.ASSIGNED: [{"action": "accept"}, {"action": "assign", "lines": [{"line": "police"}]}],
}
ROUTES[S.IN_PROGRESS] = [
    *ROUTES[S.ASSIGNED],
    {"action": "record", "action_kind": "visit", "note": "走访双方"},
]
ROUTES[S.RESOLVED] = [
    *ROUTES[S.IN_PROGRESS],
    {"action": "resolve", "line": "police", "outcome": "resolved"},
]
ROUTES[S.STABILISED] = [
    *ROUTES[S.IN_PROGRESS],
    {"action": "resolve", "line": "police", "outcome": "stabilised"},
]
ROUTES[S.CLOSED] = [*ROUTES[S.RESOLVED], {"action": "close"}]
ROUTES[S.EVALUATED] = [*ROUTES[S.CLOSED], {"action": "evaluate", "satisfaction": 5}]
ROUTES[S.MERGED] = [{"action": "merge", "into": "duplicate"}]

EVERY_ARGUMENT = {
    "into": "duplicate",
    "lines": [{"line": "police"}],
    "action_kind": "visit",
    "note": "复查",
    "line": "police",
    "outcome": "resolved",
    "reason": "再次发生纠纷",
    "satisfaction": 4,
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", sorted(ROUTES))
def test_every_action_the_state_does_not_allow_is_refused_even_to_the_centre(demo, state):
    client = APIClient()
    client.force_authenticate(demo.user("village1"))
    supervisor = APIClient()
    supervisor.force_authenticate(demo.user("township1"))
    case = report(demo, client_uuid=uuid.uuid4()).case
    duplicate = report(demo, client_uuid=uuid.uuid4()).case
    url = f"/api/v1/cases/{case.pk}/transitions/"

    def named(body: dict) -> dict:
        return {key: duplicate.pk if value == "duplicate" else value for key, value in body.items()}

    for step in ROUTES[state]:
        assert client.post(url, named(step), format="json").status_code == 200, step
    assert Snapshot.of(case).status == state
    for action, (starts_from, _ends_in) in sorted(WORKFLOW.items()):
        if state in starts_from:
            continue
        body = named({"action": action, **EVERY_ARGUMENT})
        body["deadline"] = (timezone.now() + timedelta(days=3)).isoformat()
        before = Snapshot.of(case)
        asker = supervisor if action == "supervise" else client
        response = asker.post(url, body, format="json")
        assert response.status_code == 400, (state, action, response.status_code)
        assert has_message(response.json()), (state, action)
        assert Snapshot.of(case) == before, (state, action)
