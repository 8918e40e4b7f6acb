"""The fact catalogue as plain data, for a province preparing its spreadsheet.

``antt facts_catalog`` prints it; ``antt standards facts`` (the standards command) calls
``facts_catalog()`` too. Each fact comes with its type, its allowed values with their Vietnamese
labels, and which criteria of which criteria set read it, for which unit kinds.
"""

from __future__ import annotations

from typing import Any

from antt.records.validation import fact_choices, facts_read
from antt.standards.catalog import registry
from antt.standards.vocab import KIND_LABELS

__all__ = ["facts_catalog", "facts_catalog_text"]


def facts_catalog() -> list[dict[str, Any]]:
    reg = registry()
    readers: dict[str, list[dict[str, Any]]] = {}
    for cset in sorted(reg.sets.values(), key=lambda s: s.applies_from, reverse=True):
        for kind in cset.windows:
            for name, codes in facts_read(cset, kind).items():
                readers.setdefault(name, []).append(
                    {
                        "set": cset.code,
                        "set_title": cset.short_title,
                        "kind": kind,
                        "criteria": codes,
                    }
                )
    return [
        {
            "name": fact.name,
            "type": fact.type,
            "label": fact.label,
            "choices": [
                {"value": value, "label": label}
                for value, label in fact_choices(fact)
                if fact.type != "bool"
            ],
            "read_by": readers.get(fact.name, []),
        }
        for fact in reg.facts.values()
    ]


TYPE_LABELS = {
    "date": "ngày (YYYY-MM-DD hoặc DD/MM/YYYY)",
    "int": "số nguyên ≥ 0",
    "bool": "có/không",
    "rating": "xếp loại",
    "emulation": "danh hiệu thi đua hoặc xếp loại",
    "topics": "danh sách, cách nhau bởi dấu phẩy hoặc chấm phẩy",
    "choice": "một giá trị",
}


def facts_catalog_text() -> str:
    lines: list[str] = []
    for fact in facts_catalog():
        lines.append(f"{fact['name']}  [{TYPE_LABELS.get(fact['type'], fact['type'])}]")
        lines.append(f"    {fact['label']}")
        if fact["choices"]:
            values = "; ".join(f"{c['value']} = {c['label']}" for c in fact["choices"])
            lines.append(f"    Giá trị: {values}")
        by_set: dict[str, list[str]] = {}
        for reader in fact["read_by"]:
            by_set.setdefault(reader["set_title"], []).append(
                f"{KIND_LABELS.get(reader['kind'], reader['kind'])} {', '.join(reader['criteria'])}"
            )
        for title, parts in by_set.items():
            lines.append(f"    {title}: tiêu chí " + "; ".join(parts))
        if not fact["read_by"]:
            lines.append("    Chưa có tiêu chí nào sử dụng.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
