"""The home page of a signed-in officer: what waits on me this year, and how far my area is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from antt.core.cache import cached
from antt.recognition import worklist
from antt.recognition.api import FIRST_YEAR, last_year
from antt.recognition.views_cycle.common import today, year_choices

__all__ = ["work_list"]


@login_required
def work_list(request: HttpRequest) -> HttpResponse:
    year = last_year()
    raw = request.GET.get("year", "")
    if raw:
        if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= last_year():
            return redirect("home")
        year = int(raw)
    user = request.user
    has_roles = user.is_superuser or bool(user.grants())  # type: ignore[union-attr]
    context = {
        "year": year,
        "years": year_choices(),
        "today": today(),
        "has_roles": has_roles,
    }
    if has_roles:
        day = today()

        def compute() -> str:
            deadlines = worklist.Deadlines(year, day)
            figures = {
                "year": year,
                "today": day,
                "work": worklist.work_list(user, year, day, deadlines=deadlines),
                "area": worklist.area_figures(user, year, day, deadlines=deadlines),
            }
            # Without the request: the fragment holds no CSRF token and nothing of the session.
            return render_to_string("recognition/_worklist_figures.html", figures)

        # National aggregates and their tables: built once per data version, not on every
        # visit. The rendered rows are kept (not only the figures) because formatting a few
        # hundred numbers costs more than the rest of the page.
        parts = (*worklist.cache_parts(user, year, day), "html")
        context["figures"] = mark_safe(cached(parts, compute))  # noqa: S308 (our template)
    return render(request, "recognition/worklist.html", context)
