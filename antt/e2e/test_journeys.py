"""The browser journeys (Playwright, Debian's Chromium, the live server, Vietnamese pages)."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
from openpyxl import load_workbook
from pypdf import PdfReader

from antt.e2e import journeys, seed
from antt.e2e.journeys import on
from antt.e2e.pages import Ui, enrol_second_factor
from antt.recognition.models import Certificate, Document, Registration
from antt.recognition.workflow import State
from antt.records.models import Incident, YearFacts
from conftest import PASSWORD, Personas, Tree


def test_commune_officer_registers_records_and_submits(desk: Ui, tree: Tree,
                                                      personas: Personas) -> None:
    enrol_second_factor(personas.commune_a1_officer)
    areas = seed.residential_areas(tree, personas.commune_a1_officer)
    with on(seed.MEETING_DAY):
        journeys.commune_officer_year(desk, personas.commune_a1_officer.username, PASSWORD)
    states = dict(Registration.objects.filter(year=seed.YEAR).values_list("unit__code", "state"))
    assert states == {areas.first.code: State.SUBMITTED, areas.second.code: State.SUBMITTED,
                      tree.school_a1.code: State.REGISTERED}
    assert Incident.objects.get(unit=areas.first).description.startswith("Trộm cắp xe máy")
    facts = YearFacts.objects.get(unit=areas.first, year=seed.YEAR).data
    assert facts["households_registered"] == 120


def test_standing_office_returns_appraises_decides_and_certifies(desk: Ui, tree: Tree,
                                                                 personas: Personas) -> None:
    officer, head = personas.commune_a1_officer, personas.area_a1_head
    enrol_second_factor(officer, head)
    with on(seed.MEETING_DAY):
        seed.submitted(tree, officer)
    content = journeys.standing_office_decides(desk, officer.username, head.username, PASSWORD)
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Tổ dân phố" in text
    assert f"Tra cứu: {desk.base_url}/verify/" in text  # the QR code's link, to this server
    certificates = Certificate.objects.filter(decision__number="15/QĐ-UBND")
    assert certificates.count() == 2
    states = set(Registration.objects.filter(year=seed.YEAR, unit__kind="residential_area")
                 .values_list("state", flat=True))
    assert states == {State.CERTIFIED}


def test_province_officer_drills_down_and_downloads_the_report(desk: Ui, tree: Tree,
                                                               personas: Personas) -> None:
    # The province officer signs in for the first time: enrolment in two-factor authentication.
    with on(seed.DECISION_DAY):
        seed.certified(tree, personas.commune_a1_officer)
    files = journeys.province_reads_the_report(desk, personas.province_a_officer.username,
                                               PASSWORD)
    # Two residential areas registered, two recognised: in the spreadsheets and in Word.
    for name in ("province.xlsx", "commune.xlsx"):
        sheet = load_workbook(io.BytesIO(files[name])).worksheets[0]
        rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
        assert rows["Khu dân cư"][2:4] == (2, 2), (name, rows["Khu dân cư"])
    table = docx.Document(io.BytesIO(files["commune.docx"])).tables[1]
    cells = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows}
    assert cells["Khu dân cư"][2:4] == ["2", "2"]
    assert "100,00%" in cells["Khu dân cư"][-1]


def test_anyone_verifies_a_certificate_valid_then_annulled(desk: Ui, tree: Tree,
                                                           personas: Personas) -> None:
    officer = personas.commune_a1_officer
    enrol_second_factor(officer)
    with on(seed.DECISION_DAY):
        _decision, certificates = seed.certified(tree, officer)
    certificate = next(c for c in certificates if c.registration.unit == tree.area_a1)
    code = certificate.verification_code
    # The link printed under the QR code on the certificate, as the PDF carries it.
    paper = Document.objects.get(registration=certificate.registration,
                                 kind=Document.Kind.CERTIFICATE)
    with paper.file.open("rb") as pdf:
        text = PdfReader(pdf).pages[0].extract_text()
    link = re.search(r"Tra cứu: (\S+)", text)
    assert link is not None, text
    assert link.group(1) == f"{desk.base_url}/verify/{code}"
    journeys.anyone_verifies_a_certificate(desk, officer.username, PASSWORD, link.group(1), code)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ANNULLED


def test_commune_officer_on_a_phone_without_horizontal_scrolling(phone: Ui, tree: Tree,
                                                                 personas: Personas) -> None:
    enrol_second_factor(personas.commune_a1_officer)
    seed.residential_areas(tree, personas.commune_a1_officer)
    with on(seed.MEETING_DAY):
        journeys.commune_officer_year(phone, personas.commune_a1_officer.username, PASSWORD,
                                      prefix="dien-thoai-")
    assert set(Registration.objects.filter(unit__kind="residential_area")
               .values_list("state", flat=True)) == {State.SUBMITTED}
    assert len(phone.axe.pages) > 10


def test_outsiders_get_not_found_for_another_communes_pages(desk: Ui, tree: Tree,
                                                            personas: Personas) -> None:
    officer = personas.commune_a1_officer
    enrol_second_factor(officer, personas.commune_b1_officer)
    with on(seed.DECISION_DAY):
        decision, _certificates = seed.certified(tree, officer)
    registration = Registration.objects.get(unit=tree.area_a1)
    paths = [
        f"/cycle/registration/{registration.pk}/",
        f"/cycle/decision/{decision.pk}/",
        f"/records/{tree.area_a1.code}/incidents/",
        f"/records/{tree.area_a1.code}/{seed.YEAR}/facts/",
        f"/units/{tree.commune_a1.code}/",
        f"/cycle/{seed.YEAR}/register-commune/?commune={tree.commune_a1.pk}",
    ]
    with on(dt.date(2025, 12, 1)):
        journeys.outsider_finds_nothing(desk, personas.commune_b1_officer.username, PASSWORD,
                                        paths, shot="khong-tim-thay")
        journeys.outsider_finds_nothing(desk, personas.outsider.username, PASSWORD, paths)
