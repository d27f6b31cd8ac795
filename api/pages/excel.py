"""Any list of the pages as an .xlsx download (openpyxl), safe to open in a spreadsheet.

Text a user typed (a party's name, an officer's note) is written as text, never as a formula:
a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) would
otherwise run when the file is opened (formula injection). Such cells are stored as strings
with Excel's quote prefix, so they also stay text when someone edits them.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value: Any) -> Any:
    """What a cell holds: lists joined with 、, characters the file format forbids removed."""
    if isinstance(value, list):
        value = "、".join(map(str, value))
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def as_text(cell: Cell) -> None:
    """Write a cell whose text looks like a formula as plain text."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx_response(filename: str, title: str, headers: list[str], rows: list[list[Any]]) -> Response:
    """One sheet: a bold header row, then the rows; the file name may be Chinese."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell_value(v) for v in row])
        for cell in sheet[sheet.max_row]:
            as_text(cell)
    for column, header in zip(sheet.columns, headers, strict=False):
        longest = max([len(str(c.value or "")) for c in column] + [len(header)])
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, longest * 1.8), 60)
    buffer = BytesIO()
    book.save(buffer)
    disposition = f"attachment; filename=caseflow.xlsx; filename*=UTF-8''{quote(filename)}"
    return Response(buffer.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition})
