from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County political-legal committee")  # 政法委/平安办
    COUNTY_CENTRE = "county_centre", _("County governance centre")  # 县综治中心
    TOWNSHIP_CENTRE = "township_centre", _("Township governance centre")  # 乡镇综治中心
    POLICE = "police", _("Police")  # 派出所/驻村民警/辅警 (一警)
    VILLAGE_STAFF = "village_staff", _("Village staff")  # 村综治中心, 治保主任 (三专)
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    MEMBER = "member", _("N member")  # N员: information officer, mediator, volunteer…
    INSPECTOR = "inspector", _("Inspector (read-only)")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The user sees this area's whole subtree, and nothing outside it."),
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}"
        return full or self.username
