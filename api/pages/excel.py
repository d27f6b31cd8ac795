"""Any list of the pages as an .xlsx download (openpyxl)."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        sheet.append(["、".join(map(str, v)) if isinstance(v, list) else v for v in row])
    for column, header in zip(sheet.columns, headers, strict=False):
        longest = max([len(str(c.value or "")) for c in column] + [len(header)])
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, longest * 1.8), 60)
    buffer = BytesIO()
    book.save(buffer)
    disposition = f"attachment; filename=caseflow.xlsx; filename*=UTF-8''{quote(filename)}"
    return Response(buffer.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition})
