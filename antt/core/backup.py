"""Backups: the database and the files the database points to, in one verifiable archive.

An archive is a ``.tar.gz`` holding

- ``database/antt.sqlite3`` (a consistent copy through SQLite's online backup API) or
  ``database/antt.pgdump`` (``pg_dump --format=custom``);
- ``files/media/…`` (uploaded and generated documents, ``MEDIA_ROOT``) and ``files/jobs/…``
  (background jobs' inputs and results, ``DATA_DIR/jobs``);
- ``manifest.json``, written last: the SHA-256 and size of every other member, and the app
  version, database vendor, applied migrations and time of the backup.

``restore_backup`` unpacks the archive into a staging directory next to the data, checks every
checksum, the vendor and the migration state, and only then replaces the database and the file
trees. A corrupted, truncated or foreign archive is refused with a Vietnamese message before
anything is touched. Docs: ``docs/operations/backup.md``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.core import audit

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/antt.sqlite3"
PG_MEMBER = "database/antt.pgdump"
CHUNK = 1024 * 1024

__all__ = [
    "BackupError",
    "Manifest",
    "create_backup",
    "default_output",
    "file_roots",
    "restore_backup",
    "verify_backup",
]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator."""


@dataclass
class Manifest:
    app_version: str
    vendor: str
    migrations: list[str]
    created_at: str
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → sha256, size
    format: int = FORMAT

    def as_json(self) -> bytes:
        data = {
            "format": self.format,
            "app": "antt",
            "app_version": self.app_version,
            "vendor": self.vendor,
            "created_at": self.created_at,
            "migrations": self.migrations,
            "members": self.members,
        }
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            manifest = cls(
                app_version=str(data["app_version"]),
                vendor=str(data["vendor"]),
                migrations=[str(m) for m in data["migrations"]],
                created_at=str(data["created_at"]),
                members={str(k): dict(v) for k, v in data["members"].items()},
                format=int(data["format"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(_("Tệp mô tả (manifest.json) của bản sao lưu bị hỏng.")) from exc
        return manifest

    @property
    def total_bytes(self) -> int:
        return sum(int(m["size"]) for m in self.members.values())


# ---------------------------------------------------------------- where things are


def file_roots() -> dict[str, Path]:
    """The directories backed up with the database, by their name in the archive."""
    return {
        "media": Path(settings.MEDIA_ROOT),
        "jobs": Path(settings.DATA_DIR) / "jobs",
    }


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"antt-{connection.vendor}-{stamp}.tar.gz"


def app_version() -> str:
    try:
        return importlib.metadata.version("antt")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        PGHOST=str(db.get("HOST") or "127.0.0.1"),
        PGPORT=str(db.get("PORT") or 5432),
        PGUSER=str(db.get("USER") or "postgres"),
        PGDATABASE=str(db["NAME"]),
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(args: list[str]) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(
            _("Không tìm thấy chương trình %(tool)s (gói postgresql-client): chạy `make install`.")
            % {"tool": args[0]}
        )
    done = subprocess.run(  # noqa: S603 — a PostgreSQL client tool, fixed arguments
        [tool, *args[1:]], env=_pg_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s thất bại: %(error)s") % {"tool": args[0], "error": done.stderr.strip()}
        )


# ---------------------------------------------------------------- backup


def _dump_database(target: Path) -> str:
    """A consistent copy of the database at ``target``; the archive member's name."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = cast(sqlite3.Connection, connection.connection)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
        return SQLITE_MEMBER
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)])
        return PG_MEMBER
    raise BackupError(
        _("Chưa hỗ trợ sao lưu cơ sở dữ liệu loại %(vendor)s.") % {"vendor": connection.vendor}
    )


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _add(archive: tarfile.TarFile, name: str, path: Path, manifest: Manifest) -> None:
    """Add one file, hashing exactly the bytes that go into the archive (a document is at most
    the upload limit, a few MB, so it is read whole; the database is added from its file)."""
    try:
        data = path.read_bytes()
        mtime = path.stat().st_mtime
    except FileNotFoundError:  # removed since the directory was listed (a job's temporary file)
        return
    _add_bytes(archive, name, data, mtime)
    manifest.members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _add_large(archive: tarfile.TarFile, name: str, path: Path, manifest: Manifest) -> None:
    manifest.members[name] = {"sha256": _sha256(path), "size": path.stat().st_size}
    archive.add(path, arcname=name, recursive=False)


def create_backup(*, actor: Any, output: Path | None = None) -> tuple[Path, Manifest]:
    """Write the archive to ``output`` (a temporary name first, renamed when complete)."""
    output = Path(output or default_output())
    output.parent.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(
        app_version=app_version(),
        vendor=connection.vendor,
        migrations=applied_migrations(),
        created_at=timezone.now().isoformat(timespec="seconds"),
    )
    partial = output.with_name(f".{output.name}.partial")
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".antt-backup-") as work:
            dump = Path(work) / "database"
            member = _dump_database(dump)
            with tarfile.open(partial, "w:gz") as archive:
                _add_large(archive, member, dump, manifest)
                for label, root in file_roots().items():
                    if not root.is_dir():
                        continue
                    for path in sorted(root.rglob("*")):
                        if path.is_file() and not path.is_symlink():
                            rel = path.relative_to(root).as_posix()
                            _add(archive, f"files/{label}/{rel}", path, manifest)
                _add_bytes(archive, MANIFEST, manifest.as_json(), timezone.now().timestamp())
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)  # only there when the backup failed
    audit.record(
        actor=actor,
        verb="backup.create",
        object_repr=output.name,
        changes={
            "file": str(output),
            "sha256": _sha256(output),
            "members": len(manifest.members),
            "bytes": manifest.total_bytes,
        },
    )
    return output, manifest


# ---------------------------------------------------------------- verify and restore


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        return False
    return name in (MANIFEST, SQLITE_MEMBER, PG_MEMBER) or (
        len(pure.parts) > 2 and pure.parts[0] == "files"
    )


def _unpack(path: Path, staging: Path) -> Manifest:
    """Unpack into ``staging`` and check everything; raise BackupError on any doubt."""
    broken = _("Bản sao lưu “%(file)s” bị hỏng hoặc không đầy đủ; không khôi phục gì.") % {
        "file": path.name
    }
    found: dict[str, dict[str, Any]] = {}
    raw_manifest: bytes | None = None
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(
                        _("Bản sao lưu chứa mục không hợp lệ “%(name)s”; không khôi phục gì.")
                        % {"name": member.name}
                    )
                source = archive.extractfile(member)
                assert source is not None  # noqa: S101 — a regular file always has content
                if member.name == MANIFEST:
                    raw_manifest = source.read(CHUNK)
                    continue
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[member.name] = {"sha256": digest.hexdigest(), "size": size}
    except FileNotFoundError as exc:
        raise BackupError(_("Không có tệp “%(file)s”.") % {"file": path}) from exc
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(broken) from exc
    if raw_manifest is None:
        raise BackupError(broken)
    manifest = Manifest.from_json(raw_manifest)
    if manifest.format != FORMAT:
        raise BackupError(
            _("Bản sao lưu theo định dạng %(format)s, phiên bản này chỉ đọc định dạng %(ours)s.")
            % {"format": manifest.format, "ours": FORMAT}
        )
    bad = sorted(
        name
        for name in set(found) | set(manifest.members)
        if found.get(name) != manifest.members.get(name)
    )
    if bad:
        raise BackupError(
            broken
            + " "
            + _("Sai mã kiểm tra SHA-256 hoặc thiếu: %(names)s.") % {"names": ", ".join(bad[:5])}
        )
    return manifest


def _check_compatible(manifest: Manifest) -> None:
    if manifest.vendor != connection.vendor:
        raise BackupError(
            _(
                "Bản sao lưu của cơ sở dữ liệu %(theirs)s, không khôi phục được vào %(ours)s. "
                "Không khôi phục gì."
            )
            % {"theirs": manifest.vendor, "ours": connection.vendor}
        )
    newer = sorted(set(manifest.migrations) - known_migrations())
    if newer:
        raise BackupError(
            _(
                "Bản sao lưu được tạo bởi phiên bản mới hơn (có các bước chuyển đổi dữ liệu mà "
                "phiên bản này không biết: %(names)s). Hãy cập nhật phần mềm trước. "
                "Không khôi phục gì."
            )
            % {"names": ", ".join(newer[:5])}
        )


@contextmanager
def _staging() -> Iterator[Path]:
    base = Path(settings.DATA_DIR)
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base, prefix=".antt-restore-") as work:
        yield Path(work)


def verify_backup(path: Path) -> Manifest:
    """Check an archive completely (every checksum) without restoring it."""
    with _staging() as staging:
        manifest = _unpack(Path(path), staging)
    _check_compatible(manifest)
    return manifest


def _restore_sqlite(dump: Path) -> None:
    connection.close()
    connection.ensure_connection()
    target = cast(sqlite3.Connection, connection.connection)
    source = sqlite3.connect(dump)
    try:
        source.backup(target)  # page by page into the live file, under SQLite's own lock
    finally:
        source.close()
        connection.close()


def _restore_postgresql(dump: Path, staging: Path) -> None:
    script = staging / "restore.sql"
    _run(["pg_restore", "--no-owner", "--no-privileges", "--file", str(script), str(dump)])
    reset = staging / "reset.sql"
    # A server still connected holds locks: fail after 30 s (nothing changed) rather than hang.
    reset.write_text(
        "SET lock_timeout = '30s';\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n",
        encoding="utf-8",
    )
    connection.close()
    # One transaction: either the whole dump is in, or the database is as it was.
    _run(
        ["psql", "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1",
         "-f", str(reset), "-f", str(script)]
    )


def _replace_tree(new: Path | None, root: Path) -> None:
    """Swap ``root`` for ``new`` (None: an empty directory), keeping the old one until done."""
    root.parent.mkdir(parents=True, exist_ok=True)
    old = root.with_name(f".{root.name}.before-restore")
    if old.exists():
        shutil.rmtree(old)
    if root.exists():
        os.replace(root, old)
    if new is not None:
        shutil.move(str(new), str(root))
    else:
        root.mkdir()
    shutil.rmtree(old, ignore_errors=True)


def restore_backup(*, actor: Any, path: Path) -> Manifest:
    """Verify ``path`` entirely, then replace the database and the file trees with it."""
    path = Path(path)
    with _staging() as staging:
        manifest = _unpack(path, staging)
        _check_compatible(manifest)
        archive_sha = _sha256(path)
        if connection.vendor == "sqlite":
            _restore_sqlite(staging / SQLITE_MEMBER)
        else:
            _restore_postgresql(staging / PG_MEMBER, staging)
        for label, root in file_roots().items():
            tree = staging / "files" / label
            _replace_tree(tree if tree.is_dir() else None, root)
    missing = sorted(known_migrations() - set(manifest.migrations))
    audit.record(
        actor=_same_person(actor),
        verb="backup.restore",
        object_repr=path.name,
        changes={
            "file": str(path),
            "sha256": archive_sha,
            "created_at": manifest.created_at,
            "app_version": manifest.app_version,
            "members": len(manifest.members),
            "migrations_to_apply": len(missing),
        },
    )
    return manifest


def _same_person(actor: Any) -> Any:
    """The actor as the restored database knows them (their row may differ, or be absent)."""
    username = getattr(actor, "username", None)
    if not getattr(actor, "is_authenticated", False) or not username:
        return actor
    return get_user_model().objects.filter(username=username).first() or str(username)
