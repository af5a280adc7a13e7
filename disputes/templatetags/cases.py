"""Display helpers for case pages: masked personal numbers and timeline wording."""

from django import template

from disputes.models import ACTION_LABELS, AssignmentLine, CaseStatus
from governance.platform.validators import mask_id_number, mask_phone

register = template.Library()


register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


@register.filter
def event_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def line_label(value: str) -> str:
    return str(AssignmentLine(value).label) if value in AssignmentLine.values else value


@register.filter
def status_label(value: str) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else value
