"""The cycle's generated documents, read back: Word files with python-docx, PDFs with pypdf."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
from dataclasses import dataclass

import docx
import pypdf
import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.utils import translation

from antt.core.models import AuditEvent
from antt.recognition import documents, services
from antt.recognition.documents import layout
from antt.recognition.models import Certificate, Decision, Document, Registration
from antt.recognition.tests.test_cycle import (
    AREA_FACTS,
    AREA_MEETING,
    MEETING,
    PREVIOUS,
    YEAR,
    evidence,
    run_to_appraised,
)
from antt.units.services import create_unit

pytestmark = pytest.mark.django_db

SIGNED = dt.date(2025, 11, 10)
ISSUED = dt.date(2025, 11, 12)
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANTT_PUBLIC_URL = "https://antt.example.vn"


@dataclass
class Year:
    registration: Registration
    decision: Decision
    certificate: Certificate


def assessed(tree, personas, unit=None):
    """A residential area registered in Q1, with its meeting held (verdicts frozen)."""
    unit = unit or tree.area_a1
    evidence(unit, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    reg = services.register_unit(actor="test", unit=unit, year=YEAR,
                                 registered_on=dt.date(2025, 2, 10), households_registered=120)
    services.record_assessment(actor=personas.area_a1_head, registration=reg, held_on=MEETING,
                               chair="Nguyễn Thị Hoa", participants=AREA_MEETING,
                               conclusion="Cuộc họp thống nhất đề nghị công nhận.")
    reg.refresh_from_db()
    return reg


def certified_year(tree, personas) -> Year:
    """Tổ dân phố 1 through the whole year: decided by the ward, certificate issued with its PDF."""
    evidence(tree.area_a1, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
    officer = personas.commune_a1_officer
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR,
                                 registered_on=dt.date(2025, 2, 10), households_registered=120)
    reg = run_to_appraised(reg, personas.area_a1_head, officer, AREA_MEETING,
                           chair="Nguyễn Thị Hoa")
    decision = services.decide(actor=officer, registrations=[reg], number="15/QĐ-UBND",
                               signed_on=SIGNED, signer_name="Nguyễn Văn Hùng")
    [cert] = documents.issue_certificates_with_documents(actor=officer, decision=decision,
                                                         issued_on=ISSUED)
    reg.refresh_from_db()
    return Year(reg, decision, cert)


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a Word file, in order of appearance."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def docx_rows(content: bytes, table_index: int = -1) -> list[list[str]]:
    table = docx.Document(io.BytesIO(content)).tables[table_index]
    return [[cell.text for cell in row.cells] for row in table.rows]


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def pdf_fonts(content: bytes) -> set[str]:
    """The base font names used on every page (and in the page's form XObjects)."""
    names: set[str] = set()

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        walk(page.get("/Resources"))
    return names


# ---------------------------------------------------------------- Vietnamese formatting (pure)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 5), "Hoàn Kiếm, ngày 05 tháng 01 năm 2026"),
        (dt.date(2025, 2, 28), "Hoàn Kiếm, ngày 28 tháng 02 năm 2025"),
        (dt.date(2025, 11, 10), "Hoàn Kiếm, ngày 10 tháng 11 năm 2025"),
        (dt.date(2025, 3, 9), "Hoàn Kiếm, ngày 09 tháng 3 năm 2025"),
        (None, "Hoàn Kiếm, ngày …… tháng …… năm 2025"),
    ],
)
def test_date_line_follows_decree_30(day, expected):
    assert layout.place_date("Hoàn Kiếm", day, 2025) == expected


@pytest.mark.parametrize(
    ("name", "place"),
    [("Phường Hoàn Kiếm", "Hoàn Kiếm"), ("Thành phố Hà Nội", "Hà Nội"), ("Phường 12", "Phường 12"),
     ("Đặc khu Phú Quốc", "Phú Quốc"), ("Bộ Công an", "Bộ Công an")],
)
def test_place_is_the_unit_name_without_its_kind(name, place):
    assert layout.place_name(name) == place


def test_issuing_body_and_signer_from_the_decision():
    lines, name = layout.deciding_body("Ủy ban nhân dân cấp tỉnh — Thành phố Hà Nội",
                                       "Thành phố Hà Nội")
    assert lines == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI")
    assert name == "Ủy ban nhân dân thành phố Hà Nội"
    assert layout.deciding_body("Bộ Công an", "") == (("BỘ CÔNG AN",), "Bộ Công an")
    assert layout.signer_role("Chủ tịch Ủy ban nhân dân xã, phường, đặc khu") == "Chủ tịch"
    assert layout.signer_role("Bộ trưởng Bộ Công an") == "Bộ trưởng"


# ---------------------------------------------------------------- the unit's documents (DOCX)


def test_pledge_names_the_unit_year_households_and_motto(tree, personas):
    reg = assessed(tree, personas)
    text = docx_text(documents.pledge_docx(reg))
    for expected in (NATION, MOTTO, "PHƯỜNG HOÀN KIẾM", "TỔ DÂN PHỐ 1", "BẢN ĐĂNG KÝ",
                     "Phấn đấu đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2025",
                     "Hoàn Kiếm, ngày 10 tháng 02 năm 2025", "Tổ dân phố 1 (Khu dân cư",
                     "Số hộ gia đình đăng ký tham gia: 120.", "TRƯỞNG KHU DÂN CƯ",
                     "Thông tư số 124/2021/TT-BCA"):
        assert expected in text, expected


def test_minutes_record_the_meeting_and_each_criterion_from_the_frozen_evaluation(tree, personas):
    reg = assessed(tree, personas)
    assessment = services.current_assessment(reg)
    content = documents.minutes_docx(assessment)
    text = docx_text(content)
    for expected in ("BIÊN BẢN", "Hôm nay, ngày 20 tháng 10 năm 2025", "Hình thức: họp",
                     "Chủ trì: Nguyễn Thị Hoa", "Nguyễn Văn Bình — Bí thư chi bộ",
                     "Trần Thị Cúc — đại diện Ban Công tác Mặt trận",
                     "Đại úy Lê Văn Dũng — đại diện Công an cấp cơ sở",
                     "Tổ dân phố 1 đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2025.",
                     "Cuộc họp thống nhất đề nghị công nhận.", "THƯ KÝ", "CHỦ TRÌ", MOTTO):
        assert expected in text, expected
    rows = docx_rows(content, table_index=1)
    assert rows[0] == ["Tiêu chí", "Căn cứ", "Kết quả", "Nhận xét"]
    by_code = {row[0]: row for row in rows[1:]}
    assert [c["code"] for c in assessment.evaluation["criteria"]] == ["4.1", "4.2", "4.3", "4.4",
                                                                       "4.5"]
    assert by_code["4.1"][1:3] == ["Điều 4 khoản 1", "Đạt"]
    assert "120/120" in by_code["4.1"][3]  # the explanation, without its “4.1 đạt: ” prefix
    assert not by_code["4.1"][3].startswith("4.1")
    assert by_code["4.3.a"][2] == "Đạt"  # points one level down


def test_submission_and_report_are_addressed_to_the_standing_office(tree, personas):
    reg = assessed(tree, personas)
    submission = docx_text(documents.submission_docx(reg))
    assert "TỜ TRÌNH" in submission
    assert "Kính gửi: Công an xã, phường, đặc khu" in submission
    assert "5/5 tiêu chí đạt; kết quả chung: Đạt." in submission
    assert "trình Chủ tịch Ủy ban nhân dân phường Hoàn Kiếm xét duyệt" in submission
    assert "ngày …… tháng …… năm 2025" in submission  # not sent yet: the date is left to fill
    report = docx_text(documents.results_report_docx(reg))
    assert "BÁO CÁO" in report
    assert "Tiêu chí 4.5 (Điều 4 khoản 5)." in report
    assert "Tự đánh giá: Đạt." in report
    assert "Kết quả: Đạt." in report


def test_generate_dossier_stores_three_checksummed_files_and_audits(tree, personas):
    reg = assessed(tree, personas)
    docs = documents.generate_dossier(actor=personas.area_a1_head, registration=reg)
    assert [d.kind for d in docs] == ["submission", "results_report", "meeting_minutes"]
    for d in docs:
        stored = d.file.read()
        d.file.close()
        assert d.content_type == documents.DOCX_TYPE
        assert (d.size, d.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
        assert d.generated
        assert d.unit == tree.area_a1
        assert d.created_by == personas.area_a1_head
        assert d.file.name.startswith("documents/")
        assert d.filename not in d.file.name
        assert "Tổ dân phố 1" in docx_text(stored)
    assert d.filename == "bien-ban-hop-00070-TDP01-2025.docx"
    assert AuditEvent.objects.filter(verb="document.generate", object_type="recognition.document",
                                     unit_path=tree.area_a1.path).count() == 3


def test_generate_dossier_is_for_the_units_side_and_needs_a_meeting(tree, personas):
    reg = services.register_unit(actor="test", unit=tree.area_a1, year=YEAR)
    with pytest.raises(ValidationError, match="Chưa có biên bản họp"):
        documents.generate_dossier(actor=personas.area_a1_head, registration=reg)
    with pytest.raises(PermissionDenied):
        documents.generate_dossier(actor=personas.commune_b1_officer, registration=reg)
    assert not Document.objects.exists()


# ---------------------------------------------------------------- the decision (DOCX + PDF)


def test_decision_docx_has_the_header_articles_signer_and_annex(tree, personas):
    year = certified_year(tree, personas)
    content = documents.decision_docx(year.decision)
    text = docx_text(content)
    for expected in (NATION, MOTTO, "ỦY BAN NHÂN DÂN", "PHƯỜNG HOÀN KIẾM", "Số: 15/QĐ-UBND",
                     "Hoàn Kiếm, ngày 10 tháng 11 năm 2025", "QUYẾT ĐỊNH",
                     "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM",
                     "Công nhận 1 đơn vị đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2025",
                     "CHỦ TỊCH", "Nguyễn Văn Hùng",
                     "(Kèm theo Quyết định số 15/QĐ-UBND ngày 10/11/2025 của Chủ tịch Ủy ban nhân "
                     "dân phường Hoàn Kiếm)"):
        assert expected in text, expected
    annex = docx_rows(content)
    assert annex[0] == ["STT", "Tên đơn vị", "Loại", "Xã, phường / Tỉnh", "Kết quả"]
    assert annex[1] == ["1", "Tổ dân phố 1", "Khu dân cư", "Phường Hoàn Kiếm, Thành phố Hà Nội",
                        "Đạt"]


def test_decision_lists_units_not_recognised_in_their_own_article(tree, personas):
    officer = personas.commune_a1_officer
    regs = []
    for i in (1, 2):
        unit = create_unit(actor="test", code=f"00070-T{i}", name=f"Tổ dân phố {i + 10}",
                           kind="residential_area", parent=tree.commune_a1,
                           valid_from=dt.date(2025, 7, 1))
        evidence(unit, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
        reg = services.register_unit(actor="test", unit=unit, year=YEAR)
        regs.append(run_to_appraised(reg, "test", "test", AREA_MEETING))
    decision = services.decide(actor=officer, registrations=regs, number="20/QĐ-UBND",
                               signed_on=SIGNED, signer_name="Nguyễn Văn Hùng",
                               results={regs[1].pk: "not_met"})
    content = documents.decision_docx(decision)
    text = docx_text(content)
    assert "Điều 2. Không công nhận 1 đơn vị chưa đạt tiêu chuẩn" in text
    assert "Điều 4. Các cơ quan" in text
    assert [row[1:] for row in docx_rows(content)[1:]] == [
        ["Tổ dân phố 11", "Khu dân cư", "Phường Hoàn Kiếm, Thành phố Hà Nội", "Đạt"],
        ["Tổ dân phố 12", "Khu dân cư", "Phường Hoàn Kiếm, Thành phố Hà Nội", "Chưa đạt"],
    ]


def test_decision_pdf_says_the_same_in_tinos(tree, personas):
    year = certified_year(tree, personas)
    content = documents.decision_pdf(year.decision)
    text = pdf_text(content)
    for expected in (NATION, MOTTO, "Số: 15/QĐ-UBND", "Hoàn Kiếm, ngày 10 tháng 11 năm 2025",
                     "Tổ dân phố 1", "Khu dân cư", "Nguyễn Văn Hùng", "Điều 1."):
        assert expected in text, expected
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) == 2  # the decision, then its annex
    assert pdf_fonts(content) == {"Tinos", "Tinos-Bold", "Tinos-Italic", "Tinos-Bold-Italic"}


def test_generate_decision_documents_stores_docx_and_pdf_for_the_decider_only(tree, personas):
    year = certified_year(tree, personas)
    with pytest.raises(PermissionDenied):
        documents.generate_decision_documents(actor=personas.area_a1_head, decision=year.decision)
    docs = documents.generate_decision_documents(actor=personas.commune_a1_officer,
                                                 decision=year.decision)
    assert [(d.filename, d.content_type, d.unit) for d in docs] == [
        ("quyet-dinh-15-QĐ-UBND.docx", documents.DOCX_TYPE, tree.commune_a1),
        ("quyet-dinh-15-QĐ-UBND.pdf", documents.PDF_TYPE, tree.commune_a1),
    ]


def test_documents_stay_vietnamese_in_an_english_session(tree, personas):
    year = certified_year(tree, personas)
    with translation.override("en"):
        annex = docx_rows(documents.decision_docx(year.decision))
    assert annex[1][2] == "Khu dân cư"


# ---------------------------------------------------------------- certificates (PDF)


def test_certificate_pdf_carries_unit_year_numbers_code_and_signer(tree, personas):
    year = certified_year(tree, personas)
    cert = year.certificate
    content = documents.certificate_pdf(cert)
    reader = pypdf.PdfReader(io.BytesIO(content))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)  # A4 landscape
    text = pdf_text(content)
    code = cert.verification_code
    for expected in ("GIẤY CÔNG NHẬN", "Tổ dân phố 1", "Khu dân cư — Phường Hoàn Kiếm",
                     "Đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2025",
                     "Theo Quyết định số 15/QĐ-UBND ngày 10/11/2025", "Số: 1/GCN-ANTT",
                     f"{code[:4]}-{code[4:8]}-{code[8:]}", f"https://antt.example.vn/verify/{code}",
                     "Hoàn Kiếm, ngày 12 tháng 11 năm 2025", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
                     "Nguyễn Văn Hùng", NATION, MOTTO):
        assert expected in text, expected


def test_certificate_pdf_embeds_tinos_and_no_fallback_font(tree, personas):
    content = documents.certificate_pdf(certified_year(tree, personas).certificate)
    fonts = pdf_fonts(content)
    assert {"Tinos", "Tinos-Bold"} <= fonts
    assert all(name.startswith("Tinos") for name in fonts), fonts  # no DejaVu, no Liberation…
    reader = pypdf.PdfReader(io.BytesIO(content))
    font = next(iter(reader.pages[0]["/Resources"]["/Font"].values())).get_object()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor  # the glyphs are in the file, not borrowed from the reader


def test_issuing_stores_one_single_page_pdf_per_certificate(tree, personas):
    officer = personas.commune_a1_officer
    regs = []
    for i in range(3):
        unit = create_unit(actor="test", code=f"00070-X{i}", name=f"Thôn Đông Ắ {i}",
                           kind="residential_area", parent=tree.commune_a1,
                           valid_from=dt.date(2025, 7, 1))
        evidence(unit, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
        regs.append(run_to_appraised(services.register_unit(actor="test", unit=unit, year=YEAR),
                                     "test", "test", AREA_MEETING))
    decision = services.decide(actor=officer, registrations=regs, number="30/QĐ-UBND",
                               signed_on=SIGNED, signer_name="Nguyễn Văn Hùng")
    certs = documents.issue_certificates_with_documents(actor=officer, decision=decision)
    stored = Document.objects.filter(kind="certificate").order_by("filename")
    assert [d.filename for d in stored] == [f"giay-cong-nhan-{i}-2025.pdf" for i in (1, 2, 3)]
    for cert in certs:
        doc = stored.get(registration=cert.registration)
        assert (doc.unit, doc.decision, doc.content_type) == (cert.registration.unit, decision,
                                                              documents.PDF_TYPE)
        with doc.file.open("rb") as handle:
            reader = pypdf.PdfReader(handle)
            assert len(reader.pages) == 1
            text = unicodedata.normalize("NFC", reader.pages[0].extract_text())
        assert cert.registration.unit.name in text
        assert f"Số: {cert.number}" in text
    # Running it again issues nothing and stores nothing twice.
    assert documents.issue_certificates_with_documents(actor=officer, decision=decision) == []
    assert stored.count() == 3


def test_a_run_interrupted_after_issuing_is_completed_by_running_it_again(tree, personas):
    year = certified_year(tree, personas)
    Document.objects.filter(kind="certificate").delete()  # as if rendering had failed
    assert documents.issue_certificates_with_documents(
        actor=personas.commune_a1_officer, decision=year.decision
    ) == []
    assert Document.objects.get(kind="certificate").registration == year.registration


def test_batch_pdf_has_one_page_per_certificate(tree, personas):
    year = certified_year(tree, personas)
    content = documents.certificates_pdf([year.certificate, year.certificate])
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) == 2


def test_text_is_escaped_and_nothing_outside_is_fetched(tree, personas):
    tree.area_a1.name = 'Tổ <img src="http://10.0.0.1/x.png"> 1'
    tree.area_a1.save(update_fields=["name"])
    text = pdf_text(documents.certificate_pdf(certified_year(tree, personas).certificate))
    assert 'Tổ <img src="http://10.0.0.1/x.png"> 1' in text


def test_missing_font_files_are_an_error_not_a_silent_fallback(tree, personas, monkeypatch,
                                                                 tmp_path):
    year = certified_year(tree, personas)
    monkeypatch.setattr(layout, "FONT_DIR", tmp_path)
    with pytest.raises(ImproperlyConfigured, match="make install"):
        documents.certificate_pdf(year.certificate)
