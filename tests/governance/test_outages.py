"""Outages of the real services, started and stopped by the tests themselves: a private
Redis that goes down under the application, and a private PostgreSQL cluster restarted
while gunicorn serves a stream of reads and reports. Neither touches the shared servers
on 5432 and 6379. Without the server binaries the tests skip, saying so (in CI, where
REQUIRE_SERVICES is set, they fail instead)."""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from benchmarks.server import Server, free_port
from disputes.models import Case
from governance.celery import app as celery_app
from governance.platform.outages import server_error
from notifications.models import Delivery, DeliveryStatus
from notifications.tasks import deliver_pending
from tests.factories import build_demo, with_phone
from tests.samples import case_form, case_payload
from tests.support import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]


def missing(what: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {what}")
    pytest.skip(what)


def wait_for(check, *, timeout: float, what: str) -> float:
    """Poll `check` until it is true; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s")


# --- The 503 page and the task options --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "error", "status"),
    [
        ("/api/v1/cases/", OperationalError("server closed the connection"), 503),
        ("/cases/", InterfaceError("connection already closed"), 503),
        ("/cases/", ValueError("a bug"), 500),
    ],
)
def test_a_lost_database_is_a_503_to_retry_and_any_other_error_stays_a_500(rf, path, error, status):
    try:
        raise error
    except Exception:
        response = server_error(rf.get(path))
    assert response.status_code == status
    assert b"Traceback" not in response.content and b"a bug" not in response.content
    if status == 503:
        assert response["Retry-After"]
        text = (
            json.loads(response.content)["detail"]
            if response["Content-Type"].startswith("application/json")
            else response.content.decode()
        )
        assert "重试" in text  # "try again", in the default language


def test_every_periodic_task_runs_again_if_its_worker_dies_mid_run(settings):
    # Each is idempotent (set-based, claimed rows), so running it again is safe; the
    # delivery task too, whose rows are claimed before they are sent.
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in names | {"notifications.deliver"}:
        task = celery_app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost, name
    # The ping proves a worker answers; a redelivered ping would answer nobody.
    assert not celery_app.tasks["governance.ping"].acks_late


# --- A private Redis ----------------------------------------------------------------------


class PrivateRedis:
    """redis-server on a free loopback port, in memory only; stop() and start() again keep
    the port, as a restarted server would."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, what="the private redis-server to answer")

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        missing("no redis-server binary (apt-get install redis-server)")
    server = PrivateRedis(binary)
    server.start()
    yield server
    server.stop()


def point_celery_at(url: str, transport_options: dict) -> None:
    """The broker and result backend of the Celery app, and its pooled connections."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = transport_options
    celery_app.conf.result_backend = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local = threading.local()


@pytest.fixture
def redis_is_the_broker(private_redis, settings):
    """The application's broker and cache are the private Redis, as in production."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options, conf.result_backend
    settings.CELERY_BROKER_URL = private_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
        }
    }
    point_celery_at(private_redis.url, settings.REDIS_TRANSPORT_OPTIONS)
    yield private_redis
    point_celery_at(saved[0], saved[1])
    conf.result_backend = saved[2]


def assign_with_a_message(client, demo, case_id: int) -> None:
    """The township centre accepts and assigns the case to village 1's police officer,
    whose phone gets an SMS (a Delivery row, sent by a task after commit)."""
    police = with_phone(demo.user("police1"))
    client.force_login(demo.user("township1"))
    url = reverse("case-transitions", args=[case_id])
    for body in (
        {"action": "accept"},
        {
            "action": "assign",
            "lines": [{"line": "police", "unit": "驻村警务室", "handler": police.pk}],
        },
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_reports_are_saved_and_their_messages_are_sent_once_when_it_returns(
    client,
    redis_is_the_broker,
    gateway,
):
    from celery.contrib.testing.worker import start_worker

    demo = build_demo()
    redis_is_the_broker.stop()

    # Reports through the API and through the form are filed as if nothing had happened.
    client.force_login(demo.user("grid1"))
    started = time.monotonic()
    by_api = client.post(reverse("case-list"), case_payload(demo), content_type="application/json")
    assert by_api.status_code == 201, by_api.content
    by_form = client.post(reverse("case_report"), case_form(demo))
    assert by_form.status_code == 302
    assert Case.objects.count() == 2

    # An assignment's SMS cannot be queued: the row waits in the database instead.
    assign_with_a_message(client, demo, by_api.json()["id"])
    assert time.monotonic() - started < 5, "the requests waited for the broker"
    waiting = list(Delivery.objects.values_list("status", flat=True))
    assert waiting == [DeliveryStatus.PENDING]
    assert gateway.received == []

    health = client.get(reverse("healthz"))
    assert health.status_code == 200
    assert health.json() == {"database": "ok", "broker": "down"}

    # Redis returns; the beat's catch-up sweep runs (twice, on a real worker) once the
    # delivery has been due for longer than a task takes to arrive.
    redis_is_the_broker.start()
    assert client.get(reverse("healthz")).json() == {"database": "ok", "broker": "ok"}
    Delivery.objects.update(due_at=timezone.now() - timedelta(minutes=6))
    with start_worker(celery_app, pool="solo", perform_ping_check=False):
        first = deliver_pending.delay().get(timeout=30)
        second = deliver_pending.delay().get(timeout=30)
    assert first == {"sent": 1, "failed": 0, "retry": 0}
    assert second == {"sent": 0, "failed": 0, "retry": 0}
    assert [message["phone"] for message in gateway.received] == ["13800138001"]
    assert Delivery.objects.get().status == DeliveryStatus.SENT


# --- A private PostgreSQL -----------------------------------------------------------------


class PrivateCluster:
    """A PostgreSQL cluster of our own (initdb into a temporary directory, trust auth, a
    free port, its socket in its own directory), run as the postgres system user."""

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="outage-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/governance"
        shutil.chown(self.dir, "postgres", "postgres")

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [f"{self.bindir}/{program}", *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)

    def create(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "governance")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}"
        log = str(self.dir / "log")
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def private_postgres():
    bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bindirs or not os.path.exists(f"{bindirs[-1]}/initdb"):
        missing("no PostgreSQL server binaries (apt-get install postgresql)")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        missing("no postgres system user to run a private cluster as")
    cluster = PrivateCluster(bindirs[-1])
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()


SEED = """
import json, uuid
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from tests.factories import build_demo

call_command("migrate", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
demo = build_demo()
centre = demo.user("township1")
session = SessionStore()
session[SESSION_KEY] = str(centre.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = centre.get_session_auth_hash()
session.create()
token = Token.objects.create(user=demo.user("grid1")).key
print(json.dumps({"token": token, "session": session.session_key, "grid": demo.grid1.pk}))
"""


class Traffic:
    """Clients sending one request after another to gunicorn, each answer recorded with
    the moment its request started: a grid worker's reports (a fresh client UUID each) and
    case list, and the township centre's dashboard page."""

    def __init__(self, server: Server, *, token: str, session: str, grid: int) -> None:
        self.server = server
        self.token = token
        self.session = session
        self.grid = grid
        self.answers: list[dict] = []
        self.running = threading.Event()
        self.threads = [
            threading.Thread(target=self.loop, args=(kind,), daemon=True)
            for kind in ("report", "list", "page")
        ]

    def request(self, kind: str) -> dict:
        headers = {"Authorization": f"Token {self.token}"}
        body, sent = None, None
        if kind == "report":
            sent = str(uuid.uuid4())
            method, path = "POST", "/api/v1/cases/"
            headers["Content-Type"] = "application/json"
            body = json.dumps(
                {
                    "client_uuid": sent,
                    "kind": "dispute",
                    "category": "neighbour",
                    "title": "邻里排水纠纷",
                    "description": "排水沟堵塞引发争执。",
                    "grid": self.grid,
                }
            )
        elif kind == "list":
            method, path = "GET", "/api/v1/cases/"
        else:
            method, path = "GET", "/"
            headers = {"Cookie": f"sessionid={self.session}"}
        started = time.monotonic()
        connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=15)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            status, text = response.status, response.read().decode(errors="replace")
            kind_of_body = response.getheader("Content-Type", "")
        except OSError as error:
            status, text, kind_of_body = 0, repr(error), ""
        finally:
            connection.close()
        return {
            "kind": kind,
            "started": started,
            "finished": time.monotonic(),
            "status": status,
            "body": text,
            "content_type": kind_of_body,
            "uuid": sent,
        }

    def loop(self, kind: str) -> None:
        while self.running.is_set():
            self.answers.append(self.request(kind))
            time.sleep(0.05)

    def __enter__(self) -> Traffic:
        self.running.set()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=30)

    def answered_each(self) -> bool:
        done = Counter(a["kind"] for a in list(self.answers) if a["status"] in (200, 201))
        return all(done[kind] >= 2 for kind in ("report", "list", "page"))

    def between(self, start: float, end: float) -> list[dict]:
        return [a for a in self.answers if start <= a["started"] < end]


def cases_in(url: str) -> list[str]:
    import psycopg2

    connection = psycopg2.connect(url.replace("postgres://", "postgresql://"))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT client_uuid::text FROM {Case._meta.db_table}")
            return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()


def test_a_postgresql_restart_under_load_answers_503_and_recovers_without_losing_a_report(
    private_postgres,
):
    static_root = tempfile.mkdtemp(prefix="outage-static-")
    env = {
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",  # production settings
        "DEBUG": "false",
        "DATABASE_URL": private_postgres.url,
        "DB_CONN_MAX_AGE": "60",  # production's persistent connections (and health checks)
        "REDIS_URL": "",
        "STATIC_ROOT": static_root,
        "PYTHONPATH": str(ROOT),
    }
    try:
        seeded = subprocess.run(
            [sys.executable, "-c", SEED],
            cwd=ROOT,
            env=os.environ | env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        given = json.loads(seeded.stdout.strip().splitlines()[-1])
        with Server(env=env) as server, Traffic(server, **given) as traffic:
            wait_for(traffic.answered_each, timeout=120, what="every kind of request to work")
            stopping = time.monotonic()
            private_postgres.stop()
            down = time.monotonic()
            time.sleep(4)
            restarting = time.monotonic()
            private_postgres.start()
            up = time.monotonic()
            time.sleep(8)
            log = server.output()
    finally:
        shutil.rmtree(static_root, ignore_errors=True)

    answers = traffic.answers
    assert {a["status"] for a in answers} <= {200, 201, 503}, [
        (a["kind"], a["status"], a["body"][:300]) for a in answers if a["status"] >= 500
    ]
    assert "Traceback" not in "".join(a["body"] for a in answers)
    before = [a for a in answers if a["finished"] < stopping]
    assert all(a["status"] in (200, 201) for a in before)

    # While it is down every request is refused cleanly: JSON for the API, a page for
    # people, both saying to try again shortly.
    outage = traffic.between(down, restarting)
    assert {a["kind"] for a in outage} == {"report", "list", "page"}
    assert all(a["status"] == 503 for a in outage), [(a["kind"], a["status"]) for a in outage]
    for answer in outage:
        if answer["kind"] == "page":
            assert answer["content_type"].startswith("text/html")
            assert "请稍等几秒后重试" in answer["body"] or "try again" in answer["body"]
        else:
            assert json.loads(answer["body"])["detail"]

    # Back within a few seconds by itself, on fresh connections.
    recovered = traffic.between(up + 3, float("inf"))
    assert {a["kind"] for a in recovered} == {"report", "list", "page"}
    assert all(a["status"] in (200, 201) for a in recovered), log

    # Every accepted report is there exactly once; a refused one resent is filed once.
    accepted = [a["uuid"] for a in answers if a["kind"] == "report" and a["status"] == 201]
    refused = [a["uuid"] for a in answers if a["kind"] == "report" and a["status"] == 503]
    stored = cases_in(private_postgres.url)
    assert sorted(stored) == sorted(accepted)
    assert refused


# --- A worker killed mid-run --------------------------------------------------------------


class HoldingGateway:
    """The SMS gateway (the outside world) on a real HTTP server: it holds the first
    message it receives until released, then refuses it (the sender had died meanwhile);
    every other message it accepts, noting its phone."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.holding = threading.Event()
        self.release = threading.Event()
        self.accepted: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                phone = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["phone"]
                status = 200
                if not outer.holding.is_set():
                    outer.holding.set()
                    outer.release.wait(timeout=60)
                    status = 500
                else:
                    outer.accepted.append(phone)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the sender is gone

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def database_url_of_this_run() -> str:
    given = connection.settings_dict
    password = f":{given['PASSWORD']}" if given["PASSWORD"] else ""
    host, port = given["HOST"] or "127.0.0.1", given["PORT"] or 5432
    return f"postgres://{given['USER']}{password}@{host}:{port}/{given['NAME']}"


@pytest.mark.postgres  # the worker process reads the test database
@pytest.mark.django_db(transaction=True)
def test_messages_of_a_worker_killed_mid_send_are_sent_once_after_their_lease(
    redis_is_the_broker, settings, tmp_path
):
    from benchmarks.server import children_of
    from governance.tasks import ping
    from notifications.services import notify

    demo = build_demo()
    sms = HoldingGateway()
    settings.NOTIFICATION_CHANNEL = "webhook"
    settings.NOTIFICATION_WEBHOOK_URL = sms.url
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "governance", "worker"),
            *("--pool=prefork", "--concurrency=1", "--loglevel=WARNING"),
            f"--hostname=killed-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "governance.settings",
            "DATABASE_URL": database_url_of_this_run(),
            "REDIS_URL": redis_is_the_broker.url,
            "NOTIFICATION_CHANNEL": "webhook",
            "NOTIFICATION_WEBHOOK_URL": sms.url,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: _answers(ping), timeout=90, what="the worker to answer a ping")
        phones = ["13800138001", "13800138002", "13800138003"]
        people = [
            with_phone(demo.user(name), phone)
            for name, phone in zip(("village1", "police1", "member1"), phones, strict=True)
        ]
        notify(recipients=people, kind="assigned", case=None, text="请处理")  # one task
        wait_for(sms.holding.is_set, timeout=60, what="the first message to be sending")
        for child in children_of(worker.pid):
            os.kill(child, signal.SIGKILL)  # the OOM killer, mid-send
        sms.release.set()

        # The task comes back to a new child, which finds its messages still claimed by
        # the dead one: nothing is sent twice while that claim's lease runs.
        time.sleep(5)
        assert sms.accepted == []
        assert Delivery.objects.filter(claim__isnull=False).count() == 3

        # Once the lease has run out, each message is sent once: by the catch-up sweep, or
        # by the task given back when its child died, if a slow machine runs it only now
        # (it then claims the rows first and the sweep finds them taken).
        lease_over = timezone.now() - timedelta(minutes=11)
        Delivery.objects.update(claimed_at=lease_over, due_at=lease_over)
        swept = deliver_pending.delay().get(timeout=60)
        assert swept["failed"] == swept["retry"] == 0
        wait_for(lambda: len(sms.accepted) >= 3, timeout=60, what="the three messages")
        assert deliver_pending.delay().get(timeout=60)["sent"] == 0
        time.sleep(2)  # room for a stray second sending to show
        assert sorted(sms.accepted) == phones
        assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        sms.close()
        log.close()


def _answers(task) -> bool:
    try:
        return task.apply_async().get(timeout=3) == "pong"
    except Exception:
        return False
