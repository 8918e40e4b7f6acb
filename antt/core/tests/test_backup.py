"""`antt backup` / `antt restore`: a round trip gives back the same data and files; a damaged or
foreign archive is refused before anything is touched. Run as real commands on a database of
their own (SQLite file or PostgreSQL database, as the suite runs)."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from antt.core.backup import MANIFEST, BackupError, Manifest, restore_backup, verify_backup
from antt.core.tests import live_seed
from antt.core.tests.livedb import LiveDB, Template

SEED = "from antt.core.tests import live_seed as s\n"


@dataclass
class Seeded:
    db: LiveDB
    archive: Path
    before: dict[str, Any]  # the data and files at the time of the backup


@pytest.fixture(scope="module")
def seeded(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A database with certificates, their PDFs and a job's file, and its backup."""
    directory = tmp_path_factory.mktemp("backup")
    db = template.clone(directory)
    seed(db)
    before = canonical(db)
    archive = directory / "sao-luu.tar.gz"
    done = db.antt("backup", "--output", str(archive))
    assert "Đã sao lưu vào" in done.stdout
    yield Seeded(db, archive, before)
    db.drop()


def canonical(db: LiveDB) -> dict[str, Any]:
    return db.run_python(SEED + "print(json.dumps(s.canonical()))")  # type: ignore[no-any-return]


def seed(db: LiveDB) -> None:
    """Two decisions; the first one's certificates issued with their PDFs; a job's file."""
    db.run_python(SEED + "s.decided(6, decisions=2); print('null')")
    db.antt("issue_certificates", "--decision", "1/QĐ-UBND", "--issued-on", "2025-11-20")
    job = db.data_dir / "jobs" / "1"
    job.mkdir(parents=True)
    (job / "input.csv").write_text("code,name\n10000,Phường Thử 1\n", encoding="utf-8")


def change_everything(db: LiveDB) -> None:
    """After the backup: new rows, an edited row, files added and removed."""
    db.antt("issue_certificates", "--decision", "2/QĐ-UBND", "--issued-on", "2025-11-21")
    db.run_python(
        "from antt.units.models import Unit\n"
        "print(Unit.objects.filter(code='10000').update(name='Phường Đổi Tên'))"
    )
    media = db.data_dir / "media"
    next(p for p in sorted(media.rglob("*.pdf"))).unlink()
    (media / "stray.txt").write_text("not in the backup", encoding="utf-8")
    (db.data_dir / "jobs" / "1" / "input.csv").unlink()


def rebuild(source: Path, target: Path, edit: Any) -> None:
    """Copy an archive member by member; ``edit(name, data) -> data``."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            fh = old.extractfile(member)
            assert fh is not None
            data = edit(member.name, fh.read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


def edit_manifest(**changes: Any) -> Any:
    def edit(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        for key, value in changes.items():
            manifest[key] = value(manifest[key]) if callable(value) else value
        return json.dumps(manifest).encode()

    return edit


def test_round_trip_restores_the_same_data_and_files(seeded: Seeded, tmp_path: Path) -> None:
    live, archive, before = seeded.db, seeded.archive, seeded.before
    assert any(name.startswith("media/") for name in before["files"])
    assert "jobs/1/input.csv" in before["files"]
    with tarfile.open(archive, "r:gz") as tar:
        manifest = Manifest.from_json(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert manifest.vendor == live.vendor
    assert manifest.app_version == "0.1.0"
    assert "recognition.0005_certificate_immutable" in manifest.migrations
    assert len(manifest.members) == 1 + len(before["files"])

    change_everything(live)
    changed = canonical(live)
    assert changed != before

    # A damaged archive through the command: refused, exit status 1, nothing touched.
    bad = tmp_path / "hong.tar.gz"
    truncate(archive, bad)
    done = live.antt("restore", "--noinput", str(bad), check=False)
    assert done.returncode == 1
    assert "bị hỏng hoặc không đầy đủ; không khôi phục gì" in done.stderr
    assert "Traceback" not in done.stderr
    assert canonical(live) == changed

    assert live.antt("restore", "--check", str(archive)).returncode == 0
    done = live.antt("restore", "--noinput", str(archive))
    assert "Đã khôi phục" in done.stdout
    after = canonical(live)
    assert after == before  # every table and every file, the restore's own audit row aside
    assert not (live.data_dir / "media" / "stray.txt").exists()
    events = live.run_python(
        "from antt.core.models import AuditEvent\n"
        "print(json.dumps([e.changes for e in AuditEvent.objects.filter(verb='backup.restore')]))"
    )
    assert len(events) == 1
    assert events[0]["created_at"] == manifest.created_at
    assert len(events[0]["sha256"]) == 64


def flip_a_byte(source: Path, target: Path) -> None:
    data = bytearray(gzip.decompress(source.read_bytes()))
    data[len(data) // 3] ^= 0xFF  # inside the database dump, past the tar headers
    target.write_bytes(gzip.compress(bytes(data)))


def truncate(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes()[: src.stat().st_size // 2])


def forge_a_pdf(src: Path, dst: Path) -> None:
    rebuild(src, dst, lambda name, data: b"%PDF-1.7 forged" if name.endswith(".pdf") else data)


def drop_a_file(src: Path, dst: Path) -> None:
    with tarfile.open(src, "r:gz") as old, tarfile.open(dst, "w:gz") as new:
        for member in old:
            if member.name != "files/jobs/1/input.csv":
                new.addfile(member, old.extractfile(member))


def other_vendor(src: Path, dst: Path) -> None:
    swap = {"postgresql": "sqlite", "sqlite": "postgresql"}
    rebuild(src, dst, edit_manifest(vendor=lambda v: swap[v]))


def newer_migrations(src: Path, dst: Path) -> None:
    rebuild(src, dst, edit_manifest(migrations=lambda m: [*m, "recognition.9999_future"]))


def not_an_archive(src: Path, dst: Path) -> None:
    dst.write_bytes(b"PK\x03\x04 this is a zip, not a backup")


BAD_ARCHIVES = [
    (truncate, "bị hỏng hoặc không đầy đủ"),
    (flip_a_byte, "Sai mã kiểm tra SHA-256"),
    (forge_a_pdf, "Sai mã kiểm tra SHA-256 hoặc thiếu: files/media/"),
    (drop_a_file, "files/jobs/1/input.csv"),
    (other_vendor, "không khôi phục được vào"),
    (newer_migrations, "phiên bản mới hơn"),
    (not_an_archive, "bị hỏng hoặc không đầy đủ"),
]


@pytest.mark.parametrize(
    ("damage", "message"), BAD_ARCHIVES, ids=[damage.__name__ for damage, _m in BAD_ARCHIVES]
)
def test_damaged_or_foreign_archive_is_refused_before_anything_changes(
    seeded: Seeded, db: None, settings: Any, tmp_path: Path, damage: Any, message: str
) -> None:
    """In this process, against the suite's own database and a data directory of files."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    (tmp_path / "data" / "media" / "documents").mkdir(parents=True)
    (tmp_path / "data" / "media" / "documents" / "giay.pdf").write_bytes(b"%PDF-1.7 current")
    live_seed.province(2)
    before = live_seed.canonical()
    bad = tmp_path / "bad.tar.gz"
    damage(seeded.archive, bad)
    with pytest.raises(BackupError, match=message) as refused:
        restore_backup(actor="test", path=bad)
    assert "hông khôi phục gì" in str(refused.value)
    with pytest.raises(BackupError):
        verify_backup(bad)
    assert live_seed.canonical() == before
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["media"]  # no staging left


def test_a_failed_backup_leaves_no_file_behind(
    db: None, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from antt.core import backup

    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"

    def broken(target: Path) -> str:
        raise BackupError("pg_dump thất bại: đĩa đầy")

    monkeypatch.setattr(backup, "_dump_database", broken)
    out = tmp_path / "backups"
    with pytest.raises(BackupError, match="đĩa đầy"):
        backup.create_backup(actor="test", output=out / "sao-luu.tar.gz")
    assert list(out.iterdir()) == []
