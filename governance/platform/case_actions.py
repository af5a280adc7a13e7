"""The steps of a case's workflow, as its timeline stores them (CaseEvent.action) and as the
API and the pages name them. Here, below every app, because the role rules of
grids.jurisdiction name them as well as the case workflow (disputes) does; disputes.models
gives it as `CaseAction`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseAction(models.TextChoices):
    # The label is how the step reads in the timeline and on its action button.
    REPORT = "report", _("Reported")
    ACCEPT = "accept", _("Accept")
    MERGE = "merge", _("Merge as duplicate")
    ASSIGN = "assign", _("Assign")
    RECORD = "record", _("Record handling")
    RETURN = "return", _("Return the assignment")
    RESOLVE = "resolve", _("Finish my line")
    CLOSE = "close", _("Close the case")
    EVALUATE = "evaluate", _("Evaluate")
    ESCALATE = "escalate", _("Escalate one level up")
    SUPERVISE = "supervise", _("Supervise")
    REOPEN = "reopen", _("Reopen")
    # Steps the sweeps take, never a person.
    ESCALATE_OVERDUE = "escalate_overdue", _("Escalated automatically: overdue")
    FLAG_OVERDUE = "flag_overdue", _("Flagged overdue at county level")
    DEADLINE_WARNING = "deadline_warning", _("Deadline warning")
