"""Project-wide models: sessions bound to users, failed second-factor codes, and the
spreadsheet engine's import jobs."""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class UserSession(AbstractBaseSession):
    """Sessions stored with the id of the signed-in user, so all of a user's sessions can end."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "iop_session"
        verbose_name = "session"
        verbose_name_plural = "sessions"

    @classmethod
    def get_session_store_class(cls):
        # The configured engine (iop.sessions) imports this model; asking the setting
        # instead of importing it back keeps the two modules out of a circle.
        return import_module(settings.SESSION_ENGINE).SessionStore


class SecondFactorFailure(models.Model):
    """Wrong codes for one user from one address (iop.security.second_factor_locked).

    Counted per address, not per device as django-otp does: someone who has only the
    password can then lock themselves out, but never the owner at another address.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=45, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "address"],
                name="iop_second_factor_failure_once_per_address",
                violation_error_message=_("Felaktiga koder räknas en gång per adress."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.address or '-'}: {self.failures}"


class ImportJob(models.Model):
    """One uploaded file on its way in: preview (dry run), then the confirmed import.

    The uploaded file is deleted as soon as the job is finished or refused; the summary and
    the row-by-row preview (capped) stay so the user can see what happened. Run by the
    spreadsheet engine (iop/spreadsheets/engine.py); `kind` is a dataset key.
    """

    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("Förhandsgranskas")
        PREVIEWED = "previewed", _("Klar att bekräfta")
        IMPORTING = "importing", _("Importeras")
        DONE = "done", _("Importerad")
        REFUSED = "refused", _("Avvisad – inget sparades")
        FAILED = "failed", _("Misslyckades – inget sparades")

    kind = models.CharField(_("vad"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("användare"),
    )
    file = models.FileField(_("fil"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("filnamn"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PREVIEWING
    )
    total_rows = models.PositiveIntegerField(_("rader"), default=0)
    processed_rows = models.PositiveIntegerField(_("behandlade rader"), default=0)
    summary = models.JSONField(_("sammanfattning"), default=dict, blank=True)
    rows = models.JSONField(_("rader i förhandsgranskningen"), default=list, blank=True)
    message = models.TextField(_("meddelande"), blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        # The table kept its name when the model moved here from the partnerships app, so
        # existing jobs stayed where they were (migrations: partnerships 0004, iop 0002).
        db_table = "partnerships_importjob"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("io_job", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PREVIEWING, self.Status.IMPORTING)

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
