"""In-process measures on the current database: the reports against a hand-written GROUP BY,
the evaluation of a province and of the country, and a batch of certificate PDFs."""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

from django.db import connection

from antt.bench.figures import Figure, timed
from antt.recognition.documents.layout import certificate_workers, render_certificate_pages
from antt.recognition.documents.papers import certificates_data
from antt.recognition.evaluation import evaluate_scope
from antt.recognition.models import Certificate
from antt.recognition.national import evaluate_country
from antt.reports.statistics import Scope, summary
from antt.units.models import Unit

# The same numbers as ``statistics.summary`` for a year after the reform, written by hand: the
# floor any ORM query can reach. Eligible units (Art. 1.2, valid on 31/10) are grouped by the
# first (country) or second (province) component of their path; registrations by their copied
# geography.
ELIGIBLE = """
    (u.kind IN ('residential_area', 'commune')
     OR (u.kind = 'agency' AND NOT u.is_armed_forces)
     OR (u.kind = 'enterprise' AND u.enterprise_size IN ('medium', 'large'))
     OR (u.kind = 'school' AND u.education_level NOT IN ('preschool', 'primary', '')))
    AND (u.valid_from IS NULL OR u.valid_from <= %(day)s)
    AND (u.valid_to IS NULL OR u.valid_to >= %(day)s)
"""
HAND_NATIONAL = f"""
SELECT 'e' AS part, {{head}} AS child, u.kind, COUNT(*), 0, 0 FROM units_unit u
WHERE {ELIGIBLE} AND u.depth >= 1 GROUP BY 2, 3
UNION ALL
SELECT 'r', r.current_province_id, r.unit_kind, COUNT(*),
       SUM(CASE WHEN r.result = 'met' THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.result = 'not_met' THEN 1 ELSE 0 END)
FROM recognition_registration r WHERE r.year = %(year)s GROUP BY 2, 3
"""  # noqa: S608 (constant SQL, parameters bound)
HAND_PROVINCE = f"""
SELECT 'e' AS part, {{head}} AS child, u.kind, COUNT(*), 0, 0 FROM units_unit u
WHERE {ELIGIBLE} AND u.path LIKE %(prefix)s {{path_range}} AND u.depth >= 1 GROUP BY 2, 3
UNION ALL
SELECT 'r', r.current_commune_id, r.unit_kind, COUNT(*),
       SUM(CASE WHEN r.result = 'met' THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.result = 'not_met' THEN 1 ELSE 0 END)
FROM recognition_registration r WHERE r.year = %(year)s AND r.current_province_id = %(province)s
GROUP BY 2, 3
"""  # noqa: S608


def _path_part(n: int) -> str:
    """The n-th id of ``u.path`` ("/64/10834/…/"), as SQL for SQLite or PostgreSQL."""
    if connection.vendor == "postgresql":
        return f"CAST(split_part(u.path, '/', {n + 2}) AS bigint)"
    # SQLite has no split_part: cut after the first slash (and, for n = 1, after the second).
    rest = "substr(u.path, 2)"
    if n == 1:
        rest = f"substr({rest}, instr({rest}, '/') + 1)"
    return f"CAST(substr({rest}, 1, instr({rest}, '/') - 1) AS integer)"


def _path_range() -> str:
    """On SQLite, the prefix also as a byte range of the unique path index, as the report does
    (``statistics.under_paths``): the same query, written the fastest way SQLite runs it."""
    if connection.vendor != "sqlite":
        return ""
    return "AND u.path >= %(low)s AND u.path < %(high)s"


def _hand(sql: str, head: int, **params: Any) -> Counter[tuple[str, Any, str]]:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(head=_path_part(head), path_range=_path_range()), params)
        out: Counter[tuple[str, Any, str]] = Counter()
        for part, child, kind, n, met, not_met in cursor.fetchall():
            out[(part, child, kind)] += n
            if part == "r":
                out[("met", child, kind)] += met
                out[("not_met", child, kind)] += not_met
        return out


def _totals(hand: Counter[tuple[str, Any, str]]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for (part, _child, _kind), n in hand.items():
        out[part] += n
    return dict(out)


def _summary_totals(data: dict[str, Any]) -> dict[str, int]:
    five = [r for r in data["rows"] if r["kind"] != "organization"]
    return {
        "e": sum(r["eligible"] for r in five),
        "r": sum(r["registered"] for r in five),
        "met": sum(r["met"] for r in five),
        "not_met": sum(r["not_met"] for r in five),
    }


def reports(
    db: str, year: int, province: Unit, *, ratio_target: float | None = 1.5
) -> list[Figure]:
    """``ratio_target``: the issue sets it for the national dataset; on a small one the floor is
    a few milliseconds and the report's fixed cost (its four queries, the rows built) dominates."""
    day = f"{year}-10-31"
    national_s, national = timed(lambda: summary(Scope(None), year))
    hand_s, hand = timed(lambda: _hand(HAND_NATIONAL, 0, year=year, day=day))
    province_s, drill = timed(lambda: summary(Scope(province), year))
    hand_p_s, hand_p = timed(
        lambda: _hand(
            HAND_PROVINCE,
            1,
            year=year,
            day=day,
            prefix=f"{province.path}%",
            low=province.path,
            high=province.path[:-1] + "0",  # "0" follows "/"
            province=province.pk,
        )
    )
    same = _summary_totals(national) == _totals(hand) and _summary_totals(drill) == _totals(hand_p)
    note = "" if same else "số liệu khác câu SQL viết tay"
    return [
        Figure(db, f"báo cáo toàn quốc {year}", national_s, "s", 1.0, note=note),
        Figure(db, "  câu SQL viết tay (sàn)", hand_s, "s"),
        Figure(db, "  tỷ lệ so với SQL viết tay", national_s / hand_s, "×", ratio_target),
        Figure(db, f"báo cáo một tỉnh ({province.name})", province_s * 1000, "ms", 300),
        Figure(db, "  câu SQL viết tay (sàn)", hand_p_s * 1000, "ms"),
        Figure(db, "  tỷ lệ so với SQL viết tay", province_s / hand_p_s, "×"),
    ]


def evaluation(db: str, year: int, province: Unit) -> list[Figure]:
    """Verdicts only, as the evaluate command, the evaluation job and a bulk re-evaluation ask
    for them: a province in this process, the country over one process per core."""
    start = time.perf_counter()
    units = len(evaluate_scope(province, year, explain=False).evaluations)
    province_s = time.perf_counter() - start
    start = time.perf_counter()
    country = evaluate_country(year, processes=os.cpu_count())
    country_s = time.perf_counter() - start
    note = f"{country['processes']} tiến trình song song"
    return [
        Figure(db, f"đánh giá một tỉnh ({units:,} đơn vị)", province_s, "s", 10),
        Figure(
            db,
            f"đánh giá toàn quốc ({len(country['units']):,} đơn vị)",
            country_s,
            "s",
            120,
            note=note,
        ),
    ]


def certificates(db: str, count: int = 1000) -> list[Figure]:
    """One PDF per certificate, as ``issue_certificates_with_documents`` renders them."""
    chosen = list(Certificate.objects.select_related("registration__unit").order_by("id")[:count])
    start = time.perf_counter()
    pages = render_certificate_pages(certificates_data(chosen))
    seconds = time.perf_counter() - start
    processes = certificate_workers(len(chosen))
    note = f"{len(pages)} tệp, {sum(map(len, pages)) / 1e6:.1f} MB, {processes} tiến trình"
    return [Figure(db, f"in {len(chosen):,} giấy công nhận (PDF)", seconds, "s", 60, note=note)]
