"""An issued certificate's content cannot change, and an annulment is final — in the database
too, for writes that do not go through the ORM (a console, a script, another program).

The model refuses the same changes with a Vietnamese message; these triggers are the last line.
SQLite and PostgreSQL each get their own dialect; any other vendor gets none.
"""

from django.db import migrations

CONTENT = (
    "registration_id",
    "decision_id",
    "issuing_unit_id",
    "year",
    "serial",
    "number",
    "verification_code",
    "issued_on",
)
MESSAGE = "an issued certificate cannot be changed: annul it and issue a new one"

SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER recognition_certificate_immutable
    BEFORE UPDATE ON recognition_certificate
    WHEN {SQLITE_CHANGED} OR (OLD.status = 'annulled' AND NEW.status <> 'annulled')
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END
    """
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS recognition_certificate_immutable"]

PG_OLD = ", ".join(f"OLD.{c}" for c in CONTENT)
PG_NEW = ", ".join(f"NEW.{c}" for c in CONTENT)
PG_FORWARD = [
    f"""
    CREATE FUNCTION recognition_certificate_immutable() RETURNS trigger AS $$
    BEGIN
        IF ({PG_NEW}) IS DISTINCT FROM ({PG_OLD})
           OR (OLD.status = 'annulled' AND NEW.status <> 'annulled') THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER recognition_certificate_immutable
    BEFORE UPDATE ON recognition_certificate
    FOR EACH ROW EXECUTE FUNCTION recognition_certificate_immutable()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS recognition_certificate_immutable ON recognition_certificate",
    "DROP FUNCTION IF EXISTS recognition_certificate_immutable()",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("recognition", "0004_registration_geography")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
