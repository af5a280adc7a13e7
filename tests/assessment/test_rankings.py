"""The monthly ranking: set-based computation, the "三零" veto, frozen published months and
versions with reasons."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.models import (
    BelowMinimumRule,
    IncidentKind,
    RankingRow,
    RankingSnapshot,
    SnapshotStatus,
)
from assessment.services.rankings import (
    MonthPublished,
    ranking_publish,
    rankings_compute,
    rankings_compute_all,
)
from assessment.services.scoring import scheme_ensure
from disputes.models import Case, CaseLevel, CaseStatus
from disputes.selectors.stats import RESOLVED_STATUSES
from governance.platform.months import last_month, previous_month
from grids import tree
from grids.models import Area, AreaLevel
from grids.services import area_create
from tests.factories import criminal_case, report, resolve, this_month
from tests.support import listed

THIS_MONTH = None


def rows_of(snapshot) -> dict[int, RankingRow]:
    return {row.area_id: row for row in snapshot.rows.all()}


def test_every_township_and_village_is_ranked_with_the_case_lists_figures(
    client,
    demo,
    cases,
):
    snapshot = rankings_compute(county=demo.county, month=this_month())
    rows = rows_of(snapshot)
    areas = Area.objects.filter(tree.subtree_q(demo.county), level__in=["township", "village"])
    assert set(rows) == set(areas.values_list("pk", flat=True))
    assert snapshot.status == SnapshotStatus.DRAFT and snapshot.version == 1

    client.force_login(demo.user("county"))
    first = this_month()
    for area in (demo.township1, demo.village1, demo.township2):
        where = {"area": area.pk, "created_after": first, "created_before": timezone.localdate()}
        figures = rows[area.pk].figures
        merged = listed(client, **where, status=[CaseStatus.MERGED])
        assert figures["counted"] == listed(client, **where) - merged
        assert figures["resolved"] == listed(client, **where, status=list(RESOLVED_STATUSES))
        assert figures["supervised_count"] == listed(client, **where, supervised=True)
        assert figures["at_village"] == listed(client, **where, level=CaseLevel.VILLAGE) - (
            listed(client, **where, level=CaseLevel.VILLAGE, status=[CaseStatus.MERGED])
        )
    # Townships are the sums of their villages; each level is ranked 1..n.
    township_rows = [r for r in rows.values() if r.level == AreaLevel.TOWNSHIP]
    assert sorted(r.rank for r in township_rows)[0] == 1
    village_rows = [r for r in rows.values() if r.township_id == demo.township1.pk]
    assert (
        sum(r.figures["counted"] for r in village_rows)
        == rows[demo.township1.pk].figures["counted"]
    )
    assert {r.rank_in_township for r in village_rows} >= {1}
    assert all(Decimal(0) <= r.score <= Decimal(100) for r in rows.values())


def test_a_village_with_one_criminal_case_is_vetoed_whatever_its_score(demo):
    # Village 1 does everything right: every case resolved on time, full marks for the rest.
    for _ in range(6):
        resolve(demo, report(demo).case)
    scheme = scheme_ensure(county=demo.county, year=this_month().year)
    scheme.safe_village_score = Decimal(1)
    scheme.save()
    before = rows_of(rankings_compute(county=demo.county, month=this_month()))
    assert before[demo.village1.pk].safe_candidate and not before[demo.village1.pk].veto

    criminal_case(demo, demo.grid1)
    after = rows_of(rankings_compute(county=demo.county, month=this_month()))
    village = after[demo.village1.pk]
    assert village.veto and village.veto_kinds == [IncidentKind.CRIMINAL_CASE]
    assert not village.safe_candidate
    assert village.score == before[demo.village1.pk].score  # ranked, not scored down
    assert after[demo.township1.pk].veto  # its township fails "三零" too
    others = [r for r in after.values() if r.level == "village" and r.area_id != demo.village1.pk]
    assert not any(r.veto for r in others) and any(r.safe_candidate for r in others)


def test_a_published_month_is_frozen_and_a_new_version_states_its_reason(demo):
    county = demo.user("county")
    for _ in range(5):
        resolve(demo, report(demo).case)
    first = rankings_compute(county=demo.county, month=this_month(), actor=county)
    published = ranking_publish(snapshot=first, actor=county)
    frozen = {r.area_id: (r.score, r.rank, r.figures) for r in published.rows.all()}

    # Cases of the month change later: the published month does not.
    Case.objects.filter(village=demo.village1).update(status=CaseStatus.IN_PROGRESS)
    with pytest.raises(MonthPublished):
        rankings_compute(county=demo.county, month=this_month(), actor=county)
    rankings_compute_all(month=this_month())  # the monthly task leaves it alone too
    assert RankingSnapshot.objects.filter(county=demo.county).count() == 1
    with pytest.raises(ValidationError) as refused:
        rankings_compute(county=demo.county, month=this_month(), actor=county, new_version=True)
    assert "reason" in refused.value.message_dict

    second = rankings_compute(
        county=demo.county,
        month=this_month(),
        actor=county,
        new_version=True,
        reason="一村五件事件退回重办",
    )
    assert (second.version, second.status, second.reason) == (2, "draft", "一村五件事件退回重办")
    assert {r.area_id: (r.score, r.rank, r.figures) for r in published.rows.all()} == frozen
    changed = rows_of(second)[demo.village1.pk]
    assert changed.figures["resolved"] == 0 != frozen[demo.village1.pk][2]["resolved"]
    with pytest.raises(ValidationError):
        ranking_publish(snapshot=published, actor=county)  # already published


def test_the_county_computes_and_only_the_committee_publishes(demo):
    with pytest.raises(PermissionDenied):
        rankings_compute(county=demo.county, month=this_month(), actor=demo.user("township1"))
    # The county centre computes and reviews drafts; the committee publishes.
    snapshot = rankings_compute(county=demo.county, month=this_month(), actor=demo.user("centre"))
    for username in ("township1", "centre"):
        with pytest.raises(PermissionDenied):
            ranking_publish(snapshot=snapshot, actor=demo.user(username))
    assert RankingSnapshot.objects.get().status == SnapshotStatus.DRAFT
    ranking_publish(snapshot=snapshot, actor=demo.user("county"))
    assert RankingSnapshot.objects.get().status == SnapshotStatus.PUBLISHED


def test_the_monthly_task_rewrites_its_draft_in_place(demo):
    report(demo)
    first = rankings_compute_all(month=this_month())[0]
    again = rankings_compute_all(month=this_month())[0]
    assert first.pk == again.pk and again.version == 1
    assert RankingRow.objects.filter(snapshot=again).count() == (
        Area.objects.filter(tree.subtree_q(demo.county), level__in=["township", "village"]).count()
    )


def test_the_change_since_last_month_compares_with_last_months_snapshot(demo):
    last = previous_month(this_month())
    resolve(demo, report(demo).case)
    earlier = report(demo).case
    Case.objects.filter(pk=earlier.pk).update(
        created_at=timezone.make_aware(datetime.combine(last.replace(day=10), time(9)))
    )
    before = rows_of(rankings_compute(county=demo.county, month=last))
    now = rows_of(rankings_compute(county=demo.county, month=this_month()))
    for area_id, row in now.items():
        assert row.previous_rank == before[area_id].rank
        assert row.score_change == row.score - before[area_id].score
        assert row.rank_change == before[area_id].rank - row.rank


def test_an_area_below_the_minimum_gets_the_stated_rule(demo):
    scheme = scheme_ensure(county=demo.county, year=this_month().year)
    scheme.min_cases, scheme.below_min_rule = 3, BelowMinimumRule.ZERO
    scheme.save()
    resolve(demo, report(demo).case)  # one case, resolved: 100 % but below the minimum
    row = rows_of(rankings_compute(county=demo.county, month=this_month()))[demo.village1.pk]
    assert row.below_minimum and row.cases == 1
    assert row.values["resolution-rate"] == {
        "value": None,
        "points": "0.00",
        "numerator": 1,
        "denominator": 1,
    }


def more_townships(demo, count: int) -> None:
    for n in range(count):
        township = area_create(
            code=f"4399219{n:02d}000", name=f"新增镇{n}", level="township", parent=demo.county
        )
        for m in range(3):
            area_create(
                code=f"4399219{n:02d}{m + 201:03d}",
                name=f"新增村{n}-{m}",
                level="village",
                parent=township,
                kind="rural",
            )


def test_the_number_of_queries_does_not_grow_with_the_number_of_areas(demo):
    report(demo)
    rankings_compute(county=demo.county, month=this_month())  # the scheme exists from here

    def queries() -> int:
        RankingSnapshot.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            rankings_compute(county=demo.county, month=this_month())
        return len(captured)

    few = queries()
    more_townships(demo, 4)
    assert Area.objects.filter(tree.subtree_q(demo.county), level="village").count() > 12
    assert queries() == few


def test_the_rankings_rates_equal_the_dashboards_for_the_same_month(
    client,
    demo,
    cases,
):
    from disputes.selectors.stats import area_stats

    first = this_month()
    rows = rows_of(rankings_compute(county=demo.county, month=first))
    county = demo.user("county")
    for area in (demo.township1, demo.village1, demo.township2):
        stats = area_stats(user=county, area=area, start=first, end=timezone.localdate())
        row = rows[area.pk]
        assert row.figures["counted"] == stats["total"] - stats["by_status"].get("merged", 0)
        assert row.figures["resolved"] == stats["resolved"]
        assert row.figures["supervised_count"] == stats["supervised"]
        for code, key in (("resolution-rate", "resolution_rate"), ("on-time-rate", "on_time_rate")):
            entry = row.values[code]
            if entry["value"] is not None:
                assert Decimal(entry["value"]) == Decimal(str(stats[key]))
            else:  # below the minimum: the figures behind it still agree
                assert entry["numerator"] == (
                    stats["resolved"] if code == "resolution-rate" else entry["numerator"]
                )


def test_the_monthly_task_computes_last_month_for_every_county(demo, other_county):
    from assessment.tasks import compute_rankings_task

    assert compute_rankings_task() == 2
    assert set(RankingSnapshot.objects.values_list("county_id", "month")) == {
        (demo.county.pk, last_month()),
        (other_county.pk, last_month()),
    }
    assert compute_rankings_task() == 2 and RankingSnapshot.objects.count() == 2


def test_a_case_escalated_for_being_overdue_is_not_on_time_even_if_resolved_in_time_above(demo):
    from disputes.services.sweeps import escalate_overdue

    late = report(demo).case
    escalate_overdue(now=timezone.now() + timedelta(days=100))  # the village let it pass
    late.refresh_from_db()
    assert late.level == CaseLevel.TOWNSHIP
    resolve(demo, late)  # the township resolves it within its own time
    resolve(demo, report(demo).case)
    row = rows_of(rankings_compute(county=demo.county, month=this_month()))[demo.village1.pk]
    assert (row.figures["resolved"], row.figures["on_time"]) == (2, 1)
    assert row.figures["went_overdue"] == row.figures["overdue_escalated"] == 1
