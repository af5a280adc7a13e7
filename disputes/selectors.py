from __future__ import annotations

from django.db.models import QuerySet

from disputes.models import Case, CaseEvent, Category
from governance.jurisdiction import scope


def cases_visible_to(user) -> QuerySet[Case]:
    return scope(user, Case.objects.all(), via="grid")


def case_list(*, user) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .select_related("category", "grid", "village", "township", "reporter")
        .order_by("-created_at", "-id")
    )


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor")


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)
