"""One registration: its authority, history, frozen evaluation, what changed since a return,
and the actions the user may take now (meeting, dossier, documents, return, appraisal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from antt.core.models import AuditEvent
from antt.core.scoping import get_visible_or_404
from antt.recognition import services, workflow, worklist
from antt.recognition.evaluation import evaluate_unit
from antt.recognition.forms_cycle import (
    AppraiseForm,
    AssessmentForm,
    ReturnForm,
    UploadForm,
)
from antt.recognition.models import (
    Assessment,
    Decision,
    Document,
    DossierReview,
    Registration,
    Result,
)
from antt.recognition.views_cycle.common import (
    CONFLICT,
    download_url,
    explain,
    optional,
    stale_message,
    status_of,
    today,
)
from antt.recognition.workflow import ACTION_LABELS, STATE_LABELS, Action, State
from antt.standards.catalog import registry
from antt.standards.rules import VERDICT_LABELS

__all__ = [
    "registration_appraise",
    "registration_assess",
    "registration_detail",
    "registration_generate",
    "registration_return",
    "registration_submit",
    "registration_upload",
]

# Not colour only: every verdict has its sign and its words.
VERDICTS: dict[str, tuple[str, str]] = {
    "met": ("✓", "đạt"),
    "not_met": ("✗", "không đạt"),
    "needs_judgement": ("…", "chờ đánh giá"),
    "missing_data": ("?", "thiếu số liệu"),
}
RESULT_LABELS = dict(Result.choices)
ROLE_LABELS = {
    role: label for roles in services.MEETING_ROLES.values() for role, label in roles.items()
}


def _registration(request: HttpRequest, pk: int) -> Registration:
    return get_visible_or_404(
        Registration.objects.annotate(body_path=worklist.BODY_PATH).select_related(
            "unit__parent", "authority", "commune", "province", "district", "created_by"
        ),
        request.user,
        pk=pk,
    )


def _allowed(request: HttpRequest, reg: Registration, action: Action) -> bool:
    """My roles allow it here, and the state permits it now."""
    return (State(reg.state), action) in workflow.TRANSITIONS and worklist.may(
        request.user, action, reg
    )


# ---------------------------------------------------------------- the frozen evaluation


@dataclass
class EvalRow:
    code: str
    verdict: str
    icon: str
    label: str
    explanation: str
    reference: str
    text: str
    depth: int
    judgement: dict[str, Any] | None = None
    via: str = ""
    points: list[EvalRow] = field(default_factory=list)

    def walk(self) -> list[EvalRow]:
        out = [self]
        for point in self.points:
            out.extend(point.walk())
        return out


def eval_rows(evaluation: dict[str, Any]) -> list[EvalRow]:
    cset = registry().sets.get(evaluation.get("standard", ""))

    def text_of(code: str) -> str:
        if cset is None:
            return ""
        try:
            return cset.node(code).text
        except KeyError:
            return ""

    def row(node: dict[str, Any], depth: int) -> EvalRow:
        verdict = node.get("verdict", "")
        icon, label = VERDICTS.get(verdict, ("", verdict))
        prefix = f"{node['code']} {VERDICT_LABELS.get(verdict, verdict)}: "
        return EvalRow(
            code=node["code"],
            verdict=verdict,
            icon=icon,
            label=label,
            explanation=node.get("explanation", "").removeprefix(prefix),
            reference=node.get("reference", ""),
            text=text_of(node["code"]),
            depth=depth,
            judgement=node.get("judgement"),
            via=node.get("via", ""),
            points=[row(p, depth + 1) for p in node.get("points", [])],
        )

    return [row(node, 0) for node in evaluation.get("criteria", [])]


def _flat(evaluation: dict[str, Any]) -> dict[str, EvalRow]:
    return {r.code: r for top in eval_rows(evaluation) for r in top.walk()}


# ---------------------------------------------------------------- what changed since a return


@dataclass
class Change:
    code: str
    before: EvalRow | None
    after: EvalRow | None
    reason: str

    @property
    def verdict_changed(self) -> bool:
        return (self.before.verdict if self.before else None) != (
            self.after.verdict if self.after else None
        )


@dataclass
class SinceReturn:
    review: DossierReview
    new_meeting: bool
    changes: list[Change]
    unchanged_reasons: list[tuple[str, str]]  # criteria given a reason that did not change
    documents: list[Document]


def since_return(
    assessments: list[Assessment], reviews: list[DossierReview], documents: list[Document]
) -> SinceReturn | None:
    """Compare the current assessment with the one the standing office returned."""
    returns = [r for r in reviews if r.outcome == DossierReview.Outcome.RETURNED]
    if not returns:
        return None
    last = max(returns, key=lambda r: (r.reviewed_at, r.pk))
    ordered = sorted(assessments, key=lambda a: (a.recorded_at, a.pk))
    before = [a for a in ordered if a.recorded_at <= last.reviewed_at]
    old = before[-1] if before else None
    new = ordered[-1] if ordered else None
    reasons = dict(last.reasons or {})
    changes: list[Change] = []
    if old is not None and new is not None and new.pk != old.pk:
        was, now = _flat(old.evaluation), _flat(new.evaluation)
        for code in list(now) + [c for c in was if c not in now]:
            a, b = was.get(code), now.get(code)
            if a and b and (a.verdict, a.explanation) == (b.verdict, b.explanation):
                continue
            changes.append(Change(code, a, b, reasons.get(code, "")))
    changed = {c.code for c in changes}
    return SinceReturn(
        review=last,
        new_meeting=new is not None and (old is None or new.pk != old.pk),
        changes=changes,
        unchanged_reasons=[(c, t) for c, t in reasons.items() if c not in changed],
        documents=[d for d in documents if d.created_at > last.reviewed_at],
    )


# ---------------------------------------------------------------- the history


@dataclass
class Event:
    when: dt.datetime
    kind: str
    title: str
    actor: str = ""
    obj: Any = None
    link: bool = False  # the decision is visible to the user: link to its page


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _who(user: Any) -> str:
    return str(user) if user is not None else ""


def history(
    request: HttpRequest,
    reg: Registration,
    assessments: list[Assessment],
    reviews: list[DossierReview],
) -> list[Event]:
    """From the rows themselves (meetings, reviews, decisions, certificates) and, for the steps
    that leave no row of their own (submission, certificate, annulment), the audit log."""
    audit = list(
        AuditEvent.objects.visible_to(request.user)
        .filter(object_type="recognition.registration", object_id=str(reg.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )
    events = [Event(reg.created_at, "register", _("Đăng ký phấn đấu"), _who(reg.created_by), reg)]
    for a in assessments:
        events.append(Event(a.recorded_at, "assess", _("Họp đánh giá"), _who(a.recorded_by), a))
    for r in reviews:
        title = (
            _("Trả lại hồ sơ") if r.outcome == DossierReview.Outcome.RETURNED else _("Thẩm định")
        )
        events.append(Event(r.reviewed_at, r.outcome, title, _who(r.reviewed_by), r))
    for e in audit:
        if e.verb == "registration.submit":
            events.append(
                Event(
                    e.created_at,
                    "submit",
                    _("Gửi hồ sơ đề nghị công nhận"),
                    _who(e.actor) or e.actor_label,
                )
            )
    items = list(
        reg.decision_items.select_related("decision__created_by").order_by("decision__created_at")
    )
    visible = set(
        Decision.objects.visible_to(request.user)
        .filter(pk__in=[i.decision_id for i in items])
        .values_list("pk", flat=True)
    )
    for item in items:
        d = item.decision
        events.append(
            Event(
                d.created_at, "decide", _("Quyết định"), _who(d.created_by), item, d.pk in visible
            )
        )
        if d.status == Decision.Status.ANNULLED and d.annulled_on:
            when = next(
                (e.created_at for e in audit if e.verb == "registration.annul"),
                _aware(d.annulled_on),
            )
            events.append(Event(when, "annul", _("Hủy bỏ quyết định"), "", d, d.pk in visible))
    certify = [e for e in audit if e.verb == "registration.certify"]
    for i, cert in enumerate(reg.certificates.order_by("id")):
        when = certify[i].created_at if i < len(certify) else _aware(cert.issued_on)
        events.append(Event(when, "certify", _("Cấp giấy công nhận"), "", cert))
    events.sort(key=lambda e: e.when)
    return events


# ---------------------------------------------------------------- the page


def _documents(request: HttpRequest, reg: Registration) -> list[Document]:
    docs = list(
        Document.objects.visible_to(request.user)
        .filter(registration=reg)
        .select_related("created_by")
        .order_by("created_at", "id")
    )
    for d in docs:
        d.download = download_url(d.pk)  # type: ignore[attr-defined]
    return docs


def _current_decision(request: HttpRequest, reg: Registration) -> Decision | None:
    """The latest decision naming the unit, when the user may open it."""
    return (
        Decision.objects.visible_to(request.user)
        .filter(items__registration=reg)
        .order_by("-created_at", "-id")
        .first()
    )


def _context(request: HttpRequest, reg: Registration, **extra: Any) -> dict[str, Any]:
    assessments = list(reg.assessments.select_related("recorded_by").order_by("recorded_at", "id"))
    reviews = list(reg.reviews.select_related("reviewed_by").order_by("reviewed_at", "id"))
    documents = _documents(request, reg)
    current = assessments[-1] if assessments else None
    may = {a.value: _allowed(request, reg, a) for a in Action}
    unit_side = worklist.may(request.user, Action.SUBMIT, reg)
    editable = reg.state in (State.REGISTERED, State.ASSESSED, State.RETURNED)
    generate = optional("documents", "generate_dossier")
    upload = optional("uploads", "upload_document")
    rule = reg.authority
    cset = registry().sets.get(reg.criteria_set)
    proposal = ""
    if reg.state == State.SUBMITTED and current is not None:
        proposal = current.result if current.result in (Result.MET, Result.NOT_MET) else ""
    context: dict[str, Any] = {
        "reg": reg,
        "unit": reg.unit,
        "state_label": STATE_LABELS[State(reg.state)],
        "result_label": RESULT_LABELS.get(reg.result, reg.result),
        "rule": rule,
        "cset": cset,
        "body": services.body_unit(reg.unit, rule) if rule is not None else None,
        "deadline": services.deadline(reg),
        "timing": worklist.timing(reg, today()),
        "assessment": current,
        "evaluation": eval_rows(current.evaluation) if current else [],
        "participants": [
            {
                "name": p.get("name", ""),
                "role": ROLE_LABELS.get(p.get("role", ""), p.get("role", "")),
            }
            for p in (current.participants if current else [])
        ],
        "events": history(request, reg, assessments, reviews),
        "decision": _current_decision(request, reg),
        "since_return": since_return(assessments, reviews, documents),
        "documents": documents,
        "may": may,
        "any_action": any(may.values()),
        "can_generate": bool(
            generate and unit_side and reg.state in (State.ASSESSED, State.RETURNED)
        ),
        "can_upload": bool(upload and unit_side and editable),
        "appraise_form": AppraiseForm(initial={"version": reg.version, "proposal": proposal}),
        "upload_form": UploadForm(),
        "error": "",
        "action_labels": ACTION_LABELS,
    }
    context.update(extra)
    return context


@login_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    return render(request, "recognition/cycle/registration_detail.html", _context(request, reg))


def _refusal(request: HttpRequest, reg: Registration, action: Action) -> tuple[str, int] | None:
    """Why the POST cannot go to the service: no right here (403), a stale page or a state
    that no longer permits the step (409)."""
    if not worklist.may(request.user, action, reg):
        return (
            _("Bạn không có thẩm quyền %(action)s cho %(unit)s.")
            % {"action": ACTION_LABELS[action], "unit": reg.unit.name},
            403,
        )
    posted = request.POST.get("version", "")
    if posted.isdigit() and int(posted) != reg.version:
        return stale_message(reg), CONFLICT
    if (State(reg.state), action) not in workflow.TRANSITIONS:
        return stale_message(reg), CONFLICT
    return None


def _run(call: Callable[[], Any]) -> tuple[Any, str, int]:
    try:
        return call(), "", 200
    except (ValidationError, PermissionDenied, workflow.TransitionError) as exc:
        return None, explain(exc), status_of(exc)


def _detail_error(
    request: HttpRequest, reg: Registration, error: str, status: int, **extra: Any
) -> HttpResponse:
    context = _context(request, reg, error=error, **extra)
    return render(request, "recognition/cycle/registration_detail.html", context, status=status)


def _done(request: HttpRequest, reg: Registration, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("cycle:registration-detail", pk=reg.pk)


# ---------------------------------------------------------------- the unit's side


def _meeting_preview(reg: Registration) -> dict[str, Any]:
    """The engine's verdicts on what is recorded now: the meeting will freeze them."""
    try:
        ev = evaluate_unit(reg.unit, reg.year)
    except ValueError:
        return {}
    waiting = [
        n.code
        for top in ev.criteria
        for n in top.walk()
        if n.verdict in ("needs_judgement", "missing_data") and not n.children
    ]
    return {"preview_result": ev.result, "preview_waiting": waiting}


@login_required
def registration_assess(request: HttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    status, error = 200, ""
    if request.method == "POST":
        form = AssessmentForm(request.POST, unit_kind=reg.unit_kind)
        refusal = _refusal(request, reg, Action.ASSESS)
        if refusal:
            error, status = refusal
        elif form.is_valid():
            data = form.cleaned_data
            _result, error, status = _run(
                lambda: services.record_assessment(
                    actor=request.user,
                    registration=reg,
                    held_on=data["held_on"],
                    chair=data["chair"],
                    participants=form.participants(),
                    mode=data["mode"],
                    conclusion=data["conclusion"],
                )
            )
            if not error:
                return _done(
                    request,
                    reg,
                    _("Đã ghi nhận cuộc họp đánh giá; kết quả theo tiêu chí đã được chốt."),
                )
    else:
        if not _allowed(request, reg, Action.ASSESS):
            raise PermissionDenied
        form = AssessmentForm(
            unit_kind=reg.unit_kind,
            initial={"version": reg.version, "held_on": today(), "mode": Assessment.Mode.MEETING},
        )
    context = {"reg": reg, "unit": reg.unit, "form": form, "error": error}
    context.update(_meeting_preview(reg))
    return render(request, "recognition/cycle/registration_assess.html", context, status=status)


@login_required
@require_POST
def registration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    refusal = _refusal(request, reg, Action.SUBMIT)
    if refusal:
        return _detail_error(request, reg, *refusal)
    _result, error, status = _run(
        lambda: services.submit_dossier(actor=request.user, registration=reg)
    )
    if error:
        return _detail_error(request, reg, error, status)
    return _done(request, reg, _("Đã gửi hồ sơ đề nghị công nhận."))


@login_required
@require_POST
def registration_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Tờ trình, báo cáo kết quả, biên bản: made by the documents module when it exists."""
    reg = _registration(request, pk)
    generate = optional("documents", "generate_dossier")
    if generate is None:
        raise Http404
    if not worklist.may(request.user, Action.SUBMIT, reg):
        return _detail_error(
            request,
            reg,
            _("Bạn không có thẩm quyền lập hồ sơ cho %(unit)s.") % {"unit": reg.unit.name},
            403,
        )
    _result, error, status = _run(lambda: generate(actor=request.user, registration=reg))
    if error:
        return _detail_error(request, reg, error, status)
    return _done(request, reg, _("Đã tạo tờ trình, báo cáo kết quả và biên bản họp."))


@login_required
@require_POST
def registration_upload(request: HttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    upload = optional("uploads", "upload_document")
    if upload is None:
        raise Http404
    if not worklist.may(request.user, Action.SUBMIT, reg):
        return _detail_error(
            request,
            reg,
            _("Bạn không có thẩm quyền bổ sung tài liệu cho %(unit)s.") % {"unit": reg.unit.name},
            403,
        )
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_error(
            request, reg, _("Chưa tải lên: hãy chọn loại tài liệu và tệp."), 200, upload_form=form
        )
    _result, error, status = _run(
        lambda: upload(
            actor=request.user,
            registration=reg,
            kind=form.cleaned_data["kind"],
            uploaded_file=form.cleaned_data["file"],
        )
    )
    if error:
        return _detail_error(request, reg, error, status, upload_form=form)
    return _done(request, reg, _("Đã tải lên tài liệu."))


# ---------------------------------------------------------------- the standing office


def _criteria(reg: Registration) -> tuple[list[EvalRow], list[tuple[str, str]]]:
    current = services.current_assessment(reg)
    rows = eval_rows(current.evaluation) if current else []
    labels = [(r.code, f"{r.code} ({r.label})") for top in rows for r in top.walk()]
    return rows, labels


@login_required
def registration_return(request: HttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    rows, labels = _criteria(reg)
    status, error = 200, ""
    if request.method == "POST":
        form = ReturnForm(request.POST, criteria=labels)
        refusal = _refusal(request, reg, Action.RETURN)
        if refusal:
            error, status = refusal
        elif form.is_valid():
            _result, error, status = _run(
                lambda: services.return_dossier(
                    actor=request.user,
                    registration=reg,
                    reasons=form.reasons(),
                    note=form.cleaned_data["note"],
                )
            )
            if not error:
                return _done(request, reg, _("Đã trả lại hồ sơ kèm lý do."))
            if status == 200:
                form.add_error(None, error)
                error = ""
    else:
        if not _allowed(request, reg, Action.RETURN):
            raise PermissionDenied
        form = ReturnForm(criteria=labels, initial={"version": reg.version})
    blocks = [
        (
            top,
            form.reason_bound(top.code),
            [(p, form.reason_bound(p.code)) for point in top.points for p in point.walk()],
        )
        for top in rows
    ]
    context = {"reg": reg, "unit": reg.unit, "form": form, "blocks": blocks, "error": error}
    return render(request, "recognition/cycle/registration_return.html", context, status=status)


@login_required
@require_POST
def registration_appraise(request: HttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    form = AppraiseForm(request.POST)
    refusal = _refusal(request, reg, Action.APPRAISE)
    if refusal:
        return _detail_error(request, reg, *refusal, appraise_form=form)
    if not form.is_valid():
        return _detail_error(
            request,
            reg,
            _("Chưa thẩm định: hãy chọn đề xuất đạt hoặc chưa đạt."),
            200,
            appraise_form=form,
        )
    data = form.cleaned_data
    _result, error, status = _run(
        lambda: services.appraise_dossier(
            actor=request.user,
            registration=reg,
            proposal=data["proposal"],
            note=data["note"],
            mode=data["mode"],
        )
    )
    if error:
        return _detail_error(request, reg, error, status, appraise_form=form)
    return _done(request, reg, _("Đã thẩm định hồ sơ, chuyển đề xuất lên người có thẩm quyền."))
