"""Charts: self-contained, accessible SVG that says the figures in Vietnamese; PNG for Word."""

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from antt.reports.charts import (
    bar_chart_svg,
    commune_map_svg,
    format_int,
    format_percent,
    line_chart_svg,
    svg_to_png,
)

NS = {"s": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (740 / 757, "97,75%"),
        (92 / 102, "90,20%"),
        (409 / 473, "86,47%"),
        (1, "100,00%"),
        (0, "0,00%"),
        (0.12345, "12,35%"),
        (None, "—"),
        ("x", "—"),
        (12.345, "1.234,50%"),
    ],
)
def test_format_percent_is_vietnamese_and_rounds_half_up(rate, text):
    assert format_percent(rate) == text


def test_format_percent_precision_is_configurable():
    assert format_percent(92 / 102, 0) == "90%"
    assert format_percent(409 / 473, 0) == "86%"


def test_format_int_groups_with_dots():
    assert format_int(1234567) == "1.234.567"
    assert format_int(None) == "—"


def test_bar_chart_draws_one_bar_per_value_with_the_percentage_at_its_end():
    svg = bar_chart_svg(
        ["Xã Tịnh Khê", "Phường Cẩm Thành", "Đặc khu Lý Sơn"],
        [740 / 757, 0.5, None],
        "Tỷ lệ khu dân cư đạt",
        annotations=["740/757", "1/2", None],
    )
    root = parse(svg)
    bars = by_class(root, "bar")
    assert len(bars) == 2
    values = [t.text for t in by_class(root, "value")]
    assert values == ["97,75% (740/757)", "50,00% (1/2)", "chưa có số liệu"]
    assert {"Xã Tịnh Khê", "Phường Cẩm Thành", "Đặc khu Lý Sơn"} <= set(texts(root))
    # the value sits just after the end of its bar
    first_bar, first_value = bars[0], by_class(root, "value")[0]
    bar_end = float(first_bar.get("x")) + float(first_bar.get("width"))
    assert 0 < float(first_value.get("x")) - bar_end < 10
    assert float(bars[0].get("width")) > float(bars[1].get("width"))


def test_bar_chart_is_accessible_and_self_contained():
    svg = bar_chart_svg(["A"], [0.9], "Tiêu đề", desc="Mô tả")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find("s:title", NS).text == "Tiêu đề"
    assert root.find("s:desc", NS).text == "Mô tả"
    labelled = root.get("aria-labelledby").split()
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert set(labelled) <= ids
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in svg
    assert "<image" not in svg
    assert "url(" not in svg


def test_bar_chart_keeps_the_full_name_in_the_tooltip_when_the_label_is_cut():
    name = "Xã có một cái tên rất dài " * 4
    root = parse(bar_chart_svg([name], [0.5], "T", width=400))
    row = by_class(root, "row")[0]
    assert row.find("s:title", NS).text.startswith(name)
    assert by_class(root, "label")[0].text.endswith("…")


def test_bar_chart_escapes_names():
    root = parse(bar_chart_svg(['<script>&"'], [0.5], "T & <b>"))
    assert '<script>&"' in texts(root)


def test_default_description_says_every_figure():
    root = parse(bar_chart_svg(["Khu dân cư"], [740 / 757], "T", annotations=["740/757"]))
    assert "Khu dân cư: 97,75% (740/757)" in root.find("s:desc", NS).text


YEARS = [2021, 2022, 2023, 2024, 2025]


def test_line_chart_has_one_point_per_value_and_a_legend_per_series():
    series = {
        "Khu dân cư": [0.93, 0.95, None, 0.97, 740 / 757],
        "Xã, phường, đặc khu": [0.84, 0.87, 0.92, 0.95, 0.83],
    }
    root = parse(line_chart_svg(YEARS, series, "Tỷ lệ đạt theo năm"))
    assert len(by_class(root, "series")) == 2
    assert len(by_class(root, "point")) == 9
    assert [t.text for t in by_class(root, "year")] == [str(y) for y in YEARS]
    legend = [t.text for item in by_class(root, "legend-item") for t in item.iter(f"{SVG}text")]
    assert legend == ["Khu dân cư", "Xã, phường, đặc khu"]
    # a missing year breaks the line instead of joining across it
    first = by_class(root, "series")[0]
    assert len(by_class(first, "line")) == 2
    tooltips = [p.find("s:title", NS).text for p in by_class(root, "point")]
    assert "Khu dân cư – năm 2025: 97,75%" in tooltips


def test_line_chart_series_differ_by_shape_and_dash_not_only_colour():
    root = parse(line_chart_svg(YEARS, {"A": [0.9] * 5, "B": [0.8] * 5}, "T"))
    a, b = by_class(root, "series")
    assert by_class(a, "line")[0].get("stroke-dasharray") != by_class(b, "line")[0].get(
        "stroke-dasharray"
    )
    shape_a = list(by_class(a, "point")[0])[-1].tag
    shape_b = list(by_class(b, "point")[0])[-1].tag
    assert (shape_a, shape_b) == (f"{SVG}circle", f"{SVG}rect")


def test_line_chart_marks_the_2022_criteria_change_and_the_2025_reform():
    root = parse(line_chart_svg(YEARS, {"Khu dân cư": [0.9] * 5}, "T"))
    markers = by_class(root, "marker")
    assert len(markers) == 2
    captions = [m.find("s:text", NS).text for m in markers]
    assert "TT 124/2021" in captions[0]
    assert "2025" in captions[1]
    # drawn between the year before and the year of the change
    x2021, x2022 = (float(t.get("x")) for t in by_class(root, "year")[:2])
    line = markers[0].find("s:line", NS)
    assert x2021 < float(line.get("x1")) < x2022


def test_line_chart_leaves_out_markers_outside_its_years():
    root = parse(line_chart_svg([2022, 2023, 2024], {"A": [0.9, 0.9, 0.9]}, "T"))
    assert by_class(root, "marker") == []
    root = parse(
        line_chart_svg([2023, 2024, 2025], {"A": [0.9, 0.9, 0.9]}, "T", markers={2025: "Sắp xếp"})
    )
    assert len(by_class(root, "marker")) == 1


POINTS = [
    {
        "code": "21211",
        "name": "Xã Tịnh Khê",
        "latitude": 15.19,
        "longitude": 108.87,
        "result": "met",
    },
    {
        "code": "21763",
        "name": "Xã Ba Tơ",
        "latitude": 14.77,
        "longitude": 108.73,
        "result": "not_met",
    },
    {"code": "23305", "name": "Phường Kon Tum", "latitude": 14.35, "longitude": 108.00},
    {"code": "99999", "name": "Xã chưa có tọa độ", "result": "met"},
]


def circle_of(root: ET.Element, code: str) -> ET.Element:
    group = next(g for g in by_class(root, "commune") if g.get("data-code") == code)
    return group.find("s:circle", NS)


def test_map_places_one_circle_per_commune_with_coordinates():
    root = parse(commune_map_svg(POINTS, "Kết quả theo xã"))
    assert len(by_class(root, "commune")) == 3
    assert "1 đơn vị chưa có tọa độ" in root.find("s:desc", NS).text


def test_map_puts_north_up_and_west_left():
    root = parse(commune_map_svg(POINTS, "T"))
    north, south = circle_of(root, "21211"), circle_of(root, "23305")
    assert float(north.get("cy")) < float(south.get("cy"))
    west, east = circle_of(root, "23305"), circle_of(root, "21211")
    assert float(west.get("cx")) < float(east.get("cx"))


def test_map_keeps_the_shape_of_the_land():
    # 0.4° of latitude vs 0.4° of longitude at 15°N: the east-west distance is cos(15°) shorter
    points = [
        {"code": "a", "latitude": 15.0, "longitude": 108.0, "result": "met"},
        {"code": "b", "latitude": 15.4, "longitude": 108.0, "result": "met"},
        {"code": "c", "latitude": 15.0, "longitude": 108.4, "result": "met"},
    ]
    root = parse(commune_map_svg(points, "T"))
    a, b, c = (circle_of(root, k) for k in "abc")
    dy = float(a.get("cy")) - float(b.get("cy"))
    dx = float(c.get("cx")) - float(a.get("cx"))
    assert dx / dy == pytest.approx(0.966, abs=0.01)


def test_map_legend_uses_marks_and_words_as_well_as_colour():
    root = parse(commune_map_svg(POINTS, "T"))
    items = by_class(root, "legend-item")
    words = [item.find("s:text", NS).text for item in items]
    assert words == ["Đạt tiêu chuẩn (1)", "Chưa đạt (1)", "Chưa có kết quả (2)"]
    met, not_met, none = items
    assert met.find("s:path", NS) is None  # a plain disc
    assert not_met.find("s:path", NS) is not None  # a cross inside the disc
    assert none.find("s:circle", NS).get("stroke-dasharray")  # a dashed ring


def test_map_classes_rates_and_tells_each_commune_in_its_tooltip():
    points = [
        {"code": "1", "name": "A", "latitude": 15.0, "longitude": 108.0, "rate": 0.95},
        {"code": "2", "name": "B", "latitude": 15.1, "longitude": 108.1, "rate": 0.8},
        {"code": "3", "name": "C", "latitude": 15.2, "longitude": 108.2, "rate": 0.5},
    ]
    root = parse(commune_map_svg(points, "T"))
    classes = [g.get("class") for g in by_class(root, "commune")]
    assert classes == ["commune high", "commune mid", "commune low"]
    tooltips = [g.find("s:title", NS).text for g in by_class(root, "commune")]
    assert tooltips == ["A (1): 95,00%", "B (2): 80,00%", "C (3): 50,00%"]


def test_map_with_one_commune_or_none_still_draws():
    one = parse(commune_map_svg(POINTS[:1], "T"))
    assert len(by_class(one, "commune")) == 1
    empty = parse(commune_map_svg([], "T"))
    assert by_class(empty, "commune") == []


def test_two_charts_on_one_page_do_not_share_ids():
    a = parse(bar_chart_svg(["A"], [0.5], "Một"))
    b = parse(bar_chart_svg(["A"], [0.5], "Hai"))
    ids_a = {e.get("id") for e in a.iter() if e.get("id")}
    ids_b = {e.get("id") for e in b.iter() if e.get("id")}
    assert not ids_a & ids_b


def test_svg_to_png_renders_at_twice_the_size():
    svg = bar_chart_svg(["Xã Tịnh Khê"], [740 / 757], "Tỷ lệ đạt", width=400)
    png = svg_to_png(svg)
    assert png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png))
    assert image.width == 800
    # something is drawn: not a blank white picture
    assert image.convert("L").getextrema()[0] < 100
