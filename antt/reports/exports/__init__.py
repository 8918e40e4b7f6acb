"""Report exporters: pure "statistics dict → bytes" builders (XLSX, DOCX, PDF).

The dicts are those the statistics produce (``summary`` for one year and scope, ``review`` for
a run of years); see :mod:`antt.reports.exports.content` for the keys read and the defaults.
"""

from antt.reports.exports.pdf import review_pdf, summary_pdf
from antt.reports.exports.spreadsheet import review_xlsx, summary_xlsx
from antt.reports.exports.word import review_docx, summary_docx

__all__ = [
    "review_docx",
    "review_pdf",
    "review_xlsx",
    "summary_docx",
    "summary_pdf",
    "summary_xlsx",
]
