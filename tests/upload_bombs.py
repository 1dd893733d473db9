"""Hostile spreadsheets for the upload tests and benchmarks/bench_upload_bomb.py."""

from __future__ import annotations

import io
import random
import zipfile

from openpyxl import Workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["Organisationsnummer", "Namn", "Typ"]


def _header_row() -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER)
    return f'<row r="1">{cells}</row>'


def _with_parts(parts: dict[str, bytes], level: int) -> bytes:
    """A real workbook (from openpyxl) with some parts replaced or added."""
    workbook = Workbook()
    workbook.active.append(HEADER)
    base = io.BytesIO()
    workbook.save(base)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target,
    ):
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item.filename))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def shared_string_bomb(count: int = 2_000_000) -> bytes:
    """`count` one-letter shared strings (34 MB unpacked for two million), a few KB packed."""
    strings = (
        f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode()
        + b"<si><t>a</t></si>" * count
        + b"</sst>"
    )
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{_header_row()}</sheetData></worksheet>'
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    return _with_parts(
        {
            "[Content_Types].xml": content_types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "xl/worksheets/sheet1.xml": sheet.encode(),
            "xl/sharedStrings.xml": strings,
        },
        level=9,
    )


def many_cells(cells: int = 2_000_000, columns: int = 20) -> bytes:
    """A sheet of `cells` numeric cells (random, so it packs like real data: ~4:1)."""
    rng = random.Random(18)
    rows = [_header_row().encode()]
    for number in range(cells // columns):
        values = "".join(f"<c><v>{rng.randrange(10**8)}</v></c>" for _ in range(columns))
        rows.append(f'<row r="{number + 2}">{values}</row>'.encode())
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
        + b"".join(rows)
        + b"</sheetData></worksheet>"
    )
    return _with_parts({"xl/worksheets/sheet1.xml": sheet}, level=1)
