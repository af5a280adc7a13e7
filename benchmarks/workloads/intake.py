"""`POST /api/v1/cases/` under 16 concurrent clients: 16 grid workers, each with an API token
on a persistent connection, filing valid reports in their own grid with a fresh client UUID
each (validation, insert, report event), against gunicorn with production settings;
compared with POSTs to the minimal JSON view under the same load. Afterwards every UUID sent
must have exactly one case with one report event; then those cases go (with their events,
notifications and deliveries). A report enqueues no Celery task today; should one appear
in the filesystem broker's queue (var/broker/queue), the row says so — no worker runs."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from benchmarks.harness import Context, Row, ms, ratio
from benchmarks.server import serve

CLIENTS = 16
REQUESTS = 1000
SMOKE_REQUESTS = 160
DURATION = 15  # seconds at most per load
RATE_TARGET = 200  # req/s
P99_TARGET_MS = 300
BROKER_QUEUE = Path(__file__).resolve().parents[2] / "var" / "broker" / "queue"


def report(*, grid_id: int, id_number: str) -> dict:
    # A valid report as tests/disputes/test_case_api.py files it (the client UUID is added
    # per request).
    return {
        "kind": "dispute",
        "category": "neighbour",
        "severity": "ordinary",
        "title": "邻里排水纠纷",
        "description": "排水沟堵塞引发争执。",
        "grid": grid_id,
        "parties": [{"name": "李某", "phone": "13912345678", "id_number": id_number}],
    }


def run(context: Context) -> list[Row]:
    from django.db import close_old_connections
    from django.utils import timezone

    from disputes.models import Case
    from governance.platform.roles import Role
    from personnel.models import User

    workers = list(
        User.objects.filter(role=Role.GRID_WORKER, is_active=True, area__level="grid").order_by(
            "pk"
        )[:CLIENTS]
    )
    if not workers:
        raise RuntimeError("the benchmark data has no active grid worker posted to a grid")
    requests = SMOKE_REQUESTS if context.smoke else REQUESTS
    queued_before = _queued()
    started = timezone.now()
    try:
        with serve() as server, server.tokens(workers) as tokens:
            minimal, intake, checks = _measure(
                server, tokens=tokens, workers=workers, context=context, requests=requests
            )
            server_pids = {server.pid, *server.worker_pids}
    finally:
        # What a failed run may have left: these workers' reports filed since the start (on
        # a fresh connection if the failure broke this one).
        close_old_connections()
        Case.objects.filter(reporter__in=workers, created_at__gte=started).delete()
    queued = _sent_by(_queued() - queued_before, pids=server_pids)
    return rows_for(
        minimal,
        intake,
        checks,
        requests=requests,
        workers=len(workers),
        queued=queued,
        profile="",  # the profile is in NOTES.md
    )


def _measure(
    server, *, tokens: dict[int, str], workers: list, context: Context, requests: int
) -> tuple[list[dict], list[dict], list[dict]]:
    from governance.platform.validators import id_number_check_char

    id_number = "43122419800101001" + id_number_check_char("43122419800101001")
    clients = [
        {
            "headers": {"Authorization": f"Token {tokens[user.pk]}"},
            "body": report(grid_id=user.area_id, id_number=id_number),
        }
        for user in workers
    ]
    minimal: list[dict] = []
    intake: list[dict] = []
    checks: list[dict] = []
    warmup = max(context.warmup, 1)  # a fresh worker's first request loads the URLconf
    runs = min(context.runs, 3)  # each run is already thousands of requests
    for index in range(warmup + runs):
        count = requests if index >= warmup else CLIENTS * 4
        options = {"method": "POST", "clients": CLIENTS, "requests": count, "duration": DURATION}
        base = server.load("/bench/minimal/", per_client=clients, **options)
        found = server.load("/api/v1/cases/", per_client=clients, unique="client_uuid", **options)
        check = _check_and_undo(found.pop("client_uuids"))
        if index >= warmup:
            minimal.append(base)
            intake.append(found)
            checks.append(check)
    return minimal, intake, checks


def _queued() -> set[str]:
    # The filesystem broker (no REDIS_URL) keeps each message as a file.
    return {path.name for path in BROKER_QUEUE.glob("*")} if BROKER_QUEUE.is_dir() else set()


def _sent_by(names: set[str], *, pids: set[int]) -> int:
    """How many of these new messages our gunicorn sent ("origin": "gen<pid>@host"); other
    processes share the queue."""
    origins = {f"gen{pid}@" for pid in pids}
    count = 0
    for name in names:
        try:
            origin = json.loads((BROKER_QUEUE / name).read_text())["headers"]["origin"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        count += any(origin.startswith(prefix) for prefix in origins)
    return count


def _check_and_undo(sent: list[str]) -> dict:
    """How many of the UUIDs sent have no case, or more than one case or report event; then
    delete those cases."""
    from django.db.models import Count, Q

    from disputes.models import Case

    cases = Case.objects.filter(client_uuid__in=sent)
    try:
        found = list(
            cases.values("client_uuid").annotate(
                n=Count("pk", distinct=True),
                reports=Count("events", filter=Q(events__action="report")),
            )
        )
    finally:
        cases.delete()  # cascades to events, notifications and their deliveries
    check = {
        "sent": len(sent),
        "repeated_uuids": len(sent) - len(set(sent)),
        "missing": len(set(sent)) - len(found),
        "duplicates": sum(1 for row in found if row["n"] != 1 or row["reports"] != 1),
    }
    return check


def rows_for(
    minimal: list[dict],
    intake: list[dict],
    checks: list[dict],
    *,
    requests: int,
    workers: int,
    queued: int,
    profile: str,
) -> list[Row]:
    def median(found: list[dict], key: str) -> float:
        return statistics.median(result[key] for result in found)

    def spread(found: list[dict], key: str) -> str:
        values = [result[key] for result in found]
        return f"{min(values):.1f}–{max(values):.1f}"

    load = f"{CLIENTS} clients ({workers} grid workers), ≤ {requests} requests or {DURATION} s"
    rate, base_rate = median(intake, "throughput"), median(minimal, "throughput")
    p99, base_p99 = median(intake, "p99_ms"), median(minimal, "p99_ms")
    errors: dict[str, int] = {}
    for result in intake:
        for status, count in result["errors"].items():
            errors[status] = errors.get(status, 0) + count
    base_errors = sum(sum(result["errors"].values()) for result in minimal)
    sent = sum(check["sent"] for check in checks)
    duplicates = sum(check["duplicates"] + check["repeated_uuids"] for check in checks)
    missing = sum(check["missing"] for check in checks)
    answered = sum(result["answered"] for result in intake)
    error_count = sum(errors.values())
    clean = not errors and not duplicates and not missing
    return [
        Row(
            workload="intake",
            case=f"minimal view POST, {load}",
            value=f"{base_rate:.0f} req/s, p99 {ms(base_p99)}",
            spread=spread(minimal, "throughput"),
            passed=False if base_errors else None,
            note=f"{base_errors} errors" if base_errors else "",
        ),
        Row(
            workload="intake",
            case=f"POST /api/v1/cases/: throughput, {load}",
            value=f"{rate:.0f} req/s",
            spread=spread(intake, "throughput"),
            baseline=f"minimal view {base_rate:.0f} req/s",
            ratio=ratio(rate, base_rate),
            target=f"≥ {RATE_TARGET} req/s",
            passed=rate >= RATE_TARGET,
            note=f"p50 {ms(median(intake, 'p50_ms'))}, p95 {ms(median(intake, 'p95_ms'))}"
            + ("" if rate >= RATE_TARGET or not profile else f"; {profile}"),
        ),
        Row(
            workload="intake",
            case="POST /api/v1/cases/: p99",
            value=ms(p99),
            spread=spread(intake, "p99_ms"),
            baseline=f"minimal view p99 {ms(base_p99)}",
            ratio=ratio(p99, base_p99),
            target=f"p99 ≤ {P99_TARGET_MS} ms",
            passed=p99 <= P99_TARGET_MS,
            note="" if p99 <= P99_TARGET_MS or not profile else "queueing behind the cost above",
        ),
        Row(
            workload="intake",
            case="POST /api/v1/cases/: errors and duplicates",
            value=f"{error_count} errors, {duplicates} duplicates, {missing} missing",
            baseline=f"{sent} reports sent, {answered} answered",
            target="none",
            passed=clean,
            note="; ".join(
                [f"{status} × {count}" for status, count in errors.items()]
                + (
                    [f"{queued} messages enqueued (var/broker/queue; no worker runs)"]
                    if queued
                    else []
                )
            ),
        ),
    ]
