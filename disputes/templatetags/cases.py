"""Display helpers for case pages: masked personal numbers and timeline wording."""

from django import template

from disputes.models import ACTION_LABELS, AssignmentLine, CaseStatus

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    """430521********1234: enough to tell two parties apart, not enough to misuse."""
    value = str(value or "")
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else value


@register.filter
def mask_phone(value: str) -> str:
    value = str(value or "")
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value


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
