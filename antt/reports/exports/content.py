"""What every report format says, worked out once from the statistics dict.

The XLSX, DOCX and PDF builders all read a :class:`Report`, so the sentences, labels and figures
are the same in each. Pure: dicts in, dataclasses and Vietnamese strings out; missing optional
keys become "—" or are left out, never an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from antt.reports.charts import format_int, format_percent

KIND_ORDER = ("residential_area", "commune", "agency", "enterprise", "school", "organization")
KIND_LABELS = {
    "residential_area": "Khu dân cư",
    "commune": "Xã, phường, đặc khu",
    "agency": "Cơ quan",
    "enterprise": "Doanh nghiệp",
    "school": "Cơ sở giáo dục",
    "organization": "Cơ quan, doanh nghiệp, cơ sở giáo dục",
}
# Before the 2025 reform the commune level was "xã, phường, thị trấn" (REGULATION §7).
COMMUNE_BEFORE_2025 = "Xã, phường, thị trấn"
REFORM_YEAR = 2025
RESULT_LABELS = {"met": "Đạt", "not_met": "Chưa đạt", "pending": "Chưa có kết quả"}

LEGAL_BASES = {
    "124/2021": "Thông tư số 124/2021/TT-BCA ngày 28/12/2021 của Bộ trưởng Bộ Công an",
    "23/2012": "Thông tư số 23/2012/TT-BCA ngày 27/4/2012 của Bộ trưởng Bộ Công an",
}
AMENDMENT_48 = "được sửa đổi, bổ sung bởi Thông tư số 48/2025/TT-BCA"
STANDARD = "“An toàn về an ninh, trật tự”"
NBSP = "\u00a0"

MOTTO_COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
ISSUER_PLACEHOLDER = "BAN CHỈ ĐẠO …"
SIGNER_PLACEHOLDER = "QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ"
SIGNATURE_HINT = "(Chữ ký của người có thẩm quyền, dấu/chữ ký số của cơ quan, tổ chức)"
NAME_PLACEHOLDER = "Họ và tên"

# Prefixes of unit names, longest first, and the word used in "Toàn tỉnh", "Toàn phường" …
SCOPE_WORDS = (
    ("thành phố", "thành phố"),
    ("đặc khu", "đặc khu"),
    ("thị trấn", "thị trấn"),
    ("thị xã", "thị xã"),
    ("phường", "phường"),
    ("huyện", "huyện"),
    ("quận", "quận"),
    ("tỉnh", "tỉnh"),
    ("xã", "xã"),
)


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return round(float(value))
        except (TypeError, ValueError):
            return None


def _float(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def kind_label(kind: str, year: int | None = None) -> str:
    if kind == "commune" and year is not None and year < REFORM_YEAR:
        return COMMUNE_BEFORE_2025
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize() if kind else "—")


def kind_noun(kind: str, year: int | None = None) -> str:
    """The label as it reads inside a sentence: "khu dân cư", "xã, phường, đặc khu"."""
    label = kind_label(kind, year)
    return label[:1].lower() + label[1:]


def legal_basis_text(code: str | None) -> str:
    """ "TT 124/2021" → "Thông tư số 124/2021/TT-BCA ngày 28/12/2021 của Bộ trưởng Bộ Công an"."""
    if not code:
        return ""
    for key, text in LEGAL_BASES.items():
        if key in code:
            return f"{text} ({AMENDMENT_48})" if "48/2025" in code else text
    return code


def strip_unit_type(name: str) -> str:
    """ "Tỉnh Quảng Ngãi" → "Quảng Ngãi" (the place name written before the date)."""
    lowered = name.lower()
    for prefix, _ in SCOPE_WORDS:
        if lowered.startswith(prefix + " "):
            return name[len(prefix) + 1 :].strip()
    return name


def scope_phrase(name: str, code: str | None = None) -> str:
    """ "Tỉnh Quảng Ngãi" → "Toàn tỉnh"; the whole country → "Toàn quốc"."""
    lowered = name.lower().strip()
    if not code and (not lowered or lowered in ("toàn quốc", "việt nam", "cả nước")):
        return "Toàn quốc"
    for prefix, word in SCOPE_WORDS:
        if lowered.startswith(prefix + " "):
            return f"Toàn {word}"
    return "Toàn địa bàn"


def parse_moment(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def date_line(place: str, moment: dt.date | None) -> str:
    """Decree 30/2020: "Quảng Ngãi, ngày 05 tháng 02 năm 2026" (a leading zero for days under 10
    and for January and February); blanks to fill by hand when there is no date."""
    where = place or "……"
    if moment is None:
        return f"{where}, ngày …… tháng …… năm ……"
    day = f"{moment.day:02d}"
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    return f"{where}, ngày {day} tháng {month} năm {moment.year}"


def moment_text(moment: dt.date | dt.datetime | None) -> str:
    if isinstance(moment, dt.datetime):
        return moment.strftime("%H:%M %d/%m/%Y")
    if isinstance(moment, dt.date):
        return moment.strftime("%d/%m/%Y")
    return "—"


# --- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    kind: str
    label: str
    noun: str
    eligible: int | None
    registered: int | None
    met: int | None
    not_met: int | None
    rate: float | None
    rate_display: str
    denominator: int | None  # what the rate divides by (registered unless the data says)
    pending: int | None = None  # registered, no decision yet
    rate_eligible: float | None = None  # met / eligible, for reports that prefer it

    @property
    def ratio(self) -> str:
        """ "740/757", or "—" when either number is missing or nothing was registered."""
        if self.met is None or not self.denominator:
            return "—"
        return f"{format_int(self.met)}/{format_int(self.denominator)}"

    @property
    def eligible_text(self) -> str:
        return format_int(self.eligible)

    @property
    def registered_text(self) -> str:
        return format_int(self.registered)

    @property
    def met_text(self) -> str:
        return format_int(self.met)

    @property
    def not_met_text(self) -> str:
        return format_int(self.not_met)

    @property
    def pending_text(self) -> str:
        return format_int(self.pending)

    @property
    def in_scope(self) -> bool:
        """False for a kind the scope has none of (nothing eligible, nothing registered)."""
        return bool(self.eligible or self.registered or self.met)


def make_row(
    raw: Mapping[str, Any], year: int | None = None, denominator: str = "registered"
) -> Row:
    kind = str(raw.get("kind") or "")
    eligible, registered, met = (_int(raw.get(k)) for k in ("eligible", "registered", "met"))
    not_met, pending = _int(raw.get("not_met")), _int(raw.get("pending"))
    if not_met is None and registered is not None and met is not None:
        not_met = registered - met - (pending or 0)
    if pending is None and None not in (registered, met, not_met):
        pending = registered - met - not_met  # type: ignore[operator]
    base = eligible if (raw.get("denominator") or denominator) == "eligible" else registered
    rate = _float(raw.get("rate"))
    if rate is None and met is not None and base:
        rate = met / base
    # The year-aware wording ("xã, phường, thị trấn" before 2025) wins over a generic label.
    known = kind in KIND_LABELS
    label = str(
        raw.get("label")
        or (kind_label(kind, year) if known else raw.get("kind_label"))
        or kind_label(kind, year)
    )
    rate_eligible = _float(raw.get("rate_eligible"))
    if rate_eligible is None and met is not None and eligible:
        rate_eligible = met / eligible
    return Row(
        kind=kind,
        label=label,
        noun=label[:1].lower() + label[1:],
        eligible=eligible,
        registered=registered,
        met=met,
        not_met=not_met,
        rate=rate,
        rate_display=str(raw.get("rate_display") or format_percent(rate)),
        denominator=base,
        pending=pending,
        rate_eligible=rate_eligible,
    )


def make_rows(raw_rows: Any, year: int | None = None, denominator: str = "registered") -> list[Row]:
    rows = [make_row(r, year, denominator) for r in (raw_rows or []) if isinstance(r, Mapping)]
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(rows, key=lambda r: order.get(r.kind, len(order)))


ORGANIZATION_PARTS = frozenset({"agency", "enterprise", "school"})


def _together(row: Row, rows: Sequence[Row]) -> str:
    """ "tính chung " before the aggregate when its three parts were already counted."""
    if row.kind == "organization" and any(r.kind in ORGANIZATION_PARTS for r in rows):
        return "tính chung "
    return ""


def headline(scope: str, rows: Sequence[Row]) -> str:
    """ "Toàn tỉnh có 740/757 khu dân cư đạt tiêu chuẩn (97,75%); …"."""
    parts = []
    for row in rows:
        if row.met is None or not row.in_scope:
            continue
        if not row.denominator:
            parts.append(f"{_together(row, rows)}chưa có {row.noun} nào đăng ký")
        else:
            parts.append(
                f"{_together(row, rows)}{row.ratio} {row.noun} đạt tiêu chuẩn ({row.rate_display})"
            )
    if not parts:
        return f"{scope} chưa có số liệu về kết quả xây dựng đạt tiêu chuẩn {STANDARD}."
    return f"{scope} có {'; '.join(parts)}."


def registration_sentence(rows: Sequence[Row]) -> str:
    parts = [
        f"{_together(r, rows)}{format_int(r.registered)}/{format_int(r.eligible)} {r.noun} "
        f"({format_percent(r.registered / r.eligible)})"
        for r in rows
        if r.registered is not None and r.eligible
    ]
    if not parts:
        return ""
    return "Số đăng ký xây dựng so với số thuộc diện: " + "; ".join(parts) + "."


def not_met_sentence(rows: Sequence[Row]) -> str:
    parts = [f"{_together(r, rows)}{format_int(r.not_met)} {r.noun}" for r in rows if r.not_met]
    if not parts:
        return ""
    return "Số chưa đạt tiêu chuẩn: " + "; ".join(parts) + "."


def pending_sentence(rows: Sequence[Row]) -> str:
    parts = [f"{_together(r, rows)}{format_int(r.pending)} {r.noun}" for r in rows if r.pending]
    if not parts:
        return ""
    return "Đã đăng ký nhưng chưa có kết quả xét công nhận: " + "; ".join(parts) + "."


def kinds_phrase(kinds: Sequence[str], year: int | None) -> str:
    """The kinds in a title: the aggregate "organization" only when its parts are absent."""
    present = [k for k in KIND_ORDER if k in kinds]
    parts = {"agency", "enterprise", "school"}
    if "organization" in present and parts & set(present):
        present.remove("organization")
    nouns = [kind_noun(k, year) for k in present] or ["các đơn vị"]
    return ", ".join(nouns)


# --- units not met ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedUnit:
    parent_code: str
    parent_name: str
    code: str
    name: str
    kind: str
    result: str
    criteria: tuple[str, ...]

    explanation: str = ""
    result_code: str = ""

    @property
    def criteria_text(self) -> str:
        return "; ".join(self.criteria) or "—"


def _codes(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [c for c in re.split(r"[;,\s]+", value) if c]
    return [str(c) for c in value if c]


def failed_codes(unit: Mapping[str, Any]) -> tuple[str, ...]:
    """The failed criteria, each replaced by its failed points when the data names them:
    ["4.1", "4.3"] with points ["4.3.c"] → ("4.1", "4.3.c")."""
    criteria, points = _codes(unit.get("failed_criteria")), _codes(unit.get("failed_points"))
    out: list[str] = []
    for code in criteria:
        own = [p for p in points if p.startswith(code + ".")]
        out.extend(own or [code])
    out.extend(p for p in points if p not in out)
    return tuple(out)


def unit_line(unit: Mapping[str, Any], parent: Mapping[str, Any], year: int | None) -> FailedUnit:
    details = unit.get("failed_details") or []
    explanations = [
        str(d.get("explanation"))
        for d in details
        if isinstance(d, Mapping) and d.get("explanation")
    ]
    if unit.get("note"):
        explanations.append(str(unit["note"]))
    result = unit.get("result")
    if result:
        shown = RESULT_LABELS.get(str(result), str(unit.get("result_label") or result))
    else:
        shown = str(unit.get("result_label") or "Chưa đăng ký")
    return FailedUnit(
        parent_code=str(parent.get("code") or ""),
        parent_name=str(parent.get("name") or ""),
        code=str(unit.get("code") or ""),
        name=str(unit.get("name") or ""),
        kind=kind_label(str(unit.get("kind") or ""), year),
        result=shown,
        criteria=failed_codes(unit),
        explanation="; ".join(explanations),
        result_code=str(result or ""),
    )


def failed_units(
    children: Sequence[Mapping[str, Any]],
    year: int | None,
    scope: Mapping[str, Any] | None = None,
    units: Sequence[Any] = (),
) -> list[FailedUnit]:
    """Units not met: the children's lists, then the scope's own list (a commune's units)."""
    found = []
    sources = [(child, child.get("units") or []) for child in children]
    sources.append((scope or {}, units))
    for parent, lines in sources:
        for unit in lines:
            if isinstance(unit, Mapping) and unit.get("result") == "not_met":
                found.append(unit_line(unit, parent, year))
    return found


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    code: str
    name: str
    rows: list[Row]
    latitude: float | None
    longitude: float | None
    kind: str = ""

    def row(self, kind: str) -> Row | None:
        return next((r for r in self.rows if r.kind == kind), None)


@dataclass(frozen=True)
class YearResult:
    year: int
    legal_basis: str
    rows: list[Row]


@dataclass
class Report:
    kind: str  # "summary" or "review"
    scope_code: str
    scope_name: str
    scope: str  # "Toàn tỉnh"
    title: str  # the subject line under "BÁO CÁO"
    file_title: str  # one line, for document properties and the PDF <title>
    issuer_parent: str
    issuer_name: str
    number_line: str
    date_line: str
    generated: str
    legal_basis: str
    legal_basis_text: str
    rows: list[Row] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    failed: list[FailedUnit] = field(default_factory=list)
    has_unit_lists: bool = False
    units: list[FailedUnit] = field(default_factory=list)  # every unit, for a commune's report
    years: list[int] = field(default_factory=list)
    series: list[YearResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    signer_title: str = SIGNER_PLACEHOLDER
    signer_name: str = NAME_PLACEHOLDER
    recipients: list[str] = field(default_factory=list)
    year: int | None = None
    markers: dict[int, str] | None = None  # for the review's chart; None: the chart's defaults

    @property
    def child_kinds(self) -> list[str]:
        """Kinds shown per child in the documents: the aggregate replaces its three parts."""
        kinds = [k for k in KIND_ORDER if any(c.row(k) for c in self.children)]
        if "organization" in kinds:
            kinds = [k for k in kinds if k not in ("agency", "enterprise", "school")]
        return kinds


def _texts(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v]


def _common(data: Mapping[str, Any], kind: str) -> dict[str, Any]:
    scope = data.get("scope") or {}
    name = str(scope.get("name") or "")
    code = str(scope.get("code") or "")
    issuer = data.get("issuer") or {}
    signer = data.get("signer") or {}
    parent = issuer.get("parent") or (f"UBND {name.upper()}" if name else "……")
    abbreviation = issuer.get("abbreviation") or "BCĐ"
    moment = parse_moment(data.get("report_date") or data.get("generated_at"))
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    place = str(data.get("place") or strip_unit_type(name))
    return {
        "kind": kind,
        "scope_code": code,
        "scope_name": name or "—",
        "scope": scope_phrase(name, code),
        "issuer_parent": str(parent).upper(),
        "issuer_name": str(issuer.get("name") or ISSUER_PLACEHOLDER).upper(),
        "number_line": f"Số:{NBSP * 8}/BC-{abbreviation}",  # the number is written by hand
        "date_line": date_line(place, day),
        "generated": moment_text(parse_moment(data.get("generated_at"))),
        "notes": _texts(data.get("notes")),
        "warnings": _texts(data.get("warnings")),
        "signer_title": str(signer.get("title") or SIGNER_PLACEHOLDER).upper(),
        "signer_name": str(signer.get("name") or NAME_PLACEHOLDER),
        "recipients": _texts(data.get("recipients")) or ["Như trên", "Lưu: VT"],
    }


def summary_report(data: Mapping[str, Any]) -> Report:
    year = _int(data.get("year"))
    denominator = str(data.get("denominator") or "registered")
    rows = make_rows(data.get("rows"), year, denominator)
    raw_children = [c for c in data.get("children") or [] if isinstance(c, Mapping)]
    children = [
        Child(
            code=str(c.get("code") or ""),
            name=str(c.get("name") or c.get("code") or "—"),
            rows=make_rows(c.get("rows"), year, denominator),
            latitude=_float(c.get("latitude")),
            longitude=_float(c.get("longitude")),
            kind=str(c.get("kind") or ""),
        )
        for c in raw_children
    ]
    scope = data.get("scope") or {}
    raw_units = [u for u in data.get("units") or [] if isinstance(u, Mapping)]
    legal = str(data.get("legal_basis") or "")
    criteria = data.get("criteria_set") or {}
    year_text = f" năm {year}" if year else ""
    subject = str(
        data.get("title")
        or f"Kết quả xây dựng {kinds_phrase([r.kind for r in rows if r.in_scope], year)} "
        f"đạt tiêu chuẩn "
        f"{STANDARD}{year_text}"
    )
    report = Report(
        **_common(data, "summary"),
        title=subject,
        file_title=f"Báo cáo {subject[:1].lower()}{subject[1:]}",
        legal_basis=legal,
        legal_basis_text=str(criteria.get("title") or legal_basis_text(legal)),
        rows=rows,
        children=children,
        failed=failed_units(raw_children, year, scope, raw_units),
        has_unit_lists=any("units" in c for c in raw_children) or "units" in data,
        units=[unit_line(u, scope, year) for u in raw_units],
        year=year,
    )
    report.paragraphs = [
        p
        for p in (
            headline(report.scope, rows),
            registration_sentence(rows),
            not_met_sentence(rows),
            pending_sentence(rows),
            lowest_children_sentence(report),
        )
        if p
    ]
    _denominator_note(report, data, denominator)
    return report


def _denominator_note(report: Report, data: Mapping[str, Any], denominator: str) -> None:
    """Say what the rate divides by, unless the statistics' notes already do."""
    if any("Tỷ lệ" in note for note in report.notes):
        return
    if data.get("denominator_label"):
        report.notes.append(str(data["denominator_label"]) + ".")
    elif denominator == "eligible":
        report.notes.append("Tỷ lệ đạt tính trên tổng số đơn vị thuộc diện xây dựng.")
    else:
        report.notes.append("Tỷ lệ đạt tính trên số đơn vị đã đăng ký xây dựng.")


def main_kind(kinds: Sequence[str]) -> str | None:
    return next((k for k in KIND_ORDER if k in kinds), None)


def lowest_children_sentence(report: Report, count: int = 3) -> str:
    kind = main_kind(report.child_kinds)
    if kind is None:
        return ""
    rated = [
        (row.rate, child, row)
        for child in report.children
        if (row := child.row(kind)) is not None and row.rate is not None
    ]
    if len(rated) < 2:
        return ""
    full = sum(1 for rate, _, _ in rated if rate >= 1)
    lowest = sorted((r for r in rated if r[0] < 1), key=lambda r: r[0])[:count]
    noun = kind_noun(kind, report.year)
    text = (
        f"Có {format_int(full)}/{format_int(len(rated))} đơn vị trực thuộc có 100% {noun} "
        "đạt tiêu chuẩn"
    )
    if lowest:
        names = ", ".join(f"{c.name} ({r.ratio}, {r.rate_display})" for _, c, r in lowest)
        text += f"; tỷ lệ {noun} đạt thấp nhất: {names}"
    return text + "."


def review_report(data: Mapping[str, Any]) -> Report:
    denominator = str(data.get("denominator") or "registered")
    series = []
    for item in data.get("series") or []:
        if not isinstance(item, Mapping) or _int(item.get("year")) is None:
            continue
        year = _int(item.get("year")) or 0
        series.append(
            YearResult(
                year=year,
                legal_basis=str(item.get("legal_basis") or ""),
                rows=make_rows(item.get("rows"), year, denominator),
            )
        )
    series.sort(key=lambda s: s.year)
    years = sorted({_int(y) or 0 for y in data.get("years") or []} | {s.year for s in series})
    last = years[-1] if years else None
    kinds = [
        k for k in KIND_ORDER if any(r.kind == k and r.in_scope for s in series for r in s.rows)
    ]
    period = (
        f" giai đoạn {years[0]}{NBSP}-{NBSP}{years[-1]}"
        if len(years) > 1
        else (f" năm {years[0]}" if years else "")
    )
    subject = str(
        data.get("title")
        or f"Kết quả xây dựng {kinds_phrase(kinds, last)} đạt tiêu chuẩn {STANDARD}{period}"
    )
    bases = list(dict.fromkeys(s.legal_basis for s in series if s.legal_basis))  # oldest first
    titles = {
        str(item.get("legal_basis")): str((item.get("criteria_set") or {}).get("title") or "")
        for item in data.get("series") or []
        if isinstance(item, Mapping)
    }
    report = Report(
        **_common(data, "review"),
        title=subject,
        file_title=f"Báo cáo {subject[:1].lower()}{subject[1:]}",
        legal_basis=", ".join(bases),
        legal_basis_text="; ".join(titles.get(b) or legal_basis_text(b) for b in bases),
        years=years,
        series=series,
        year=last,
    )
    paragraphs = []
    for result in series:
        basis = f" (theo {result.legal_basis})" if result.legal_basis else ""
        paragraphs.append(
            f"Năm {result.year}{basis}: " + _lower_first(headline(report.scope, result.rows))
        )
    paragraphs.extend(change_sentences(series, last))
    report.paragraphs = paragraphs
    report.markers = review_markers(data, series)
    _denominator_note(report, data, denominator)
    return report


BREAK_CAPTIONS = {
    "criteria_change": "{year}: tiêu chí {new} thay {old}",
    "reform_2025": "01/7/2025: sắp xếp đơn vị hành chính",
}


def review_markers(data: Mapping[str, Any], series: Sequence[YearResult]) -> dict[int, str] | None:
    """Chart markers from the statistics' breaks (the year after each break); None when the data
    does not say, so that the chart marks 2022 and 2025 itself."""
    raw = [s for s in data.get("series") or [] if isinstance(s, Mapping)]
    if not any("breaks" in s for s in raw) and "breaks" not in data:
        return None
    basis: dict[int | None, str] = {s.year: s.legal_basis for s in series}
    years = sorted(s.year for s in series)
    found: dict[int, list[str]] = {}
    for item in raw:
        year = _int(item.get("year"))
        for code in item.get("breaks") or []:
            if year is None:
                continue
            before = max((y for y in years if y < year), default=None)
            caption = BREAK_CAPTIONS.get(str(code), str(code)).format(
                year=year, new=basis.get(year) or "mới", old=basis.get(before) or "trước"
            )
            found.setdefault(year, []).append(caption)
    if not found:
        for item in data.get("breaks") or []:
            if isinstance(item, Mapping) and len(item.get("years") or []) == 2:
                after = _int(item["years"][1])
                code = str(item.get("code"))
                if after is not None:
                    caption = BREAK_CAPTIONS.get(code, code).format(
                        year=after,
                        new=basis.get(after) or "mới",
                        old=basis.get(_int(item["years"][0])) or "trước",
                    )
                    found.setdefault(after, []).append(caption)
    return {year: "; ".join(captions) for year, captions in found.items()}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def change_sentences(series: Sequence[YearResult], label_year: int | None) -> list[str]:
    """First year against last, per kind, in percentage points, with the caveat when the legal
    basis differs between the two years."""
    if len(series) < 2:
        return []
    first, last = series[0], series[-1]
    out = []
    for row in last.rows:
        before = next((r for r in first.rows if r.kind == row.kind), None)
        if before is None or before.rate is None or row.rate is None:
            continue
        delta = row.rate - before.rate
        points = format_percent(abs(delta)).rstrip("%")
        if abs(delta) < 0.00005:
            change = "không đổi"
        else:
            change = f"{'tăng' if delta > 0 else 'giảm'} {points} điểm phần trăm"
        text = (
            f"Tỷ lệ {kind_noun(row.kind, label_year)} đạt tiêu chuẩn năm {last.year} so với năm "
            f"{first.year}: {change} ({before.rate_display} → {row.rate_display})"
        )
        caveats = []
        if first.legal_basis and last.legal_basis and first.legal_basis != last.legal_basis:
            caveats.append(
                f"hai năm áp dụng tiêu chí khác nhau ({first.legal_basis}, {last.legal_basis})"
            )
        if first.year < REFORM_YEAR <= last.year:
            caveats.append("địa giới hành chính đã thay đổi từ 01/7/2025")
        if caveats:
            text += "; lưu ý " + " và ".join(caveats)
        out.append(text + ".")
    return out


def review_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """Kinds × years, each cell "740/757" over "97,75%", and a first row with the legal basis."""
    labels = latest_labels(report, lambda row: row.in_scope)
    by_year = {r.year: {row.kind: row for row in r.rows} for r in report.series}
    basis = {r.year: r.legal_basis or "—" for r in report.series}
    rows = [["Căn cứ", *(basis.get(y, "—") for y in report.years)]]
    for kind, label in labels.items():
        cells = [label]
        for year in report.years:
            row = by_year.get(year, {}).get(kind)
            if row is None or row.ratio == "—":
                cells.append(row.rate_display if row else "—")
            else:
                cells.append(f"{row.ratio}\n{row.rate_display}")
        rows.append(cells)
    return ["Loại đơn vị", *(str(y) for y in report.years)], rows


def opening(report: Report) -> str:
    """ "Căn cứ Thông tư số 124/2021/TT-BCA …, Ban chỉ đạo … báo cáo kết quả … như sau:"."""
    issuer = report.issuer_name[:1] + report.issuer_name[1:].lower()
    subject = report.title[:1].lower() + report.title[1:]
    basis = (
        f"Căn cứ {report.legal_basis_text} quy định về khu dân cư, xã, phường, thị trấn, cơ quan, "
        f"doanh nghiệp, cơ sở giáo dục đạt tiêu chuẩn {STANDARD}, "
        if report.legal_basis_text
        else ""
    )
    return f"{basis}{issuer} báo cáo {subject} như sau:"


def roman(number: int) -> str:
    return ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")[number - 1]


def latest_labels(report: Report, keep: Callable[[Row], bool]) -> dict[str, str]:
    """The kinds of a review in the usual order, each named as in the latest year it appears."""
    labels: dict[str, str] = {}
    for result in reversed(report.series):
        for row in result.rows:
            if keep(row):
                labels.setdefault(row.kind, row.label)
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return dict(sorted(labels.items(), key=lambda item: order.get(item[0], len(order))))
