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
from playwright.sync_api import expect

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
