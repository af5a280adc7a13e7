"""The words of case notifications. They are stored and sent as SMS, so they are written
in the site's language (Chinese), whatever language the person who acted had chosen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


def new_report(case: Case) -> str:
    return _("New report “%(title)s” from %(place)s is waiting for analysis.") % {
        "title": case.title,
        "place": f"{case.village.name} {case.grid.name}",
    }


def lines_done(case: Case) -> str:
    return _(
        "Every line of case “%(title)s” has been handled (%(status)s); review and close it."
    ) % {"title": case.title, "status": case.get_status_display()}


def closed(case: Case) -> str:
    return _("Case “%(title)s” that you reported has been handled and closed.") % {
        "title": case.title
    }


def supervision_due(case: Case) -> str:
    return _("Supervised case “%(title)s” must be handled by %(deadline)s.") % {
        "title": case.title,
        "deadline": _when(case.supervision_deadline),
    }


def supervision_overdue(case: Case) -> str:
    return _("Supervised case “%(title)s” passed its supervision deadline %(deadline)s.") % {
        "title": case.title,
        "deadline": _when(case.supervision_deadline),
    }


# A sweep's message to someone with several cases in it: how many, and the first's title.


def _several(singular: str, plural: str):
    def text(notices: list) -> str:
        return ngettext(singular, plural, len(notices)) % {"count": len(notices)}

    return text


escalated_several = _several(
    "%(count)s case passed its deadline and moved up a level; see the list.",
    "%(count)s cases passed their deadline and moved up a level; see the list.",
)
overdue_several = _several(
    "%(count)s case is overdue at county level; see the list.",
    "%(count)s cases are overdue at county level; see the list.",
)
deadline_warning_several = _several(
    "%(count)s case is close to its deadline; see the list.",
    "%(count)s cases are close to their deadline; see the list.",
)
supervision_due_several = _several(
    "%(count)s supervised case is close to its supervision deadline; see the list.",
    "%(count)s supervised cases are close to their supervision deadline; see the list.",
)
supervision_overdue_several = _several(
    "%(count)s supervised case passed its supervision deadline; see the list.",
    "%(count)s supervised cases passed their supervision deadline; see the list.",
)
