"""The monthly bulletin 通报: the ranking tables of one snapshot as the page shows them, and
as an Excel workbook laid out for printing (one sheet per level, A4 landscape)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessment.models import IncidentKind, RankingRow, RankingSnapshot
from assessment.services.scoring import default_unit
from cameras.selectors import TARGET_RATE, RateLine, online_rates
from governance.platform.xlsx import Column, Export, LedgerWorkbook, export_filename
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


RED = "C00000"


def camera_rates(*, snapshot: RankingSnapshot, user) -> list[RateLine]:
    """视频监控在线率: the month's computed camera online rate of the county's townships the
    user sees, ranked best first (the cameras app's figures, as the indicator reads them)."""
    townships = set(snapshot.county.children.values_list("pk", flat=True))
    lines = [
        line
        for line in online_rates(user=user, month=snapshot.month, by="township")
        if line.area_id in townships
    ]
    for position, line in enumerate(lines, start=1):
        line.rank = position
    return lines


def camera_rate_text(line: RateLine) -> str:
    return "—" if line.rate is None else f"{line.rate}%"


def camera_standard_text() -> str:
    return _("Standard: online rate at or above %(target)s%%") % {"target": TARGET_RATE}


def bulletin_export(
    *, snapshot: RankingSnapshot, rows_by_level: dict[str, list[RankingRow]], user
) -> Export:
    month = month_text(snapshot.month)
    reference = document_reference(snapshot)
    workbook = LedgerWorkbook(
        title=" ".join(part for part in (reference, bulletin_issuer(snapshot)) if part)
        or _("Monthly bulletin"),
        user=user,
    )
    for level, rows in rows_by_level.items():
        _level_sheet(workbook, snapshot, level, rows)
    _rules_sheet(workbook, snapshot)
    _camera_sheet(workbook, snapshot, camera_rates(snapshot=snapshot, user=user))
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
    reference = document_reference(snapshot)
    ledger = workbook.ledger(
        title=f"{reference}  {bulletin_title(snapshot, level)}".strip(),
        sheet_title=_("Townships") if not is_village else _("Villages"),
        period=month_text(snapshot.month),
        area=snapshot.county.name,
        columns=headers,
    )
    for line in table_lines(rows, columns):
        row = line.row
        values = [_("Not ranked") if row.veto else row.rank, row.area.name]
        if is_village:
            values += [
                row.township.name if row.township else "",
                None if row.veto else row.rank_in_township,
            ]
        values += [
            round(float(row.score), 2),
            "—" if row.veto else change_text(row),
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
    # 红头 on every printed page: the issuing body in red, the document number beside it.
    ledger.sheet.oddHeader.center.text = bulletin_issuer(snapshot)
    ledger.sheet.oddHeader.center.color = RED
    ledger.sheet.oddHeader.center.size = 14
    ledger.sheet.oddHeader.right.text = reference


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
            "accident or a criminal case in the month fails “three zeros”: one-vote veto, "
            "it keeps its score but is not ranked, and no vetoed village is a safe-village "
            "candidate."
        )
    )


def _camera_sheet(workbook: LedgerWorkbook, snapshot: RankingSnapshot, lines) -> None:
    """The last sheet: the townships ranked by the month's camera online rate, those below
    the 95 % standard flagged (highlighted)."""
    ledger = workbook.ledger(
        title=_("%(county)s %(month)s camera online rate of townships")
        % {"county": snapshot.county.name, "month": month_text(snapshot.month)},
        sheet_title=_("Camera online rate"),
        period=month_text(snapshot.month),
        area=snapshot.county.name,
        columns=[
            Column(_("Rank"), 7),
            Column(_("Township"), 16),
            Column(_("Number of cameras"), 9),
            Column(_("Online rate"), 11),
            Column(_("Standard"), 18),
        ],
    )
    for line in lines:
        ledger.append(
            [
                line.rank,
                line.name,
                line.cameras,
                camera_rate_text(line),
                _("Below standard") if line.below_target else _("Meets standard"),
            ],
            highlight=line.below_target,
        )
    if not lines:
        ledger.note(_("No township of your jurisdiction has cameras in the register."))
    ledger.note(camera_standard_text())
