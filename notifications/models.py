from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.platform.personal_data import EncryptedTextField


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")  # 交办
    RETURNED = "returned", _("Returned")  # 退回
    SUPERVISED = "supervised", _("Supervised")  # 督办
    DEADLINE_WARNING = "deadline_warning", _("Deadline warning")  # 临期预警
    ESCALATED = "escalated", _("Escalated")  # 上报升级
    OVERDUE = "overdue", _("Overdue")  # 超期
    VISIT_DUE = "visit_due", _("Visit due")  # 走访提醒
    ACCESS_FLAGGED = "access_flagged", _("Unusual access to personal data")  # 异常查看
    INSTRUCTION = "instruction", _("Urgent instruction")  # 预警指令
    CAMPAIGN_TASK = "campaign_task", _("Campaign task")  # 专项行动任务
    NEW_REPORT = "new_report", _("New report")  # 新上报, to its level's centre
    LINES_DONE = "lines_done", _("Every line handled")  # 各线办结, back to the assigner
    CLOSED = "closed", _("Case closed")  # 已办结, to the reporter
    SUPERVISION_DUE = "supervision_due", _("Supervision deadline near")  # 督办临期
    SUPERVISION_OVERDUE = "supervision_overdue", _("Supervision deadline passed")  # 督办超期


class Notification(models.Model):
    """One message in a user's in-app inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    case = models.ForeignKey(
        "disputes.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    instruction = models.ForeignKey(
        "campaigns.Instruction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(_("text"), max_length=500)
    # Where a message about several cases (a sweep's, grouped per person) leads: the case
    # list filtered to them. A message about one case links to the case instead.
    # (db_default: the set-based fan-outs INSERT … SELECT rows without naming it.)
    link = models.CharField(_("link"), max_length=200, blank=True, db_default="")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
        ]

    def __str__(self) -> str:
        return self.text


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """The outgoing message (SMS, WeCom…) of one notification through the configured channel.

    A worker claims a row by writing its own token into `claim` with a conditional UPDATE,
    so two workers, or a task delivered twice, never send the same message twice; a claim
    older than the lease is abandoned (the worker died) and may be taken again."""

    # Empty for a message to someone without a login (an instruction to every N member):
    # then `phone`, `kind` and `text` say everything.
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    phone = EncryptedTextField(_("mobile phone"), blank=True)  # encrypted at rest
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=20)
    # Set when one message stands for several notifications (a sweep's digest); otherwise
    # the notification's own text is sent.
    text = models.CharField(_("text"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # When the next attempt is due: creation, then after each failure with a growing delay.
    due_at = models.DateTimeField(_("next attempt at"))
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "due_at"], name="delivery_status_due")]

    def __str__(self) -> str:
        return f"{self.channel} #{self.notification_id}: {self.status}"
