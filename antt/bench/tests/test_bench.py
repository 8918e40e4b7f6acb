"""The bench's own parts: the reports against the hand-written SQL on generated data, the
figures table, database naming, the query-count comparison and the import files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from antt.bench import imports, timed
from antt.bench.dataset import generate
from antt.bench.figures import Figure, table
from antt.bench.runner import constant_queries, suffixed
from antt.units.models import Unit


def test_summary_equals_the_hand_written_group_by(divisions: dict[str, Unit]) -> None:
    generate(scale="commune", years=(2024, 2025), seed=5)
    figures = timed.reports("sqlite", 2025, divisions["province"])
    assert [f.note for f in figures] == [""] * len(figures)  # no "numbers differ" note
    assert figures[0].name == "báo cáo toàn quốc 2025"
    assert figures[0].value > 0
    assert figures[2].unit == "×"


def test_figure_status_against_its_target() -> None:
    assert Figure("sqlite", "a", 0.5, "s", 1.0).status == "ok"
    assert Figure("sqlite", "a", 1.5, "s", 1.0).status == "missed"
    assert Figure("sqlite", "a", 6000, "rows/s", 5000, at_least=True).status == "ok"
    assert Figure("sqlite", "a", 600, "rows/s", 5000, at_least=True).status == "missed"
    assert Figure("sqlite", "a", 3, "câu").status == ""


def test_table_shows_each_figure_next_to_its_target() -> None:
    text = table(
        [
            Figure("postgresql", "báo cáo toàn quốc 2025", 0.42, "s", 1.0),
            Figure("sqlite", "nhập 100,000 đơn vị từ CSV", 650, "rows/s", 5000, at_least=True),
        ]
    )
    lines = text.splitlines()
    assert lines[0].split() == ["figure", "database", "value", "target"]
    assert lines[1].endswith("ok")
    assert "0.42 s" in lines[1]
    assert "≤ 1.00 s" in lines[1]
    assert lines[2].endswith("missed")
    assert "≥ 5,000 rows/s" in lines[2]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/var/bench/antt.sqlite3", "sqlite:////srv/var/bench/antt-national.sqlite3"),
        (
            "postgres://postgres@127.0.0.1:5432/antt_bench",
            "postgres://postgres@127.0.0.1:5432/antt_bench_national",
        ),
    ],
)
def test_each_scale_gets_its_own_database(url: str, expected: str) -> None:
    assert suffixed(url, "national") == expected


def test_query_counts_compared_between_scales() -> None:
    figures = [
        Figure("sqlite/province", "số câu SQL: trang báo cáo", 13, "câu"),
        Figure("sqlite/national", "số câu SQL: trang báo cáo", 13, "câu"),
        Figure("sqlite/province", "số câu SQL: danh sách đơn vị", 11, "câu"),
        Figure("sqlite/national", "số câu SQL: danh sách đơn vị", 12, "câu"),
        Figure("postgresql/national", "số câu SQL: trang báo cáo", 40, "câu"),
    ]
    found = {
        f.name: f.status for f in constant_queries(figures, "sqlite", ["province", "national"])
    }
    assert found == {
        "số câu SQL không tăng: trang báo cáo": "ok",
        "số câu SQL không tăng: danh sách đơn vị": "missed",
    }


def test_import_files_hold_the_rows(tmp_path: Path) -> None:
    data = imports.rows(["00070", "00097"], 5, "IT")
    imports.write_csv(tmp_path / "u.csv", data)
    imports.write_xlsx(tmp_path / "u.xlsx", data)
    with (tmp_path / "u.csv").open(encoding="utf-8") as fh:
        read = list(csv.reader(fh))
    assert read[0] == list(imports.COLUMNS)
    assert [tuple(r) for r in read[1:]] == data
    sheet = load_workbook(tmp_path / "u.xlsx", read_only=True).active
    assert [tuple(c or "" for c in r) for r in sheet.iter_rows(min_row=2, values_only=True)] == data
    assert {r[3] for r in data} == {"00070", "00097"}
