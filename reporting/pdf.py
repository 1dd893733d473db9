"""PDF rendering for the reports: the one safe, limited renderer lives in `iop.pdf`
(minutes and the data-subject export use it too); these names stay for the reports."""

from __future__ import annotations

from iop.pdf import BASE_URL, PdfRefused, RefusedURL, SafeURLFetcher, html_to_pdf, render_pdf

__all__ = ["BASE_URL", "PdfRefused", "RefusedURL", "SafeURLFetcher", "html_to_pdf", "render_pdf"]
