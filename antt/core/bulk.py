"""Rows straight into a model's table: COPY on PostgreSQL, ``executemany`` elsewhere.

Django's ``bulk_create`` spends most of its time compiling each value (≈ 0.2 ms a row with
15 columns); imports of 100,000 units and the generated dataset's millions of rows write plain
tuples instead. The caller gives the primary keys (``next_ids`` or ``reserve_ids``), so rows that
point at each other are written without reading anything back.

No validation here: callers write rows they have already checked (the database's constraints
still hold, and a failure rolls back the caller's transaction).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

__all__ = ["Table", "lock", "next_ids", "reserve_ids"]


def reserve_ids(model: type[Model], count: int) -> range:
    """``count`` primary keys above every existing one, for a writer that has locked the table
    (``lock``) for its transaction, so nobody else takes them; the sequence is moved past them
    at the end (``Table.close``)."""
    top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
    start = max(top, _reserved.get(model, 0)) + 1
    _reserved[model] = start + count - 1
    return range(start, start + count)


_reserved: dict[type[Model], int] = {}


def next_ids(model: type[Model], count: int) -> list[int]:
    """``count`` fresh primary keys without locking the table. PostgreSQL: taken from the id
    sequence, as concurrent inserts take theirs. SQLite: above the largest id, which is safe
    because our transactions are IMMEDIATE (``config.settings``): the caller, inside one, already
    holds the only write lock."""
    if count <= 0:
        return []
    if connection.vendor != "postgresql":
        return list(reserve_ids(model, count))
    table, pk = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), pk, count],
        )
        return [row[0] for row in cursor.fetchall()]


class Table:
    """Buffered writer of one table's rows. ``add`` takes the values by attribute name
    (``unit_id``); a field not given gets its default (``""``, ``False``, ``now`` for
    ``auto_now`` fields, NULL where allowed), as ``Model()`` would.

    ``with_id``: the caller gives the primary keys. ``close`` then moves the id sequence past
    them unless ``reset_sequence`` is False (ids taken from the sequence by ``next_ids``)."""

    def __init__(
        self,
        model: type[Model],
        *,
        with_id: bool = False,
        batch: int = 20_000,
        reset_sequence: bool | None = None,
    ) -> None:
        self.model = model
        self.table = model._meta.db_table
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.attnames = tuple(f.attname for f in self.fields)
        self.defaults = {
            f.attname: now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
            for f in self.fields
        }
        self.json = {f.attname for f in self.fields if f.get_internal_type() == "JSONField"}
        self.batch = batch
        self.reset_sequence = with_id if reset_sequence is None else reset_sequence
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, **values: Any) -> None:
        row = {**self.defaults, **values}
        for name in self.json:
            row[name] = json.dumps(row[name], ensure_ascii=False)
        self.rows.append(tuple(row[name] for name in self.attnames))
        if len(self.rows) >= self.batch:
            self.flush()

    def add_instance(self, obj: Model) -> None:
        """A model instance whose every field is already set (its id too, with ``with_id``)."""
        row = [getattr(obj, name) for name in self.attnames]
        if self.json:
            row = [
                json.dumps(v, ensure_ascii=False) if n in self.json else v
                for n, v in zip(self.attnames, row, strict=True)
            ]
        self.rows.append(tuple(row))
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
        """Write what is left and, when asked, move the id sequence past the ids written."""
        self.flush()
        if self.reset_sequence and connection.vendor == "postgresql":
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
