"""`antt standards list | show | facts`: the criteria sets as data, for people and scripts."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

TT124_CODES = {
    "4.1", "4.2", "4.3", "4.3.a", "4.3.b", "4.3.c", "4.3.d", "4.3.đ", "4.3.e", "4.3.g",
    "4.4", "4.4.a", "4.4.b", "4.4.c", "4.4.d", "4.5",
    "5.1", "5.2", "5.3", "5.4",
    "6.1", "6.2", "6.3", "6.3.a", "6.3.b", "6.3.c", "6.3.d", "6.3.đ", "6.3.e", "6.3.g", "6.3.h",
    "6.4", "6.5",
    "7.1", "7.2", "7.3", "7.4", "7.5", "7.6",
}  # fmt: skip


def run(*args: str) -> str:
    out = StringIO()
    call_command("standards", *args, stdout=out)
    return out.getvalue()


def codes(nodes: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        found.add(node["code"])
        found |= codes(node["points"])
    return found


def test_list_as_json_names_every_set_with_its_counts_per_kind():
    sets = {s["code"]: s for s in json.loads(run("list", "--format", "json"))}
    assert set(sets) == {"tt23-2012", "tt124-2021"}
    tt124 = sets["tt124-2021"]
    assert tt124["applies_from"] == "2022-02-10"
    counts = {row["kind"]: row["criteria"] for row in tt124["kinds"]}
    assert counts == {
        "residential_area": 5,
        "commune": 4,
        "agency": 5,
        "enterprise": 5,
        "school": 6,
    }
    points = {row["kind"]: row["points"] for row in tt124["kinds"]}
    assert points["residential_area"] == 11  # 4.3.a–g and 4.4.a–d


def test_list_as_text_is_vietnamese():
    text = run("list")
    assert "tt124-2021" in text
    assert "áp dụng từ 10/02/2022" in text
    assert "khu dân cư: 5 tiêu chí, 11 điểm" in text


def test_show_as_json_holds_the_whole_tree_from_4_1_to_7_6():
    tree = json.loads(run("show", "tt124-2021", "--format", "json"))
    assert codes(tree["criteria"]) == TT124_CODES


def test_show_as_json_gives_each_node_its_reference_text_evidence_facts_and_rules():
    tree = json.loads(run("show", "tt124-2021", "--format", "json"))
    [c41] = [c for c in tree["criteria"] if c["code"] == "4.1"]
    assert c41["reference"] == "Điều 4 khoản 1"
    assert c41["text"].startswith("Quý I hằng năm, chi bộ có nghị quyết")
    assert c41["evidence"] == "document"
    assert {
        "name": "households_residing",
        "label": "Số hộ gia đình đang cư trú trên địa bàn",
        "type": "int",
    } in c41["facts"]
    assert [r["type"] for r in c41["rules"]] == [
        "document_in_period",
        "document_in_period",
        "ratio_at_least",
    ]
    [c44] = [c for c in tree["criteria"] if c["code"] == "4.4"]
    [a] = [p for p in c44["points"] if p["code"] == "4.4.a"]
    assert a["settings"] == ["crime_reduction"]
    [c52] = [c for c in tree["criteria"] if c["code"] == "5.2"]
    assert c52["includes"] == ["4.2", "4.3", "4.4"]
    assert c52["scope"] == "territory"


def test_show_as_json_lists_settings_with_question_default_and_labelled_choices():
    tree = json.loads(run("show", "tt124-2021", "--format", "json"))
    settings = {s["key"]: s for s in tree["settings"]}
    d1 = settings["crime_reduction"]
    assert d1["question"].startswith("D1")
    assert d1["default"] == "not_higher"
    assert {"value": "strictly_lower", "label": "phải giảm so với năm trước"} in d1["choices"]
    windows = {w["kind"]: (w["start"], w["end"]) for w in tree["windows"]}
    assert windows["residential_area"] == ("11-01", "10-31")
    assert windows["commune"] == ("11-16", "11-15")


def test_show_as_text_prints_codes_references_and_fact_labels():
    text = run("show", "tt124-2021")
    assert "4.3.đ [Điều 4 khoản 3 điểm đ]" in text
    assert "6.3.đ [Điều 6 khoản 3 điểm đ]" in text
    assert "Số liệu: households_residing — Số hộ gia đình đang cư trú trên địa bàn" in text
    assert "mặc định: not_higher — không tăng so với năm trước là đạt" in text
    assert "khu dân cư: 01/11 năm trước – 31/10 năm công nhận" in text


def test_show_an_unknown_set_is_an_error_in_vietnamese():
    with pytest.raises(CommandError, match="Không có bộ tiêu chí “tt999”"):
        run("show", "tt999")


def test_facts_as_json_lists_every_fact_of_the_catalogue():
    from antt.standards.catalog import registry

    facts = json.loads(run("facts", "--format", "json"))
    assert {f["name"] for f in facts} == set(registry().facts)
    assert run("facts").strip()
