"""Pure layout: plain values in, DOCX or PDF bytes out (Decree 30/2020/NĐ-CP, Annex I).

A ``Paper`` is a letterhead and a list of blocks; ``render_docx`` and ``render_pdf`` turn the same
``Paper`` into an editable Word file and a PDF, so the two never disagree. Certificates have
their own landscape layout (``render_certificates``). No queries here.

PDFs embed Tinos (metric-compatible with Times New Roman, every Vietnamese glyph), copied from npm
by ``make install``: the machine's fonts are never used, so a missing file is an error, not a
silent fallback to another typeface.
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import segno
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "recognition" / "fonts"
FONTS = {  # (weight, style) → file shipped by the npm package @expo-google-fonts/tinos
    ("normal", "normal"): "Tinos_400Regular.ttf",
    ("bold", "normal"): "Tinos_700Bold.ttf",
    ("normal", "italic"): "Tinos_400Regular_Italic.ttf",
    ("bold", "italic"): "Tinos_700Bold_Italic.ttf",
}
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
STANDARD = "“An toàn về an ninh, trật tự”"
COMMITTEE = "Ủy ban nhân dân"
DOTS = "……"

# ---------------------------------------------------------------- plain values


@dataclass(frozen=True)
class Letterhead:
    """Decree 30 header: issuing body (left), national motto (right), number and place-date."""

    body: tuple[str, ...]  # upper case, bold: ("ỦY BAN NHÂN DÂN", "PHƯỜNG HOÀN KIẾM")
    number: str  # "Số: 15/QĐ-UBND"
    place_date: str  # "Hoàn Kiếm, ngày 10 tháng 11 năm 2025"
    superior: str = ""  # the managing body, upper case, regular


@dataclass(frozen=True)
class Signature:
    lines: tuple[str, ...]  # ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    name: str = ""


@dataclass(frozen=True)
class Text:
    """One paragraph. ``style``: body (justified, indented), item, title, subtitle, rule (a short
    line), authority (who issues, centred, bold), center, heading, note (italic, centred)."""

    text: str
    style: str = "body"
    lead: str = ""  # bold words before the text ("Điều 1.")
    kind: str = field(default="text", init=False)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # cm, adding up to the text width (16.5 cm)
    kind: str = field(default="table", init=False)

    @property
    def total_width(self) -> float:
        return sum(self.widths)


@dataclass(frozen=True)
class Signatures:
    right: Signature
    left: Signature | None = None
    recipients: tuple[str, ...] = ()  # "Nơi nhận:" (used when ``left`` is None)
    kind: str = field(default="signatures", init=False)


@dataclass(frozen=True)
class PageBreak:
    kind: str = field(default="page_break", init=False)


Block = Text | Table | Signatures | PageBreak


@dataclass(frozen=True)
class Paper:
    title: str
    letterhead: Letterhead
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class CertificateData:
    letterhead: Letterhead
    unit_name: str
    unit_kind: str
    address: str
    year: int
    decision_line: str  # "(Theo Quyết định số … ngày … của Chủ tịch …)"
    signature: Signature
    number: str
    code: str
    url: str


# ---------------------------------------------------------------- Vietnamese formatting (pure)

_PLACE_PREFIXES = (
    "Thành phố ",
    "Tỉnh ",
    "Phường ",
    "Xã ",
    "Thị trấn ",
    "Đặc khu ",
    "Quận ",
    "Huyện ",
    "Thị xã ",
)


def place_name(unit_name: str) -> str:
    """Decree 30: the place is the name of the unit without its kind (“Phường 12” stays)."""
    for prefix in _PLACE_PREFIXES:
        if unit_name.startswith(prefix) and not unit_name[len(prefix) :].isdigit():
            return unit_name[len(prefix) :]
    return unit_name


def place_date(place: str, day: dt.date | None, year: int) -> str:
    """“Hoàn Kiếm, ngày 05 tháng 01 năm 2026”: days below 10 and months below 3 take a 0."""
    if day is None:
        return f"{place}, ngày {DOTS} tháng {DOTS} năm {year}"
    d = f"{day.day:02d}"
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {d} tháng {m} năm {day.year}"


def short_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def lower_first(name: str) -> str:
    """“Phường Hoàn Kiếm” → “phường Hoàn Kiếm” (a unit named inside a sentence)."""
    return name[:1].lower() + name[1:] if name else name


def group_code(code: str) -> str:
    """ABCDEFGHJKLM → ABCD-EFGH-JKLM: easier to read out and type from paper."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def deciding_body(issuing_body: str, unit_name: str) -> tuple[tuple[str, ...], str]:
    """(header lines, name in a sentence) of the body that decides, from the decision's
    ``issuing_body`` (“Ủy ban nhân dân xã, phường, đặc khu — Phường Hoàn Kiếm”)."""
    kind = issuing_body.split(" — ")[0]
    if kind.startswith(COMMITTEE):
        return (COMMITTEE.upper(), unit_name.upper()), f"{COMMITTEE} {lower_first(unit_name)}"
    return (kind.upper(),), kind


def signer_role(title: str) -> str:
    """“Chủ tịch Ủy ban nhân dân cấp xã” → “Chủ tịch”; “Bộ trưởng Bộ Công an” → “Bộ trưởng”."""
    for marker in (f" {COMMITTEE}", " Bộ Công an"):
        if marker in title:
            return title.split(marker)[0]
    return title


# ---------------------------------------------------------------- DOCX (pure)

_SIZES = {"title": 14, "subtitle": 14, "heading": 14, "note": 13}
_PPR_AFTER_BORDER = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:spacing",
    "w:ind",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:outlineLvl",
    "w:rPr",
    "w:sectPr",
)


def _bottom_border(paragraph: Any) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_PPR_AFTER_BORDER)


def _para(
    container: Any,
    text: str = "",
    *,
    align: str = "center",
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    after: float = 0,
    underline: bool = False,
) -> Any:
    p = container.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    p.paragraph_format.space_after = Pt(after)
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
    return p


def _rule(container: Any, width_cm: float, span_cm: float) -> None:
    """A short centred line (under the issuing body, under a title)."""
    p = _para(container, after=6)
    indent = Cm(max(span_cm - width_cm, 0) / 2)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = indent
    run = p.add_run()
    run.font.size = Pt(2)
    _bottom_border(p)


def _table(doc: Any, widths: Sequence[float], rows: int, style: str | None = None) -> Any:
    table = doc.add_table(rows=rows, cols=len(widths))
    if style:
        table.style = doc.styles[style]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # a fixed layout: Word and LibreOffice keep the widths below
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    return table


def _cell(cell: Any) -> Any:
    """A cell with its first (empty) paragraph removed, ready for ``_para``."""
    first = cell.paragraphs[0]
    first._p.getparent().remove(first._p)
    return cell


def _letterhead(doc: Any, head: Letterhead, text_width: float) -> None:
    left_w = 6.3 if text_width < 20 else 9.0
    right_w = text_width - left_w
    table = _table(doc, (left_w, right_w), rows=2)
    left, right = _cell(table.cell(0, 0)), _cell(table.cell(0, 1))
    if head.superior:
        _para(left, head.superior, size=13)
    for line in head.body:
        _para(left, line, bold=True, size=13)
    _rule(left, 2.5, left_w)
    _para(right, NATION, bold=True, size=13)
    _para(right, MOTTO, bold=True, size=14, underline=True, after=6)
    _para(_cell(table.cell(1, 0)), head.number, size=13)
    _para(_cell(table.cell(1, 1)), head.place_date, italic=True, size=14)
    _para(doc, after=6)


def _signature(container: Any, sign: Signature) -> None:
    for line in sign.lines:
        _para(container, line, bold=True, size=14)
    for _i in range(4):
        _para(container)
    _para(container, sign.name or DOTS * 3, bold=bool(sign.name), size=14)


def _text(doc: Any, block: Text, text_width: float) -> None:
    style = block.style
    if style == "rule":
        _rule(doc, 3.0, text_width)
        return
    if style in ("body", "item"):
        p = _para(doc, align="justify", after=6)
        if style == "body":
            p.paragraph_format.first_line_indent = Cm(1.0)
        if block.lead:
            p.add_run(block.lead + " ").bold = True
        p.add_run(block.text)
        return
    _para(
        doc,
        block.text,
        align="left" if style == "heading" else ("right" if style == "right" else "center"),
        bold=style in ("title", "subtitle", "heading", "authority"),
        italic=style == "note",
        size=_SIZES.get(style),
        after=6 if style in ("heading", "subtitle", "note", "authority") else 0,
    )


def _grid(doc: Any, block: Table) -> None:
    table = _table(doc, block.widths, rows=1 + len(block.rows), style="Table Grid")
    # Short values (numbers, verdicts) are centred, text columns start at the left.
    short = [all(len(row[j]) <= 10 for row in block.rows) for j in range(len(block.header))]
    for i, values in enumerate((block.header, *block.rows)):
        for j, value in enumerate(values):
            align = "center" if i == 0 or short[j] else "left"
            _para(_cell(table.cell(i, j)), value, align=align, bold=i == 0, size=12)
    _para(doc, after=6)


def render_docx(paper: Paper, *, landscape: bool = False) -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    # Decree 30, Annex I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    text_width = (29.7 if landscape else 21.0) - 4.5
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_after = Pt(6)
    document.core_properties.title = paper.title
    document.core_properties.author = "ANTT"
    document.core_properties.language = "vi-VN"

    _letterhead(document, paper.letterhead, text_width)
    for block in paper.blocks:
        if isinstance(block, Text):
            _text(document, block, text_width)
        elif isinstance(block, Table):
            _grid(document, block)
        elif isinstance(block, PageBreak):
            document.add_page_break()  # type: ignore[no-untyped-call]
        else:
            half = text_width / 2
            table = _table(document, (half, half), rows=1)
            left, right = _cell(table.cell(0, 0)), _cell(table.cell(0, 1))
            if block.left is not None:
                _signature(left, block.left)
            elif block.recipients:
                _para(left, "Nơi nhận:", align="left", bold=True, italic=True, size=12)
                for line in block.recipients:
                    _para(left, line, align="left", size=11)
            _signature(right, block.right)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- PDF (pure)

# Below this many certificates per process, a second process costs more than it saves.
PARALLEL_FROM = 50


def font_faces() -> list[dict[str, str]]:
    missing = [name for name in FONTS.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"Thiếu phông chữ Tinos trong {FONT_DIR} ({', '.join(missing)}): chạy `make install`."
        )
    return [
        {"weight": w, "style": s, "url": (FONT_DIR / name).as_uri()}
        for (w, s), name in FONTS.items()
    ]


class _Engine:
    """WeasyPrint with what every document shares: one font configuration (the Tinos files are
    loaded and registered once, not for every document) and the certificates' stylesheet,
    parsed once. One per thread: Pango's font map is not meant to be shared between threads.

    WeasyPrint is imported here: it loads Pango, which pages that never print should not pay
    for. Only the font files and data: URIs (the QR code) may be fetched: a document never
    reaches the network or another file, whatever its text contains."""

    def __init__(self) -> None:
        import weasyprint  # type: ignore[import-untyped,unused-ignore]
        from weasyprint.text.fonts import (  # type: ignore[import-untyped,unused-ignore]
            FontConfiguration,
        )
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped,unused-ignore]

        fonts_uri = FONT_DIR.as_uri() + "/"

        class LocalFetcher(URLFetcher):  # type: ignore[misc]
            def fetch(self, url: str, headers: Any = None) -> Any:
                if not (url.startswith("data:") or url.startswith(fonts_uri)):
                    raise ValueError(f"Không tải tài nguyên ngoài khi in văn bản: {url[:80]}")
                return super().fetch(url, headers)

        self.html = weasyprint.HTML
        self.base_url = fonts_uri
        self.fetcher = LocalFetcher(allowed_protocols=("file", "data"))
        self.fonts = FontConfiguration()
        css = render_to_string("recognition/docs/certificates.css", {"fonts": font_faces()})
        self.certificate_style = weasyprint.CSS(
            string=css, base_url=fonts_uri, url_fetcher=self.fetcher, font_config=self.fonts
        )

    def render(self, template: str, context: dict[str, Any], stylesheets: list[Any]) -> Any:
        html = render_to_string(template, {**context, "fonts": font_faces()})
        return self.html(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            font_config=self.fonts, stylesheets=stylesheets
        )


_engines = threading.local()


def _engine() -> _Engine:
    engine: _Engine | None = getattr(_engines, "engine", None)
    if engine is None:
        engine = _engines.engine = _Engine()
    return engine


def _drop_engine() -> None:
    """Free the fonts while Pango is still loaded: left to interpreter shutdown, the font
    configuration's finaliser runs after its C functions are gone and prints a traceback."""
    _engines.__dict__.pop("engine", None)


atexit.register(_drop_engine)


def render_pdf(paper: Paper) -> bytes:
    rendered = _engine().render("recognition/docs/paper.html", {"paper": paper}, [])
    data: bytes = rendered.write_pdf()
    return data


def qr_png(url: str) -> str:
    """The QR code as a PNG data URI, one pixel per module: printed crisp with
    ``image-rendering: pixelated`` (a few hundred bytes, cheaper to lay out than SVG)."""
    uri: str = segno.make(url, error="m").png_data_uri(scale=1, border=0)
    return uri


def _layout_certificates(items: Sequence[CertificateData]) -> Any:
    engine = _engine()
    context = {
        "certificates": [
            (
                c,
                qr_png(c.url),
                group_code(c.code),
                "\n".join(c.letterhead.body),
                "\n".join(c.signature.lines),
            )
            for c in items
        ]
    }
    return engine.render("recognition/docs/certificates.html", context, [engine.certificate_style])


def render_certificates(items: Sequence[CertificateData]) -> bytes:
    """One PDF, one A4 landscape page per certificate (a batch to print)."""
    data: bytes = _layout_certificates(items).write_pdf()
    return data


def _certificate_pages(items: Sequence[CertificateData]) -> list[bytes]:
    rendered = _layout_certificates(items)
    return [rendered.copy([page]).write_pdf() for page in rendered.pages]


def certificate_workers(count: int) -> int:
    """One process per core for a big batch; none below ``PARALLEL_FROM`` certificates each
    (starting a process and sending its pages back costs more than it saves), and none where
    processes cannot be safely forked (the children must start with Django and WeasyPrint
    loaded): Linux only, where ``sched_getaffinity`` also says how many cores this process has."""
    if not hasattr(os, "sched_getaffinity"):
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), count // PARALLEL_FROM))


def render_certificate_pages(
    items: Sequence[CertificateData], *, workers: int | None = None
) -> list[bytes]:
    """One PDF per certificate, in the order given. A batch is laid out in one pass (the
    layout's set-up is shared), split in contiguous parts over ``workers`` processes (default:
    one per core when the batch is big enough). All or nothing: a failure in any part raises
    here, and no page is returned."""
    workers = certificate_workers(len(items)) if workers is None else min(workers, len(items))
    if workers < 2:
        return _certificate_pages(items)
    size = -(-len(items) // workers)  # ceiling: ``workers`` parts at most
    parts = [list(items[i : i + size]) for i in range(0, len(items), size)]
    # Forked, the children inherit the loaded templates, fonts and parsed stylesheet (made here
    # first, once for all); they only lay out and write PDFs and return bytes: no query (the
    # data is already read), so the inherited connections and a job's heartbeat thread (not
    # copied) are never touched there.
    _engine()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=context) as pool:
        return [pdf for part in pool.map(_certificate_pages, parts) for pdf in part]
