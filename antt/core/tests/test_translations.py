"""The English catalogue: complete, placeholders intact, and the pages really switch to English.

The catalogue is compiled with Babel into a temporary directory that the page tests use as
LOCALE_PATHS, so these tests neither depend on `make install` nor read a stale .mo file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings as django_settings
from django.urls import reverse

PO_PATH = Path(django_settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"

# %(name)s / %(n)d (python-format) and {name} (python-brace-format, DRF messages).
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def _catalog() -> Catalog:
    with PO_PATH.open("rb") as fh:
        return read_po(fh, locale="en")


def _messages() -> list[Message]:
    return [m for m in _catalog() if m.id]  # the header has an empty id


def _texts(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    """A message's id or string as a list: one item, or one per plural form."""
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


def _ids(message: Message) -> list[str]:
    return _texts(message.id)


def _strings(message: Message) -> list[str]:
    return _texts(message.string)


def _label(message: Message) -> str:
    return _ids(message)[0][:70]


@pytest.fixture(scope="session")
def english_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """antt/locale/en compiled into a temporary LOCALE_PATHS directory."""
    root = tmp_path_factory.mktemp("locale")
    target = root / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "django.mo").open("wb") as fh:
        write_mo(fh, _catalog(), use_fuzzy=False)
    return root


@pytest.fixture
def english(settings: Any, english_locale: Path) -> None:
    # Changing LOCALE_PATHS through the settings fixture resets Django's translation caches.
    settings.LOCALE_PATHS = [english_locale]


# --- the catalogue ------------------------------------------------------------------------------


def test_catalogue_has_messages_and_an_english_header() -> None:
    catalog = _catalog()
    assert len(_messages()) > 100
    assert not catalog.fuzzy
    assert catalog.num_plurals == 2


def test_every_message_is_translated() -> None:
    untranslated = [_label(m) for m in _messages() if not all(s.strip() for s in _strings(m))]
    assert untranslated == []


def test_no_message_is_fuzzy() -> None:
    assert [_label(m) for m in _messages() if m.fuzzy] == []


def test_placeholders_are_kept() -> None:
    wrong = []
    for message in _messages():
        expected = sorted(PLACEHOLDER.findall(_ids(message)[0]))
        for string in _strings(message):
            if sorted(PLACEHOLDER.findall(string)) != expected:
                wrong.append((_label(message), string))
    assert wrong == []


def test_babel_checks_pass() -> None:
    problems = [(_label(m), [str(e) for e in errors]) for m, errors in _catalog().check()]
    assert problems == []


def test_no_vietnamese_left_in_translations() -> None:
    """Vietnamese words may appear only where the English text quotes Vietnamese input
    (e.g. column headers the import accepts); anything else is a missed translation."""
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
    quoting = ("Vietnamese", "(có/không)", "Hoàn Kiếm", "(thôn)", "(xóm)", "(ấp)", "(bản)",
               "(buôn)", "(làng)", "(phum)", "(sóc)", "(tổ dân phố)", "(khu phố)",
               "/QĐ-UBND")  # fmt: skip
    leftovers = [
        (_label(m), s)
        for m in _messages()
        for s in _strings(m)
        if vietnamese.search(s) and not any(q in s for q in quoting)
    ]
    assert leftovers == []


# --- the pages ----------------------------------------------------------------------------------

VIETNAMESE_UI = [
    "Bỏ qua, đến nội dung chính",
    "Công việc",
    "Xét công nhận",
    "Điều hướng chính",
    "Nhập đơn vị",
    "Quản trị",
    "Đăng xuất",
    "Ngôn ngữ",
    "Tìm theo tên hoặc mã",
    "Ngày hiệu lực",
]


def _switch(client: Any, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": "/units/"})
    assert response.status_code == 302


def test_unit_list_switches_to_english(client: Any, personas: Any, english: None) -> None:
    client.force_login(personas.national_admin)
    page = client.get("/units/").content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng xuất" in page  # Vietnamese until the user picks English

    _switch(client, "en")
    response = client.get("/units/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    for english_text in ["Units", "Tasks", "Recognition", "Log out", "Main navigation"]:
        assert english_text in page
    assert "Search by name or code" in page
    assert [text for text in VIETNAMESE_UI if text in page] == []


def test_back_to_vietnamese(client: Any, personas: Any, english: None) -> None:
    client.force_login(personas.national_admin)
    _switch(client, "en")
    _switch(client, "vi")
    page = client.get("/units/").content.decode()
    assert "Đăng xuất" in page
    assert "Log out" not in page


def test_unit_page_explains_eligibility_in_english(
    client: Any, personas: Any, english: None
) -> None:
    client.force_login(personas.national_admin)
    _switch(client, "en")
    page = client.get("/units/00070-DN01/").content.decode()  # a medium enterprise: eligible
    assert "Eligible to register and to be considered for recognition." in page  # the reason
    assert "Thuộc đối tượng đăng ký" not in page


def test_criteria_set_page_labels_in_english(client: Any, personas: Any, english: None) -> None:
    client.force_login(personas.national_admin)
    _switch(client, "en")
    page = client.get(reverse("standards:criteriaset-detail", args=["tt124-2021"])).content.decode()
    assert "Evaluation window: 16/11 of the previous year – 15/11 of the recognition year" in page
    assert "Judgement of the meeting" in page  # an evidence label, marked with gettext_noop
    assert "năm công nhận" not in page


def test_unit_year_page_in_english(client: Any, personas: Any, english: None) -> None:
    client.force_login(personas.national_admin)
    _switch(client, "en")
    page = client.get("/units/00070-TDP01/2025/").content.decode()
    assert "<title>Tổ dân phố 1 — 2025 — ANTT</title>" in page  # a year, not "2,025"
    assert "Tổ dân phố 1: evaluation for 2025" in page
    assert "Criterion by criterion" in page


def test_work_list_and_reports_in_english(client: Any, personas: Any, english: None) -> None:
    client.force_login(personas.national_admin)
    page = client.get("/").content.decode()
    assert "Tiến độ trong phạm vi của bạn" in page  # Vietnamese until the user picks English

    _switch(client, "en")
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert re.search(r"<h1>Recognition work for \d{4}</h1>", page)  # the heading, a plain year
    assert "Progress within your scope" in page
    assert "Công việc xét công nhận năm" not in page
    assert "Tiến độ trong phạm vi của bạn" not in page

    response = client.get("/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert re.search(r": results for \d{4}</h1>", page)
    labels = ["By unit type", "Unit type", "Eligible", "No result yet", "Rate met (met/registered)"]
    assert [text for text in labels if text not in page] == []
    vietnamese = ["Theo loại đơn vị", "Thuộc đối tượng", "Chưa có kết quả", "kết quả năm"]
    assert [text for text in vietnamese if text in page] == []
