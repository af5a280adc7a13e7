"""The assessment's camera indicator reads the rate computed from the register; typing it is
refused where a register exists, and a typed value elsewhere is marked as typed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.models import Indicator
from assessment.services.rankings import rankings_compute
from assessment.services.scoring import entered_value_set, scheme_ensure
from cameras.models import Camera
from cameras.selectors import online_rates
from cameras.services.ingestion import StatusReport, platform_create, statuses_ingest
from tests.cameras.helpers import place_cameras


def last_month():
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def measured(demo):
    """Township 1's cameras reported over the first day of last month; 3 of 10 offline."""
    platform, _key = platform_create(county=demo.county, name="平台", actor=None)
    place_cameras(county=demo.county, count=40)
    Camera.objects.exclude(township=demo.township1).delete()
    cameras = list(Camera.objects.order_by("code"))
    month = last_month()
    start = timezone.make_aware(datetime.combine(month, time(0, 0)))
    for step in range(1, 25):  # every 5 minutes of two hours
        moment = start + timedelta(minutes=5 * step)
        statuses_ingest(
            platform=platform,
            reports=[StatusReport(code=c.code, online=n % 10 >= 3, at=moment)
                     for n, c in enumerate(cameras)],
        )  # fmt: skip
    return month


def test_the_rankings_camera_indicator_is_the_computed_rate(client, demo, measured):
    county_admin = demo.user("county")
    scheme = scheme_ensure(county=demo.county, year=measured.year)
    camera = scheme.indicators.get(code="camera-online-rate")
    township2_typed = entered_value_set(
        indicator=camera, area=demo.township2, month=measured, value="91", actor=county_admin
    )
    snapshot = rankings_compute(county=demo.county, month=measured)
    rows = {row.area_id: row for row in snapshot.rows.all()}
    computed = {line.area_id: line.rate for line in online_rates(user=county_admin, month=measured)}
    mine = rows[demo.township1.pk].values["camera-online-rate"]
    assert Decimal(mine["value"]) == computed[demo.township1.pk]
    assert Decimal(mine["value"]) < Decimal(95)  # 7 in 10 online for two hours of the month
    assert mine["typed"] is False
    theirs = rows[demo.township2.pk].values["camera-online-rate"]
    assert Decimal(theirs["value"]) == township2_typed.value
    assert theirs["typed"] is True
    client.force_login(county_admin)
    for area, words in ((demo.township1, "按点位台账计算"), (demo.township2, "手工录入")):
        url = reverse("ranking_area", kwargs={"pk": snapshot.pk, "area_id": area.pk})
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert words in page.content.decode(), area


def test_typing_the_rate_of_an_area_with_a_register_is_refused(demo, measured):
    scheme = scheme_ensure(county=demo.county, year=measured.year)
    camera = Indicator.objects.get(scheme=scheme, code="camera-online-rate")
    with pytest.raises(ValidationError) as refused:
        entered_value_set(
            indicator=camera,
            area=demo.township1,
            month=measured,
            value="99",
            actor=demo.user("county"),
        )
    assert "area" in refused.value.message_dict
