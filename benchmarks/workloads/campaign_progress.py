"""Campaign progress: a county campaign of 12,000 targets over the first county's grids,
nine in ten done, watched by the county. The selector `campaigns.selectors.campaign_progress`
(the county's part, per township: the figures the campaign page and the progress API show)
against ONE plain GROUP BY of the same tasks by township, measured in turns in the same run;
then the progress API and the campaign page themselves, as the county's administrator, in
this process (Django's test client: no network, no server).

Everything happens in one transaction rolled back at the end, so nothing stays. The tasks
are made by the launch and marked done with one UPDATE before the clock starts; the planner
has no statistics of them (as on a campaign launched minutes ago), which is what the
stored ancestor columns are for."""

from __future__ import annotations

from benchmarks.harness import Context, Row, measure_side_by_side, ms, ratio
from benchmarks.workloads.fanout import TARGETS, _draft, _grid_codes

TARGET_RATIO = 2.0
API_MS = 200
PAGE_MS = 1000

PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The floor: the tasks of the campaign, counted per township, nothing else.
GROUP_BY_SQL = """
SELECT township_id, count(*), count(*) FILTER (WHERE status = 'done')
FROM governance_campaigntask WHERE campaign_id = %s GROUP BY township_id
"""
DONE_SQL = """
UPDATE governance_campaigntask SET status = 'done', done_at = launched.at, result = '已走访'
FROM (SELECT launched_at AS at FROM governance_campaign WHERE id = %(campaign)s) launched
WHERE campaign_id = %(campaign)s AND id %% 10 <> 0
"""


def run(context: Context) -> list[Row]:
    from django.db import transaction
    from django.test import Client, override_settings

    from campaigns.services.campaigns import campaign_launch
    from grids.models import Area
    from personnel.models import User

    county = Area.objects.get(pk=context.info["county"])
    actor = User.objects.get(pk=context.info["county_admin"])
    with transaction.atomic():
        campaign = _draft(county=county, actor=actor, grids=_grid_codes(county))
        campaign_launch(campaign=campaign, actor=actor)
        _mark_done(campaign)
        total = campaign.tasks.count()
        _check_same_figures(campaign, actor)
        timings = measure_side_by_side(
            {
                "selector": lambda: _selector(campaign, actor),
                "group_by": lambda: _group_by(campaign),
            },
            runs=context.runs,
            warmup=context.warmup,
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(actor)
        api_url = f"/api/v1/campaigns/{campaign.pk}/progress/"
        page_url = f"/campaigns/{campaign.pk}/"
        # The static files' plain names: the manifest of hashed names is collectstatic's,
        # which this process has not run (a dictionary look-up either way).
        with override_settings(STORAGES=PLAIN_STATIC):
            pages = measure_side_by_side(
                {"api": lambda: _get(client, api_url), "page": lambda: _get(client, page_url)},
                runs=context.runs,
                warmup=context.warmup,
            )
            page_size = len(client.get(page_url).content)
        transaction.set_rollback(True)
    selector, group_by = timings["selector"], timings["group_by"]
    api, page = pages["api"], pages["page"]
    note = "rolled back after the run; the planner had no statistics of the new tasks"
    return [
        Row(
            workload="campaign_progress",
            case=f"the county's progress per township: {total:,} tasks, 90 % done",
            value=ms(selector.median),
            spread=selector.spread,
            baseline=f"one GROUP BY of the same tasks {ms(group_by.median)}",
            ratio=ratio(selector.median, group_by.median),
            target=f"≤ {TARGET_RATIO:g}× GROUP BY",
            passed=selector.median <= TARGET_RATIO * group_by.median,
            note=note,
        ),
        Row(
            workload="campaign_progress",
            case=f"GET /api/v1/campaigns/<id>/progress/ as the county ({TARGETS:,} targets)",
            value=ms(api.median),
            spread=api.spread,
            baseline=f"one GROUP BY of the same tasks {ms(group_by.median)}",
            ratio=ratio(api.median, group_by.median),
            target=f"< {API_MS} ms",
            passed=api.median < API_MS,
        ),
        Row(
            workload="campaign_progress",
            case=f"GET /campaigns/<id>/ as the county ({page_size / 1024:.0f} KiB of HTML)",
            value=ms(page.median),
            spread=page.spread,
            baseline=f"one GROUP BY of the same tasks {ms(group_by.median)}",
            ratio=ratio(page.median, group_by.median),
            target=f"< {PAGE_MS} ms",
            passed=page.median < PAGE_MS,
        ),
    ]


def _mark_done(campaign) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DONE_SQL, {"campaign": campaign.pk})


def _selector(campaign, user):
    from campaigns.selectors import campaign_progress

    return campaign_progress(campaign=campaign, user=user)


def _group_by(campaign) -> dict[int, tuple[int, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(GROUP_BY_SQL, [campaign.pk])
        return {township: (total, done) for township, total, done in cursor.fetchall()}


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{url} answered {response.status_code}")


def _check_same_figures(campaign, user) -> None:
    """The floor must count what the selector counts: compare them once, untimed."""
    progress = _selector(campaign, user)
    selector = {row.id: (row.total, row.done) for row in progress.by_area}
    floor = _group_by(campaign)
    if selector != floor:
        raise AssertionError("the GROUP BY's figures differ from the selector's")
