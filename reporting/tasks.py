"""Background PDF rendering with django-tasks.

A full annual report takes seconds to lay out, so no web request waits for it: a verb
(reporting.actions) records a RenderJob, the task renders and stores the PDF, and the
page polls the job until it says the PDF is ready.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import documents
from .annual import current_final_report, current_report
from .models import FrozenReport, RenderJob
from .pdf import PdfRefused

logger = logging.getLogger(__name__)


def enqueue_render_job(job_id: int) -> None:
    """Queue a recorded render job (reporting.actions records it, after the commit)."""
    result = render_report_pdf.enqueue(job_id)
    RenderJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


@task()
def render_report_pdf(job_id: int) -> str:
    """Render the job's annual or final report; a submitted report also keeps the PDF
    as frozen."""
    job = RenderJob.objects.select_related(
        "report__agreement", "final_report__agreement", "agreement"
    ).get(pk=job_id)
    submitted: FrozenReport | None = job.report or job.final_report
    try:
        if job.is_final:
            final = job.final_report or current_final_report(job.agreement)
            pdf = documents.final_report_pdf(final)
        else:
            pdf = documents.annual_report_pdf(job.report or current_report(job.agreement, job.year))
    except PdfRefused as exc:  # over the page, time or memory limit: the user reads why
        logger.warning("Annual report PDF stopped by its limits (job %s)", job_id)
        RenderJob.objects.filter(pk=job_id).update(
            status=RenderJob.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        return "failed"
    except Exception as exc:  # the user is told it failed; the details go to the log
        logger.exception("Rendering annual report PDF failed (job %s)", job_id)
        RenderJob.objects.filter(pk=job_id).update(
            status=RenderJob.Status.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        return "failed"
    with transaction.atomic():
        RenderJob.objects.filter(pk=job_id).update(
            status=RenderJob.Status.READY, pdf=pdf, finished_at=timezone.now()
        )
        if submitted is not None and submitted.is_submitted:
            # Keep the first PDF of a submitted version: it is the one that was sent.
            type(submitted)._default_manager.filter(pk=submitted.pk, pdf__isnull=True).update(
                pdf=pdf
            )
    return "ready"
