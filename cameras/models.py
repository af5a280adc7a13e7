"""The camera network 雪亮工程: the register of public-security cameras, the video platforms
that report their status, each camera's online minutes per day, and the maintenance tasks
the monthly inspection opens for cameras offline too long."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# GB/T 28181 device id: 20 digits (area code, industry, type, serial).
device_code_validator = RegexValidator(
    r"^\d{20}$", _("A device code is the 20-digit GB/T 28181 id.")
)


class CameraKind(models.TextChoices):
    BULLET = "bullet", _("Bullet camera")  # 枪机
    DOME = "dome", _("Dome camera")  # 球机
    FACE = "face", _("Face capture")  # 人脸抓拍
    CHECKPOINT = "checkpoint", _("Vehicle checkpoint")  # 卡口


class CameraStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")  # 在用
    REPAIR = "repair", _("Under repair")  # 维修中
    RETIRED = "retired", _("Retired")  # 已拆除


class Platform(models.Model):
    """A county's video platform 视频平台, authenticated by its API key (stored hashed)."""

    county = models.ForeignKey(
        "grids.Area", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("video platform")
        verbose_name_plural = _("video platforms")
        ordering = ["county_id", "name"]

    def __str__(self) -> str:
        return self.name


class Camera(models.Model):
    code = models.CharField(
        _("device code"), max_length=20, unique=True, validators=[device_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=CameraKind.choices)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    # The area's county, township and village, stored so that scoping and the monthly
    # rate per township are one indexed equality and one GROUP BY.
    county = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", editable=False
    )
    township = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", editable=False
    )
    village = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", editable=False
    )
    owner_unit = models.CharField(_("owner unit"), max_length=100)  # 权属单位
    builder = models.CharField(_("builder"), max_length=100, blank=True)  # 建设单位
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CameraStatus.choices, default=CameraStatus.IN_SERVICE
    )
    # The platform's last report: idempotence rests on it (an older or equal report is
    # skipped), and the register shows it.
    online = models.BooleanField(_("online"), null=True, editable=False)
    last_report_at = models.DateTimeField(_("last report"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    JURISDICTION_COLUMNS = {
        "county": "county_id",
        "township": "township_id",
        "village": "village_id",
    }

    class Meta:
        verbose_name = _("camera")  # 监控点位
        verbose_name_plural = _("cameras")
        ordering = ["code"]
        indexes = [models.Index(fields=["township", "village"], name="camera_township_village")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CameraDay(models.Model):
    """One camera's online minutes on one local day (not every ping)."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"))
    online_minutes = models.PositiveIntegerField(_("online minutes"), default=0)
    last_online = models.BooleanField(_("last status online"), default=False)
    last_report_at = models.DateTimeField(_("last report"))

    class Meta:
        verbose_name = _("camera day")
        verbose_name_plural = _("camera days")
        constraints = [
            models.UniqueConstraint(fields=["camera", "day"], name="camera_day_unique"),
        ]
        indexes = [models.Index(fields=["day"], name="camera_day_day")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.day}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class MaintenanceTask(models.Model):
    """A repair order 维修工单 the monthly inspection opens for a camera offline too long."""

    camera = models.ForeignKey(
        Camera, verbose_name=_("camera"), on_delete=models.CASCADE, related_name="tasks"
    )
    month = models.DateField(_("month"))
    offline_hours = models.PositiveIntegerField(_("offline hours"))
    status = models.CharField(
        _("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("maintenance task")
        verbose_name_plural = _("maintenance tasks")
        ordering = ["status", "-month", "camera_id"]
        constraints = [
            models.UniqueConstraint(fields=["camera", "month"], name="maintenance_camera_month"),
        ]

    def __str__(self) -> str:
        return f"{self.camera} {self.month:%Y-%m}"
