"""What each document says, gathered from the database: registration → dossier papers,
decision → decision paper, certificates → certificate data. The wording is here; the layout is in
``layout``. Official documents are Vietnamese whatever the user's interface language.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from antt.recognition import services
from antt.recognition.documents.layout import (
    COMMITTEE,
    DOTS,
    STANDARD,
    Block,
    CertificateData,
    Letterhead,
    PageBreak,
    Paper,
    Signature,
    Signatures,
    Table,
    Text,
    deciding_body,
    lower_first,
    place_date,
    place_name,
    short_date,
    signer_role,
)
from antt.recognition.models import Assessment, Certificate, Decision, Registration, Result
from antt.standards.catalog import registry
from antt.standards.rules import VERDICT_LABELS
from antt.units.models import UnitKind

P = ParamSpec("P")
R = TypeVar("R")

# ---------------------------------------------------------------- gathering (queries)


def _vi(fn: Callable[P, R]) -> Callable[P, R]:
    """Official documents are Vietnamese whatever the user's interface language."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override("vi"):
            return fn(*args, **kwargs)

    return wrapper


def address(registration: Registration) -> str:
    parts = [u.name for u in (registration.commune, registration.province) if u is not None]
    return ", ".join(p for p in parts if p != registration.unit.name)


def _unit_head(registration: Registration) -> Signature:
    kind = registration.unit_kind
    if kind == UnitKind.COMMUNE:
        return Signature(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"))
    if kind == UnitKind.RESIDENTIAL_AREA:
        return Signature(("TRƯỞNG KHU DÂN CƯ",))
    return Signature(("THỦ TRƯỞNG ĐƠN VỊ",))


def _unit_letterhead(registration: Registration, symbol: str, day: dt.date | None) -> Letterhead:
    unit, commune = registration.unit, registration.commune
    where = commune or registration.province
    if unit.kind == UnitKind.COMMUNE:
        body: tuple[str, ...] = (COMMITTEE.upper(), unit.name.upper())
        superior = ""
    else:
        body, superior = (unit.name.upper(),), (where.name.upper() if where else "")
    return Letterhead(
        body=body,
        superior=superior,
        number=f"Số: {DOTS}/{symbol}",
        place_date=place_date(
            place_name(where.name if where else unit.name), day, registration.year
        ),
    )


@dataclass(frozen=True)
class CriterionLine:
    code: str
    reference: str
    text: str
    verdict: str  # “Đạt”, “Không đạt”
    explanation: str
    depth: int


def criterion_lines(evaluation: dict[str, Any], criteria_set: str) -> list[CriterionLine]:
    """The frozen evaluation of an assessment, criterion by criterion (points one level down)."""
    cset = registry().sets.get(criteria_set)
    texts = {n.code: n.text for n in cset.nodes()} if cset is not None else {}
    out: list[CriterionLine] = []

    def walk(node: dict[str, Any], depth: int) -> None:
        verdict = node.get("verdict", "")
        label = VERDICT_LABELS.get(verdict, verdict)
        explanation = node.get("explanation", "").removeprefix(f"{node['code']} {label}: ")
        out.append(
            CriterionLine(
                node["code"],
                node.get("reference", ""),
                texts.get(node["code"], ""),
                label.capitalize(),
                explanation,
                depth,
            )
        )
        for child in node.get("points", ()):
            walk(child, depth + 1)

    for top in evaluation.get("criteria", ()):
        walk(top, 0)
    return out


@dataclass(frozen=True)
class Dossier:
    """What the unit-side documents say, gathered once."""

    registration: Registration
    unit: str
    kind: str
    address: str
    year: int
    standard: str
    addressee: str
    deciding: str
    assessment: Assessment | None
    lines: tuple[CriterionLine, ...]


def dossier_data(registration: Registration, assessment: Assessment | None) -> Dossier:
    rule = registration.authority
    body = services.body_unit(registration.unit, rule)
    cset = registry().sets.get(registration.criteria_set)
    deciding = ""
    if rule is not None:
        name = deciding_body(rule.deciding_body, body.name)[1] if body else rule.deciding_body
        deciding = f"{signer_role(rule.signer_title)} {name}"
    return Dossier(
        registration=registration,
        unit=registration.unit.name,
        kind=str(UnitKind(registration.unit_kind).label),
        address=address(registration),
        year=registration.year,
        standard=cset.title if cset else registration.criteria_set,
        addressee=(rule.appraising_body + (f" — {body.name}" if body else "")) if rule else "",
        deciding=deciding,
        assessment=assessment,
        lines=tuple(criterion_lines(assessment.evaluation, registration.criteria_set))
        if assessment
        else (),
    )


def _result_label(result: str) -> str:
    return "Đạt" if result == Result.MET else "Chưa đạt"


def pledge_paper(d: Dossier) -> Paper:
    reg = d.registration
    cset = registry().sets.get(reg.criteria_set)
    criteria = cset.for_kind(reg.unit_kind) if cset else ()
    blocks: list[Block] = [
        Text("BẢN ĐĂNG KÝ", "title"),
        Text(f"Phấn đấu đạt tiêu chuẩn {STANDARD} năm {d.year}", "subtitle"),
        Text("", "rule"),
        Text(f"Kính gửi: {d.addressee}.", "center"),
        Text(
            f"Căn cứ {d.standard} quy định về khu dân cư, xã, phường, thị trấn, cơ quan, doanh "
            f"nghiệp, cơ sở giáo dục đạt tiêu chuẩn {STANDARD};"
        ),
        Text(
            f"{d.unit} ({d.kind}{', ' + d.address if d.address else ''}) đăng ký phấn đấu đạt "
            f"tiêu chuẩn {STANDARD} năm {d.year}, thực hiện đầy đủ các tiêu chí sau:"
        ),
        *[Text(c.text, "item", lead=f"{i}.") for i, c in enumerate(criteria, 1)],
    ]
    if reg.households_registered is not None:
        blocks.append(Text(f"Số hộ gia đình đăng ký tham gia: {reg.households_registered}."))
    blocks += [
        Text(f"{d.unit} cam kết tổ chức thực hiện nghiêm túc các nội dung đã đăng ký."),
        Signatures(right=_unit_head(reg), recipients=("- Như trên;", "- Lưu.")),
    ]
    return Paper(
        f"Bản đăng ký — {d.unit} — {d.year}",
        _unit_letterhead(reg, "ĐK", reg.registered_on),
        tuple(blocks),
    )


def _submitted_on(reg: Registration) -> dt.date | None:
    return timezone.localdate(reg.submitted_at) if reg.submitted_at else None


def submission_paper(d: Dossier) -> Paper:
    reg, a = d.registration, d.assessment
    met = sum(1 for c in d.lines if c.depth == 0 and c.verdict == "Đạt")
    total = sum(1 for c in d.lines if c.depth == 0)
    meeting = f"ngày {short_date(a.held_on)}" if a else DOTS
    blocks: tuple[Block, ...] = (
        Text("TỜ TRÌNH", "title"),
        Text(
            f"Đề nghị xét duyệt, công nhận {d.unit} đạt tiêu chuẩn {STANDARD} năm {d.year}",
            "subtitle",
        ),
        Text("", "rule"),
        Text(f"Kính gửi: {d.addressee}.", "center"),
        Text(f"Căn cứ {d.standard};"),
        Text(
            f"Căn cứ kết quả cuộc họp đánh giá {meeting} (biên bản kèm theo), {d.unit} tự đánh "
            f"giá: {met}/{total} tiêu chí đạt; kết quả chung: "
            f"{_result_label(a.result) if a else DOTS}."
        ),
        Text(
            f"{d.unit} kính đề nghị {d.addressee or DOTS} thẩm định, trình {d.deciding or DOTS} "
            f"xét duyệt, công nhận {d.unit} đạt tiêu chuẩn {STANDARD} năm {d.year}."
        ),
        Text("Hồ sơ kèm theo:", "heading"),
        Text(
            f"Báo cáo kết quả xây dựng đạt tiêu chuẩn {STANDARD} năm {d.year};", "item", lead="1."
        ),
        Text("Biên bản cuộc họp đánh giá;", "item", lead="2."),
        Text("Các tài liệu khác có liên quan.", "item", lead="3."),
        Signatures(right=_unit_head(reg), recipients=("- Như trên;", "- Lưu.")),
    )
    return Paper(
        f"Tờ trình — {d.unit} — {d.year}", _unit_letterhead(reg, "TTr", _submitted_on(reg)), blocks
    )


def results_report_paper(d: Dossier) -> Paper:
    reg, a = d.registration, d.assessment
    blocks: list[Block] = [
        Text("BÁO CÁO", "title"),
        Text(f"Kết quả xây dựng {d.unit} đạt tiêu chuẩn {STANDARD} năm {d.year}", "subtitle"),
        Text("", "rule"),
        Text("I. ĐẶC ĐIỂM TÌNH HÌNH", "heading"),
        Text(
            f"{d.unit}: {d.kind}{', ' + d.address if d.address else ''}. Tiêu chuẩn áp dụng: "
            f"{d.standard}."
        ),
        Text("II. KẾT QUẢ THỰC HIỆN CÁC TIÊU CHÍ (TỰ ĐÁNH GIÁ)", "heading"),
    ]
    for c in d.lines:
        if c.depth == 0:
            blocks.append(
                Text(
                    f"{c.text} Tự đánh giá: {c.verdict}. {c.explanation}",
                    lead=f"Tiêu chí {c.code} ({c.reference}).",
                )
            )
        else:
            blocks.append(Text(f"{c.verdict}. {c.explanation}", "item", lead=f"- {c.code}:"))
    blocks += [
        Text("III. TỰ ĐÁNH GIÁ CHUNG", "heading"),
        Text(f"Kết quả: {_result_label(a.result)}." if a else f"Kết quả: {DOTS}."),
        Signatures(right=_unit_head(reg), recipients=(f"- {d.addressee};", "- Lưu.")),
    ]
    return Paper(
        f"Báo cáo kết quả — {d.unit} — {d.year}",
        _unit_letterhead(reg, "BC", _submitted_on(reg)),
        tuple(blocks),
    )


def minutes_paper(d: Dossier) -> Paper:
    reg, a = d.registration, d.assessment
    if a is None:
        raise ValidationError(_("Chưa có biên bản họp đánh giá."))
    roles = services.MEETING_ROLES.get(reg.unit_kind, {})
    mode = str(Assessment.Mode(a.mode).label)
    d0 = a.held_on
    blocks: list[Block] = [
        Text("BIÊN BẢN", "title"),
        Text(
            f"Họp đánh giá kết quả xây dựng {d.unit} đạt tiêu chuẩn {STANDARD} năm {d.year}",
            "subtitle",
        ),
        Text("", "rule"),
        Text(
            f"Hôm nay, ngày {d0.day:02d} tháng {d0.month:02d} năm {d0.year}, {d.unit} tổ chức "
            f"đánh giá kết quả thực hiện các tiêu chí theo {d.standard}. Hình thức: "
            f"{lower_first(mode)}."
        ),
        Text("I. THÀNH PHẦN", "heading"),
        Text(a.chair, "item", lead="Chủ trì:"),
        *[
            Text(
                f"{p.get('name', '')} — {roles.get(p.get('role', ''), p.get('role', ''))}",
                "item",
                lead="-",
            )
            for p in a.participants
        ],
        Text("II. NỘI DUNG ĐÁNH GIÁ THEO TIÊU CHÍ", "heading"),
        Table(
            ("Tiêu chí", "Căn cứ", "Kết quả", "Nhận xét"),
            tuple((c.code, c.reference, c.verdict, c.explanation) for c in d.lines),
            (1.8, 3.2, 2.2, 9.3),
        ),
        Text("III. KẾT LUẬN", "heading"),
        Text(
            f"{d.unit} {'đạt' if a.result == Result.MET else 'chưa đạt'} tiêu chuẩn {STANDARD} "
            f"năm {d.year}."
        ),
    ]
    if a.conclusion.strip():
        blocks.append(Text(a.conclusion.strip()))
    blocks.append(Signatures(left=Signature(("THƯ KÝ",)), right=Signature(("CHỦ TRÌ",), a.chair)))
    return Paper(
        f"Biên bản họp — {d.unit} — {d.year}", _unit_letterhead(reg, "BB", a.held_on), tuple(blocks)
    )


@_vi
def decision_paper(decision: Decision) -> Paper:
    items = list(
        decision.items.select_related(
            "registration__unit",
            "registration__commune",
            "registration__province",
            "registration__authority",
        ).order_by("registration__unit__name")
    )
    header, body_name = deciding_body(decision.issuing_body, decision.issuing_unit.name)
    role = signer_role(decision.signer_title)
    met = [i for i in items if i.result == Result.MET]
    not_met = [i for i in items if i.result != Result.MET]
    cset = registry().sets.get(items[0].registration.criteria_set) if items else None
    rule = items[0].registration.authority if items else None
    signed = f"{decision.number} ngày {short_date(decision.signed_on)}"
    blocks: list[Block] = [
        Text("QUYẾT ĐỊNH", "title"),
        Text(f"Về việc công nhận đạt tiêu chuẩn {STANDARD} năm {decision.year}", "subtitle"),
        Text("", "rule"),
        Text(f"{role} {body_name}".upper(), "authority"),
        Text("Căn cứ Luật Tổ chức chính quyền địa phương;"),
        Text(
            f"Căn cứ {cset.title if cset else 'Thông tư số 124/2021/TT-BCA'} quy định về khu "
            f"dân cư, xã, phường, thị trấn, cơ quan, doanh nghiệp, cơ sở giáo dục đạt tiêu chuẩn "
            f"{STANDARD};"
        ),
        Text(f"Theo đề nghị của {rule.appraising_body if rule else DOTS}."),
        Text("QUYẾT ĐỊNH:", "title"),
        Text(
            f"Công nhận {len(met)} đơn vị đạt tiêu chuẩn {STANDARD} năm {decision.year} (có "
            "danh sách kèm theo).",
            lead="Điều 1.",
        ),
    ]
    n = 2
    if not_met:
        blocks.append(
            Text(
                f"Không công nhận {len(not_met)} đơn vị chưa đạt tiêu chuẩn (có danh "
                "sách kèm theo).",
                lead="Điều 2.",
            )
        )
        n = 3
    blocks += [
        Text("Quyết định này có hiệu lực kể từ ngày ký.", lead=f"Điều {n}."),
        Text(
            "Các cơ quan, đơn vị và cá nhân có liên quan, các đơn vị có tên trong danh sách kèm "
            "theo chịu trách nhiệm thi hành Quyết định này.",
            lead=f"Điều {n + 1}.",
        ),
        Signatures(
            right=Signature((role.upper(),), decision.signer_name),
            recipients=(f"- Như Điều {n + 1};", "- Lưu: VT."),
        ),
        PageBreak(),
        Text("DANH SÁCH", "title"),
        Text(
            f"Đơn vị được xét công nhận đạt tiêu chuẩn {STANDARD} năm {decision.year}", "subtitle"
        ),
        Text(f"(Kèm theo Quyết định số {signed} của {role} {body_name})", "note"),
        Table(
            ("STT", "Tên đơn vị", "Loại", "Xã, phường / Tỉnh", "Kết quả"),
            tuple(
                (
                    str(i),
                    it.registration.unit.name,
                    str(UnitKind(it.registration.unit_kind).label),
                    address(it.registration),
                    _result_label(it.result),
                )
                for i, it in enumerate(met + not_met, 1)
            ),
            (1.2, 5.0, 3.0, 5.0, 2.3),
        ),
    ]
    head = Letterhead(
        body=header,
        number=f"Số: {decision.number}",
        place_date=place_date(
            place_name(decision.issuing_unit.name), decision.signed_on, decision.signed_on.year
        ),
    )
    return Paper(f"Quyết định {decision.number}", head, tuple(blocks))


@_vi
def certificates_data(certificates: Iterable[Certificate]) -> list[CertificateData]:
    ids = [c.pk for c in certificates]
    rows = Certificate.objects.filter(pk__in=ids).select_related(
        "registration__unit",
        "registration__commune",
        "registration__province",
        "decision__issuing_unit",
    )
    by_id = {c.pk: c for c in rows}
    out = []
    for pk in ids:
        c = by_id[pk]
        d, reg = c.decision, c.registration
        header, body_name = deciding_body(d.issuing_body, d.issuing_unit.name)
        role = signer_role(d.signer_title)
        committee = len(header) > 1
        out.append(
            CertificateData(
                letterhead=Letterhead(
                    body=header,
                    number=f"Số: {c.number}",
                    place_date=place_date(
                        place_name(d.issuing_unit.name), c.issued_on, c.issued_on.year
                    ),
                ),
                unit_name=reg.unit.name,
                unit_kind=str(UnitKind(reg.unit_kind).label),
                address=address(reg),
                year=c.year,
                decision_line=f"(Theo Quyết định số {d.number} ngày {short_date(d.signed_on)} "
                f"của {role} {body_name})",
                signature=Signature(
                    ("TM. ỦY BAN NHÂN DÂN", role.upper()) if committee else (role.upper(),),
                    d.signer_name,
                ),
                number=c.number,
                code=c.verification_code,
                url=f"{settings.ANTT_PUBLIC_URL}/verify/{c.verification_code}",
            )
        )
    return out
