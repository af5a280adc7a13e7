"""The monthly bulletin 通报: the ranking tables of one snapshot as the page shows them, and
as an Excel workbook laid out for printing (one sheet per level, A4 landscape)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from assessment.models import IncidentKind, RankingRow, RankingSnapshot
from assessment.services.scoring import default_unit
from governance.platform.xlsx import Workbook, workbook_bytes
from grids.models import AreaLevel


def level_columns(snapshot: RankingSnapshot, level: str) -> list[dict]:
    """The snapshot's indicators that apply to `level`, as they were when computed."""
    return [spec for spec in snapshot.indicators if level in spec["levels"]]


def unit_of(spec: dict) -> str:
    """The indicator's unit; a snapshot computed before indicators had one reads it from
    its formula and source."""
    if "unit" in spec:
        return spec["unit"]
    return default_unit(
        formula=spec["formula"],
        source=spec["source"],
        is_percentage=spec.get("is_percentage", False),
    )


def with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}"


def value_text(spec: dict, entry: dict | None) -> str:
    """An indicator's value as people read it: "96.3%", "1.25 每千户", "88 分", or "—" when
    not measured."""
    value = (entry or {}).get("value")
    if value is None:
        return "—"
    number = Decimal(value).normalize()
    return with_unit(f"{number:f}", unit_of(spec))


def points_text(entry: dict | None) -> str:
    points = (entry or {}).get("points")
    if points in (None, ""):
        return ""
    return f"{Decimal(points).normalize():f}"


@dataclass
class Cell:
    code: str
    name: str
    text: str
    points: str
    weight: str
    measured: bool


@dataclass
class Line:
    row: RankingRow
    cells: list[Cell]

    @property
    def veto_labels(self) -> list[str]:
        return [str(IncidentKind(kind).label) for kind in self.row.veto_kinds]


def table_lines(rows: list[RankingRow], columns: list[dict]) -> list[Line]:
    return [
        Line(
            row=row,
            cells=[
                Cell(
                    code=spec["code"],
                    name=spec["name"],
                    text=value_text(spec, row.values.get(spec["code"])),
                    points=points_text(row.values.get(spec["code"])),
                    weight=f"{Decimal(spec['weight']).normalize():f}",
                    measured=(row.values.get(spec["code"]) or {}).get("value") is not None,
                )
                for spec in columns
            ],
        )
        for row in rows
    ]


def change_text(row: RankingRow) -> str:
    change = row.rank_change
    if change is None:
        return _("new")
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


def month_text(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")  # 2026年10月


def bulletin_issuer(snapshot: RankingSnapshot) -> str:
    """The issuing body printed in red atop the bulletin (红头): the county's committee."""
    return _("Political and Legal Affairs Commission of the %(county)s CPC Committee") % {
        "county": snapshot.county.name
    }


def document_reference(snapshot: RankingSnapshot) -> str:
    """The document number 文号, "清政法〔2026〕3号": the county's first character, the
    committee's short name, the year and the number; empty until published."""
    if snapshot.document_number is None:
        return ""
    short = snapshot.county.name[:1]
    return f"{short}政法〔{snapshot.document_year}〕{snapshot.document_number}号"


def bulletin_title(snapshot: RankingSnapshot, level: str) -> str:
    what = _("townships") if level == AreaLevel.TOWNSHIP else _("villages and communities")
    return _("%(county)s %(month)s assessment ranking of %(what)s") % {
        "county": snapshot.county.name,
        "month": month_text(snapshot.month),
        "what": what,
    }


THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
VETO_FILL = PatternFill("solid", fgColor="FDE2E1")
RED = "C00000"


def bulletin_workbook(
    *, snapshot: RankingSnapshot, rows_by_level: dict[str, list[RankingRow]]
) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = " ".join(
        part for part in (document_reference(snapshot), bulletin_issuer(snapshot)) if part
    )
    for level, rows in rows_by_level.items():
        _level_sheet(workbook, snapshot, level, rows)
    _rules_sheet(workbook, snapshot)
    return workbook_bytes(workbook)


def _level_sheet(workbook: Workbook, snapshot: RankingSnapshot, level: str, rows) -> None:
    columns = level_columns(snapshot, level)
    is_village = level == AreaLevel.VILLAGE
    sheet = workbook.create_sheet(_("Townships") if not is_village else _("Villages"))
    headers = [_("Rank"), _("Township") if not is_village else _("Village / community")]
    widths = [7, 16]
    if is_village:
        headers += [_("Township"), _("Rank in township")]
        widths += [14, 9]
    headers += [_("Score"), _("Rank change"), _("Three zeros")]
    widths += [9, 8, 14]
    if is_village:
        headers.append(_("Safe-village candidate"))
        widths.append(10)
    headers += [spec["name"] for spec in columns]
    widths += [max(9, len(spec["name"]) * 2 + 2) for spec in columns]

    width = len(headers)
    sheet.append([bulletin_title(snapshot, level)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=15)
    sheet["A1"].alignment = Alignment(horizontal="center")
    status = _("published") if snapshot.is_published else _("draft, not published")
    reference = document_reference(snapshot)
    sheet.append(
        [
            (f"{bulletin_issuer(snapshot)} {reference}  " if reference else "")
            + _("Version %(version)s, %(status)s; scoring scheme %(year)s; full marks 100.")
            % {"version": snapshot.version, "status": status, "year": snapshot.month.year}
            + (f" {_('Reason')}: {snapshot.reason}" if snapshot.reason else "")
        ]
    )
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    yes = _("Yes")
    for line in table_lines(rows, columns):
        row = line.row
        values = [_("Not ranked") if row.veto else row.rank, row.area.name]
        if is_village:
            values += [
                row.township.name if row.township else "",
                None if row.veto else row.rank_in_township,
            ]
        values += [
            float(row.score),
            "—" if row.veto else change_text(row),
            _("Vetoed: %(kinds)s") % {"kinds": "、".join(line.veto_labels)} if row.veto else "",
        ]
        if is_village:
            values.append(yes if row.safe_candidate else "")
        values += [cell.text for cell in line.cells]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.border = BORDER
            if row.veto:
                cell.fill = VETO_FILL
    score_column = get_column_letter(headers.index(_("Score")) + 1)
    for cell in sheet[score_column][3:]:
        cell.number_format = "0.00"
    for index, column_width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = _("Page &P of &N")
    # 红头 on every printed page: the issuing body in red, the document number beside it.
    sheet.oddHeader.center.text = bulletin_issuer(snapshot)
    sheet.oddHeader.center.color = RED
    sheet.oddHeader.center.size = 14
    sheet.oddHeader.right.text = reference


def _rules_sheet(workbook: Workbook, snapshot: RankingSnapshot) -> None:
    sheet = workbook.create_sheet(_("Indicators"))
    sheet.append([_("Indicator"), _("Weight"), _("Full marks at"), _("Zero at"), _("Levels")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    labels = {AreaLevel.TOWNSHIP: _("townships"), AreaLevel.VILLAGE: _("villages")}
    for spec in snapshot.indicators:
        sheet.append(
            [
                spec["name"],
                float(spec["weight"]),
                spec["full_marks_at"],
                spec["zero_at"],
                "、".join(str(labels[level]) for level in spec["levels"]),
            ]
        )
    sheet.append([])
    sheet.append(
        [
            _(
                "An area with fewer than %(min)s cases in the month, or with nothing to "
                "measure, gets the rule of the scheme for that indicator: %(rule)s."
            )
            % {"min": snapshot.min_cases, "rule": snapshot.get_below_min_rule_display()}
        ]
    )
    sheet.append(
        [
            _(
                "A township or village with a petition to higher levels, a major safety "
                "accident or a criminal case in the month fails “three zeros”: one-vote veto, "
                "it keeps its score but is not ranked, and no vetoed village is a safe-village "
                "candidate."
            )
        ]
    )
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["E"].width = 14
