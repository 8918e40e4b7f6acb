"""The write use-cases of the yearly cycle. Each is atomic, re-checks who may act, moves the
registration with a conditional update (the expected state and version must still hold, so two
officers acting at once never lose an update — on SQLite too) and writes the audit log."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.core import audit, faults
from antt.core.models import AuditEvent
from antt.recognition import workflow
from antt.recognition.evaluation import (
    evaluate_unit,
    is_commune_subunit,
    reference_day,
)
from antt.recognition.models import (
    Assessment,
    AuthorityRule,
    Certificate,
    CertificateCounter,
    Decision,
    DecisionItem,
    DossierReview,
    Registration,
    Result,
)
from antt.recognition.workflow import Action, State
from antt.standards.catalog import registry
from antt.units.geography import CurrentPlace, ancestors
from antt.units.models import Unit

ORGANISATIONS = ("agency", "enterprise", "school")

# Art. 9.1: who must sit in the unit's meeting, by unit kind (role codes → Vietnamese).
MEETING_ROLES: dict[str, dict[str, str]] = {
    "residential_area": {
        "party_cell_secretary": "Bí thư chi bộ",
        "front_work_committee": "đại diện Ban Công tác Mặt trận",
        "grassroots_police": "đại diện Công an cấp cơ sở",
    },
    "commune": {},
    "agency": {
        "party_committee": "đại diện cấp ủy",
        "grassroots_police": "đại diện Công an cơ sở",
        "managing_authority": "đại diện cơ quan có thẩm quyền quản lý",
    },
}
MEETING_ROLES["enterprise"] = MEETING_ROLES["agency"]
MEETING_ROLES["school"] = MEETING_ROLES["agency"]


class ConcurrentChange(ValidationError):
    """Someone else moved the registration first; the user must reload and look."""


class InvalidStep(ConcurrentChange):
    """The step is not possible from the registration's state (usually: the page was stale)."""


# ---------------------------------------------------------------- authority


def authority_for(unit: Unit, year: int) -> AuthorityRule | None:
    """The rule in force for ``unit`` in ``year``: its kind and managing level, at the day the
    decisions of that year are due."""
    day = dt.date(year, 11, 1)
    rules = AuthorityRule.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        unit_kind=unit.kind,
    )
    level = unit.managing_level if unit.kind in ORGANISATIONS else ""
    return rules.filter(managing_level=level).first() or rules.filter(managing_level="").first()


def body_unit(unit: Unit, rule: AuthorityRule | None) -> Unit | None:
    """The administrative unit whose bodies appraise and decide (None: the ministry)."""
    if rule is None or rule.deciding_level == "ministry":
        return None
    ids = [int(part) for part in unit.path.strip("/").split("/")]
    ancestors = {u.pk: u for u in Unit.objects.filter(pk__in=ids[:-1])}
    for pk in reversed(ids[:-1]):
        ancestor = ancestors.get(pk)
        if ancestor is not None and ancestor.kind == rule.deciding_level:
            return ancestor
    return None


def body_path(registration: Registration) -> str:
    body = body_unit(registration.unit, registration.authority)
    return body.path if body is not None else "/"


def deadline(registration: Registration) -> dt.date | None:
    """Decisions are due *before* this day (Art. 9.1: “trước ngày 15/11”, “trước ngày 20/11”)."""
    rule = registration.authority
    return rule.deadline(registration.year) if rule is not None else None


# ---------------------------------------------------------------- permission and transitions


def _is_person(actor: Any) -> bool:
    return getattr(actor, "is_authenticated", False) is True


def _check(actor: Any, action: Action, registration: Registration) -> None:
    if not _is_person(actor):
        return  # a named system actor (CLI with no --actor): trusted, still audited
    if actor.is_superuser:
        return
    if not workflow.can(
        actor.grants(), action, unit_path=registration.unit.path, body_path=body_path(registration)
    ):
        raise PermissionDenied(
            _("Bạn không có thẩm quyền %(action)s cho %(unit)s.")
            % {"action": workflow.ACTION_LABELS[action], "unit": registration.unit.name}
        )


def _move(registration: Registration, action: Action, actor: Any, **fields: Any) -> Registration:
    """Apply one transition with a conditional UPDATE; raise ConcurrentChange if we lost."""
    current = State(registration.state)
    try:
        new = workflow.next_state(current, action)
    except workflow.TransitionError as exc:
        raise InvalidStep(str(exc)) from exc
    won = Registration.objects.filter(
        pk=registration.pk, state=current, version=registration.version
    ).update(state=new, version=F("version") + 1, **fields)
    if won != 1:
        fresh = Registration.objects.get(pk=registration.pk)
        raise ConcurrentChange(
            _(
                "Hồ sơ của %(unit)s vừa được người khác cập nhật (hiện ở trạng thái “%(state)s”). "
                "Hãy tải lại trang, xem thay đổi rồi thao tác lại."
            )
            % {"unit": registration.unit.name, "state": workflow.STATE_LABELS[State(fresh.state)]}
        )
    audit.record(
        actor=actor,
        verb=f"registration.{action.value}",
        obj=registration,
        unit_path=registration.unit.path,
        changes={"state": [current.value, new.value], **{k: [None, v] for k, v in fields.items()}},
    )
    registration.refresh_from_db()
    return registration


# ---------------------------------------------------------------- registration


def _new_registration(
    unit: Unit, year: int, actor: Any, places: CurrentPlace | None = None, **extra: Any
) -> Registration:
    if not unit.eligibility.eligible:
        raise ValidationError(
            _("%(unit)s không thuộc đối tượng đăng ký: %(reason)s")
            % {"unit": unit.name, "reason": unit.eligibility.reason}
        )
    chain = ancestors(unit)
    province = chain[0]
    commune = next((u for u in reversed(chain) if u.kind == "commune"), None)
    district = next((u for u in chain if u.kind == "district"), None)
    current_province, current_commune = (places or CurrentPlace()).of(chain)
    return Registration(
        unit=unit,
        year=year,
        state=State.REGISTERED,
        criteria_set=registry().for_year(unit.kind, year).code,
        unit_kind=unit.kind,
        province=province,
        commune=commune,
        district=district,
        current_province=current_province,
        current_commune=current_commune,
        authority=authority_for(unit, year),
        created_by=actor if _is_person(actor) else None,
        **extra,
    )


def _check_register(actor: Any, unit: Unit) -> None:
    if (
        _is_person(actor)
        and not actor.is_superuser
        and not workflow.can_register(actor.grants(), unit.path)
    ):
        raise PermissionDenied(_("Bạn không có quyền đăng ký cho %(unit)s.") % {"unit": unit.name})


@transaction.atomic
def register_unit(
    *,
    actor: Any,
    unit: Unit,
    year: int,
    registered_on: dt.date | None = None,
    households_registered: int | None = None,
) -> Registration:
    _check_register(actor, unit)
    if Registration.objects.filter(unit=unit, year=year).exists():
        raise ValidationError(
            _("%(unit)s đã đăng ký năm %(year)s.") % {"unit": unit.name, "year": year}
        )
    reg = _new_registration(
        unit, year, actor, registered_on=registered_on, households_registered=households_registered
    )
    try:
        with transaction.atomic():
            reg.save()
    except IntegrityError as exc:  # a concurrent registration of the same unit
        raise ConcurrentChange(
            _("%(unit)s vừa được đăng ký năm %(year)s.") % {"unit": unit.name, "year": year}
        ) from exc
    audit.record(
        actor=actor,
        verb="registration.register",
        obj=reg,
        unit_path=unit.path,
        changes={"year": year, "criteria_set": reg.criteria_set},
    )
    return reg


@transaction.atomic
def register_units(
    *, actor: Any, commune: Unit, year: int, registered_on: dt.date | None = None
) -> list[Registration]:
    """Register in one action every eligible residential area and organisation that the commune
    manages and that has not registered yet (Art. 5.4 wants 100% of them)."""
    day = reference_day(year)
    candidates = [
        u
        for u in Unit.objects.filter(parent=commune).valid_on(day).order_by("code")
        if is_commune_subunit(u) and u.eligibility.eligible
    ]
    done = set(
        Registration.objects.filter(year=year, unit__in=candidates).values_list(
            "unit_id", flat=True
        )
    )
    new = []
    places = CurrentPlace()
    for unit in candidates:
        if unit.pk in done:
            continue
        _check_register(actor, unit)
        new.append(_new_registration(unit, year, actor, places, registered_on=registered_on))
    try:
        with transaction.atomic():
            Registration.objects.bulk_create(new, batch_size=500)
    except IntegrityError as exc:
        raise ConcurrentChange(
            _("Một số đơn vị của %(commune)s vừa được người khác đăng ký. Hãy tải lại trang.")
            % {"commune": commune.name}
        ) from exc
    user = actor if _is_person(actor) else None
    label = getattr(actor, "username", "") or str(actor)
    audit.record_many(
        [
            AuditEvent(
                actor=user,
                actor_label=label[:150],
                verb="registration.register",
                object_type="recognition.registration",
                object_id=str(r.pk),
                object_repr=str(r)[:255],
                unit_path=r.unit.path,
                changes={"year": year, "criteria_set": r.criteria_set, "bulk": commune.code},
            )
            for r in new
        ]
    )
    return new


# ---------------------------------------------------------------- the unit's meeting


def _check_participants(
    kind: str, mode: str, chair: str, participants: Sequence[Mapping[str, str]]
) -> None:
    if not chair.strip():
        raise ValidationError(_("Cần ghi tên người chủ trì cuộc họp."))
    if mode != Assessment.Mode.MEETING:
        return
    present = {p.get("role", "") for p in participants if p.get("name", "").strip()}
    missing = [label for role, label in MEETING_ROLES.get(kind, {}).items() if role not in present]
    if missing:
        raise ValidationError(
            _("Thành phần cuộc họp còn thiếu (Điều 9.1 Thông tư 124): %(who)s.")
            % {"who": ", ".join(missing)}
        )


@transaction.atomic
def record_assessment(
    *,
    actor: Any,
    registration: Registration,
    held_on: dt.date,
    chair: str,
    participants: Sequence[Mapping[str, str]] = (),
    mode: str = Assessment.Mode.MEETING,
    conclusion: str = "",
) -> Assessment:
    """The meeting: the engine's verdicts are computed now and frozen into the assessment."""
    _check(actor, Action.ASSESS, registration)
    _check_participants(registration.unit_kind, mode, chair, participants)
    evaluation = evaluate_unit(registration.unit, registration.year)
    if evaluation.result == "pending":
        waiting = [
            n.code
            for top in evaluation.criteria
            for n in top.walk()
            if n.verdict in ("needs_judgement", "missing_data") and not n.children
        ]
        raise ValidationError(
            _(
                "Chưa thể chốt kết quả: còn tiêu chí chờ đánh giá hoặc thiếu số liệu (%(codes)s). "
                "Hãy ghi nhận đánh giá của cuộc họp và bổ sung số liệu trước."
            )
            % {"codes": ", ".join(waiting)}
        )
    assessment = Assessment.objects.create(
        registration=registration,
        mode=mode,
        held_on=held_on,
        chair=chair.strip(),
        participants=list(participants),
        evaluation=evaluation.as_dict(),
        result=evaluation.result,
        conclusion=conclusion,
        recorded_by=actor if _is_person(actor) else None,
    )
    _move(registration, Action.ASSESS, actor)
    return assessment


def current_assessment(registration: Registration) -> Assessment | None:
    return registration.assessments.order_by("-recorded_at", "-id").first()


# ---------------------------------------------------------------- dossier and appraisal


@transaction.atomic
def submit_dossier(*, actor: Any, registration: Registration) -> Registration:
    _check(actor, Action.SUBMIT, registration)
    if current_assessment(registration) is None:
        raise ValidationError(_("Chưa có biên bản họp đánh giá: không thể gửi hồ sơ."))
    return _move(registration, Action.SUBMIT, actor, submitted_at=timezone.now())


@transaction.atomic
def return_dossier(
    *, actor: Any, registration: Registration, reasons: Mapping[str, str], note: str = ""
) -> DossierReview:
    _check(actor, Action.RETURN, registration)
    clean = {code: text.strip() for code, text in reasons.items() if text and text.strip()}
    if not clean and not note.strip():
        raise ValidationError(_("Cần nêu lý do trả lại hồ sơ (theo tiêu chí hoặc ý kiến chung)."))
    review = DossierReview.objects.create(
        registration=registration,
        outcome=DossierReview.Outcome.RETURNED,
        reasons=clean,
        note=note,
        reviewed_by=actor if _is_person(actor) else None,
    )
    _move(registration, Action.RETURN, actor)
    return review


@transaction.atomic
def appraise_dossier(
    *,
    actor: Any,
    registration: Registration,
    proposal: str,
    note: str = "",
    mode: str = Assessment.Mode.MEETING,
) -> DossierReview:
    _check(actor, Action.APPRAISE, registration)
    if proposal not in (Result.MET, Result.NOT_MET):
        raise ValidationError(_("Đề xuất thẩm định phải là “đạt” hoặc “chưa đạt”."))
    review = DossierReview.objects.create(
        registration=registration,
        outcome=DossierReview.Outcome.APPRAISED,
        mode=mode,
        proposal=proposal,
        note=note,
        reviewed_by=actor if _is_person(actor) else None,
    )
    _move(registration, Action.APPRAISE, actor)
    return review


def proposal_of(registration: Registration) -> str:
    review = (
        registration.reviews.filter(outcome=DossierReview.Outcome.APPRAISED)
        .order_by("-reviewed_at", "-id")
        .first()
    )
    if review is not None and review.proposal:
        return review.proposal
    assessment = current_assessment(registration)
    return assessment.result if assessment is not None else Result.NOT_MET


# ---------------------------------------------------------------- decision and certificates


@transaction.atomic
def decide(
    *,
    actor: Any,
    registrations: Sequence[Registration],
    number: str,
    signed_on: dt.date,
    signer_name: str,
    results: Mapping[int, str] | None = None,
) -> Decision:
    """One decision for many appraised units of the same deciding body and year. Each unit's
    result is the appraisal's proposal unless ``results`` (registration id → met/not_met) says
    otherwise. All or nothing."""
    if not registrations:
        raise ValidationError(_("Chưa chọn đơn vị nào để quyết định."))
    if not number.strip() or not signer_name.strip():
        raise ValidationError(_("Cần ghi số quyết định và người ký."))
    years = {r.year for r in registrations}
    bodies = {body_path(r) for r in registrations}
    if len(years) != 1 or len(bodies) != 1:
        raise ValidationError(
            _("Một quyết định chỉ gồm các đơn vị cùng năm và cùng cơ quan có thẩm quyền.")
        )
    first = registrations[0]
    rule = first.authority
    body = body_unit(first.unit, rule)
    if rule is not None and rule.deciding_level == "ministry":
        raise ValidationError(
            _(
                "Quyết định của Bộ Công an (Điều 10.4) được ghi nhận ngoài hệ thống ở phiên bản "
                "này: %(unit)s do Bộ Công an công nhận."
            )
            % {"unit": first.unit.name}
        )
    if rule is None or body is None:
        raise ValidationError(
            _("Chưa xác định được cơ quan có thẩm quyền quyết định cho %(unit)s.")
            % {"unit": first.unit.name}
        )
    bad = {v for v in (results or {}).values() if v not in (Result.MET, Result.NOT_MET)}
    if bad:
        raise ValidationError(
            _("Kết quả quyết định chỉ có thể là “đạt” (met) hoặc “chưa đạt” (not_met).")
        )
    if Decision.objects.filter(issuing_unit=body, number=number.strip()).exists():
        raise ValidationError(
            {
                "number": _("Số quyết định “%(number)s” đã được %(body)s sử dụng.")
                % {"number": number.strip(), "body": body.name}
            }
        )
    decision = Decision.objects.create(
        number=number.strip(),
        signed_on=signed_on,
        year=first.year,
        issuing_unit=body,
        issuing_body=f"{rule.deciding_body} — {body.name}",
        signer_name=signer_name.strip(),
        signer_title=rule.signer_title,
        created_by=actor if _is_person(actor) else None,
    )
    chosen = dict(results or {})
    items = []
    for reg in registrations:
        result = chosen.get(reg.pk) or proposal_of(reg)
        action = Action.DECIDE_MET if result == Result.MET else Action.DECIDE_NOT_MET
        _check(actor, action, reg)
        _move(reg, action, actor, result=result, decided_on=signed_on)
        items.append(DecisionItem(decision=decision, registration=reg, result=result))
        faults.checkpoint("decision.decide", len(items))
    DecisionItem.objects.bulk_create(items)
    late = [r for r in registrations if (d := deadline(r)) is not None and signed_on >= d]
    audit.record(
        actor=actor,
        verb="decision.create",
        obj=decision,
        unit_path=body.path,
        changes={
            "number": decision.number,
            "units": len(items),
            "met": sum(i.result == Result.MET for i in items),
            "late": len(late),  # D7: a late decision is accepted and recorded, never refused
        },
    )
    return decision


def _next_serials(issuing_unit: Unit, year: int, count: int) -> range:
    """Reserve ``count`` consecutive numbers: the counter row is updated inside the caller's
    transaction, so concurrent issuers queue on it and a rollback leaves no gap."""
    CertificateCounter.objects.get_or_create(issuing_unit=issuing_unit, year=year)
    CertificateCounter.objects.filter(issuing_unit=issuing_unit, year=year).update(
        last=F("last") + count
    )
    last = CertificateCounter.objects.get(issuing_unit=issuing_unit, year=year).last
    return range(last - count + 1, last + 1)


def new_verification_code() -> str:
    # 60 bits, no look-alike characters: typed from paper when the QR code cannot be read.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _i in range(12))


@transaction.atomic
def issue_certificates(
    *, actor: Any, decision: Decision, issued_on: dt.date | None = None
) -> list[Certificate]:
    """A certificate for every unit the decision recognised that has none yet."""
    if decision.status != Decision.Status.VALID:
        raise ValidationError(_("Quyết định đã bị hủy bỏ: không thể cấp giấy công nhận."))
    any_item = decision.items.select_related("registration__unit").first()
    if any_item is not None:
        _check(actor, Action.CERTIFY, any_item.registration)
    regs = [
        item.registration
        for item in decision.items.select_related("registration__unit").order_by(
            "registration__unit__name"
        )
        if item.result == Result.MET and item.registration.state == State.DECIDED_MET
    ]
    if not regs:
        return []
    issued_on = issued_on or timezone.localdate()
    serials = _next_serials(decision.issuing_unit, decision.year, len(regs))
    certificates = []
    for reg, serial in zip(regs, serials, strict=True):
        _check(actor, Action.CERTIFY, reg)
        _move(reg, Action.CERTIFY, actor)
        certificates.append(
            Certificate(
                registration=reg,
                decision=decision,
                issuing_unit=decision.issuing_unit,
                year=decision.year,
                serial=serial,
                number=f"{serial}/GCN-ANTT",
                verification_code=new_verification_code(),
                issued_on=issued_on,
            )
        )
        faults.checkpoint("certificates.issue", len(certificates))
    Certificate.objects.bulk_create(certificates)
    audit.record(
        actor=actor,
        verb="certificate.issue",
        obj=decision,
        unit_path=decision.issuing_unit.path,
        changes={"count": len(certificates), "serials": [serials.start, serials.stop - 1]},
    )
    return certificates


@transaction.atomic
def replace_certificate(
    *, actor: Any, certificate: Certificate, reason: str, issued_on: dt.date | None = None
) -> Certificate:
    """A certificate's content never changes after issue: to correct one, it is annulled (with
    the reason) and a new one is issued under the next number of its body and year."""
    reg = certificate.registration
    _check(actor, Action.CERTIFY, reg)
    if not reason.strip():
        raise ValidationError(_("Cần ghi lý do hủy bỏ giấy công nhận để cấp giấy mới."))
    if certificate.decision.status != Decision.Status.VALID:
        raise ValidationError(_("Quyết định đã bị hủy bỏ: không thể cấp giấy công nhận."))
    issued_on = issued_on or timezone.localdate()
    won = Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.VALID).update(
        status=Certificate.Status.ANNULLED, annulled_on=issued_on, annul_reason=reason.strip()
    )
    if won != 1:
        raise ConcurrentChange(_("Giấy công nhận này đã bị hủy bỏ trước đó."))
    (serial,) = _next_serials(certificate.issuing_unit, certificate.year, 1)
    new = Certificate.objects.create(
        registration=reg,
        decision=certificate.decision,
        issuing_unit=certificate.issuing_unit,
        year=certificate.year,
        serial=serial,
        number=f"{serial}/GCN-ANTT",
        verification_code=new_verification_code(),
        issued_on=issued_on,
    )
    audit.record(
        actor=actor,
        verb="certificate.replace",
        obj=new,
        unit_path=reg.unit.path,
        changes={"annulled": certificate.number, "issued": new.number, "reason": reason.strip()},
    )
    return new


@transaction.atomic
def annul_decision(
    *, actor: Any, decision: Decision, reason: str, reference: str, annulled_on: dt.date
) -> Decision:
    """D9: a manual act with a reason and a reference document. The decision, its units' results
    and their certificates are marked annulled; nothing is deleted."""
    if not reason.strip() or not reference.strip():
        raise ValidationError(_("Cần ghi lý do và văn bản hủy bỏ quyết định."))
    won = Decision.objects.filter(pk=decision.pk, status=Decision.Status.VALID).update(
        status=Decision.Status.ANNULLED,
        annulled_on=annulled_on,
        annul_reason=reason.strip(),
        annul_reference=reference.strip(),
    )
    if won != 1:
        raise ConcurrentChange(_("Quyết định này đã bị hủy bỏ trước đó."))
    for item in decision.items.select_related("registration__unit"):
        _check(actor, Action.ANNUL, item.registration)
        _move(item.registration, Action.ANNUL, actor, result=Result.NOT_MET)
    Certificate.objects.filter(decision=decision, status=Certificate.Status.VALID).update(
        status=Certificate.Status.ANNULLED, annulled_on=annulled_on, annul_reason=reason.strip()
    )
    decision.refresh_from_db()
    audit.record(
        actor=actor,
        verb="decision.annul",
        obj=decision,
        unit_path=decision.issuing_unit.path,
        changes={"reason": reason, "reference": reference},
    )
    return decision


def registrations_for(units: Iterable[Unit], year: int) -> dict[int, Registration]:
    return {
        r.unit_id: r
        for r in Registration.objects.filter(unit__in=list(units), year=year).select_related(
            "authority"
        )
    }
