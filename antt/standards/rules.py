"""The evaluation engine. Pure and deterministic: no Django, no I/O, no clock.

``evaluate(cset, inp)`` walks the criteria for the unit's kind and returns, for every criterion
and point, a verdict (met, not_met, needs_judgement, missing_data) with a Vietnamese explanation
naming the numbers, dates and incidents that decided it, and the settings it depended on.
A unit meets the standard only when every criterion is met (Art. 4–7: “khi đạt đủ các tiêu chí”).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Literal

from antt.standards.catalog import CriteriaSet, Criterion, Rule, Window
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

Verdict = Literal["met", "not_met", "needs_judgement", "missing_data"]
MET: Verdict = "met"
NOT_MET: Verdict = "not_met"
NEEDS_JUDGEMENT: Verdict = "needs_judgement"
MISSING_DATA: Verdict = "missing_data"
VERDICT_LABELS: dict[str, str] = {
    MET: "đạt",
    NOT_MET: "không đạt",
    NEEDS_JUDGEMENT: "chờ đánh giá của cuộc họp",
    MISSING_DATA: "thiếu số liệu",
}
# The worst verdict wins: one unmet point fails the criterion, whatever else is pending.
_SEVERITY = {MET: 0, NEEDS_JUDGEMENT: 1, MISSING_DATA: 2, NOT_MET: 3}
_BY_SEVERITY: dict[int, Verdict] = {rank: verdict for verdict, rank in _SEVERITY.items()}

Result = Literal["met", "not_met", "pending"]


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Incident:
    date: dt.date
    category: str
    gravity: str = ""  # for crime: less_serious … especially_serious
    force_majeure: bool = False
    handled_properly: bool = False  # detected promptly, consequences limited, reported at once
    discipline_level: str = ""  # for staff/member incidents: the discipline that followed
    description: str = ""
    unit_name: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Discipline:
    date: dt.date
    group: str
    level: str
    person: str = ""


@dataclass(frozen=True)
class Subunit:
    """A unit under the commune's authority, for Art. 5.4."""

    code: str
    name: str
    kind: str
    registered: bool
    result: str | None  # met / not_met / None while undecided
    decided: bool = True  # False: ``result`` is the unit's own evaluation, no decision yet


@dataclass(frozen=True)
class Judgement:
    code: str
    verdict: Literal["met", "not_met"]
    reason: str
    by: str
    override: bool = False  # replaces a computed verdict; the reason is then mandatory


@dataclass(frozen=True)
class UnitProfile:
    code: str
    name: str
    kind: str
    has_party_org: bool | None = None
    is_general_education: bool = False


@dataclass(frozen=True)
class EvaluationInput:
    unit: UnitProfile
    year: int
    facts: Mapping[str, Any] = field(default_factory=dict)
    previous_facts: Mapping[str, Any] | None = None
    incidents: Sequence[Incident] = ()
    territory_incidents: Sequence[Incident] = ()  # the unit's and every unit's under it
    disciplines: Sequence[Discipline] = ()
    subunits: Sequence[Subunit] = ()
    judgements: Mapping[str, Judgement] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)
    extra_criteria: Sequence[Criterion] = ()  # province add-ons (Art. 8.1), ANDed


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    explanation: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    settings_used: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NodeResult:
    code: str
    reference: str
    text: str
    verdict: Verdict
    explanation: str
    computed_verdict: Verdict
    checks: tuple[Check, ...] = ()
    children: tuple[NodeResult, ...] = ()
    judgement: Judgement | None = None
    via: str = ""  # for an included node: the criterion that includes it (5.2 → 4.3.a)

    def walk(self) -> Sequence[NodeResult]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out

    @property
    def settings_used(self) -> tuple[tuple[str, str], ...]:
        seen: dict[str, str] = {}
        for node in self.walk():
            for check in node.checks:
                seen.update(check.settings_used)
        return tuple(sorted(seen.items()))


@dataclass(frozen=True)
class Evaluation:
    unit_code: str
    year: int
    standard: str
    window: Window
    result: Result
    criteria: tuple[NodeResult, ...]
    settings: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        def node(n: NodeResult) -> dict[str, Any]:
            d: dict[str, Any] = {
                "code": n.code,
                "verdict": n.verdict,
                "explanation": n.explanation,
                "reference": n.reference,
            }
            if n.via:
                d["via"] = n.via
            if n.computed_verdict != n.verdict:
                d["computed_verdict"] = n.computed_verdict
            if n.judgement:
                d["judgement"] = {
                    "verdict": n.judgement.verdict,
                    "reason": n.judgement.reason,
                    "by": n.judgement.by,
                    "override": n.judgement.override,
                }
            if n.children:
                d["points"] = [node(c) for c in n.children]
            return d

        return {
            "unit": self.unit_code,
            "year": self.year,
            "standard": self.standard,
            "window": [self.window.start.isoformat(), self.window.end.isoformat()],
            "result": self.result,
            "criteria": [node(c) for c in self.criteria],
            "settings": dict(self.settings),
        }


# ---------------------------------------------------------------- formatting (Vietnamese)


def fmt_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def fmt_pct(value: Fraction) -> str:
    text = f"{float(value) * 100:.2f}".replace(".", ",")
    return f"{text}%"


def cap(text: str) -> str:
    """First letter upper case, the rest untouched (“ANTT”, “Ủy ban” keep their capitals)."""
    return text[:1].upper() + text[1:]


@functools.lru_cache(maxsize=64)
def fmt_window(window: Window) -> str:
    """Cached: every incident rule of every unit names the same few windows (a province's
    evaluation formatted them ~50,000 times)."""
    return f"{fmt_date(window.start)} – {fmt_date(window.end)}"


def describe_incident(inc: Incident) -> str:
    what = INCIDENT_CATEGORIES.get(inc.category, inc.category)
    if inc.gravity:
        what = f"tội phạm {CRIME_GRAVITY[inc.gravity][1]}"
    where = f" tại {inc.unit_name}" if inc.unit_name else ""
    desc = f" ({inc.description})" if inc.description else ""
    return f"1 vụ {what} ngày {fmt_date(inc.date)}{where}{desc}"


# ---------------------------------------------------------------- rules


class Context:
    """What a rule sees: the input, the window, the node being evaluated and its incident scope.

    A plain slotted class, not a dataclass: one is made per node of every unit (~90,000 for a
    province). ``explain`` False asks the rules for verdicts only (a bulk evaluation): their
    explanations and inputs are then left empty. ``pools`` is shared by the nodes of one
    evaluation, so the window's incidents are filtered and sorted once per scope, not per rule.
    """

    __slots__ = ("cset", "explain", "inp", "node", "pools", "scope", "window")

    def __init__(
        self,
        cset: CriteriaSet,
        inp: EvaluationInput,
        window: Window,
        node: Criterion,
        scope: str,
        explain: bool = True,
        pools: dict[str, Sequence[Incident]] | None = None,
    ) -> None:
        self.cset = cset
        self.inp = inp
        self.window = window
        self.node = node
        self.scope = scope
        self.explain = explain
        self.pools = {} if pools is None else pools

    def setting(self, key: str) -> str:
        return self.inp.settings.get(key) or self.cset.settings[key].default

    def setting_note(self, key: str) -> str:
        s = self.cset.settings[key]
        value = self.setting(key)
        return f"[cách hiểu “{key}” = {s.labels.get(value, value)}]"

    def incidents(self) -> Sequence[Incident]:
        """The scope's incidents inside the window, by date (then reference)."""
        found = self.pools.get(self.scope)
        if found is None:
            territory = self.scope == "territory"
            pool = self.inp.territory_incidents if territory else self.inp.incidents
            window = self.window
            found = sorted((i for i in pool if i.date in window), key=lambda i: (i.date, i.ref))
            self.pools[self.scope] = found
        return found

    def fact(self, name: str) -> Any:
        return self.inp.facts.get(name)


@dataclass(frozen=True)
class RuleSpec:
    required: tuple[str, ...]
    fn: Callable[[Context, Mapping[str, Any]], Check]


RULES: dict[str, RuleSpec] = {}


def rule(name: str, *required: str) -> Callable[[Callable[..., Check]], Callable[..., Check]]:
    def register(fn: Callable[..., Check]) -> Callable[..., Check]:
        RULES[name] = RuleSpec(required, fn)
        return fn

    return register


@functools.lru_cache(maxsize=64)
def _fraction(threshold: object) -> Fraction:
    """A threshold as written in the TOML ("0.8", 0.95): parsed once, not per unit."""
    return Fraction(str(threshold))


def _not_applicable(ctx: Context, p: Mapping[str, Any]) -> str | None:
    """Why a conditional requirement does not apply to this unit, or None when it does."""
    cond = p.get("only_if")
    if cond == "has_party_org" and ctx.inp.unit.has_party_org is False:
        return "Đơn vị không có tổ chức Đảng: yêu cầu về nghị quyết không áp dụng."
    if cond == "general_education" and not ctx.inp.unit.is_general_education:
        return "Không phải cấp học phổ thông: yêu cầu này không áp dụng."
    if cond and cond.startswith("fact:"):
        value = ctx.fact(cond[5:])
        if value is False:
            return f"{p.get('not_applicable', 'Không áp dụng')}."
    return None


@rule("document_in_period", "fact", "label")
def document_in_period(ctx: Context, p: Mapping[str, Any]) -> Check:
    label = p["label"]
    if reason := _not_applicable(ctx, p):
        return Check(MET, reason)
    day = ctx.fact(p["fact"])
    year = ctx.inp.year
    if p.get("period", "q1") == "q1":
        start, end, period = dt.date(year, 1, 1), dt.date(year, 3, 31), f"quý I/{year}"
    else:
        start, end, period = dt.date(year, 1, 1), dt.date(year, 12, 31), f"năm {year}"
    if day is None:
        return Check(MISSING_DATA, f"Chưa nhập ngày của {label}.", {p["fact"]: None})
    if not ctx.explain:
        return Check(MET if start <= day <= end else NOT_MET, "")
    inputs = {p["fact"]: day.isoformat()}
    if start <= day <= end:
        return Check(MET, f"Có {label} ngày {fmt_date(day)}, trong {period}.", inputs)
    return Check(NOT_MET, f"{cap(label)} ngày {fmt_date(day)}, ngoài {period}.", inputs)


@rule("ratio_at_least", "numerator", "denominator", "threshold", "label")
def ratio_at_least(ctx: Context, p: Mapping[str, Any]) -> Check:
    num, den = ctx.fact(p["numerator"]), ctx.fact(p["denominator"])
    label = p["label"]
    inputs = {p["numerator"]: num, p["denominator"]: den}
    if num is None or den is None:
        return Check(MISSING_DATA, f"Chưa nhập đủ số liệu về {label}.", inputs)
    need = _fraction(p["threshold"])
    if den == 0:
        return Check(MISSING_DATA, f"Tổng số ({label}) bằng 0: cần kiểm tra lại số liệu.", inputs)
    ratio = Fraction(num, den)
    if not ctx.explain:
        return Check(MET if ratio >= need else NOT_MET, "")
    text = f"{cap(label)}: {num}/{den} ({fmt_pct(ratio)}), yêu cầu {fmt_pct(need)}."
    return Check(MET if ratio >= need else NOT_MET, text, inputs)


@rule("at_least", "fact", "minimum", "label")
def at_least(ctx: Context, p: Mapping[str, Any]) -> Check:
    value = ctx.fact(p["fact"])
    if value is None:
        return Check(MISSING_DATA, f"Chưa nhập {p['label']}.", {p["fact"]: None})
    ok = value >= p["minimum"]
    text = f"{cap(p['label'])}: {value}, yêu cầu ít nhất {p['minimum']}."
    return Check(MET if ok else NOT_MET, text, {p["fact"]: value})


@rule("at_most", "fact", "maximum", "label")
def at_most(ctx: Context, p: Mapping[str, Any]) -> Check:
    value = ctx.fact(p["fact"])
    if value is None:
        return Check(MISSING_DATA, f"Chưa nhập {p['label']}.", {p["fact"]: None})
    ok = value <= p["maximum"]
    limit = "không có" if p["maximum"] == 0 else f"tối đa {p['maximum']}"
    text = f"{cap(p['label'])}: {value} (yêu cầu {limit})."
    return Check(MET if ok else NOT_MET, text, {p["fact"]: value})


@rule("no_incidents", "categories", "label")
def no_incidents(ctx: Context, p: Mapping[str, Any]) -> Check:
    settings_used: tuple[tuple[str, str], ...] = ()
    min_discipline = 0
    if "setting" in p:
        value = ctx.setting(p["setting"])
        settings_used = ((p["setting"], value),)
        if value == "disciplined_only":
            min_discipline = DISCIPLINE_LEVELS["warning"][0]
    if not ctx.explain and not ctx.incidents():
        return Check(MET, "", {}, settings_used)  # most units: nothing in the register
    categories = set(p["categories"])
    min_gravity = CRIME_GRAVITY[p["min_gravity"]][0] if "min_gravity" in p else 0
    if "min_discipline_level" in p:
        min_discipline = DISCIPLINE_LEVELS[p["min_discipline_level"]][0]
    counted: list[Incident] = []
    exempt: list[tuple[Incident, str]] = []
    for inc in ctx.incidents():
        if inc.category not in categories:
            continue
        if min_gravity and CRIME_GRAVITY.get(inc.gravity, (0, ""))[0] < min_gravity:
            continue
        if (
            min_discipline
            and DISCIPLINE_LEVELS.get(inc.discipline_level, (0, ""))[0] < min_discipline
        ):
            continue
        if p.get("force_majeure_exempt") and inc.force_majeure:
            exempt.append((inc, "bất khả kháng, không tính"))
            continue
        if p.get("handled_properly_exempt") and inc.handled_properly:
            exempt.append(
                (
                    inc,
                    "đã phát hiện kịp thời, hạn chế hậu quả và báo cáo ngay, không tính",
                )
            )
            continue
        counted.append(inc)
    if not ctx.explain:
        return Check(NOT_MET if counted else MET, "", {}, settings_used)
    scope = " trên toàn địa bàn" if ctx.scope == "territory" else ""
    window = fmt_window(ctx.window)
    inputs = {"incidents": [i.ref or describe_incident(i) for i in counted]}
    note = f" {ctx.setting_note(p['setting'])}" if "setting" in p else ""
    if counted:
        lines = []
        for inc in counted:
            line = describe_incident(inc)
            if p.get("handled_properly_exempt"):
                line += ", chưa được xử lý kịp thời"
            lines.append(line)
        text = f"Xảy ra {p['label']}{scope}: " + "; ".join(lines) + f".{note}"
        return Check(NOT_MET, text, inputs, settings_used)
    text = f"Không xảy ra {p['label']}{scope} trong kỳ đánh giá ({window})."
    if exempt:
        text += " " + "; ".join(f"{describe_incident(i)}: {why}" for i, why in exempt) + "."
    return Check(MET, text + note, inputs, settings_used)


@rule("not_increased", "facts", "label", "setting")
def not_increased(ctx: Context, p: Mapping[str, Any]) -> Check:
    mode = ctx.setting(p["setting"])
    used = ((p["setting"], mode),)
    note = ctx.setting_note(p["setting"])
    prev = ctx.inp.previous_facts
    inputs: dict[str, Any] = {}
    parts, failing, missing = [], [], []
    for name in p["facts"]:
        now = ctx.fact(name)
        before = prev.get(name) if prev is not None else None
        inputs[name] = [before, now]
        label = p.get("labels", {}).get(name, name)
        if now is None or before is None:
            missing.append(label)
            continue
        if now == 0 and before == 0:
            parts.append(f"{label}: 0 cả hai năm (giữ ở mức không)")
            continue
        ok = now < before if mode == "strictly_lower" else now <= before
        parts.append(f"{label}: {before} → {now}")
        if not ok:
            failing.append(label)
    if missing:
        year_note = "" if prev is not None else " (chưa có số liệu năm trước)"
        return Check(
            MISSING_DATA,
            f"Thiếu số liệu để so sánh với năm trước{year_note}: {', '.join(missing)}. {note}",
            inputs,
            used,
        )
    summary = "; ".join(parts)
    if failing:
        return Check(
            NOT_MET,
            f"Chưa kiềm chế, kéo giảm so với năm trước ({summary}). {note}",
            inputs,
            used,
        )
    return Check(MET, f"Kiềm chế, kéo giảm so với năm trước ({summary}). {note}", inputs, used)


@rule("judgement", "label")
def judgement(ctx: Context, p: Mapping[str, Any]) -> Check:
    found = ctx.inp.judgements.get(ctx.node.code)
    if found is None:
        return Check(NEEDS_JUDGEMENT, f"Chờ cuộc họp đánh giá: {p['label']}.")
    verdict_text = VERDICT_LABELS[found.verdict]
    who = f"{found.by}: " if found.by else ""
    reason = found.reason.strip().rstrip(".")
    return Check(
        found.verdict,
        f"Cuộc họp đánh giá {verdict_text} ({p['label']}); {who}{reason}.",
        {"judgement_by": found.by},
    )


@rule("rating_at_least", "fact", "minimum", "label")
def rating_at_least(ctx: Context, p: Mapping[str, Any]) -> Check:
    if reason := _not_applicable(ctx, p):
        return Check(MET, reason)
    cond = p.get("only_if", "")
    if cond.startswith("fact:") and ctx.fact(cond[5:]) is None:
        return Check(MISSING_DATA, f"Chưa nhập thông tin: {p.get('condition_label', cond[5:])}.")
    value = ctx.fact(p["fact"])
    need_rank, need_label = RATINGS[p["minimum"]]
    if value is None:
        return Check(MISSING_DATA, f"Chưa nhập xếp loại {p['label']}.", {p["fact"]: None})
    if value == NOT_RATED:
        return Check(MET, f"{cap(p['label'])} không thuộc diện bình xét thi đua.")
    rank, label = RATINGS[value]
    text = f"{cap(p['label'])} đạt “{label}”, yêu cầu “{need_label}” trở lên."
    return Check(MET if rank >= need_rank else NOT_MET, text, {p["fact"]: value})


@rule("no_discipline", "groups", "label")
def no_discipline(ctx: Context, p: Mapping[str, Any]) -> Check:
    used: tuple[tuple[str, str], ...] = ()
    min_level = p.get("min_level", "reprimand")
    if "setting" in p:
        min_level = ctx.setting(p["setting"])
        used = ((p["setting"], min_level),)
    if reason := _not_applicable(ctx, p):
        return Check(MET, reason, settings_used=used)
    rank = DISCIPLINE_LEVELS[min_level][0]
    groups = set(p["groups"])
    hits = [
        d
        for d in ctx.inp.disciplines
        if d.date in ctx.window
        and ("*" in groups or d.group in groups)
        and DISCIPLINE_LEVELS[d.level][0] >= rank
    ]
    threshold = (
        "bất kỳ hình thức kỷ luật nào"
        if rank <= 1
        else f"kỷ luật từ {DISCIPLINE_LEVELS[min_level][1]} trở lên"
    )
    inputs = {"disciplines": [f"{d.date.isoformat()} {d.group} {d.level}" for d in hits]}
    if hits:
        listed = "; ".join(
            f"{d.person or DISCIPLINE_GROUPS.get(d.group, d.group)} bị "
            f"{DISCIPLINE_LEVELS[d.level][1]} ngày {fmt_date(d.date)}"
            for d in sorted(hits, key=lambda d: d.date)
        )
        return Check(NOT_MET, f"Có {p['label']} bị xử lý ({threshold}): {listed}.", inputs, used)
    return Check(MET, f"Không có {p['label']} bị xử lý ({threshold}) trong kỳ.", inputs, used)


@rule("share_at_least", "total", "qualifying", "threshold", "label")
def share_at_least(ctx: Context, p: Mapping[str, Any]) -> Check:
    total, good = ctx.fact(p["total"]), ctx.fact(p["qualifying"])
    inputs = {p["total"]: total, p["qualifying"]: good}
    if total is None or good is None:
        return Check(MISSING_DATA, f"Chưa nhập đủ số liệu về {p['label']}.", inputs)
    if total == 0:
        return Check(MET, f"Không có {p['label']} thuộc diện bình xét: không áp dụng.", inputs)
    need = _fraction(p["threshold"])
    share = Fraction(good, total)
    if not ctx.explain:
        return Check(MET if share >= need else NOT_MET, "")
    text = (
        f"{cap(p['label'])} đạt danh hiệu/xếp loại yêu cầu: {good}/{total} "
        f"({fmt_pct(share)}), yêu cầu {fmt_pct(need)} trở lên."
    )
    return Check(MET if share >= need else NOT_MET, text, inputs)


@rule("topics_present", "fact", "required", "label")
def topics_present(ctx: Context, p: Mapping[str, Any]) -> Check:
    have = ctx.fact(p["fact"])
    if have is None:
        return Check(MISSING_DATA, f"Chưa nhập {p['label']}.", {p["fact"]: None})
    missing = [t for t in p["required"] if t not in set(have)]
    inputs = {p["fact"]: sorted(have)}
    if missing:
        names = ", ".join(RULE_TOPICS[t] for t in missing)
        return Check(NOT_MET, f"Còn thiếu {p['label']} về: {names}.", inputs)
    return Check(MET, f"Có đủ {len(p['required'])} {p['label']} theo quy định.", inputs)


@rule("fact_true", "fact", "label")
def fact_true(ctx: Context, p: Mapping[str, Any]) -> Check:
    if reason := _not_applicable(ctx, p):
        return Check(MET, reason)
    value = ctx.fact(p["fact"])
    if value is None:
        return Check(MISSING_DATA, f"Chưa nhập: {p['label']}.", {p["fact"]: None})
    if value:
        return Check(MET, f"Có {p['label']}.", {p["fact"]: True})
    return Check(NOT_MET, f"Chưa có {p['label']}.", {p["fact"]: False})


@rule("subordinate_units", "registered_share", "met_share", "setting")
def subordinate_units(ctx: Context, p: Mapping[str, Any]) -> Check:
    mode = ctx.setting(p["setting"])
    used = ((p["setting"], mode),)
    note = ctx.setting_note(p["setting"])
    kinds = set(p.get("kinds", KIND_LABELS))
    units = [u for u in ctx.inp.subunits if u.kind in kinds]
    inputs: dict[str, Any] = {"total": len(units)}
    if not units:
        return Check(
            MISSING_DATA,
            "Chưa có khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục "
            "nào thuộc thẩm quyền quản lý của xã.",
            inputs,
            used,
        )
    registered = [u for u in units if u.registered]
    need_reg = Fraction(str(p["registered_share"]))
    need_met = Fraction(str(p["met_share"]))
    reg_share = Fraction(len(registered), len(units))
    inputs.update(registered=len(registered))
    reg_text = (
        f"Đăng ký: {len(registered)}/{len(units)} ({fmt_pct(reg_share)}), "
        f"yêu cầu {fmt_pct(need_reg)}"
    )
    if reg_share < need_reg:
        not_registered = ", ".join(u.name for u in units if not u.registered)
        return Check(NOT_MET, f"{reg_text}. Chưa đăng ký: {not_registered}. {note}", inputs, used)
    if not registered:
        return Check(NOT_MET, f"{reg_text}. Không có đơn vị nào đăng ký. {note}", inputs, used)
    undecided = [u for u in registered if u.result is None]
    met = [u for u in registered if u.result == MET]
    pooled = Fraction(len(met), len(registered))
    by_kind: dict[str, tuple[int, int]] = {}
    for u in registered:
        m, t = by_kind.get(u.kind, (0, 0))
        by_kind[u.kind] = (m + (u.result == MET), t + 1)
    kind_text = "; ".join(
        f"{KIND_LABELS.get(k, k)} {m}/{t} ({fmt_pct(Fraction(m, t))})"
        for k, (m, t) in sorted(by_kind.items())
    )
    inputs.update(met=len(met), undecided=len(undecided))
    text = (
        f"{reg_text}. Được công nhận: {len(met)}/{len(registered)} ({fmt_pct(pooled)}) gộp chung; "
        f"theo loại: {kind_text}; yêu cầu {fmt_pct(need_met)} trở lên. {note}"
    )
    provisional = [u for u in registered if u.result is not None and not u.decided]
    if provisional:
        text += (
            f" Trong đó {len(provisional)} đơn vị chưa có quyết định công nhận, "
            "tạm tính theo kết quả đánh giá."
        )
        inputs.update(provisional=len(provisional))
    if undecided:
        names = ", ".join(u.name for u in undecided)
        return Check(MISSING_DATA, f"{text} Chưa có kết quả công nhận: {names}.", inputs, used)
    if mode == "per_kind":
        ok = all(Fraction(m, t) >= need_met for m, t in by_kind.values())
    else:
        ok = pooled >= need_met
    return Check(MET if ok else NOT_MET, text, inputs, used)


@rule("meeting_decides", "label")
def meeting_decides(ctx: Context, p: Mapping[str, Any]) -> Check:
    """A criterion whose wording we lack (TT 23): only the meeting's recorded verdict counts."""
    return judgement(ctx, p)


# ---------------------------------------------------------------- evaluation


def combine(verdicts: Sequence[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: _SEVERITY[v]) if verdicts else MET


@dataclass(frozen=True)
class _Plan:
    """A criterion ready to walk: its rule functions looked up, the nodes it includes resolved
    (5.2 → 4.2–4.4) and the incident scope and ``via`` fixed by its place in the tree. Planned
    once per criteria set and kind, instead of per unit (``CriteriaSet.node`` walks the tree)."""

    node: Criterion
    scope: str
    via: str
    rules: tuple[tuple[Callable[[Context, Mapping[str, Any]], Check], Mapping[str, Any]], ...]
    children: tuple[_Plan, ...]  # the node's own points, then the included nodes


def _plan(cset: CriteriaSet, node: Criterion, scope: str, via: str = "") -> _Plan:
    scope = "territory" if node.scope == "territory" else scope
    children = tuple(_plan(cset, c, scope, via) for c in node.children)
    included = tuple(_plan(cset, cset.node(code), scope, node.code) for code in node.includes)
    return _Plan(
        node=node,
        scope=scope,
        via=via,
        rules=tuple((RULES[r.type].fn, r.params) for r in node.rules),
        children=children + included,
    )


# Keyed by the set's identity (a CriteriaSet holds mappings, so it is not hashable); the set is
# kept in the value so that its id cannot be reused by another object.
_PLANS: dict[tuple[int, str], tuple[CriteriaSet, tuple[_Plan, ...]]] = {}


def _plans(cset: CriteriaSet, kind: str) -> tuple[_Plan, ...]:
    found = _PLANS.get((id(cset), kind))
    if found is None or found[0] is not cset:
        found = (cset, tuple(_plan(cset, node, "unit") for node in cset.for_kind(kind)))
        _PLANS[(id(cset), kind)] = found
    return found[1]


@dataclass(frozen=True)
class _Walk:
    """What every node of one unit's evaluation shares."""

    cset: CriteriaSet
    inp: EvaluationInput
    window: Window
    explain: bool
    pools: dict[str, Sequence[Incident]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)


def _evaluate_node(walk: _Walk, plan: _Plan) -> NodeResult:
    node = plan.node
    ctx = Context(walk.cset, walk.inp, walk.window, node, plan.scope, walk.explain, walk.pools)
    checks = tuple(fn(ctx, params) for fn, params in plan.rules)
    children = tuple(_evaluate_node(walk, child) for child in plan.children)
    worst = 0
    for check in checks:
        walk.settings.update(check.settings_used)
        worst = max(worst, _SEVERITY[check.verdict])
    for child in children:
        worst = max(worst, _SEVERITY[child.verdict])
    computed = _BY_SEVERITY[worst]
    verdict = computed
    found = walk.inp.judgements.get(node.code)
    if found is not None and found.override:
        verdict = found.verdict
    explanation = _node_explanation(node, checks, children, computed, found) if walk.explain else ""
    return NodeResult(
        code=node.code,
        reference=node.reference,
        text=node.text,
        verdict=verdict,
        explanation=explanation,
        computed_verdict=computed,
        checks=checks,
        children=children,
        judgement=found,
        via=plan.via,
    )


def _node_explanation(
    node: Criterion,
    checks: tuple[Check, ...],
    children: tuple[NodeResult, ...],
    computed: Verdict,
    found: Judgement | None,
) -> str:
    explanation = " ".join(c.explanation for c in checks)
    if not checks and children:
        failing = [c.code for c in children if c.verdict == NOT_MET]
        pending = [c.code for c in children if c.verdict in (NEEDS_JUDGEMENT, MISSING_DATA)]
        if failing:
            explanation = f"Không đạt ở: {', '.join(failing)}."
        elif pending:
            explanation = f"Còn chờ: {', '.join(pending)}."
        else:
            explanation = f"Đạt tất cả {len(children)} điểm."
    verdict = computed
    if found is not None and found.override:
        verdict = found.verdict
        explanation = (
            f"Kết quả tính toán: {VERDICT_LABELS[computed]} ({explanation}) "
            f"Điều chỉnh thành {VERDICT_LABELS[found.verdict]}"
            f"{f' bởi {found.by}' if found.by else ''}, lý do: {found.reason}"
        )
    return f"{node.code} {VERDICT_LABELS[verdict]}: {explanation}"


def evaluate(cset: CriteriaSet, inp: EvaluationInput, *, explain: bool = True) -> Evaluation:
    """Every criterion's verdict. ``explain=False`` (a bulk evaluation that shows verdicts only)
    gives the same verdicts, results and settings but leaves the explanations empty."""
    kind = inp.unit.kind
    window = cset.window(kind, inp.year)
    tops = _plans(cset, kind) + tuple(
        _plan(cset, c, "unit") for c in inp.extra_criteria if kind in c.kinds
    )
    walk = _Walk(cset, inp, window, explain)
    results = tuple(_evaluate_node(walk, plan) for plan in tops)
    verdicts = [r.verdict for r in results]
    if all(v == MET for v in verdicts):
        result: Result = "met"
    elif NOT_MET in verdicts:
        result = "not_met"
    else:
        result = "pending"
    return Evaluation(
        unit_code=inp.unit.code,
        year=inp.year,
        standard=cset.code,
        window=window,
        result=result,
        criteria=results,
        settings=tuple(sorted(walk.settings.items())),
    )


def with_judgement(inp: EvaluationInput, j: Judgement) -> EvaluationInput:
    return replace(inp, judgements={**inp.judgements, j.code: j})


__all__ = [
    "RULES",
    "Check",
    "Criterion",
    "Discipline",
    "Evaluation",
    "EvaluationInput",
    "Incident",
    "Judgement",
    "NodeResult",
    "Rule",
    "Subunit",
    "UnitProfile",
    "evaluate",
]
