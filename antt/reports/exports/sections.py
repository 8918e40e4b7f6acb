"""The body of a report as numbered sections of sentences, tables and charts.

Word and PDF lay out the same sections, so both say the same thing in the same order with the
same table and chart numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from antt.reports.exports.content import Report, kind_label, review_table, roman
from antt.reports.exports.figures import Figure, review_figures, summary_figures


@dataclass(frozen=True)
class TableSpec:
    caption: str
    header: list[str]
    rows: list[list[str]]  # a "\n" in a cell is a line break
    widths: list[float]  # cm, for Word (16.5 cm of text width)
    numeric_from: int = 1  # columns from this one are right-aligned
    centred_rows: tuple[int, ...] = ()  # body rows (0-based) shown centred, e.g. the legal basis


@dataclass(frozen=True)
class NumberedFigure:
    number: int
    figure: Figure

    @property
    def caption(self) -> str:
        return f"Biểu đồ {self.number}. {self.figure.caption}"

    @property
    def svg(self) -> str:
        return self.figure.svg


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[TableSpec] = field(default_factory=list)
    figures: list[NumberedFigure] = field(default_factory=list)


class _Counter:
    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0

    def table(self, caption: str) -> str:
        self.tables += 1
        return f"Bảng {self.tables}. {caption}"

    def figure(self, figure: Figure) -> NumberedFigure:
        self.figures += 1
        return NumberedFigure(self.figures, figure)


def _cell(ratio: str, rate: str) -> str:
    """ "740/757" over "97,75%"; a single dash when nothing was registered."""
    return rate if ratio == "—" else f"{ratio}\n{rate}"


def kinds_table(report: Report, caption: str) -> TableSpec:
    """The scope's kinds, leaving out those it has none of; "Chưa có kết quả" only if any."""
    rows = [r for r in report.rows if r.in_scope] or report.rows
    pending = any(r.pending for r in rows)
    header = ["Loại đơn vị", "Thuộc diện", "Đăng ký", "Đạt", "Chưa đạt"]
    header += ["Chưa có kết quả"] if pending else []
    header += ["Tỷ lệ đạt"]
    body = []
    for r in rows:
        cells = [r.label, r.eligible_text, r.registered_text, r.met_text, r.not_met_text]
        cells += [r.pending_text] if pending else []
        body.append([*cells, _cell(r.ratio, r.rate_display)])
    widths = [4.6, 2.0, 2.0, 1.8, 2.0, 2.0, 2.1] if pending else [5.3, 2.1, 2.1, 2.1, 2.1, 2.8]
    return TableSpec(caption, header, body, widths)


def summary_sections(report: Report) -> list[Section]:
    count = _Counter()
    figures = summary_figures(report)
    sections = [
        Section(
            "KẾT QUẢ CHUNG",
            paragraphs=list(report.paragraphs),
            tables=[kinds_table(report, count.table("Kết quả theo loại đơn vị"))],
            figures=[count.figure(f) for f in figures if f.part == "scope"],
        )
    ]
    if report.children:
        kinds = report.child_kinds
        share = (16.5 - 1.3 - 5.0) / max(len(kinds), 1)
        rows = []
        for index, child in enumerate(report.children, start=1):
            cells = [str(index), child.name]
            for kind in kinds:
                row = child.row(kind)
                cells.append(_cell(row.ratio, row.rate_display) if row else "—")
            rows.append(cells)
        caption = count.table("Kết quả theo đơn vị trực thuộc (đạt/đăng ký, tỷ lệ đạt)")
        sections.append(
            Section(
                "KẾT QUẢ THEO ĐƠN VỊ TRỰC THUỘC",
                tables=[
                    TableSpec(
                        caption,
                        ["STT", "Đơn vị", *(kind_label(k, report.year) for k in kinds)],
                        rows,
                        [1.3, 5.0, *([share] * len(kinds))],
                        numeric_from=2,
                    )
                ],
                figures=[count.figure(f) for f in figures if f.part == "children"],
            )
        )
    if report.units:  # a commune's report: every unit, met or not
        sections.append(
            Section(
                "KẾT QUẢ TỪNG ĐƠN VỊ",
                tables=[
                    TableSpec(
                        count.table("Kết quả từng đơn vị"),
                        ["STT", "Đơn vị", "Loại đơn vị", "Kết quả", "Tiêu chí chưa đạt"],
                        [
                            [str(i), u.name, u.kind, u.result, u.criteria_text]
                            for i, u in enumerate(report.units, start=1)
                        ],
                        [1.3, 5.2, 3.4, 3.0, 3.6],
                        numeric_from=99,
                    )
                ],
            )
        )
    elif report.failed:
        sections.append(
            Section(
                "DANH SÁCH ĐƠN VỊ CHƯA ĐẠT TIÊU CHUẨN",
                tables=[
                    TableSpec(
                        count.table("Đơn vị chưa đạt và tiêu chí chưa đạt"),
                        ["STT", "Đơn vị", "Loại đơn vị", "Thuộc", "Tiêu chí chưa đạt"],
                        [
                            [str(i), u.name, u.kind, u.parent_name, u.criteria_text]
                            for i, u in enumerate(report.failed, start=1)
                        ],
                        [1.3, 4.4, 3.2, 3.6, 4.0],
                        numeric_from=99,
                    )
                ],
            )
        )
    return _numbered(sections)


def review_sections(report: Report) -> list[Section]:
    count = _Counter()
    section = Section("KẾT QUẢ QUA CÁC NĂM", paragraphs=list(report.paragraphs))
    if report.series:
        header, rows = review_table(report)
        share = (16.5 - 4.5) / max(len(report.years), 1)
        section.tables.append(
            TableSpec(
                count.table("Kết quả theo năm (đạt/đăng ký, tỷ lệ đạt)"),
                header,
                rows,
                [4.5, *([share] * len(report.years))],
                centred_rows=(0,),
            )
        )
    section.figures = [count.figure(f) for f in review_figures(report)]
    return _numbered([section])


def notes_heading(report: Report, sections: list[Section]) -> str:
    title = "LƯU Ý KHI SO SÁNH SỐ LIỆU" if report.kind == "review" else "LƯU Ý VỀ SỐ LIỆU"
    return f"{roman(len(sections) + 1)}. {title}"


def closing_heading(sections: list[Section]) -> str:
    return f"{roman(len(sections) + 2)}. PHƯƠNG HƯỚNG, KIẾN NGHỊ"


def _numbered(sections: list[Section]) -> list[Section]:
    for index, section in enumerate(sections, start=1):
        section.heading = f"{roman(index)}. {section.heading}"
    return sections
