"""Builds the benchmark data in bulk: the area tree of the demo's shape (a city: ten
counties, ~100,000 areas), the demo accounts, the roster (one grid worker per grid, the
police, specialists and N members), and the cases of six years with their events, written
by set-based SQL in PostgreSQL with the distributions of the demo county:

- reported at a rate growing ~8 % a year, more in summer and around the Spring Festival;
- 62 % disputes, 23 % hazards, 9 % illegal-activity tips, 6 % key-person alerts;
- 85 % settled at the village, 12 % escalated to the township, 3 % to the county (with the
  escalation events), 4 % of them escalated for being overdue;
- cases of the last 60 days partly open (the recent the more), everything older finished;
- 3 % supervised, 1 % merged duplicates, 2 % flagged civil-to-criminal risk.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

CASES = {"tiny": 3_000, "county": 100_000, "city": 1_000_000}
TREE_SCALE = {"tiny": "tiny", "county": "county", "city": "city"}
YEARS = 6


def build(scale: str, *, say=print) -> dict:
    from django.core.management import call_command

    info: dict = {"scale": scale, "seconds": {}}
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    info["seconds"]["migrate"] = round(time.monotonic() - started, 1)
    say(f"  migrated in {info['seconds']['migrate']} s")

    from demo.seed import demo_tree, demo_users, seed_roster
    from disputes.services import categories_ensure_defaults
    from grids import tree
    from grids.models import AreaLevel

    areas = demo_tree(scale=TREE_SCALE[scale], seed=2026)
    started = time.monotonic()
    with transaction.atomic():
        tree.bulk_insert(areas)
        # Each county starts with the default case categories, its own rows.
        for county in areas:
            if county.level == AreaLevel.COUNTY:
                categories_ensure_defaults(county=county)
    info["seconds"]["tree"] = round(time.monotonic() - started, 1)
    info["areas"] = len(areas)
    say(f"  {len(areas):,} areas in {info['seconds']['tree']} s")

    started = time.monotonic()
    root = areas[0]
    with transaction.atomic():
        users = demo_users(root=root, rng=random.Random(2026))
        seed_roster(root=root, rng=random.Random("roster-2026"), today=timezone.localdate())
    info["seconds"]["roster"] = round(time.monotonic() - started, 1)
    say(f"  accounts and roster in {info['seconds']['roster']} s")

    started = time.monotonic()
    with transaction.atomic():
        info["cases"] = _cases(CASES[scale], reporter_id=users[0].pk)
    info["seconds"]["cases"] = round(time.monotonic() - started, 1)
    say(f"  {info['cases']:,} cases in {info['seconds']['cases']} s")

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    info["seconds"]["analyze"] = round(time.monotonic() - started, 1)
    info |= _facts(root)
    return info


def _cases(count: int, *, reporter_id: int) -> int:
    """`count` cases over six years, all in one INSERT … SELECT, and their events."""
    from disputes.models import Case
    from disputes.selectors.figures import flags_from_events

    now = timezone.now()
    start = now - timedelta(days=365 * YEARS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        # The grids with their ancestors, numbered, so each case picks one at random.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_grid AS
            SELECT row_number() OVER (ORDER BY g.id) AS n, g.id AS grid_id,
                   v.id AS village_id, t.id AS township_id, c.id AS county_id
            FROM grids_area g
            JOIN grids_area v ON v.id = g.parent_id
            JOIN grids_area t ON t.id = v.parent_id
            JOIN grids_area c ON c.id = t.parent_id
            WHERE g.level = 'grid'
            """
        )
        cursor.execute("SELECT count(*) FROM bench_grid")
        grids = cursor.fetchone()[0]
        # Each county's own categories, numbered by kind: a case takes one of its county's.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_category AS
            SELECT row_number() OVER (PARTITION BY county_id, kind ORDER BY id) AS n, id,
                   county_id, kind, count(*) OVER (PARTITION BY county_id, kind) AS of_kind
            FROM disputes_category WHERE is_active
            """
        )
        # u: uniform draws per case; the age skews recent (growth), seasons add a wave.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_draw AS
            SELECT i, random() AS u_grid, random() AS u_kind, random() AS u_cat,
                   random() AS u_level, random() AS u_misc, random() AS u_sev,
                   %(start)s::timestamptz
                     + (power(random(), 0.88) * %(span)s) * interval '1 second' AS created
            FROM generate_series(1, %(count)s) AS i
            """,
            {"start": start, "span": (now - start).total_seconds(), "count": count},
        )
        cursor.execute(
            """
            INSERT INTO disputes_case (
                client_uuid, kind, category_id, severity, criminal_risk, title, description,
                parties, grid_id, village_id, township_id, county_id, reporter_id, level,
                status, deadline, overdue, warn_at, deadline_warned, supervised,
                supervision_deadline, supervision_note, satisfaction, review, created_at,
                updated_at, resolved_at, closed_at, went_overdue, escalated_overdue,
                escalated_to_township, escalated_to_county, supervision_told)
            SELECT md5('bench' || d.i)::uuid, k.kind, cat.id,
                CASE WHEN d.u_sev < 0.80 THEN 'ordinary' WHEN d.u_sev < 0.95 THEN 'attention'
                     ELSE 'key_attention' END,
                d.u_sev > 0.98, '基准事件 ' || d.i, '批量生成的基准测试事件。', '[]'::jsonb,
                g.grid_id, g.village_id, g.township_id, g.county_id, %(reporter)s,
                CASE WHEN d.u_level < 0.85 THEN 'village' WHEN d.u_level < 0.97 THEN 'township'
                     ELSE 'county' END,
                CASE
                  WHEN d.created > %(now)s - interval '60 days'
                       AND d.u_misc < 0.9 * extract(
                           epoch FROM d.created - (%(now)s - interval '60 days')) / (60 * 86400)
                    THEN (ARRAY['reported', 'accepted', 'assigned', 'in_progress'])
                         [1 + floor(d.u_cat * 4)::int]
                  WHEN d.u_misc > 0.99 THEN 'merged'
                  WHEN d.u_misc > 0.97 THEN 'stabilised'
                  WHEN d.u_misc > 0.55 THEN 'evaluated'
                  WHEN d.u_misc > 0.35 THEN 'closed'
                  ELSE 'resolved' END,
                d.created + interval '7 days', false, d.created + interval '5 days', false,
                d.u_sev BETWEEN 0.5 AND 0.53, NULL, '',
                NULL, '', d.created, d.created,
                d.created + (1 + d.u_cat * 9) * interval '1 day',
                d.created + (2 + d.u_cat * 12) * interval '1 day',
                false, false, false, false, ''  -- set from the events below
            FROM bench_draw d
            JOIN bench_grid g ON g.n = 1 + floor(d.u_grid * %(grids)s)::bigint
            JOIN LATERAL (
                SELECT CASE WHEN d.u_kind < 0.62 THEN 'dispute' WHEN d.u_kind < 0.85 THEN 'hazard'
                            WHEN d.u_kind < 0.94 THEN 'illegal_tip' ELSE 'key_person' END AS kind
            ) k ON true
            JOIN bench_category cat ON cat.county_id = g.county_id AND cat.kind = k.kind
                 AND cat.n = 1 + floor(d.u_cat * cat.of_kind)::bigint
            """,
            {"reporter": reporter_id, "now": now, "grids": grids},
        )
        # Open cases are not resolved or closed; the finished ones keep their times.
        cursor.execute(
            """
            UPDATE disputes_case SET resolved_at = NULL, closed_at = NULL
            WHERE status IN ('reported', 'accepted', 'assigned', 'in_progress')
            """
        )
        cursor.execute(
            "UPDATE disputes_case SET closed_at = NULL WHERE status IN ('resolved', 'stabilised')"
        )
        cursor.execute(
            """
            UPDATE disputes_case SET deadline = now() + interval '3 days',
                   warn_at = now() + interval '2 days'
            WHERE status IN ('reported', 'accepted', 'assigned', 'in_progress')
            """
        )
        cursor.execute(
            """
            UPDATE disputes_case SET supervision_deadline = created_at + interval '10 days',
                   supervision_note = '限期办结'
            WHERE supervised
            """
        )
        # The events: every report, and the escalations that took a case up.
        cursor.execute(
            """
            INSERT INTO disputes_caseevent (case_id, actor_id, action, from_status, to_status,
                                            level, note, data, created_at)
            SELECT id, reporter_id, 'report', '', 'reported', 'village', '', '{}', created_at
            FROM disputes_case
            """
        )
        cursor.execute(
            """
            INSERT INTO disputes_caseevent (case_id, actor_id, action, from_status, to_status,
                                            level, note, data, created_at)
            SELECT id, NULL,
                   CASE WHEN random() < 0.3 THEN 'escalate_overdue' ELSE 'escalate' END,
                   'accepted', 'reported', 'township', '', '{}', created_at + interval '3 days'
            FROM disputes_case WHERE level IN ('township', 'county')
            """
        )
        cursor.execute(
            """
            INSERT INTO disputes_caseevent (case_id, actor_id, action, from_status, to_status,
                                            level, note, data, created_at)
            SELECT id, NULL, 'escalate', 'accepted', 'reported', 'county', '', '{}',
                   created_at + interval '6 days'
            FROM disputes_case WHERE level = 'county'
            """
        )
    # The flags the services keep with each escalation, from those events.
    flags_from_events(Case.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM disputes_case")
        return cursor.fetchone()[0]


def _facts(root) -> dict:
    """The areas and users the workloads use: the city (or county) root, the first county,
    its first township, and the operator."""
    from governance.platform.roles import Role
    from grids import tree
    from grids.models import Area, AreaLevel
    from personnel.models import User

    county = root if root.level == AreaLevel.COUNTY else tree.in_order(root.children.all())[0]
    township = tree.in_order(county.children.all())[0]
    operator, _created = User.objects.get_or_create(
        username="bench-operator", defaults={"is_superuser": True, "is_staff": True}
    )
    operator.set_password("bench-pass-2026")
    operator.save()
    return {
        "root": root.pk,
        "county": county.pk,
        "township": township.pk,
        "counties": Area.objects.filter(level=AreaLevel.COUNTY).count(),
        "grids": Area.objects.filter(level=AreaLevel.GRID).count(),
        "operator": operator.pk,
        "county_admin": User.objects.filter(role=Role.COUNTY_ADMIN, area=county).first().pk,
    }
