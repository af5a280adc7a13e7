"""Mass tasking 专项行动 and urgent instructions 预警指令: one push from a centre to every
member of a subtree, with the completion (or reading) of each one tracked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿: targets may still be uploaded
    RUNNING = "running", _("Running")  # 进行中
    FINISHED = "finished", _("Finished")  # 已结束
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销


class TargetMode(models.TextChoices):
    # 清单式: households, pupils, waters or places, each given with its grid.
    ITEMS = "items", _("A list of items to cover")
    EACH_PARTICIPANT = "each_participant", _("Each participant reports once")  # 人人报送


class Campaign(models.Model):
    title = models.CharField(_("title"), max_length=100)
    instructions = models.TextField(_("instructions"), max_length=4000)
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area covered"), on_delete=models.PROTECT, related_name="+"
    )
    target_mode = models.CharField(_("targets"), max_length=20, choices=TargetMode.choices)
    # Who takes part when each participant reports: post kinds (一警三专N员) and, for N
    # members, their member types (empty: all of them).
    post_kinds = models.JSONField(_("posts taking part"), default=list, blank=True)
    member_types = models.JSONField(_("member types taking part"), default=list, blank=True)
    needs_photo = models.BooleanField(_("photo required"), default=False)
    needs_location = models.BooleanField(_("location required"), default=False)
    starts_at = models.DateTimeField(_("starts at"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Set when the automatic reminder before the deadline went out (claimed by a
    # conditional UPDATE, so two workers never remind twice).
    deadline_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The form's client UUID: sending it twice makes one (governance.platform.resends).
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "governance_campaign"
        verbose_name = _("campaign")  # 专项行动
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"], name="campaign_status_deadline")]

    def __str__(self) -> str:
        return self.title


class CampaignTarget(models.Model):
    """One item to cover (a pupil's home, a water, a place), as uploaded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    row = models.PositiveIntegerField(_("row"))  # its line in the uploaded file
    name = models.CharField(_("name"), max_length=100)
    detail = models.CharField(_("address or note"), max_length=200, blank=True)
    grid = models.ForeignKey(
        "grids.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "governance_campaigntarget"
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "row"], name="campaign_target_row")
        ]

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("To do")  # 待完成
    DONE = "done", _("Done")  # 已完成


class CampaignTask(models.Model):
    """One participant's work on one target (or their one report). Its area's ancestors
    (county, township, village, grid) are stored with it, as a case's are: progress per
    child area is one GROUP BY over this table, and the jurisdiction scopes it by one
    indexed equality instead of a join to the area tree."""

    JURISDICTION_COLUMNS = {
        "county": "county_id",
        "township": "township_id",
        "village": "village_id",
        "grid": "grid_id",
    }

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    target = models.OneToOneField(
        CampaignTarget, on_delete=models.CASCADE, null=True, blank=True, related_name="task"
    )
    # Empty when the target's grid has no grid worker: the village's staff take it on.
    staff = models.ForeignKey(
        "personnel.Staff",
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_tasks",
    )
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    township = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Every task of a county has the same county: an index of its own would hold nothing
    # that the campaign's indexes do not narrow first.
    county = models.ForeignKey(
        "grids.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Empty when the task's area lies above the grids (a village's own staff reporting).
    grid = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    result = models.CharField(_("result"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="campaigns/%Y/%m/", blank=True)
    location_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # The completing phone's UUID: a resent completion finds the task already done.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        "disputes.Case",
        verbose_name=_("case raised"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "governance_campaigntask"
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")
        indexes = [
            models.Index(fields=["campaign", "status"], name="task_campaign_status"),
            models.Index(fields=["campaign", "township", "village"], name="task_campaign_area"),
            models.Index(fields=["staff", "status"], name="task_staff_status"),
        ]
        constraints = [
            # "Each participant reports once": one task per person and campaign.
            models.UniqueConstraint(
                fields=["campaign", "staff"],
                condition=models.Q(target__isnull=True),
                name="one_report_per_participant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.pk}"


class Instruction(models.Model):
    """An urgent instruction 预警指令: a short message to everyone holding given posts in a
    subtree (a fugitive's description, a weather warning)."""

    title = models.CharField(_("title"), max_length=60)
    body = models.CharField(_("message"), max_length=400)
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("sent to the area"), on_delete=models.PROTECT, related_name="+"
    )
    post_kinds = models.JSONField(_("posts"), default=list)
    member_types = models.JSONField(_("member types"), default=list, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    # The form's client UUID: sending it twice makes one (governance.platform.resends).
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        db_table = "governance_instruction"
        verbose_name = _("urgent instruction")  # 预警指令
        verbose_name_plural = _("urgent instructions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class InstructionReceipt(models.Model):
    """One recipient of an instruction. Those with a login read it in the app (read_at);
    for the others a centre records the confirmation they gave by phone (confirmed_by)."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="receipts")
    staff = models.ForeignKey(
        "personnel.Staff", verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instruction_receipts",
    )
    area = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by phone by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "governance_instructionreceipt"
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["instruction", "staff"], name="one_receipt_each")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="receipt_user_read")]

    def __str__(self) -> str:
        return f"{self.instruction} → {self.staff}"
