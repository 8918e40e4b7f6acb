"""The journeys as a user walks them, written once and run on a desk PC and on a phone.

Each step names the screenshot that illustrates it in the user guide (docs/huong-dan/); a
phone run prefixes the names with ``dien-thoai-``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine
from playwright.sync_api import FilePayload, expect

from antt.e2e.pages import Ui
from antt.e2e.seed import AREA_FACTS, AREA_MEETING, YEAR
from antt.standards.catalog import registry

HANOI = dt.timezone(dt.timedelta(hours=7))


@contextmanager
def on(day: dt.date, hour: int = 9) -> Iterator[None]:
    """The server's clock on a working day of the cycle (it keeps ticking)."""
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=HANOI)):
        yield


def vn_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def commune_officer_year(ui: Ui, username: str, password: str, prefix: str = "") -> None:
    """Journey 1: the commune officer registers the commune's residential areas for the year,
    records an incident and the yearly facts of Tổ dân phố 1, records both areas' meetings and
    submits their dossiers."""
    page = ui.page
    ui.login(username, password, shot=f"{prefix}can-bo-xa-01-dang-nhap")
    ui.heading("Công việc")
    ui.seen(f"{prefix}can-bo-xa-02-cong-viec")

    # Register every residential area and organisation of the commune at once.
    open_menu(ui)
    ui.click_link("Xét công nhận", exact=True)
    ui.heading(f"Xét công nhận năm {YEAR}")
    ui.seen(f"{prefix}can-bo-xa-03-xet-cong-nhan")
    expect(ui.field("Đăng ký tất cả khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục của",
                    exact=False)).to_have_value(re.compile(r"\d+"))
    ui.click_button("Xem danh sách sẽ đăng ký")
    expect(page.get_by_role("heading", name=re.compile("Sẽ đăng ký 3 đơn vị"))).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Tổ dân phố 5")
    ui.fill_date("Ngày đăng ký", dt.date(2025, 2, 10))
    ui.seen(f"{prefix}can-bo-xa-04-dang-ky-hang-loat")
    ui.click_button("Xác nhận đăng ký 3 đơn vị")
    ui.notice(f"Đã đăng ký 3 đơn vị của Phường Hoàn Kiếm năm {YEAR}")
    ui.seen()

    # Tổ dân phố 1: an incident in the register, then the year's figures.
    ui.click_link("Tổ dân phố 1", exact=True)
    ui.heading("Tổ dân phố 1")
    ui.seen(f"{prefix}can-bo-xa-05-ho-so")
    ui.click_link("Xem kết quả tính theo số liệu hiện có")
    ui.seen()
    ui.click_link("Sổ vụ việc", exact=True)
    ui.heading("Sổ vụ việc")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Ghi vào sổ"))
    ui.tab_through(form)
    ui.fill_date("Ngày xảy ra", dt.date(2025, 3, 15))
    ui.field("Loại vụ việc").select_option(label="Tội phạm")
    ui.field("Mức độ (chỉ với tội phạm)").select_option(label="Ít nghiêm trọng")
    ui.fill("Tóm tắt", "Trộm cắp xe máy trước nhà văn hóa; đã bắt giữ đối tượng")
    ui.seen(f"{prefix}can-bo-xa-06-ghi-vu-viec")
    ui.click_button("Ghi vào sổ")
    ui.notice("Đã ghi vụ việc vào sổ")
    expect(page.get_by_role("table")).to_contain_text("Trộm cắp xe máy")
    ui.seen()

    ui.click_link(f"Số liệu năm {YEAR}", exact=True)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Lưu số liệu"))
    ui.tab_through(form)
    catalogue = registry().facts
    for name, value in AREA_FACTS.items():
        field = ui.field(str(catalogue[name].label))
        if isinstance(value, dt.date):
            ui.fill_date(str(catalogue[name].label), value)
        elif field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value=str(value))
        else:
            field.fill(str(value))
    ui.seen(f"{prefix}can-bo-xa-07-so-lieu-nam", full_page=True)
    ui.click_button("Lưu số liệu")
    ui.notice(f"Đã lưu số liệu năm {YEAR}")
    ui.seen()

    # The meetings, then the dossiers, for both residential areas.
    for area in ("Tổ dân phố 1", "Tổ dân phố 5"):
        ui.go(f"/cycle/{YEAR}/")
        ui.click_link(area, exact=True)
        ui.click("Ghi nhận cuộc họp đánh giá")
        ui.heading(f"Cuộc họp đánh giá năm {YEAR}: {area}")
        expect(page.get_by_role("main")).to_contain_text("Kết quả tính theo số liệu hiện có: Đạt")
        form = page.locator("form").filter(
            has=page.get_by_role("button", name="Ghi nhận cuộc họp và chốt kết quả"))
        first = area == "Tổ dân phố 1"
        if first:
            ui.tab_through(form)
        ui.fill_date("Ngày họp (hoặc ngày tổng hợp ý kiến)", dt.date(2025, 10, 20))
        ui.fill("Người chủ trì", "Trưởng khu dân cư", exact=False)
        for role, person in AREA_MEETING.items():
            ui.fill(role, person, exact=False)
        ui.fill("Kết luận của cuộc họp", "Thống nhất đề nghị công nhận.", exact=False)
        ui.seen(f"{prefix}can-bo-xa-08-cuoc-hop" if first else None, full_page=first)
        ui.click_button("Ghi nhận cuộc họp và chốt kết quả")
        expect(page.get_by_role("main")).to_contain_text("Kết quả đánh giá đã chốt")
        ui.seen(f"{prefix}can-bo-xa-09-da-chot" if first else None)
        ui.click_button("Gửi hồ sơ đề nghị công nhận")
        expect(page.get_by_role("main")).to_contain_text("Đã gửi hồ sơ")
        ui.seen(f"{prefix}can-bo-xa-10-da-gui" if first else None)

    ui.go(f"/cycle/{YEAR}/")
    expect(page.get_by_role("main")).to_contain_text("Đã gửi hồ sơ")
    ui.seen(f"{prefix}can-bo-xa-11-danh-sach")


def open_menu(ui: Ui) -> None:
    """On a phone the main menu may fold away; open it when it does."""
    toggle = ui.page.get_by_role("button", name=re.compile("Menu|Trình đơn", re.IGNORECASE))
    if ui.phone and toggle.count() and toggle.is_visible():
        toggle.click()


def standing_office_decides(ui: Ui, officer: str, head: str, password: str) -> bytes:
    """Journey 2: the commune's standing office returns Tổ dân phố 1's dossier with a reason,
    the head of the area adds the missing paper and sends it again, the office appraises both
    dossiers, the chair's decision is recorded, the certificates are issued and downloaded.
    Returns the certificate file."""
    page = ui.page
    main = page.get_by_role("main")
    with on(dt.date(2025, 10, 25)):
        ui.login(officer, password)
        ui.seen("thuong-truc-02-cong-viec")
        ui.click_link("Xét công nhận", exact=True)
        ui.click_link("Tổ dân phố 1", exact=True)
        expect(main).to_contain_text("Đã gửi hồ sơ")
        ui.seen("thuong-truc-03-ho-so-da-gui", full_page=True)
        ui.click("Trả lại hồ sơ", exact=True)
        ui.heading("Trả lại hồ sơ: Tổ dân phố 1")
        page.get_by_label(re.compile(r"^4\.1\b")).fill("Thiếu danh sách hộ đăng ký ký tên")
        ui.fill("Ý kiến chung", "Đề nghị bổ sung trước ngày 30/10/2025.", exact=False)
        ui.seen("thuong-truc-04-tra-lai", full_page=True)
        ui.click_button("Trả lại hồ sơ", exact=True)
        expect(main).to_contain_text("Bị trả lại, cần bổ sung")
        ui.seen()

    with on(dt.date(2025, 10, 27)):
        ui.login(head, password, shot="truong-kdc-01-dang-nhap")
        ui.seen("truong-kdc-02-cong-viec")
        ui.click_link("Xét công nhận", exact=True)
        ui.click_link("Tổ dân phố 1", exact=True)
        expect(main).to_contain_text("Thiếu danh sách hộ đăng ký ký tên")
        ui.seen("truong-kdc-03-bi-tra-lai", full_page=True)
        page.get_by_text("Bổ sung tài liệu", exact=True).click()
        ui.field("Loại tài liệu", exact=False).select_option(label="Tài liệu khác")
        ui.field("Tệp", exact=False).set_input_files(files=[FilePayload(
            name="danh-sach-ho-dang-ky.pdf", mimeType="application/pdf", buffer=MINIMAL_PDF)])
        ui.seen("truong-kdc-04-bo-sung-tai-lieu")
        ui.click_button("Tải lên", exact=True)
        expect(main).to_contain_text("danh-sach-ho-dang-ky.pdf")
        ui.seen()
        ui.click_button("Gửi lại hồ sơ", exact=True)
        expect(main).to_contain_text("Đã gửi hồ sơ")
        ui.seen("truong-kdc-05-da-gui-lai")

    with on(dt.date(2025, 10, 28)):
        ui.login(officer, password)
        for area in ("Tổ dân phố 1", "Tổ dân phố 5"):
            ui.click_link("Xét công nhận", exact=True)
            ui.click_link(area, exact=True)
            first = area == "Tổ dân phố 1"
            if first:
                expect(main).to_contain_text("Thay đổi kể từ lần trả lại")
                expect(main).to_contain_text("danh-sach-ho-dang-ky.pdf")
            form = page.locator("form").filter(
                has=page.get_by_role("button", name="Ghi nhận thẩm định"))
            if first:
                ui.tab_through(form)
            form.get_by_label("Đạt", exact=True).check()
            ui.fill("Ý kiến thẩm định", "Hồ sơ đầy đủ, đủ điều kiện đề nghị công nhận.",
                    exact=False)
            ui.seen("thuong-truc-05-tham-dinh" if first else None, full_page=first)
            ui.click_button("Ghi nhận thẩm định", exact=True)
            expect(main).to_contain_text("Đã thẩm định")
            ui.seen()

    with on(dt.date(2025, 11, 10)):
        ui.login(officer, password)
        ui.click_link("Xét công nhận", exact=True)
        ui.click_link("Quyết định công nhận")
        ui.heading("Quyết định")
        for area in ("Tổ dân phố 1", "Tổ dân phố 5"):
            page.get_by_role("checkbox", name=f"Chọn {area}").check()
        ui.fill("Số quyết định", "15/QĐ-UBND", exact=False)
        ui.fill_date("Ngày ký", dt.date(2025, 11, 10))
        ui.fill("Người ký", "Nguyễn Văn Hùng", exact=False)
        ui.seen("thuong-truc-06-quyet-dinh", full_page=True)
        ui.click_button("Ban hành quyết định", exact=True)
        ui.notice("Đã ban hành quyết định 15/QĐ-UBND")
        ui.seen("thuong-truc-07-da-ban-hanh")
        decision = page.url.removeprefix(ui.base_url)

    with on(dt.date(2025, 11, 12)):
        ui.login(officer, password)
        ui.go(decision)
        ui.fill_date("Ngày cấp", dt.date(2025, 11, 12))
        ui.click_button("Cấp 2 giấy công nhận", exact=True)
        ui.through_job("thuong-truc-08-cap-giay-chay-nen")
        expect(main).to_contain_text("Đã cấp")
        ui.seen("thuong-truc-08-da-cap-giay", full_page=True)
        filename, content = ui.download("giay-cong-nhan-1-2025.pdf")
        assert filename.endswith(".pdf"), filename
        assert content.startswith(b"%PDF-"), content[:20]
        return content


MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
               b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
               b"trailer <</Root 1 0 R>>\n%%EOF\n")


def province_reads_the_report(ui: Ui, officer: str, password: str) -> dict[str, bytes]:
    """Journey 3: the province officer opens the year's report (the province's spreadsheet is
    made by a background job), drills down to a commune and downloads its report as XLSX and
    DOCX. Returns the files: ``province.xlsx``, ``commune.xlsx``, ``commune.docx``."""
    page = ui.page
    files = {}
    with on(dt.date(2025, 12, 1)):
        ui.login(officer, password, shot="cong-an-tinh-00", form_shot=False)
        ui.click_link("Báo cáo", exact=True)
        ui.heading(f"Thành phố Hà Nội: kết quả năm {YEAR}")
        ui.seen("cong-an-tinh-02-bao-cao", full_page=True)
        filename, files["province.xlsx"] = ui.download(f"Báo cáo năm {YEAR} (XLSX)",
                                                        shot="cong-an-tinh-03-chay-nen")
        assert filename.endswith(".xlsx"), filename
        ui.click_link("Báo cáo", exact=True)
        ui.click_link("Phường Hoàn Kiếm", exact=True)
        ui.heading(f"Phường Hoàn Kiếm: kết quả năm {YEAR}")
        expect(page.get_by_role("main")).to_contain_text("Tổ dân phố 1")
        ui.seen("cong-an-tinh-04-bao-cao-xa", full_page=True)
        for fmt in ("xlsx", "docx"):
            filename, files[f"commune.{fmt}"] = ui.download(
                f"Báo cáo năm {YEAR} ({fmt.upper()})")
            assert filename.endswith(f".{fmt}"), filename
    return files


def anyone_verifies_a_certificate(ui: Ui, officer: str, password: str, qr_link: str,
                                  code: str) -> None:
    """Journey 4: anyone holding the paper opens the QR code's link and sees the certificate
    valid; the commune annuls the decision; the same check (the code typed by hand) then says
    annulled."""
    page = ui.page
    main = page.get_by_role("main")
    with on(dt.date(2025, 12, 15)):
        page.goto(qr_link)
        ui.heading("Xác minh giấy công nhận")
        expect(main).to_contain_text("Còn hiệu lực")
        expect(main).to_contain_text("Tổ dân phố 1")
        ui.seen("xac-minh-01-con-hieu-luc")

    with on(dt.date(2026, 1, 5)):
        ui.login(officer, password)
        ui.go(f"/cycle/{YEAR}/")
        ui.click_link("Tổ dân phố 1", exact=True)
        ui.click(re.compile(r"^Quyết định 15\/QĐ-UBND"))
        page.get_by_text("Hủy bỏ quyết định", exact=True).first.click()
        ui.fill("Lý do hủy bỏ", "Phát hiện vụ trộm cắp trong kỳ chưa được báo cáo", exact=False)
        ui.fill("Văn bản hủy bỏ (số, ngày)", "Quyết định số 3/QĐ-UBND ngày 05/01/2026",
                exact=False)
        ui.fill_date("Ngày hủy bỏ", dt.date(2026, 1, 5))
        ui.seen("thuong-truc-09-huy-bo-quyet-dinh", full_page=True)
        page.locator("form").filter(has=page.get_by_label("Lý do hủy bỏ", exact=False)) \
            .get_by_role("button", name="Hủy bỏ quyết định").click()
        ui.notice("Đã hủy bỏ quyết định 15/QĐ-UBND")
        ui.seen()
        ui.click_button("Đăng xuất")

        ui.go("/verify/")
        ui.fill("Nhập mã xác minh in trên giấy công nhận", f"{code[:4]}-{code[4:8]}-{code[8:]}",
                exact=False)
        ui.click_button("Xác minh", exact=True)
        expect(main).to_contain_text("Đã bị hủy bỏ")
        expect(main).to_contain_text("từ ngày 05/01/2026")
        ui.seen("xac-minh-02-da-huy-bo")


def outsider_finds_nothing(ui: Ui, username: str, password: str, paths: list[str],
                           shot: str | None = None) -> None:
    """Journey 6: someone signed in without jurisdiction over a commune opens its pages by
    address and gets the Vietnamese "not found" page, never a hint that they exist."""
    ui.login(username, password)
    for i, path in enumerate(paths):
        response = ui.page.goto(ui.base_url + path)
        assert response is not None, path
        assert response.status == 404, (path, response.status)
        ui.heading("Không tìm thấy trang hoặc đơn vị này")
        expect(ui.page.get_by_role("main")).to_contain_text("ngoài phạm vi được phân quyền")
        ui.seen(shot if i == 0 else None)
