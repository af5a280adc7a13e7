"""Health, the worker, settings and the demo loader: the parts an operator relies on."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from demo.seed import DEMO_PASSWORD, demo_tree
from grids.models import Area, AreaLevel
from personnel.models import User

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_database_is_down():
    # A real unreachable PostgreSQL (nothing listens on port 9), in a separate process.
    result = run_python(
        "import django; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from governance.views import healthz\n"
        "r = healthz(RequestFactory().get('/healthz'))\n"
        "print(r.status_code, r.content.decode())",
        DJANGO_SETTINGS_MODULE="governance.settings",
        DEBUG="true",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/none",
    )
    assert result.stdout.startswith("503"), result.stderr[-2000:]
    assert '"database": "down"' in result.stdout


# The test's worker listens on a queue of its own: work that earlier tests queued on the
# default queue (their on_commit tasks, for databases long gone) must not stand before it.
PING_QUEUE = f"test-ping-{os.getpid()}"


@pytest.fixture
def worker():
    """A real Celery worker process on the configured broker (filesystem or Redis)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "governance",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"test-{os.getpid()}@%h",
            "--queues",
            PING_QUEUE,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


def test_a_ping_task_round_trips_through_the_broker_and_a_worker(worker):
    started = time.monotonic()
    call_command("celery_ping", "--timeout", "60", "--queue", PING_QUEUE)
    assert time.monotonic() - started < 60


@pytest.mark.redis
def test_the_broker_is_redis_when_redis_url_is_set(settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]


@pytest.mark.postgres
def test_the_database_is_postgresql_when_database_url_is_set(settings):
    assert settings.IS_POSTGRES


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "k" * 20 + "x7Qz!9-p#Lm2vR8sT4wY6uB1nC3eD5",
            "ALLOWED_HOSTS": "governance.example.gov.cn",
            "PERSONAL_DATA_KEY": "mG3k4M1v2X0qvJ6r8yQ2cP5tN7wZ9aB1dE3fH5jK7lM=",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_secret_key_production_refuses_to_start():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="governance.settings",
        DEBUG="false",
        SECRET_KEY="",
    )
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_the_demo_is_deterministic_for_a_seed():
    def fingerprint(seed):
        return [(a.code, a.name, a.households) for a in demo_tree(scale="county", seed=seed)]

    first = fingerprint(5)
    assert first == fingerprint(5)
    assert first != fingerprint(6)


def test_the_county_demo_has_the_promised_shape():
    areas = demo_tree(scale="county", seed=2026)
    counts = {level: sum(a.level == level for a in areas) for level in AreaLevel.values}
    assert counts["county"] == 1 and counts["township"] == 12
    assert 320 <= counts["village"] <= 380
    urban = sum(a.level == "village" and a.kind == "urban" for a in areas)
    assert 0.28 <= urban / counts["village"] <= 0.42
    assert 3_500 <= counts["grid"] <= 4_100
    assert 9_000 <= counts["microgrid"] <= 11_000
    county = areas[0]
    assert county.households == sum(a.households for a in areas if a.level == "township")


@pytest.mark.django_db
def test_seed_demo_loads_once_and_creates_every_demo_account(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "tiny")
    usernames = set(User.objects.values_list("username", flat=True))
    assert {"county", "township1", "township2", "police1", "grid1", "member1"} <= usernames
    assert User.objects.get(username="grid1").check_password(DEMO_PASSWORD)
    assert User.objects.get(username="grid1").area.level == AreaLevel.GRID
    count = Area.objects.count()
    call_command("seed_demo", "--if-empty")
    assert Area.objects.count() == count
    with pytest.raises(CommandError, match="has areas already"):
        call_command("seed_demo", "--scale", "tiny")


@pytest.mark.django_db
def test_demo_accounts_are_refused_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--scale", "tiny")
    assert not Area.objects.exists()
    call_command("seed_demo", "--scale", "tiny", "--force")
    assert Area.objects.exists()
