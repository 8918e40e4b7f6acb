"""Certificates rendered in bulk: split over processes, the pages come back in order, and a
failure anywhere stores nothing."""

from __future__ import annotations

import datetime as dt

import pypdf
import pytest

from antt.recognition import documents, services
from antt.recognition.documents import layout
from antt.recognition.documents.layout import CertificateData, Letterhead, Signature
from antt.recognition.models import Certificate, Document
from antt.recognition.tests.test_cycle import AREA_FACTS, AREA_MEETING, PREVIOUS, YEAR, evidence
from antt.recognition.tests.test_cycle import run_to_appraised as appraised
from antt.recognition.tests.test_documents import SIGNED, pdf_text
from antt.units.services import create_unit

URL = "https://antt.example.vn/verify/"


def certificate(n: int) -> CertificateData:
    return CertificateData(
        letterhead=Letterhead(
            ("ỦY BAN NHÂN DÂN", "PHƯỜNG HOÀN KIẾM"),
            "Số: 15/QĐ-UBND",
            "Hoàn Kiếm, ngày 12 tháng 11 năm 2025",
        ),
        unit_name=f"Tổ dân phố {n}",
        unit_kind="Khu dân cư",
        address="Phường Hoàn Kiếm",
        year=2025,
        decision_line="(Theo Quyết định số 15/QĐ-UBND ngày 10/11/2025 của Chủ tịch …)",
        signature=Signature(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "Nguyễn Văn Hùng"),
        number=f"{n}/GCN-ANTT",
        code=f"ABCDEFGH{n:04d}",
        url=f"{URL}ABCDEFGH{n:04d}",
    )


def test_pages_rendered_by_several_processes_come_back_in_order():
    items = [certificate(n) for n in range(1, 8)]
    pages = layout.render_certificate_pages(items, workers=3)
    assert len(pages) == 7
    for n, pdf in enumerate(pages, start=1):
        assert pdf.startswith(b"%PDF")
        text = pdf_text(pdf)
        assert f"Tổ dân phố {n}\n" in f"{text}\n"
        assert f"Số: {n}/GCN-ANTT" in text
    # The same pages as laid out in this process, one by one.
    assert [pdf_text(p) for p in pages] == [
        pdf_text(layout.render_certificate_pages([c], workers=1)[0]) for c in items
    ]


def test_a_batch_big_enough_is_split_over_the_cores(monkeypatch):
    monkeypatch.setattr(layout.os, "sched_getaffinity", lambda _pid: {0, 1})
    assert layout.certificate_workers(layout.PARALLEL_FROM * 2 - 1) == 1
    assert layout.certificate_workers(layout.PARALLEL_FROM * 2) == 2
    assert layout.certificate_workers(layout.PARALLEL_FROM * 10) == 2


def test_a_failure_in_one_process_fails_the_whole_batch(monkeypatch):
    real = layout.qr_png

    def qr_png(url: str) -> str:
        if url.endswith("0006"):
            raise RuntimeError("disk full")
        return real(url)

    monkeypatch.setattr(layout, "qr_png", qr_png)  # forked children inherit the patch
    with pytest.raises(RuntimeError, match="disk full"):
        layout.render_certificate_pages([certificate(n) for n in range(1, 8)], workers=2)


@pytest.mark.django_db
def test_issuing_in_parallel_stores_every_pdf_or_none(
    tree, personas, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = personas.commune_a1_officer
    regs = []
    for i in range(4):
        unit = create_unit(
            actor="test",
            code=f"00070-P{i}",
            name=f"Thôn Bắc {i}",
            kind="residential_area",
            parent=tree.commune_a1,
            valid_from=dt.date(2025, 7, 1),
        )
        evidence(unit, AREA_FACTS, "4.2", "4.4.c", previous=PREVIOUS)
        regs.append(
            appraised(
                services.register_unit(actor="test", unit=unit, year=YEAR),
                "test",
                "test",
                AREA_MEETING,
            )
        )
    decision = services.decide(
        actor=officer,
        registrations=regs,
        number="31/QĐ-UBND",
        signed_on=SIGNED,
        signer_name="Nguyễn Văn Hùng",
    )
    monkeypatch.setattr(layout, "PARALLEL_FROM", 1)
    monkeypatch.setattr(layout.os, "sched_getaffinity", lambda _pid: {0, 1})
    real = layout._layout_certificates

    def failing(items):  # in whichever process gets the last unit
        if any(c.unit_name == "Thôn Bắc 3" for c in items):
            raise RuntimeError("disk full")
        return real(items)

    monkeypatch.setattr(layout, "_layout_certificates", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        documents.issue_certificates_with_documents(actor=officer, decision=decision)
    assert Certificate.objects.filter(decision=decision).count() == 4  # issued, numbered
    assert not Document.objects.filter(kind="certificate").exists()  # but no page stored
    monkeypatch.setattr(layout, "_layout_certificates", real)
    assert documents.issue_certificates_with_documents(actor=officer, decision=decision) == []
    stored = Document.objects.filter(kind="certificate").order_by("filename")
    assert [d.filename for d in stored] == [f"giay-cong-nhan-{i}-2025.pdf" for i in (1, 2, 3, 4)]
    for doc in stored:
        with doc.file.open("rb") as handle:
            text = pdf_text(handle.read())
        assert doc.registration.unit.name in text
        assert len(pypdf.PdfReader(doc.file.path).pages) == 1
