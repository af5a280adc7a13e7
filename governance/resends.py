"""A form sent twice (a double tap, a resend after the signal dropped) makes one record:
each form carries a client UUID, stored unique on what it makes; the same UUID again
returns what the first sending made."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)


def made_before(model: type[M], *, client_uuid: uuid.UUID | None, actor, by: str = "created_by"):
    """What this UUID already made, or None; someone else's UUID is refused."""
    if client_uuid is None:
        return None
    existing = model.objects.filter(client_uuid=client_uuid).first()
    if existing is not None and getattr(existing, f"{by}_id") != actor.pk:
        raise ValidationError({"client_uuid": [_("This client UUID is already in use.")]})
    return existing


def once(model: type[M], *, client_uuid: uuid.UUID | None, actor, make: Callable[[], M]) -> M:
    """`make()` unless this UUID made it already; a concurrent twin that wins the race on
    the unique UUID (make() then raises IntegrityError) is returned instead."""
    existing = made_before(model, client_uuid=client_uuid, actor=actor)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a clash
            return make()
    except IntegrityError:
        existing = made_before(model, client_uuid=client_uuid, actor=actor)
        if existing is None:
            raise
        return existing
