"""Forms shared by the pages that take a spreadsheet (units, incidents, facts, results)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antt.core.tabular import megabytes

__all__ = ["SpreadsheetUploadForm"]


class SpreadsheetUploadForm(forms.Form):
    """A CSV/XLSX file, refused before it is read when over ``ANTT_IMPORT_MAX_BYTES``."""

    file = forms.FileField(label=gettext_lazy("Tệp CSV hoặc Excel (.xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.ANTT_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Tệp quá lớn (%(size)s MB): tối đa %(limit)s MB. Hãy chia thành nhiều tệp "
                  "nhỏ hơn.")
                % {"size": megabytes(upload.size), "limit": megabytes(limit)}
            )
        return upload
