from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    # "三零" creation 三零创建: zero of each of these in a month.
    PETITION = "petition", _("Petition to higher levels")  # 越级上访
    ACCIDENT = "accident", _("Major safety accident")  # 重大安全事故
    CRIMINAL_CASE = "criminal_case", _("Criminal case")  # 刑事案件


class Incident(models.Model):
    """An event recorded by county staff that fails "三零" for its village and township."""

    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("description"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident")  # "三零" 事件
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["area", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"
