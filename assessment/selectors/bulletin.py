"""The monthly bulletin 通报: the ranking tables of one snapshot as the page shows them, and
as an Excel workbook laid out for printing (one sheet per level, A4 landscape)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessment.models import FormulaKind, IncidentKind, RankingRow, RankingSnapshot, Source
from governance.platform.xlsx import Column, Export, LedgerWorkbook, export_filename
from grids.models import AreaLevel


def level_columns(snapshot: RankingSnapshot, level: str) -> list[dict]:
    """The snapshot's indicators that apply to `level`, as they were when computed."""
    return [spec for spec in snapshot.indicators if level in spec["levels"]]


SCORE_SOURCES = (Source.EVALUATION_SCORE, Source.INSPECTION_SCORE)


def value_text(spec: dict, entry: dict | None) -> str:
    """An indicator's value as people read it: "96.3%", "1.25", or "—" when not measured."""
    value = (entry or {}).get("value")
    if value is None:
        return "—"
    number = Decimal(value).normalize()
    text = f"{number:f}"
    # A rate reads as a percentage; a score out of 100 (evaluations, inspections) does not.
    is_rate = spec["formula"] == FormulaKind.RATE and spec["source"] not in SCORE_SOURCES
    return f"{text}%" if is_rate else text


@dataclass
class Cell:
    code: str
    text: str
    points: str
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
                    text=value_text(spec, row.values.get(spec["code"])),
                    points=(row.values.get(spec["code"]) or {}).get("points", ""),
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


def bulletin_title(snapshot: RankingSnapshot, level: str) -> str:
    what = _("townships") if level == AreaLevel.TOWNSHIP else _("villages and communities")
    return _("%(county)s %(month)s assessment ranking of %(what)s") % {
        "county": snapshot.county.name,
        "month": month_text(snapshot.month),
        "what": what,
    }


def bulletin_export(
    *, snapshot: RankingSnapshot, rows_by_level: dict[str, list[RankingRow]], user
) -> Export:
    month = month_text(snapshot.month)
    workbook = LedgerWorkbook(title=_("Monthly bulletin"), user=user)
    for level, rows in rows_by_level.items():
        _level_sheet(workbook, snapshot, level, rows)
    _rules_sheet(workbook, snapshot)
    return Export(
        content=workbook.content(),
        filename=export_filename(_("Assessment bulletin"), snapshot.county.name, month),
        fallback=f"bulletin-{snapshot.month:%Y-%m}-v{snapshot.version}",
    )


def _level_sheet(workbook: LedgerWorkbook, snapshot: RankingSnapshot, level: str, rows) -> None:
    columns = level_columns(snapshot, level)
    is_village = level == AreaLevel.VILLAGE
    headers = [Column(_("Rank"), 7)]
    headers.append(Column(_("Township") if not is_village else _("Village / community"), 16))
    if is_village:
        headers += [Column(_("Township"), 14), Column(_("Rank in township"), 9)]
    headers += [Column(_("Score"), 9), Column(_("Rank change"), 8), Column(_("Three zeros"), 14)]
    if is_village:
        headers.append(Column(_("Safe-village candidate"), 10))
    headers += [Column(spec["name"], max(9, len(spec["name"]) * 2 + 2)) for spec in columns]
    ledger = workbook.ledger(
        title=bulletin_title(snapshot, level),
        sheet_title=_("Townships") if not is_village else _("Villages"),
        period=month_text(snapshot.month),
        area=snapshot.county.name,
        columns=headers,
    )
    for line in table_lines(rows, columns):
        row = line.row
        values = [row.rank, row.area.name]
        if is_village:
            values += [row.township.name if row.township else "", row.rank_in_township]
        values += [
            round(float(row.score), 2),
            change_text(row),
            _("Vetoed: %(kinds)s") % {"kinds": "、".join(line.veto_labels)} if row.veto else "",
        ]
        if is_village:
            values.append(bool(row.safe_candidate))
        values += [cell.text for cell in line.cells]
        ledger.append(values, highlight=row.veto)
    status = _("published") if snapshot.is_published else _("draft, not published")
    ledger.note(
        _("Version %(version)s, %(status)s; scoring scheme %(year)s; full marks 100.")
        % {"version": snapshot.version, "status": status, "year": snapshot.month.year}
        + (f" {_('Reason')}: {snapshot.reason}" if snapshot.reason else "")
    )


def _rules_sheet(workbook: LedgerWorkbook, snapshot: RankingSnapshot) -> None:
    ledger = workbook.ledger(
        title=_("Indicators of the %(month)s assessment") % {"month": month_text(snapshot.month)},
        sheet_title=_("Indicators"),
        period=month_text(snapshot.month),
        area=snapshot.county.name,
        columns=[
            Column(_("Indicator"), 18),
            Column(_("Weight"), 8),
            Column(_("Full marks at"), 10),
            Column(_("Zero at"), 10),
            Column(_("Levels"), 14),
        ],
    )
    labels = {AreaLevel.TOWNSHIP: _("townships"), AreaLevel.VILLAGE: _("villages")}
    for spec in snapshot.indicators:
        ledger.append(
            [
                spec["name"],
                float(spec["weight"]),
                spec["full_marks_at"],
                spec["zero_at"],
                "、".join(str(labels[level]) for level in spec["levels"]),
            ]
        )
    ledger.note("")
    ledger.note(
        _(
            "An area with fewer than %(min)s cases in the month, or with nothing to "
            "measure, gets the rule of the scheme for that indicator: %(rule)s."
        )
        % {"min": snapshot.min_cases, "rule": snapshot.get_below_min_rule_display()}
    )
    ledger.note(
        _(
            "A township or village with a petition to higher levels, a major safety "
            "accident or a criminal case in the month fails “three zeros”: it is ranked "
            "but vetoed, and no vetoed village is a safe-village candidate."
        )
    )
