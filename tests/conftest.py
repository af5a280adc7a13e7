"""Shared fixtures: the tiny demo county (built by the same code as the real demo) and
personas for every role, plus the rules for tests that need real services."""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection

from demo.seed import demo_tree, demo_users
from disputes.services import categories_ensure_defaults
from grids import tree
from grids.models import Area, AreaLevel
from personnel.models import User

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL or Redis skip on the embedded default, visibly; in CI
    (REQUIRE_SERVICES=true) a missing service is an error, never a silent skip."""
    missing = {}
    if not settings.IS_POSTGRES:
        missing["postgres"] = "needs PostgreSQL (set DATABASE_URL); running on SQLite"
    if not settings.REDIS_URL:
        missing["redis"] = "needs Redis (set REDIS_URL); running on the filesystem broker"
    if not chromium_path():
        missing["browser"] = "needs Chromium (apt-get install chromium); none found"
    if REQUIRE_SERVICES and missing:
        raise pytest.UsageError("REQUIRE_SERVICES is set but: " + "; ".join(missing.values()))
    for item in items:
        for marker, reason in missing.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))
    # The scan of the whole run's log records goes last (tests/governance/test_log_privacy.py).
    items.sort(key=lambda item: getattr(getattr(item, "function", None), "after_all", False))


class PersonalDataInLogs(logging.Handler):
    """Every log record of the test run is checked as it is emitted; the records that carry
    a plaintext ID number, phone or diagnosis are kept, with the test that logged them."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records = 0
        self.findings: list[tuple[str, str, list[str], str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        from tests.governance.test_log_privacy import masked_excerpt, personal_data_in

        # SQL statements are logged only while a test captures queries (never in
        # production, where DEBUG is off): they are not the application's log.
        if record.name.startswith("django.db.backends"):
            return
        self.records += 1
        try:
            text = record.getMessage()
        except Exception:  # a record that cannot format is not this check's concern
            return
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.name in ("django.request", "django.server"):
            # "Not Found: /api/v1/cases/13912345678/": a fuzzer's number in an object's
            # place. Paths carry ids and codes only (a lookup by ID number is a POST).
            text = NUMERIC_PATH_SEGMENT.sub("/<id>/", text)
        if found := personal_data_in(text):
            test = os.environ.get("PYTEST_CURRENT_TEST", "(outside a test)")
            self.findings.append((test, record.name, found, masked_excerpt(text)))


LOG_SCAN = PersonalDataInLogs()
NUMERIC_PATH_SEGMENT = re.compile(r"/\d+/")


@pytest.fixture(scope="session", autouse=True)
def _scan_every_log_record():
    # After Django configured logging (which replaces the root logger's handlers).
    root = logging.getLogger()
    root.addHandler(LOG_SCAN)
    yield LOG_SCAN
    root.removeHandler(LOG_SCAN)


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        shutil.which("chromium"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_cached_figures():
    # Each test starts without cached dashboard figures: they are keyed by area id
    # (disputes.selectors.stats_cache), and ids repeat from one test database to the next. (Not
    # cache.clear(): with REDIS_URL the broker's queues live in the same Redis database.)
    from disputes.selectors.stats_cache import forget_all

    forget_all()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded photos of a test never land in the developer's var/media.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@dataclass
class Demo:
    county: Area
    township1: Area
    township2: Area
    village1: Area  # first village of township 1
    grid1: Area  # first grid of village 1
    village2: Area  # first village of township 2
    grid2: Area
    microgrid2: Area
    users: dict[str, User]

    def user(self, username: str) -> User:
        return self.users[username]


def build_demo(seed: int = 7) -> Demo:
    areas = demo_tree(scale="tiny", seed=seed)
    tree.bulk_insert(areas)
    categories_ensure_defaults(county=areas[0])
    users = {u.username: u for u in demo_users(root=areas[0], rng=random.Random(seed))}
    county = areas[0]
    township1, township2 = tree.in_order(county.children.all())[:2]

    def first(parent: Area) -> Area:
        return tree.in_order(parent.children.all()).first()

    village2 = first(township2)
    grid2 = first(village2)
    return Demo(
        county=county,
        township1=township1,
        township2=township2,
        village1=first(township1),
        grid1=first(first(township1)),
        village2=village2,
        grid2=grid2,
        microgrid2=first(grid2),
        users={name: User.objects.get(pk=u.pk) for name, u in users.items()},
    )


@pytest.fixture
def demo(db) -> Demo:
    return build_demo()


@pytest.fixture
def roster(demo):
    """The tiny demo's roster 一警三专N员 (demo.roster), with its deliberate gaps."""
    from django.utils import timezone

    from demo.roster import seed_roster

    return seed_roster(root=demo.county, rng=random.Random(7), today=timezone.localdate())


@pytest.fixture
def other_county(db) -> Area:
    """A neighbouring county: nobody of the demo county may see anything of it."""
    from grids.services import area_create

    county = area_create(code="439922000000", name="石门县", level=AreaLevel.COUNTY, parent=None)
    township = area_create(
        code="439922100000", name="邻县镇", level=AreaLevel.TOWNSHIP, parent=county
    )
    area_create(
        code="439922100200", name="邻县村", level=AreaLevel.VILLAGE, parent=township, kind="rural"
    )
    return county


def is_postgres() -> bool:
    return connection.vendor == "postgresql"
