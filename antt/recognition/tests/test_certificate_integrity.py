"""Certificates: numbered without gaps or repeats per issuing body and year, also when several
processes issue at once; never changed after issue (a change is an annulment and a new one)."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from antt.core.models import AuditEvent
from antt.core.tests import live_seed
from antt.core.tests.livedb import LiveDB
from antt.recognition import services
from antt.recognition.models import (
    Certificate,
    CertificateChangeRefused,
    CertificateCounter,
    Decision,
)

ISSUED_ON = dt.date(2025, 11, 20)


@pytest.fixture
def issued(db: None) -> list[Certificate]:
    """Four communes of province 01 recognised by 1/QĐ-UBND, certificates 1–4 issued."""
    live_seed.decided(4)
    decision = Decision.objects.get(number="1/QĐ-UBND")
    return services.issue_certificates(actor="test", decision=decision, issued_on=ISSUED_ON)


def stored(cert: Certificate) -> dict[str, Any]:
    return Certificate.objects.filter(pk=cert.pk).values().get()


# ---------------------------------------------------------------- content cannot change


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "99/GCN-ANTT"),
        ("serial", 99),
        ("issued_on", dt.date(2024, 1, 1)),
        ("verification_code", "AAAAAAAAAAAA"),
        ("year", 2024),
    ],
)
def test_issued_certificate_refuses_a_change_of_content(
    issued: list[Certificate], field: str, value: Any
) -> None:
    cert = issued[0]
    before = stored(cert)
    setattr(cert, field, value)
    with pytest.raises(CertificateChangeRefused, match="hủy bỏ giấy này và cấp giấy mới"):
        cert.save()
    with pytest.raises(CertificateChangeRefused):
        Certificate.objects.filter(pk=cert.pk).update(**{field: value})
    assert stored(cert) == before


def test_issued_certificate_refuses_another_unit(issued: list[Certificate]) -> None:
    cert, other = issued[0], issued[1]
    cert.registration = other.registration
    with pytest.raises(CertificateChangeRefused):
        cert.save()
    with pytest.raises(CertificateChangeRefused):
        Certificate.objects.filter(pk=cert.pk).update(registration_id=other.registration_id)


def test_certificate_is_never_deleted(issued: list[Certificate]) -> None:
    with pytest.raises(CertificateChangeRefused):
        issued[0].delete()
    with pytest.raises(CertificateChangeRefused):
        Certificate.objects.all().delete()
    assert Certificate.objects.count() == 4


def test_annulment_is_allowed_and_final(issued: list[Certificate]) -> None:
    cert = issued[0]
    assert Certificate.objects.filter(pk=cert.pk).update(
        status=Certificate.Status.ANNULLED, annulled_on=ISSUED_ON, annul_reason="Sai tên"
    ) == 1
    with pytest.raises(CertificateChangeRefused):
        Certificate.objects.filter(pk=cert.pk).update(status=Certificate.Status.VALID)
    cert.refresh_from_db()
    cert.status = Certificate.Status.VALID
    with pytest.raises(CertificateChangeRefused):
        cert.save()
    assert stored(cert)["status"] == Certificate.Status.ANNULLED


def test_unchanged_save_passes(issued: list[Certificate]) -> None:
    cert = issued[0]
    cert.save()
    cert.annul_reason = ""
    cert.save(update_fields=["annul_reason"])
    assert stored(cert)["number"] == cert.number


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE recognition_certificate SET number = %s WHERE id = %s", ["99/GCN-ANTT"]),
        ("UPDATE recognition_certificate SET serial = %s WHERE id = %s", [99]),
        ("UPDATE recognition_certificate SET issued_on = %s WHERE id = %s", [dt.date(2024, 1, 1)]),
    ],
)
def test_database_refuses_a_change_of_content_behind_the_orm(
    issued: list[Certificate], sql: str, params: list[Any]
) -> None:
    cert = issued[0]
    before = stored(cert)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [*params, cert.pk])
    assert stored(cert) == before


def test_database_allows_annulment_but_not_its_reversal(issued: list[Certificate]) -> None:
    cert = issued[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recognition_certificate SET status = 'annulled' WHERE id = %s", [cert.pk]
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recognition_certificate SET status = 'valid' WHERE id = %s", [cert.pk]
        )
    assert stored(cert)["status"] == "annulled"


# ---------------------------------------------------------------- a change: annul and reissue


def test_replacing_a_certificate_annuls_it_and_issues_the_next_number(
    issued: list[Certificate],
) -> None:
    old = issued[1]
    new = services.replace_certificate(
        actor="test", certificate=old, reason="Ghi sai tên đơn vị", issued_on=ISSUED_ON
    )
    old.refresh_from_db()
    assert old.status == Certificate.Status.ANNULLED
    assert old.annul_reason == "Ghi sai tên đơn vị"
    assert old.number == "2/GCN-ANTT"  # the annulled one keeps its number
    assert (new.serial, new.number, new.status) == (5, "5/GCN-ANTT", Certificate.Status.VALID)
    assert new.registration_id == old.registration_id
    assert new.verification_code != old.verification_code
    assert CertificateCounter.objects.get().last == 5
    assert Certificate.objects.filter(
        registration=old.registration, status=Certificate.Status.VALID
    ).get() == new
    event = AuditEvent.objects.get(verb="certificate.replace")
    assert event.changes == {
        "annulled": "2/GCN-ANTT", "issued": "5/GCN-ANTT", "reason": "Ghi sai tên đơn vị"
    }


def test_an_annulled_certificate_cannot_be_replaced_twice(issued: list[Certificate]) -> None:
    old = issued[0]
    services.replace_certificate(actor="test", certificate=old, reason="Sai", issued_on=ISSUED_ON)
    with pytest.raises(services.ConcurrentChange):
        services.replace_certificate(
            actor="test", certificate=old, reason="Sai", issued_on=ISSUED_ON
        )
    assert Certificate.objects.count() == 5
    assert CertificateCounter.objects.get().last == 5


def test_replacing_needs_a_reason(issued: list[Certificate]) -> None:
    with pytest.raises(services.ValidationError, match="lý do"):
        services.replace_certificate(actor="test", certificate=issued[0], reason=" ")
    assert Certificate.objects.filter(status=Certificate.Status.VALID).count() == 4


# ---------------------------------------------------------------- numbering without gaps


def test_a_failed_batch_leaves_no_gap(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    live_seed.decided(6, decisions=2)
    first, second = Decision.objects.order_by("number")
    services.issue_certificates(actor="test", decision=first, issued_on=ISSUED_ON)
    calls = iter(range(100))

    def failing() -> str:
        if next(calls) == 2:
            raise RuntimeError("disk full")
        return "X" * 12

    monkeypatch.setattr(services, "new_verification_code", failing)
    with pytest.raises(RuntimeError):
        services.issue_certificates(actor="test", decision=second, issued_on=ISSUED_ON)
    assert CertificateCounter.objects.get().last == 3
    monkeypatch.undo()
    services.issue_certificates(actor="test", decision=second, issued_on=ISSUED_ON)
    assert list(Certificate.objects.order_by("serial").values_list("serial", flat=True)) == [
        1, 2, 3, 4, 5, 6
    ]


# ---------------------------------------------------------------- concurrent issuing (processes)

DECISIONS = 4
PER_DECISION = 3


def test_concurrent_issuing_numbers_without_gaps_or_repeats(live: LiveDB) -> None:
    """Six processes at once on one body and year: the four decisions, two of them twice. Each
    holds its numbering transaction open for a moment, so that the others must queue."""
    live.run_python(
        "from antt.core.tests import live_seed as s\n"
        f"s.decided({DECISIONS * PER_DECISION}, decisions={DECISIONS}); print('null')"
    )
    numbers = [f"{n}/QĐ-UBND" for n in range(1, DECISIONS + 1)]
    procs = [
        live.start(
            "issue_certificates", "--decision", number, "--issued-on", "2025-11-20",
            ANTT_FAULT_PAUSE_AT="certificates.issue:1", ANTT_FAULT_PAUSE_SECONDS="0.5",
        )
        for number in [*numbers, numbers[0], numbers[1]]
    ]
    outcomes = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert "Traceback" not in err, err
        outcomes.append((proc.returncode, out, err))
    # A racing duplicate either finds nothing left to issue or is told it lost: never both win.
    assert all(code in (0, 1) for code, _out, _err in outcomes)
    for code, out, err in outcomes:
        if code == 1:
            assert "vừa được người khác cập nhật" in err, err
        else:
            assert "GCN-ANTT" in out or "Không còn giấy công nhận" in out
    total = DECISIONS * PER_DECISION
    print(f"concurrent issuing: {len(procs)} processes, exit codes "  # shown with pytest -s
          f"{[code for code, _o, _e in outcomes]}, {total} certificates expected")
    state = live.run_python(
        "from antt.core.tests import live_seed as s\nprint(json.dumps(s.state()))"
    )
    assert state["serials"] == {"01/2025": list(range(1, total + 1))}
    assert state["counters"] == {"01/2025": total}
    assert state["registrations"] == {"certified": total}
    ranges = sorted(tuple(e["serials"]) for e in state["issue_events"])
    assert sum(e["count"] for e in state["issue_events"]) == total
    assert [n for first, last in ranges for n in range(first, last + 1)] == list(
        range(1, total + 1)
    )
    assert state["documents"] == total  # one PDF per certificate, none twice
