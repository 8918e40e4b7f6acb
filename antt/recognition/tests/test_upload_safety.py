"""Uploads as an attacker would send them: the type is read from the bytes (not the name, not the
browser's Content-Type), the size is capped (ANTT_UPLOAD_MAX_BYTES, also when the declared size
lies), the name is never a path (stored under a random name), and the file is served back as a
download with a safe name, ``nosniff`` and a sandbox policy. Each refusal writes nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from antt.core.models import AuditEvent
from antt.recognition import documents, services
from antt.recognition.models import Document
from antt.recognition.tests.test_cycle import YEAR
from antt.recognition.uploads import upload_document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
SHELL = b"#!/bin/sh\nrm -rf /\n"
STORED = re.compile(r"^documents/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png|jpg|docx|xlsx)$")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reg(tree: Any, personas: Any) -> Any:
    registration = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    registration._head = personas.area_a1_head
    return registration


def upload(reg: Any, uploaded: Any, kind: str = "party_resolution") -> Document:
    return upload_document(actor=reg._head, registration=reg, kind=kind, uploaded_file=uploaded)


def nothing_stored(settings: Any) -> bool:
    media = Path(settings.MEDIA_ROOT)
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return (
        not files
        and not Document.objects.exists()
        and not AuditEvent.objects.filter(verb="document.upload").exists()
    )


# --- the type is the bytes' -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "declared", "content"),
    [
        ("ke-hoach.pdf", "application/pdf", EXE),
        ("nghi-quyet.pdf", "application/pdf", HTML),
        ("anh.png", "image/png", SVG),
        ("bao-cao.docx", documents.DOCX_TYPE, ELF),
        ("script.jpg", "image/jpeg", SHELL),
        ("rong.pdf", "application/pdf", b"   %PDF-1.7 not at the start"),
    ],
    ids=["exe-as-pdf", "html-as-pdf", "svg-as-png", "elf-as-docx", "shell-as-jpg", "late-magic"],
)
def test_a_file_is_typed_by_its_bytes_not_its_name_or_declared_type(
    reg: Any, settings: Any, name: str, declared: str, content: bytes
) -> None:
    with pytest.raises(ValidationError, match="không rõ định dạng"):
        upload(reg, SimpleUploadedFile(name, content, content_type=declared))
    assert nothing_stored(settings)


def test_a_real_pdf_sent_as_an_image_is_stored_as_the_pdf_it_is(reg: Any) -> None:
    doc = upload(reg, SimpleUploadedFile("anh.png", PDF, content_type="image/png"))
    assert (doc.content_type, doc.filename) == (documents.PDF_TYPE, "anh.pdf")
    assert doc.file.name.endswith(".pdf")


# --- size --------------------------------------------------------------------------------------


class _LyingUpload(SimpleUploadedFile):
    """Declares a small size; its chunks carry more (a client can say anything)."""

    def __init__(self, content: bytes) -> None:
        super().__init__("nho.pdf", content, content_type="application/pdf")
        self.size = 10


def test_a_file_over_the_limit_is_refused(reg: Any, settings: Any) -> None:
    settings.ANTT_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="Tệp quá lớn"):
        upload(reg, SimpleUploadedFile("lon.pdf", PDF + b"0" * 1024))
    assert nothing_stored(settings)


def test_a_lying_declared_size_is_caught_while_reading(reg: Any, settings: Any) -> None:
    settings.ANTT_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="Tệp quá lớn"):
        upload(reg, _LyingUpload(PDF + b"0" * 4096))
    assert nothing_stored(settings)


def test_exactly_the_limit_is_accepted(reg: Any, settings: Any) -> None:
    content = PDF + b"0" * (2048 - len(PDF))
    settings.ANTT_UPLOAD_MAX_BYTES = len(content)
    assert upload(reg, SimpleUploadedFile("vua.pdf", content)).size == len(content)


def test_an_empty_file_is_refused(reg: Any, settings: Any) -> None:
    with pytest.raises(ValidationError, match="Tệp rỗng"):
        upload(reg, SimpleUploadedFile("rong.pdf", b""))
    assert nothing_stored(settings)


# --- names ---------------------------------------------------------------------------------------

NAMES = {
    "unix-traversal": ("../../etc/passwd", "passwd.pdf"),
    "absolute": ("/etc/cron.d/job.pdf", "job.pdf"),
    "windows-traversal": ("..\\..\\Windows\\System32\\drivers\\etc\\hosts", "hosts.pdf"),
    "unc": ("\\\\server\\share\\x.pdf", "x.pdf"),
    "nul-byte": ("nghi-quyet.pdf\x00.exe", "nghi-quyet.pdf.pdf"),
    "crlf-header": ("a\r\nSet-Cookie: sid=1.pdf", "a Set-Cookie sid=1.pdf"),
    "quotes-and-markup": ('"><img src=x onerror=alert(1)>.pdf', "img src=x onerror=alert(1).pdf"),
    "very-long": ("đ" * 5000 + ".pdf", "đ" * 120 + ".pdf"),
    "windows-con": ("CON.pdf", "tai-lieu-CON.pdf"),
    "windows-nul-double-ext": ("nul.tar.pdf", "tai-lieu-nul.tar.pdf"),
    "windows-com1": ("com1", "tai-lieu-com1.pdf"),
    "windows-lpt9-space": ("LPT9 .pdf", "tai-lieu-LPT9.pdf"),
    "bidi-override": ("hoa-don\u202efdp.exe", "hoa-don fdp.pdf"),
    "zero-width": ("nghi\u200bquyet.pdf", "nghi quyet.pdf"),
    "only-dots": ("...", "tai-lieu.pdf"),
    "empty": ("", "tai-lieu.pdf"),
}


@pytest.mark.parametrize("case", NAMES)
def test_a_name_is_only_ever_a_label_and_the_file_lands_under_a_random_name(
    reg: Any, settings: Any, case: str
) -> None:
    name, shown = NAMES[case]
    uploaded = SimpleUploadedFile("x.pdf", PDF)
    uploaded._name = name  # raw, as a client sends it (bypassing Django's own cleaning)
    doc = upload(reg, uploaded)
    assert doc.filename == shown
    assert STORED.match(doc.file.name), doc.file.name
    media = Path(settings.MEDIA_ROOT).resolve()
    assert Path(doc.file.path).resolve().is_relative_to(media)
    assert [p.name for p in media.rglob("*") if p.is_file()] == [Path(doc.file.name).name]


# --- served back ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["crlf-header", "quotes-and-markup", "very-long", "windows-con"])
def test_an_upload_is_served_as_a_download_with_a_safe_name(
    client: Any, reg: Any, case: str
) -> None:
    uploaded = SimpleUploadedFile("x.pdf", PDF)
    uploaded._name = NAMES[case][0]
    doc = upload(reg, uploaded)
    client.force_login(reg._head)
    response = client.get(reverse("documents:document-download", args=[doc.pk]), secure=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert not re.search(r"[\r\n\x00]", disposition)
    ascii_name = re.search(r'filename="([^"]*)"', disposition)
    if ascii_name:  # the ASCII fallback, when the name has one: no path, no quote
        assert "/" not in ascii_name.group(1)
        assert "\\" not in ascii_name.group(1)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_an_image_upload_is_a_download_too(client: Any, reg: Any) -> None:
    doc = upload(reg, SimpleUploadedFile("anh-chup.png", PNG), kind="supporting")
    client.force_login(reg._head)
    response = client.get(reverse("documents:document-download", args=[doc.pk]), secure=True)
    assert response["Content-Type"] == documents.PNG_TYPE
    assert response["Content-Disposition"].startswith("attachment;")


# --- through the page ----------------------------------------------------------------------------


def test_the_page_refuses_a_program_sent_as_a_pdf_and_stores_nothing(
    client: Any, reg: Any, settings: Any
) -> None:
    client.force_login(reg._head)
    response = client.post(
        reverse("cycle:registration-upload", args=[reg.pk]),
        {
            "kind": "party_resolution",
            "file": SimpleUploadedFile("nghi-quyet.pdf", EXE, content_type="application/pdf"),
        },
        secure=True,
    )
    assert response.status_code in (200, 400)
    assert "không rõ định dạng" in response.content.decode()
    assert nothing_stored(settings)


def test_the_page_stores_a_real_pdf_under_a_random_name(client: Any, reg: Any) -> None:
    client.force_login(reg._head)
    client.post(
        reverse("cycle:registration-upload", args=[reg.pk]),
        {"kind": "party_resolution", "file": SimpleUploadedFile("../../x.pdf", PDF)},
        secure=True,
    )
    doc = Document.objects.get()
    assert doc.filename == "x.pdf"
    assert STORED.match(doc.file.name)
