from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def import_units(request: HttpRequest) -> HttpResponse:
    return render(request, "units/import.html", {})
