"""The audit log 审计日志: one append-only, hash-chained row per state change.

Rows are written by audit.services only. The database refuses UPDATE and DELETE on the
table (triggers made by migration 0001, audit.db), and each row's hash covers its content
and the previous row's hash, so a row altered behind the triggers' back breaks the chain
(audit.services.audit_verify names it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), db_index=True)
    # Nullable: the system's sweeps act without a person. No foreign-key constraint and no
    # cascade: the log keeps who acted even after the account is gone (actor_name).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("login"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40)  # "case.escalate", "staff.update"…
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # Where the change happened, for scoping the log to a county (the one scoping selector).
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("area"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # Masked: no ID number, phone or health detail in plaintext (audit.services.masked).
    old_values = models.JSONField(_("old values"), default=dict, blank=True)
    new_values = models.JSONField(_("new values"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["action", "created_at"], name="audit_action_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.action} {self.object_type}:{self.object_id}"


# What each action is called on the page and in the export; an action missing here shows
# its code. Families ("case.") are offered in the filter.
ACTION_LABELS = {
    "case.report": _("Case reported"),
    "case.accept": _("Case accepted"),
    "case.merge": _("Case merged"),
    "case.assign": _("Case assigned"),
    "case.party_call": _("Called a party of the case"),
    "case.party_reveal": _("Revealed a party's full ID number and phone"),
    "case.handler_call": _("Called the handler of a line"),
    "case.record": _("Handling recorded"),
    "case.return": _("Assignment returned"),
    "case.resolve": _("Line resolved"),
    "case.close": _("Case closed"),
    "case.evaluate": _("Case evaluated"),
    "case.escalate": _("Case escalated"),
    "case.supervise": _("Case supervised"),
    "case.reopen": _("Case reopened"),
    "case.escalate_overdue": _("Escalated as overdue"),
    "case.flag_overdue": _("Flagged overdue"),
    "case.attach": _("Files attached to a case"),
    "case.deadline_warning": _("Deadline warning sent"),
    "staff.create": _("Person added to the roster"),
    "staff.update": _("Person's details changed"),
    "staff.call": _("Called a person of the roster"),
    "staff.reveal": _("Revealed a staff member's full ID number and phone"),
    "staff.duplicate": _("ID number also entered on another roster"),
    "post.add": _("Post given"),
    "post.end": _("Post ended"),
    "user.create": _("Login granted"),
    "user.update": _("Login's role or area changed"),
    "evaluation.compute": _("Evaluation computed"),
    "evaluation.review": _("Evaluation reviewed"),
    "evaluation.follow_up": _("Evaluation followed up"),
    "resident.register": _("Resident registered"),
    "resident.update": _("Resident's details changed"),
    "resident.status": _("Resident's status changed"),
    "resident.visit": _("Visit recorded"),
    "resident.erase": _("Personal data erased"),
    "resident.flagged": _("Stopped at the hourly limit and reported"),
    "score.enter": _("Assessment values entered"),
    "incident.record": _("Three-zero incident recorded"),
    "inspection.record": _("Inspection recorded"),
    "ranking.compute": _("Ranking computed"),
    "ranking.publish": _("Ranking published"),
    "ranking.new_version": _("Ranking corrected"),
    "campaign.create": _("Campaign drafted"),
    "campaign.targets": _("Campaign targets uploaded"),
    "campaign.launch": _("Campaign launched"),
    "campaign.end": _("Campaign finished"),
    "campaign.cancel": _("Campaign cancelled"),
    "task.complete": _("Campaign task completed"),
    "instruction.send": _("Urgent instruction sent"),
    "instruction.confirm": _("Instruction confirmed"),
    "meeting.record": _("Analysis meeting recorded"),
    "training.record": _("Training recorded"),
    "training.spot_check": _("Spot check recorded"),
    "area.create": _("Area added"),
    "area.update": _("Area changed"),
    "area.import": _("Areas imported"),
    "settings.change": _("Settings changed"),
    "login.success": _("Logged in"),
    "login.failure": _("Login failed"),
    "camera.import": _("Cameras imported from the video platform's export"),
    "camera.platform_create": _("Video platform key created"),
    "camera.task_close": _("Camera maintenance task closed"),
    "camera.tasks_generate": _("Camera maintenance tasks opened from the inspection"),
    "fund.donation": _("Donation to the happiness fund"),
    "fund.redemption": _("Points redeemed from the happiness fund"),
    "household.add": _("Household added to the points list"),
    "points.approve": _("Point items approved"),
    "points.award_all": _("Point item awarded to every household"),
    "points.objection": _("Objection to a point item"),
    "points.objection_decide": _("Objection to a point item decided"),
    "points.record": _("Point item recorded"),
    "points.reject": _("Point item not approved"),
    "rules.adopt": _("Village rules adopted from the county's defaults"),
    "rules.change": _("Village rules changed"),
    "rules.defaults": _("County's default point rules written"),
}
ACTION_FAMILIES = {
    "case.": _("Cases"),
    "staff.": _("Staff"),
    "post.": _("Posts"),
    "user.": _("Logins"),
    "resident.": _("Residents of concern"),
    "score.": _("Assessment values"),
    "ranking.": _("Rankings"),
    "training.": _("Training and spot checks"),
    "evaluation.": _("Evaluations"),
    "incident.": _("Three-zero incidents"),
    "inspection.": _("Inspections"),
    "campaign.": _("Campaigns"),
    "task.": _("Campaign tasks"),
    "instruction.": _("Urgent instructions"),
    "meeting.": _("Analysis meetings"),
    "area.": _("Areas"),
    "settings.": _("Settings"),
    "login.": _("Logging in"),
}
