"""Writing the evidence the criteria read: incidents, yearly facts, discipline, judgements.

Every function is keyword-only, runs in one transaction, re-checks the actor's permission at the
unit (a ``str`` actor is a system or CLI actor) and writes an audit event with what changed.
Nothing is deleted: an incident or a disciplinary action is voided with a reason, a judgement is
superseded by a newer one. The bulk imports live in ``import_service``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.accounts.rules import Action
from antt.core import audit
from antt.records import validation
from antt.records.models import (
    CriterionJudgement,
    DisciplinaryAction,
    Incident,
    JudgementVerdict,
    YearFacts,
)
from antt.standards.catalog import decode_facts, registry
from antt.standards.models import ProvinceAddonCriterion
from antt.standards.vocab import KIND_LABELS
from antt.units.models import Unit

__all__ = [
    "current_judgements",
    "facts_for",
    "judgeable_codes",
    "record_discipline",
    "record_incident",
    "record_judgement",
    "set_year_facts",
    "update_incident_flags",
    "version_for_year",
    "void_discipline",
    "void_incident",
]

INCIDENT_FIELDS = (
    "date",
    "category",
    "gravity",
    "deaths",
    "discipline_level",
    "description",
    "force_majeure",
    "handled_properly",
    "flags_reason",
)


def _user(actor: Any) -> Any:
    """The User behind ``actor``, or None for a system actor (a str)."""
    return None if isinstance(actor, str) else actor


def may(actor: Any, action: Action, unit: Unit) -> bool:
    return isinstance(actor, str) or bool(actor.can(action, unit.path))


def _require(actor: Any, action: Action, unit: Unit) -> None:
    if not may(actor, action, unit):
        if action == Action.JUDGE:
            raise PermissionDenied(
                _("Bạn không có quyền ghi nhận đánh giá tiêu chí tại đơn vị này.")
            )
        raise PermissionDenied(_("Bạn không có quyền ghi sổ theo dõi tại đơn vị này."))


def _invalid(errors: dict[str, str]) -> ValidationError:
    """Messages start with a capital letter when they stand alone (forms, the API)."""
    return ValidationError({k: v[:1].upper() + v[1:] for k, v in errors.items()})


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Phải ghi lý do %(what)s.") % {"what": what}})
    if len(reason) > validation.MAX_TEXT["reason"]:
        raise ValidationError(
            {"reason": _("Lý do dài quá %(n)s ký tự.") % {"n": validation.MAX_TEXT["reason"]}}
        )
    return reason


def version_for_year(versions: Iterable[Unit], year: int, day: dt.date) -> Unit | None:
    """Which version of a unit code a year's records belong to: the one valid on ``day`` (1 July,
    or today in the current year); else the latest valid some time in that year (abolished
    mid-year); else the first one formed the following year — the 2025 reform created new units
    whose previous-year figures (Art. 4.4.a) are recorded on them."""
    versions = list(versions)
    for unit in versions:
        if unit.is_valid_on(day):
            return unit
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    during = [
        u
        for u in versions
        if (u.valid_from is None or u.valid_from <= last)
        and (u.valid_to is None or u.valid_to >= first)
    ]
    if during:
        return max(during, key=lambda u: u.valid_from or dt.date.min)
    following = [u for u in versions if u.valid_from is not None and u.valid_from.year == year + 1]
    return min(following, key=lambda u: u.valid_from or dt.date.min) if following else None


def province_pk(unit: Unit) -> int:
    return int(unit.path.strip("/").split("/")[0])


# --- incidents -----------------------------------------------------------------------------------


def incident_snapshot(incident: Incident) -> dict[str, Any]:
    return {name: getattr(incident, name) for name in INCIDENT_FIELDS}


@transaction.atomic
def record_incident(
    *,
    actor: Any,
    unit: Unit,
    date: dt.date,
    category: str,
    gravity: str = "",
    deaths: int | None = None,
    discipline_level: str = "",
    description: str = "",
    force_majeure: bool = False,
    handled_properly: bool = False,
    flags_reason: str = "",
    today: dt.date | None = None,
) -> Incident:
    """One incident in the register. The two exemption flags are a person's decision (D14):
    they need a reason, and the actor is recorded as the one who set them."""
    _require(actor, Action.RECORD_EVIDENCE, unit)
    description, flags_reason = description.strip(), flags_reason.strip()
    errors = validation.check_incident(
        kind=unit.kind,
        date=date,
        category=category,
        gravity=gravity,
        deaths=deaths,
        discipline_level=discipline_level,
        description=description,
        force_majeure=force_majeure,
        handled_properly=handled_properly,
        flags_reason=flags_reason,
        today=today or timezone.localdate(),
    )
    if errors:
        raise _invalid(errors)
    incident = Incident.objects.create(
        unit=unit,
        date=date,
        category=category,
        gravity=gravity,
        deaths=deaths,
        discipline_level=discipline_level,
        description=description,
        force_majeure=force_majeure,
        handled_properly=handled_properly,
        flags_reason=flags_reason,
        flags_set_by=_user(actor) if (force_majeure or handled_properly or flags_reason) else None,
        recorded_by=_user(actor),
    )
    audit.record(
        actor=actor,
        verb="incident.record",
        obj=incident,
        unit_path=unit.path,
        changes=audit.diff({}, incident_snapshot(incident)),
    )
    return incident


@transaction.atomic
def update_incident_flags(
    *,
    actor: Any,
    incident: Incident,
    force_majeure: bool,
    handled_properly: bool,
    flags_reason: str,
    today: dt.date | None = None,
) -> Incident:
    """Change the force-majeure / handled-properly decision of an incident, with its reason."""
    unit = incident.unit
    _require(actor, Action.RECORD_EVIDENCE, unit)
    if incident.voided_at is not None:
        raise ValidationError(_("Vụ việc đã bị hủy: không sửa được."))
    flags_reason = flags_reason.strip()
    errors = validation.check_incident(
        kind=unit.kind,
        date=incident.date,
        category=incident.category,
        gravity=incident.gravity,
        deaths=incident.deaths,
        discipline_level=incident.discipline_level,
        description=incident.description,
        force_majeure=force_majeure,
        handled_properly=handled_properly,
        flags_reason=flags_reason,
        today=max(today or timezone.localdate(), incident.date),
    )
    flag_errors = {
        k: v
        for k, v in errors.items()
        if k in ("force_majeure", "handled_properly", "flags_reason")
    }
    if flag_errors:
        raise _invalid(flag_errors)
    before = incident_snapshot(incident)
    incident.force_majeure = force_majeure
    incident.handled_properly = handled_properly
    incident.flags_reason = flags_reason
    incident.flags_set_by = _user(actor)
    changes = audit.diff(before, incident_snapshot(incident))
    if not changes:
        return incident
    incident.save(
        update_fields=["force_majeure", "handled_properly", "flags_reason", "flags_set_by"]
    )
    audit.record(
        actor=actor, verb="incident.flags", obj=incident, unit_path=unit.path, changes=changes
    )
    return incident


@transaction.atomic
def void_incident(*, actor: Any, incident: Incident, reason: str) -> Incident:
    """Take an incident out of every evaluation; the row and its history stay."""
    unit = incident.unit
    _require(actor, Action.RECORD_EVIDENCE, unit)
    reason = _reason(reason, _("hủy vụ việc"))
    now = timezone.now()
    claimed = Incident.objects.filter(pk=incident.pk, voided_at__isnull=True).update(
        voided_at=now, void_reason=reason
    )
    if claimed != 1:
        raise ValidationError(_("Vụ việc này đã bị hủy trước đó."))
    incident.voided_at, incident.void_reason = now, reason
    audit.record(
        actor=actor,
        verb="incident.void",
        obj=incident,
        unit_path=unit.path,
        changes={"void_reason": reason},
    )
    return incident


# --- yearly facts --------------------------------------------------------------------------------


def check_year(unit: Unit, year: int, today: dt.date) -> str | None:
    """Why facts or verdicts cannot be recorded for ``year``, or None."""
    if year > today.year:
        return _("Năm %(year)s chưa đến.") % {"year": year}
    try:
        registry().for_year(unit.kind, year)
    except LookupError:
        return _("Không có bộ tiêu chí nào áp dụng cho năm %(year)s.") % {"year": year}
    return None


def clean_facts(values: dict[str, Any], today: dt.date) -> tuple[dict[str, Any], dict[str, str]]:
    """({name: JSON value or None}, {name: error}) for raw values keyed by fact name."""
    facts = registry().facts
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, raw in values.items():
        fact = facts.get(name)
        if fact is None:
            errors[name] = _("Không có số liệu “%(name)s” trong danh mục số liệu.") % {"name": name}
            continue
        try:
            cleaned[name] = validation.coerce_fact(fact, raw, today=today)
        except validation.FactError as exc:
            errors[name] = str(exc)
    return cleaned, errors


def merge_facts(stored: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    merged = dict(stored)
    for name, value in cleaned.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


@transaction.atomic
def set_year_facts(
    *,
    actor: Any,
    unit: Unit,
    year: int,
    values: dict[str, Any],
    today: dt.date | None = None,
) -> YearFacts:
    """Merge ``values`` into the unit's facts for ``year``. A None or blank value removes the fact;
    facts not named stay as they are. Dates are stored as ISO text."""
    _require(actor, Action.RECORD_EVIDENCE, unit)
    today = today or timezone.localdate()
    if unit.kind not in validation.ELIGIBLE_KINDS:
        raise ValidationError(_("Đơn vị này không thuộc đối tượng ghi số liệu."))
    if problem := check_year(unit, year, today):
        raise ValidationError(problem)
    cleaned, errors = clean_facts(values, today)
    if errors:
        raise ValidationError(errors)
    row = YearFacts.objects.select_for_update().filter(unit=unit, year=year).first()
    before = dict(row.data) if row is not None else {}
    after = merge_facts(before, cleaned)
    totals = validation.check_facts_totals(after, registry().facts)
    if totals:
        raise ValidationError(totals)
    changes = audit.diff(before, after)
    if row is None:
        row = YearFacts(unit=unit, year=year, data={})
    if not changes:
        return row
    row.data, row.updated_by = after, _user(actor)
    if row.pk is None:
        row.save()
    else:
        row.save(update_fields=["data", "updated_by", "updated_at"])
    audit.record(
        actor=actor,
        verb="facts.set",
        obj=row,
        unit_path=unit.path,
        changes={"year": year, **changes},
    )
    return row


def facts_for(unit: Unit, year: int) -> dict[str, Any]:
    """The unit's facts for ``year`` as the rules read them (dates as ``datetime.date``)."""
    row = YearFacts.objects.filter(unit=unit, year=year).only("data").first()
    return decode_facts(row.data) if row is not None else {}


# --- discipline ----------------------------------------------------------------------------------


@transaction.atomic
def record_discipline(
    *,
    actor: Any,
    unit: Unit,
    date: dt.date,
    group: str,
    level: str,
    person: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> DisciplinaryAction:
    _require(actor, Action.RECORD_EVIDENCE, unit)
    person, note = person.strip(), note.strip()
    errors = validation.check_discipline(
        kind=unit.kind,
        date=date,
        group=group,
        level=level,
        person=person,
        note=note,
        today=today or timezone.localdate(),
    )
    if errors:
        raise _invalid(errors)
    action = DisciplinaryAction.objects.create(
        unit=unit,
        date=date,
        group=group,
        level=level,
        person=person,
        note=note,
        recorded_by=_user(actor),
    )
    audit.record(
        actor=actor,
        verb="discipline.record",
        obj=action,
        unit_path=unit.path,
        changes=audit.diff(
            {}, {"date": date, "group": group, "level": level, "person": person, "note": note}
        ),
    )
    return action


@transaction.atomic
def void_discipline(*, actor: Any, action: DisciplinaryAction, reason: str) -> DisciplinaryAction:
    unit = action.unit
    _require(actor, Action.RECORD_EVIDENCE, unit)
    reason = _reason(reason, _("hủy quyết định kỷ luật"))
    now = timezone.now()
    claimed = DisciplinaryAction.objects.filter(pk=action.pk, voided_at__isnull=True).update(
        voided_at=now, void_reason=reason
    )
    if claimed != 1:
        raise ValidationError(_("Quyết định kỷ luật này đã bị hủy trước đó."))
    action.voided_at, action.void_reason = now, reason
    audit.record(
        actor=actor,
        verb="discipline.void",
        obj=action,
        unit_path=unit.path,
        changes={"void_reason": reason},
    )
    return action


# --- judgements ----------------------------------------------------------------------------------


def judgeable_codes(unit: Unit, year: int) -> dict[str, tuple[str, bool]]:
    """{code: (text, judged by the meeting)} of every criterion a verdict can be recorded on
    for ``unit`` and ``year``: the national set's nodes and the province's add-ons."""
    cset = registry().for_year(unit.kind, year)
    codes = {
        code: (node.text, validation.is_judged(node))
        for code, node in validation.criteria_codes(cset, unit.kind).items()
    }
    addons = ProvinceAddonCriterion.objects.filter(
        Q(year_to__isnull=True) | Q(year_to__gte=year),
        province_id=province_pk(unit),
        year_from__lte=year,
    ).order_by("code")
    for addon in addons:
        if unit.kind in addon.kinds:
            codes.setdefault(addon.code, (addon.text, True))
    return codes


@transaction.atomic
def record_judgement(
    *,
    actor: Any,
    unit: Unit,
    year: int,
    criterion_code: str,
    verdict: str,
    reason: str,
    override: bool = False,
    today: dt.date | None = None,
) -> CriterionJudgement:
    """A meeting's verdict on a criterion the law leaves to it, or (``override``) a person's
    replacement of a computed verdict. The newest row per criterion is in force."""
    _require(actor, Action.JUDGE, unit)
    today = today or timezone.localdate()
    if unit.kind not in validation.ELIGIBLE_KINDS:
        raise ValidationError(_("Đơn vị này không thuộc đối tượng xét công nhận."))
    if problem := check_year(unit, year, today):
        raise ValidationError(problem)
    errors: dict[str, str] = {}
    codes = judgeable_codes(unit, year)
    criterion_code = criterion_code.strip()
    if criterion_code not in codes:
        cset = registry().for_year(unit.kind, year)
        errors["criterion_code"] = _(
            "Tiêu chí “%(code)s” không có trong bộ tiêu chí %(set)s áp dụng cho %(kind)s năm "
            "%(year)s."
        ) % {
            "code": criterion_code,
            "set": cset.short_title,
            "kind": KIND_LABELS.get(unit.kind, unit.kind),
            "year": year,
        }
    elif not override and not codes[criterion_code][1]:
        errors["override"] = _(
            "Tiêu chí %(code)s được tính từ số liệu và sổ vụ việc. Muốn thay kết quả tính toán, "
            "hãy chọn “Điều chỉnh kết quả tính toán” và ghi rõ lý do."
        ) % {"code": criterion_code}
    if verdict not in JudgementVerdict.values:
        errors["verdict"] = _("Kết luận phải là “Đạt” hoặc “Không đạt”.")
    if not (reason or "").strip():
        errors["reason"] = (
            _("Phải ghi lý do điều chỉnh kết quả tính toán (căn cứ, biên bản).")
            if override
            else _("Phải ghi lý do của kết luận (căn cứ, biên bản cuộc họp).")
        )
    elif len(reason.strip()) > validation.MAX_TEXT["reason"]:
        errors["reason"] = _("Lý do dài quá %(n)s ký tự.") % {"n": validation.MAX_TEXT["reason"]}
    if errors:
        raise ValidationError(errors)
    previous = current_judgements(unit, year).get(criterion_code)
    judgement = CriterionJudgement.objects.create(
        unit=unit,
        year=year,
        criterion_code=criterion_code,
        verdict=verdict,
        reason=reason.strip(),
        override=override,
        recorded_by=_user(actor),
    )

    def state(j: CriterionJudgement | None) -> dict[str, Any]:
        return (
            {} if j is None else {"verdict": j.verdict, "override": j.override, "reason": j.reason}
        )

    audit.record(
        actor=actor,
        verb="judgement.record",
        obj=judgement,
        unit_path=unit.path,
        changes={
            "year": year,
            "criterion_code": criterion_code,
            "supersedes": previous.pk if previous is not None else None,
            **audit.diff(state(previous), state(judgement)),
        },
    )
    return judgement


def current_judgements(unit: Unit, year: int) -> dict[str, CriterionJudgement]:
    """The verdict in force per criterion code: the newest row (one query)."""
    rows = (
        CriterionJudgement.objects.filter(unit=unit, year=year)
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
    )
    return {row.criterion_code: row for row in rows}
