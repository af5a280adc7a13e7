"""How long the register keeps a person's personal data after they leave management
(个人信息保存期限, PIPL art. 19 and 47): once `RESIDENT_RETENTION_YEARS` have passed since a
person moved away, died or was taken off the register, their ID number, phone, address,
situation and the visits' situations, needs, next steps, photos and locations are erased,
and the name keeps only the surname (张某), as published judgments do. What stays is what
the statistics and the assessment count: the category, risk, grid, dates and the visits'
dates and outcomes. The erasure is final; a person who comes back is registered afresh."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, Left
from django.utils import timezone

from audit.services import AuditInput, audit_record_many
from residents.models import Resident, ResidentStatus, Visit

ERASED_HASH_PREFIX = "erased:"


def retention_cutoff(*, today: date, years: int) -> date:
    """The last day of leaving management whose data is now past its period."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one
        return today.replace(year=today.year - years, day=28)


def residents_past_retention(*, today: date | None = None):
    today = today or timezone.localdate()
    cutoff = retention_cutoff(today=today, years=settings.RESIDENT_RETENTION_YEARS)
    return Resident.objects.filter(erased_on__isnull=True, closed_on__lte=cutoff).exclude(
        status=ResidentStatus.ACTIVE
    )


def residents_erase_expired(*, today: date | None = None) -> int:
    """Erase the personal data of everyone past the retention period, set-based; safe to
    run twice or from two workers at once (a row erased once is no longer selected)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        grids = dict(
            residents_past_retention(today=today)
            .select_for_update(skip_locked=True)
            .values_list("pk", "grid_id")
        )
        if not grids:
            return 0
        ids = list(grids)
        photos = [
            name
            for name in Visit.objects.filter(resident_id__in=ids)
            .exclude(photo="")
            .values_list("photo", flat=True)
        ]
        Visit.objects.filter(resident_id__in=ids).update(
            situation="",
            needs="",
            follow_up="",
            photo="",
            location_lat=None,
            location_lng=None,
        )
        Resident.objects.filter(pk__in=ids).update(
            name=Concat(Left("name", 1), Value("某")),
            id_number="",
            # The keyed hash goes too, so the same ID number can be registered again.
            id_number_hash=Concat(Value(ERASED_HASH_PREFIX), Cast("pk", CharField())),
            phone="",
            address="",
            situation="",
            erased_on=today,
            updated_at=timezone.now(),
        )
        audit_record_many(
            [
                AuditInput(
                    action="resident.erase",
                    object_type="resident",
                    object_id=str(pk),
                    area_id=grid_id,
                    new={"erased_on": today},
                )
                for pk, grid_id in grids.items()
            ]
        )
        storage = Visit.photo.field.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in photos])
    return len(ids)
