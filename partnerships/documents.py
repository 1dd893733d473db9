"""What the document archive accepts, decided by a file's content and not by its name.

PDF, PNG and JPEG are recognised by their first bytes; Word and Excel files (docx, xlsx)
and OpenDocument files (odt, ods) are zip archives recognised by the parts inside. A file
whose content is of another kind than its name says is refused, so that nobody can store
something else under a harmless name.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("pdf", "application/pdf", (".pdf",))
PNG = Kind("png", "image/png", (".png",))
JPEG = Kind("jpeg", "image/jpeg", (".jpg", ".jpeg"))
DOCX = Kind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
ODT = Kind("odt", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = Kind("ods", "application/vnd.oasis.opendocument.spreadsheet", (".ods",))
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS)
BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
ALLOWED_NAMES = ", ".join(ext for kind in KINDS for ext in kind.extensions)


def max_bytes() -> int:
    return int(getattr(settings, "IOP_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _zip_kind(stream: IO[bytes]) -> Kind | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # OpenDocument: the first member "mimetype" names the kind; read a few bytes only.
                with archive.open("mimetype") as member:
                    mimetype = member.read(100).decode("ascii", "replace").strip()
                return {ODT.content_type: ODT, ODS.content_type: ODS}.get(mimetype)
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                # A macro-enabled file (docm, xlsm) renamed: macros are not archived.
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def sniff(stream: IO[bytes]) -> Kind | None:
    """The allowed kind the content is, or None."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(stream)
        stream.seek(0)
        return kind
    return None


def check_upload(upload: UploadedFile) -> Kind:
    """The kind of an uploaded file, or a ValidationError with the reason in Swedish."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("Filen är för stor: högst %(mb)s MB per fil.") % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    by_name = BY_EXTENSION.get(PurePath(upload.name or "").suffix.lower())
    if by_name is None:
        raise ValidationError(
            _("Filtypen är inte tillåten. Tillåtna filer: %(names)s.") % {"names": ALLOWED_NAMES},
            code="type_not_allowed",
        )
    by_content = sniff(upload)
    if by_content != by_name:
        raise ValidationError(
            _(
                "Filens innehåll stämmer inte med namnet: filen heter .%(name)s men "
                "innehållet är inte en %(upper)s-fil."
            )
            % {"name": by_name.extensions[0].lstrip("."), "upper": by_name.name.upper()},
            code="content_mismatch",
        )
    return by_content


def checksum(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
