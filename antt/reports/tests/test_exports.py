"""Report exports, read back: XLSX with openpyxl, DOCX with python-docx, PDF with pypdf."""

import copy
import io
import re
import unicodedata
import zipfile

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook
from pypdf import PdfReader

from antt.reports.charts import report_font_files
from antt.reports.exports import (
    review_docx,
    review_pdf,
    review_xlsx,
    summary_docx,
    summary_pdf,
    summary_xlsx,
)
from antt.reports.exports.content import date_line, legal_basis_text, scope_phrase
from antt.reports.exports.samples import sample_review, sample_summary


def row(kind, eligible, registered, met, rate_display=None):
    data = {
        "kind": kind,
        "eligible": eligible,
        "registered": registered,
        "met": met,
        "not_met": registered - met,
        "rate": met / registered if registered else None,
    }
    if rate_display:
        data["rate_display"] = rate_display
    return data


SUMMARY = {
    "year": 2025,
    "scope": {"code": "51", "name": "Tỉnh Quảng Ngãi"},
    "legal_basis": "TT 124/2021",
    "notes": ["Số liệu tạm tính."],
    "generated_at": "2026-11-25T10:00:00+07:00",
    "rows": [
        row("residential_area", 800, 757, 740, "97,75%"),
        row("commune", 102, 102, 92, "90%"),
        row("organization", 520, 473, 409, "86%"),
    ],
    "children": [
        {
            "code": "21211",
            "name": "Xã Tịnh Khê",
            "latitude": 15.19,
            "longitude": 108.87,
            "rows": [row("residential_area", 12, 12, 11), row("commune", 1, 1, 1)],
            "units": [
                {
                    "code": "2121103",
                    "name": "Thôn Mỹ Lai",
                    "kind": "residential_area",
                    "result": "not_met",
                    "failed_criteria": ["4.4.b", "4.3.d"],
                },
                {
                    "code": "2121104",
                    "name": "Thôn Cổ Lũy",
                    "kind": "residential_area",
                    "result": "met",
                    "failed_criteria": [],
                },
            ],
        },
        {
            "code": "21763",
            "name": "=1+1",
            "latitude": 14.77,
            "longitude": 108.73,
            "rows": [row("residential_area", 9, 8, 6), row("commune", 1, 1, 0)],
            "units": [
                {
                    "code": "2176302",
                    "name": "@SUM(A1:A9)",
                    "kind": "residential_area",
                    "result": "not_met",
                    "failed_criteria": ["4.1"],
                },
                {
                    "code": "-2",
                    "name": "+Thôn Hai",
                    "kind": "residential_area",
                    "result": "not_met",
                    "failed_criteria": [],
                },
            ],
        },
    ],
}

REVIEW = {
    "scope": {"code": "51", "name": "Tỉnh Quảng Ngãi"},
    "years": [2021, 2022, 2025],
    "series": [
        {
            "year": 2021,
            "legal_basis": "TT 23/2012",
            "rows": [row("residential_area", 820, 760, 712), row("commune", 275, 275, 232)],
        },
        {
            "year": 2022,
            "legal_basis": "TT 124/2021",
            "rows": [row("residential_area", 815, 770, 731), row("commune", 275, 275, 240)],
        },
        {
            "year": 2025,
            "legal_basis": "TT 124/2021",
            "rows": [row("residential_area", 800, 757, 740), row("commune", 102, 102, 92)],
        },
    ],
    "warnings": [
        "Chuỗi số liệu vắt qua năm 2022: tiêu chí đổi từ TT 23/2012 sang TT 124/2021.",
        "Năm 2025: địa giới hành chính thay đổi.",
    ],
    "notes": ["Tỷ lệ tính trên số đăng ký."],
    "generated_at": "2026-11-25T10:00:00+07:00",
}


# --- the words ---------------------------------------------------------------------------


def test_date_line_follows_decree_30():
    import datetime as dt

    assert date_line("Quảng Ngãi", dt.date(2026, 2, 5)) == "Quảng Ngãi, ngày 05 tháng 02 năm 2026"
    assert date_line("Quảng Ngãi", dt.date(2026, 11, 25)) == "Quảng Ngãi, ngày 25 tháng 11 năm 2026"
    assert date_line("", None) == "……, ngày …… tháng …… năm ……"


@pytest.mark.parametrize(
    ("name", "code", "phrase"),
    [
        ("Tỉnh Quảng Ngãi", "51", "Toàn tỉnh"),
        ("Thành phố Hà Nội", "01", "Toàn thành phố"),
        ("Phường Cẩm Thành", "21001", "Toàn phường"),
        ("Đặc khu Lý Sơn", "1", "Toàn đặc khu"),
        ("", "", "Toàn quốc"),
        ("Khu X", "9", "Toàn địa bàn"),
    ],
)
def test_scope_phrase(name, code, phrase):
    assert scope_phrase(name, code) == phrase


def test_legal_basis_is_written_out():
    assert legal_basis_text("TT 124/2021").startswith("Thông tư số 124/2021/TT-BCA ngày 28/12/2021")
    assert legal_basis_text("TT 23/2012").startswith("Thông tư số 23/2012/TT-BCA")
    assert legal_basis_text("Quy định riêng") == "Quy định riêng"


# --- XLSX --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def summary_book():
    return load_workbook(io.BytesIO(summary_xlsx(SUMMARY)))


def records(ws):
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    return header, [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_summary_xlsx_has_one_sheet_per_level(summary_book):
    assert summary_book.sheetnames == ["Tổng hợp", "Theo đơn vị", "Danh sách chưa đạt", "Ghi chú"]


def test_summary_xlsx_totals_are_numbers_with_formats(summary_book):
    ws = summary_book["Tổng hợp"]
    header, rows = records(ws)
    assert header == [
        "Loại đơn vị",
        "Thuộc diện",
        "Đăng ký",
        "Đạt",
        "Chưa đạt",
        "Chưa có kết quả",
        "Đạt/Đăng ký",
        "Tỷ lệ đạt",
        "Tỷ lệ đạt (hiển thị)",
        "Tỷ lệ đạt trên số thuộc diện",
    ]
    kdc = rows[0]
    assert kdc["Loại đơn vị"].value == "Khu dân cư"
    assert [kdc[h].value for h in ("Thuộc diện", "Đăng ký", "Đạt", "Chưa đạt")] == [
        800,
        757,
        740,
        17,
    ]
    assert kdc["Đăng ký"].number_format == "#,##0"
    assert kdc["Tỷ lệ đạt"].value == pytest.approx(0.97754, abs=1e-5)
    assert kdc["Tỷ lệ đạt"].number_format == "0.00%"
    assert kdc["Tỷ lệ đạt (hiển thị)"].value == "97,75%"
    assert kdc["Đạt/Đăng ký"].value == "740/757"
    # the precision the statistics chose is kept as given
    assert rows[1]["Tỷ lệ đạt (hiển thị)"].value == "90%"


def test_summary_xlsx_sheets_are_tables_with_a_frozen_bold_header(summary_book):
    for ws in summary_book.worksheets:
        assert ws.freeze_panes is not None, ws.title
        assert ws.freeze_panes.endswith("2"), ws.title
        assert all(cell.font.b for cell in ws[1]), ws.title
        assert ws.tables or ws.auto_filter.ref, ws.title
        assert ws.column_dimensions["A"].width > 8
    table = summary_book["Tổng hợp"].tables["TongHop"]
    assert table.ref == "A1:J4"


def test_summary_xlsx_lists_each_child_per_kind(summary_book):
    _, rows = records(summary_book["Theo đơn vị"])
    first = [(r["Mã đơn vị"].value, r["Loại đơn vị"].value, r["Đạt"].value) for r in rows]
    assert first == [
        ("21211", "Khu dân cư", 11),
        ("21211", "Xã, phường, đặc khu", 1),
        ("21763", "Khu dân cư", 6),
        ("21763", "Xã, phường, đặc khu", 0),
    ]
    assert rows[2]["Tỷ lệ đạt (hiển thị)"].value == "75,00%"


def test_summary_xlsx_lists_units_not_met_with_their_criteria(summary_book):
    _, rows = records(summary_book["Danh sách chưa đạt"])
    assert [(r["Tên đơn vị"].value, r["Tiêu chí chưa đạt"].value) for r in rows] == [
        ("Thôn Mỹ Lai", "4.4.b; 4.3.d"),
        ("@SUM(A1:A9)", "4.1"),
        ("+Thôn Hai", "—"),
    ]
    assert rows[0]["Đơn vị cấp trên"].value == "Xã Tịnh Khê"


def test_xlsx_text_that_looks_like_a_formula_stays_text(summary_book):
    _, rows = records(summary_book["Theo đơn vị"])
    name = rows[2]["Tên đơn vị"]
    assert name.value == "=1+1"
    assert name.data_type == "s"
    assert name.quotePrefix
    _, units = records(summary_book["Danh sách chưa đạt"])
    assert units[1]["Tên đơn vị"].data_type == "s"
    assert units[2]["Mã đơn vị"].value == "-2"
    raw = summary_xlsx(SUMMARY)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for sheet in sheets:
            assert "<f>" not in archive.read(sheet).decode()


def test_summary_xlsx_notes_sheet_says_where_the_figures_come_from(summary_book):
    values = [c.value for r in summary_book["Ghi chú"].iter_rows() for c in r]
    assert "Tỉnh Quảng Ngãi (51)" in values
    assert "Số liệu tạm tính." in values
    assert any(str(v).startswith("Toàn tỉnh có 740/757 khu dân cư") for v in values)


def test_summary_xlsx_without_unit_lists_has_no_unit_sheet():
    data = copy.deepcopy(SUMMARY)
    for child in data["children"]:
        del child["units"]
    book = load_workbook(io.BytesIO(summary_xlsx(data)))
    assert "Danh sách chưa đạt" not in book.sheetnames


def test_summary_xlsx_with_nothing_failed_keeps_an_empty_filtered_sheet():
    data = copy.deepcopy(SUMMARY)
    for child in data["children"]:
        child["units"] = []
    ws = load_workbook(io.BytesIO(summary_xlsx(data)))["Danh sách chưa đạt"]
    assert ws.max_row == 1
    assert ws.auto_filter.ref == "A1:H1"


def test_review_xlsx_has_years_with_their_legal_basis():
    book = load_workbook(io.BytesIO(review_xlsx(REVIEW)))
    assert book.sheetnames == ["Theo năm", "Tỷ lệ theo năm", "Ghi chú"]
    _, rows = records(book["Theo năm"])
    assert [(r["Năm"].value, r["Căn cứ"].value, r["Loại đơn vị"].value) for r in rows[:3]] == [
        (2021, "TT 23/2012", "Khu dân cư"),
        (2021, "TT 23/2012", "Xã, phường, thị trấn"),  # the name before the 2025 reform
        (2022, "TT 124/2021", "Khu dân cư"),
    ]
    header, pivot = records(book["Tỷ lệ theo năm"])
    assert header == ["Loại đơn vị", "2021", "2022", "2025"]
    assert pivot[0]["2025"].value == pytest.approx(740 / 757)
    assert pivot[0]["2025"].number_format == "0.00%"
    notes = [c.value for r in book["Ghi chú"].iter_rows() for c in r]
    assert REVIEW["warnings"][0] in notes


# --- DOCX --------------------------------------------------------------------------------------


def docx_text(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row_ in table.rows:
            for cell in row_.cells:
                parts.append(cell.text)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def summary_document():
    return Document(io.BytesIO(summary_docx(SUMMARY)))


def test_summary_docx_writes_the_figures_into_sentences(summary_document):
    text = docx_text(summary_document)
    assert "Toàn tỉnh có 740/757 khu dân cư đạt tiêu chuẩn (97,75%)" in text
    assert "92/102 xã, phường, đặc khu đạt tiêu chuẩn (90%)" in text
    assert "409/473 cơ quan, doanh nghiệp, cơ sở giáo dục đạt tiêu chuẩn (86%)" in text


def test_summary_docx_has_the_administrative_header(summary_document):
    text = docx_text(summary_document)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BAN CHỈ ĐẠO …" in text
    assert re.search(r"Số:\s+/BC-BCĐ", text)
    assert "Quảng Ngãi, ngày 25 tháng 11 năm 2026" in text
    assert "BÁO CÁO" in text
    assert "đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2025" in text
    assert "QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ" in text
    assert "Nơi nhận:" in text


def test_summary_docx_tables_have_the_figures(summary_document):
    kinds = summary_document.tables[1]
    assert [c.text for c in kinds.rows[0].cells] == [
        "Loại đơn vị",
        "Thuộc diện",
        "Đăng ký",
        "Đạt",
        "Chưa đạt",
        "Tỷ lệ đạt",
    ]
    assert [c.text for c in kinds.rows[1].cells] == [
        "Khu dân cư",
        "800",
        "757",
        "740",
        "17",
        "740/757\n97,75%",
    ]
    children = summary_document.tables[2]
    assert [c.text for c in children.rows[2].cells] == ["2", "=1+1", "6/8\n75,00%", "0/1\n0,00%"]
    failed = summary_document.tables[3]
    assert [c.text for c in failed.rows[1].cells] == [
        "1",
        "Thôn Mỹ Lai",
        "Khu dân cư",
        "Xã Tịnh Khê",
        "4.4.b; 4.3.d",
    ]


def test_summary_docx_embeds_the_charts(summary_document):
    # by kind, by child, and the map (the children have coordinates)
    assert len(summary_document.inline_shapes) == 3
    captions = [p.text for p in summary_document.paragraphs if p.text.startswith("Biểu đồ")]
    assert len(captions) == 3


def test_summary_docx_is_times_new_roman_14(summary_document):
    normal = summary_document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    heading = summary_document.styles["Heading 1"]
    assert heading.font.name == "Times New Roman"


def test_summary_docx_names_the_issuer_and_signer_when_given():
    data = copy.deepcopy(SUMMARY) | {
        "issuer": {
            "parent": "UBND tỉnh Quảng Ngãi",
            "name": "Ban Chỉ đạo 138",
            "abbreviation": "BCĐ138",
        },
        "signer": {"title": "KT. Trưởng ban", "name": "Nguyễn Văn A"},
        "place": "Quảng Ngãi",
    }
    text = docx_text(Document(io.BytesIO(summary_docx(data))))
    assert "BAN CHỈ ĐẠO 138" in text
    assert "/BC-BCĐ138" in text
    assert "KT. TRƯỞNG BAN" in text
    assert "Nguyễn Văn A" in text


def test_review_docx_writes_each_year_with_its_legal_basis_and_the_warnings():
    document = Document(io.BytesIO(review_docx(REVIEW)))
    text = docx_text(document)
    assert "Năm 2021 (theo TT 23/2012): toàn tỉnh có 712/760 khu dân cư đạt tiêu chuẩn" in text
    assert "Năm 2025 (theo TT 124/2021): toàn tỉnh có 740/757 khu dân cư" in text
    assert "giai đoạn 2021\u00a0-\u00a02025" in text
    assert "tăng 4,07 điểm phần trăm (93,68% → 97,75%)" in text
    assert "lưu ý hai năm áp dụng tiêu chí khác nhau" in text
    for warning in REVIEW["warnings"]:
        assert warning in text
    years = document.tables[1]
    assert [c.text for c in years.rows[0].cells] == ["Loại đơn vị", "2021", "2022", "2025"]
    assert [c.text for c in years.rows[1].cells] == [
        "Căn cứ",
        "TT 23/2012",
        "TT 124/2021",
        "TT 124/2021",
    ]
    assert len(document.inline_shapes) == 1


# --- PDF ---------------------------------------------------------------------------------------


def pdf_text(reader):
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def pdf_fonts(reader):
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font") or {}
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture(scope="module")
def summary_reader():
    return PdfReader(io.BytesIO(summary_pdf(SUMMARY)))


def test_summary_pdf_has_the_figures_and_the_diacritics(summary_reader):
    text = re.sub(r"\s+", " ", pdf_text(summary_reader))
    assert "740/757 khu dân cư đạt tiêu chuẩn (97,75%)" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Thôn Mỹ Lai" in text
    assert "4.4.b; 4.3.d" in text
    assert "Quảng Ngãi, ngày 25 tháng 11 năm 2026" in text


def test_summary_pdf_carries_its_title(summary_reader):
    assert summary_reader.metadata.title.startswith("Báo cáo kết quả xây dựng khu dân cư")


def test_summary_pdf_embeds_the_vietnamese_serif_font(summary_reader):
    assert report_font_files(), "Tinos is copied by `make install`"
    fonts = pdf_fonts(summary_reader)
    assert any("Tinos" in name for name in fonts), fonts
    for page in summary_reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is None:  # a Type0 font: the descriptor is on its descendant
                descendant = font.get_object()["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_review_pdf_has_the_years_and_the_warnings():
    reader = PdfReader(io.BytesIO(review_pdf(REVIEW)))
    text = re.sub(r"\s+", " ", pdf_text(reader))
    assert "712/760" in text
    assert "Chuỗi số liệu vắt qua năm 2022" in text
    assert "TT 23/2012" in text


# --- robustness ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "export", [summary_xlsx, summary_docx, summary_pdf], ids=["xlsx", "docx", "pdf"]
)
def test_summary_exports_accept_a_bare_dict(export):
    assert export({"year": 2025, "scope": {"code": "51", "name": "Tỉnh Quảng Ngãi"}})
    assert export({})


@pytest.mark.parametrize(
    "export", [review_xlsx, review_docx, review_pdf], ids=["xlsx", "docx", "pdf"]
)
def test_review_exports_accept_a_bare_dict(export):
    assert export({})


def test_rows_without_rate_or_display_are_computed_and_zero_registrations_are_said():
    data = {
        "year": 2025,
        "scope": {"code": "51", "name": "Tỉnh Quảng Ngãi"},
        "rows": [
            {"kind": "residential_area", "registered": 757, "met": 740},
            {"kind": "school", "eligible": 3, "registered": 0, "met": 0},
        ],
    }
    text = docx_text(Document(io.BytesIO(summary_docx(data))))
    assert "740/757 khu dân cư đạt tiêu chuẩn (97,75%)" in text
    assert "chưa có cơ sở giáo dục nào đăng ký" in text
    ws = load_workbook(io.BytesIO(summary_xlsx(data)))["Tổng hợp"]
    assert ws["E2"].value == 17
    assert ws["H3"].value is None  # no rate without registrations


def test_the_sample_data_adds_up():
    data = sample_summary()
    for kind in ("residential_area", "organization"):
        total = next(r for r in data["rows"] if r["kind"] == kind)
        for key in ("eligible", "registered", "met"):
            parts = sum(r[key] for c in data["children"] for r in c["rows"] if r["kind"] == kind)
            assert parts == total[key], (kind, key)
    assert sample_review()["series"][-1]["rows"][0]["met"] == 740


# --- the statistics' full shape ------------------------------------------------------------------


def stat_row(kind, eligible, registered, met, not_met):
    pending = registered - met - not_met
    return {
        "kind": kind,
        "kind_label": "Xã, phường, đặc khu" if kind == "commune" else kind,
        "eligible": eligible,
        "registered": registered,
        "met": met,
        "not_met": not_met,
        "pending": pending,
        "rate": met / registered if registered else None,
        "rate_display": f"{met / registered * 100:.2f}%".replace(".", ",") if registered else "—",
        "rate_eligible": met / eligible if eligible else None,
        "rate_eligible_display": "",
    }


STAT_NOTE = "Tỷ lệ đạt = số đơn vị đạt / số đơn vị đã đăng ký (tử số và mẫu số ghi cạnh tỷ lệ)."

COMMUNE_SCOPE = {
    "year": 2025,
    "scope": {"code": "23281", "name": "Phường Kon Tum", "kind": "commune", "level": "commune"},
    "legal_basis": "TT 124/2021",
    "denominator": "registered",
    "denominator_label": "Tỷ lệ = số đơn vị đạt / số đơn vị đã đăng ký",
    "rows": [
        stat_row("residential_area", 3, 3, 1, 1),
        stat_row("commune", 1, 1, 0, 0),
        stat_row("agency", 0, 0, 0, 0),
        stat_row("enterprise", 1, 1, 1, 0),
        stat_row("school", 0, 0, 0, 0),
        stat_row("organization", 1, 1, 1, 0),
    ],
    "children": [],
    "units": [
        {
            "code": "TDP01",
            "name": "Tổ dân phố 1",
            "kind": "residential_area",
            "result": "met",
            "result_label": "Đạt",
            "failed_criteria": [],
            "failed_points": [],
        },
        {
            "code": "TDP02",
            "name": "Tổ dân phố 2",
            "kind": "residential_area",
            "result": "not_met",
            "result_label": "Chưa đạt",
            "failed_criteria": ["4.1", "4.3"],
            "failed_points": ["4.3.c"],
            "failed_details": [
                {"code": "4.3", "explanation": "Có vụ trộm cắp", "points": ["4.3.c"]}
            ],
            "note": "",
        },
        {
            "code": "TDP03",
            "name": "Tổ dân phố 3",
            "kind": "residential_area",
            "result": "pending",
            "result_label": "Chưa có kết quả",
            "failed_criteria": [],
        },
        {
            "code": "DN01",
            "name": "Công ty CP Cà phê",
            "kind": "enterprise",
            "registered": False,
            "result": None,
            "result_label": "Chưa đăng ký",
            "failed_criteria": [],
        },
    ],
    "notes": [STAT_NOTE],
    "generated_at": "2026-11-25T19:43:30+07:00",
}


def test_commune_report_lists_every_unit_with_its_failed_points():
    book = load_workbook(io.BytesIO(summary_xlsx(COMMUNE_SCOPE)))
    assert "Danh sách đơn vị" in book.sheetnames
    _, units = records(book["Danh sách đơn vị"])
    assert [
        (u["Tên đơn vị"].value, u["Kết quả"].value, u["Tiêu chí chưa đạt"].value) for u in units
    ] == [
        ("Tổ dân phố 1", "Đạt", "—"),
        ("Tổ dân phố 2", "Chưa đạt", "4.1; 4.3.c"),
        ("Tổ dân phố 3", "Chưa có kết quả", "—"),
        ("Công ty CP Cà phê", "Chưa đăng ký", "—"),
    ]
    assert units[1]["Giải thích"].value == "Có vụ trộm cắp"
    _, failed = records(book["Danh sách chưa đạt"])
    assert [(u["Đơn vị cấp trên"].value, u["Tên đơn vị"].value) for u in failed] == [
        ("Phường Kon Tum", "Tổ dân phố 2")
    ]


def test_commune_report_counts_pending_and_leaves_out_kinds_it_has_none_of():
    _, rows = records(load_workbook(io.BytesIO(summary_xlsx(COMMUNE_SCOPE)))["Tổng hợp"])
    kdc = rows[0]
    assert kdc["Chưa có kết quả"].value == 1
    assert kdc["Tỷ lệ đạt trên số thuộc diện"].value == pytest.approx(1 / 3)
    document = Document(io.BytesIO(summary_docx(COMMUNE_SCOPE)))
    text = docx_text(document)
    assert "Toàn phường có 1/3 khu dân cư đạt tiêu chuẩn (33,33%)" in text
    assert "cơ quan nào" not in text  # none in scope: not "chưa có cơ quan nào đăng ký"
    assert "Đã đăng ký nhưng chưa có kết quả xét công nhận: 1 khu dân cư; 1 xã" in text
    kinds = document.tables[1]
    assert "Chưa có kết quả" in [c.text for c in kinds.rows[0].cells]
    assert [r.cells[0].text for r in kinds.rows[1:]] == [
        "Khu dân cư",
        "Xã, phường, đặc khu",
        "Doanh nghiệp",
        "Cơ quan, doanh nghiệp, cơ sở giáo dục",
    ]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "I. KẾT QUẢ CHUNG",
        "II. KẾT QUẢ TỪNG ĐƠN VỊ",
        "III. LƯU Ý VỀ SỐ LIỆU",
        "IV. PHƯƠNG HƯỚNG, KIẾN NGHỊ",
    ]
    units = document.tables[2]
    assert [c.text for c in units.rows[2].cells] == [
        "2",
        "Tổ dân phố 2",
        "Khu dân cư",
        "Chưa đạt",
        "4.1; 4.3.c",
    ]


def test_the_statistics_denominator_note_is_not_repeated():
    text = docx_text(Document(io.BytesIO(summary_docx(COMMUNE_SCOPE))))
    assert text.count(STAT_NOTE) == 1
    assert "Tỷ lệ đạt tính trên" not in text
    assert "Tỷ lệ = số đơn vị đạt" not in text
    # the title names only the kinds the commune has
    assert (
        "Kết quả xây dựng khu dân cư, xã, phường, đặc khu, doanh nghiệp, cơ quan, "
        "doanh nghiệp" not in text
    )
    assert "Kết quả xây dựng khu dân cư, xã, phường, đặc khu, doanh nghiệp đạt tiêu chuẩn" in text


def test_a_year_before_the_reform_says_thi_tran():
    data = copy.deepcopy(COMMUNE_SCOPE) | {"year": 2023}
    text = docx_text(Document(io.BytesIO(summary_docx(data))))
    assert "Xã, phường, thị trấn" in text
    assert "năm 2023" in text


def test_the_review_chart_marks_the_breaks_the_statistics_found():
    from antt.reports.exports.content import review_report
    from antt.reports.exports.figures import review_figures

    data = copy.deepcopy(REVIEW)
    data["series"][1]["breaks"] = ["criteria_change"]
    data["series"][2]["breaks"] = ["reform_2025"]
    data["series"][0]["breaks"] = []
    report = review_report(data)
    assert report.markers == {
        2022: "2022: tiêu chí TT 124/2021 thay TT 23/2012",
        2025: "01/7/2025: sắp xếp đơn vị hành chính",
    }
    svg = review_figures(report)[0].svg
    assert svg.count('class="marker"') == 2
    data["series"][2]["breaks"] = []  # e.g. a scope the reform did not touch
    svg = review_figures(review_report(data))[0].svg
    assert svg.count('class="marker"') == 1


def test_a_child_without_code_or_place_is_listed_but_not_mapped():
    from antt.reports.exports.content import summary_report
    from antt.reports.exports.figures import summary_figures

    data = copy.deepcopy(SUMMARY)
    data["children"].append(
        {
            "code": None,
            "name": "Đơn vị trực thuộc cấp tỉnh (không thuộc xã, phường, đặc khu nào)",
            "kind": None,
            "latitude": None,
            "longitude": None,
            "rows": [row("residential_area", 0, 0, 0), row("organization", 40, 38, 35)],
            "units": [],
        }
    )
    book = load_workbook(io.BytesIO(summary_xlsx(data)))
    _, rows = records(book["Theo đơn vị"])
    assert rows[-1]["Mã đơn vị"].value in ("", None)
    maps = [f for f in summary_figures(summary_report(data)) if "map" in f.svg[:400]]
    assert len(maps) == 1
    assert maps[0].svg.count('class="commune ') == 2


def test_markup_in_names_is_printed_as_text_and_fetches_nothing():
    data = copy.deepcopy(SUMMARY)
    data["children"][0]["name"] = '<img src="http://example.invalid/x.png"> Xã <b>Tịnh</b> Khê'
    reader = PdfReader(io.BytesIO(summary_pdf(data)))
    text = re.sub(r"\s+", " ", pdf_text(reader))
    assert "<b>Tịnh</b>" in text
