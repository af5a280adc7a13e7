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
tests/security/test_security_findings_exports.py checks every module for it. Exports to
people are written as a `LedgerWorkbook` of `Ledger` sheets: the county's one layout of a
台账 (below), checked over every export endpoint by tests/exports/test_ledgers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

import openpyxl
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from governance.platform.validators import MOBILE_PATTERN, mask_phone

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


# --- The county's 台账: every export's one layout ----------------------------------------
#
# A title row, the period and the area, when and by whom the workbook was exported (and,
# for personal data, the watermark), then the header row with 序号 first, frozen, filtered
# and repeated on every printed page (A4 landscape, fitted to the page's width). Dates and
# times are Excel dates in the site's time zone, booleans 是/否, nothing an empty cell.

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
TITLE_FONT = Font(bold=True, size=14)
MARK_FONT = Font(bold=True, color="B42318")
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
HIGHLIGHT_FILL = PatternFill("solid", fgColor="FDE2E1")
THIN = Side(style="thin", color="999999")
HEAD_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NUMBER_WIDTH = 6


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12


def exporter_name(user) -> str:
    """Who exported, as colleagues know them: the name (a login that was once a phone
    number is masked)."""
    name = str(user)
    return mask_phone(name) if MOBILE_PATTERN.fullmatch(name) else name


def export_line(user) -> str:
    return _("Exported at %(time)s by %(name)s") % {
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "name": exporter_name(user),
    }


def period_text(since: date | None = None, until: date | None = None) -> str:
    if since and until:
        return f"{since:%Y-%m-%d} — {until:%Y-%m-%d}"
    if since:
        return _("from %(day)s") % {"day": f"{since:%Y-%m-%d}"}
    if until:
        return _("until %(day)s") % {"day": f"{until:%Y-%m-%d}"}
    return _("all dates")


def month_text(month: date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")  # 2026年12月


def file_period(since: date | None = None, until: date | None = None) -> str:
    """The period in a file name: 2026年12月 for a calendar month, else the dates, else the
    day of the export."""
    if since and until:
        if (
            since.day == 1
            and (until + timedelta(days=1)).day == 1
            and since.replace(day=1) == until.replace(day=1)
        ):
            return month_text(since)
        return f"{since:%Y%m%d}-{until:%Y%m%d}"
    if since or until:
        return period_text(since, until)
    return date_format(timezone.localdate(), "DATE_FORMAT")


def as_of_today() -> str:
    return _("as of %(day)s") % {"day": f"{timezone.localdate():%Y-%m-%d}"}


class Ledger:
    """One sheet of a 台账 being written (streaming): `append` numbers each row."""

    def __init__(
        self,
        workbook: Workbook,
        *,
        title: str,
        columns: list[Column],
        user,
        period: str = "",
        area: str = "",
        mark: str = "",
        sheet_title: str = "",
        numbered: bool = True,
    ) -> None:
        self.workbook = workbook
        self.sheet = sheet = workbook.create_sheet(sheet_name(sheet_title or title))
        self.numbered = numbered
        self.columns = ([Column(_("Serial No."), NUMBER_WIDTH)] if numbered else []) + columns
        self.count = 0
        self.yes, self.no = _("Yes"), _("No")
        captions = [
            "　".join(
                part
                for part in (
                    _("Period: %(period)s") % {"period": period} if period else "",
                    _("Area: %(area)s") % {"area": area} if area else "",
                )
                if part
            ),
            export_line(user),
        ]
        self.header_row = 2 + len(captions) + (1 if mark else 0)
        # Everything before the first row is written when the first row is: set it now.
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = f"A{self.header_row + 1}"
        sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        printed = _("Page &P of &N")
        if mark:
            shown = mark if len(mark) <= HEADER_FOOTER_MAX else mark[: HEADER_FOOTER_MAX - 1] + "…"
            shown = shown.replace("&", "&&")  # & starts a control code in headers and footers
            sheet.oddHeader.center.text = shown
            sheet.oddFooter.center.text = shown
            sheet.oddFooter.right.text = "&P / &N"
        else:
            sheet.oddFooter.center.text = printed
        last = get_column_letter(len(self.columns))
        sheet.merged_cells.add(CellRange(f"A1:{last}1"))
        sheet.append([styled(sheet, title, font=TITLE_FONT)])
        for caption in captions:
            sheet.append([caption])
        if mark:
            sheet.append([styled(sheet, mark, font=MARK_FONT)])
        sheet.append([self._head(column.header) for column in self.columns])

    def _head(self, header: str) -> Cell:
        cell = styled(self.sheet, str(header), font=BOLD)
        cell.fill = HEAD_FILL
        cell.border = HEAD_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return cell

    def append(
        self, values: Iterable[Any], *, numbered: bool = True, bold: bool = False, highlight=False
    ) -> None:
        """A row of values (the 序号 is added); `numbered=False` for a subtotal's row."""
        row = [self._cell(value, bold=bold, highlight=highlight) for value in values]
        if self.numbered:
            if numbered:
                self.count += 1
            row.insert(0, self.count if numbered else None)
        self.sheet.append(row)
        if numbered and isinstance(self.workbook, LedgerWorkbook):
            self.workbook.row_written()

    def note(self, text: str) -> None:
        """A line of text under the table (a rule, an explanation)."""
        self.sheet.append([text])

    def _cell(self, value: Any, *, bold: bool, highlight: bool) -> Any:
        value = excel_value(value, yes=self.yes, no=self.no)
        number_format = None
        if isinstance(value, datetime):
            number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            number_format = DATE_FORMAT
        if number_format is None and not bold and not highlight:
            return value
        cell = styled(self.sheet, value, font=BOLD if bold else None)
        if number_format:
            cell.number_format = number_format
        if highlight:
            cell.fill = HIGHLIGHT_FILL
        return cell

    def close(self) -> None:
        """The filter over the header and every row written."""
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A{self.header_row}:{last}{self.header_row + self.count}"


def excel_value(value: Any, *, yes: str, no: str) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)  # Excel knows no time zone
    if isinstance(value, Promise):
        return str(value)
    return value


def sheet_name(title: str) -> str:
    """At most 31 characters, none of []:*?/ or backslash."""
    return "".join(c for c in str(title) if c not in "[]:*?/\\")[:31] or "Sheet"


PROGRESS_EVERY = 500  # rows between two reports of progress


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str  # 事件台账_城关镇_2026年12月.xlsx
    fallback: str  # an ASCII stem for clients that read no other: "cases"


def no_progress(rows: int) -> None:
    return None


class LedgerWorkbook(Workbook):
    """A streaming workbook of 台账 sheets, its properties saying who made it; `progress` is
    told the rows written so far, every PROGRESS_EVERY rows."""

    def __init__(
        self, *, title: str, user, mark: str = "", progress: Callable[[int], None] = no_progress
    ) -> None:
        super().__init__(write_only=True)
        self.progress = progress
        self.rows = 0
        self.properties.creator = exporter_name(user)
        self.properties.title = title
        if mark:
            self.properties.description = mark
        self.user = user
        self.ledgers: list[Ledger] = []

    def ledger(self, **kwargs) -> Ledger:
        kwargs.setdefault("user", self.user)
        ledger = Ledger(self, **kwargs)
        self.ledgers.append(ledger)
        return ledger

    def row_written(self) -> None:
        self.rows += 1
        if self.rows % PROGRESS_EVERY == 0:
            self.progress(self.rows)

    def content(self) -> bytes:
        for ledger in self.ledgers:
            ledger.close()
        return workbook_bytes(self)


def export_filename(*parts: str) -> str:
    """事件台账_城关镇_2026年12月.xlsx: the parts given, without characters a file name
    cannot hold."""
    cleaned = [
        "".join(c for c in str(part) if c not in '\\/:*?"<>|\r\n\t').strip() for part in parts
    ]
    return "_".join(part for part in cleaned if part) + ".xlsx"
