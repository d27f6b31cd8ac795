"""Any list of the pages as an .xlsx download (openpyxl, write-only: rows are streamed, no cap).

Text a user typed (a party's name, an officer's note) is written as text, never as a formula:
a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) would
otherwise run when the file is opened (formula injection). Such cells are stored as strings
with Excel's quote prefix, so they also stay text when someone edits them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value: Any) -> Any:
    """What a cell holds: lists joined with 、, characters the file format forbids removed."""
    if isinstance(value, list):
        value = "、".join(map(str, value))
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx_response(filename: str, title: str, headers: list[str], rows: Iterable[list[Any]]) -> StreamingResponse:
    """One sheet: a bold header row, then every row of ``rows`` (an iterator is consumed lazily).

    The workbook is written row by row to a temporary file (openpyxl's write-only mode keeps no
    rows in memory), then streamed; the file name may be Chinese.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index, header in enumerate(headers):
        sheet.column_dimensions[_letter(index)].width = min(max(10, len(header) * 3), 40)
    bold = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(spool)
    spool.seek(0)
    disposition = f"attachment; filename=caseflow.xlsx; filename*=UTF-8''{quote(filename)}"
    return StreamingResponse(_chunks(spool), media_type=XLSX, headers={"Content-Disposition": disposition})


def _cell(sheet: Any, value: Any) -> Any:
    value = cell_value(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def _chunks(spool: Any) -> Iterator[bytes]:
    try:
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
