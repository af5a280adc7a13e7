"""Analysis meetings 研判会 and supervision inspections 督导检查."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingLevel(models.TextChoices):
    TOWNSHIP_DAILY = "township_daily", _("Township daily analysis")  # 乡镇每日研判
    LEADERSHIP_WEEKLY = "leadership_weekly", _("Leadership weekly analysis")  # 领导每周研判
    COUNTY_MONTHLY = "county_monthly", _("County monthly analysis")  # 县级每月研判


class MeetingUnit(models.TextChoices):
    # The township's "一庭两所" and the other units that sit at the table.
    CENTRE = "centre", _("Governance centre")  # 综治中心
    COURT = "court", _("People's tribunal")  # 人民法庭
    POLICE_STATION = "police_station", _("Police station")  # 派出所
    JUSTICE_OFFICE = "justice_office", _("Judicial office")  # 司法所
    PETITIONS = "petitions", _("Petitions office")  # 信访办
    LEADERSHIP = "leadership", _("Party and government leaders")  # 党政领导
    DEPARTMENTS = "departments", _("Line departments")  # 职能部门


class Meeting(models.Model):
    level = models.CharField(_("meeting"), max_length=20, choices=MeetingLevel.choices)
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("held by"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("date"))
    chair = models.CharField(_("chaired by"), max_length=50)
    units = models.JSONField(_("units present"), default=list, blank=True)
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    # The form's client UUID: sending it twice makes one (governance.platform.resends).
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "governance_meeting"
        verbose_name = _("analysis meeting")  # 研判会
        verbose_name_plural = _("analysis meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["area", "held_on"], name="meeting_area_held")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.held_on:%Y-%m-%d}"


class Judgement(models.TextChoices):
    ATTENTION = "attention", _("Attention")  # 一般关注
    KEY_ATTENTION = "key_attention", _("Key attention")  # 重点关注


class RiskFlag(models.TextChoices):
    CRIMINAL = "criminal", _("Civil-to-criminal risk")  # 民转刑
    MASS_INCIDENT = "mass_incident", _("Risk of a mass incident")  # 群体性事件
    EXTREME = "extreme", _("Risk of extreme behaviour")  # 个人极端
    PETITION = "petition", _("Risk of petitioning higher levels")  # 越级上访


class Decision(models.TextChoices):
    WATCH = "watch", _("Keep watching")  # 持续关注
    ASSIGN = "assign", _("Assign")  # 交办
    SUPERVISE = "supervise", _("Supervise")  # 督办


class MeetingCase(models.Model):
    """A case discussed at a meeting: the judgement, and the decision, which the case
    workflow carries out (`event` is the timeline entry it made)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(
        "disputes.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    judgement = models.CharField(_("judgement"), max_length=16, choices=Judgement.choices)
    risk_flags = models.JSONField(_("risks"), default=list, blank=True)
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, default=Decision.WATCH
    )
    lines = models.JSONField(_("assignment lines"), default=list, blank=True)
    supervision_deadline = models.DateTimeField(_("supervision deadline"), null=True, blank=True)
    note = models.CharField(_("decision note"), max_length=500, blank=True)
    event = models.ForeignKey(
        "disputes.CaseEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "governance_meetingcase"
        verbose_name = _("case discussed")
        verbose_name_plural = _("cases discussed")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="meeting_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.case_id}"


class Inspection(models.Model):
    """A county inspector's visit 督导检查 to a township or village."""

    area = models.ForeignKey(
        "grids.Area", verbose_name=_("inspected area"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    score = models.DecimalField(
        _("score"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    # The form's client UUID: sending it twice makes one (governance.platform.resends).
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "governance_inspection"
        verbose_name = _("supervision inspection")  # 督导检查
        verbose_name_plural = _("supervision inspections")
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["area", "inspected_on"], name="inspection_area_date")]

    def __str__(self) -> str:
        return f"{self.area} {self.inspected_on:%Y-%m-%d}"


class InspectionItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("checklist item"), max_length=200)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        db_table = "governance_inspectionitem"
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("To be fixed")  # 待整改
    FIXED = "fixed", _("Fixed")  # 已整改


class InspectionProblem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="problems")
    description = models.CharField(_("problem"), max_length=500)
    fix_by = models.DateField(_("fix by"))
    status = models.CharField(
        _("status"), max_length=8, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    fix_note = models.CharField(_("how it was fixed"), max_length=500, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "governance_inspectionproblem"
        verbose_name = _("problem found")
        verbose_name_plural = _("problems found")
        ordering = ["fix_by", "id"]
        indexes = [models.Index(fields=["status", "fix_by"], name="problem_status_fix_by")]

    def __str__(self) -> str:
        return self.description[:40]
