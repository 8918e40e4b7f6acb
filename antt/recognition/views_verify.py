"""Public verification of a certificate (no login): what the QR code on the paper points to.

It answers one question, “is this certificate genuine and still valid?”, and shows only what the
paper itself shows: the unit's name and kind, the year, the certificate's number and date, the
decision (number, date, issuing body, signer) and the status. Nothing else about the unit's
dossier or the people in it: the page is built from ``PublicCertificate``, never from the model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from antt.recognition.documents.layout import deciding_body, group_code, signer_role
from antt.recognition.models import Certificate
from antt.units.models import UnitKind

__all__ = ["verify_code", "verify_form"]

TEMPLATE = "recognition/verify.html"
_CODE = re.compile(r"[A-Z2-9]{12}")  # services.new_verification_code's alphabet and length


@dataclass(frozen=True)
class PublicCertificate:
    unit_name: str
    unit_kind: str
    year: int
    number: str
    issued_on: dt.date
    decision_number: str
    decision_signed_on: dt.date
    issuing_body: str
    signer: str
    valid: bool
    annulled_on: dt.date | None
    code: str


def normalize(code: str) -> str:
    """What a person types from the paper: any case, with dashes or spaces → the stored code,
    or "" when it cannot be one (no query is made for it)."""
    clean = re.sub(r"[\s\-.]", "", code).upper()
    return clean if _CODE.fullmatch(clean) else ""


def public_certificate(code: str) -> PublicCertificate | None:
    # The one deliberate unscoped read: a verification code is the capability to see these
    # few fields, for anyone holding the paper.
    cert = (
        Certificate.objects.select_related("registration__unit", "decision__issuing_unit")
        .filter(verification_code=code)
        .first()
    )
    if cert is None:
        return None
    decision = cert.decision
    _header, body = deciding_body(decision.issuing_body, decision.issuing_unit.name)
    role = signer_role(decision.signer_title)
    return PublicCertificate(
        unit_name=cert.registration.unit.name,
        unit_kind=str(UnitKind(cert.registration.unit_kind).label),
        year=cert.year,
        number=cert.number,
        issued_on=cert.issued_on,
        decision_number=decision.number,
        decision_signed_on=decision.signed_on,
        issuing_body=body,
        signer=f"{role} — {decision.signer_name}",
        valid=cert.status == Certificate.Status.VALID,
        annulled_on=cert.annulled_on,
        code=group_code(cert.verification_code),
    )


def _not_found(request: HttpRequest, typed: str) -> HttpResponse:
    response = render(request, TEMPLATE, {"typed": typed, "not_found": True}, status=404)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code", "").strip()[:64]
    if not typed:
        return render(request, TEMPLATE, {"typed": ""})
    code = normalize(typed)
    if not code:
        return _not_found(request, typed)
    return redirect("verify:certificate-verify", code=code)


@never_cache
@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    normal = normalize(code[:64])
    if normal and normal != code:
        return redirect("verify:certificate-verify", code=normal)
    found = public_certificate(normal) if normal else None
    if found is None:
        return _not_found(request, code[:64])
    response = render(request, TEMPLATE, {"typed": "", "certificate": found})
    response["X-Robots-Tag"] = "noindex"  # a certificate is for whoever holds it, not for search
    return response
