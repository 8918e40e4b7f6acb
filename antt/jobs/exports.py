"""The spreadsheet a scope-evaluation job leaves for download: rows in, bytes out."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]

from antt.core.tabular import inert_row
from antt.recognition.api import RESULT_LABELS, SUMMARY_FIELDS, scope_summary_header
from antt.standards.vocab import KIND_LABELS

__all__ = ["evaluation_xlsx"]


def evaluation_xlsx(data: dict[str, Any]) -> bytes:
    """``recognition.api.scope_dict`` as a workbook: the units, the totals, the ineligible."""
    book = Workbook(write_only=True)
    units = book.create_sheet(_("Đánh giá"))
    # Names and codes are user data: a name like "=HYPERLINK(…)" stays text (inert_row).
    units.append(
        inert_row(
            units,
            [
                _("Đánh giá năm %(year)s — %(name)s (mã %(code)s)")
                % {"year": data["year"], "name": data["scope_name"], "code": data["scope"]}
            ],
        )
    )
    units.append(
        [
            _("Mã"),
            _("Tên đơn vị"),
            _("Loại"),
            _("Bộ tiêu chí"),
            _("Kết quả"),
            _("Tiêu chí không đạt"),
            _("Tiêu chí chưa đủ căn cứ"),
        ]
    )
    for row in data["units"]:
        units.append(
            inert_row(
                units,
                [
                    row["unit"],
                    row["name"],
                    str(KIND_LABELS.get(row["kind"], row["kind"])),
                    row["standard"],
                    str(RESULT_LABELS.get(row["result"], row["result"])),
                    ", ".join(row["failed"]),
                    ", ".join(row["pending"]),
                ],
            )
        )
    totals = book.create_sheet(_("Tổng hợp"))
    totals.append(scope_summary_header())
    for kind, row in data["summary"].items():
        totals.append([str(KIND_LABELS.get(kind, kind))] + [row[k] for k in SUMMARY_FIELDS])
    ineligible = book.create_sheet(_("Không thuộc đối tượng"))
    ineligible.append([_("Mã"), _("Tên đơn vị"), _("Loại"), _("Lý do")])
    for row in data["ineligible"]:
        ineligible.append(
            inert_row(
                ineligible,
                [
                    row["unit"],
                    row["name"],
                    str(KIND_LABELS.get(row["kind"], row["kind"])),
                    row["reason"],
                ],
            )
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
