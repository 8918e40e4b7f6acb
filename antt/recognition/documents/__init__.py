"""The cycle's documents: generated (pledge, submission, results report, meeting minutes,
decision, certificates) and stored (``store_document``, also used by uploads).

* ``layout``: pure, values → DOCX/PDF bytes (Decree 30/2020/NĐ-CP layout, embedded Tinos font);
* ``papers``: the wording, gathered from the database;
* here: one function per document (object → bytes) and the services that check who acts,
  render, store and audit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from antt.core import audit, faults
from antt.recognition import services, workflow
from antt.recognition.documents.layout import (
    render_certificate_pages,
    render_certificates,
    render_docx,
    render_pdf,
)
from antt.recognition.documents.papers import (
    Dossier,
    certificates_data,
    decision_paper,
    dossier_data,
    minutes_paper,
    pledge_paper,
    results_report_paper,
    submission_paper,
)
from antt.recognition.models import Assessment, Certificate, Decision, Document, Registration
from antt.recognition.workflow import Action
from antt.units.models import Unit

__all__ = [
    "DOCX_TYPE",
    "EXTENSIONS",
    "JPEG_TYPE",
    "PDF_TYPE",
    "PNG_TYPE",
    "XLSX_TYPE",
    "certificate_pdf",
    "certificates_pdf",
    "decision_docx",
    "decision_pdf",
    "generate_decision_documents",
    "generate_dossier",
    "generate_pledge",
    "issue_certificates_with_documents",
    "minutes_docx",
    "pledge_docx",
    "results_report_docx",
    "store_document",
    "submission_docx",
]

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JPEG_TYPE = "image/jpeg"
PNG_TYPE = "image/png"
EXTENSIONS = {
    PDF_TYPE: ".pdf",
    DOCX_TYPE: ".docx",
    XLSX_TYPE: ".xlsx",
    JPEG_TYPE: ".jpg",
    PNG_TYPE: ".png",
}

# ---------------------------------------------------------------- data → bytes, by object


def _dossier(registration: Registration) -> Dossier:
    return dossier_data(registration, services.current_assessment(registration))


def pledge_docx(registration: Registration) -> bytes:
    with translation.override("vi"):
        return render_docx(pledge_paper(_dossier(registration)))


def submission_docx(registration: Registration) -> bytes:
    with translation.override("vi"):
        return render_docx(submission_paper(_dossier(registration)))


def results_report_docx(registration: Registration) -> bytes:
    with translation.override("vi"):
        return render_docx(results_report_paper(_dossier(registration)))


def minutes_docx(assessment: Assessment) -> bytes:
    with translation.override("vi"):
        return render_docx(minutes_paper(dossier_data(assessment.registration, assessment)))


def decision_docx(decision: Decision) -> bytes:
    return render_docx(decision_paper(decision))


def decision_pdf(decision: Decision) -> bytes:
    return render_pdf(decision_paper(decision))


def certificate_pdf(certificate: Certificate) -> bytes:
    return render_certificates(certificates_data([certificate]))


def certificates_pdf(certificates: Iterable[Certificate]) -> bytes:
    return render_certificates(certificates_data(certificates))


# ---------------------------------------------------------------- storing and services


def store_document(
    *,
    actor: Any,
    unit: Unit,
    registration: Registration | None = None,
    decision: Decision | None = None,
    kind: str,
    filename: str,
    content: bytes,
    generated: bool,
    content_type: str = "",
) -> Document:
    """Save the bytes under a random name (the display ``filename`` never reaches the disk),
    with their SHA-256, size and type, and audit it."""
    suffix = Path(filename).suffix.lower()
    by_suffix = {ext: ctype for ctype, ext in EXTENSIONS.items()}
    ctype = content_type or by_suffix.get(suffix, "application/octet-stream")
    ext = EXTENSIONS.get(ctype, ".bin")
    doc = Document(
        unit=unit,
        registration=registration,
        decision=decision,
        kind=kind,
        filename=filename[:255],
        content_type=ctype,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        generated=generated,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    doc.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(content), save=False)
    doc.save()
    audit.record(
        actor=actor,
        verb="document.generate" if generated else "document.upload",
        obj=doc,
        unit_path=unit.path,
        changes={
            "kind": kind,
            "filename": doc.filename,
            "size": doc.size,
            "sha256": doc.sha256,
            "registration": registration.pk if registration else None,
            "decision": decision.pk if decision else None,
        },
    )
    return doc


def _check_decider(actor: Any, decision: Decision) -> None:
    if not getattr(actor, "is_authenticated", False) or actor.is_superuser:
        return  # a named system actor (CLI): trusted, still audited
    path = decision.issuing_unit.path
    if not workflow.can(actor.grants(), Action.CERTIFY, unit_path=path, body_path=path):
        raise PermissionDenied(_("Bạn không có thẩm quyền lập văn bản cho quyết định này."))


def _slug(registration: Registration) -> str:
    return f"{registration.unit.code}-{registration.year}"


def generate_pledge(*, actor: Any, registration: Registration) -> Document:
    services._check(actor, Action.SUBMIT, registration)
    return store_document(
        actor=actor,
        unit=registration.unit,
        registration=registration,
        kind=Document.Kind.PLEDGE,
        filename=f"dang-ky-phan-dau-{_slug(registration)}.docx",
        content=pledge_docx(registration),
        generated=True,
    )


def generate_dossier(*, actor: Any, registration: Registration) -> list[Document]:
    """Tờ trình, báo cáo kết quả and biên bản họp (Art. 9.2.b) from the current assessment."""
    services._check(actor, Action.SUBMIT, registration)
    assessment = services.current_assessment(registration)
    if assessment is None:
        raise ValidationError(_("Chưa có biên bản họp đánh giá: không thể lập hồ sơ."))
    slug = _slug(registration)
    files = [
        (Document.Kind.SUBMISSION, f"to-trinh-{slug}.docx", submission_docx(registration)),
        (
            Document.Kind.RESULTS_REPORT,
            f"bao-cao-ket-qua-{slug}.docx",
            results_report_docx(registration),
        ),
        (Document.Kind.MEETING_MINUTES, f"bien-ban-hop-{slug}.docx", minutes_docx(assessment)),
    ]
    with transaction.atomic():
        return [
            store_document(
                actor=actor,
                unit=registration.unit,
                registration=registration,
                kind=kind,
                filename=name,
                content=content,
                generated=True,
            )
            for kind, name, content in files
        ]


def _decision_slug(decision: Decision) -> str:
    return decision.number.replace("/", "-").replace(" ", "")


def generate_decision_documents(*, actor: Any, decision: Decision) -> list[Document]:
    _check_decider(actor, decision)
    paper = decision_paper(decision)
    name = f"quyet-dinh-{_decision_slug(decision)}"
    with transaction.atomic():
        return [
            store_document(
                actor=actor,
                unit=decision.issuing_unit,
                decision=decision,
                kind=Document.Kind.DECISION,
                filename=f"{name}{ext}",
                content=render(paper),
                generated=True,
            )
            for ext, render in ((".docx", render_docx), (".pdf", render_pdf))
        ]


def issue_certificates_with_documents(
    *, actor: Any, decision: Decision, issued_on: dt.date | None = None
) -> list[Certificate]:
    """Issue the certificates, then render them in one pass and store one PDF each.

    Rendering happens after the issuing transaction (it takes seconds for hundreds of units and
    must not hold the numbering lock); a later call also renders the valid certificates of the
    decision that still have no PDF, so an interrupted run is completed by running it again.
    """
    issued = services.issue_certificates(actor=actor, decision=decision, issued_on=issued_on)
    _check_decider(actor, decision)
    have = set(
        Document.objects.filter(decision=decision, kind=Document.Kind.CERTIFICATE).values_list(
            "registration_id", flat=True
        )
    )
    todo = [
        c
        for c in decision.certificates.filter(status=Certificate.Status.VALID)
        .select_related("registration__unit")
        .order_by("serial")
        if c.registration_id not in have
    ]
    if todo:
        pages = render_certificate_pages(certificates_data(todo))
        with transaction.atomic():
            # Two runs at once rendered the same pages: the second to get here stores only what
            # the first did not (the decision row is the lock; SQLite's writes queue anyway).
            list(Decision.objects.select_for_update().filter(pk=decision.pk).values("pk"))
            stored = set(
                Document.objects.filter(
                    decision=decision, kind=Document.Kind.CERTIFICATE
                ).values_list("registration_id", flat=True)
            )
            for done, (cert, pdf) in enumerate(zip(todo, pages, strict=True), start=1):
                if cert.registration_id in stored:
                    continue
                store_document(
                    actor=actor,
                    unit=cert.registration.unit,
                    registration=cert.registration,
                    decision=decision,
                    kind=Document.Kind.CERTIFICATE,
                    filename=f"giay-cong-nhan-{cert.serial}-{cert.year}.pdf",
                    content=pdf,
                    generated=True,
                )
                faults.checkpoint("certificates.documents", done)
    return issued
