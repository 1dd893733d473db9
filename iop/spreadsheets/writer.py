"""The one writer of every CSV and XLSX the app produces.

Dataset exports and templates (engine.py), the steering group's dashboard CSVs and the
access-log export all write through here, so every text cell that
a spreadsheet program would take for a formula (a leading =, +, -, @, tab or carriage
return) gets a leading apostrophe (`resources.neutralise`), whoever typed it.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .resources import neutralise

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV for Swedish Excel: UTF-8 with BOM, semicolon-separated, every cell neutralised."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield codecs.BOM_UTF8.decode("utf-8") + writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        yield writer.writerow(["" if v is None else neutralise(v) for v in row])


def csv_response(
    filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]], *, stream: bool = True
) -> HttpResponse | StreamingHttpResponse:
    """A CSV download; `stream=False` for a small file built at once (a dashboard)."""
    content_type = "text/csv; charset=utf-8"
    chunks = stream_csv(header, rows)
    response: HttpResponse | StreamingHttpResponse = (
        StreamingHttpResponse(chunks, content_type=content_type)
        if stream
        else HttpResponse("".join(chunks), content_type=content_type)
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_xlsx(
    header: Iterable[Any],
    rows: Iterable[Iterable[Any]],
    *,
    sheet_title: str,
    help_rows: Iterable[Iterable[Any]] | None = None,
) -> IO[bytes]:
    """An XLSX in openpyxl's write-only mode, saved to a temporary file (constant memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=neutralise(str(title)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        out: list[Any] = []
        for value in row:
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            else:
                out.append(neutralise(value))
        sheet.append(out)
    if help_rows:
        info = workbook.create_sheet(title=_("Instruktioner")[:31])
        for help_row in help_rows:
            info.append([neutralise(v) for v in help_row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def xlsx_response(
    filename: str,
    header: Iterable[Any],
    rows: Iterable[Iterable[Any]],
    *,
    sheet_title: str,
    help_rows: Iterable[Iterable[Any]] | None = None,
) -> FileResponse:
    handle = write_xlsx(header, rows, sheet_title=sheet_title, help_rows=help_rows)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
