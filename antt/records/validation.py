"""What makes a recorded fact, incident or disciplinary action acceptable. No ORM, no clock.

Shared by the services (one record from a page, the API or the CLI) and the bulk imports (many
rows from a spreadsheet), so both accept and refuse exactly the same things with the same
Vietnamese messages. Everything the criteria read is derived from the standards' data files:
which facts a unit kind needs, which incident categories a kind's criteria count, which categories
the force-majeure and "handled properly" exemptions apply to.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from antt.core.tabular import BOOLEANS, key, parse_date
from antt.standards.catalog import CriteriaSet, Criterion, Fact, registry
from antt.standards.vocab import (
    CRIME_GRAVITY,
    DISCIPLINE_GROUPS,
    DISCIPLINE_LEVELS,
    INCIDENT_CATEGORIES,
    KIND_LABELS,
    NOT_RATED,
    RATINGS,
    RULE_TOPICS,
)

__all__ = [
    "ELIGIBLE_KINDS",
    "GROUPS_BY_KIND",
    "FactError",
    "category_from_text",
    "check_discipline",
    "check_facts_totals",
    "check_incident",
    "coerce_fact",
    "criteria_codes",
    "fact_choices",
    "facts_read",
    "is_judged",
]

ELIGIBLE_KINDS = ("residential_area", "commune", "agency", "enterprise", "school")

# Who a disciplinary action can be about, per unit kind (the groups the criteria name: 4.5, 5.3,
# 6.4/7.5, and "any individual" of 6.5/7.6).
GROUPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "residential_area": ("grassroots_force",),
    "commune": ("commune_police",),
    "agency": ("protection_force", "staff"),
    "enterprise": ("protection_force", "staff"),
    "school": ("protection_force", "staff", "teacher", "learner"),
}

CHOICE_LABELS: dict[str, str] = {
    "dedicated": "Nghị quyết chuyên đề",
    "integrated": "Lồng ghép trong nghị quyết lãnh đạo hằng năm",
}
NOT_RATED_LABEL = "Không thuộc diện bình xét thi đua"

# A part can never exceed its whole: (part, whole).
TOTALS: tuple[tuple[str, str], ...] = (
    ("households_registered", "households_residing"),
    ("staff_briefed", "staff_total"),
    ("subunits_qualifying", "subunits_rated"),
    ("effective_models", "movement_models"),
)

MAX_TEXT = {"description": 500, "flags_reason": 500, "person": 150, "note": 500, "reason": 1000}

_INT = re.compile(r"^\d+$")
_LIST_SEPARATORS = re.compile(r"[;,\n]")


class FactError(ValueError):
    """A value a fact cannot take; the message is Vietnamese and names the fact."""


# --- what the criteria read ----------------------------------------------------------------------


def _closure(cset: CriteriaSet, top: Criterion) -> Iterator[Criterion]:
    """A criterion's nodes and the nodes it includes (5.2 → 4.2, 4.3, 4.4), recursively."""
    seen: set[str] = set()
    stack = [top]
    while stack:
        node = stack.pop()
        for sub in node.walk():
            if sub.code in seen:
                continue
            seen.add(sub.code)
            yield sub
            stack.extend(cset.node(code) for code in sub.includes)


def _node_facts(node: Criterion) -> list[str]:
    names = list(Criterion(node.code, "", "", "group", (), node.rules).facts)
    for rule in node.rules:
        cond = str(rule.params.get("only_if", ""))
        if cond.startswith("fact:"):
            names.append(cond[5:])
    return names


def facts_read(cset: CriteriaSet, kind: str) -> dict[str, list[str]]:
    """{fact name: codes of the criteria that read it} for ``kind``."""
    out: dict[str, list[str]] = {}
    tops = cset.for_kind(kind)
    for top in tops:
        for node in _closure(cset, top):
            for name in _node_facts(node):
                codes = out.setdefault(name, [])
                if top.code not in codes:
                    codes.append(top.code)
    # Grouped by the first criterion that reads them, in the catalogue's order within a group
    # (households residing before households registered).
    first = {top.code: i for i, top in enumerate(tops)}
    catalogue = {name: i for i, name in enumerate(registry().facts)}
    ordered = sorted(out, key=lambda n: (first[out[n][0]], catalogue.get(n, len(catalogue))))
    return {name: out[name] for name in ordered}


def criteria_codes(cset: CriteriaSet, kind: str) -> dict[str, Criterion]:
    """Every code a verdict can be recorded on for ``kind``, included nodes too."""
    return {node.code: node for top in cset.for_kind(kind) for node in _closure(cset, top)}


def is_judged(node: Criterion) -> bool:
    """The law leaves (part of) this node to the meeting: a plain judgement applies to it."""
    return any(rule.type in ("judgement", "meeting_decides") for rule in node.rules)


@cache
def _category_rules() -> tuple[dict[str, set[str]], set[str], set[str]]:
    """(kinds per category, force-majeure categories, handled-properly categories)."""
    reg = registry()
    kinds: dict[str, set[str]] = {}
    force_majeure: set[str] = set()
    handled: set[str] = set()
    for cset in reg.sets.values():
        for kind in cset.windows:
            for top in cset.for_kind(kind):
                for node in _closure(cset, top):
                    for rule in node.rules:
                        if rule.type != "no_incidents":
                            continue
                        for category in rule.params["categories"]:
                            kinds.setdefault(category, set()).add(kind)
                            if rule.params.get("force_majeure_exempt"):
                                force_majeure.add(category)
                            if rule.params.get("handled_properly_exempt"):
                                handled.add(category)
    return kinds, force_majeure, handled


def categories_for(kind: str) -> list[str]:
    """The incident categories some criterion of ``kind`` counts, in vocabulary order."""
    kinds, _fm, _hp = _category_rules()
    return [c for c in INCIDENT_CATEGORIES if kind in kinds.get(c, ())]


# --- facts ---------------------------------------------------------------------------------------


def fact_choices(fact: Fact) -> list[tuple[str, str]]:
    """(value, Vietnamese label) for the facts that take a value from a list."""
    if fact.type in ("rating", "emulation"):
        return [(k, label) for k, (_rank, label) in RATINGS.items()] + [
            (NOT_RATED, NOT_RATED_LABEL)
        ]
    if fact.type == "topics":
        names = fact.choices or tuple(RULE_TOPICS)
        return [(t, RULE_TOPICS.get(t, t)[:1].upper() + RULE_TOPICS.get(t, t)[1:]) for t in names]
    if fact.type == "choice":
        return [(c, CHOICE_LABELS.get(c, c)) for c in fact.choices]
    if fact.type == "bool":
        return [("yes", _("Có")), ("no", _("Không"))]
    return []


@cache
def _index(choices: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """{folded code or label: code}: a spreadsheet row looks a value up, it does not fold all."""
    out: dict[str, str] = {}
    for value, label in choices:
        out.setdefault(key(label), value)
        out[key(value)] = value
    return out


def by_text(choices: Iterable[tuple[str, str]], raw: str) -> str | None:
    """The code named by ``raw``: the code itself or its label, accents and case ignored."""
    return _index(tuple(choices)).get(key(raw))


_by_text = by_text


def _bad(fact: Fact, message: str) -> FactError:
    return FactError(f"{fact.label}: {message}")


def coerce_fact(fact: Fact, value: Any, *, today: dt.date) -> Any:
    """The JSON-ready value of ``fact`` (dates as ISO text), from a typed value or from what a
    person typed (codes or Vietnamese labels). ``None`` means "no value". Raises FactError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if fact.type == "int":
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and _INT.match(value.strip().replace(" ", "")):
            number = int(value.strip().replace(" ", ""))
        elif isinstance(value, str) and value.strip().startswith("-"):
            number = -1
        if number is None or number < 0:
            raise _bad(fact, _("“%(value)s” không phải số nguyên không âm.") % {"value": value})
        return number
    if fact.type == "date":
        day: dt.date | None = None
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, str):
            day = parse_date(value.strip())
        if day is None:
            raise _bad(
                fact,
                _("ngày “%(value)s” không hợp lệ: hãy ghi dạng 2025-02-15 hoặc 15/02/2025.")
                % {"value": value},
            )
        if day > today:
            raise _bad(fact, _("ngày %(day)s chưa đến.") % {"day": f"{day:%d/%m/%Y}"})
        return day.isoformat()
    if fact.type == "bool":
        if isinstance(value, bool):
            return value
        flag = BOOLEANS.get(key(str(value)))
        if flag is None:
            raise _bad(
                fact, _("giá trị “%(value)s” không hợp lệ: dùng có/không.") % {"value": value}
            )
        return flag
    if fact.type == "topics":
        choices = fact_choices(fact)
        if isinstance(value, list | tuple | set | frozenset):
            items = [str(item) for item in value if str(item).strip()]
            codes = [(_by_text(choices, item), item) for item in items]
        else:
            codes = _split_topics(str(value), choices)
        chosen: set[str] = set()
        for code, item in codes:
            if code is None:
                raise _bad(fact, _unknown(item.strip(), choices))
            chosen.add(code)
        return [code for code, _label in choices if code in chosen]
    # rating, emulation, choice: one value from a list
    choices = fact_choices(fact)
    code = _by_text(choices, str(value))
    if code is None:
        raise _bad(fact, _unknown(str(value).strip(), choices))
    return code


def _split_topics(raw: str, choices: list[tuple[str, str]]) -> list[tuple[str | None, str]]:
    """ "bảo vệ cơ quan, doanh nghiệp, cơ sở giáo dục; fire_safety" → two topics: a label may
    itself contain commas, so the longest run of pieces that names a topic wins."""
    pieces = [p.strip() for p in _LIST_SEPARATORS.split(raw) if p.strip()]
    out: list[tuple[str | None, str]] = []
    i = 0
    while i < len(pieces):
        for j in range(len(pieces), i, -1):
            code = _by_text(choices, ", ".join(pieces[i:j])) or _by_start(choices, pieces[i:j])
            if code is not None:
                out.append((code, ", ".join(pieces[i:j])))
                i = j
                break
        else:
            out.append((None, pieces[i]))
            i += 1
    return out


def _by_start(choices: list[tuple[str, str]], pieces: list[str]) -> str | None:
    """The one topic whose label starts with these comma-separated pieces ("bảo vệ cơ quan,
    doanh nghiệp" names "bảo vệ cơ quan, doanh nghiệp, cơ sở giáo dục")."""
    wanted = [key(p) for p in pieces]
    found = [
        code
        for code, label in choices
        if [key(p) for p in label.split(",")][: len(wanted)] == wanted
    ]
    return found[0] if len(found) == 1 else None


def _unknown(value: str, choices: Iterable[tuple[str, str]]) -> str:
    allowed = "; ".join(f"{code} ({label})" for code, label in choices)
    return _("giá trị “%(value)s” không hợp lệ. Các giá trị được chấp nhận: %(allowed)s.") % {
        "value": value,
        "allowed": allowed,
    }


def check_facts_totals(data: Mapping[str, Any], facts: Mapping[str, Fact]) -> dict[str, str]:
    """{part: message} where a part exceeds its whole (registered households > residing …)."""
    errors: dict[str, str] = {}
    for part, whole in TOTALS:
        n, m = data.get(part), data.get(whole)
        if isinstance(n, int) and isinstance(m, int) and n > m:
            errors[part] = _("“%(part)s” (%(n)s) lớn hơn “%(whole)s” (%(m)s).") % {
                "part": facts[part].label,
                "n": n,
                "whole": facts[whole].label,
                "m": m,
            }
    return errors


# --- incidents and discipline --------------------------------------------------------------------


def category_from_text(raw: str) -> str | None:
    """A category from its code or its Vietnamese label, accents and case ignored."""
    return _by_text(INCIDENT_CATEGORIES.items(), raw)


def _check_lengths(values: Mapping[str, str], errors: dict[str, str]) -> None:
    for name, value in values.items():
        if len(value) > MAX_TEXT[name]:
            errors.setdefault(name, _("dài quá %(limit)s ký tự.") % {"limit": MAX_TEXT[name]})


def _check_day(day: dt.date | None, today: dt.date, errors: dict[str, str]) -> None:
    if day is None:
        errors["date"] = _("thiếu ngày.")
    elif day > today:
        errors["date"] = _("ngày %(day)s chưa đến.") % {"day": f"{day:%d/%m/%Y}"}


def check_incident(
    *,
    kind: str,
    date: dt.date | None,
    category: str,
    gravity: str,
    deaths: int | None,
    discipline_level: str,
    description: str,
    force_majeure: bool,
    handled_properly: bool,
    flags_reason: str,
    today: dt.date,
) -> dict[str, str]:
    """{field: Vietnamese message} for everything wrong with one incident; empty when fine."""
    errors: dict[str, str] = {}
    if kind not in ELIGIBLE_KINDS:
        errors["unit"] = _not_eligible(kind)
        return errors
    _check_day(date, today, errors)
    kinds, fm_categories, hp_categories = _category_rules()
    if category not in INCIDENT_CATEGORIES:
        errors["category"] = _("loại vụ việc “%(value)s” không có trong danh mục.") % {
            "value": category
        }
    elif kind not in kinds.get(category, ()):
        errors["category"] = _(
            "không tiêu chí nào của %(kind)s tính loại vụ việc “%(category)s”."
        ) % {"kind": KIND_LABELS[kind], "category": INCIDENT_CATEGORIES[category]}
    if category == "crime" and not gravity:
        errors["gravity"] = _(
            "với tội phạm phải ghi mức độ (ít nghiêm trọng, nghiêm trọng, rất nghiêm trọng, "
            "đặc biệt nghiêm trọng)."
        )
    elif gravity and gravity not in CRIME_GRAVITY:
        errors["gravity"] = _("mức độ “%(value)s” không hợp lệ.") % {"value": gravity}
    elif gravity and category != "crime":
        errors["gravity"] = _("chỉ ghi mức độ với vụ việc loại “tội phạm”.")
    if deaths is not None and deaths < 0:
        errors["deaths"] = _("số người chết không thể âm.")
    elif deaths == 0 and category == "fatal_work_accident":
        errors["deaths"] = _("tai nạn lao động chết người phải có ít nhất 1 người chết.")
    if discipline_level and discipline_level not in DISCIPLINE_LEVELS:
        errors["discipline_level"] = _("hình thức kỷ luật “%(value)s” không hợp lệ.") % {
            "value": discipline_level
        }
    if force_majeure and category in INCIDENT_CATEGORIES and category not in fm_categories:
        errors["force_majeure"] = _(
            "loại vụ việc “%(category)s” không có ngoại lệ bất khả kháng."
        ) % {"category": INCIDENT_CATEGORIES[category]}
    if handled_properly and category in INCIDENT_CATEGORIES and category not in hp_categories:
        errors["handled_properly"] = _(
            "chỉ xác định “phát hiện kịp thời, hạn chế hậu quả, báo cáo ngay” với tội phạm."
        )
    if (force_majeure or handled_properly) and not flags_reason.strip():
        errors["flags_reason"] = _(
            "phải ghi căn cứ khi xác định bất khả kháng hoặc đã phát hiện kịp thời, hạn chế hậu "
            "quả, báo cáo ngay."
        )
    _check_lengths({"description": description, "flags_reason": flags_reason}, errors)
    return errors


def check_discipline(
    *,
    kind: str,
    date: dt.date | None,
    group: str,
    level: str,
    person: str,
    note: str,
    today: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ELIGIBLE_KINDS:
        errors["unit"] = _not_eligible(kind)
        return errors
    _check_day(date, today, errors)
    if group not in DISCIPLINE_GROUPS:
        errors["group"] = _("lực lượng “%(value)s” không hợp lệ.") % {"value": group}
    elif group not in GROUPS_BY_KIND[kind]:
        errors["group"] = _("%(group)s không thuộc %(kind)s.") % {
            "group": DISCIPLINE_GROUPS[group][:1].upper() + DISCIPLINE_GROUPS[group][1:],
            "kind": KIND_LABELS[kind],
        }
    if level not in DISCIPLINE_LEVELS:
        errors["level"] = _("hình thức kỷ luật “%(value)s” không hợp lệ.") % {"value": level}
    _check_lengths({"person": person, "note": note}, errors)
    return errors


def _not_eligible(kind: str) -> str:
    label = {"province": "tỉnh, thành phố", "district": "huyện"}.get(kind, kind)
    return _(
        "chỉ ghi sổ cho khu dân cư, xã/phường, cơ quan, doanh nghiệp, cơ sở giáo dục "
        "(đơn vị này là %(kind)s)."
    ) % {"kind": label}
