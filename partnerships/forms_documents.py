"""Forms of the document archive: upload, new version, deletion."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .document_access import uploadable_kinds
from .document_actions import Target
from .documents import ALLOWED_NAMES, Kind, check_upload, max_bytes
from .hooks import report_targets
from .models import ActualCost, Agreement, User


def _file_help() -> str:
    return str(
        _("PDF, bild (PNG, JPEG) eller kontorsdokument (%(names)s), högst %(mb)s MB.")
        % {"names": ALLOWED_NAMES, "mb": max_bytes() // (1024 * 1024)}
    )


class UploadedFileForm(forms.Form):
    file = forms.FileField(label=_("Fil"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
        self.fields["file"].widget.attrs["accept"] = ALLOWED_NAMES.replace(" ", "")
        self.kind: Kind | None = None

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        self.kind = check_upload(upload)
        return upload


class DocumentUploadForm(UploadedFileForm):
    """A new document: what it is attached to, a title, the file."""

    attach_to = forms.ChoiceField(label=_("Hör till"))
    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        required=False,
        help_text=_("Tomt: filens namn."),
    )
    field_order = ["attach_to", "title", "file"]

    def __init__(self, *args: Any, agreement: Agreement, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets: dict[str, Target] = {}
        self.reports: dict[str, str] = {}
        choices: list[tuple[str, str]] = []
        kinds = uploadable_kinds(user)
        if "agreement" in kinds:
            self.targets["agreement"] = None
            choices.append(("agreement", str(_("Överenskommelsen"))))
            for key, label in report_targets(agreement):
                self.targets[f"report-{key}"] = None
                self.reports[f"report-{key}"] = key
                choices.append((f"report-{key}", label))
        if "amendment" in kinds:
            for version in agreement.versions.order_by("number"):
                key = f"amendment-{version.pk}"
                self.targets[key] = version
                choices.append((key, str(_("Version %(label)s") % {"label": version.label})))
        if "meeting" in kinds:
            for meeting in agreement.meetings.order_by("date", "pk"):
                key = f"meeting-{meeting.pk}"
                self.targets[key] = meeting
                choices.append((key, f"{meeting.get_kind_display()} {meeting.date.isoformat()}"))
        if "cost" in kinds:
            costs = ActualCost.objects.filter(cost_line__budget__agreement=agreement).order_by(
                "date", "pk"
            )
            for cost in costs:
                key = f"cost-{cost.pk}"
                self.targets[key] = cost
                choices.append(
                    (
                        key,
                        str(
                            _("Utfall %(day)s %(cost)s")
                            % {"day": cost.date.isoformat(), "cost": cost}
                        ),
                    )
                )
        attach_to = self.fields["attach_to"]
        assert isinstance(attach_to, forms.ChoiceField)
        attach_to.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None and not cleaned.get("title"):
            cleaned["title"] = PurePath(upload.name or "").name[:200]
        return cleaned

    @property
    def target(self) -> Target:
        return self.targets[self.cleaned_data["attach_to"]]

    @property
    def report(self) -> str:
        return self.reports.get(self.cleaned_data["attach_to"], "")


class DocumentVersionForm(UploadedFileForm):
    """A new version of an archived document."""


class DocumentDeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl till borttagning"),
        max_length=300,
        help_text=_("Dokumentet och dess filer sparas till gallringen; skälet visas i historiken."),
    )
