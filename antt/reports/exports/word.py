"""Word reports in the administrative format of Decree 30/2020/NĐ-CP, to edit before signing.

A4, margins 2/2/3/1.5 cm, Times New Roman 14 pt (tables 12 pt). Header block: the parent body
and the issuing body (placeholder "BAN CHỈ ĐẠO …" unless the data names it) with the number line
on the left, the national motto with its rule and the place-and-date line on the right. Then the
title, the figures written out as sentences, tables, the charts as pictures, the notes and
warnings, and the signature block with placeholders.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from antt.reports.charts import svg_to_png
from antt.reports.exports.content import (
    MOTTO,
    MOTTO_COUNTRY,
    SIGNATURE_HINT,
    Report,
    opening,
    review_report,
    summary_report,
)
from antt.reports.exports.sections import (
    NumberedFigure,
    Section,
    TableSpec,
    closing_heading,
    notes_heading,
    review_sections,
    summary_sections,
)

__all__ = ["review_docx", "summary_docx"]

FONT = "Times New Roman"
TEXT_WIDTH_CM = 16.5  # 21 cm less the 3 cm and 1.5 cm margins
LEFT_CM, RIGHT_CM = 6.3, 10.2  # the two columns of the header and signature blocks


def _set_font(style: Any, size: float, *, bold: bool | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # theme fonts would win over Times New Roman
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")


def _new_document(report: Report) -> Any:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    _set_font(normal, 14)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name in ("Heading 1", "Heading 2"):
        heading = doc.styles[name]
        _set_font(heading, 14, bold=True)
        heading.font.italic = False
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(6)
        heading.paragraph_format.keep_with_next = True
    _set_font(doc.styles["Caption"], 12)
    doc.styles["Caption"].font.italic = True
    props = doc.core_properties
    props.title = report.file_title
    props.language = "vi-VN"
    props.author = "ANTT"
    props.subject = report.scope_name
    return doc


def _para(
    container: Any,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: Any = None,
    indent: bool = False,
    after: float | None = None,
    style: str | None = None,
) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _rule(cell: _Cell, length_cm: float, cell_cm: float) -> None:
    """A short centred horizontal line (Decree 30: under the issuer and under the motto)."""
    paragraph = cell.add_paragraph()
    fmt = paragraph.paragraph_format
    side = max((cell_cm - 0.4 - length_cm) / 2, 0)
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    run = paragraph.add_run()
    run.font.size = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _tight(paragraph: Paragraph) -> Paragraph:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.first_line_indent = None
    return paragraph


def _two_columns(doc: Any) -> tuple[_Cell, _Cell]:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _widths(table, [LEFT_CM, RIGHT_CM])
    left, right = table.rows[0].cells
    return left, right


def _widths(table: Table, widths: Sequence[float]) -> None:
    """Word reads the cells' widths, LibreOffice the grid's: set both."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _header_block(doc: Any, report: Report) -> None:
    left, right = _two_columns(doc)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    first = left.paragraphs[0]
    first.add_run(report.issuer_parent).font.size = Pt(13)
    first.alignment = centre
    _tight(first)
    _tight(_para(left, report.issuer_name, bold=True, size=13, align=centre))
    _rule(left, 2.2, LEFT_CM)
    _tight(
        _para(left, report.number_line, size=13, align=centre)
    ).paragraph_format.space_before = Pt(6)
    top = right.paragraphs[0]
    top.add_run(MOTTO_COUNTRY).bold = True
    top.runs[0].font.size = Pt(12.5)
    top.alignment = centre
    _tight(top)
    _tight(_para(right, MOTTO, bold=True, size=13.5, align=centre))
    _rule(right, 6.1, RIGHT_CM)
    date = _tight(_para(right, report.date_line, italic=True, size=13.5, align=centre))
    date.paragraph_format.space_before = Pt(6)


def _title(doc: Any, report: Report) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    heading = _para(doc, "BÁO CÁO", bold=True, align=centre, after=0)
    heading.paragraph_format.space_before = Pt(18)
    _para(doc, report.title, bold=True, align=centre, after=12)


def _row_flags(table: Table) -> None:
    """The header row repeats on every page; no row is split across two pages."""
    for index, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader") if index == 0 else ("w:cantSplit",):
            flag = OxmlElement(tag)
            flag.set(qn("w:val"), "true")
            trpr.append(flag)


def _table(doc: Any, spec: TableSpec) -> Table:
    table: Table = doc.add_table(rows=1 + len(spec.rows), cols=len(spec.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _widths(table, spec.widths)
    for r, values in enumerate([spec.header, *spec.rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = _tight(cell.paragraphs[0])
            for i, line in enumerate(str(value).split("\n")):
                if i:
                    paragraph.add_run().add_break()
                run = paragraph.add_run(line)
                run.font.size = Pt(12)
                run.bold = r == 0 or None
            if r == 0 or ((r - 1) in spec.centred_rows and c >= 1):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif c >= spec.numeric_from:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _row_flags(table)
    _para(doc, after=0)  # Word joins two tables that touch
    return table


def _figure(doc: Any, figure: NumberedFigure) -> None:
    doc.add_picture(io.BytesIO(svg_to_png(figure.svg)), width=Cm(TEXT_WIDTH_CM - 0.5))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _para(doc, figure.caption, style="Caption", align=WD_ALIGN_PARAGRAPH.CENTER)


def _notes(doc: Any, report: Report, heading: str) -> None:
    doc.add_heading(heading, level=1)
    for text in report.warnings:
        paragraph = _para(doc, indent=True)
        paragraph.add_run("Cảnh báo: ").bold = True
        paragraph.add_run(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for text in report.notes:
        _para(doc, text, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, f"Số liệu trích xuất từ hệ thống lúc {report.generated}.", italic=True, indent=True)


def _closing(doc: Any, report: Report, heading: str) -> None:
    doc.add_heading(heading, level=1)
    _para(
        doc,
        "(Phần đánh giá, phương hướng và kiến nghị do cơ quan báo cáo bổ sung trước khi trình ký.)",
        italic=True,
        indent=True,
    )
    left, right = _two_columns(doc)
    first = _tight(left.paragraphs[0])
    run = first.add_run("Nơi nhận:")
    run.bold = run.italic = True
    run.font.size = Pt(12)
    for index, recipient in enumerate(report.recipients):
        end = "." if index == len(report.recipients) - 1 else ";"
        _tight(_para(left, f"- {recipient.rstrip(';.')}{end}", size=11))
    centre = WD_ALIGN_PARAGRAPH.CENTER
    signer = _tight(right.paragraphs[0])
    signer.add_run(report.signer_title).bold = True
    signer.alignment = centre
    _tight(_para(right, SIGNATURE_HINT, italic=True, size=12, align=centre))
    for _ in range(4):
        _tight(_para(right))
    _tight(_para(right, report.signer_name, bold=True, align=centre))


def _opening(doc: Any, report: Report) -> None:
    _para(doc, opening(report), indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def _save(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _document(report: Report, sections: list[Section]) -> bytes:
    doc = _new_document(report)
    _header_block(doc, report)
    _title(doc, report)
    _opening(doc, report)
    for section in sections:
        doc.add_heading(section.heading, level=1)
        for text in section.paragraphs:
            _para(doc, text, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        for spec in section.tables:
            _para(doc, spec.caption, style="Caption")
            _table(doc, spec)
        for figure in section.figures:
            _figure(doc, figure)
    _notes(doc, report, notes_heading(report, sections))
    _closing(doc, report, closing_heading(sections))
    return _save(doc)


def summary_docx(data: Mapping[str, Any]) -> bytes:
    """The year's report of one scope, to edit and sign."""
    report = summary_report(data)
    return _document(report, summary_sections(report))


def review_docx(data: Mapping[str, Any]) -> bytes:
    """The multi-year review of one scope, with the warnings where the series breaks."""
    report = review_report(data)
    return _document(report, review_sections(report))
