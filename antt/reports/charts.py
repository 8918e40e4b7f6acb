"""Report charts as self-contained SVG, and the same SVG as PNG for the Word report.

Pure functions: numbers and names in, markup out. No tile server, no web font, no script: the
SVG opens offline, inline in the PDF's HTML or as a file. Every chart has ``role="img"``, a
``<title>`` and a ``<desc>`` saying in words what it shows, ``<title>`` tooltips on every bar,
point and commune, and a legend that uses shapes and text as well as colour.

Percentages are Vietnamese: ``97,75%`` (decimal comma), never ``97.75%``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_MARKERS",
    "FONT_FAMILY",
    "bar_chart_svg",
    "commune_map_svg",
    "format_int",
    "format_percent",
    "line_chart_svg",
    "report_font_files",
    "svg_to_png",
]

SVG_NS = "http://www.w3.org/2000/svg"
# Tinos first: metric-compatible with Times New Roman and has every Vietnamese glyph. It is the
# font the certificates embed (copied by `make install`); a viewer without it falls back in order.
FONT_FAMILY = "Tinos, 'Times New Roman', 'Liberation Serif', 'DejaVu Serif', serif"
# The recognition app owns the font files; reports reuse them rather than ship a second copy.
FONT_DIR = Path(__file__).resolve().parents[1] / "recognition/static/recognition/fonts"
FONT_FILES = {
    "regular": "Tinos_400Regular.ttf",
    "bold": "Tinos_700Bold.ttf",
    "italic": "Tinos_400Regular_Italic.ttf",
    "bold_italic": "Tinos_700Bold_Italic.ttf",
}

# The two breaks a multi-year series can cross (REGULATION §11 and §7). A marker is drawn between
# the year before and the year named, because that is where the results stop being comparable.
DEFAULT_MARKERS: dict[int, str] = {
    2022: "2022: tiêu chí TT 124/2021 thay TT 23/2012",
    2025: "01/7/2025: sắp xếp đơn vị hành chính",
}

INK = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
BAR = "#0b5cad"
# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), in order.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SERIES_DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 2", "1 2", "12 4")
SERIES_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "plus", "cross")


# --- numbers in Vietnamese -----------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_int(value: Any) -> str:
    """1234 → "1.234" (Vietnamese grouping); "—" when there is no number."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{int(number.to_integral_value(rounding=ROUND_HALF_UP)):,}".replace(",", ".")


def format_percent(rate: Any, digits: int = 2) -> str:
    """A ratio as a Vietnamese percentage, rounded half up: 0.977542 → "97,75%"; None → "—"."""
    number = _decimal(rate)
    if number is None:
        return "—"
    quantum = Decimal(1).scaleb(-digits)
    text = f"{(number * 100).quantize(quantum, rounding=ROUND_HALF_UP):,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") + "%"


def _rate(value: Any) -> float | None:
    number = _decimal(value)
    return None if number is None else float(number)


# --- SVG plumbing --------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    element = ET.SubElement(parent, tag)
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        element.set(name, _fmt(value) if isinstance(value, float) else str(value))
    if text is not None:
        element.text = text
    return element


def _text_width(text: str, size: float) -> float:
    """Rough advance of a Times-like font: enough to lay out labels without font metrics."""
    return len(text) * size * 0.47


def _fit(text: str, size: float, width: float) -> str:
    if _text_width(text, size) <= width:
        return text
    keep = max(1, int(width / (size * 0.47)) - 1)
    return text[:keep].rstrip() + "…"


def _root(width: float, height: float, title: str, desc: str, kind: str) -> ET.Element:
    digest = hashlib.sha1(f"{kind}|{title}|{desc}".encode(), usedforsecurity=False)
    ident = "c" + digest.hexdigest()[:8]  # ids stay unique when several charts share a page
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": _fmt(width),
            "height": _fmt(height),
            "viewBox": f"0 0 {_fmt(width)} {_fmt(height)}",
            "role": "img",
            "aria-labelledby": f"{ident}-title {ident}-desc",
            "font-family": FONT_FAMILY,
            "font-size": "12",
            "class": f"antt-chart antt-{kind}",
        },
    )
    _el(root, "title", title, id=f"{ident}-title")
    _el(root, "desc", desc, id=f"{ident}-desc")
    _el(root, "rect", x=0, y=0, width=_fmt(width), height=_fmt(height), fill="#ffffff")
    _el(root, "text", title, x=12, y=22, font_size=15, font_weight="bold", fill=INK)
    return root


def _serialise(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


def _shape(parent: ET.Element, shape: str, x: float, y: float, r: float, **style: Any) -> None:
    """A marker centred on (x, y): the shape carries the meaning as well as the colour."""
    if shape == "circle":
        _el(parent, "circle", cx=x, cy=y, r=r, **style)
    elif shape == "square":
        _el(parent, "rect", x=x - r, y=y - r, width=2 * r, height=2 * r, **style)
    elif shape in ("triangle", "triangle-down"):
        s = -1 if shape == "triangle" else 1
        pts = [(x, y + s * r * 1.2), (x - r * 1.1, y - s * r * 0.8), (x + r * 1.1, y - s * r * 0.8)]
        _el(parent, "polygon", points=" ".join(f"{_fmt(a)},{_fmt(b)}" for a, b in pts), **style)
    elif shape == "diamond":
        pts = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
        _el(parent, "polygon", points=" ".join(f"{_fmt(a)},{_fmt(b)}" for a, b in pts), **style)
    else:  # plus / cross: strokes only
        stroke = style.get("fill") or style.get("stroke") or INK
        d = (
            f"M{_fmt(x - r)},{_fmt(y)}H{_fmt(x + r)}M{_fmt(x)},{_fmt(y - r)}V{_fmt(y + r)}"
            if shape == "plus"
            else f"M{_fmt(x - r)},{_fmt(y - r)}L{_fmt(x + r)},{_fmt(y + r)}"
            f"M{_fmt(x - r)},{_fmt(y + r)}L{_fmt(x + r)},{_fmt(y - r)}"
        )
        _el(
            parent,
            "path",
            d=d,
            stroke=stroke,
            stroke_width=2.5,
            fill="none",
            class_=style.get("class_"),
        )


# --- bar chart -----------------------------------------------------------------------------


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[Any],
    title: str,
    *,
    annotations: Sequence[str | None] | None = None,
    desc: str | None = None,
    width: float = 720,
    digits: int = 2,
) -> str:
    """Horizontal bars of rates (0–1), one per label, the Vietnamese percentage at each bar's end.

    ``annotations`` (e.g. "740/757") are printed after the percentage so that the numerator and
    the denominator stay visible. A ``None`` value draws no bar and says "chưa có số liệu".
    """
    rates = [_rate(v) for v in values]
    notes = list(annotations or [None] * len(rates))
    notes += [None] * (len(rates) - len(notes))
    label_size, row_h, bar_h = 12.0, 26.0, 16.0
    top, bottom = 44.0, 34.0
    longest = max((_text_width(str(label), label_size) for label in labels), default=40)
    left = min(max(longest + 28, 90), width * 0.4)
    right = 125.0
    plot_w = width - left - right
    height = top + row_h * max(len(rates), 1) + bottom
    shown = [
        f"{label}: {format_percent(rate, digits)}" + (f" ({note})" if note else "")
        for label, rate, note in zip(labels, rates, notes, strict=False)
    ]
    root = _root(
        width, height, title, desc or "Biểu đồ thanh ngang. " + "; ".join(shown) + ".", "bar"
    )

    axis = _el(root, "g", class_="axis", fill=MUTED, font_size=11, text_anchor="middle")
    for step in range(6):
        x = left + plot_w * step / 5
        _el(
            axis,
            "line",
            x1=x,
            x2=x,
            y1=top - 6,
            y2=height - bottom + 2,
            stroke=GRID,
            stroke_width=1,
        )
        _el(axis, "text", f"{step * 20}%", x=x, y=height - bottom + 18)

    bars = _el(root, "g", class_="bars")
    for index, (label, rate, note) in enumerate(zip(labels, rates, notes, strict=False)):
        y = top + row_h * index
        row = _el(bars, "g", class_="row")
        _el(row, "title", shown[index])
        _el(
            row,
            "text",
            _fit(str(label), label_size, left - 16),
            x=left - 8,
            y=y + bar_h / 2 + 4,
            text_anchor="end",
            fill=INK,
            class_="label",
        )
        if rate is None:
            _el(
                row,
                "text",
                "chưa có số liệu",
                x=left + 4,
                y=y + bar_h / 2 + 4,
                fill=MUTED,
                font_style="italic",
                class_="value",
            )
            continue
        bar_w = plot_w * min(max(rate, 0.0), 1.0)
        _el(row, "rect", x=left, y=y, width=max(bar_w, 1.0), height=bar_h, fill=BAR, class_="bar")
        value = format_percent(rate, digits) + (f" ({note})" if note else "")
        _el(
            row,
            "text",
            value,
            x=left + bar_w + 5,
            y=y + bar_h / 2 + 4,
            fill=INK,
            font_weight="bold",
            class_="value",
        )
    _el(
        root,
        "line",
        x1=left,
        x2=left,
        y1=top - 6,
        y2=height - bottom + 2,
        stroke=INK,
        stroke_width=1,
    )
    return _serialise(root)


# --- line chart ----------------------------------------------------------------------------


def line_chart_svg(
    years: Sequence[int],
    series: Mapping[str, Sequence[Any]],
    title: str,
    markers: Mapping[int, str] | None = None,
    *,
    desc: str | None = None,
    width: float = 720,
    height: float = 380,
    digits: int = 2,
) -> str:
    """Rates by year, one line per series, with vertical markers where results stop comparing.

    ``markers`` maps a year to a caption; the line is drawn between that year and the one before,
    and only when both lie on the chart. ``None`` uses :data:`DEFAULT_MARKERS` (2022 criteria,
    2025 reform). Missing values leave a gap in the line. Each series has its own colour, dash
    and point shape, all repeated in the legend.
    """
    years = [int(y) for y in years]
    marks = DEFAULT_MARKERS if markers is None else markers
    lines = {str(k): [_rate(v) for v in vals] for k, vals in series.items()}
    present = [v for vals in lines.values() for v in vals if v is not None]
    low = 0.0
    if present and min(present) >= 0.5:  # rates near 100% would otherwise look flat
        low = math.floor((min(present) - 0.05) * 10) / 10
    high = 1.0
    left, right, top = 56.0, 24.0, 64.0
    # legend items flow left to right and wrap: (x offset, row) for each series
    legend_at: list[tuple[float, int]] = []
    lx, row = 0.0, 0
    for name in lines:
        item_w = 44 + _text_width(name, 11.5) + 22
        if lx > 0 and lx + item_w > width - left - right:
            lx, row = 0.0, row + 1
        legend_at.append((lx, row))
        lx += item_w
    bottom = 40.0 + 20.0 * (row + 1 if lines else 0)
    plot_w, plot_h = width - left - right, height - top - bottom
    lo_year, hi_year = (min(years), max(years)) if years else (0, 1)
    span = max(hi_year - lo_year, 1)

    def x_of(year: float) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return left + plot_w * (year - lo_year) / span

    def y_of(rate: float) -> float:
        clipped = min(max(rate, low), high)
        return top + plot_h * (1 - (clipped - low) / (high - low))

    words = []
    for name, vals in lines.items():
        pairs = ", ".join(
            f"{y}: {format_percent(v, digits)}" for y, v in zip(years, vals, strict=False)
        )
        words.append(f"{name} ({pairs})")
    shown_marks = {y: text for y, text in marks.items() if lo_year < y <= hi_year}
    summary = "Biểu đồ đường, tỷ lệ đạt theo năm. " + "; ".join(words) + "."
    if shown_marks:
        summary += " Mốc: " + "; ".join(shown_marks.values()) + "."
    if low > 0:
        summary += f" Trục dọc bắt đầu từ {format_percent(low, 0)}."
    root = _root(width, height, title, desc or summary, "line")

    axis = _el(root, "g", class_="axis", fill=MUTED, font_size=11)
    steps = round((high - low) / 0.1)
    every = 1 if steps <= 5 else 2
    for step in range(0, steps + 1, every):
        tick = low + (high - low) * step / steps
        y = y_of(tick)
        _el(axis, "line", x1=left, x2=left + plot_w, y1=y, y2=y, stroke=GRID, stroke_width=1)
        _el(axis, "text", format_percent(tick, 0), x=left - 6, y=y + 4, text_anchor="end")
    for year in years:
        _el(
            axis,
            "text",
            str(year),
            x=x_of(year),
            y=top + plot_h + 18,
            text_anchor="middle",
            class_="year",
        )
    _el(root, "line", x1=left, x2=left, y1=top, y2=top + plot_h, stroke=INK, stroke_width=1)
    _el(
        root,
        "line",
        x1=left,
        x2=left + plot_w,
        y1=top + plot_h,
        y2=top + plot_h,
        stroke=INK,
        stroke_width=1,
    )

    marker_group = _el(root, "g", class_="markers", fill=INK, font_size=10.5)
    for index, (year, caption) in enumerate(sorted(shown_marks.items())):
        x = x_of(year - 0.5) if (year - 1) >= lo_year else x_of(year)
        mark = _el(marker_group, "g", class_="marker")
        _el(mark, "title", caption)
        _el(
            mark,
            "line",
            x1=x,
            x2=x,
            y1=top - 6 - 12 * (index % 2),
            y2=top + plot_h,
            stroke="#6e7781",
            stroke_width=1.5,
            stroke_dasharray="5 4",
        )
        anchor = "end" if x > left + plot_w * 0.6 else "start"
        _el(
            mark,
            "text",
            caption,
            x=x + (-4 if anchor == "end" else 4),
            y=top - 8 - 12 * (index % 2),
            text_anchor=anchor,
        )

    plot = _el(root, "g", class_="series-group")
    legend = _el(root, "g", class_="legend", fill=INK, font_size=11.5)
    for index, (name, vals) in enumerate(lines.items()):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[index % len(SERIES_DASHES)] or None
        shape = SERIES_SHAPES[index % len(SERIES_SHAPES)]
        group = _el(plot, "g", class_="series")
        _el(group, "title", name)
        segments: list[list[tuple[float, float]]] = [[]]
        for year, rate in zip(years, vals, strict=False):
            if rate is None:
                segments.append([])
            else:
                segments[-1].append((x_of(year), y_of(rate)))
        for segment in segments:
            if len(segment) > 1:
                d = "M" + "L".join(f"{_fmt(a)},{_fmt(b)}" for a, b in segment)
                _el(
                    group,
                    "path",
                    d=d,
                    fill="none",
                    stroke=colour,
                    stroke_width=2.2,
                    stroke_dasharray=dash,
                    class_="line",
                )
        for year, rate in zip(years, vals, strict=False):
            if rate is None:
                continue
            point = _el(group, "g", class_="point")
            _el(point, "title", f"{name} – năm {year}: {format_percent(rate, digits)}")
            _shape(
                point,
                shape,
                x_of(year),
                y_of(rate),
                4.5,
                fill=colour,
                stroke="#ffffff",
                stroke_width=1,
            )
        offset, row = legend_at[index]
        lx, ly = left + offset, height - bottom + 42 + row * 20
        item = _el(legend, "g", class_="legend-item")
        _el(
            item,
            "line",
            x1=lx,
            x2=lx + 30,
            y1=ly - 4,
            y2=ly - 4,
            stroke=colour,
            stroke_width=2.2,
            stroke_dasharray=dash,
        )
        _shape(item, shape, lx + 15, ly - 4, 4.5, fill=colour, stroke="#ffffff", stroke_width=1)
        _el(item, "text", name, x=lx + 38, y=ly)
    return _serialise(root)


# --- commune map ---------------------------------------------------------------------------

MAP_CLASSES: dict[str, tuple[str, str]] = {
    # class: (legend text, colour)
    "met": ("Đạt tiêu chuẩn", "#1a7f37"),
    "high": ("Tỷ lệ đạt từ {hi} trở lên", "#1a7f37"),
    "mid": ("Tỷ lệ đạt từ {lo} đến dưới {hi}", "#b35900"),
    "not_met": ("Chưa đạt", "#c0392b"),
    "low": ("Tỷ lệ đạt dưới {lo}", "#c0392b"),
    "none": ("Chưa có kết quả", "#ffffff"),
}
RESULT_WORDS = {"met": "đạt", "not_met": "chưa đạt"}


def _map_class(point: Mapping[str, Any], hi: float, lo: float) -> str:
    result = point.get("result")
    if result in ("met", "not_met"):
        return str(result)
    rate = _rate(point.get("rate"))
    if rate is None:
        return "none"
    if rate >= hi:
        return "high"
    return "mid" if rate >= lo else "low"


def _map_symbol(parent: ET.Element, cls: str, x: float, y: float, r: float) -> None:
    """Circle plus an inner mark: none for good, a bar for middling, a cross for bad."""
    colour = MAP_CLASSES[cls][1]
    if cls == "none":
        _el(
            parent,
            "circle",
            cx=x,
            cy=y,
            r=r,
            fill="#ffffff",
            stroke="#6e7781",
            stroke_width=1.5,
            stroke_dasharray="2 2",
        )
        return
    _el(parent, "circle", cx=x, cy=y, r=r, fill=colour, stroke="#ffffff", stroke_width=1)
    k = r * 0.5
    if cls == "mid":
        _el(
            parent,
            "path",
            d=f"M{_fmt(x - k)},{_fmt(y)}H{_fmt(x + k)}",
            stroke="#ffffff",
            stroke_width=max(r * 0.3, 1.2),
        )
    elif cls in ("not_met", "low"):
        _el(
            parent,
            "path",
            d=f"M{_fmt(x - k)},{_fmt(y - k)}L{_fmt(x + k)},{_fmt(y + k)}"
            f"M{_fmt(x - k)},{_fmt(y + k)}L{_fmt(x + k)},{_fmt(y - k)}",
            stroke="#ffffff",
            stroke_width=max(r * 0.28, 1.2),
        )


Box = tuple[float, float, float, float]


def _label_spot(
    name: str, x: float, y: float, r: float, taken: Sequence[Box], frame: Box
) -> tuple[float, float, str, Box] | None:
    """Right, left, above or below the circle: the first place that overlaps nothing drawn."""
    w, h = _text_width(name, 10) + 2, 11.0
    candidates = (
        (x + r + 3, y + 3.5, "start", (x + r + 3, y - 7.5, x + r + 3 + w, y + 3.5)),
        (x - r - 3, y + 3.5, "end", (x - r - 3 - w, y - 7.5, x - r - 3, y + 3.5)),
        (x, y - r - 3, "middle", (x - w / 2, y - r - 3 - h, x + w / 2, y - r - 3)),
        (x, y + r + 11, "middle", (x - w / 2, y + r + 11 - h, x + w / 2, y + r + 11)),
    )
    own = (x - r, y - r, x + r, y + r)
    for lx, ly, anchor, box in candidates:
        inside = (
            frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
        )
        clear = all(
            other == own
            or box[2] <= other[0]
            or other[2] <= box[0]
            or box[3] <= other[1]
            or other[3] <= box[1]
            for other in taken
        )
        if inside and clear:
            return lx, ly, anchor, box
    return None


def _nice_km(target: float) -> float:
    for km in (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if km >= target:
            return km
    return 1000.0


def commune_map_svg(
    points: Sequence[Mapping[str, Any]],
    title: str,
    *,
    desc: str | None = None,
    width: float = 720,
    max_height: float = 640,
    thresholds: tuple[float, float] = (0.9, 0.7),
    digits: int = 2,
    label_limit: int = 30,
) -> str:
    """Communes placed by their coordinates: one circle each, coloured and marked by result.

    A point has ``code``, ``name``, ``latitude``, ``longitude`` and either ``result``
    ("met"/"not_met") or ``rate`` (0–1, classed by ``thresholds``: high ≥ 90%, mid ≥ 70%).
    The projection is equirectangular with a cos(latitude) correction: good enough for a province.
    It places each commune at its recorded coordinates; it is not a map of boundaries.
    """
    hi, lo = thresholds
    placed = []
    missing = []
    for point in points:
        lat, lon = _rate(point.get("latitude")), _rate(point.get("longitude"))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            missing.append(point)
        else:
            placed.append((point, lat, lon))
    legend_w, top = 250.0, 44.0
    frame_x0, frame_x1 = 12.0, width - legend_w - 8
    inner_x0, inner_x1 = frame_x0 + 28, frame_x1 - 28
    inner_w = inner_x1 - inner_x0
    inner_y0 = top + 44  # room for the north arrow
    if placed:
        lats = [lat for _, lat, _ in placed]
        lons = [lon for _, _, lon in placed]
        mid_lat = (max(lats) + min(lats)) / 2
        kx = math.cos(math.radians(mid_lat))
        span_x = max((max(lons) - min(lons)) * kx, 0.05)
        span_y = max(max(lats) - min(lats), 0.05)
        scale = min(inner_w / span_x, (max_height - inner_y0 - 48) / span_y)
        draw_h = span_y * scale
        cx0, cy0 = (max(lons) + min(lons)) / 2 * kx, mid_lat
    else:
        kx, scale, draw_h, cx0, cy0 = 1.0, 1.0, 160.0, 0.0, 0.0
    frame_y1 = inner_y0 + draw_h + 48  # room for the scale bar
    centre_x, centre_y = (inner_x0 + inner_x1) / 2, inner_y0 + draw_h / 2
    classes = [_map_class(p, hi, lo) for p, _, _ in placed]
    counts = {cls: classes.count(cls) for cls in MAP_CLASSES if cls in classes}
    if missing:
        counts.setdefault("none", 0)
    height = max(frame_y1 + 12, top + 100 + 26 * len(counts) + 60)

    def legend_text(cls: str) -> str:
        return MAP_CLASSES[cls][0].format(hi=format_percent(hi, 0), lo=format_percent(lo, 0))

    sentence = "; ".join(f"{legend_text(cls)}: {n}" for cls, n in counts.items())
    summary = (
        f"Bản đồ vị trí {len(placed)} đơn vị theo tọa độ (không phải ranh giới hành chính). "
        f"{sentence}."
    )
    if missing:
        summary += f" {len(missing)} đơn vị chưa có tọa độ nên không hiện trên bản đồ."
    root = _root(width, height, title, desc or summary, "map")
    _el(
        root,
        "rect",
        x=frame_x0,
        y=top,
        width=frame_x1 - frame_x0,
        height=frame_y1 - top,
        fill="#f6f8fa",
        stroke=GRID,
        stroke_width=1,
        class_="frame",
    )
    radius = 7.0 if len(placed) <= 150 else 4.5
    communes = _el(root, "g", class_="communes")
    labels = _el(root, "g", class_="labels", fill=INK, font_size=10)
    spots = []
    for (point, lat, lon), cls in zip(placed, classes, strict=True):
        x = centre_x + (lon * kx - cx0) * scale
        y = centre_y - (lat - cy0) * scale
        spots.append((x, y))
        name = str(point.get("name") or point.get("code") or "")
        verdict = RESULT_WORDS.get(str(point.get("result")))
        if verdict is None:
            rate = _rate(point.get("rate"))
            verdict = "chưa có kết quả" if rate is None else format_percent(rate, digits)
        code = point.get("code")
        group = _el(communes, "g", class_=f"commune {cls}", data_code=code)
        tooltip = f"{name}" + (f" ({code})" if code else "") + f": {verdict}"
        if point.get("detail"):
            tooltip += f"; {point['detail']}"
        _el(group, "title", tooltip)
        _map_symbol(group, cls, x, y, radius)
    if len(placed) <= label_limit:
        frame = (frame_x0, top, frame_x1, frame_y1)
        taken = [(x - radius, y - radius, x + radius, y + radius) for x, y in spots]
        for (point, _, _), (x, y) in zip(placed, spots, strict=True):
            name = _fit(str(point.get("name") or point.get("code") or ""), 10, 120)
            spot = _label_spot(name, x, y, radius, taken, frame)
            if spot is not None:
                lx, ly, anchor, box = spot
                taken.append(box)
                _el(labels, "text", name, x=lx, y=ly, text_anchor=anchor)

    # north arrow and scale bar, inside the frame
    nx, ny = frame_x1 - 20, top + 10
    north = _el(root, "g", class_="north", fill=INK)
    _el(north, "title", "Hướng Bắc")
    _el(
        north,
        "polygon",
        points=f"{_fmt(nx)},{_fmt(ny)} {_fmt(nx - 6)},{_fmt(ny + 16)} "
        f"{_fmt(nx)},{_fmt(ny + 12)} {_fmt(nx + 6)},{_fmt(ny + 16)}",
    )
    _el(north, "text", "B", x=nx, y=ny + 30, text_anchor="middle", font_weight="bold")
    if placed:
        km_per_px = 111.32 / scale
        km = _nice_km(km_per_px * 80)
        bar = km / km_per_px
        sx, sy = frame_x0 + 12, frame_y1 - 12
        scale_bar = _el(root, "g", class_="scale", fill=INK, font_size=10)
        _el(
            scale_bar,
            "path",
            d=f"M{_fmt(sx)},{_fmt(sy - 5)}V{_fmt(sy)}H{_fmt(sx + bar)}V{_fmt(sy - 5)}",
            fill="none",
            stroke=INK,
            stroke_width=1.5,
        )
        km_text = format_int(km) if km >= 1 else "0,5"
        _el(scale_bar, "text", f"{km_text} km", x=sx + bar + 5, y=sy)

    lx, ly = width - legend_w + 6, top + 14
    legend = _el(root, "g", class_="legend", fill=INK, font_size=12)
    _el(legend, "text", "Chú giải", x=lx, y=ly, font_weight="bold")
    for index, (cls, n) in enumerate(counts.items()):
        y = ly + 24 + 26 * index
        item = _el(legend, "g", class_=f"legend-item {cls}")
        _map_symbol(item, cls, lx + 8, y - 4, 7.0)
        label = legend_text(cls)
        if cls == "none" and missing:
            n += len(missing)
        _el(item, "text", f"{label} ({format_int(n)})", x=lx + 22, y=y)
    note_y = ly + 24 + 26 * len(counts) + 10
    notes = [
        "Mỗi hình tròn là một đơn vị, đặt",
        "theo tọa độ đã khai báo; không phải",
        "bản đồ ranh giới hành chính.",
    ]
    if missing:
        notes.append(f"{format_int(len(missing))} đơn vị chưa có tọa độ.")
    note = _el(legend, "g", class_="note", fill=MUTED, font_size=10.5, font_style="italic")
    for index, line in enumerate(notes):
        _el(note, "text", line, x=lx, y=note_y + 14 * index)
    return _serialise(root)


# --- PNG -----------------------------------------------------------------------------------


def report_font_files() -> dict[str, Path]:
    """The Tinos files that exist (``make install`` copies them), by style."""
    found = {style: FONT_DIR / name for style, name in FONT_FILES.items()}
    return {style: path for style, path in found.items() if path.is_file()}


_registered_config: int | None = None


def _register_fonts() -> bool:
    """Make Tinos known to fontconfig, which Cairo asks when drawing SVG text.

    The files are added to the process's current fontconfig configuration (not installed on the
    machine). Without them Cairo would pick a system serif, and Liberation Serif 1.x has no
    Vietnamese glyphs, so the caller then asks for DejaVu Serif instead.
    """
    global _registered_config
    files = report_font_files()
    library = ctypes.util.find_library("fontconfig")
    if not files or not library:
        return False
    fontconfig = ctypes.CDLL(library)
    fontconfig.FcConfigGetCurrent.restype = ctypes.c_void_p
    fontconfig.FcConfigAppFontAddFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    current = fontconfig.FcConfigGetCurrent()
    if current and current == _registered_config:
        return True
    added = all(
        fontconfig.FcConfigAppFontAddFile(None, os.fsencode(path)) for path in files.values()
    )
    _registered_config = current if added else None
    return added


def svg_to_png(svg: str, *, scale: float = 2.0) -> bytes:
    """Render one of these charts to PNG (for Word), with the same Vietnamese serif font."""
    import cairosvg  # type: ignore[import-untyped,unused-ignore]  # late: only Word needs it

    if not _register_fonts():
        svg = svg.replace(FONT_FAMILY, "DejaVu Serif, serif")
    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, background_color="white")
    return bytes(png)
