"""The demo's camera network: a month of daily figures written in bulk, some townships below
the 95 % standard and the others above it."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from cameras.models import Camera, CameraDay
from cameras.selectors import TARGET_RATE, online_rates
from demo.cameras import seed_cameras


def test_the_demo_has_townships_on_both_sides_of_the_standard(demo):
    today = timezone.localdate()
    counts = seed_cameras(root=demo.county, rng=random.Random(2026), today=today)
    assert counts["cameras"] == Camera.objects.count() > 0
    assert counts["camera_days"] == CameraDay.objects.count()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert CameraDay.objects.filter(day=last_month).count() == counts["cameras"]
    lines = online_rates(user=demo.user("county"), month=last_month)
    assert any(line.rate < TARGET_RATE for line in lines)
    assert any(line.rate >= TARGET_RATE for line in lines)
