"""The demo year's monthly assessment: the "三零" incidents the county recorded, the values
the committee entered (督导检查, 视频监控在线率, 信访), and the twelve published rankings
computed from them and from the year of cases, the roster's coverage and evaluations."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from assessment.models import EnteredValue, FormulaKind, Incident, IncidentKind
from assessment.services.rankings import (
    ranking_publish,
    rankings_compute,
)
from assessment.services.scoring import SCORED_LEVELS, scheme_ensure
from demo.roster import counties_under
from governance.platform.months import add_months, last_month, month_end, month_starts
from governance.platform.roles import Role
from grids import tree
from grids.models import Area, AreaLevel
from personnel.models import User

MONTHS = 12
INCIDENT_STORIES = {
    IncidentKind.PETITION: "村民因土地征收补偿问题赴市越级上访，已由乡镇劝返并包案化解。",
    IncidentKind.ACCIDENT: "自建房施工脚手架坍塌，造成一人重伤，已责令停工整改。",
    IncidentKind.CRIMINAL_CASE: "邻里纠纷激化引发故意伤害案件，嫌疑人已被刑事拘留。",
}
# Per county and month, how many incidents: most months one to three, now and then none.
INCIDENTS_PER_MONTH = (0, 1, 1, 2, 2, 3)


def _entered(code: str, rng: random.Random, households: int) -> Decimal:
    if code == "supervision-inspection":
        value = rng.triangular(68, 100, 92)
    elif code == "camera-online-rate":
        value = rng.triangular(82, 99.9, 97)
    else:  # petitions per 1,000 households: mostly none
        value = 0 if rng.random() < 0.8 else rng.randint(1, 3) * 1000 / max(households, 200)
    return Decimal(str(round(value, 2)))


def seed_assessment(*, root: Area, rng: random.Random, today: date) -> dict[str, int]:
    """Incidents and entered values for the twelve months before `today`'s, then each month
    computed and published in order, so that every month shows its change."""
    counts = {"incidents": 0, "entered_values": 0, "rankings": 0, "vetoed": 0}
    months = month_starts(add_months(today, -MONTHS), last_month(today))  # twelve whole months
    tz = timezone.get_default_timezone()
    for county in counties_under(root):
        committee = User.objects.filter(role=Role.COUNTY_ADMIN, area=county).first() or (
            User.objects.filter(role=Role.COUNTY_ADMIN).first()
        )
        areas = list(
            Area.objects.filter(tree.subtree_q(county), level__in=SCORED_LEVELS).values_list(
                "pk", "level", "households"
            )
        )
        grids = list(
            Area.objects.filter(tree.subtree_q(county), level=AreaLevel.GRID).values_list(
                "pk", flat=True
            )
        )
        incidents, values = [], []
        for month in months:
            for _n in range(rng.choice(INCIDENTS_PER_MONTH)):
                kind = rng.choices(list(INCIDENT_STORIES), weights=(3, 2, 4))[0]
                day = rng.randint(1, month_end(month).day)
                at = datetime.combine(month.replace(day=day), time(rng.randint(7, 22)))
                incidents.append(
                    Incident(
                        area_id=rng.choice(grids),
                        kind=kind,
                        occurred_at=timezone.make_aware(at, tz),
                        description=INCIDENT_STORIES[kind],
                        recorded_by=committee,
                    )
                )
            scheme = scheme_ensure(county=county, year=month.year)
            for indicator in scheme.indicators.filter(formula=FormulaKind.ENTERED):
                for pk, level, households in areas:
                    applies = (
                        indicator.applies_to_township
                        if level == AreaLevel.TOWNSHIP
                        else indicator.applies_to_village
                    )
                    if applies:
                        values.append(
                            EnteredValue(
                                indicator=indicator,
                                area_id=pk,
                                month=month,
                                value=_entered(indicator.code, rng, households),
                                entered_by=committee,
                            )
                        )
        Incident.objects.bulk_create(incidents, batch_size=1000)
        EnteredValue.objects.bulk_create(values, batch_size=2000, ignore_conflicts=True)
        counts["incidents"] += len(incidents)
        counts["entered_values"] += len(values)
        for month in months:
            snapshot = rankings_compute(county=county, month=month)
            snapshot = ranking_publish(snapshot=snapshot, actor=committee)
            # The committee published a few days into the following month.
            published = datetime.combine(month_end(month) + timedelta(days=4), time(16))
            snapshot.published_at = timezone.make_aware(published, tz)
            snapshot.computed_at = snapshot.published_at - timedelta(days=3, hours=14)
            snapshot.save(update_fields=["published_at", "computed_at"])
            counts["rankings"] += 1
            counts["vetoed"] += snapshot.rows.filter(veto=True, level=AreaLevel.VILLAGE).count()
    return counts
