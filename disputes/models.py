from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.platform.case_actions import CaseAction
from governance.platform.personal_data import EncryptedPartiesField


class CaseKind(models.TextChoices):
    DISPUTE = "dispute", _("Dispute")  # 矛盾纠纷
    HAZARD = "hazard", _("Safety hazard")  # 隐患
    ILLEGAL_TIP = "illegal_tip", _("Illegal-activity tip")  # 违法线索
    KEY_PERSON = "key_person", _("Key-person alert")  # 重点人员动态


class Severity(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")  # 一般
    ATTENTION = "attention", _("Attention")  # 关注类
    KEY_ATTENTION = "key_attention", _("Key attention")  # 重点关注类


class CaseLevel(models.TextChoices):
    # The level that currently owns a case; values match grids.AreaLevel.
    VILLAGE = "village", pgettext_lazy("case level", "Village")
    TOWNSHIP = "township", pgettext_lazy("case level", "Township")
    COUNTY = "county", pgettext_lazy("case level", "County")


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")  # 已上报 (awaiting analysis 研判 at its level)
    ACCEPTED = "accepted", _("Accepted")  # 已受理
    ASSIGNED = "assigned", _("Assigned")  # 已交办
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    RESOLVED = "resolved", _("Resolved")  # 已化解
    STABILISED = "stabilised", _("Stabilised")  # 稳控
    CLOSED = "closed", _("Closed")  # 已办结
    EVALUATED = "evaluated", _("Evaluated")  # 已评价
    MERGED = "merged", _("Merged as duplicate")  # 已合并


OPEN_STATUSES = (
    CaseStatus.REPORTED,
    CaseStatus.ACCEPTED,
    CaseStatus.ASSIGNED,
    CaseStatus.IN_PROGRESS,
)
IS_OPEN = models.Q(status__in=OPEN_STATUSES)


class Category(models.Model):
    """A county's own table of case categories (邻里纠纷, 婚姻家庭, 宅基地…): each county
    starts with the default set (disputes.defaults) and edits it without touching another
    county's. Clients name a category by its code, which is unique within the county."""

    # A county's settings go with it (its cases, which protect it, never do).
    county = models.ForeignKey(
        "grids.Area",
        verbose_name=_("county"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (county, code) index leads with it
    )
    code = models.SlugField(_("code"), max_length=40, db_index=False)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("case kind"), max_length=16, choices=CaseKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["kind", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="category_unique_per_county")
        ]

    def __str__(self) -> str:
        return self.name


class DeadlineRule(models.Model):
    """Hours a level has to handle a case of the county; a rule without a category applies
    to all of the county's categories. A rule's category is one of its county's."""

    county = models.ForeignKey(
        "grids.Area", verbose_name=_("county"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, null=True, blank=True
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    level = models.CharField(_("level"), max_length=16, choices=CaseLevel.choices)
    hours = models.PositiveIntegerField(_("hours"))

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "severity", "level"],
                condition=models.Q(category__isnull=False),
                name="deadline_rule_unique_per_category",
            ),
            models.UniqueConstraint(
                fields=["county", "severity", "level"],
                condition=models.Q(category__isnull=True),
                name="deadline_rule_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} / {self.severity} / {self.level}: {self.hours} h"


class Case(models.Model):
    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.ORDINARY
    )
    criminal_risk = models.BooleanField(_("civil-to-criminal risk"), default=False)  # 民转刑风险
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    # Each party's phone and ID number encrypted inside the JSON, read back in clear.
    parties = EncryptedPartiesField(_("parties"), default=list, blank=True)
    # Where it happened, and the grid's ancestors stored once so that counting per
    # subtree is one GROUP BY on an indexed column, never a tree walk.
    grid = models.ForeignKey(
        "grids.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="cases"
    )
    # No index of their own: the composite indexes below lead with each of them.
    village = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    township = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    county = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    location_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    level = models.CharField(
        _("level"), max_length=16, choices=CaseLevel.choices, default=CaseLevel.VILLAGE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    deadline = models.DateTimeField(_("deadline at this level"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue at county level"), default=False)
    # When 75 % of the level's time has passed (临期预警); warn_deadlines notifies once.
    warn_at = models.DateTimeField(null=True, blank=True)
    deadline_warned = models.BooleanField(default=False)
    supervised = models.BooleanField(_("supervised"), default=False)  # 督办
    # What the case's events say, kept on the case so that counting them reads no events
    # (disputes.selectors.figures.event_flags): set with the event, never cleared, as events are
    # never removed.
    went_overdue = models.BooleanField(_("went overdue at some level"), default=False)
    escalated_overdue = models.BooleanField(_("escalated for being overdue"), default=False)
    escalated_to_township = models.BooleanField(default=False)
    escalated_to_county = models.BooleanField(default=False)
    supervision_deadline = models.DateTimeField(null=True, blank=True)
    supervision_note = models.CharField(max_length=500, blank=True)
    # What warn_supervision has told of the current supervision deadline: "" nothing yet,
    # "near" that it is near, "passed" that it passed. A new supervision starts afresh.
    supervision_told = models.CharField(max_length=8, blank=True, default="")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)  # 1–5
    review = models.CharField(_("centre's review"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # How grids.jurisdiction.scope limits cases to a user's subtree: by the stored id
    # of the ancestor at the user's level.
    JURISDICTION_COLUMNS = {
        "county": "county_id",
        "township": "township_id",
        "village": "village_id",
        "grid": "grid_id",
    }

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The sweeps' indexes hold the open cases only (a few in a hundred): closing a
            # case takes it out, and a million closed ones cost them nothing.
            models.Index(
                fields=["status", "deadline"], name="case_open_deadline", condition=IS_OPEN
            ),
            models.Index(fields=["township", "status"], name="case_township_status"),
            models.Index(fields=["village", "status"], name="case_village_status"),
            models.Index(fields=["county", "created_at"], name="case_county_created"),
            # When a county's cases last changed: the dashboard cache's data version.
            models.Index(fields=["county", "updated_at"], name="case_county_updated"),
            models.Index(fields=["status", "warn_at"], name="case_open_warn_at", condition=IS_OPEN),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AssignmentLine(models.TextChoices):
    # 双线交办: a case may run on two assignment lines at once.
    POLITICAL_LEGAL = "political_legal", _("Political-legal line")  # 政法线
    POLICE = "police", _("Police line")  # 公安线


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Being handled")
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class Assignment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    line = models.CharField(_("line"), max_length=20, choices=AssignmentLine.choices)
    unit = models.CharField(_("handling unit"), max_length=100)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    # The roster's person for the line (a post holder may have no login: then the centre
    # records their handling), and why the line went where it went when it was routed.
    staff = models.ForeignKey(
        "personnel.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    routing_note = models.CharField(_("routing"), max_length=300, blank=True)
    level = models.CharField(max_length=16, choices=CaseLevel.choices)
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    outcome = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)  # done, returned or cancelled
    # Cancelled because the case went overdue at its level and was escalated: counts
    # against the handler in their monthly evaluation.
    cancelled_overdue = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "line"],
                condition=models.Q(status="active"),
                name="one_active_assignment_per_line",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_line_display()}: {self.unit}"


class CaseEvent(models.Model):
    """One immutable step of a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )  # none: the system (an automatic sweep)
    action = models.CharField(_("action"), max_length=24, choices=CaseAction.choices)
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    level = models.CharField(max_length=16, choices=CaseLevel.choices)
    note = models.CharField(_("note"), max_length=2000, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # A default, not auto_now_add: the sweeps stamp their events with the sweep's own time.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class Attachment(models.Model):
    """A photo or document of a case: from the report, or evidence recorded by a handler.

    Files are served only through a view that checks the case's jurisdiction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name
