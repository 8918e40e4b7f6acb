"""Trends and multi-year reviews (sơ kết, tổng kết): the same rows per year, each year with its
legal basis and windows, and a warning wherever the series crosses a break (REGULATION §9, §11,
D19): the change of criteria (TT 23/2012 → TT 124/2021, 2021 → 2022) and the 2025 reform of the
administrative map (2024 → 2025).

Two aggregate queries whatever the number of years: the registrations grouped by year and kind,
and the eligible units counted once per year with ``Count(filter=...)`` on their validity.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from antt.recognition.evaluation import reference_day
from antt.recognition.models import Registration
from antt.reports.statistics import (
    DENOMINATOR_LABELS,
    NOTE_DENOMINATOR,
    NOTE_HISTORICAL,
    NOTE_MAPPED,
    NOTE_SPLIT,
    REFORM,
    Counts,
    Scope,
    criteria_set,
    eligible_units,
    legal_basis,
    registration_counts,
    rows,
    valid_on_q,
)

__all__ = ["MAX_YEARS", "YearsError", "default_years", "parse_years", "review", "warnings_for"]

MAX_YEARS = 30

WARNING_CRITERIA = (
    "Chuỗi số liệu đi qua năm %(before)s → %(after)s: kết quả đến năm %(before)s được đánh giá "
    "theo %(old)s, từ năm %(after)s theo %(new)s (tiêu chí, phạm vi đối tượng và kỳ đánh giá khác "
    "nhau): không so sánh trực tiếp hai giai đoạn."
)
WARNING_REFORM = (
    "Chuỗi số liệu đi qua mốc sắp xếp đơn vị hành chính 01/7/2025 (năm %(before)s → %(after)s): "
    "%(how)s"
)
REFORM_CURRENT = (
    "số liệu các năm trước được cộng theo địa giới hiện nay qua bảng chuyển đổi đơn vị cũ → đơn "
    "vị mới; danh sách và số lượng đơn vị thay đổi giữa hai giai đoạn."
)
REFORM_HISTORICAL = (
    "đơn vị này thuộc địa giới cũ; từ năm %(after)s số đơn vị thuộc đối tượng bằng 0 và kết quả "
    "được báo cáo theo đơn vị hành chính mới."
)


class YearsError(ValueError):
    """The ``years`` parameter cannot be read; the message says why, in Vietnamese."""


def parse_years(text: str, first: int, last: int) -> list[int]:
    """ "2021-2025", "2021–2025" or "2019,2021,2023" (spaces allowed) → sorted distinct years
    between ``first`` and ``last``."""
    raw = (text or "").strip()
    if not raw:
        raise YearsError("Thiếu các năm cần tổng hợp (ví dụ 2021-2025).")
    years: set[int] = set()
    for part in re.split(r"[,;\s]+", raw):
        if not part:
            continue
        match = re.fullmatch(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?", part)
        if match is None:
            raise YearsError(
                f"Không đọc được “{part}”: ghi một khoảng năm (2021-2025) hoặc danh sách năm "
                "cách nhau bởi dấu phẩy (2021,2023,2025)."
            )
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start:
            raise YearsError(f"Khoảng năm “{part}” bị ngược: năm đầu phải trước năm cuối.")
        for year in (start, end):
            if not first <= year <= last:
                raise YearsError(f"Năm {year} phải từ {first} đến {last}.")
        if end - start + 1 > MAX_YEARS:
            raise YearsError(f"Tối đa {MAX_YEARS} năm trong một báo cáo.")
        years.update(range(start, end + 1))
    if len(years) > MAX_YEARS:
        raise YearsError(f"Tối đa {MAX_YEARS} năm trong một báo cáo.")
    return sorted(years)


def warnings_for(years: list[int], scope: Scope) -> list[dict[str, Any]]:
    """One warning per break between two consecutive years of the series:
    ``{"code": "criteria_change" | "reform_2025", "years": [before, after], "message"}``."""
    out: list[dict[str, Any]] = []
    for before, after in itertools.pairwise(years):
        old, new = criteria_set(before), criteria_set(after)
        if old["code"] != new["code"]:
            out.append(
                {
                    "code": "criteria_change",
                    "years": [before, after],
                    "message": WARNING_CRITERIA
                    % {
                        "before": before,
                        "after": after,
                        "old": old["title"],
                        "new": new["title"],
                    },
                }
            )
        if reference_day(before) < REFORM <= reference_day(after):
            how = REFORM_HISTORICAL % {"after": after} if scope.historical else REFORM_CURRENT
            out.append(
                {
                    "code": "reform_2025",
                    "years": [before, after],
                    "message": WARNING_REFORM % {"before": before, "after": after, "how": how},
                }
            )
    return out


def review(scope: Scope, years: list[int]) -> dict[str, Any]:
    """The series for ``scope`` over ``years``::

        {"years": [2021, ...], "scope": {...}, "denominator": "registered",
         "denominator_label": "...",
         "series": [{"year": 2021, "legal_basis": "TT 23/2012", "criteria_set": {...},
                     "breaks": ["criteria_change"], "rows": [...]}, ...],
         "warnings": ["...", ...],
         "breaks": [{"code": "criteria_change" | "reform_2025", "years": [2021, 2022],
                     "message": "..."}],
         "notes": [...], "generated_at": "..."}

    ``rows`` and ``criteria_set`` are ``statistics.summary``'s. ``warnings`` are the messages of
    ``breaks``; a year's ``breaks`` names those that fall between the previous year of the
    series and this one (where a chart draws its marker)."""
    years = sorted(set(years))
    counts: dict[int, dict[str, Counts]] = defaultdict(lambda: defaultdict(Counts))

    regs = Registration.objects.filter(scope.registration_filter(), year__in=years)
    for line in registration_counts(regs, "year"):
        c = counts[line["year"]][line["unit_kind"]]
        c.registered, c.met, c.not_met = line["registered"], line["met"], line["not_met"]
        c.imported = line["imported"]

    days = {year: reference_day(year) for year in years}
    valid_any = Q()
    for day in days.values():
        valid_any |= valid_on_q(day)
    units = eligible_units(scope, valid_any)
    per_year = {f"y{year}": Count("pk", filter=valid_on_q(day)) for year, day in days.items()}
    for line in units.order_by().values("kind").annotate(**per_year):
        for year in years:
            counts[year][line["kind"]].eligible = line[f"y{year}"]

    warnings = warnings_for(years, scope)
    breaks: dict[int, list[str]] = defaultdict(list)
    for warning in warnings:
        breaks[warning["years"][1]].append(warning["code"])

    notes = [NOTE_DENOMINATOR]
    if scope.historical:
        notes.append(NOTE_HISTORICAL % {"name": scope.name})
    elif years and days[years[0]] < REFORM and scope.level != "unit":
        before = [y for y in years if days[y] < REFORM]
        label = f"{before[0]}–{before[-1]}" if len(before) > 1 else str(before[0])
        notes += [NOTE_MAPPED % {"year": label}, NOTE_SPLIT]
    imported = sum(c.imported for kinds in counts.values() for c in kinds.values())
    if imported:
        notes.append(
            f"{imported} kết quả được nhập từ hồ sơ giấy (trước khi có hệ thống): không có biên "
            "bản đánh giá theo tiêu chí."
        )

    return {
        "years": years,
        "scope": scope.as_dict(),
        "denominator": "registered",
        "denominator_label": DENOMINATOR_LABELS["registered"],
        "series": [
            {
                "year": year,
                "legal_basis": legal_basis(year),
                "criteria_set": criteria_set(year),
                "breaks": breaks.get(year, []),
                "rows": rows(counts.get(year, {}), year),
            }
            for year in years
        ],
        "warnings": [w["message"] for w in warnings],
        "breaks": warnings,
        "notes": notes,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
    }


def default_years(last: int, count: int = 5) -> list[int]:
    return list(range(last - count + 1, last + 1))
