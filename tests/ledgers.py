"""Reading back a workbook of the county's ledger layout (governance.platform.xlsx): the rows
above the table (title, period and area, who exported it, a watermark) hold one cell each; the
header row is the first with more, 序号 first."""

from __future__ import annotations


def header_index(rows: list[tuple]) -> int:
    return next(i for i, row in enumerate(rows) if sum(value is not None for value in row) > 1)


def header(sheet) -> tuple:
    rows = list(sheet.iter_rows(values_only=True))
    return rows[header_index(rows)][1:]


def records(sheet) -> list[tuple]:
    """The table's rows without their 序号, and without the notes under the table."""
    rows = list(sheet.iter_rows(values_only=True))
    return [
        row[1:] for row in rows[header_index(rows) + 1 :] if any(v is not None for v in row[1:])
    ]
