"""An export's job is its requester's alone: anyone else, whatever their role or area,
finds nothing (a 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from exports.models import ExportJob

if TYPE_CHECKING:
    from personnel.models import User


def export_jobs_of(*, user: User) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(requester_id=user.pk)
