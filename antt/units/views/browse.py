from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from antt.units.models import Unit


def parse_day(request: HttpRequest) -> dt.date:
    raw = request.GET.get("date")
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise Http404 from exc


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    day = parse_day(request)
    units = Unit.objects.visible_to(request.user).valid_on(day)
    q = request.GET.get("q", "").strip()
    units = units.search(q)[:200] if q else units.filter(depth=0)
    return render(request, "units/unit_list.html", {"units": units, "q": q, "day": day})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    day = parse_day(request)
    unit = Unit.objects.visible_to(request.user).at_code(code, day).first()
    if unit is None:
        raise Http404
    return render(request, "units/unit_detail.html", {"unit": unit, "day": day})
