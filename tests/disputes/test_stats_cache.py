"""The dashboard's figures through the cache (disputes.selectors.stats_cache): the same figures as
computing them, recomputed as soon as a case of the county changes, never shared across
jurisdictions, one computation at a time, and nothing lost when Redis is down."""

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from disputes.selectors import stats_cache
from disputes.selectors.stats import area_stats
from disputes.selectors.stats_cache import cached_area_stats, figures_key
from disputes.services.sweeps import escalate_overdue
from governance.platform.roles import Role
from personnel.models import User
from tests.factories import report


def figures(user, area) -> dict:
    return cached_area_stats(user=user, area=area, start=None, end=None)


def key(user, area) -> str:
    return figures_key("stats", user=user, area=area, dates=(None, None))


@pytest.fixture
def county(demo):
    report(demo)
    return demo.user("county")


def test_cached_figures_are_the_computed_ones_and_cost_one_query(
    demo, county, django_assert_num_queries
):
    first = figures(county, demo.county)
    assert first == area_stats(user=county, area=demo.county, start=None, end=None)
    assert first["total"] == 1
    with django_assert_num_queries(1):  # the county's data version, nothing recomputed
        assert figures(county, demo.county) == first
    village = figures(county, demo.village1)
    with django_assert_num_queries(2):  # a village: its township's parent, the version
        assert figures(county, demo.village1) == village


def test_a_new_case_shows_at_once_in_every_area_of_its_county(demo, county):
    before = {area: figures(county, area)["total"] for area in (demo.county, demo.village1)}
    report(demo)
    assert {area: figures(county, area)["total"] for area in before} == {
        area: total + 1 for area, total in before.items()
    }


def test_a_sweeps_bulk_update_shows_at_once(demo, county):
    assert figures(county, demo.county)["by_level"] == {"village": 1}
    escalate_overdue(now=timezone.now() + timedelta(days=100))
    assert figures(county, demo.county)["by_level"] == {"township": 1}


def test_figures_are_never_shared_with_a_narrower_jurisdiction(demo, county):
    microgrid = demo.grid1.children.first()
    member = User.objects.create_user(
        username="member-cache", password="x", role=Role.MEMBER, area=microgrid
    )
    # The county sees the grid's case from its micro-grid; the member sees no case at all
    # (cases belong to grids), and must not read the county's cached figures.
    assert figures(county, microgrid)["total"] == 1
    assert figures(member, microgrid) == area_stats(
        user=member, area=microgrid, start=None, end=None
    )
    assert figures(member, microgrid)["total"] == 0


def test_the_api_and_the_dashboard_read_through_the_cache(client, demo, county):
    client.force_login(county)
    url = reverse("area-stats", kwargs={"pk": demo.county.pk})
    assert client.get(url).json()["total"] == 1
    assert cache.get(figures_key("stats", user=county, area=demo.county, dates=(None, None)))
    report(demo)
    assert client.get(url).json()["total"] == 2
    assert client.get(reverse("dashboard")).status_code == 200


def test_while_one_request_recomputes_the_others_read_the_last_figures(demo, county):
    assert figures(county, demo.county)["total"] == 1
    report(demo)
    lock = key(county, demo.county) + ":computing"
    cache.add(lock, True, 30)  # another request is recomputing
    assert figures(county, demo.county)["total"] == 1
    cache.delete(lock)
    assert figures(county, demo.county)["total"] == 2


def test_a_keys_first_figures_are_waited_for_not_computed_twice(demo, county):
    name = key(county, demo.county)
    lock = name + ":computing"
    cache.add(lock, True, 30)
    version = stats_cache.cases_version(demo.county)
    generation = cache.get_or_set(stats_cache.GENERATION_KEY, "first")

    def the_other_request_finishes():
        kept = {"generation": generation, "version": version, "at": time.time()}
        cache.set(name, {**kept, "value": {"theirs": True}})
        cache.delete(lock)

    timer = threading.Timer(0.2, the_other_request_finishes)
    timer.start()
    try:
        assert figures(county, demo.county) == {"theirs": True}
    finally:
        timer.join()


def test_figures_are_recomputed_after_their_time_even_without_a_change(
    demo, county, settings, monkeypatch
):
    settings.STATS_CACHE_SECONDS = 60
    name = key(county, demo.county)
    figures(county, demo.county)
    cache.set(name, {**cache.get(name), "value": {"old": True}})
    assert figures(county, demo.county) == {"old": True}
    later = time.time() + 61
    monkeypatch.setattr(
        stats_cache, "time", SimpleNamespace(**{**vars(time), "time": lambda: later})
    )
    assert figures(county, demo.county)["total"] == 1


def test_without_the_cache_each_read_computes(demo, county, settings):
    settings.STATS_CACHE_SECONDS = 0
    cache.delete(key(county, demo.county))
    figures(county, demo.county)
    assert cache.get(key(county, demo.county)) is None
    report(demo)
    assert figures(county, demo.county)["total"] == 2


def test_figures_are_computed_when_redis_is_down(demo, county, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    assert figures(county, demo.county)["total"] == 1
    assert "cannot be reached" in caplog.text
