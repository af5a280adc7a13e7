from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.platform.personal_data import EncryptedTextField

# Residents of concern 重点人员 and special groups 特殊人群: the most sensitive data held.


class ResidentCategory(models.TextChoices):
    # Key persons 重点人员
    COMMUNITY_CORRECTION = "community_correction", _("Community correction")  # 社区矫正
    RELEASED_PRISONER = "released_prisoner", _("Released prisoner")  # 刑满释放
    DRUG_USER = "drug_user", _("Drug user")  # 吸毒人员
    PETITION_PRONE = "petition_prone", _("Petition-prone")  # 信访重点
    MENTAL_DISORDER = "mental_disorder", _("Severe mental disorder")  # 严重精神障碍患者
    OTHER_KEY = "other_key", _("Other key person")
    # Special groups needing care 特殊人群
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")  # 留守儿童
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")  # 孤寡老人
    HARDSHIP = "hardship", _("Person in hardship")  # 困难群众
    DISABLED = "disabled", _("Person with a disability")  # 残疾人


# Categories that say something about a person's health: shown only to roles that need them.
SENSITIVE_CATEGORIES = frozenset(
    {ResidentCategory.DRUG_USER, ResidentCategory.MENTAL_DISORDER, ResidentCategory.DISABLED}
)
KEY_PERSON_CATEGORIES = frozenset(
    {
        ResidentCategory.COMMUNITY_CORRECTION,
        ResidentCategory.RELEASED_PRISONER,
        ResidentCategory.DRUG_USER,
        ResidentCategory.PETITION_PRONE,
        ResidentCategory.MENTAL_DISORDER,
        ResidentCategory.OTHER_KEY,
    }
)


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Under management")  # 在管
    MOVED = "moved", _("Moved away")  # 迁出
    DECEASED = "deceased", _("Deceased")  # 死亡
    CLOSED = "closed", pgettext_lazy("resident status", "Closed")  # 解除管控 / 销号


class Resident(models.Model):
    """One resident of concern. ID number, phone and the situation are encrypted at rest
    (governance.platform.personal_data); the ID number is found by its keyed hash."""

    name = models.CharField(_("name"), max_length=40)
    id_number = EncryptedTextField(_("ID number"))
    # Unique within each registrar's register, not across the county (residents.services.residents:
    # a clash with someone the registrar may not see must not answer differently).
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    grid = models.ForeignKey(
        "grids.Area",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="residents_of_concern",
    )
    category = models.CharField(_("category"), max_length=24, choices=ResidentCategory.choices)
    risk = models.CharField(
        _("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    responsible = models.ForeignKey(
        "personnel.Staff",
        verbose_name=_("responsible staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE
    )
    situation = EncryptedTextField(_("situation"), blank=True)  # may hold health details
    # The visit cycle: kept by residents.services.visits on every visit, registration and
    # change of risk.
    last_visited_on = models.DateField(_("last visited on"), null=True, blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)  # the due date told
    closed_on = models.DateField(_("left management on"), null=True, blank=True)
    # Personal data erased at the end of its retention period (residents.services.retention).
    erased_on = models.DateField(_("personal data erased on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "grids_resident"
        verbose_name = _("resident of concern")
        verbose_name_plural = _("residents of concern")
        ordering = ["grid_id", "name", "id"]
        indexes = [
            models.Index(fields=["grid", "status"], name="resident_grid_status"),
            models.Index(fields=["status", "next_visit_due"], name="resident_status_due"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sensitive(self) -> bool:
        return self.category in SENSITIVE_CATEGORIES


class ResidentStatusChange(models.Model):
    """The status history of a resident: who moved them out of (or back into) management."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=12, choices=ResidentStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=ResidentStatus.choices)
    reason = models.CharField(_("reason"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        db_table = "grids_residentstatuschange"
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.from_status} → {self.to_status}"


class VisitCycle(models.Model):
    """How often a resident of a category and risk level is visited, in days, as one county
    sets it; residents.services.cycles.DEFAULT_CYCLE_DAYS where the county has set nothing."""

    county = models.ForeignKey(
        "grids.Area",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="visit_cycles",
    )
    category = models.CharField(_("category"), max_length=24, choices=ResidentCategory.choices)
    risk = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    days = models.PositiveSmallIntegerField(_("visit every (days)"))

    class Meta:
        db_table = "grids_visitcycle"
        verbose_name = _("visit cycle")
        verbose_name_plural = _("visit cycles")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "category", "risk"], name="visit_cycle_county_category_risk"
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=1, days__lte=366), name="visit_cycle_days_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.risk}: {self.days}"


class Visit(models.Model):
    """One visit 走访 to a resident of concern, recorded from the phone; idempotent on the
    client's UUID like a case report."""

    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visit date"))
    met = models.BooleanField(_("met the person"), default=True)
    situation = EncryptedTextField(_("situation"), blank=True)  # may hold health details
    risk_before = models.CharField(_("risk before"), max_length=8, choices=RiskLevel.choices)
    risk_after = models.CharField(_("risk after"), max_length=8, choices=RiskLevel.choices)
    needs = models.CharField(_("needs"), max_length=500, blank=True)
    follow_up = models.CharField(_("next steps"), max_length=500, blank=True)
    # The visit that was due when this one was made: on time if visited_on <= due_on.
    due_on = models.DateField(_("was due on"), null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to="visits/%Y/%m/", blank=True)
    location_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    case = models.ForeignKey(
        "disputes.Case",
        verbose_name=_("case raised"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "grids_visit"
        verbose_name = _("visit")  # 走访
        verbose_name_plural = _("visit records")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["resident", "visited_on"], name="visit_resident_date")]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.visited_on}"


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed the details")  # 查看详情
    REVEAL = "reveal", _("Revealed the full ID number and phone")  # 查看完整信息
    LOOKUP = "lookup", _("Looked up by ID number")  # 按身份证号查询
    EXPORT = "export", _("Exported")  # 导出


class ResidentAccess(models.Model):
    """Who looked at which resident, when and why. Written by residents.services.residents
    only, never changed or deleted through the application."""

    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        null=True,  # empty for a refused export, or a refused attempt at an id nobody has
        blank=True,
        related_name="accesses",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=8, choices=AccessAction.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Refused: no reason given, beyond the hourly limit of detail views, or not allowed.
    denied = models.BooleanField(_("refused"), default=False)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "grids_residentaccess"
        verbose_name = _("access to a resident's data")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.resident_id}"
