"""The dashboard's figures through the cache (Redis when REDIS_URL is set).

A county's dashboard and its stats endpoint are read far more often than its cases change,
and computing a county's figures reads every case of the period (about 0.3 s at a county
of 100,000 cases, 1.5 s at a city of a million: benchmarks/RESULTS.md). So the figures are
kept in the cache under:

- the area, the dates asked for and the asker's jurisdiction root: two users with the same
  root see the same cases (grids.jurisdiction.scope), so they share the figures, and a
  user never reads figures computed for a wider jurisdiction;
- and the area's data version: when a case of its county (of any county below a city) last
  changed. Every write to a case sets its `updated_at`, the sweeps' bulk UPDATEs included,
  and one backward step of the (county, updated_at) index reads it.

Figures are recomputed when the version moves, and at the latest STATS_CACHE_SECONDS after
they were computed (the "past the deadline" count moves with the clock alone, and so do
area names and household counts). While one request recomputes a key, the others read the
figures it replaces rather than compute them again all at once; a key's first figures are
waited for. STATS_CACHE_SECONDS=0 turns the cache off.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from redis.exceptions import RedisError

from disputes.models import Case
from disputes.selectors.stats import area_stats, area_trend
from grids import tree
from grids.jurisdiction import jurisdiction_root, sees_everything
from grids.models import Area, AreaLevel
from personnel.models import User

KEY_PREFIX = "area-figures:v1"
# A token kept with every entry: forget_all() replaces it, which drops every cached figure.
GENERATION_KEY = f"{KEY_PREFIX}:generation"
# How long a computation may hold a key's lock before others compute it themselves.
LOCK_SECONDS = 30
# Figures computed for an older version are kept this long, to be read while recomputed.
KEEP_SECONDS = 24 * 3600
POLL_SECONDS = 0.05

logger = logging.getLogger(__name__)


def cached_area_stats(*, user: User, area: Area, start: date | None, end: date | None) -> dict:
    """disputes.selectors.stats.area_stats, through the cache."""
    return _cached(
        "stats",
        user=user,
        area=area,
        dates=(start, end),
        compute=lambda: area_stats(user=user, area=area, start=start, end=end),
    )


def cached_area_trend(*, user: User, area: Area, end: date) -> list[dict]:
    """disputes.selectors.stats.area_trend, through the cache."""
    return _cached(
        "trend",
        user=user,
        area=area,
        dates=(None, end),
        compute=lambda: area_trend(user=user, area=area, end=end),
    )


def cases_version(area: Area) -> str:
    """When a case of `area`'s county (of every county in a city) last changed."""
    latest = Case.objects.order_by("-updated_at").values_list("updated_at", flat=True)
    if area.level == AreaLevel.CITY:
        counties = Area.objects.filter(tree.subtree_q(area), level=AreaLevel.COUNTY)
        stamps = counties.annotate(latest=Subquery(latest.filter(county=OuterRef("pk"))[:1]))
        found = [stamp for stamp in stamps.values_list("latest", flat=True) if stamp]
        stamp = max(found) if found else None
    else:
        stamp = latest.filter(county_id=_county_id(area)).first()
    return stamp.isoformat() if stamp else "none"


def _county_id(area: Area) -> int:
    """The county above `area` (itself for a county), by its parents: one primary-key
    lookup for each level below the township's."""
    order = AreaLevel.order()
    steps = order.index(area.level) - order.index(AreaLevel.COUNTY)
    area_id, parent_id = area.pk, area.parent_id
    for step in range(steps):
        area_id = parent_id
        if step + 1 < steps:
            parent_id = Area.objects.values_list("parent_id", flat=True).get(pk=area_id)
    return area_id


def forget_all() -> None:
    """Drop every cached figure (after a restore, or between tests, where ids repeat)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _root_key(user: User) -> str:
    if sees_everything(user):
        return "all"
    root = jurisdiction_root(user)
    return str(root.pk) if root else "nothing"


def _cached(kind: str, *, user: User, area: Area, dates: tuple, compute: Callable):
    seconds = settings.STATS_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    try:
        return _through_cache(kind, user=user, area=area, dates=dates, compute=compute)
    except RedisError:  # what the Redis cache raises when Redis is down
        # The figures do not depend on the cache: without it, each request computes them.
        logger.warning("The figures' cache cannot be reached; computing them directly.")
        return compute()


def figures_key(kind: str, *, user: User, area: Area, dates: tuple) -> str:
    start, end = (day.isoformat() if day else "-" for day in dates)
    return f"{KEY_PREFIX}:{kind}:{area.pk}:{start}:{end}:{_root_key(user)}"


def _through_cache(kind: str, *, user: User, area: Area, dates: tuple, compute: Callable):
    key = figures_key(kind, user=user, area=area, dates=dates)
    lock = f"{key}:computing"
    version = cases_version(area)
    found = cache.get_many([GENERATION_KEY, key])  # one round trip
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    entry = found.get(key)
    if entry and entry.get("generation") != generation:
        entry = None  # from before forget_all()
    seconds = settings.STATS_CACHE_SECONDS
    if entry and entry["version"] == version and time.time() - entry["at"] < seconds:
        return entry["value"]
    if cache.add(lock, True, LOCK_SECONDS):
        try:
            value = compute()
            kept = {"generation": generation, "version": version, "at": time.time()}
            cache.set(key, {**kept, "value": value}, KEEP_SECONDS)
            return value
        finally:
            cache.delete(lock)
    if entry:
        return entry["value"]  # being recomputed by another request: the last figures meanwhile
    # This key's first figures are being computed by another request: wait for them.
    give_up = time.monotonic() + LOCK_SECONDS
    while time.monotonic() < give_up and cache.get(lock):
        time.sleep(POLL_SECONDS)
        entry = cache.get(key)
        if entry and entry.get("generation") == generation:
            return entry["value"]
    return compute()
