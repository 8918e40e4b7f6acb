"""Criteria sets as data: TOML files under ``data/``, loaded and validated once. Pure Python.

A set names its legal basis, the first day it applies, its evaluation windows per unit kind, its
interpretation settings (the law's open questions, each with a default) and a tree of criteria.
Every node has a stable code as the law numbers it (``4.1``, ``4.3.c``, ``6.3.đ``).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"

UNIT_KINDS = ("residential_area", "commune", "agency", "enterprise", "school")
EVIDENCE_KINDS = ("document", "numeric", "event", "judgement", "group")
FACT_TYPES = ("date", "int", "bool", "rating", "emulation", "topics", "choice")


class CatalogError(ValueError):
    """A criteria data file is malformed: the message names the file and the node."""


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    label: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    type: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Criterion:
    code: str
    text: str
    reference: str
    evidence: str
    kinds: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    children: tuple[Criterion, ...] = ()
    includes: tuple[str, ...] = ()  # codes of other nodes evaluated as part of this one
    scope: str = "unit"  # "territory": incidents of the whole subtree count (Art. 5.2, D12)
    unknown: bool = False  # the text is not available to us (TT 23): the meeting decides
    note: str = ""

    def walk(self) -> Iterator[Criterion]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def facts(self) -> tuple[str, ...]:
        names: list[str] = []
        for node in self.walk():
            for rule in node.rules:
                for key in ("fact", "numerator", "denominator", "total", "qualifying"):
                    if key in rule.params:
                        names.append(rule.params[key])
                names.extend(rule.params.get("facts", ()))
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date
    assumed: bool = False  # a window the law states loosely (TT 23 school year): shown as such

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class WindowRule:
    start: tuple[int, int]  # (month, day) of the previous year
    end: tuple[int, int]  # (month, day) of the recognition year
    assumed: bool = False
    note: str = ""

    def for_year(self, year: int) -> Window:
        start = dt.date(year - 1, *self.start)
        return Window(start, dt.date(year, *self.end), self.assumed)


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    choices: tuple[str, ...]
    question: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CriteriaSet:
    code: str
    title: str
    short_title: str
    applies_from: dt.date
    windows: Mapping[str, WindowRule]
    settings: Mapping[str, Setting]
    criteria: tuple[Criterion, ...]
    note: str = ""

    def for_kind(self, kind: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if kind in c.kinds)

    def window(self, kind: str, year: int) -> Window:
        return self.windows[kind].for_year(year)

    def node(self, code: str) -> Criterion:
        for top in self.criteria:
            for node in top.walk():
                if node.code == code:
                    return node
        raise KeyError(code)

    def nodes(self) -> Iterator[Criterion]:
        for top in self.criteria:
            yield from top.walk()


@dataclass(frozen=True)
class Registry:
    facts: Mapping[str, Fact]
    sets: Mapping[str, CriteriaSet]

    def for_year(self, kind: str, year: int) -> CriteriaSet:
        """The set that judges ``year``: the newest whose first day falls on or before the end
        of that year's window (TT 124 from 10/02/2022, so 2022 onwards; TT 23 before)."""
        for cset in sorted(self.sets.values(), key=lambda s: s.applies_from, reverse=True):
            if kind in cset.windows and cset.window(kind, year).end >= cset.applies_from:
                return cset
        raise LookupError(f"no criteria set for {kind} in {year}")


def _month_day(value: str, where: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in value.split("-"))
        dt.date(2000, month, day)
    except ValueError as exc:
        raise CatalogError(f"{where}: “{value}” is not MM-DD") from exc
    return month, day


def _criterion(raw: Mapping[str, Any], where: str, kinds: tuple[str, ...]) -> Criterion:
    try:
        code = raw["code"]
    except KeyError as exc:
        raise CatalogError(f"{where}: a criterion without code") from exc
    where = f"{where} {code}"
    node_kinds = tuple(raw.get("kinds", kinds))
    for kind in node_kinds:
        if kind not in UNIT_KINDS:
            raise CatalogError(f"{where}: unknown unit kind {kind!r}")
    evidence = raw.get("evidence", "group")
    if evidence not in EVIDENCE_KINDS:
        raise CatalogError(f"{where}: unknown evidence kind {evidence!r}")
    rules = tuple(
        Rule(r["type"], {k: v for k, v in r.items() if k != "type"}) for r in raw.get("rules", ())
    )
    children = tuple(_criterion(c, where, node_kinds) for c in raw.get("points", ()))
    return Criterion(
        code=code,
        text=raw.get("text", ""),
        reference=raw.get("reference", ""),
        evidence=evidence,
        kinds=node_kinds,
        rules=rules,
        children=children,
        includes=tuple(raw.get("includes", ())),
        scope=raw.get("scope", "unit"),
        unknown=bool(raw.get("unknown", False)),
        note=raw.get("note", ""),
    )


def load_facts(path: Path) -> dict[str, Fact]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    facts = {}
    for name, spec in raw.items():
        if spec.get("type") not in FACT_TYPES:
            raise CatalogError(f"{path.name} {name}: unknown type {spec.get('type')!r}")
        facts[name] = Fact(name, spec["type"], spec["label"], tuple(spec.get("choices", ())))
    return facts


def load_set(path: Path, facts: Mapping[str, Fact]) -> CriteriaSet:
    from antt.standards import rules  # the rule registry validates its own parameters

    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    where = path.name
    head = raw["set"]
    windows = {
        kind: WindowRule(
            _month_day(w["start"], f"{where} windows.{kind}"),
            _month_day(w["end"], f"{where} windows.{kind}"),
            bool(w.get("assumed", False)),
            w.get("note", ""),
        )
        for kind, w in raw["windows"].items()
    }
    settings = {
        key: Setting(key, s["default"], tuple(s["choices"]), s["question"], s.get("labels", {}))
        for key, s in raw.get("settings", {}).items()
    }
    for s in settings.values():
        if s.default not in s.choices:
            raise CatalogError(f"{where} settings.{s.key}: default not among choices")
    criteria = tuple(_criterion(c, where, UNIT_KINDS) for c in raw["criteria"])
    cset = CriteriaSet(
        code=head["code"],
        title=head["title"],
        short_title=head.get("short_title", head["code"]),
        applies_from=head["applies_from"],
        windows=windows,
        settings=settings,
        criteria=criteria,
        note=head.get("note", ""),
    )
    _validate(cset, facts, rules.RULES, where)
    return cset


def _validate(
    cset: CriteriaSet, facts: Mapping[str, Fact], known: Mapping[str, Any], where: str
) -> None:
    codes = [node.code for node in cset.nodes()]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise CatalogError(f"{where}: duplicate codes {sorted(dupes)}")
    for node in cset.nodes():
        for inc in node.includes:
            if inc not in codes:
                raise CatalogError(f"{where} {node.code}: includes unknown {inc}")
        for rule in node.rules:
            spec = known.get(rule.type)
            if spec is None:
                raise CatalogError(f"{where} {node.code}: unknown rule {rule.type!r}")
            missing = set(spec.required) - set(rule.params)
            if missing:
                raise CatalogError(f"{where} {node.code}: rule {rule.type} needs {sorted(missing)}")
            for name in Criterion("", "", "", "group", (), (rule,)).facts:
                if name not in facts:
                    raise CatalogError(f"{where} {node.code}: unknown fact {name!r}")
            setting = rule.params.get("setting")
            if setting and setting not in cset.settings:
                raise CatalogError(f"{where} {node.code}: unknown setting {setting!r}")
        for kind in node.kinds:
            if kind not in cset.windows:
                raise CatalogError(f"{where} {node.code}: no window for {kind}")


@cache
def registry(data_dir: Path = DATA_DIR) -> Registry:
    facts = load_facts(data_dir / "facts.toml")
    sets = {}
    for path in sorted(data_dir.glob("*.toml")):
        if path.name == "facts.toml":
            continue
        cset = load_set(path, facts)
        sets[cset.code] = cset
    return Registry(facts=facts, sets=sets)


def decode_facts(
    data: Mapping[str, Any], facts: Mapping[str, Fact] | None = None
) -> dict[str, Any]:
    """Stored JSON (ISO dates) → the Python values the rules read. Unknown names are dropped."""
    facts = facts if facts is not None else registry().facts
    out: dict[str, Any] = {}
    for name, value in data.items():
        fact = facts.get(name)
        if fact is None or value is None:
            continue
        if fact.type == "date" and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        out[name] = value
    return out
