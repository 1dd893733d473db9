"""Reading an upload once: CSV or XLSX in, one plain rows file out.

This runs in a child process with a time and memory limit (`iop.limits.run_limited`), so
it touches no database and says what went wrong as a code with parameters; the engine
turns that into the Swedish message. The rows file holds one JSON list per line (dates
tagged so they come back as dates); the preview and the confirmed import both read it,
so the uploaded file itself is parsed exactly once.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")


@dataclass(frozen=True)
class ReadLimits:
    rows: int
    cells: int


class Unreadable(Exception):
    """args[0] is (code, params): "cells", "shared_strings", "rows", "xlsx", "empty"."""


def _count_in_part(archive: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes]) -> int:
    count = 0
    tail = b""
    with archive.open(name) as part:
        while block := part.read(1 << 20):
            # Two bytes of overlap: a match is at least three bytes, so none is counted twice.
            count += len(pattern.findall(tail + block))
            tail = block[-2:]
    return count


def prescan_xlsx(path: str, limits: ReadLimits) -> None:
    """Count cells and shared strings from the raw XML before any parser builds objects."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name == "xl/sharedStrings.xml":
                code, pattern = "shared_strings", _SHARED_STRING
            elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                code, pattern = "cells", _CELL
            else:
                continue
            if _count_in_part(archive, name, pattern) > limits.cells:
                raise Unreadable((code, {"max": limits.cells}))


def _is_blank(row: Iterable[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _encoding(path: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Swedish Excel saves CSV."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"


def iter_csv(path: str) -> Iterator[list[Any]]:
    encoding = _encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(8192)
        handle.seek(0)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
        except csv.Error:
            delimiter = ";"
        for row in csv.reader(handle, delimiter=delimiter):
            if not _is_blank(row):
                yield row


def iter_xlsx(path: str) -> Iterator[list[Any]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise Unreadable(("xlsx", {})) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            if not _is_blank(row):
                yield list(row)
    finally:
        workbook.close()


def _encode(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"t": value.isoformat()}
    if isinstance(value, float) and value != value:  # NaN: not JSON
        return "NaN"
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return datetime.date.fromisoformat(value["d"])
        if "t" in value:
            return datetime.time.fromisoformat(value["t"])
    return value


def normalise_upload(source: str, target: str, file_format: str, limits: ReadLimits) -> int:
    """Write the upload's non-blank rows (the header first) to `target`; their number."""
    if file_format == "xlsx":
        prescan_xlsx(source, limits)
        rows = iter_xlsx(source)
    else:
        rows = iter_csv(source)
    written = cells = 0
    with open(target, "w", encoding="utf-8") as out:
        for row in rows:
            written += 1
            cells += len(row)
            if written - 1 > limits.rows:
                raise Unreadable(("rows", {"max": limits.rows}))
            if cells > limits.cells:
                raise Unreadable(("cells", {"max": limits.cells}))
            out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False))
            out.write("\n")
    if written == 0:
        raise Unreadable(("empty", {}))
    return written


def iter_rows_file(path: str) -> Iterator[list[Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield [_decode(v) for v in json.loads(line)]
