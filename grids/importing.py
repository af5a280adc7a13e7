"""Area files: reading CSV/XLSX for import, writing CSV for export. Formats only; the rules
are in `grids.services.areas_import`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from grids.models import Area
from grids.services import AreaImportError, ImportRow

COLUMNS = ["code", "name", "level", "parent_code", "kind", "households", "residents"]
CHINESE_HEADERS = {
    "代码": "code",
    "区划代码": "code",
    "名称": "name",
    "层级": "level",
    "上级代码": "parent_code",
    "类型": "kind",
    "户数": "households",
    "人口": "residents",
    "户籍人口": "residents",
}
MAX_ROWS = 500_000


def read_table(stream: IO[bytes], filename: str) -> list[list[str]]:
    """The cells of a CSV (UTF-8 or GB18030) or XLSX file's first sheet, as text."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _read_csv(stream.read())
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(stream)
    raise AreaImportError(
        [
            (
                0,
                _("unsupported file type %(suffix)s: upload a .csv or .xlsx file")
                % {"suffix": suffix or "?"},
            )
        ]
    )


def read_area_file(stream: IO[bytes], filename: str) -> list[ImportRow]:
    table = read_table(stream, filename)
    if not table:
        raise AreaImportError([(0, _("the file is empty"))])
    header = [CHINESE_HEADERS.get(cell.strip(), cell.strip().lower()) for cell in table[0]]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise AreaImportError(
            [
                (
                    1,
                    _("missing columns: %(columns)s (expected %(expected)s)")
                    % {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)},
                )
            ]
        )
    if len(table) > MAX_ROWS:
        raise AreaImportError(
            [(0, _("more than %(max)s rows; split the file") % {"max": MAX_ROWS})]
        )
    index = {column: header.index(column) for column in COLUMNS}
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        rows.append(ImportRow(line=line, **{c: cells[i].strip() for c, i in index.items()}))
    return rows


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AreaImportError([(0, _("the CSV file is neither UTF-8 nor GB18030 text"))])
    return [row for row in csv.reader(io.StringIO(text))]


def _read_xlsx(stream: IO[bytes]) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise AreaImportError(
            [(0, _("the XLSX file cannot be read: %(error)s") % {"error": error})]
        ) from error
    sheet = workbook.worksheets[0]
    table = []
    for values in sheet.iter_rows(values_only=True):
        table.append(["" if value is None else _cell_text(value) for value in values])
    workbook.close()
    return table


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_area_csv(areas: Iterable[Area], stream: IO[str]) -> int:
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    count = 0
    for area in areas:
        writer.writerow(
            [
                area.code,
                area.name,
                area.level,
                area.parent_code or "",
                area.kind,
                area.households,
                area.residents,
            ]
        )
        count += 1
    return count
