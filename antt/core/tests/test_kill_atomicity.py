"""A process killed (SIGKILL) in the middle of a bulk write leaves everything or nothing.

Each test starts the real ``antt`` command against a database of its own (SQLite file or a
PostgreSQL database, as the suite runs), lets it reach a known point in the middle of its
transaction (``antt.core.faults``: the process writes how far it got, then waits), kills it, and
compares what is in the database with what was there before — then runs the command again to
show the whole write still goes through.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from antt.core.tests.livedb import LiveDB, kill, wait_for_file

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

NEW_AREAS = 120
RENAMED_AREAS = 120
COMMUNES = 16
CERTIFIED = 8  # each certificate is a PDF to render: fewer keep the test quick
SEED = "from antt.core.tests import live_seed as s\n"


def state(db: LiveDB) -> dict[str, Any]:
    return db.run_python(SEED + "print(json.dumps(s.state()))")  # type: ignore[no-any-return]


def killed_at(db: LiveDB, point: str, *args: str) -> int:
    """Run ``antt *args``, SIGKILL it once it reports ``point``; how far it had got."""
    ready = db.data_dir / "fault-ready"
    proc = db.start(
        *args, ANTT_FAULT_PAUSE_AT=point, ANTT_FAULT_READY_FILE=str(ready),
        ANTT_FAULT_PAUSE_SECONDS="300",
    )
    progress = int(wait_for_file(ready, proc))
    kill(proc)
    return progress


def document_files_match(db: LiveDB) -> bool:
    """Every Document row points to a file whose bytes have the recorded SHA-256."""
    return db.run_python(  # type: ignore[no-any-return]
        "import hashlib\n"
        "from antt.recognition.models import Document\n"
        "print(json.dumps(all(hashlib.sha256(d.file.read()).hexdigest() == d.sha256 "
        "for d in Document.objects.all())))"
    )


# ---------------------------------------------------------------- (a) unit import


def import_file(path: Path) -> Path:
    rows = ["code,name,kind,parent_code,subtype,valid_from"]
    rows += [
        f"10001-N{i:04d},Tổ dân phố mới {i},residential_area,10001,to_dan_pho,2025-07-01"
        for i in range(1, NEW_AREAS + 1)
    ]
    rows += [
        f"10000-A{i:04d},Tổ dân phố đổi tên {i},residential_area,10000,to_dan_pho,2025-07-01"
        for i in range(1, RENAMED_AREAS + 1)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def seed_import(db: LiveDB, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    db.run_python(SEED + f"s.province(2); s.areas('10000', {RENAMED_AREAS}); print('null')")
    return import_file(tmp_path / "don-vi.csv"), state(db)


def test_unit_import_killed_midway_writes_nothing(live: LiveDB, tmp_path: Path) -> None:
    source, before = seed_import(live, tmp_path)
    # All new units are written and half of the renames done when the process dies.
    progress = killed_at(live, f"units.import:{NEW_AREAS + RENAMED_AREAS // 2}",
                         "import_units", str(source))
    assert progress == NEW_AREAS + RENAMED_AREAS // 2
    assert state(live) == before

    live.antt("import_units", str(source))
    after = state(live)
    assert after["units"] == before["units"] + NEW_AREAS
    assert after["units_half_written"] == 0
    assert after["unit_names"] != before["unit_names"]
    assert after["audit"]["units.import"] == 1
    assert after["audit"]["unit.update"] == RENAMED_AREAS
    assert after["audit"]["unit.create"] == before["audit"]["unit.create"] + NEW_AREAS


def test_unit_import_killed_at_any_moment_is_all_or_nothing(
    live: LiveDB, tmp_path: Path
) -> None:
    """No fault hook: kills at later and later moments; while a kill leaves nothing, the same
    database is used again, until a run gets to commit."""
    source, before = seed_import(live, tmp_path)
    outcomes = []
    # The import writes in bulk (a second or less once Django is up): start early enough that
    # the first kills land before the commit; the last ones outlast a loaded machine's run.
    delays = (0.5, 1.0, 1.5, 3.0, 4.5, 6.0, 9.0, 15.0, 30.0)
    for delay in delays:
        proc = live.start("import_units", str(source))
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            kill(proc)
            how = "killed"
        else:
            assert proc.returncode == 0, proc.stderr.read()  # type: ignore[union-attr]
            how = "finished"
        now = state(live)
        if now == before:
            assert how == "killed"
            outcomes.append("killed: nothing")
            continue
        assert now["units"] == before["units"] + NEW_AREAS
        assert now["units_half_written"] == 0
        assert now["audit"]["units.import"] == 1
        assert now["audit"]["unit.update"] == RENAMED_AREAS
        outcomes.append(f"{how}: everything")
        break  # a completed import: later runs would change nothing
    print(f"unit import killed after {delays[: len(outcomes)]} s: {outcomes}")
    assert outcomes[0] == "killed: nothing"


# ---------------------------------------------------------------- (b) a province's decision


def test_province_decision_killed_midway_writes_nothing(live: LiveDB) -> None:
    live.run_python(SEED + f"s.appraised_communes({COMMUNES}); print('null')")
    before = state(live)
    args = ("decide", "--year", "2025", "--number", "7/QĐ-UBND", "--signed-on", "2025-11-10",
            "--signer", "Nguyễn Văn A", "--body", "01", "--all-appraised")
    assert killed_at(live, f"decision.decide:{COMMUNES // 2}", *args) == COMMUNES // 2
    assert state(live) == before

    live.antt(*args)
    after = state(live)
    assert after["registrations"] == {"decided_met": COMMUNES}
    assert after["decisions"] == 1
    assert after["decision_items"] == COMMUNES
    assert after["audit"]["registration.decide_met"] == COMMUNES
    assert after["audit"]["decision.create"] == 1


def test_province_evaluation_killed_leaves_the_database_as_it_was(live: LiveDB) -> None:
    """``antt evaluate --scope`` only reads: killed or not, nothing changes."""
    live.run_python(SEED + f"s.appraised_communes({COMMUNES}); print('null')")
    before = state(live)
    proc = live.start("evaluate", "--scope", "01", "--year", "2025", "--format", "json")
    time.sleep(1.5)
    killed = proc.poll() is None
    if killed:
        kill(proc)
    print(f"evaluation {'killed' if killed else 'had finished'} at 1.5 s")
    assert state(live) == before


# ---------------------------------------------------------------- (c) a batch of certificates

ISSUE = ("issue_certificates", "--decision", "1/QĐ-UBND", "--issued-on", "2025-11-20")


def test_certificate_batch_killed_while_numbering_issues_none(live: LiveDB) -> None:
    live.run_python(SEED + f"s.decided({CERTIFIED}); print('null')")
    before = state(live)
    assert killed_at(live, f"certificates.issue:{CERTIFIED // 2}", *ISSUE) == CERTIFIED // 2
    assert state(live) == before  # no certificate, no counter row, no audit, no state change

    live.antt(*ISSUE)
    after = state(live)
    assert after["serials"] == {"01/2025": list(range(1, CERTIFIED + 1))}
    assert after["counters"] == {"01/2025": CERTIFIED}
    assert after["registrations"] == {"certified": CERTIFIED}
    assert after["issue_events"] == [{"count": CERTIFIED, "serials": [1, CERTIFIED]}]
    assert after["documents"] == CERTIFIED
    assert document_files_match(live)


def test_certificate_batch_killed_while_storing_pdfs_keeps_every_number(live: LiveDB) -> None:
    """Numbering commits first; the PDFs are a second transaction that a rerun completes."""
    live.run_python(SEED + f"s.decided({CERTIFIED}); print('null')")
    assert killed_at(live, f"certificates.documents:{CERTIFIED // 2}", *ISSUE) == CERTIFIED // 2
    killed = state(live)
    assert killed["serials"] == {"01/2025": list(range(1, CERTIFIED + 1))}
    assert killed["counters"] == {"01/2025": CERTIFIED}
    assert killed["registrations"] == {"certified": CERTIFIED}
    assert killed["issue_events"] == [{"count": CERTIFIED, "serials": [1, CERTIFIED]}]
    assert killed["documents"] == 0  # the PDF transaction was rolled back as a whole
    assert "document.generate" not in killed["audit"]
    # Files are written before their row: the ones stored before the kill stay on disk with no
    # row pointing at them — never served (downloads go through Document rows), only wasted space.
    assert len(killed["files"]) == CERTIFIED // 2

    live.antt(*ISSUE)
    after = state(live)
    assert after["serials"] == killed["serials"]  # no number given twice, none skipped
    assert after["counters"] == killed["counters"]
    assert after["issue_events"] == killed["issue_events"]
    assert after["documents"] == CERTIFIED
    assert after["audit"]["document.generate"] == CERTIFIED
    assert len(after["files"]) == CERTIFIED // 2 + CERTIFIED
    assert document_files_match(live)


def test_background_worker_killed_mid_batch_leaves_nothing_and_a_retry_issues_all(
    live: LiveDB,
) -> None:
    """The same batch as a background job: the worker (``antt run_jobs``) is killed while
    numbering; the next worker marks the job failed (its process is gone), and a retry issues
    every certificate once."""
    live.run_python(SEED + f"s.decided({CERTIFIED}); print('null')")
    live.run_python(
        "from antt.accounts.services import assign_role\n"
        "from antt.jobs.services import enqueue_job\n"
        "from antt.recognition.models import Decision\n"
        "from antt.units.models import Unit\n"
        "user, _, _ = assign_role(actor='seed', username='quantri', role='national_admin',"
        " unit=Unit.objects.get(code='01'))\n"
        "d = Decision.objects.get(number='1/QĐ-UBND')\n"
        "job = enqueue_job(actor=user, kind='issue_certificates', title='Cấp giấy',"
        " unit=d.issuing_unit, params={'decision': d.pk, 'issued_on': '2025-11-20'})\n"
        "print(job.pk)"
    )
    before = state(live)
    assert killed_at(
        live, f"certificates.issue:{CERTIFIED // 2}", "run_jobs", "--once", "-v0"
    ) == CERTIFIED // 2
    assert state(live) == before

    live.antt("run_jobs", "--once", "-v0")  # finds the dead worker's job first
    jobs = "from antt.jobs.models import Job\n"
    assert live.run_python(jobs + "print(json.dumps(list(Job.objects.values_list('status', "
                           "flat=True))))") == ["failed"]
    live.run_python(
        jobs + "from antt.jobs.services import retry_job\n"
        "job = Job.objects.get()\n"
        "print(retry_job(job=job, actor=job.owner).pk)"
    )
    live.antt("run_jobs", "--once", "-v0")
    after = state(live)
    assert after["serials"] == {"01/2025": list(range(1, CERTIFIED + 1))}
    assert after["counters"] == {"01/2025": CERTIFIED}
    assert after["issue_events"] == [{"count": CERTIFIED, "serials": [1, CERTIFIED]}]
    assert after["documents"] == CERTIFIED
    assert live.run_python(
        jobs + "print(json.dumps(sorted(Job.objects.values_list('status', flat=True))))"
    ) == ["done", "failed"]
