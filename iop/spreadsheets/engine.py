"""The spreadsheet engine: import and export of CSV and XLSX for every registered dataset.

The flow for an import:

1. `store_upload` checks the upload BEFORE parsing it: size limit, format, and for XLSX
   the zip directory (declared uncompressed size, entry count, the size of every part and
   of the shared-string table in particular, the compression ratio), so a zip bomb is
   never inflated. Then the file is read ONCE (`reading.normalise_upload`, in a child
   process with a time and memory limit, cells and rows counted) into a plain rows file,
   and the header row (Swedish template headers or English field names) is checked. A
   small file is read in the request; anything that unpacks to more than
   `inline_bytes()` is read by the background worker and the request answers at once
   with the job's progress page. A refused file is not kept.
2. `start_preview` runs the whole file as a dry run (`run_import(commit=False)`): every
   row is imported inside one transaction that is rolled back, and the result — created,
   changed, unchanged or refused, with the reason in Swedish — is stored on the ImportJob.
3. `confirm_import` runs it again for real (`run_import(commit=True)`), all or nothing:
   one transaction, rolled back if any row is refused or fails.

Files with more than BACKGROUND_ROWS rows run both steps as a django-tasks background task
(`import_task`); the job page polls the progress (ImportJob.processed_rows), which the
task writes through a separate database connection so that it is visible while the
import transaction is still open (PostgreSQL; on SQLite progress shows at the end).

Exports stream through the one writer (writer.py): CSV through StreamingHttpResponse, XLSX
through openpyxl's write-only mode into a temporary file. Every text cell that starts with =, +, -, @, tab or carriage
return is neutralised with a leading apostrophe (`resources.neutralise`), and the
importer strips that apostrophe again, so export → import changes nothing.

Who may do what: each Dataset carries its export and import roles (declared in the owning
app's datasets.py, see registry.py), checked in `require_import`/`require_export`; the
row-level scope is in each resource.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from iop.limits import ChildFailed, LimitExceeded, run_limited
from iop.models import ImportJob

from . import reading
from .registry import Dataset, datasets
from .resources import IopResource, neutralise
from .users import SpreadsheetUser
from .writer import (  # noqa: F401 - stream_csv, write_xlsx: for tests and benchmarks
    csv_response,
    stream_csv,
    write_xlsx,
    xlsx_response,
)

logger = logging.getLogger(__name__)

MiB = 1024 * 1024


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# Limits (overridable in settings, e.g. in tests).
def max_upload_bytes() -> int:
    return _limit("IOP_IMPORT_MAX_BYTES", 30 * MiB)


def max_rows() -> int:
    return _limit("IOP_IMPORT_MAX_ROWS", 100_000)


def max_xlsx_uncompressed() -> int:
    return _limit("IOP_IMPORT_MAX_XLSX_UNCOMPRESSED", 300 * MiB)


def max_xlsx_entries() -> int:
    return _limit("IOP_IMPORT_MAX_XLSX_ENTRIES", 200)


def background_rows() -> int:
    return _limit("IOP_IMPORT_BACKGROUND_ROWS", 2_000)


def max_shared_strings_bytes() -> int:
    """The shared-string table is held whole in memory by every reader: kept small."""
    return _limit("IOP_IMPORT_MAX_XLSX_SHARED_STRINGS", 16 * MiB)


def max_xlsx_part() -> int:
    """Any one part of the archive (a worksheet, styles, ...)."""
    return _limit("IOP_IMPORT_MAX_XLSX_PART", 128 * MiB)


def max_compression_ratio() -> int:
    """Ordinary spreadsheet XML packs 5-30 times; a bomb packs hundreds of times."""
    return _limit("IOP_IMPORT_MAX_COMPRESSION_RATIO", 100)


def max_cells() -> int:
    return _limit("IOP_IMPORT_MAX_CELLS", 1_000_000)


def inline_bytes() -> int:
    """Uploads that unpack to more than this are read by the background worker, never in
    the web request."""
    return _limit("IOP_IMPORT_INLINE_BYTES", 512 * 1024)


def read_seconds() -> int:
    return _limit("IOP_IMPORT_READ_SECONDS", 120)


def read_memory() -> int:
    return _limit("IOP_IMPORT_READ_MEMORY", 512 * MiB)


CHUNK_ROWS = 1_000
PREVIEW_ROWS = 300  # detailed rows kept for the preview; counts always cover the whole file
EXPORT_CHUNK = 2_000


def require_export(user: SpreadsheetUser, dataset: Dataset) -> None:
    if not dataset.may_export(user):
        raise PermissionDenied


def require_import(user: SpreadsheetUser, dataset: Dataset) -> None:
    if not dataset.may_import(user):
        raise PermissionDenied


# --------------------------------------------------------------------------- reading files


class FileRefused(Exception):
    """The whole file is refused (before or while reading); the message is Swedish."""


def detect_format(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".csv") or lowered.endswith(".txt"):
        return "csv"
    if lowered.endswith(".xlsx"):
        return "xlsx"
    raise FileRefused(_("Filen måste vara en CSV- eller XLSX-fil (Excel)."))


def check_upload_size(size: int) -> None:
    if size > max_upload_bytes():
        raise FileRefused(
            _(
                "Filen är för stor (%(size)s MB). Största tillåtna storlek är %(max)s MB; dela upp filen."
            )
            % {"size": round(size / MiB, 1), "max": max_upload_bytes() // MiB}
        )
    if size == 0:
        raise FileRefused(_("Filen är tom."))


def check_xlsx_archive(fileobj) -> int:
    """Refuse an XLSX whose zip directory declares too much, before anything is inflated.

    Returns the declared uncompressed size."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(_("Filen är ingen giltig XLSX-fil.")) from exc
    finally:
        fileobj.seek(0)
    if len(entries) > max_xlsx_entries():
        raise FileRefused(
            _("XLSX-filen innehåller för många delar (%(count)s) och öppnas inte.")
            % {"count": len(entries)}
        )
    declared = sum(entry.file_size for entry in entries)
    if declared > max_xlsx_uncompressed():
        raise FileRefused(
            _(
                "XLSX-filen packas upp till %(size)s MB, mer än tillåtna %(max)s MB, och öppnas inte."
            )
            % {"size": declared // MiB, "max": max_xlsx_uncompressed() // MiB}
        )
    for entry in entries:
        _check_xlsx_part(entry)
    if not any(entry.filename.startswith("xl/worksheets/") for entry in entries):
        raise FileRefused(_("XLSX-filen har inget kalkylblad."))
    return declared


def _check_xlsx_part(entry: zipfile.ZipInfo) -> None:
    shared = entry.filename.lower() == "xl/sharedstrings.xml"
    cap = max_shared_strings_bytes() if shared else max_xlsx_part()
    if entry.file_size > cap:
        what = _("Tabellen med texter") if shared else entry.filename[:60]
        raise FileRefused(
            _("%(what)s i XLSX-filen packas upp till %(size)s MB, mer än tillåtna %(max)s MB.")
            % {"what": what, "size": entry.file_size // MiB, "max": cap // MiB}
        )
    # Small parts may pack well (a run of empty cells); only a large one is a risk.
    if entry.file_size > MiB and entry.file_size > max_compression_ratio() * max(
        entry.compress_size, 1
    ):
        raise FileRefused(
            _(
                "XLSX-filen är packad mer än %(ratio)s gånger, som en zip-bomb, och öppnas inte. "
                "Spara den på nytt i Excel eller som CSV."
            )
            % {"ratio": max_compression_ratio()}
        )


def iter_file(path: str, file_format: str) -> Iterator[list[Any]]:
    """The rows of a file: "rows" is a prepared job's rows file (see reading.py); "csv" and
    "xlsx" are read in this process, for tests and benchmarks of the import itself."""
    if file_format == "rows":
        return reading.iter_rows_file(path)
    return reading.iter_xlsx(path) if file_format == "xlsx" else reading.iter_csv(path)


def map_headers(resource: IopResource, header: list[Any]) -> tuple[list[str | None], list[str]]:
    """Canonical column per position (None = ignored) and the headers not recognised."""
    aliases = resource.header_aliases()
    mapped: list[str | None] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for cell in header:
        text = "" if cell is None else str(cell).strip()
        column = aliases.get(text.casefold())
        if column is None or column in seen:
            if text:
                unknown.append(text)
            mapped.append(None)
        else:
            seen.add(column)
            mapped.append(column)
    missing = [col for col in resource.required_columns() if col not in seen]
    if missing:
        raise FileRefused(
            _("Kolumner saknas: %(missing)s. Använd mallen, eller fältnamnen på engelska.")
            % {"missing": ", ".join(missing)}
        )
    return mapped, unknown


def _row_limit_message() -> str:
    return _("Filen har fler än %(max)s rader. Dela upp den i flera filer.") % {
        "max": f"{max_rows():,}".replace(",", " ")
    }


# --------------------------------------------------------------------------- upload → job


def store_upload(
    *,
    user: SpreadsheetUser,
    dataset: Dataset,
    upload: UploadedFile,
    scope: dict[str, Any] | None = None,
) -> ImportJob:
    """Check an upload and keep it as an ImportJob; raises FileRefused with the reason.

    Only what the zip directory and the size say is checked here. A small file is read at
    once (in a child process with limits); anything larger is read by the background
    worker, so the web request answers at once with the job's progress page. `scope`
    (ids, JSON) is what the upload was made for, when a page scopes it (a network's form
    and member); it is kept on the job and given to the resource (`IopResource.scope`).
    """
    require_import(user, dataset)
    file_format = detect_format(upload.name or "")
    check_upload_size(upload.size or 0)
    unpacked = upload.size or 0
    if file_format == "xlsx":
        unpacked = check_xlsx_archive(upload.file)
    job = ImportJob.objects.create(
        kind=dataset.key,
        user_id=user.pk,
        original_name=(upload.name or "")[:255],
        file_format=file_format,
        summary={"scope": scope} if scope else {},
    )
    job.file.save(f"import-{job.pk}.{file_format}", upload, save=True)
    if unpacked <= inline_bytes():
        try:
            prepare_job(job, dataset.resource(user))
        except FileRefused:
            _discard(job)
            raise
    return job


def _discard(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
    job.delete()


def is_prepared(job: ImportJob) -> bool:
    return bool(job.file) and (job.file.name or "").endswith(ROWS_SUFFIX)


ROWS_SUFFIX = ".rows.jsonl"

_UNREADABLE = {
    "cells": gettext_lazy(
        "Filen har fler än %(max)s celler och öppnas inte. Dela upp den i flera filer."
    ),
    "shared_strings": gettext_lazy(
        "XLSX-filen har fler än %(max)s texter i sin texttabell och öppnas inte."
    ),
    "xlsx": gettext_lazy("XLSX-filen kunde inte läsas."),
    "empty": gettext_lazy("Filen är tom."),
}


def _read_once(job: ImportJob) -> int:
    """Turn the upload into the job's rows file, within the time and memory limit."""
    source = job.file.path
    target = source + ROWS_SUFFIX
    limits = reading.ReadLimits(rows=max_rows(), cells=max_cells())
    try:
        written = run_limited(
            reading.normalise_upload,
            source,
            target,
            job.file_format,
            limits,
            seconds=read_seconds(),
            memory=read_memory(),
        )
    except LimitExceeded as exc:
        Path(target).unlink(missing_ok=True)
        raise FileRefused(
            _("Filen tog för lång tid att läsa och öppnas inte. Dela upp den eller spara som CSV.")
            if exc.kind == "time"
            else _("Filen kräver för mycket minne att läsa och öppnas inte. Dela upp den.")
        ) from exc
    except ChildFailed as exc:
        Path(target).unlink(missing_ok=True)
        code, params = exc.payload if isinstance(exc.payload, tuple) else ("", {})
        if code == "rows":
            raise FileRefused(_row_limit_message()) from exc
        if code not in _UNREADABLE:
            logger.warning("Reading upload %s failed: %s", job.pk, exc.kind)
        message = _UNREADABLE.get(code, gettext_lazy("Filen kunde inte läsas."))
        params = {k: f"{v:,}".replace(",", " ") for k, v in params.items()}
        raise FileRefused(str(message) % params if params else str(message)) from exc
    name = f"{job.file.name}{ROWS_SUFFIX}"  # the storage name of `target`
    job.file.delete(save=False)
    job.file.name = name
    return written


def prepare_job(job: ImportJob, resource: IopResource) -> None:
    """Read the upload once into rows, check the header and count the rows."""
    written = _read_once(job)
    header = next(iter_file(job.file.path, "rows"), None)
    if header is None:
        raise FileRefused(_("Filen är tom."))
    _mapped, unknown = map_headers(resource, header)
    job.total_rows = written - 1
    if job.total_rows == 0:
        raise FileRefused(_("Filen har inga rader under rubrikraden."))
    if unknown:
        job.summary = {**_kept(job.summary), "unknown_columns": unknown}
    job.save(update_fields=["file", "total_rows", "summary"])


def _kept(summary: dict[str, Any]) -> dict[str, Any]:
    """What of a job's summary outlasts each run: the scope and the unread columns."""
    return {k: v for k, v in summary.items() if k in ("scope", "unknown_columns")}


def job_resource(dataset: Dataset, job: ImportJob) -> IopResource:
    """The dataset's resource for the job's user, bound to the job's scope."""
    resource = dataset.resource(job.user)
    resource.scope = dict(job.summary.get("scope") or {})
    return resource


def start_preview(job: ImportJob) -> None:
    if is_prepared(job):
        _run_or_enqueue(job, commit=False)
    else:
        import_task.enqueue(job.pk, False)


def confirm_import(*, user: SpreadsheetUser, job: ImportJob) -> None:
    if job.user_id != user.pk or job.status != ImportJob.Status.PREVIEWED:
        raise PermissionDenied
    if job.summary.get("refused") or job.summary.get("errors"):
        raise PermissionDenied
    job.status = ImportJob.Status.IMPORTING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    _run_or_enqueue(job, commit=True)


def _run_or_enqueue(job: ImportJob, *, commit: bool) -> None:
    if job.total_rows > background_rows():
        import_task.enqueue(job.pk, commit)
    else:
        run_import(job=job, commit=commit)


@task()
def import_task(job_id: int, commit: bool) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not is_prepared(job):
        try:
            prepare_job(job, job_resource(datasets()[job.kind], job))
        except FileRefused as exc:
            _refuse_unread(job, str(exc))
            return
    run_import(job=job, commit=commit)


def _refuse_unread(job: ImportJob, message: str) -> None:
    if job.file:
        job.file.delete(save=False)
    job.status = ImportJob.Status.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "message", "finished_at"])


# --------------------------------------------------------------------------- the import itself


@dataclass
class Outcome:
    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "update": 0, "skip": 0, "refused": 0, "errors": 0}
    )
    rows: list[dict[str, Any]] = field(default_factory=list)
    shown_ok: int = 0
    # Row number -> bucket of the rows whose outcome may have to be concealed.
    concealable: dict[int, str] = field(default_factory=dict)

    def add(
        self, number: int, label: str, kind: str, *, reasons=(), changes=(), concealable=False
    ) -> None:
        bucket = {"invalid": "refused", "error": "errors"}.get(kind, kind)
        self.counts[bucket] = self.counts.get(bucket, 0) + 1
        if concealable:
            self.concealable[number] = bucket
        if bucket in ("refused", "errors"):
            if len([r for r in self.rows if r["kind"] in ("refused", "errors")]) < PREVIEW_ROWS:
                self.rows.append(
                    {"row": number, "label": label, "kind": bucket, "reasons": list(reasons)}
                )
        elif self.shown_ok < PREVIEW_ROWS:
            self.shown_ok += 1
            self.rows.append(
                {
                    "row": number,
                    "label": label,
                    "kind": bucket,
                    "changes": [list(c) for c in changes],
                }
            )

    def keeps(self, kind: str) -> bool:
        """Whether `add` would keep the row's details (its label is built only then)."""
        if {"invalid": "refused", "error": "errors"}.get(kind, kind) in ("refused", "errors"):
            return True
        return self.shown_ok < PREVIEW_ROWS

    def conceal(self, message: str) -> None:
        """Every concealable row is refused with the same `message`: which of them caused
        the refusal is not shown (the resource's `concealed_refusal`)."""
        for bucket in self.concealable.values():
            self.counts[bucket] -= 1
            self.counts["refused"] += 1
        kept = []
        for row in self.rows:
            if row["row"] in self.concealable:
                row = {"row": row["row"], "label": row["label"], "kind": "refused"}
                row["reasons"] = [message]
            kept.append(row)
        self.rows = kept

    def refuse(self, number: int, reasons: list[str]) -> None:
        """Refuse a row after the fact (a check over the whole file, `after_rows`)."""
        for row in self.rows:
            if row["row"] == number and number:
                if row["kind"] not in ("refused", "errors"):
                    self.counts[row["kind"]] -= 1
                    self.counts["refused"] += 1
                    row.pop("changes", None)
                    row["kind"] = "refused"
                row["reasons"] = [*row.get("reasons", []), *reasons]
                return
        self.add(number, "", "invalid", reasons=reasons)

    @property
    def failed(self) -> bool:
        return bool(self.counts["refused"] or self.counts["errors"])


class _Progress:
    """Writes processed_rows through its own connection, outside the import transaction."""

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self.conn = None
        if connection.vendor == "postgresql":
            self.conn = connections.create_connection(DEFAULT_DB_ALIAS)

    def report(self, processed: int) -> None:
        if self.conn is None:
            return
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s WHERE id = %s",  # noqa: S608
                    [processed, self.job_id],
                )
        except Exception:  # noqa: BLE001 - progress is a nicety, never a reason to fail
            logger.warning("Could not report import progress", exc_info=True)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _reasons(resource: IopResource, row_result) -> list[str]:
    columns = {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}
    reasons: list[str] = []
    if row_result.validation_error is not None:
        error = row_result.validation_error
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                prefix = "" if name == NON_FIELD_ERRORS else f"{columns.get(name, name)}: "
                reasons.extend(prefix + message for message in errors)
        else:
            reasons.extend(error.messages)
    for error in row_result.errors:
        # The type only: a database error's text can quote the row's values (personnummer).
        logger.warning("Import row failed: %s", type(error.error).__name__)
        reasons.append(
            _("Raden kunde inte sparas (%(kind)s).") % {"kind": type(error.error).__name__}
        )
    return reasons or [_("Raden kunde inte läsas.")]


def import_rows(
    *, resource: IopResource, rows: Iterator[list[Any]], outcome: Outcome, progress=None
) -> None:
    """Import the rows after the header in chunks; fills `outcome`. Caller owns the transaction."""
    header = next(rows)
    mapped, _unknown = map_headers(resource, header)
    columns = [c for c in mapped if c is not None]
    positions = [i for i, c in enumerate(mapped) if c is not None]
    seen_keys: dict[tuple, int] = {}
    number = 1  # spreadsheet row number of the header
    processed = 0
    limit = max_rows()
    chunk_rows = resource.chunk_rows or CHUNK_ROWS
    while True:
        chunk = list(islice(rows, chunk_rows))
        if not chunk:
            break
        processed += len(chunk)
        if processed > limit:
            raise FileRefused(_row_limit_message())
        chunk_values = [[raw[i] if i < len(raw) else None for i in positions] for raw in chunk]
        data, numbers, unique = _unique_rows(
            resource, columns, chunk_values, seen_keys=seen_keys, first=number + 1, outcome=outcome
        )
        number += len(chunk)
        if not numbers:
            continue
        result = resource.import_chunk(data, unique)
        _record_results(resource, unique, numbers, result, outcome)
        if progress is not None:
            progress.report(processed)
    for key, reasons in resource.after_rows():
        # A whole-file check (one record made of many rows), inside the transaction.
        outcome.refuse(seen_keys.get(key, 0), reasons)
    concealed = resource.concealed_refusal()
    if concealed:
        outcome.conceal(concealed)
    outcome.rows.sort(key=lambda r: r["row"])


def _unique_rows(
    resource: IopResource,
    columns: list[str],
    chunk_values: list[list[Any]],
    *,
    seen_keys: dict[tuple, int],
    first: int,
    outcome: Outcome,
) -> tuple[tablib.Dataset, list[int], list[dict[str, Any]]]:
    """A chunk's rows to import (a Dataset, with its rows only if the resource reads them:
    `chunk_dataset`), their row numbers and the same rows as dicts; a key seen before is
    refused."""
    data = tablib.Dataset(headers=columns)
    numbers = []
    unique = []
    chunk_rows = [dict(zip(columns, values, strict=True)) for values in chunk_values]
    resource.prepare_chunk(chunk_rows)
    for number, (values, row) in enumerate(zip(chunk_values, chunk_rows, strict=True), first):
        key = resource.row_key(row)
        if key in seen_keys:
            outcome.add(
                number,
                resource.row_label(row),
                "invalid",
                reasons=[
                    _("Samma nyckel som rad %(row)s; varje post får bara finnas en gång i filen.")
                    % {"row": seen_keys[key]}
                ],
            )
            continue
        seen_keys[key] = number
        numbers.append(number)
        unique.append(row)
        if resource.chunk_dataset:
            data.append(values)
    return data, numbers, unique


def _record_results(
    resource: IopResource, rows: list[dict[str, Any]], numbers: list[int], result, outcome: Outcome
) -> None:
    """Each imported row's outcome (with the reasons for a refusal), then whole-chunk errors."""
    for number_in_file, row_dict, row_result in zip(numbers, rows, result.rows, strict=False):
        label = resource.row_label(row_dict) if outcome.keeps(row_result.import_type) else ""
        concealable = resource.is_concealable(row_dict)
        if row_result.import_type in ("invalid", "error"):
            outcome.add(
                number_in_file,
                label,
                row_result.import_type,
                reasons=_reasons(resource, row_result),
                concealable=concealable,
            )
        else:
            outcome.add(
                number_in_file,
                label,
                row_result.import_type,
                changes=getattr(row_result, "changes", ()),
                concealable=concealable,
            )
    for error in result.base_errors:
        logger.warning("Import failed: %s", type(error.error).__name__)
        outcome.add(
            0,
            "",
            "error",
            reasons=[
                _("Raderna kunde inte sparas (%(kind)s).") % {"kind": type(error.error).__name__}
            ],
        )


def run_import(*, job: ImportJob, commit: bool) -> ImportJob:
    """Dry run (commit=False) or the real import (commit=True) of a stored upload.

    All or nothing: one transaction around the whole file, rolled back for a preview and
    whenever any row is refused or fails.
    """
    dataset = datasets()[job.kind]
    user = job.user
    outcome = Outcome()
    progress = _Progress(job)
    message = ""
    resource: IopResource | None = None
    try:
        if not dataset.may_import(user):
            raise FileRefused(
                _("Du har inte behörighet att importera %(what)s.") % {"what": dataset.label}
            )
        resource = job_resource(dataset, job)
        with transaction.atomic():
            import_rows(
                resource=resource,
                rows=iter_file(job.file.path, "rows"),
                outcome=outcome,
                progress=progress,
            )
            if not commit or outcome.failed:
                transaction.set_rollback(True)
    except FileRefused as exc:
        message = str(exc)
    except Exception as exc:
        # No traceback: its frames and message can hold the rows' personal data.
        logger.error("Import job %s failed: %s", job.pk, type(exc).__name__)
        message = _("Importen avbröts av ett oväntat fel. Inget sparades.")
    finally:
        progress.close()
    if resource is not None:
        resource.finish()

    job.summary = {**_kept(job.summary), **outcome.counts}
    job.rows = outcome.rows
    job.message = message
    job.processed_rows = job.total_rows if not message else job.processed_rows
    if message:
        job.status = ImportJob.Status.FAILED
    elif outcome.failed:
        job.status = ImportJob.Status.REFUSED if commit else ImportJob.Status.PREVIEWED
    else:
        job.status = ImportJob.Status.DONE if commit else ImportJob.Status.PREVIEWED
    if job.status != ImportJob.Status.PREVIEWED or outcome.failed:
        # Nothing more will be done with the file: personal data is not kept lying around.
        if job.file:
            job.file.delete(save=False)
        job.finished_at = timezone.now()
    job.save()
    return job


# --------------------------------------------------------------------------- export


def export_rows(
    resource: IopResource, params: dict[str, str], *, native: bool
) -> Iterator[list[Any]]:
    queryset = resource.export_queryset(params)
    fields_ = resource.get_export_fields()
    kwargs = {"force_native_type": True} if native else {}
    for obj in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield [neutralise(resource.export_field(f, obj, **kwargs)) for f in fields_]


def export_headers(resource: IopResource) -> list[str]:
    return resource.get_export_headers()


def export_filename(dataset: Dataset, extension: str, suffix: str = "") -> str:
    stamp = timezone.localdate().isoformat()
    return f"{dataset.key}{suffix}-{stamp}.{extension}"


def export_response(
    *, user: SpreadsheetUser, dataset: Dataset, file_format: str, params: dict[str, str]
):
    require_export(user, dataset)
    resource = dataset.resource(user)
    header = export_headers(resource)
    on_export = getattr(resource, "on_export", None)
    if on_export is not None:
        on_export(params)
    if file_format == "xlsx":
        return xlsx_response(
            export_filename(dataset, "xlsx"),
            header,
            export_rows(resource, params, native=True),
            sheet_title=str(dataset.label),
        )
    return csv_response(
        export_filename(dataset, "csv"), header, export_rows(resource, params, native=False)
    )


def template_response(*, user: SpreadsheetUser, dataset: Dataset, file_format: str):
    """An empty file with the Swedish headers (XLSX with an instruction sheet)."""
    require_import(user, dataset)
    resource = dataset.resource(user)
    header = export_headers(resource)
    if file_format == "csv":
        return csv_response(export_filename(dataset, "csv", "-mall"), header, [])
    help_rows = [[_("Kolumn"), _("Fältnamn (engelska)"), _("Förklaring")]]
    names = {f.column_name: n for n, f in resource.fields.items()}
    for column in header:
        help_rows.append([column, names.get(column, ""), str(resource.column_help(column))])
    help_rows.append([])
    help_rows.append([str(dataset.help)])
    return xlsx_response(
        export_filename(dataset, "xlsx", "-mall"),
        header,
        [],
        sheet_title=str(dataset.label),
        help_rows=help_rows,
    )


def access_import_job_by_id(user: SpreadsheetUser, job_id: int) -> ImportJob:
    """A user sees only their own import jobs (they can hold personal data)."""
    return get_object_or_404(ImportJob.objects.filter(user_id=user.pk), pk=job_id)


def recent_jobs(user: SpreadsheetUser, kind: str | None = None):
    jobs = ImportJob.objects.filter(user_id=user.pk)
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs[:10]
