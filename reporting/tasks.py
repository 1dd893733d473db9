"""Background PDF rendering with django-tasks.

A full annual report takes seconds to lay out, so no web request waits for it: the view
records a RenderJob, the task renders and stores the PDF, and the page polls the job
until it says the PDF is ready.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from partnerships.models import User

from .models import AnnualReport, RenderJob

logger = logging.getLogger(__name__)


def request_report_pdf(*, report: AnnualReport, user: User) -> RenderJob:
    """Record a render job for the report (draft or submitted) and queue it after commit."""
    # Keep one finished PDF per user and report year: older renders are superseded.
    RenderJob.objects.filter(
        agreement_id=report.agreement_id, year=report.year, requested_by=user
    ).exclude(status=RenderJob.Status.PENDING).delete()
    job = RenderJob.objects.create(
        agreement_id=report.agreement_id,
        year=report.year,
        report=report if report.pk else None,
        requested_by=user,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    result = render_report_pdf.enqueue(job_id)
    RenderJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


@task()
def render_report_pdf(job_id: int) -> str:
    """Render the job's annual report; a submitted report also keeps the PDF as frozen."""
    from .documents import annual_report_pdf

    job = RenderJob.objects.select_related("report__agreement", "agreement").get(pk=job_id)
    try:
        if job.report is not None:
            report = job.report
        else:
            from .annual import current_report

            report = current_report(job.agreement, job.year)
        pdf = annual_report_pdf(report)
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
        if job.report is not None and job.report.is_submitted:
            # Keep the first PDF of a submitted version: it is the one that was sent.
            AnnualReport.objects.filter(pk=job.report.pk, pdf__isnull=True).update(pdf=pdf)
    return "ready"
