"""Uploads typed by their bytes, size-limited, safely named; downloads stay in jurisdiction."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from antt.core.models import AuditEvent
from antt.recognition import documents, services
from antt.recognition.models import Document
from antt.recognition.tests.test_cycle import YEAR
from antt.recognition.tests.test_documents import assessed
from antt.recognition.uploads import detect_type, display_name, upload_document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def word_file() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Nghị quyết của chi bộ")
    document.save(out)
    return out.getvalue()


def excel_file() -> bytes:
    out = io.BytesIO()
    book = Workbook()
    book.active.append(["Hộ gia đình", "Đăng ký"])
    book.save(out)
    return out.getvalue()


def zip_with(content_types: str | None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if content_types is not None:
            archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def upload(reg, name, content, kind="party_resolution", actor=None):
    return upload_document(actor=actor or reg._head, registration=reg, kind=kind,
                           uploaded_file=SimpleUploadedFile(name, content))


@pytest.fixture
def reg(tree, personas):
    registration = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    registration._head = personas.area_a1_head
    return registration


# ---------------------------------------------------------------- type by content


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, documents.PDF_TYPE),
        (PNG, documents.PNG_TYPE),
        (JPEG, documents.JPEG_TYPE),
        (word_file(), documents.DOCX_TYPE),
        (excel_file(), documents.XLSX_TYPE),
        (EXE, None),
        (HTML, None),
        (b"  %PDF-1.4", None),
        (zip_with(None), None),  # a ZIP that is not an Office file
        (zip_with('<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.'
                  'main+xml"/></Types>'), None),  # .docm: macros are refused
        (b"PK\x03\x04 broken", None),
    ],
)
def test_type_is_read_from_the_bytes(content, expected):
    assert detect_type(content) == expected


def test_a_pdf_named_docx_is_stored_as_the_pdf_it_is(reg):
    doc = upload(reg, "Nghị quyết chi bộ.docx", PDF)
    assert (doc.content_type, doc.filename) == (documents.PDF_TYPE, "Nghị quyết chi bộ.pdf")
    assert doc.file.name.endswith(".pdf")
    assert "Nghị" not in doc.file.name
    assert not doc.generated
    assert doc.created_by == reg._head


def test_a_kind_accepts_only_its_types(reg):
    # A spreadsheet (here named .pdf) is accepted as a supporting document, not as minutes.
    with pytest.raises(ValidationError, match=r"là Excel \(\.xlsx\): Biên bản họp chỉ nhận PDF"):
        upload(reg, "bien-ban.pdf", excel_file(), kind="meeting_minutes")
    doc = upload(reg, "danh-sach-ho.pdf", excel_file(), kind="supporting")
    assert (doc.content_type, doc.filename) == (documents.XLSX_TYPE, "danh-sach-ho.xlsx")
    assert upload(reg, "ke-hoach.docx", word_file(), kind="security_plan").content_type \
        == documents.DOCX_TYPE
    assert upload(reg, "scan.jpeg", JPEG, kind="pledge").filename == "scan.jpg"


@pytest.mark.parametrize("content", [EXE, HTML, zip_with(None)], ids=["exe", "html", "zip"])
def test_programs_and_pages_renamed_pdf_are_refused(reg, content):
    with pytest.raises(ValidationError, match=r"không rõ định dạng.*theo nội dung tệp"):
        upload(reg, "quyet-dinh.pdf", content)
    assert not Document.objects.exists()


def test_oversize_and_empty_files_are_refused(reg, settings):
    settings.ANTT_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="Tệp quá lớn: tối đa"):
        upload(reg, "big.pdf", PDF + b"0" * 2000)
    with pytest.raises(ValidationError, match="Tệp rỗng"):
        upload(reg, "empty.pdf", b"")


def test_generated_kinds_cannot_be_uploaded(reg):
    with pytest.raises(ValidationError, match="hệ thống tự lập"):
        upload(reg, "gcn.pdf", PDF, kind="certificate")


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("/var/www/antt/settings.py", "settings.pdf"),
        ("..", "tai-lieu.pdf"),
        ("", "tai-lieu.pdf"),
        ('bien "ban"\x00<script>.pdf', "bien ban script.pdf"),
        ("Nghi\u0323 quyê\u0301t.pdf", "Nghị quyết.pdf"),  # decomposed → NFC
        ("a" * 300 + ".pdf", "a" * 120 + ".pdf"),
    ],
)
def test_display_name_has_no_path_and_no_reserved_characters(name, shown):
    assert display_name(name, documents.PDF_TYPE) == shown


def test_a_name_with_dot_dot_never_reaches_the_disk(reg, settings):
    doc = upload(reg, "../../../../tmp/evil.pdf", PDF)
    assert doc.filename == "evil.pdf"
    assert doc.file.name.startswith("documents/")
    assert ".." not in doc.file.name
    assert doc.file.path.startswith(str(settings.MEDIA_ROOT))


# ---------------------------------------------------------------- who and when


def test_only_the_units_side_may_upload(reg, personas):
    with pytest.raises(PermissionDenied):
        upload(reg, "x.pdf", PDF, actor=personas.commune_b1_officer)
    with pytest.raises(PermissionDenied):
        upload(reg, "x.pdf", PDF, actor=personas.outsider)
    assert upload(reg, "x.pdf", PDF, actor=personas.commune_a1_officer).unit == reg.unit


def test_no_upload_once_the_dossier_is_sent(tree, personas):
    registration = assessed(tree, personas)
    services.submit_dossier(actor=personas.area_a1_head, registration=registration)
    registration.refresh_from_db()
    registration._head = personas.area_a1_head
    with pytest.raises(ValidationError, match="Hồ sơ đã gửi đi"):
        upload(registration, "x.pdf", PDF)


def test_upload_is_audited_with_its_checksum(reg):
    doc = upload(reg, "nghi-quyet.pdf", PDF)
    event = AuditEvent.objects.get(verb="document.upload")
    assert (event.object_id, event.unit_path) == (str(doc.pk), reg.unit.path)
    assert event.changes["sha256"] == doc.sha256
    assert event.changes["size"] == len(PDF)


# ---------------------------------------------------------------- download


def test_download_serves_the_bytes_with_their_type_and_a_safe_name(client, reg):
    doc = upload(reg, "Nghị quyết; chi bộ.pdf", PDF)
    client.force_login(reg._head)
    response = client.get(reverse("documents:document-download", args=[doc.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == documents.PDF_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")  # an uploaded file is never shown inline
    assert "filename*=utf-8''Ngh%E1%BB%8B%20quy%E1%BA%BFt%3B%20chi%20b%E1%BB%99.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"


def test_word_files_are_downloaded_not_shown(client, reg):
    doc = upload(reg, "ke-hoach.docx", word_file(), kind="security_plan")
    client.force_login(reg._head)
    response = client.get(reverse("documents:document-download", args=[doc.pk]))
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("persona", ["commune_b1_officer", "outsider"])
def test_download_outside_jurisdiction_is_not_found(client, reg, personas, persona):
    doc = upload(reg, "nghi-quyet.pdf", PDF)
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("documents:document-download", args=[doc.pk])).status_code == 404


def test_download_inside_jurisdiction_from_above(client, reg, personas):
    doc = upload(reg, "nghi-quyet.pdf", PDF)
    for persona in (personas.commune_a1_officer, personas.province_a_officer):
        client.force_login(persona)
        assert client.get(reverse("documents:document-download", args=[doc.pk])).status_code == 200


def test_download_needs_a_login(client, reg):
    doc = upload(reg, "nghi-quyet.pdf", PDF)
    response = client.get(reverse("documents:document-download", args=[doc.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]
