"""Deciding many appraised units at once, and one decision's page: its units, certificates,
documents and annulment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from antt.core.scoping import get_visible_or_404
from antt.jobs.models import Job
from antt.jobs.services import enqueue_job, inline_certificates
from antt.recognition import services, workflow, worklist
from antt.recognition.forms_cycle import (
    AnnulForm,
    CertifyForm,
    DecideForm,
    attach_errors,
    chosen_results,
)
from antt.recognition.models import (
    Assessment,
    Certificate,
    Decision,
    Document,
    DossierReview,
    Registration,
    Result,
)
from antt.recognition.views_cycle.common import (
    CONFLICT,
    check_year,
    download_url,
    explain,
    optional,
    page_query,
    status_of,
    today,
    year_choices,
)
from antt.recognition.workflow import Action, Side, State
from antt.units.models import Unit

__all__ = [
    "PROPOSAL",
    "decision_annul",
    "decision_certify",
    "decision_create",
    "decision_detail",
    "decision_documents",
]

DECIDE_PAGE_SIZE = 200
RESULT_LABELS = dict(Result.choices)

# services.proposal_of, in SQL: the latest appraisal's proposal, else the current meeting's
# result, else "not met".
PROPOSAL = Coalesce(
    NullIf(
        Subquery(
            DossierReview.objects.filter(
                registration=OuterRef("pk"), outcome=DossierReview.Outcome.APPRAISED
            )
            .order_by("-reviewed_at", "-id")
            .values("proposal")[:1]
        ),
        Value(""),
    ),
    Subquery(
        Assessment.objects.filter(registration=OuterRef("pk"))
        .order_by("-recorded_at", "-id")
        .values("result")[:1]
    ),
    Value(Result.NOT_MET),
    output_field=CharField(),
)


def _is_decider(user: Any) -> bool:
    return bool(
        user.is_superuser
        or any(g.role in workflow.ROLES_FOR_SIDE[Side.DECIDER] for g in user.grants())
    )


def _candidates(request: HttpRequest, year: int) -> Any:
    """Annotated with ``body_path`` (typed Any: the annotation is not a model field)."""
    return (
        worklist.registrations(request.user, year)
        .filter(state=State.APPRAISED)
        .filter(worklist.acting_q(request.user, Action.DECIDE_MET))
    )


@dataclass
class Body:
    key: str  # the unit's pk, or "ministry"
    path: str
    unit: Unit | None
    bodies: str  # the deciding bodies' names as the authority rules give them
    count: int

    @property
    def name(self) -> str:
        if self.unit is None:
            return _("Bộ Công an hoặc chưa xác định")
        return self.unit.name


def _bodies(request: HttpRequest, candidates: Any) -> list[Body]:
    grouped: dict[str, tuple[set[str], int]] = {}
    for path, deciding_body, n in (
        candidates.order_by()
        .values_list("body_path", "authority__deciding_body")
        .annotate(n=Count("pk"))
    ):
        names, total = grouped.get(path, (set(), 0))
        names.add(deciding_body or "")
        grouped[path] = (names, total + n)
    units = {
        u.path: u for u in Unit.objects.visible_to(request.user).filter(path__in=list(grouped))
    }
    out = []
    for path, (names, n) in grouped.items():
        unit = units.get(path)
        key = str(unit.pk) if unit is not None else "ministry"
        out.append(Body(key, path, unit, ", ".join(sorted(x for x in names if x)), n))
    return sorted(out, key=lambda b: (b.unit is None, b.path))


@dataclass
class Row:
    line: worklist.Line
    proposal_label: str
    result: str  # what the select shows: the posted choice, else the proposal

    @property
    def reg(self) -> Registration:
        return self.line.reg


def _proposal(reg: Registration) -> str:
    return str(getattr(reg, "proposal", Result.NOT_MET))


def _rows(regs: Sequence[Registration], posted: dict[int, str]) -> list[Row]:
    now = today()
    return [
        Row(
            worklist.line(reg, now),
            str(RESULT_LABELS.get(_proposal(reg), _proposal(reg))),
            posted.get(reg.pk, _proposal(reg)),
        )
        for reg in regs
    ]


@login_required
def decision_create(request: HttpRequest, year: int) -> HttpResponse:
    """The appraised dossiers I may decide, one deciding body at a time (a decision is one
    body's act), up to 200 a page, or every matching one at once."""
    check_year(year)
    candidates = _candidates(request, year)
    bodies = _bodies(request, candidates)
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("body", "")
    body = next((b for b in bodies if b.key == chosen), None)
    if body is None and len(bodies) == 1 and not chosen:
        body = bodies[0]
    form = DecideForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    posted: dict[int, str] = {}
    selected: set[int] = set()

    if request.method == "POST":
        if not _is_decider(request.user):
            raise PermissionDenied
        page_ids = [int(x) for x in request.POST.getlist("row") if x.isdigit()]
        posted = chosen_results(request.POST, page_ids)
        selected = {int(x) for x in request.POST.getlist("selected") if x.isdigit()}
        every = request.POST.get("all_matching") == "1"
        if selected:
            scope = candidates.filter(body_path=body.path) if body is not None else candidates
            error = _unavailable(request, year, selected, scope)
            status = CONFLICT if error else 200
        if error:
            pass  # the stale selection is reported as it is; nothing is decided
        elif body is None:
            error = _("Hãy chọn cơ quan quyết định.")
        elif not every and not selected:
            error = _("Chưa chọn đơn vị nào để quyết định.")
        elif form.is_valid():
            error, status, decision = _decide(request, year, body, form, selected, every, posted)
            if decision is not None:
                return redirect("cycle:decision-detail", pk=decision.pk)

    context: dict[str, Any] = {
        "year": year,
        "years": year_choices(),
        "bodies": bodies,
        "body": body,
        "form": form,
        "error": error,
        "is_decider": _is_decider(request.user),
        "selected": selected,
        "all_matching": request.POST.get("all_matching") == "1",
    }
    if body is not None:
        regs = (
            candidates.filter(body_path=body.path)
            .annotate(proposal=PROPOSAL)
            .select_related("unit", "commune", "authority")
            .order_by("commune__name", "unit__code", "pk")
        )
        page = Paginator(regs, DECIDE_PAGE_SIZE).get_page(source.get("page"))
        context.update(
            page=page,
            rows=_rows(list(page), posted),
            page_query=page_query(request),
        )
    return render(request, "recognition/cycle/decision_create.html", context, status=status)


def _unavailable(request: HttpRequest, year: int, selected: set[int], scope: Any) -> str:
    """Why some selected rows cannot be decided: outside the jurisdiction (404), not mine to
    decide (403), or no longer waiting (someone else acted: a message)."""
    missing = selected - set(scope.filter(pk__in=selected).values_list("pk", flat=True))
    if not missing:
        return ""
    seen = list(
        worklist.registrations(request.user, year).filter(pk__in=missing).select_related("unit")
    )
    if len(seen) < len(missing):
        raise Http404
    if any(not worklist.may(request.user, Action.DECIDE_MET, r) for r in seen):
        raise PermissionDenied
    return _(
        "%(n)s hồ sơ đã chọn vừa được người khác xử lý (không còn ở trạng thái chờ quyết định): "
        "%(units)s. Hãy tải lại trang rồi chọn lại."
    ) % {"n": len(seen), "units": ", ".join(r.unit.name for r in seen)}


def _decide(
    request: HttpRequest,
    year: int,
    body: Body,
    form: DecideForm,
    selected: set[int],
    every: bool,
    posted: dict[int, str],
) -> tuple[str, int, Decision | None]:
    mine = _candidates(request, year).filter(body_path=body.path)
    if every:
        regs = list(mine.annotate(proposal=PROPOSAL).select_related("unit", "authority"))
    else:
        regs = list(
            mine.filter(pk__in=selected)
            .annotate(proposal=PROPOSAL)
            .select_related("unit", "authority")
        )
    data = form.cleaned_data
    number = data["number"].strip()
    taken = Decision.objects.visible_to(request.user).filter(
        issuing_unit__path=body.path, number=number
    )
    if body.unit is not None and taken.exists():
        form.add_error("number", _("Số quyết định này đã được dùng cho một quyết định khác."))
        return "", 200, None
    results = {r.pk: posted.get(r.pk, _proposal(r)) for r in regs}
    try:
        decision = services.decide(
            actor=request.user,
            registrations=regs,
            number=number,
            signed_on=data["signed_on"],
            signer_name=data["signer_name"],
            results=results,
        )
    except IntegrityError:
        form.add_error("number", _("Số quyết định này đã được dùng cho một quyết định khác."))
        return "", 200, None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):  # a field of the form: shown next to it
            attach_errors(form, exc)
            return "", 200, None
        return explain(exc), status_of(exc), None
    except (PermissionDenied, workflow.TransitionError) as exc:
        return explain(exc), status_of(exc), None
    met = sum(1 for v in results.values() if v == Result.MET)
    messages.success(
        request,
        _("Đã ban hành quyết định %(number)s: %(n)s đơn vị, %(met)s đơn vị được công nhận.")
        % {"number": decision.number, "n": len(regs), "met": met},
    )
    late = [r for r in regs if (d := services.deadline(r)) is not None and data["signed_on"] >= d]
    if late:
        messages.warning(
            request,
            _(
                "Lưu ý: %(n)s đơn vị được quyết định sau hạn (quyết định phải ban hành trước "
                "ngày %(day)s). Quyết định vẫn được ghi nhận."
            )
            % {"n": len(late), "day": services.deadline(late[0]).strftime("%d/%m/%Y")},  # type: ignore[union-attr]
        )
    return "", 200, decision


# ---------------------------------------------------------------- one decision


def _decision(request: HttpRequest, pk: int) -> Decision:
    return get_visible_or_404(
        Decision.objects.select_related("issuing_unit", "created_by"), request.user, pk=pk
    )


def _may(request: HttpRequest, decision: Decision, action: Action) -> bool:
    user: Any = request.user
    if user.is_superuser:
        return True
    path = decision.issuing_unit.path
    return workflow.can(user.grants(), action, unit_path=path, body_path=path)


def _decision_context(request: HttpRequest, decision: Decision, **extra: Any) -> dict[str, Any]:
    items = list(
        decision.items.select_related(
            "registration__unit", "registration__commune", "registration__authority"
        ).order_by("registration__commune__name", "registration__unit__code")
    )
    certificates = {
        c.registration_id: c
        for c in Certificate.objects.visible_to(request.user).filter(decision=decision)
    }
    documents = list(
        Document.objects.visible_to(request.user).filter(decision=decision).order_by("kind", "id")
    )
    for d in documents:
        d.download = download_url(d.pk)  # type: ignore[attr-defined]
    valid = decision.status == Decision.Status.VALID
    pending = [
        i for i in items if i.result == Result.MET and i.registration.state == State.DECIDED_MET
    ]
    now = today()
    rows = [
        (i, certificates.get(i.registration_id), worklist.line(i.registration, now)) for i in items
    ]
    may_certify = _may(request, decision, Action.CERTIFY)
    may_annul = _may(request, decision, Action.ANNUL)
    certificate_job = _certificate_job(request, decision)
    context: dict[str, Any] = {
        "certificate_job": certificate_job,
        "certify_in_background": len(pending) > inline_certificates(),
        "decision": decision,
        "rows": rows,
        "met": sum(1 for i in items if i.result == Result.MET),
        "documents": documents,
        "pending": len(pending),
        "can_certify": valid and may_certify and bool(pending) and certificate_job is None,
        "can_annul": valid and may_annul,
        "can_generate": valid
        and may_certify
        and optional("documents", "generate_decision_documents") is not None,
        "certify_form": CertifyForm(initial={"issued_on": now}),
        "annul_form": AnnulForm(initial={"annulled_on": now}),
        "error": "",
    }
    context.update(extra)
    return context


def _decision_page(
    request: HttpRequest, decision: Decision, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "recognition/cycle/decision_detail.html",
        _decision_context(request, decision, **extra),
        status=status,
    )


def _certificate_job(request: HttpRequest, decision: Decision) -> Job | None:
    """The background job issuing this decision's certificates, while it is queued or running."""
    return (
        Job.objects.visible_to(request.user)
        .filter(
            kind=Job.Kind.ISSUE_CERTIFICATES,
            params__decision=decision.pk,
            status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
        )
        .first()
    )


def _enqueue_certificates(
    request: HttpRequest, decision: Decision, issued_on: Any, count: int
) -> HttpResponse:
    """Many certificates (numbers, then one PDF each) are issued by a job; one at a time."""
    job = _certificate_job(request, decision) or enqueue_job(
        actor=request.user,
        kind=Job.Kind.ISSUE_CERTIFICATES,
        title=_("Cấp %(n)s giấy công nhận theo quyết định số %(number)s")
        % {"n": count, "number": decision.number},
        unit=decision.issuing_unit,
        params={"decision": decision.pk, "issued_on": issued_on.isoformat()},
    )
    return redirect("jobs:job-detail", pk=job.pk)


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_page(request, _decision(request, pk))


@login_required
@require_POST
def decision_certify(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not _may(request, decision, Action.CERTIFY):
        return _decision_page(
            request, decision, 403, error=_("Bạn không có thẩm quyền cấp giấy công nhận.")
        )
    form = CertifyForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, decision, certify_form=form)
    pending = decision.items.filter(
        result=Result.MET, registration__state=State.DECIDED_MET
    ).count()
    if pending > inline_certificates():
        return _enqueue_certificates(request, decision, form.cleaned_data["issued_on"], pending)
    issue = optional("documents", "issue_certificates_with_documents")
    try:
        if issue is not None:
            issued = issue(
                actor=request.user, decision=decision, issued_on=form.cleaned_data["issued_on"]
            )
        else:
            issued = services.issue_certificates(
                actor=request.user, decision=decision, issued_on=form.cleaned_data["issued_on"]
            )
    except (ValidationError, PermissionDenied, workflow.TransitionError) as exc:
        return _decision_page(
            request, decision, status_of(exc), error=explain(exc), certify_form=form
        )
    count = len(issued) if isinstance(issued, list | tuple) else None
    if count is None:
        messages.success(request, _("Đã cấp giấy công nhận."))
    else:
        messages.success(request, _("Đã cấp %(n)s giấy công nhận.") % {"n": count})
    return redirect("cycle:decision-detail", pk=decision.pk)


@login_required
@require_POST
def decision_annul(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not _may(request, decision, Action.ANNUL):
        return _decision_page(
            request, decision, 403, error=_("Bạn không có thẩm quyền hủy bỏ quyết định này.")
        )
    form = AnnulForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, decision, annul_form=form, open_annul=True)
    data = form.cleaned_data
    try:
        services.annul_decision(
            actor=request.user,
            decision=decision,
            reason=data["reason"],
            reference=data["reference"],
            annulled_on=data["annulled_on"],
        )
    except (ValidationError, PermissionDenied, workflow.TransitionError) as exc:
        return _decision_page(
            request,
            decision,
            status_of(exc),
            error=explain(exc),
            annul_form=form,
            open_annul=True,
        )
    messages.success(request, _("Đã hủy bỏ quyết định %(number)s.") % {"number": decision.number})
    return redirect("cycle:decision-detail", pk=decision.pk)


@login_required
@require_POST
def decision_documents(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    generate = optional("documents", "generate_decision_documents")
    if generate is None:
        raise Http404
    if not _may(request, decision, Action.CERTIFY):
        return _decision_page(
            request, decision, 403, error=_("Bạn không có thẩm quyền lập văn bản quyết định.")
        )
    try:
        generate(actor=request.user, decision=decision)
    except (ValidationError, PermissionDenied) as exc:
        return _decision_page(request, decision, status_of(exc), error=explain(exc))
    messages.success(request, _("Đã tạo văn bản quyết định."))
    return redirect("cycle:decision-detail", pk=decision.pk)
