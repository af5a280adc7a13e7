"""A video platform's status batches: stored in a fixed number of statements, idempotent,
confined to the platform's own county, and the month's online rate computed from them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.models import Camera, CameraDay
from cameras.selectors import measured_days, online_rates
from cameras.services.ingestion import platform_create
from governance.platform.months import month_end
from tests.cameras.helpers import place_cameras

URL = "/api/v1/camera-statuses/"


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def batch(cameras, moment, *, offline=()):
    return {
        "statuses": [
            {"code": c.code, "online": c.code not in offline, "at": moment.isoformat()}
            for c in cameras
        ]
    }


@pytest.fixture
def platform(demo):
    return platform_create(county=demo.county, name="县视频平台", actor=None)


def send(client, key, body):
    return client.post(URL, body, content_type="application/json", HTTP_X_PLATFORM_KEY=key)


def test_a_batch_is_stored_in_the_same_number_of_statements_for_40_and_4000(client, demo, platform):
    _platform, key = platform
    cameras = place_cameras(county=demo.county, count=4000)
    moment = timezone.now() - timedelta(minutes=1)
    counts = []
    for size, shift in ((40, 0), (4000, 5)):
        body = batch(cameras[:size], moment + timedelta(minutes=shift) - timedelta(minutes=10))
        with CaptureQueriesContext(connection) as queries:
            response = send(client, key, body)
        assert response.status_code == 200, response.content
        assert response.json()["stored"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 8
    assert CameraDay.objects.count() >= 4000


def test_the_same_batch_twice_changes_nothing(client, demo, platform):
    _platform, key = platform
    cameras = place_cameras(county=demo.county, count=30)
    today = timezone.localdate()
    body = batch(cameras, at(today, 0, 7) if timezone.localtime().hour else timezone.now())
    assert send(client, key, body).json()["stored"] == 30
    before = list(CameraDay.objects.order_by("pk").values())
    cameras_before = list(Camera.objects.order_by("pk").values("online", "last_report_at"))
    again = send(client, key, body).json()
    assert again == {"stored": 0, "skipped": 30, "refused": 0, "unknown": 0}
    assert list(CameraDay.objects.order_by("pk").values()) == before
    assert list(Camera.objects.order_by("pk").values("online", "last_report_at")) == cameras_before


def test_online_minutes_add_up_per_day_not_per_ping(client, demo, platform):
    _platform, key = platform
    cameras = place_cameras(county=demo.county, count=3)
    day = timezone.localdate() - timedelta(days=1)
    for minute in range(5, 65, 5):  # twelve reports, an hour
        send(client, key, batch(cameras, at(day, 8, 0) + timedelta(minutes=minute),
                                offline={cameras[2].code}))  # fmt: skip
    days = {d.camera_id: d for d in CameraDay.objects.all()}
    assert len(days) == 3
    assert days[cameras[0].pk].online_minutes == 60 - 5 + 5  # the first report counts 5
    assert days[cameras[2].pk].online_minutes == 0
    assert days[cameras[2].pk].last_online is False


def test_a_platform_key_cannot_write_another_countys_cameras(client, demo, other_county):
    _mine, key = platform_create(county=demo.county, name="县视频平台", actor=None)
    theirs = place_cameras(county=other_county, count=5)
    ours = place_cameras(county=demo.county, count=2, start=100)
    moment = timezone.now() - timedelta(minutes=1)
    result = send(client, key, batch(theirs + ours, moment)).json()
    assert result == {"stored": 2, "skipped": 0, "refused": 5, "unknown": 0}
    assert not CameraDay.objects.filter(camera__county=other_county).exists()
    assert Camera.objects.filter(county=other_county, last_report_at__isnull=False).count() == 0


def test_without_a_valid_key_nothing_is_written(client, demo):
    cameras = place_cameras(county=demo.county, count=2)
    body = batch(cameras, timezone.now())
    assert send(client, "", body).status_code in (401, 403)
    assert send(client, "not-a-key", body).status_code in (401, 403)
    assert not CameraDay.objects.exists()


def test_bad_statuses_are_a_400_with_field_messages(client, demo, platform):
    _platform, key = platform
    future = (timezone.now() + timedelta(days=1)).isoformat()
    bad = {"statuses": [{"code": "123", "online": "maybe", "at": future}]}
    response = send(client, key, bad)
    assert response.status_code == 400
    errors = response.json()["statuses"]["0"]
    assert set(errors) == {"code", "online", "at"}
    assert send(client, key, {"statuses": []}).status_code == 400
    assert send(client, key, {"nothing": 1}).status_code == 400


HAND_SQL = """
    SELECT c.township_id, COUNT(DISTINCT c.id), COALESCE(SUM(d.online_minutes), 0)
    FROM cameras_camera c
    LEFT JOIN cameras_cameraday d ON d.camera_id = c.id AND d.day >= %s AND d.day <= %s
    WHERE c.status <> 'retired'
    GROUP BY c.township_id
"""


def test_the_months_rate_per_township_equals_a_hand_written_count(client, demo, platform):
    _platform, key = platform
    cameras = place_cameras(county=demo.county, count=4000)
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    # Two rounds last month; a tenth of the cameras offline in the second.
    first = at(month + timedelta(days=3), 10)
    send(client, key, batch(cameras, first))
    offline = {c.code for c in cameras[::10]}
    send(client, key, batch(cameras, first + timedelta(minutes=5), offline=offline))
    days = measured_days(month)
    assert days == (month_end(month) - month).days + 1
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, [month, month_end(month)])
        expected = {
            township: round(minutes * 100 / (count * days * 1440), 2)
            for township, count, minutes in cursor.fetchall()
        }
    lines = online_rates(user=demo.user("county"), month=month)
    assert {line.area_id: float(line.rate) for line in lines} == pytest.approx(expected)
    assert len(lines) >= 2 and all(line.online_minutes > 0 for line in lines)
