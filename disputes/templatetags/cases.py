"""Display helpers for case pages: masked personal numbers and timeline wording."""

from django import template
from django.utils.translation import pgettext

from disputes.models import AssignmentLine, AssignmentStatus, CaseAction, CaseStatus
from disputes.selectors.cases import staff_assignments_seen_by
from governance.platform.validators import mask_id_number, mask_phone

register = template.Library()

CASES_SHOWN = 20  # on a person's page


register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


@register.filter
def event_label(action: str) -> str:
    return str(CaseAction(action).label) if action in CaseAction.values else action


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def line_label(value: str) -> str:
    return str(AssignmentLine(value).label) if value in AssignmentLine.values else value


@register.filter
def line_state(assignment) -> str:
    """An assignment line's state in the words of the loop: 办理中, 已办结, 已退回…"""
    if assignment.status == AssignmentStatus.DONE:
        return pgettext("assignment line", "Handled")
    return assignment.get_status_display()


@register.filter
def status_label(value: str) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else value


@register.simple_tag(takes_context=True)
def staff_assignments(context, staff) -> list:
    """A person's latest assignment lines on the cases the viewer may see (the staff page)."""
    user = context["request"].user
    return list(staff_assignments_seen_by(user=user, staff=staff)[:CASES_SHOWN])
