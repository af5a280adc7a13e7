"""A form sent twice (a double tap, a resend after the signal dropped) makes one record:
each form carries a client UUID, stored unique on what it makes; the same UUID again
returns what the first sending made.

It returns it only to its maker, and only while the maker may still see it: the lookup goes
through `visible`, the domain's scoped selector for the caller (cases_visible_to…). Anyone
else — the maker too, once moved out of its jurisdiction — is refused exactly as for a UUID
in use, and learns nothing of what it made."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)


def uuid_in_use() -> ValidationError:
    return ValidationError({"client_uuid": [_("This client UUID is already in use.")]})


def made_before(
    visible: QuerySet[M], *, client_uuid: uuid.UUID | None, actor, by: str = "created_by"
) -> M | None:
    """What this UUID already made, if `actor` made it and `visible` holds it; None if it
    made nothing; otherwise refused as a UUID in use."""
    if client_uuid is None:
        return None
    # Nearly always nothing: asked of the unique index alone.
    if not visible.model._default_manager.filter(client_uuid=client_uuid).exists():
        return None
    existing = visible.filter(client_uuid=client_uuid, **{by: actor}).first()
    if existing is None:
        raise uuid_in_use()
    return existing


def once(visible: QuerySet[M], *, client_uuid: uuid.UUID | None, actor, make: Callable[[], M]) -> M:
    """`make()` unless this UUID made it already; a concurrent twin that wins the race on
    the unique UUID (make() then raises IntegrityError) is returned instead."""
    existing = made_before(visible, client_uuid=client_uuid, actor=actor)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a clash
            return make()
    except IntegrityError:
        existing = made_before(visible, client_uuid=client_uuid, actor=actor)
        if existing is None:
            raise
        return existing
