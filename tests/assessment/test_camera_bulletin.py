"""The monthly bulletin ranks the townships by the month's computed camera online rate (the
cameras app's figures), with the 95 % standard and the townships below it flagged; and the
data migration that switches a saved scheme's camera indicator to the computed rate."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from openpyxl import load_workbook

from assessment.models import Indicator, Source
from assessment.services.rankings import rankings_compute
from assessment.services.scoring import scheme_ensure
from cameras.selectors import online_rates
from tests.cameras.test_indicator import measured  # noqa: F401 (a fixture)
from tests.ledgers import records


def test_the_bulletin_ranks_the_townships_camera_rates(client, demo, measured):  # noqa: F811
    county_admin = demo.user("county")
    scheme_ensure(county=demo.county, year=measured.year)
    snapshot = rankings_compute(county=demo.county, month=measured)
    lines = online_rates(user=county_admin, month=measured)
    assert lines and any(line.rate < Decimal(95) for line in lines)  # one below standard
    client.force_login(county_admin)
    page = client.get(
        reverse("ranking_bulletin", args=[snapshot.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200
    body = page.content.decode()
    section = body[body.index('id="camera-online-rate"') :]
    assert "视频监控在线率" in section and "在线率不低于95%" in section
    for line in lines:
        row = section[section.index(f'data-area="{line.area_id}"') :].split("</tr>")[0]
        assert line.name in row and f"{line.rate}%" in row
        assert ("未达标" in row) == line.below_target

    xlsx = client.get(
        reverse("ranking_bulletin_xlsx", args=[snapshot.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    workbook = load_workbook(BytesIO(xlsx.content))
    sheet = workbook.worksheets[-1]
    assert sheet.title == "视频监控在线率"
    assert records(sheet) == [
        (
            line.rank,
            line.name,
            line.cameras,
            f"{line.rate}%",
            "未达标" if line.below_target else "达标",
        )
        for line in lines
    ]
    assert any("95" in str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0])


@pytest.mark.django_db(transaction=True)
def test_a_saved_schemes_camera_indicator_switches_to_the_computed_rate(demo):
    scheme = scheme_ensure(county=demo.county, year=2026)
    camera = scheme.indicators.get(code="camera-online-rate")
    assert camera.source == Source.CAMERA_ONLINE_RATE
    others = dict(scheme.indicators.exclude(pk=camera.pk).values_list("pk", "source"))
    executor = MigrationExecutor(connection)
    try:
        # Back to before the migration: the camera indicator is typed again, as it was saved.
        executor.migrate([("assessment", "0005_indicator_camera_online_rate")])
        camera.refresh_from_db()
        assert camera.source == Source.ENTERED
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    camera.refresh_from_db()
    assert camera.source == Source.CAMERA_ONLINE_RATE
    assert dict(Indicator.objects.exclude(pk=camera.pk).filter(scheme=scheme).values_list(
        "pk", "source")) == others  # fmt: skip
