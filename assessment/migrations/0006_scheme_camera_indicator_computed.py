"""Schemes saved before the camera register existed typed their 视频监控在线率 indicator in
("entered"); switch it to the computed rate, as new schemes get it, so a county already
running ranks on the register's figures. Backwards: typed again."""

from django.db import migrations

CODE = "camera-online-rate"
ENTERED = "entered"
COMPUTED = "camera_online_rate"


def to_computed(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    Indicator.objects.filter(code=CODE, source=ENTERED).update(source=COMPUTED)


def to_entered(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    Indicator.objects.filter(code=CODE, source=COMPUTED).update(source=ENTERED)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0005_indicator_camera_online_rate"),
    ]

    operations = [
        migrations.RunPython(to_computed, to_entered),
    ]
