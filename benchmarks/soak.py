"""The soak test: `python -m benchmarks.soak [--minutes 10] [--rate 50] [--smoke]` (or
`make soak`). Not part of `make test`.

gunicorn (benchmarks.server, production settings) and a Celery worker on Redis run against
a fresh PostgreSQL database (<DATABASE_URL's name>_bench_soak, the tiny benchmark data)
while an open-loop client sends a fixed rate of mixed traffic for the whole duration: 80 %
reads (case list, case detail, area stats, the township centre's dashboard page) and 20 %
writes (grid workers' reports with fresh client UUIDs, the centre's accept and assign
transitions, whose SMS the worker sends). At the end it checks: no error at all; every
accepted report exists exactly once and nothing else was filed; every transition answered
200 is in the case's timeline once; every outgoing message was sent, once; and the memory
of the gunicorn and worker processes, sampled every 10 s, is flat (the last minute's
mean against the first's). It prints the report and writes benchmarks/SOAK.md (a smoke
run: var/soak-smoke.md). Exit status 1 when a check fails."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# The mix: 80 % reads, 20 % writes.
MIX = {
    "case list": 25,
    "case detail": 25,
    "area stats": 15,
    "dashboard": 15,
    "report": 10,
    "transition": 10,
}
SAMPLE_EVERY = 10.0  # seconds between memory samples
FLAT_GROWTH = 0.10  # the last minute's memory may exceed the first's by this much
DRAIN_SECONDS = 120  # how long the worker may take, after the traffic, to send the rest
REQUEST_TIMEOUT = 30.0
KEEP_UP = 0.95  # answers per second, as a share of the rate sent: else a backlog grew


@dataclass
class Cast:
    """Who sends what: grid workers (reports), their township's centre (reads, transitions)
    and each village's police officer, to whom the centre assigns its cases (an SMS)."""

    township: int
    workers: list[tuple[int, int, int]]  # (user id, their grid, its village's police officer)
    centre: int
    case_ids: list[int]  # existing cases of the township, for the detail reads
    session: str = ""
    tokens: dict[int, str] = field(default_factory=dict)


@dataclass
class Answer:
    kind: str
    status: int  # 0: no answer (connection error or timeout)
    ms: float
    detail: str = ""


@dataclass
class Traffic:
    answers: list[Answer] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # UUIDs of reports answered 201
    transitions: Counter = field(default_factory=Counter)  # action -> answered 200
    # Requests that got no answer in time (the server may yet have done them): the reports
    # are resent with their client UUID, as the phone of a worker who lost signal does.
    unanswered_reports: list[tuple[dict, dict]] = field(default_factory=list)
    unanswered_transitions: Counter = field(default_factory=Counter)
    resent: Counter = field(default_factory=Counter)  # status of each resend
    to_accept: deque = field(default_factory=deque)
    to_assign: deque = field(default_factory=deque)
    late: int = 0  # requests sent more than a second behind the schedule
    seconds: float = 0.0  # from the first request sent to the last answer
    in_flight_peak: int = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--smoke", action="store_true", help="20 seconds, for CI")
    parser.add_argument("--out", default=None, help="where to write the report (markdown)")
    args = parser.parse_args(argv)
    seconds = 20.0 if args.smoke else args.minutes * 60

    sys.path.insert(0, str(ROOT))
    from benchmarks import database

    base = os.environ.get("DATABASE_URL", "")
    url = database.bench_url(base, "soak")
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        raise SystemExit("The soak runs a Celery worker on Redis: set REDIS_URL as well.")
    database.use(url)
    database.ensure_database(url, rebuild=True)
    import django

    django.setup()
    from benchmarks.build import build

    print(f"Building the tiny data into {url.rsplit('/', 1)[-1]} …", flush=True)
    build("tiny", say=lambda line: print(line, flush=True))
    cast = choose_cast()
    static_root = tempfile.mkdtemp(prefix="soak-static-")
    env = {"DATABASE_URL": url, "STATIC_ROOT": static_root, "DEBUG": "false"}
    started_at = datetime.now().astimezone()
    try:
        collect_static(env)
        report = run(cast, env=env, seconds=seconds, rate=args.rate)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    text = markdown(report, started=started_at, seconds=seconds, rate=args.rate, url=url)
    print("\n" + text)
    out = (
        Path(args.out)
        if args.out
        else (ROOT / "var" / "soak-smoke.md" if args.smoke else HERE / "SOAK.md")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"Written to {out}")
    return 0 if all(passed for _name, passed, _detail in report["checks"]) else 1


def choose_cast() -> Cast:
    from disputes.models import Case
    from governance.platform.roles import Role
    from grids import tree
    from grids.models import Area, AreaLevel
    from personnel.models import User

    county = Area.objects.filter(level=AreaLevel.COUNTY).order_by("pk").first()
    township = tree.in_order(county.children.all())[0]
    police = dict(
        User.objects.filter(role=Role.POLICE, is_active=True, area__parent=township)
        .order_by("pk")
        .values_list("area_id", "pk")
    )
    workers = [
        (pk, grid, police[village])
        for pk, grid, village in User.objects.filter(
            role=Role.GRID_WORKER,
            is_active=True,
            area__level=AreaLevel.GRID,
            area__parent__in=list(police),
        )
        .order_by("pk")
        .values_list("pk", "area_id", "area__parent_id")[:8]
    ]
    centre = User.objects.filter(role=Role.TOWNSHIP_CENTRE, area=township, is_active=True).first()
    if not workers or centre is None:
        raise RuntimeError("the tiny data lacks grid workers with a village police officer")
    # So that every assignment sends an SMS, through the worker.
    User.objects.filter(pk__in=police.values()).update(phone="13800138001")
    case_ids = list(
        Case.objects.filter(township=township).order_by("-pk").values_list("pk", flat=True)[:500]
    )
    return Cast(township=township.pk, workers=workers, centre=centre.pk, case_ids=case_ids)


def collect_static(env: dict) -> None:
    # The dashboard page needs the manifest of collected static files (DEBUG is off).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=os.environ | env | {"DJANGO_SETTINGS_MODULE": "benchmarks.settings"},
        check=True,
    )


class Worker:
    """A Celery worker process (prefork, two children) on the soak's database and Redis."""

    def __init__(self, env: dict) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="soak-celery-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "governance", "worker"),
                *("--pool=prefork", "--concurrency=2", "--loglevel=WARNING"),
                f"--hostname=soak-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=os.environ
            | env
            | {"DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONPATH": str(ROOT)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pids(self) -> list[int]:
        from benchmarks.server import children_of

        return [self.process.pid, *children_of(self.process.pid)]

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: running tasks finish
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def rss_mib(pids: list[int]) -> float:
    from benchmarks.server import memory_kib

    total = 0
    for pid in pids:
        try:
            total += memory_kib(pid).get("VmRSS", 0)
        except OSError:
            continue  # exited between listing and reading
    return total / 1024


def run(cast: Cast, *, env: dict, seconds: float, rate: float) -> dict:
    from django.db import close_old_connections
    from django.utils import timezone

    from benchmarks.server import Server

    started = timezone.now()
    worker = Worker(env)
    try:
        with Server(env=env) as server, server.tokens(_users(cast)) as tokens:
            cast.tokens = tokens
            cast.session = _session_of(cast.centre)
            wait_for_worker(worker)
            samples: list[tuple[float, float, float]] = []
            traffic = asyncio.run(
                _drive(server, cast, seconds=seconds, rate=rate, samples=samples, worker=worker)
            )
            _resend(server, traffic)
            close_old_connections()
            drained = _drain(started)
            gunicorn_log, worker_log = server.output(), worker.output()
    finally:
        worker.stop()
    checks = _checks(cast, traffic, started=started, drained=drained, samples=samples, rate=rate)
    if not all(passed for _name, passed, _detail in checks):
        print(f"gunicorn said:\n{gunicorn_log}\nthe worker said:\n{worker_log}", file=sys.stderr)
    return {"traffic": traffic, "checks": checks, "samples": samples, "cast": cast}


def _users(cast: Cast) -> list:
    from personnel.models import User

    return list(
        User.objects.filter(pk__in=[cast.centre] + [pk for pk, _grid, _police in cast.workers])
    )


def _session_of(user_id: int) -> str:
    """A logged-in session of the centre, for the dashboard page (as a browser has one)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from personnel.models import User

    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def wait_for_worker(worker: Worker, timeout: float = 120) -> None:
    from governance.tasks import ping

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{worker.output()}")
        try:
            ping.apply_async().get(timeout=5)
            return
        except Exception:
            time.sleep(1)
    raise RuntimeError(f"the Celery worker did not answer in {timeout} s:\n{worker.output()}")


async def _drive(
    server, cast: Cast, *, seconds: float, rate: float, samples: list, worker: Worker
) -> Traffic:
    """Send requests on a fixed schedule (open loop: a slow answer does not slow the
    schedule), each on its own connection, and sample memory every SAMPLE_EVERY s."""
    traffic = Traffic()
    rng = random.Random(2026)
    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
    pending: set[asyncio.Task] = set()
    begun = time.monotonic()
    next_sample = begun
    total = int(seconds * rate)
    for index in range(total):
        due = begun + index / rate
        now = time.monotonic()
        if now >= next_sample:
            pids = [server.pid, *server.worker_pids]
            samples.append((now - begun, rss_mib(pids), rss_mib(worker.pids)))
            next_sample += SAMPLE_EVERY
        if due > now:
            await asyncio.sleep(due - now)
        elif now - due > 1:
            traffic.late += 1
        task = asyncio.create_task(_one(server, cast, traffic, rng.choice(kinds), rng))
        pending.add(task)
        task.add_done_callback(pending.discard)
        traffic.in_flight_peak = max(traffic.in_flight_peak, len(pending))
    if pending:
        await asyncio.wait(pending)
    now = time.monotonic()
    traffic.seconds = now - begun
    samples.append((now - begun, rss_mib([server.pid, *server.worker_pids]), rss_mib(worker.pids)))
    return traffic


def _request(cast: Cast, traffic: Traffic, kind: str, rng: random.Random):
    """(method, path, headers, body, what to do with a success) of one request of `kind`."""
    centre = {"Authorization": f"Token {cast.tokens[cast.centre]}"}
    if kind == "transition":
        if traffic.to_assign and (not traffic.to_accept or rng.random() < 0.5):
            (case_id, police), action = traffic.to_assign.popleft(), "assign"
            body = {
                "action": "assign",
                "lines": [{"line": "police", "unit": "驻村警务室", "handler": police}],
            }
        elif traffic.to_accept:
            (case_id, police), action = traffic.to_accept.popleft(), "accept"
            body = {"action": "accept"}
        else:
            kind = "report"  # nothing to move yet: a report instead
    if kind == "report":
        worker, grid, police = rng.choice(cast.workers)
        sent = str(uuid.uuid4())
        body = {
            "client_uuid": sent,
            "kind": "dispute",
            "category": "neighbour",
            "severity": "ordinary",
            "title": "邻里排水纠纷",
            "description": "排水沟堵塞引发争执。",
            "grid": grid,
        }

        def filed(answer: bytes) -> None:
            traffic.accepted.append(sent)
            traffic.to_accept.append((json.loads(answer)["id"], police))

        token = {"Authorization": f"Token {cast.tokens[worker]}"}
        return "report", "POST", "/api/v1/cases/", token, body, filed, 201
    if kind == "transition":

        def moved(_answer: bytes) -> None:
            traffic.transitions[action] += 1
            if action == "accept":
                traffic.to_assign.append((case_id, police))

        path = f"/api/v1/cases/{case_id}/transitions/"
        return f"{kind} ({action})", "POST", path, centre, body, moved, 200
    if kind == "case list":
        return kind, "GET", "/api/v1/cases/", centre, None, None, 200
    if kind == "case detail":
        path = f"/api/v1/cases/{rng.choice(cast.case_ids)}/"
        return kind, "GET", path, centre, None, None, 200
    if kind == "area stats":
        return kind, "GET", f"/api/v1/areas/{cast.township}/stats/", centre, None, None, 200
    cookie = {"Cookie": f"sessionid={cast.session}"}
    return "dashboard", "GET", "/", cookie, None, None, 200


async def _one(server, cast: Cast, traffic: Traffic, kind: str, rng: random.Random) -> None:
    from benchmarks.load import read_response

    label, method, path, headers, body, on_success, expected = _request(cast, traffic, kind, rng)
    payload = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
    head += "Connection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    started = time.perf_counter()
    writer = None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(server.host, server.port), REQUEST_TIMEOUT
        )
        writer.write(head.encode() + b"\r\n" + payload)
        await writer.drain()
        status, _headers, answer = await asyncio.wait_for(read_response(reader), REQUEST_TIMEOUT)
    except (OSError, TimeoutError, asyncio.IncompleteReadError) as error:
        traffic.answers.append(Answer(label, 0, _ms(started), type(error).__name__))
        if label == "report":
            traffic.unanswered_reports.append((headers, body))
        elif label.startswith("transition"):
            traffic.unanswered_transitions[body["action"]] += 1
        return
    finally:
        if writer is not None:
            writer.close()
    detail = "" if status == expected else answer[:300].decode(errors="replace")
    traffic.answers.append(Answer(label, status, _ms(started), detail))
    if status == expected and on_success is not None:
        on_success(answer)


def _resend(server, traffic: Traffic) -> None:
    import http.client

    for headers, body in traffic.unanswered_reports:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
        try:
            connection.request(
                "POST",
                "/api/v1/cases/",
                body=json.dumps(body),
                headers=headers | {"Content-Type": "application/json"},
            )
            status = connection.getresponse().status
        except OSError:
            status = 0
        finally:
            connection.close()
        traffic.resent[status] += 1
        if status in (200, 201):
            traffic.accepted.append(body["client_uuid"])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _drain(started) -> dict:
    """Wait for the worker to send every message the transitions queued."""
    from notifications.models import Delivery, DeliveryStatus

    mine = Delivery.objects.filter(created_at__gte=started)
    deadline = time.monotonic() + DRAIN_SECONDS
    while mine.filter(status=DeliveryStatus.PENDING).exists() and time.monotonic() < deadline:
        time.sleep(1)
    return dict(Counter(mine.values_list("status", flat=True)))


def _checks(cast: Cast, traffic: Traffic, *, started, drained: dict, samples, rate: float) -> list:
    from django.db.models import Count

    from disputes.models import Case, CaseEvent
    from notifications.models import DeliveryStatus

    checks = []
    achieved = len(traffic.answers) / traffic.seconds if traffic.seconds else 0.0
    checks.append(
        (
            "kept up with the rate",
            achieved >= rate * KEEP_UP,
            f"{achieved:.1f} answers/s for {rate:g} sent/s (at least {KEEP_UP:.0%})",
        )
    )
    failed = [a for a in traffic.answers if a.status not in (200, 201)]
    by_status = Counter(str(a.status) for a in failed)
    checks.append(
        (
            "no errors",
            not failed,
            f"{len(failed)} of {len(traffic.answers)}"
            + (
                f" ({dict(by_status)}; first: {failed[0].kind} {failed[0].detail[:120]})"
                if failed
                else ""
            ),
        )
    )
    filed = Case.objects.filter(
        reporter_id__in=[pk for pk, _grid, _police in cast.workers], created_at__gte=started
    )
    stored = Counter(str(u) for u in filed.values_list("client_uuid", flat=True))
    doubled = sum(1 for count in stored.values() if count > 1)
    missing = len(set(traffic.accepted) - set(stored))
    extra = len(set(stored) - set(traffic.accepted))
    resent = sum(traffic.resent.values())
    checks.append(
        (
            "every accepted report exists exactly once",
            doubled == missing == extra == 0
            and len(stored) == len(traffic.accepted)
            and resent == traffic.resent[200] + traffic.resent[201],
            f"{len(traffic.accepted)} accepted, {sum(stored.values())} stored; "
            f"{missing} missing, {doubled} doubled, {extra} not accepted"
            + (
                f"; {resent} unanswered resent with their UUID: {traffic.resent[200]} had been "
                f"filed, {traffic.resent[201]} were filed then"
                if resent
                else ""
            ),
        )
    )
    events = dict(
        CaseEvent.objects.filter(case__in=filed, action__in=["accept", "assign"])
        .values_list("action")
        .annotate(n=Count("id"))
        .values_list("action", "n")
    )
    unknown = traffic.unanswered_transitions
    checks.append(
        (
            "every transition applied once",
            all(
                count <= events.get(action, 0) <= count + unknown[action]
                for action, count in traffic.transitions.items()
            )
            and sum(events.values()) <= sum(traffic.transitions.values()) + sum(unknown.values()),
            ", ".join(
                f"{action}: {count} answered 200"
                + (f" and {unknown[action]} unanswered" if unknown[action] else "")
                + f", {events.get(action, 0)} in timelines"
                for action, count in sorted(traffic.transitions.items())
            ),
        )
    )
    sent = drained.get(DeliveryStatus.SENT, 0)
    checks.append(
        (
            "every outgoing message sent by the worker",
            sent == sum(drained.values()) and sent >= traffic.transitions.get("assign", 0),
            ", ".join(f"{status} {count}" for status, count in sorted(drained.items())) or "none",
        )
    )
    for index, name in ((1, "gunicorn"), (2, "Celery worker")):
        first, last = _first_and_last_minute(samples, index)
        checks.append(
            (
                f"{name} memory flat",
                last <= first * (1 + FLAT_GROWTH),
                f"{first:.0f} MiB in the first minute, {last:.0f} MiB in the last "
                f"({(last / first - 1) * 100:+.1f} %; at most +{FLAT_GROWTH:.0%})",
            )
        )
    return checks


def _first_and_last_minute(samples: list, index: int) -> tuple[float, float]:
    end = samples[-1][0]
    first = [s[index] for s in samples if s[0] <= 60] or [samples[0][index]]
    last = [s[index] for s in samples if s[0] >= end - 60] or [samples[-1][index]]
    return statistics.fmean(first), statistics.fmean(last)


def _percentile(ordered: list[float], fraction: float) -> float:
    from benchmarks.load import percentile

    return percentile(ordered, fraction)


def markdown(report: dict, *, started: datetime, seconds: float, rate: float, url: str) -> str:
    from benchmarks.harness import machine, versions

    traffic: Traffic = report["traffic"]
    by_kind: dict[str, list[Answer]] = defaultdict(list)
    for answer in traffic.answers:
        by_kind[answer.kind].append(answer)
    achieved = len(traffic.answers) / traffic.seconds if traffic.seconds else 0
    lines = [
        "# Soak test",
        "",
        f"`python -m benchmarks.soak --minutes {seconds / 60:g}` on {started:%Y-%m-%d %H:%M %Z}: "
        f"{seconds / 60:g} minutes at {rate:g} requests/s ({len(traffic.answers)} answered in "
        f"{traffic.seconds:.0f} s, {achieved:.1f}/s; "
        f"{traffic.late} sent over a second late; at most {traffic.in_flight_peak} in flight), "
        "gunicorn (2 processes × 4 threads, production settings) and a Celery worker "
        f"(prefork, 2 children) on Redis, against PostgreSQL ({url.rsplit('/', 1)[-1]}, the "
        "tiny benchmark data).",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in (machine() | versions()).items()],
        "",
        "| requests | count | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in sorted(by_kind):
        answers = by_kind[kind]
        ordered = sorted(a.ms for a in answers)
        errors = sum(1 for a in answers if a.status not in (200, 201))
        lines.append(
            f"| {kind} | {len(answers)} | {errors} | {_percentile(ordered, 0.5):.0f} "
            f"| {_percentile(ordered, 0.95):.0f} | {_percentile(ordered, 0.99):.0f} "
            f"| {ordered[-1]:.0f} |"
        )
    lines += ["", "| check | result | |", "|---|---|---|"]
    for name, passed, detail in report["checks"]:
        lines.append(f"| {name} | {'pass' if passed else '**FAIL**'} | {detail} |")
    lines += [
        "",
        f"Memory (resident set, MiB, all processes of each) sampled every {SAMPLE_EVERY:g} s:",
        "",
        "| second | gunicorn | Celery worker |",
        "|---|---|---|",
        *[f"| {at:.0f} | {web:.0f} | {work:.0f} |" for at, web, work in report["samples"]],
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
