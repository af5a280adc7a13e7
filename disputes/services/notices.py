"""The words of case notifications. They are stored and sent as SMS, so they are written
in the site's language (Chinese), whatever language the person who acted had chosen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from disputes.models import Case, CaseLevel


@contextmanager
def site_language() -> Iterator[None]:
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def assigned(case: Case) -> str:
    return _("Case “%(title)s” has been assigned to you; handle it by %(deadline)s.") % {
        "title": case.title,
        "deadline": _when(case.deadline),
    }


def returned(case: Case, *, by, reason: str) -> str:
    return _("Case “%(title)s” was returned by %(person)s: %(reason)s") % {
        "title": case.title,
        "person": by,
        "reason": reason,
    }


def supervised(case: Case) -> str:
    return _("Case “%(title)s” is under supervision; it must be handled by %(deadline)s.") % {
        "title": case.title,
        "deadline": _when(case.supervision_deadline),
    }


def escalated(case: Case, *, reason: str) -> str:
    return _("Case “%(title)s” was escalated to the %(level)s centre: %(reason)s") % {
        "title": case.title,
        "level": CaseLevel(case.level).label,
        "reason": reason,
    }


def escalated_overdue(case: Case) -> str:
    return _(
        "Case “%(title)s” passed its deadline and was escalated to the %(level)s centre; "
        "handle it by %(deadline)s."
    ) % {
        "title": case.title,
        "level": CaseLevel(case.level).label,
        "deadline": _when(case.deadline),
    }


def overdue(case: Case) -> str:
    return _("Case “%(title)s” is overdue at county level.") % {"title": case.title}


def deadline_warning(case: Case) -> str:
    return _("Case “%(title)s” is close to its deadline at this level: %(deadline)s.") % {
        "title": case.title,
        "deadline": _when(case.deadline),
    }
