"""Realistic sample dicts in the shape the statistics produce, and the sample files made from them.

``python -m antt.reports.exports.samples docs/samples`` writes bao-cao-mau.xlsx/.docx/.pdf (the
2025 summary), bao-cao-mau.so-ket.xlsx/.docx/.pdf (the 2021–2025 review) and bieu-do-mau.svg.
The figures are invented but add up: the children sum to the province's totals (740/757
residential areas, 409/473 agencies, enterprises and schools).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from antt.reports.charts import format_percent

# code, name, latitude, longitude, residential areas (eligible, registered, met),
# agencies+enterprises+schools (eligible, registered, met), commune met?
CHILDREN: tuple[
    tuple[str, str, float, float, tuple[int, int, int], tuple[int, int, int], bool], ...
] = (
    ("21001", "Phường Cẩm Thành", 15.121, 108.804, (62, 62, 62), (66, 60, 55), True),
    ("21004", "Phường Nghĩa Lộ", 15.108, 108.815, (58, 58, 57), (58, 52, 47), True),
    ("21211", "Xã Tịnh Khê", 15.187, 108.868, (70, 68, 66), (33, 30, 26), True),
    ("20902", "Xã Bình Sơn", 15.300, 108.762, (85, 80, 78), (64, 58, 48), True),
    ("21109", "Xã Sơn Tịnh", 15.153, 108.752, (74, 70, 70), (38, 35, 30), True),
    ("21841", "Phường Đức Phổ", 14.812, 108.957, (66, 64, 62), (44, 40, 34), True),
    ("21763", "Xã Ba Tơ", 14.768, 108.727, (72, 63, 60), (28, 25, 20), False),
    ("21619", "Xã Minh Long", 14.951, 108.701, (40, 36, 36), (13, 12, 11), True),
    ("21466", "Xã Sơn Hà", 15.040, 108.481, (78, 70, 67), (31, 28, 23), True),
    ("21013", "Đặc khu Lý Sơn", 15.381, 109.118, (24, 24, 24), (16, 15, 14), True),
    ("23305", "Phường Kon Tum", 14.351, 108.003, (90, 88, 87), (82, 75, 66), True),
    ("23380", "Xã Đăk Hà", 14.523, 107.927, (81, 74, 71), (47, 43, 35), False),
)

FAILED_RESIDENTIAL: dict[str, list[tuple[str, str, list[str]]]] = {
    "21004": [("2100401", "Tổ dân phố 5", ["4.3.d"])],
    "21211": [("2121103", "Thôn Mỹ Lai", ["4.3.b"]), ("2121107", "Thôn Cổ Lũy", ["4.4.b"])],
    "20902": [
        ("2090212", "Thôn An Phú", ["4.2", "4.5"]),
        ("2090220", "Thôn Phước Thiện", ["4.3.e"]),
    ],
    "21841": [
        ("2184105", "Tổ dân phố Nguyễn Nghiêm", ["4.3.a"]),
        ("2184109", "Tổ dân phố 9", ["4.4.c"]),
    ],
    "21763": [
        ("2176302", "Thôn Làng Mâm", ["4.1"]),
        ("2176311", "Thôn Gò Khoách", ["4.3.d"]),
        ("2176315", "Thôn Măng Lây", ["4.4.b", "4.5"]),
    ],
    "21466": [
        ("2146604", "Thôn Gò Da", ["4.3.g"]),
        ("2146608", "Thôn Xà Ây", ["4.4.a"]),
        ("2146613", "Thôn Tà Bần", ["4.3.b"]),
    ],
    "23305": [("2330518", "Tổ dân phố 18", ["4.3.c"])],
    "23380": [
        ("2338002", "Thôn 2", ["4.3.d"]),
        ("2338006", "Thôn Kon Stiu", ["4.4.b"]),
        ("2338011", "Thôn Đăk Dường", ["4.2"]),
    ],
}
FAILED_COMMUNE_CRITERIA = {"21763": ["5.4"], "23380": ["5.2", "5.4"]}


def _row(kind: str, eligible: int, registered: int, met: int) -> dict[str, Any]:
    rate = met / registered if registered else None
    return {
        "kind": kind,
        "eligible": eligible,
        "registered": registered,
        "met": met,
        "not_met": registered - met,
        "rate": rate,
        "rate_display": format_percent(rate),
    }


def sample_summary() -> dict[str, Any]:
    children = []
    for code, name, lat, lon, kdc, org, commune_met in CHILDREN:
        units = [
            {
                "code": u_code,
                "name": u_name,
                "kind": "residential_area",
                "result": "not_met",
                "failed_criteria": criteria,
            }
            for u_code, u_name, criteria in FAILED_RESIDENTIAL.get(code, [])
        ]
        units.append(
            {
                "code": code,
                "name": name,
                "kind": "commune",
                "result": "met" if commune_met else "not_met",
                "failed_criteria": FAILED_COMMUNE_CRITERIA.get(code, []),
            }
        )
        children.append(
            {
                "code": code,
                "name": name,
                "latitude": lat,
                "longitude": lon,
                "rows": [
                    _row("residential_area", *kdc),
                    _row("commune", 1, 1, 1 if commune_met else 0),
                    _row("organization", *org),
                ],
                "units": units,
            }
        )
    return {
        "year": 2025,
        "scope": {"code": "51", "name": "Tỉnh Quảng Ngãi"},
        "legal_basis": "TT 124/2021",
        "generated_at": "2026-11-25T10:00:00+07:00",
        "notes": [
            "Số liệu năm 2025 theo đơn vị hành chính sau sắp xếp (từ 01/7/2025).",
            "Đơn vị chưa có quyết định công nhận được tính tạm theo kết quả đánh giá.",
        ],
        "rows": [
            _row("residential_area", 800, 757, 740),
            _row("commune", 12, 12, 10),
            _row("agency", 180, 172, 160),
            _row("enterprise", 210, 176, 142),
            _row("school", 130, 125, 107),
            _row("organization", 520, 473, 409),
        ],
        "children": children,
    }


REVIEW_FIGURES = {
    # year: legal basis, residential areas, communes, agencies+enterprises+schools
    2021: ("TT 23/2012", (820, 760, 712), (275, 275, 232), (500, 430, 352)),
    2022: ("TT 124/2021", (815, 770, 731), (275, 275, 240), (505, 450, 378)),
    2023: ("TT 124/2021", (810, 772, 749), (273, 273, 251), (510, 462, 395)),
    2024: ("TT 124/2021", (805, 765, 748), (271, 270, 258), (515, 470, 401)),
    2025: ("TT 124/2021", (800, 757, 740), (12, 12, 10), (520, 473, 409)),
}


def sample_review() -> dict[str, Any]:
    return {
        "scope": {"code": "51", "name": "Tỉnh Quảng Ngãi"},
        "years": list(REVIEW_FIGURES),
        "generated_at": "2026-11-25T10:00:00+07:00",
        "series": [
            {
                "year": year,
                "legal_basis": basis,
                "rows": [
                    _row("residential_area", *kdc),
                    _row("commune", *commune),
                    _row("organization", *org),
                ],
            }
            for year, (basis, kdc, commune, org) in REVIEW_FIGURES.items()
        ],
        "warnings": [
            "Chuỗi số liệu vắt qua năm 2022: tiêu chí đổi từ TT 23/2012 sang TT 124/2021, kết quả "
            "năm 2021 và các năm từ 2022 không hoàn toàn so sánh được.",
            "Năm 2025: địa giới hành chính thay đổi (sắp xếp đơn vị hành chính, chính quyền địa "
            "phương hai cấp từ 01/7/2025); số xã, phường, đặc khu không so sánh được với các năm "
            "trước.",
        ],
        "notes": ["Tỷ lệ đạt tính trên số đơn vị đã đăng ký xây dựng."],
    }


def write_samples(folder: Path) -> list[Path]:
    from antt.reports.exports import (
        review_docx,
        review_pdf,
        review_xlsx,
        summary_docx,
        summary_pdf,
        summary_xlsx,
    )
    from antt.reports.exports.content import summary_report
    from antt.reports.exports.figures import summary_figures

    folder.mkdir(parents=True, exist_ok=True)
    summary, review = sample_summary(), sample_review()
    files = {
        "bao-cao-mau.xlsx": summary_xlsx(summary),
        "bao-cao-mau.docx": summary_docx(summary),
        "bao-cao-mau.pdf": summary_pdf(summary),
        "bao-cao-mau.so-ket.xlsx": review_xlsx(review),
        "bao-cao-mau.so-ket.docx": review_docx(review),
        "bao-cao-mau.so-ket.pdf": review_pdf(review),
    }
    figures = summary_figures(summary_report(summary))
    chart = next(f for f in figures if f.part == "children")
    files["bieu-do-mau.svg"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + chart.svg + "\n"
    ).encode()
    written = []
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    for path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/samples")):
        print(path)
