"""Files a unit adds to its dossier (resolution, plan, signed scans, other documents).

The type is read from the bytes, never from the name: a PDF is ``%PDF-``, a Word or Excel file is
a ZIP whose ``[Content_Types].xml`` declares the right main part, JPEG and PNG by their
signatures. The user's filename is kept only as a display name, cleaned, with the extension of
the type found; files are stored under a random name (``documents.store_document``).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from antt.recognition import services
from antt.recognition.documents import (
    DOCX_TYPE,
    EXTENSIONS,
    JPEG_TYPE,
    PDF_TYPE,
    PNG_TYPE,
    XLSX_TYPE,
    store_document,
)
from antt.recognition.models import Document, Registration
from antt.recognition.workflow import Action, State

__all__ = ["ACCEPTED", "detect_type", "display_name", "upload_document"]

LABELS = {
    PDF_TYPE: "PDF",
    DOCX_TYPE: "Word (.docx)",
    XLSX_TYPE: "Excel (.xlsx)",
    JPEG_TYPE: "ảnh JPEG",
    PNG_TYPE: "ảnh PNG",
}

_DOCUMENTS = frozenset({PDF_TYPE, DOCX_TYPE, JPEG_TYPE, PNG_TYPE})  # a text, or a scan of it
ACCEPTED: dict[str, frozenset[str]] = {
    Document.Kind.PARTY_RESOLUTION: _DOCUMENTS,
    Document.Kind.SECURITY_PLAN: _DOCUMENTS,
    Document.Kind.PLEDGE: _DOCUMENTS,
    Document.Kind.SUBMISSION: _DOCUMENTS,
    Document.Kind.RESULTS_REPORT: _DOCUMENTS,
    Document.Kind.MEETING_MINUTES: _DOCUMENTS,
    Document.Kind.SUPPORTING: _DOCUMENTS | {XLSX_TYPE},  # e.g. the list of households
}
# The unit adds files while it holds the dossier; once sent, the standing office reads a fixed set.
OPEN_STATES = frozenset({State.REGISTERED, State.ASSESSED, State.RETURNED})

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX_TYPE,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX_TYPE,
}
_CONTENT_TYPES_MAX = 1024 * 1024  # [Content_Types].xml is a few kB; more is not an Office file


def _ooxml_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            manifest = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    # A macro-enabled file (.docm, .xlsm) declares another main part and is refused.
    for main, found in _OOXML_MAIN.items():
        if f'ContentType="{main}"' in manifest:
            return found
    return None


def detect_type(content: bytes) -> str | None:
    """The content type the bytes really are, among those we accept; None otherwise."""
    if content.startswith(b"%PDF-"):
        return PDF_TYPE
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG_TYPE
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG_TYPE
    if content.startswith(b"PK\x03\x04"):
        return _ooxml_type(content)
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_SPACES = re.compile(r"\s+")
# Device names Windows will not save a file under, whatever the extension ("CON.pdf", "nul.x.pdf").
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)


def _visible(text: str) -> str:
    """Without invisible format characters (category C*: controls, bidi overrides such as
    U+202E that make "hoa-don‮fdp.exe" look like a PDF, zero-width characters)."""
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def display_name(name: str, content_type: str) -> str:
    """The user's filename as shown, never as stored: no directory part, no control, format or
    reserved characters, not a Windows device name, NFC, at most 120 characters, and the
    extension of the type actually found."""
    base = _visible(unicodedata.normalize("NFC", name)).replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    stem = _SPACES.sub(" ", _UNSAFE.sub(" ", stem)).strip(" .-_")[:120].strip(" .")
    if stem.split(".", 1)[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"tai-lieu-{stem}"
    return f"{stem or 'tai-lieu'}{EXTENSIONS[content_type]}"


def _read(uploaded_file: UploadedFile, limit: int) -> bytes:
    size = uploaded_file.size or 0
    too_big = ValidationError(
        _("Tệp quá lớn: tối đa %(max)s MB.") % {"max": f"{limit / 1024 / 1024:g}"}
    )
    if size > limit:
        raise too_big
    buffer = io.BytesIO()
    for chunk in uploaded_file.chunks():
        buffer.write(chunk)
        if buffer.tell() > limit:  # the declared size was wrong
            raise too_big
    return buffer.getvalue()


def upload_document(
    *, actor: Any, registration: Registration, kind: str, uploaded_file: UploadedFile
) -> Document:
    """Add a file to the unit's dossier: who may act on the unit's side, while the unit holds
    the dossier, a type the kind of document allows, within the size limit. Audited."""
    services._check(actor, Action.SUBMIT, registration)
    if kind not in ACCEPTED:
        raise ValidationError(
            _("Không thể tải lên loại tài liệu này: hệ thống tự lập %(kind)s.")
            % {"kind": dict(Document.Kind.choices).get(kind, kind)}
        )
    if registration.state not in OPEN_STATES:
        raise ValidationError(
            _("Hồ sơ đã gửi đi (trạng thái “%(state)s”): không thể bổ sung tài liệu.")
            % {"state": registration.get_state_display()}
        )
    content = _read(uploaded_file, settings.ANTT_UPLOAD_MAX_BYTES)
    if not content:
        raise ValidationError(_("Tệp rỗng."))
    found = detect_type(content)
    accepted = ACCEPTED[kind]
    if found is None or found not in accepted:
        allowed = ", ".join(LABELS[t] for t in EXTENSIONS if t in accepted)
        what = _("là %(type)s") % {"type": LABELS[found]} if found else _("không rõ định dạng")
        raise ValidationError(
            _(
                "Tệp “%(name)s” %(what)s: %(kind)s chỉ nhận %(allowed)s. Định dạng được xác định "
                "theo nội dung tệp, không theo tên tệp."
            )
            % {
                "name": display_name(uploaded_file.name or "", PDF_TYPE).removesuffix(".pdf"),
                "what": what,
                "kind": dict(Document.Kind.choices)[kind],
                "allowed": allowed,
            }
        )
    with transaction.atomic():
        return store_document(
            actor=actor,
            unit=registration.unit,
            registration=registration,
            kind=kind,
            filename=display_name(uploaded_file.name or "", found),
            content=content,
            generated=False,
            content_type=found,
        )
