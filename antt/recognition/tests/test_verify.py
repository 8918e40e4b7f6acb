"""Public verification: anyone with the code sees the certificate's few public facts, no more."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.urls import reverse

from antt.recognition import documents, services
from antt.recognition.documents import papers
from antt.recognition.tests.test_documents import certified_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANTT_PUBLIC_URL = "https://antt.example.vn"


def url(code: str) -> str:
    return reverse("verify:certificate-verify", args=[code])


def test_a_valid_code_shows_the_certificate_without_login(client, tree, personas):
    year = certified_year(tree, personas)
    code = year.certificate.verification_code
    response = client.get(url(code))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    page = response.content.decode()
    for expected in ("Còn hiệu lực", "Tổ dân phố 1", "Khu dân cư", "2025", "1/GCN-ANTT",
                     "12/11/2025", "15/QĐ-UBND", "10/11/2025",
                     "Ủy ban nhân dân phường Hoàn Kiếm", "Chủ tịch — Nguyễn Văn Hùng",
                     f"{code[:4]}-{code[4:8]}-{code[8:]}"):
        assert expected in page, expected


def test_the_page_shows_nothing_of_the_dossier(client, tree, personas):
    year = certified_year(tree, personas)
    page = client.get(url(year.certificate.verification_code)).content.decode()
    for private in (
        "Nguyễn Thị Hoa",  # the meeting's chair
        "Nguyễn Văn Bình", "Trần Thị Cúc", "Lê Văn Dũng",  # its participants
        "Đã cấp giấy công nhận", "certified",  # the registration's internal state
        "truong_kdc_a1", "xa_a1",  # who recorded what
        "Cuộc họp thống nhất",  # judgements and explanations
        "120",  # households
        "00070-TDP01",  # internal unit code
        "Thường trực Ban Chỉ đạo",  # the appraisal
    ):
        assert private not in page, private


def test_an_annulled_certificate_says_so_with_the_date_and_no_reason(client, tree, personas):
    year = certified_year(tree, personas)
    services.annul_decision(actor=personas.commune_a1_officer, decision=year.decision,
                            reason="Phát hiện vụ trộm cắp của ông Trần Văn Tặc chưa báo cáo",
                            reference="Quyết định số 3/QĐ-UBND ngày 05/01/2026",
                            annulled_on=dt.date(2026, 1, 5))
    response = client.get(url(year.certificate.verification_code))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Đã bị hủy bỏ" in page
    assert "05/01/2026" in page
    assert "Còn hiệu lực" not in page
    assert "Trần Văn Tặc" not in page
    assert "trộm cắp" not in page


def test_a_code_typed_from_paper_is_accepted_in_any_case_with_dashes(client, tree, personas):
    code = certified_year(tree, personas).certificate.verification_code
    typed = f"{code[:4]}-{code[4:8]} {code[8:]}".lower()
    response = client.get(reverse("verify:verify-form"), {"code": typed})
    assert (response.status_code, response["Location"]) == (302, url(code))
    response = client.get(url(typed.replace(" ", "-")))
    assert (response.status_code, response["Location"]) == (302, url(code))
    assert client.get(url(code) + "/").status_code == 200


def test_an_unknown_code_is_a_404_saying_the_code_is_not_valid(client, tree, personas):
    certified_year(tree, personas)
    response = client.get(url("ABCDEFGHJKLM"))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Mã xác minh “ABCDEFGHJKLM” không hợp lệ" in page
    assert "Tổ dân phố 1" not in page
    assert 'name="code"' in page  # the form to try again


def test_a_malformed_code_is_refused_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.content.decode()
    with django_assert_num_queries(0):
        assert client.get(reverse("verify:verify-form"), {"code": "0000"}).status_code == 404


def test_the_form_page(client):
    response = client.get(reverse("verify:verify-form"))
    assert response.status_code == 200
    assert "Nhập mã xác minh" in response.content.decode()


def test_the_qr_code_and_printed_address_lead_to_this_page(client, tree, personas):
    cert = certified_year(tree, personas).certificate
    content = documents.certificate_pdf(cert)
    text = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    printed = f"https://antt.example.vn{url(cert.verification_code)}"
    assert printed in text
    [data] = papers.certificates_data([cert])  # what the QR code encodes
    assert data.url == printed
    assert client.get(url(cert.verification_code)).status_code == 200
