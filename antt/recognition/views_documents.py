"""Serving a dossier's files: only inside the user's jurisdiction (404 outside it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from antt.core.scoping import get_visible_or_404
from antt.recognition.documents import JPEG_TYPE, PDF_TYPE, PNG_TYPE
from antt.recognition.models import Document

__all__ = ["document_download"]

# Our own PDFs and images (certificates, decisions) are shown in the browser; Word and Excel are
# downloaded. A file a user uploaded is always a download (``attachment``), whatever its type:
# its content is someone else's, so it never runs in the application's origin, even as a PDF
# with scripts. Types were checked by content on upload, so no HTML or SVG is served from here.
INLINE_TYPES = frozenset({PDF_TYPE, JPEG_TYPE, PNG_TYPE})


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document: Document = get_visible_or_404(Document.objects.all(), request.user, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # FileResponse writes Content-Disposition with an ASCII fallback and the UTF-8 name
    # (RFC 6266/5987); the stored display name has no path, quote or control character.
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=not document.generated or document.content_type not in INLINE_TYPES,
        filename=document.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened all the same (a browser's PDF viewer), the file gets an origin of its own: no
    # scripts, no cookies, no forms towards the application.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
