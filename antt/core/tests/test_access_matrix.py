"""The access matrix, generated from the URL configuration (NetBox's permission matrix, at our
scale): every URL pattern the project serves has at least one entry in ``SPECS``, and a pattern
without one fails ``test_every_url_pattern_has_an_access_entry``, which lists it.

For each entry, each persona (conftest's six, plus an anonymous visitor) and each object inside
commune A1 ("in") and inside commune B1 ("out"), the exact status is asserted:

* anonymous: the login page (302) for pages, 401 for the token API;
* an object outside the persona's subtree: 404 (never 403: that would tell it exists);
* an object it sees but a role that may not act: 403;
* otherwise the success status of the request (200, 201, 204 or the 302 after a write).

A refused write must leave every watched table and the audit log as they were (``snapshot``);
an allowed write must change them, and runs inside a rolled-back savepoint, so that the next
persona meets the same world. Every refusal seen by a signed-in persona is in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from antt.core.models import AuditEvent
from antt.core.tests.access import (
    PDF,
    PERSONAS,
    ROLES,
    SIDES,
    YEAR,
    World,
    all_patterns,
    sees,
    snapshot,
)
from antt.recognition.tests.test_cycle import AREA_MEETING
from antt.units.models import Unit

pytestmark = pytest.mark.django_db

NATIONAL = "national_admin"
PROVINCE = "province_officer"
COMMUNE = "commune_officer"
HEAD = "unit_head"
# Who may act, by role (the subtree is checked by seeing the object).
UNIT_SIDE = frozenset({NATIONAL, PROVINCE, COMMUNE, HEAD})  # register, assess, submit, upload
DECIDERS = frozenset({NATIONAL, PROVINCE, COMMUNE})  # appraise, return, decide, certify, annul
MANAGERS = frozenset({NATIONAL, PROVINCE, COMMUNE})  # MANAGE_UNITS
EVIDENCE = frozenset({NATIONAL, PROVINCE, COMMUNE, HEAD})  # RECORD_EVIDENCE, JUDGE
ADMINS = frozenset({NATIONAL, PROVINCE})  # ASSIGN_ROLES: tokens
NATIONWIDE = frozenset({NATIONAL})

Url = Callable[[World, str], str]
Scope = Callable[[World, str], Unit]
Data = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Spec:
    method: str
    url: Url
    ok: int = 200
    scope: Scope | None = None  # the unit whose subtree must be seen; None: not scoped
    act: frozenset[str] | None = None  # roles that may act; None: whoever sees
    data: Data | None = None
    json: bool = False
    anon: int = 302
    public: bool = False  # the same answer for everyone, anonymous included
    refused_unseen: int = 404  # the status when the object is outside the subtree
    special: Callable[[str, str], int] | None = None  # (persona, side) -> status, when odd
    role_first: bool = False  # the role is checked before the object is looked up (403 first)
    form_error: bool = False  # the data is refused by the form: ``ok`` is an answer, no write
    # A list: each (unit, text) pair's text is in the answer exactly when the unit is seen.
    listed: Callable[[World], list[tuple[Unit, str]]] | None = None
    note: str = ""
    files: Callable[[], dict[str, Any]] | None = field(default=None)

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def page(method: str, url: Url, **kw: Any) -> Spec:
    return Spec(method, url, **kw)


def api(method: str, url: Url, **kw: Any) -> Spec:
    kw.setdefault("anon", 401)
    kw.setdefault("json", True)
    return Spec(method, url, **kw)


def r(name: str, *args: Any, query: str = "") -> str:
    return reverse(name, args=args) + (f"?{query}" if query else "")


# --- shorthands for the world's objects --------------------------------------------------------


def assessed(w: World, s: str) -> Any:
    return w.assessed[s]


def submitted(w: World, s: str) -> Any:
    return w.submitted[s]


def appraised(w: World, s: str) -> Any:
    return w.appraised[s]


def area_unit(w: World, s: str) -> Unit:
    return w.area(s, "assessed")


def commune_unit(w: World, s: str) -> Unit:
    return w.commune(s)


def reg_unit(attr: str) -> Scope:
    return lambda w, s: getattr(w, attr)[s].unit


def decision_unit(attr: str) -> Scope:
    return lambda w, s: getattr(w, attr)[s].issuing_unit


def version(attr: str, **extra: Any) -> Data:
    return lambda w, s: {"version": getattr(w, attr)[s].version, **extra}


def meeting(w: World, s: str) -> dict[str, Any]:
    data = {
        "held_on": "20/10/2025", "mode": "meeting", "chair": "Trưởng khu dân cư",
        "conclusion": "Thống nhất đề nghị công nhận.", "version": w.assessed[s].version,
    }
    data.update({f"role_{p['role']}": p["name"] for p in AREA_MEETING})
    return data


def token_status(ok: int, *, refused: int = 404) -> Callable[[str, str], int]:
    """Tokens: the owner (a unit head) and the administrators over the owner's unit."""

    def status(persona: str, side: str) -> int:
        if persona == "national_admin":
            return ok
        if side == "in" and persona in {"province_a_officer", "area_a1_head"}:
            return ok
        return refused

    return status


def token_issue_status(persona: str, side: str) -> int:
    if persona == "national_admin" or (persona == "province_a_officer" and side == "in"):
        return 201
    return 404 if persona == "province_a_officer" else 403


def verified_only(persona: str, side: str) -> int:
    # Unit heads and people without a role need no second factor and have none: the recovery
    # page sends them to the code page (which sends them on to enrolment).
    return 302 if persona in {"area_a1_head", "outsider"} else 200


def job_status(ok: int, *, owner: int | None = None, others: int | None = None
               ) -> Callable[[str, str], int]:
    """Jobs are seen by their owner (the side's commune officer), by administrators over the
    job's unit (the province officer inside) and nationwide; ``owner``/``others`` override."""

    def status(persona: str, side: str) -> int:
        mine = persona == ("commune_a1_officer" if side == "in" else "commune_b1_officer")
        administers = persona == "national_admin" or (
            side == "in" and persona == "province_a_officer"
        )
        if mine:
            return owner if owner is not None else ok
        if administers:
            return others if others is not None else ok
        return 404

    return status

SPECS: dict[str, list[Spec]] = {
    # --- public and sign-in ----------------------------------------------------------------------
    "home": [page("GET", lambda w, s: r("home"))],
    "set_language": [
        page("POST", lambda w, s: r("set_language"), ok=302, public=True,
             data=lambda w, s: {"language": "vi", "next": "/"}, note="no data written")
    ],
    "accounts:login": [
        page("GET", lambda w, s: r("accounts:login"), public=True,
             special=lambda p, s: 200 if p == "anonymous" else 302,
             note="a signed-in user is sent on")
    ],
    "admin-login": [
        page("GET", lambda w, s: r("admin-login"), ok=302, public=True,
             note="the admin site signs in through our login page (second factor included)")
    ],
    "accounts:logout": [page("POST", lambda w, s: r("accounts:logout"), ok=302, public=True)],
    "accounts:password-change": [
        page("GET", lambda w, s: r("accounts:password-change")),
        page("POST", lambda w, s: r("accounts:password-change"), form_error=True,
             data=lambda w, s: {"old_password": "sai", "new_password1": "123",
                                "new_password2": "123"},
             note="a wrong old password and a refused new one: the form again, nothing written"),
    ],
    "accounts:2fa-verify": [page("GET", lambda w, s: r("accounts:2fa-verify"), ok=302)],
    "accounts:2fa-setup": [page("GET", lambda w, s: r("accounts:2fa-setup"))],
    "accounts:2fa-recovery": [
        page("GET", lambda w, s: r("accounts:2fa-recovery"), special=verified_only)
    ],
    "accounts:token-list": [page("GET", lambda w, s: r("accounts:token-list"))],
    "accounts:token-revoke": [
        page("POST", lambda w, s: r("accounts:token-revoke", w.token_owner[s].username),
             special=token_status(302))
    ],
    "verify:verify-form": [page("GET", lambda w, s: r("verify:verify-form"), public=True)],
    "verify:certificate-verify": [
        page("GET", lambda w, s: r("verify:certificate-verify", w.certificate[s].verification_code),
             public=True, note="public by design: the certificate's QR code")
    ],
    "verify/<str:code>/": [
        page("GET", lambda w, s: f"/verify/{w.certificate[s].verification_code}/", public=True,
             note="the same check with a trailing slash")
    ],
    # --- units -----------------------------------------------------------------------------------
    "units:unit-list": [page("GET", lambda w, s: r("units:unit-list"))],
    "units:unit-import": [page("GET", lambda w, s: r("units:unit-import"), act=MANAGERS)],
    "units:unit-detail": [
        page("GET", lambda w, s: r("units:unit-detail", area_unit(w, s).code), scope=area_unit)
    ],
    "units:unit-year": [
        page("GET", lambda w, s: r("units:unit-year", area_unit(w, s).code, YEAR),
             scope=area_unit)
    ],
    # --- records ---------------------------------------------------------------------------------
    "records:incident-list": [
        page("GET", lambda w, s: r("records:incident-list", area_unit(w, s).code),
             scope=area_unit),
        page("POST", lambda w, s: r("records:incident-list", area_unit(w, s).code),
             scope=area_unit, act=EVIDENCE, ok=302,
             data=lambda w, s: {"date": "2025-08-03", "category": "crime",
                                "gravity": "less_serious", "description": "Trộm cắp"}),
    ],
    "records:incident-void": [
        page("POST", lambda w, s: r("records:incident-void", area_unit(w, s).code,
                                    w.incident[s].pk),
             scope=area_unit, act=EVIDENCE, ok=302, data=lambda w, s: {"reason": "Ghi trùng"})
    ],
    "records:incident-flags": [
        page("POST", lambda w, s: r("records:incident-flags", area_unit(w, s).code,
                                    w.incident[s].pk),
             scope=area_unit, act=EVIDENCE, ok=302,
             data=lambda w, s: {"force_majeure": "on", "flags_reason": "Sét đánh, có biên bản"})
    ],
    "records:facts-edit": [
        page("GET", lambda w, s: r("records:facts-edit", area_unit(w, s).code, YEAR),
             scope=area_unit),
        page("POST", lambda w, s: r("records:facts-edit", area_unit(w, s).code, YEAR),
             scope=area_unit, act=EVIDENCE, ok=302,
             data=lambda w, s: {"households_residing": "251", "households_registered": "250"}),
    ],
    "records:discipline-list": [
        page("GET", lambda w, s: r("records:discipline-list", area_unit(w, s).code, YEAR),
             scope=area_unit),
        page("POST", lambda w, s: r("records:discipline-list", area_unit(w, s).code, YEAR),
             scope=area_unit, act=EVIDENCE, ok=302,
             data=lambda w, s: {"date": "2025-04-02", "group": "grassroots_force",
                                "level": "reprimand", "person": "Trần Văn D"}),
    ],
    "records:discipline-void": [
        page("POST", lambda w, s: r("records:discipline-void", area_unit(w, s).code, YEAR,
                                    w.discipline[s].pk),
             scope=area_unit, act=EVIDENCE, ok=302,
             data=lambda w, s: {"reason": "Quyết định bị thu hồi"})
    ],
    "records:judgement-list": [
        page("GET", lambda w, s: r("records:judgement-list", area_unit(w, s).code, YEAR),
             scope=area_unit),
        page("POST", lambda w, s: r("records:judgement-list", area_unit(w, s).code, YEAR),
             scope=area_unit, act=EVIDENCE, ok=302,
             data=lambda w, s: {"criterion_code": "4.2", "verdict": "not_met",
                                "reason": "Biên bản họp ngày 21/10/2025"}),
    ],
    # --- standards and reports -------------------------------------------------------------------
    "standards:criteriaset-list": [page("GET", lambda w, s: r("standards:criteriaset-list"))],
    "standards:criteriaset-detail": [
        page("GET", lambda w, s: r("standards:criteriaset-detail", "tt124-2021"))
    ],
    "reports:report-summary": [
        page("GET", lambda w, s: r("reports:report-summary",
                                   query=f"year={YEAR}&scope={commune_unit(w, s).code}"),
             scope=commune_unit)
    ],
    "reports:report-download": [
        page("GET", lambda w, s: r("reports:report-download",
                                   query=f"report=summary&format=xlsx&year={YEAR}"
                                         f"&scope={commune_unit(w, s).code}"),
             scope=commune_unit)
    ],
    # --- the yearly cycle (pages) ----------------------------------------------------------------
    "cycle:cycle-home": [page("GET", lambda w, s: r("cycle:cycle-home"), ok=302)],
    "cycle:registration-list": [
        page("GET", lambda w, s: r("cycle:registration-list", YEAR),
             listed=lambda w: [(g.unit, g.unit.code) for g in w.submitted.values()])
    ],
    "cycle:registration-create": [
        page("POST", lambda w, s: r("cycle:registration-create", YEAR),
             scope=lambda w, s: w.fresh_area[s], act=UNIT_SIDE, ok=302, refused_unseen=200,
             data=lambda w, s: {"code": w.fresh_area[s].code, "registered_on": "10/02/2025"},
             note="a code outside the jurisdiction is a form error (200), nothing written")
    ],
    "cycle:registration-bulk": [
        page("GET", lambda w, s: r("cycle:registration-bulk", YEAR,
                                   query=f"commune={commune_unit(w, s).pk}"),
             scope=commune_unit, act=DECIDERS),
        page("POST", lambda w, s: r("cycle:registration-bulk", YEAR),
             scope=commune_unit, act=DECIDERS, ok=302,
             data=lambda w, s: {"commune": commune_unit(w, s).pk,
                                "registered_on": "2025-02-10"}),
    ],
    "cycle:decision-create": [
        page("GET", lambda w, s: r("cycle:decision-create", YEAR),
             note="a role that cannot decide finds nothing to decide here; posting is 403"),
        page("POST", lambda w, s: r("cycle:decision-create", YEAR),
             scope=reg_unit("appraised"), act=DECIDERS, ok=302, role_first=True,
             data=lambda w, s: {
                 "body": commune_unit(w, s).pk, "number": "99/QĐ-UBND",
                 "signed_on": "2025-11-10", "signer_name": "Nguyễn Văn Hùng",
                 "row": [w.appraised[s].pk], "selected": [w.appraised[s].pk],
                 f"result_{w.appraised[s].pk}": "met",
             }),
    ],
    "cycle:registration-detail": [
        page("GET", lambda w, s: r("cycle:registration-detail", assessed(w, s).pk),
             scope=reg_unit("assessed"))
    ],
    "cycle:registration-assess": [
        page("GET", lambda w, s: r("cycle:registration-assess", assessed(w, s).pk),
             scope=reg_unit("assessed"), act=UNIT_SIDE),
        page("POST", lambda w, s: r("cycle:registration-assess", assessed(w, s).pk),
             scope=reg_unit("assessed"), act=UNIT_SIDE, ok=302, data=meeting),
    ],
    "cycle:registration-submit": [
        page("POST", lambda w, s: r("cycle:registration-submit", assessed(w, s).pk),
             scope=reg_unit("assessed"), act=UNIT_SIDE, ok=302, data=version("assessed"))
    ],
    "cycle:registration-return": [
        page("GET", lambda w, s: r("cycle:registration-return", submitted(w, s).pk),
             scope=reg_unit("submitted"), act=DECIDERS),
        page("POST", lambda w, s: r("cycle:registration-return", submitted(w, s).pk),
             scope=reg_unit("submitted"), act=DECIDERS, ok=302,
             data=version("submitted", note="Bổ sung danh sách hộ")),
    ],
    "cycle:registration-appraise": [
        page("POST", lambda w, s: r("cycle:registration-appraise", submitted(w, s).pk),
             scope=reg_unit("submitted"), act=DECIDERS, ok=302,
             data=version("submitted", proposal="met", mode="meeting"))
    ],
    "cycle:registration-upload": [
        page("POST", lambda w, s: r("cycle:registration-upload", assessed(w, s).pk),
             scope=reg_unit("assessed"), act=UNIT_SIDE, ok=302,
             data=lambda w, s: {"kind": "supporting"},
             files=lambda: {"file": SimpleUploadedFile("ds-ho.pdf", PDF, "application/pdf")})
    ],
    "cycle:registration-generate": [
        page("POST", lambda w, s: r("cycle:registration-generate", assessed(w, s).pk),
             scope=reg_unit("assessed"), act=UNIT_SIDE, ok=302)
    ],
    "cycle:decision-detail": [
        page("GET", lambda w, s: r("cycle:decision-detail", w.decided[s].pk),
             scope=decision_unit("decided"))
    ],
    "cycle:decision-certify": [
        page("POST", lambda w, s: r("cycle:decision-certify", w.decided[s].pk),
             scope=decision_unit("decided"), act=DECIDERS, ok=302,
             data=lambda w, s: {"issued_on": "2025-11-12"})
    ],
    "cycle:decision-annul": [
        page("POST", lambda w, s: r("cycle:decision-annul", w.certified[s].pk),
             scope=decision_unit("certified"), act=DECIDERS, ok=302,
             data=lambda w, s: {"reason": "Phát hiện vụ trộm chưa báo cáo",
                                "reference": "Quyết định số 3/QĐ-UBND ngày 05/01/2026",
                                "annulled_on": "2026-01-05"})
    ],
    "cycle:decision-documents": [
        page("POST", lambda w, s: r("cycle:decision-documents", w.decided[s].pk),
             scope=decision_unit("decided"), act=DECIDERS, ok=302)
    ],
    "documents:document-download": [
        page("GET", lambda w, s: r("documents:document-download", w.document[s].pk),
             scope=lambda w, s: w.document[s].unit)
    ],
    # --- background jobs ----------------------------------------------------------------------
    "jobs:job-list": [
        page("GET", lambda w, s: r("jobs:job-list"),
             special=lambda p, s: 200,
             note="owner and administrators: checked through job-detail")
    ],
    "jobs:data-import": [page("GET", lambda w, s: r("jobs:data-import"), act=EVIDENCE)],
    "jobs:job-detail": [
        page("GET", lambda w, s: r("jobs:job-detail", w.done_job[s].pk), special=job_status(200))
    ],
    "jobs:job-download": [
        page("GET", lambda w, s: r("jobs:job-download", w.done_job[s].pk),
             special=job_status(200))
    ],
    "jobs:job-retry": [
        page("POST", lambda w, s: r("jobs:job-retry", w.failed_job[s].pk),
             special=job_status(302))
    ],
    "jobs:job-confirm": [
        page("POST", lambda w, s: r("jobs:job-confirm", w.failed_job[s].pk),
             special=job_status(0, owner=409, others=403),
             note="only the uploader confirms (403 for who sees it); nothing to confirm: 409")
    ],
    "jobs:evaluate-scope": [
        page("POST", lambda w, s: r("jobs:evaluate-scope", commune_unit(w, s).code),
             scope=commune_unit, ok=302, data=lambda w, s: {"year": str(YEAR)})
    ],
    # --- the API ---------------------------------------------------------------------------------
    "api:schema": [api("GET", lambda w, s: r("api:schema"))],
    "api:me": [api("GET", lambda w, s: r("api:me"))],
    "api:token-list": [
        api("GET", lambda w, s: r("api:token-list"), anon=403),
        api("POST", lambda w, s: r("api:token-list"), anon=403, special=token_issue_status,
            data=lambda w, s: {"username": w.token_owner[s].username}),
    ],
    "api:token-detail": [
        api("DELETE", lambda w, s: r("api:token-detail", w.token_owner[s].username), anon=403,
            special=token_status(204))
    ],
    "api:unit-list": [
        api("GET", lambda w, s: r("api:unit-list"),
            listed=lambda w: [(u, f'"code":"{u.code}"') for u in w.tree.all()]),
        api("POST", lambda w, s: r("api:unit-list"), scope=commune_unit, act=MANAGERS, ok=201,
            data=lambda w, s: {"code": f"{commune_unit(w, s).code}-TDP77", "name": "Tổ 77",
                               "kind": "residential_area", "parent": commune_unit(w, s).code,
                               "subtype": "to_dan_pho", "valid_from": "2025-07-01"}),
    ],
    "api:unit-detail": [
        api("GET", lambda w, s: r("api:unit-detail", area_unit(w, s).code), scope=area_unit),
        api("PATCH", lambda w, s: r("api:unit-detail", area_unit(w, s).code), scope=area_unit,
            act=MANAGERS, data=lambda w, s: {"name": "Tổ dân phố đổi tên"}),
        api("PATCH", lambda w, s: r("api:unit-detail", area_unit(w, s).code), scope=area_unit,
            ok=400, data=lambda w, s: {"parent": w.commune("out" if s == "in" else "in").code},
            note="moving a unit is not an API field: refused for everyone, nothing written"),
    ],
    "api:standard-list": [api("GET", lambda w, s: r("api:standard-list"))],
    "api:standard-facts": [api("GET", lambda w, s: r("api:standard-facts"))],
    "api:standard-detail": [api("GET", lambda w, s: r("api:standard-detail", "tt124-2021"))],
    "api:unit-evaluation": [
        api("GET", lambda w, s: r("api:unit-evaluation", area_unit(w, s).code,
                                  query=f"year={YEAR}"), scope=area_unit)
    ],
    "api:evaluation-list": [
        api("GET", lambda w, s: r("api:evaluation-list",
                                  query=f"year={YEAR}&scope={commune_unit(w, s).code}"),
            scope=commune_unit)
    ],
    "api:report-summary": [
        api("GET", lambda w, s: r("api:report-summary",
                                  query=f"year={YEAR}&scope={commune_unit(w, s).code}"),
            scope=commune_unit)
    ],
    "api:report-review": [
        api("GET", lambda w, s: r("api:report-review",
                                  query=f"years=2021-{YEAR}&scope={commune_unit(w, s).code}"),
            scope=commune_unit)
    ],
    "api:audit-list": [api("GET", lambda w, s: r("api:audit-list"))],
    "api:registration-list": [
        api("GET", lambda w, s: r("api:registration-list"),
            listed=lambda w: [(g.unit, f'"{g.unit.code}"') for g in w.assessed.values()]),
        api("POST", lambda w, s: r("api:registration-list"),
            scope=lambda w, s: w.fresh_area[s], act=UNIT_SIDE, ok=201,
            data=lambda w, s: {"unit": w.fresh_area[s].code, "year": YEAR,
                               "registered_on": "2025-02-10"}),
    ],
    "api:registration-bulk": [
        api("POST", lambda w, s: r("api:registration-bulk"), scope=commune_unit, act=DECIDERS,
            ok=201, data=lambda w, s: {"commune": commune_unit(w, s).code, "year": YEAR})
    ],
    "api:registration-detail": [
        api("GET", lambda w, s: r("api:registration-detail", assessed(w, s).pk),
            scope=reg_unit("assessed"))
    ],
    "api:registration-assess": [
        api("POST", lambda w, s: r("api:registration-assess", assessed(w, s).pk),
            scope=reg_unit("assessed"), act=UNIT_SIDE,
            data=lambda w, s: {"held_on": "2025-10-21", "chair": "Trưởng khu dân cư",
                               "participants": AREA_MEETING})
    ],
    "api:registration-submit": [
        api("POST", lambda w, s: r("api:registration-submit", assessed(w, s).pk),
            scope=reg_unit("assessed"), act=UNIT_SIDE, data=lambda w, s: {})
    ],
    "api:registration-return": [
        api("POST", lambda w, s: r("api:registration-return", submitted(w, s).pk),
            scope=reg_unit("submitted"), act=DECIDERS,
            data=lambda w, s: {"note": "Bổ sung danh sách hộ"})
    ],
    "api:registration-appraise": [
        api("POST", lambda w, s: r("api:registration-appraise", submitted(w, s).pk),
            scope=reg_unit("submitted"), act=DECIDERS, data=lambda w, s: {"proposal": "met"})
    ],
    "api:decision-list": [
        api("GET", lambda w, s: r("api:decision-list"),
            listed=lambda w: [(d.issuing_unit, d.number) for d in w.decided.values()]),
        api("POST", lambda w, s: r("api:decision-list"), scope=reg_unit("appraised"),
            act=DECIDERS, ok=201,
            data=lambda w, s: {"registrations": [w.appraised[s].pk], "number": "98/QĐ-UBND",
                               "signed_on": "2025-11-10", "signer_name": "Nguyễn Văn Hùng"}),
    ],
    "api:decision-detail": [
        api("GET", lambda w, s: r("api:decision-detail", w.decided[s].pk),
            scope=decision_unit("decided"))
    ],
    "api:decision-annul": [
        api("POST", lambda w, s: r("api:decision-annul", w.certified[s].pk),
            scope=decision_unit("certified"), act=DECIDERS,
            data=lambda w, s: {"reason": "Phát hiện vụ trộm chưa báo cáo",
                               "reference": "Quyết định số 3/QĐ-UBND",
                               "annulled_on": "2026-01-05"})
    ],
    "api:decision-certificates": [
        api("POST", lambda w, s: r("api:decision-certificates", w.decided[s].pk),
            scope=decision_unit("decided"), act=DECIDERS, ok=201,
            data=lambda w, s: {"issued_on": "2025-11-12"})
    ],
    "api:certificate-list": [
        api("GET", lambda w, s: r("api:certificate-list"),
            listed=lambda w: [(c.registration.unit, c.verification_code)
                              for c in w.certificate.values()])
    ],
    "api:certificate-detail": [
        api("GET", lambda w, s: r("api:certificate-detail", w.certificate[s].pk),
            scope=lambda w, s: w.certificate[s].registration.unit)
    ],
    "api:authority-rule-list": [api("GET", lambda w, s: r("api:authority-rule-list"))],
    "api:authority-rule-detail": [
        api("GET", lambda w, s: r("api:authority-rule-detail", w.authority_rule.pk)),
        api("PATCH", lambda w, s: r("api:authority-rule-detail", w.authority_rule.pk),
            act=NATIONWIDE, data=lambda w, s: {"note": "Sửa thử"}),
    ],
}


# --- the run -----------------------------------------------------------------------------------


def expected(spec: Spec, persona: str, side: str, world: World) -> tuple[int, bool]:
    """The status, and whether the request is allowed (so a write must write)."""
    if spec.special is not None and (persona != "anonymous" or spec.public):
        status = spec.special(persona, side)
        return status, status in WROTE
    if spec.public:
        return spec.ok, False
    if persona == "anonymous":
        return spec.anon, False
    may_act = spec.act is None or ROLES[persona] in spec.act
    if spec.role_first and not may_act:
        return 403, False
    if spec.scope is not None and not sees(persona, spec.scope(world, side), world.tree):
        return spec.refused_unseen, False
    if not may_act:
        return 403, False
    return spec.ok, spec.ok in WROTE and not spec.form_error


def send(client: Client, spec: Spec, world: World, side: str) -> Any:
    url = spec.url(world, side)
    data = spec.data(world, side) if spec.data else {}
    method = spec.method.lower()
    if spec.json and spec.method != "GET":
        return getattr(client, method)(url, data, content_type="application/json")
    if spec.files is not None:
        data = {**data, **spec.files()}
    if spec.method in {"PATCH", "DELETE"}:
        return getattr(client, method)(url, data, content_type="application/json")
    return getattr(client, method)(url, data)


def client_for(persona: str, world: World) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(world.personas, persona))
    return client


def run(spec: Spec, world: World) -> tuple[list[str], int]:
    """Every persona × side of one entry: the mismatches, and how many statuses were checked."""
    problems: list[str] = []
    checked = 0
    sides = SIDES if (spec.scope is not None or spec.special is not None or
                      _uses_side(spec)) else ("in",)
    for side in sides:
        spec.url(world, side)  # build the objects before the snapshot (and any savepoint)
        if spec.listed is not None:
            spec.listed(world)
        if spec.data is not None:
            spec.data(world, side)
        if spec.scope is not None:
            spec.scope(world, side)
        for persona in PERSONAS:
            want, allowed = expected(spec, persona, side, world)
            client = client_for(persona, world)
            success = spec.writes and allowed
            before = snapshot() if spec.writes else None
            denials = AuditEvent.objects.filter(verb__startswith="access.").count()
            if success:
                with transaction.atomic():
                    response = send(client, spec, world, side)
                    after = snapshot()
                    transaction.set_rollback(True)
            else:
                response = send(client, spec, world, side)
                after = snapshot() if spec.writes else None
            checked += 1
            label = f"{spec.method} {spec.url(world, side)} as {persona} ({side})"
            if response.status_code != want:
                problems.append(
                    f"{label}: {response.status_code}, expected {want} — {gist(response)}"
                )
                continue
            if spec.listed is not None and want == 200:
                content = response.content.decode()
                for unit, text in spec.listed(world):
                    if (text in content) != sees(persona, unit, world.tree):
                        shown = "shows" if text in content else "hides"
                        problems.append(f"{label}: {shown} {text} (unit {unit.code})")
            if spec.writes and not spec.public and not allowed and after != before:
                problems.append(f"{label}: refused ({want}) but something was written")
            if success and after == before:
                problems.append(f"{label}: answered {want} but wrote nothing")
            if want in {403, 404} and persona != "anonymous":
                now = AuditEvent.objects.filter(verb__startswith="access.").count()
                if now != denials + 1:
                    problems.append(f"{label}: the refusal was not audited")
    return problems, checked


WROTE = {200, 201, 204, 302}


def gist(response: Any) -> str:
    """What a refusal or a form error said, in a line."""
    body = response.content.decode(errors="replace")
    if "json" in response.get("Content-Type", ""):
        return body[:200]
    found = re.findall(
        r'(?:notice-error|errorlist|class="error"|<small id="[\w-]*errors")[^>]*>(.*?)</', body,
        flags=re.S,
    )
    text = " | ".join(re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found)
    return (text or re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))[:300]


def _uses_side(spec: Spec) -> bool:
    return spec.data is not None and spec.writes


@pytest.fixture
def world(tree: Any, personas: Any) -> World:
    return World(tree, personas)


CASES = [(name, i) for name, specs in SPECS.items() for i in range(len(specs))]


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_access(name: str, index: int, world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path
    spec = SPECS[name][index]
    problems, checked = run(spec, world)
    assert checked >= len(PERSONAS)
    assert not problems, "\n".join(problems)


def test_every_url_pattern_has_an_access_entry() -> None:
    names = {p.name for p in all_patterns()}
    missing = sorted(names - set(SPECS))
    assert not missing, "URL patterns without an entry in SPECS (test_access_matrix.py): " + (
        ", ".join(missing)
    )
    stale = sorted(set(SPECS) - names)
    assert not stale, "entries for URL patterns that no longer exist: " + ", ".join(stale)
