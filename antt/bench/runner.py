"""``antt bench``: every measure on every database, at each scale, in one run.

For each database URL: a base database (migrated, official divisions loaded) is built once;
each scale gets a fresh copy of it (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL), its dataset (timed), then ``antt bench_measure`` in a process of its own. The
largest scale also measures the imports and the certificates. The figures are printed as one
table against the targets and written as JSON.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from antt.bench.figures import Figure

DEFAULT_DATABASES = (
    f"sqlite:///{settings.DATA_DIR}/bench/antt-bench.sqlite3",
    "postgres://postgres@127.0.0.1:5432/antt_bench",
)


SQLITE = "sqlite:///"


def vendor(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def suffixed(url: str, suffix: str) -> str:
    """The same server, another database: …/antt_bench → …/antt_bench_national."""
    if vendor(url) == "sqlite":
        path = _sqlite_path(url)
        return SQLITE + str(path.parent / f"{path.stem}-{suffix}{path.suffix}")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{suffix}"))


def _sqlite_path(url: str) -> Path:
    """sqlite:////abs/file.sqlite3 → /abs/file.sqlite3 (as dj-database-url reads it)."""
    return Path(url.removeprefix(SQLITE))


def reset(url: str, template: str | None = None) -> None:
    """Drop the database and create it empty, or as a copy of ``template``."""
    if vendor(url) == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for extra in ("", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        if template is not None:
            shutil.copyfile(_sqlite_path(template), path)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        source = f' TEMPLATE "{urlsplit(template).path.lstrip("/")}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{source}')


def manage(url: str, *args: str, quiet: bool = False) -> float:
    """Run one ``antt`` command on ``url``; its wall time in seconds."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Production settings, served over plain HTTP on the loopback without collectstatic.
        "ANTT_DEBUG": "0",
        "ANTT_HTTPS": "0",
        "ANTT_MANIFEST_STATIC": "0",
    }
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 (our interpreter, our commands)
        [sys.executable, "-m", "django", *args],
        env=env,
        check=True,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - start


def constant_queries(figures: Sequence[Figure], db: str, scales: Sequence[str]) -> list[Figure]:
    """Each page's query count at the largest scale against the smallest: must not grow."""
    counts: dict[str, dict[str, float]] = {}
    for f in figures:
        if f.name.startswith("số câu SQL: ") and "/" in f.database:
            engine, scale = f.database.split("/", 1)
            if engine == db:
                counts.setdefault(f.name.removeprefix("số câu SQL: "), {})[scale] = f.value
    small, large = scales[0], scales[-1]
    return [
        Figure(
            db,
            f"số câu SQL không tăng: {page}",
            by[large],
            "câu",
            by[small],
            note=f"{small}: {by[small]:.0f}, {large}: {by[large]:.0f}",
        )
        for page, by in counts.items()
        if small in by and large in by and small != large
    ]


def run(
    databases: Sequence[str],
    scales: Sequence[str],
    years: str,
    say: Callable[[str], None],
) -> dict[str, Any]:
    figures: list[Figure] = []
    for url in databases:
        db = vendor(url)
        base = suffixed(url, "base")
        say(f"== {db}: chuẩn bị cơ sở dữ liệu gốc ==")
        reset(base)
        manage(base, "migrate", "--noinput", "-v0")
        figures.append(Figure(db, "nạp danh mục hành chính", manage(base, "load_divisions"), "s"))
        for scale in scales:
            target = suffixed(url, scale)
            reset(target, template=base)
            say(f"== {db}: tạo dữ liệu quy mô {scale} ==")
            seconds = manage(target, "generate_dataset", "--scale", scale, "--years", years)
            figures.append(
                Figure(f"{db}/{scale}", f"tạo dữ liệu {scale}, năm {years}", seconds, "s")
            )
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                extra = ["--full"] if scale == scales[-1] else []
                manage(
                    target, "bench_measure", "--label", f"{db}/{scale}", "--json", out.name, *extra
                )
                measured = json.loads(Path(out.name).read_text(encoding="utf-8"))
            figures += [_figure(d) for d in measured["figures"]]
        figures += constant_queries(figures, db, scales)
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "scales": list(scales),
        "years": years,
        "figures": figures,
    }


def _figure(data: dict[str, Any]) -> Figure:
    data = {k: v for k, v in data.items() if k != "status"}
    return Figure(**data)
