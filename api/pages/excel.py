"""Any list of the pages as an .xlsx download (openpyxl, write-only: rows are streamed, no cap)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


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
        sheet.append([_cell(v) for v in row])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(spool)
    spool.seek(0)
    disposition = f"attachment; filename=caseflow.xlsx; filename*=UTF-8''{quote(filename)}"
    return StreamingResponse(_chunks(spool), media_type=XLSX, headers={"Content-Disposition": disposition})


def _cell(value: Any) -> Any:
    return "、".join(map(str, value)) if isinstance(value, list) else value


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
