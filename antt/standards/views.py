"""The criteria sets as readable pages: the list, and one set by unit kind.

The law's text is the same for every signed-in user: nothing here is scoped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from antt.standards.api import set_summary, set_tree
from antt.standards.catalog import UNIT_KINDS, CriteriaSet, registry
from antt.standards.vocab import KIND_LABELS

__all__ = ["criteria_set_detail", "criteria_set_list"]


def _sets() -> list[CriteriaSet]:
    return sorted(registry().sets.values(), key=lambda s: s.applies_from, reverse=True)


@login_required
def criteria_set_list(request: HttpRequest) -> HttpResponse:
    rows = [{**set_summary(cset), "applies_from": cset.applies_from} for cset in _sets()]
    return render(request, "standards/criteria_set_list.html", {"sets": rows})


def kind_groups(cset: CriteriaSet) -> list[dict[str, Any]]:
    """Kinds judged by the same criteria share a section (agencies and enterprises: Art. 6)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for kind in UNIT_KINDS:
        codes = tuple(c.code for c in cset.for_kind(kind))
        if codes:
            groups.setdefault(codes, []).append(kind)
    return [
        {
            "id": "-".join(kinds),
            "kinds": kinds,
            "label": ", ".join(KIND_LABELS[k] for k in kinds),
            "codes": codes,
        }
        for codes, kinds in groups.items()
    ]


def _decorate(node: dict[str, Any], anchors: dict[str, str], settings: dict[str, Any]) -> None:
    """Links for the template: included criteria and the settings a node depends on."""
    node["include_links"] = [{"code": c, "anchor": anchors.get(c, "")} for c in node["includes"]]
    node["setting_links"] = [settings[key] for key in node["settings"] if key in settings]
    for child in node["points"]:
        _decorate(child, anchors, settings)


@login_required
def criteria_set_detail(request: HttpRequest, code: str) -> HttpResponse:
    cset = registry().sets.get(code)
    if cset is None:
        raise Http404(_("Không có bộ tiêu chí này."))
    tree = set_tree(cset)
    groups = kind_groups(cset)
    by_code = {node["code"]: node for node in tree["criteria"]}

    anchors: dict[str, str] = {}
    for group in groups:
        for top in group["codes"]:
            for node in cset.node(top).walk():
                anchors.setdefault(node.code, f"{group['id']}--{node.code}")
    settings = {s["key"]: s for s in tree["settings"]}
    for s in tree["settings"]:
        s["default_label"] = next(c["label"] for c in s["choices"] if c["value"] == s["default"])
    for node in tree["criteria"]:
        _decorate(node, anchors, settings)
    for group in groups:
        group["criteria"] = [by_code[c] for c in group["codes"]]

    windows = {w["kind"]: w for w in tree["windows"]}
    for group in groups:
        seen: dict[str, dict[str, Any]] = {}
        for kind in group["kinds"]:
            if kind in windows:
                seen.setdefault(windows[kind]["description"], windows[kind])
        group["windows"] = list(seen.values())
    return render(
        request,
        "standards/criteria_set_detail.html",
        {
            "cset": tree,
            "applies_from": dt.date.fromisoformat(tree["applies_from"]),
            "groups": groups,
            "sets": _sets(),
        },
    )
