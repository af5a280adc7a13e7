"""Shared fixtures: the tiny demo county (built by the same code as the real demo) and
personas for every role, plus the rules for tests that need real services."""

from __future__ import annotations

import logging
import os
import random
import threading
from datetime import date, datetime, time, timedelta
from http.server import ThreadingHTTPServer

import pytest
from django.conf import settings
from django.utils import timezone

from assessment.models import (
    Evaluation,
)
from assessment.services.evaluations import (
    evaluation_review,
    evaluations_compute,
)
from assessment.services.pay import quarter_months
from assessment.services.rankings import rankings_compute
from disputes import services
from disputes.models import (
    Case,
    CaseKind,
    Category,
)
from disputes.services.sweeps import escalate_overdue
from grids import tree
from grids.models import Area, AreaLevel
from personnel.models import PostKind, Staff
from tests.browser.helpers import (
    FLAGS,
)
from tests.factories import (
    DAY,
    AreaFactory,
    Demo,
    backdate,
    build_demo,
    criminal_case,
    report,
    resolve,
    staff_with_post,
    this_month,
)
from tests.samples import QUARTER, YEAR
from tests.support import (
    LOG_SCAN,
    REQUIRE_SERVICES,
    Gateway,
    chromium_path,
)


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


@pytest.fixture(scope="session", autouse=True)
def _scan_every_log_record():
    # After Django configured logging (which replaces the root logger's handlers).
    root = logging.getLogger()
    root.addHandler(LOG_SCAN)
    yield LOG_SCAN
    root.removeHandler(LOG_SCAN)


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
    county = AreaFactory(code="439922000000", name="石门县", level=AreaLevel.COUNTY)
    township = AreaFactory(
        code="439922100000", name="邻县镇", level=AreaLevel.TOWNSHIP, parent=county
    )
    AreaFactory(
        code="439922100200", name="邻县村", level=AreaLevel.VILLAGE, parent=township, kind="rural"
    )
    return county


@pytest.fixture
def other_grid(demo):
    """A grid of township 1 outside village 1."""
    village = tree.in_order(demo.township1.children.exclude(pk=demo.village1.pk)).first()
    return tree.in_order(village.children.all()).first()


@pytest.fixture
def cases(demo, other_grid):
    centre = demo.user("township1")
    # Overdue three times over, by the sweeps: to the township, to the county, then flagged.
    # Reported first, so that the sweeps' future clocks move nothing else.
    overdue = report(demo, grid=other_grid, reporter=demo.user("township1"), title="逾期").case
    start = timezone.now()
    for days in (100, 200, 300):
        escalate_overdue(now=start + days * DAY)

    open_case = report(demo).case
    on_time = resolve(demo, report(demo).case)
    services.case_close(case=on_time, actor=centre)
    late = resolve(
        demo, report(demo, grid=other_grid, reporter=demo.user("township1")).case, late=True
    )
    hazard = report(demo, kind=CaseKind.HAZARD, category=Category.objects.get(code="fire")).case
    services.case_merge(case=hazard, into=open_case, actor=centre)
    escalated = services.case_accept(case=report(demo).case, actor=centre)
    escalated = services.case_escalate(case=escalated, actor=centre, reason="村级无法化解")
    escalated = services.case_escalate(case=escalated, actor=centre, reason="需县级协调")
    services.case_supervise(
        case=escalated, actor=demo.user("county"), deadline=timezone.now() + 3 * DAY, note="督办"
    )
    old = report(demo, kind=CaseKind.HAZARD, category=Category.objects.get(code="road")).case
    backdate(old, timezone.now() - 40 * DAY)
    # Reported half an hour into this month, Beijing time: still last month in UTC.
    first = timezone.localdate().replace(day=1)
    edge = report(demo, grid=other_grid, reporter=demo.user("township1")).case
    backdate(edge, timezone.make_aware(datetime.combine(first, time(0, 30))))

    theirs = [report(demo, grid=demo.grid2, reporter=demo.user("township2")).case for _ in "ab"]
    return {
        "overdue": overdue,
        "open": open_case,
        "on_time": on_time,
        "late": late,
        "merged": hazard,
        "escalated": escalated,
        "old": old,
        "edge": edge,
        "theirs": theirs,
    }


@pytest.fixture
def worker(demo) -> Staff:
    """The grid worker of grid 1, with a login, who reports and handles cases."""
    return staff_with_post(demo, demo.village1, post_area=demo.grid1, login="worker1")


@pytest.fixture
def quarter_evaluated(demo, worker):
    """Three people of township 1 evaluated for a whole quarter: two in village 1 (the
    worker has a supervisor's 100 in the first month), one in another village."""
    auxiliary = staff_with_post(demo, demo.village1, kind=PostKind.AUXILIARY_POLICE)
    other_village = demo.township1.get_children().exclude(pk=demo.village1.pk).first()
    officer = staff_with_post(demo, other_village, kind=PostKind.POLICE_OFFICER)
    faraway = staff_with_post(demo, demo.village2, post_area=demo.grid2)
    for month in quarter_months(YEAR, QUARTER):
        evaluations_compute(month=month)
    first = Evaluation.objects.get(staff=worker, month=date(YEAR, 4, 1))
    evaluation_review(evaluation=first, score=100, comment="", actor=demo.user("county"))
    return worker, auxiliary, officer, other_village, faraway


@pytest.fixture
def gateway(settings):
    gateway = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), gateway.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFICATION_CHANNEL = "webhook"
    settings.NOTIFICATION_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.NOTIFICATION_WEBHOOK_TOKEN = "gateway-token"
    yield gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def snapshot(demo):
    for _ in range(3):
        resolve(demo, report(demo).case)
    report(demo, grid=demo.grid2, reporter=demo.user("township2"))
    criminal_case(demo, demo.grid1)
    return rankings_compute(county=demo.county, month=this_month())


@pytest.fixture(scope="module")
def browser():
    # Playwright runs an event loop in this thread; Django's ORM calls in the test are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def live_demo(transactional_db):
    return build_demo()


@pytest.fixture
def county_cases(live_demo):
    """A few cases in every village over the year: some resolved, some hazards, one
    escalated twice. Returns this month's."""
    demo = live_demo
    county = demo.user("county")
    hazard = Category.objects.get(code="fire")
    villages = tree.in_order(demo.county.get_descendants().filter(level="village"))
    for index, village in enumerate(villages):
        grid = tree.in_order(village.children.all()).first()
        reported = [report(demo, grid=grid, reporter=county).case for _ in range(1 + index % 4)]
        for case in reported[: index % 3]:
            resolve(demo, case, centre=county)
        if index % 5 == 1:
            report(demo, grid=grid, reporter=county, kind=CaseKind.HAZARD, category=hazard)
    escalated = services.case_accept(case=report(demo).case, actor=county)
    escalated = services.case_escalate(case=escalated, actor=county, reason="村级无法化解")
    services.case_escalate(case=escalated, actor=county, reason="需县级协调")
    # Two cases in three were reported in the months before, for the year's trend.
    now = timezone.now()
    for index, pk in enumerate(Case.objects.order_by("pk").values_list("pk", flat=True)):
        if index % 3:
            months_ago = 1 + index % 11
            Case.objects.filter(pk=pk).update(created_at=now - timedelta(days=30.5 * months_ago))
    return Case.objects.filter(created_at__date__gte=timezone.localdate().replace(day=1))
