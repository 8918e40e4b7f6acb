"""The reports' registration counts read one covering index: (year, current province, current
commune, kind, result, imported) replaces (year, current province, kind, result), which it
extends, so the national count per province and a province's count per commune need no table
access (PostgreSQL: index-only scan; SQLite: covering index)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0005_certificate_immutable"),
        ("units", "0002_unit_eligible_cover"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="registration",
            name="registration_report_now",
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                fields=[
                    "year",
                    "current_province",
                    "current_commune",
                    "unit_kind",
                    "result",
                    "imported",
                ],
                name="registration_report_cover",
            ),
        ),
    ]
