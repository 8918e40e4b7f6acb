"""Rows straight into a model's table: COPY on PostgreSQL, ``executemany`` elsewhere.

Django's ``bulk_create`` spends most of its time compiling each value (≈ 0.2 ms a row with
15 columns); the generated dataset has millions of rows, so it writes plain tuples instead. The
caller gives the primary keys (``reserve_ids``), so rows that point at each other are written
without reading anything back.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

__all__ = ["Table", "lock", "reserve_ids"]


def reserve_ids(model: type[Model], count: int) -> range:
    """``count`` primary keys above every existing one. The dataset runs in one transaction
    that has locked the table (``lock``), so nobody else takes them; the sequence is moved
    past them at the end (``Table.close``)."""
    top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
    start = max(top, _reserved.get(model, 0)) + 1
    _reserved[model] = start + count - 1
    return range(start, start + count)


_reserved: dict[type[Model], int] = {}


class Table:
    """Buffered writer of one table's rows. ``add`` takes the values by attribute name
    (``unit_id``); a field not given gets its default (``""``, ``False``, ``now`` for
    ``auto_now`` fields, NULL where allowed), as ``Model()`` would."""

    def __init__(self, model: type[Model], *, with_id: bool = False, batch: int = 20_000) -> None:
        self.model = model
        self.table = model._meta.db_table
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.defaults = {
            f.attname: now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
            for f in self.fields
        }
        self.json = {f.attname for f in self.fields if f.get_internal_type() == "JSONField"}
        self.batch = batch
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, **values: Any) -> None:
        row = {**self.defaults, **values}
        for name in self.json:
            row[name] = json.dumps(row[name], ensure_ascii=False)
        self.rows.append(tuple(row[f.attname] for f in self.fields))
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        qn = connection.ops.quote_name
        cols = ", ".join(qn(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {qn(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {qn(self.table)} ({cols}) VALUES ({marks})",  # noqa: S608
                    self.rows,
                )
        self.written += len(self.rows)
        self.rows = []

    def close(self) -> int:
        """Write what is left and move the id sequence past the ids written (PostgreSQL)."""
        self.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(sql)
        return self.written


def lock(*models: type[Model]) -> None:
    """Keep other writers out until the transaction ends (ids are reserved by hand); SQLite's
    IMMEDIATE transactions already do."""
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
