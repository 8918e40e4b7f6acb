"""The upload page: upload → preview (nothing written) → confirm (written as request.user)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from antt.core.models import AuditEvent
from antt.units.models import Unit

URL = reverse("units:unit-import")
HEADER = "code,name,kind,parent_code,valid_from"
GOOD = "00070-TDP09,Tổ dân phố 9,khu dân cư,00070,2025-07-01"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def upload(name: str, *lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines, ""]).encode(), "text/csv")


def stored_uploads(data_dir: Path) -> list[Path]:
    return list((data_dir / "uploads").glob("*")) if (data_dir / "uploads").exists() else []


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_anonymous_user_is_sent_to_login(client: Client, tree) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", ["commune_a1_officer", "province_a_officer", "national_admin"])
def test_officers_see_the_upload_form(client: Client, personas, persona: str) -> None:
    response = login(client, getattr(personas, persona)).get(URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert "Tải lên và xem trước" in response.content.decode()


@pytest.mark.parametrize("persona", ["area_a1_head", "outsider"])
def test_people_who_cannot_manage_units_get_403(client: Client, personas, persona: str) -> None:
    login(client, getattr(personas, persona))
    assert client.get(URL).status_code == 403
    count = Unit.objects.count()
    assert client.post(URL, {"file": upload("units.csv", GOOD)}).status_code == 403
    assert Unit.objects.count() == count


def test_upload_shows_a_preview_and_writes_nothing(
    client: Client, personas, tree, data_dir: Path
) -> None:
    login(client, personas.commune_a1_officer)
    count, events = Unit.objects.count(), AuditEvent.objects.count()
    response = client.post(
        URL,
        {
            "file": upload(
                "units.csv", GOOD, "00070-TDP01,Tổ dân phố số 1,khu dân cư,00070,2025-07-01"
            )
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "sẽ tạo mới 1, cập nhật 1, giữ nguyên 0" in page
    assert "Tạo mới" in page
    assert "Cập nhật" in page
    assert "Xác nhận nhập" in page
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (count, events)
    # The bytes wait on the server, keyed by the token in the session, not in the page.
    token = client.session["units_import"]["token"]
    assert f'value="{token}"' in page
    assert "Tổ dân phố 9" not in page.split('name="token"')[1].split(">")[0]
    assert len(stored_uploads(data_dir)) == 1


def test_confirm_imports_as_the_logged_in_user(
    client: Client, personas, tree, data_dir: Path
) -> None:
    login(client, personas.commune_a1_officer)
    client.post(URL, {"file": upload("units.csv", GOOD)})
    token = client.session["units_import"]["token"]
    response = client.post(URL, {"token": token})
    assert response.status_code == 200
    assert "Đã nhập “units.csv”: tạo mới 1, cập nhật 0, giữ nguyên 0" in response.content.decode()
    unit = Unit.objects.get(code="00070-TDP09")
    assert unit.parent == tree.commune_a1
    summary = AuditEvent.objects.get(verb="units.import")
    assert summary.actor == personas.commune_a1_officer
    assert AuditEvent.objects.get(verb="unit.create", object_id=str(unit.pk)).actor == (
        personas.commune_a1_officer
    )
    assert "units_import" not in client.session
    assert stored_uploads(data_dir) == []
    # A second confirm with the same token does nothing.
    assert client.post(URL, {"token": token}).status_code == 400
    assert Unit.objects.filter(code="00070-TDP09").count() == 1


def test_confirm_needs_the_token_of_this_session(client: Client, personas, tree) -> None:
    login(client, personas.commune_a1_officer)
    client.post(URL, {"file": upload("units.csv", GOOD)})
    response = client.post(URL, {"token": "x" * 32})
    assert response.status_code == 400
    assert "hết hạn" in response.content.decode()
    assert not Unit.objects.filter(code="00070-TDP09").exists()


def test_a_bad_file_lists_the_errors_and_offers_no_confirm(
    client: Client, personas, tree, data_dir: Path
) -> None:
    login(client, personas.commune_a1_officer)
    count = Unit.objects.count()
    response = client.post(
        URL, {"file": upload("units.csv", GOOD, "X1,Thôn 1,khu dân cư,99999,2025-07-01")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Dòng 3, cột parent_code: không tìm thấy đơn vị cấp trên mã “99999” tại ngày 01/07/2025."
        in page
    )
    assert "Xác nhận nhập" not in page
    assert Unit.objects.count() == count
    assert stored_uploads(data_dir) == []
    assert "units_import" not in client.session


def test_a_file_that_is_not_a_spreadsheet_is_refused(client: Client, personas, tree) -> None:
    login(client, personas.commune_a1_officer)
    fake = SimpleUploadedFile("units.csv", b"%PDF-1.7\n\x00\x01\x02\x03\xff", "text/csv")
    page = client.post(URL, {"file": fake}).content.decode()
    assert "không phải tệp CSV hoặc Excel (.xlsx)" in page
    assert "Xác nhận nhập" not in page


def test_a_file_over_the_limit_is_refused_before_reading(
    client: Client, personas, tree, settings
) -> None:
    settings.ANTT_IMPORT_MAX_BYTES = 50
    login(client, personas.commune_a1_officer)
    page = client.post(URL, {"file": upload("units.csv", GOOD)}).content.decode()
    assert "Tệp quá lớn" in page
    assert "Xác nhận nhập" not in page


def test_an_unchanged_file_needs_no_confirm(client: Client, personas, tree) -> None:
    login(client, personas.commune_a1_officer)
    page = client.post(
        URL, {"file": upload("units.csv", "00070-TDP01,Tổ dân phố 1,khu dân cư,00070,2025-07-01")}
    ).content.decode()
    assert "giữ nguyên 1" in page
    assert "không có thay đổi nào" in page
    assert "Xác nhận nhập" not in page


def test_an_xlsx_upload_is_previewed_and_imported(client: Client, personas, tree) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã", "Tên", "Loại", "Mã đơn vị cấp trên", "Quy mô", "Hiệu lực từ"])
    sheet.append(["00070-DN09", "Công ty TNHH Hàng Đào", "doanh nghiệp", "00070", "vừa",
                  "01/07/2025"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, personas.province_a_officer)
    page = client.post(
        URL, {"file": SimpleUploadedFile("don-vi.xlsx", buffer.getvalue())}
    ).content.decode()
    assert "Công ty TNHH Hàng Đào" in page
    client.post(URL, {"token": client.session["units_import"]["token"]})
    assert Unit.objects.get(code="00070-DN09").enterprise_size == "medium"


def test_an_officer_cannot_import_into_another_commune_through_the_page(
    client: Client, personas, tree
) -> None:
    login(client, personas.commune_a1_officer)
    count = Unit.objects.count()
    page = client.post(
        URL, {"file": upload("units.csv", "26734-KP09,Khu phố 9,khu dân cư,26734,2025-07-01")}
    ).content.decode()
    assert "Dòng 2, cột parent_code:" in page
    assert "Xác nhận nhập" not in page
    assert Unit.objects.count() == count


def test_confirm_rechecks_the_tree_and_writes_nothing_when_it_changed(
    client: Client, personas, tree
) -> None:
    login(client, personas.commune_a1_officer)
    client.post(URL, {"file": upload("units.csv", GOOD, "00070-TDP10,Tổ 10,khu dân cư,00070,")})
    # Someone else takes the code between the preview and the confirm.
    from antt.units.services import create_unit

    create_unit(actor="other", code="00070-TDP10", name="Tổ 10 khác", kind="agency",
                parent=tree.commune_a1)
    count = Unit.objects.count()
    page = client.post(URL, {"token": client.session["units_import"]["token"]}).content.decode()
    assert "Dòng 3, cột kind:" in page
    assert Unit.objects.count() == count
    assert not Unit.objects.filter(code="00070-TDP09").exists()
