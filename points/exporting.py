"""The list of households whose points reach a threshold, for a partner bank's points loans
积分贷, as a ledger workbook (governance.platform.xlsx)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.platform.xlsx import Column, Export, LedgerWorkbook, as_of_today, export_filename
from points import selectors

if TYPE_CHECKING:
    from grids.models import Area
    from personnel.models import User

TITLE = gettext_lazy("Households by points")
COLUMNS = [
    (gettext_lazy("Township"), 12),
    (gettext_lazy("Village"), 14),
    (gettext_lazy("Grid"), 14),
    (gettext_lazy("Head of household"), 12),
    (gettext_lazy("Address"), 28),
    (gettext_lazy("Members"), 8),
    (gettext_lazy("Points earned"), 10),
    (gettext_lazy("Points redeemed"), 10),
    (gettext_lazy("Balance"), 10),
]


def bank_list_export(*, user: User, area: Area, threshold: int) -> Export:
    households = selectors.households_above(user=user, area=area, threshold=threshold)
    workbook = LedgerWorkbook(title=str(TITLE), user=user)
    ledger = workbook.ledger(
        title=_("Households with at least %(points)s points") % {"points": threshold},
        sheet_title=str(TITLE),
        period=as_of_today(),
        area=area.name,
        columns=[Column(str(header), width) for header, width in COLUMNS],
    )
    for household in households.iterator(chunk_size=2000):
        ledger.append(
            [
                household.village.parent.name if household.village.parent_id else "",
                household.village.name,
                household.grid.name,
                household.head_name,
                household.address,
                household.members,
                household.earned,
                household.spent,
                household.balance,
            ]
        )
    return Export(
        content=workbook.content(),
        filename=export_filename(str(TITLE), area.name),
        fallback="points-households",
    )
