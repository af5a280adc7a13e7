"""The roster and the coverage report as Excel workbooks (openpyxl's streaming writer).
ID and phone numbers leave the system masked, as on the pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from governance.platform.validators import mask_id_number, mask_phone
from governance.platform.xlsx import Workbook, bold_row, workbook_bytes
from personnel.models import Staff
from personnel.services.coverage import Gap, Rate

EXPORT_LIMIT = 100_000


def _sheet(workbook: Workbook, title: str, headers: list[str], widths: list[int]):
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(bold_row(sheet, headers))
    return sheet


def staff_workbook(staff: Iterable[Staff]) -> bytes:
    """One row per person; `staff` comes from personnel.selectors.staff_list (open posts
    prefetched)."""
    workbook = Workbook(write_only=True)
    sheet = _sheet(
        workbook,
        _("Roster"),
        [
            _("Full name"),
            _("Gender"),
            _("Mobile"),
            _("ID number"),
            _("Employer / unit"),
            _("Managed by"),
            _("Division code"),
            _("Open posts"),
            _("Login"),
        ],
        [10, 6, 14, 22, 20, 16, 15, 48, 8],
    )
    yes = _("Yes")
    for person in staff:
        posts = "; ".join(f"{post.label} · {post.area.name}" for post in person.open_posts)
        sheet.append(
            [
                person.name,
                person.get_gender_display(),
                mask_phone(person.phone),
                mask_id_number(person.id_number),
                person.employer,
                person.area.name,
                person.area.code,
                posts,
                yes if person.user_id else "",
            ]
        )
    return workbook_bytes(workbook)


def coverage_workbook(*, gaps: list[Gap], rates: list[Rate]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = _sheet(
        workbook,
        _("Gaps"),
        [
            _("Township / street"),
            _("Village / community"),
            _("Area"),
            _("Division code"),
            _("Missing post"),
            _("Missing"),
            _("Vacant since"),
        ],
        [16, 16, 16, 20, 30, 8, 14],
    )
    never = _("Never filled")
    for gap in gaps:
        sheet.append(
            [
                gap.township_name,
                gap.village_name,
                gap.area_name,
                gap.area_code,
                gap.post_label,
                gap.missing,
                gap.since.isoformat() if gap.since else never,
            ]
        )
    sheet = _sheet(
        workbook,
        _("Rates"),
        [
            _("Township / street"),
            _("Division code"),
            _("Posts required"),
            _("Posts filled"),
            _("Gaps"),
            _("Coverage (%)"),
        ],
        [16, 15, 10, 10, 8, 10],
    )
    for rate in rates:
        sheet.append([rate.name, rate.code, rate.required, rate.filled, rate.gaps, rate.rate])
    return workbook_bytes(workbook)
