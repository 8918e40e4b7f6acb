"""The synthetic dataset at commune scale, on a small slice of the real divisions: Phường Hoàn
Kiếm today, and two pre-2025 communes of Quận Hoàn Kiếm that became part of it."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from antt.bench import shape
from antt.bench.dataset import DatasetError, generate, parse_years
from antt.bench.yearly import verification_code
from antt.core.models import AuditEvent
from antt.recognition.evaluation import evaluate_scope
from antt.recognition.models import Assessment, Certificate, Decision, Registration
from antt.records.models import CriterionJudgement, Incident, YearFacts
from antt.units.models import Unit, UnitSource


def test_commune_scale_writes_the_planned_units_and_records(divisions: dict[str, Unit]) -> None:
    report = generate(scale="commune", years=(2024, 2025), seed=7)
    specs = shape.commune_units(7, "00070", "Phường Hoàn Kiếm")
    units = Unit.objects.filter(source=UnitSource.DEMO)
    assert report.counts["units"] == units.count() == len(specs)
    assert set(units.values_list("parent_id", flat=True)) == {divisions["commune"].pk}
    # Attributes as planned: the same seed gives the same country.
    stored = {u.code: (u.kind, u.enterprise_size, u.education_level) for u in units}
    assert stored == {s.code: (s.kind, s.enterprise_size, s.education_level) for s in specs}
    # Every eligible unit registers (the commune needs 100% for Art. 5.4); ineligible ones never.
    eligible = {s.code for s in specs if s.eligible and s.commune_managed}
    registered_2025 = set(
        Registration.objects.filter(year=2025, unit__source=UnitSource.DEMO).values_list(
            "unit__code", flat=True
        )
    )
    assert eligible <= registered_2025
    assert not registered_2025 - {s.code for s in specs if s.eligible}
    # 2024 is judged on the two pre-2025 communes, 2025 on today's commune.
    communes = Registration.objects.filter(unit_kind="commune")
    assert set(communes.filter(year=2024).values_list("unit__code", flat=True)) == {
        "00037",
        "00040",
    }
    assert list(communes.filter(year=2025).values_list("unit__code", flat=True)) == ["00070"]
    old = communes.filter(year=2024).first()
    assert old is not None
    assert old.district_id == divisions["district"].pk
    assert old.current_commune_id == divisions["commune"].pk
    assert old.current_province_id == divisions["province"].pk
    # Results are the drawn outcomes; decided units have a decision, met ones a certificate.
    managed = {s.code: s.commune_managed for s in specs}
    for reg in Registration.objects.filter(year=2024).select_related("unit"):
        code = reg.unit.code
        drawn = shape.outcome(7, code, 2024, reg.unit_kind, managed.get(code, True))
        assert reg.result == ("met" if drawn.met else "not_met")
    decided = Registration.objects.exclude(result="pending")
    assert decided.count() == sum(report.counts[k] for k in ("decision_items",))
    assert Certificate.objects.count() == decided.filter(result="met").count()
    certificate = Certificate.objects.select_related("registration__unit").first()
    assert certificate is not None
    assert certificate.verification_code == verification_code(
        7, certificate.registration.unit.code, certificate.year
    )
    assert Decision.objects.filter(year=2025, issuing_unit=divisions["commune"]).exists()
    assert Assessment.objects.exists()
    assert YearFacts.objects.filter(year=2023).exists()  # the year before, for 4.4.a
    assert CriterionJudgement.objects.exists()
    assert report.counts["incidents"] == Incident.objects.count()
    event = AuditEvent.objects.get(verb="dataset.generate")
    assert event.changes["scale"] == "commune"


def test_engine_reaches_the_decided_results(divisions: dict[str, Unit]) -> None:
    """The records are made so that the engine agrees with every decision of a decided year."""
    generate(scale="commune", years=(2024, 2025), seed=11)
    decided = dict(
        Registration.objects.filter(year=2025)
        .exclude(result="pending")
        .values_list("unit_id", "result")
    )
    result = evaluate_scope(divisions["commune"], 2025)
    compared = [(decided[u.pk], ev.result) for u, ev in result.evaluations if u.pk in decided]
    assert len(compared) == len(decided) > 10
    assert all(want == got for want, got in compared), Counter(compared)


def test_second_run_is_refused_and_writes_nothing(divisions: dict[str, Unit]) -> None:
    generate(scale="commune", years=(2025,), seed=3)
    units, registrations = Unit.objects.count(), Registration.objects.count()
    with pytest.raises(DatasetError, match="S00070-K001"):
        generate(scale="commune", years=(2025,), seed=4)
    assert (Unit.objects.count(), Registration.objects.count()) == (units, registrations)


def test_command_prints_the_summary_and_explains_refusals(
    divisions: dict[str, Unit], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("generate_dataset", "--scale", "commune", "--years", "2025", "--no-progress")
    assert "Đã tạo dữ liệu tổng hợp quy mô commune" in capsys.readouterr().out
    with pytest.raises(CommandError, match="không tạo lại"):
        call_command("generate_dataset", "--scale", "commune", "--years", "2025", "--no-progress")
    with pytest.raises(CommandError, match="2021-2025"):
        call_command("generate_dataset", "--scale", "commune", "--years", "năm ngoái")


def test_missing_divisions_are_named(db: None) -> None:
    with pytest.raises(DatasetError, match="antt load_divisions"):
        generate(scale="province", years=(2025,))


@pytest.mark.parametrize(
    ("text", "years"),
    [("2021-2025", (2021, 2022, 2023, 2024, 2025)), ("2025", (2025,)), ("2024-2025", (2024, 2025))],
)
def test_parse_years(text: str, years: tuple[int, ...]) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["2025-2021", "1999-2000", "abc", "2021-"])
def test_parse_years_refuses(text: str) -> None:
    with pytest.raises(DatasetError, match="không hợp lệ"):
        parse_years(text)


def test_national_shape_is_near_the_targets() -> None:
    """Drawn over 3,321 communes (no database): the country's size and its met rates."""
    specs = [
        s
        for n in range(shape.COMMUNES_NATIONAL)
        for s in shape.commune_units(5, f"{n:05d}", "Xã X")
    ]
    kinds = Counter(s.kind for s in specs)
    assert kinds["residential_area"] == pytest.approx(100_000, rel=0.05)
    assert len(specs) - kinds["residential_area"] == pytest.approx(150_000, rel=0.05)
    enterprises = [s for s in specs if s.kind == "enterprise"]
    schools = [s for s in specs if s.kind == "school"]
    assert sum(not s.eligible for s in enterprises) / len(enterprises) == pytest.approx(
        0.8, abs=0.02
    )
    assert sum(not s.eligible for s in schools) / len(schools) == pytest.approx(0.65, abs=0.02)
    rates = {}
    for group, kinds_in in (
        ("residential_area", {"residential_area"}),
        ("organisation", {"agency", "enterprise", "school"}),
    ):
        drawn = [
            shape.outcome(5, s.code, 2025, s.kind, s.commune_managed)
            for s in specs
            if s.kind in kinds_in and s.eligible
        ][:40_000]
        rates[group] = sum(o.met for o in drawn) / len(drawn)
    assert rates["residential_area"] == pytest.approx(0.95, abs=0.01)
    assert rates["organisation"] == pytest.approx(0.85, abs=0.01)
    communes = [shape.outcome(5, f"{n:05d}", 2025, "commune", True) for n in range(3321)]
    assert sum(o.met for o in communes) / len(communes) == pytest.approx(0.90, abs=0.02)
    with_incidents = [
        shape.outcome(5, s.code, 2025, s.kind, True).incidents for s in specs[:20_000]
    ]
    assert sum(1 for n in with_incidents if n == 0) / len(with_incidents) > 0.85
    assert max(with_incidents) > 2  # skewed: a few units have several
