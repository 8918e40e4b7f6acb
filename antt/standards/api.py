"""REST API v1 for the criteria sets: the list, one set's full tree, and the fact catalogue.

The same dictionaries are printed by ``antt standards list|show|facts --format json``; the
serializers below both document them in the schema and shape every response.
The criteria sets are the law's text, the same for every user: nothing here is scoped.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.standards.catalog import (
    UNIT_KINDS,
    CriteriaSet,
    Criterion,
    Fact,
    Registry,
    registry,
)
from antt.standards.vocab import KIND_LABELS

__all__ = [
    "CriteriaSetDetailView",
    "CriteriaSetListView",
    "FactCatalogueView",
    "facts_catalogue",
    "set_summary",
    "set_tree",
]

# Vietnamese msgids (the CLI prints them as they are); criterion_tree translates them.
EVIDENCE_LABELS: dict[str, str] = {
    "document": gettext_noop("văn bản (có và đúng thời hạn)"),
    "numeric": gettext_noop("số liệu, ngưỡng"),
    "event": gettext_noop("vụ việc trong kỳ đánh giá"),
    "judgement": gettext_noop("đánh giá của cuộc họp"),
    "group": gettext_noop("nhóm các điểm"),
}


# --- plain dictionaries (also printed by the CLI) ------------------------------------------------


def own_facts(node: Criterion) -> tuple[str, ...]:
    """The facts this node's own rules read (its points list theirs)."""
    return dataclasses.replace(node, children=()).facts


def own_settings(node: Criterion) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.params["setting"] for r in node.rules if "setting" in r.params))


def _points(cset: CriteriaSet, node: Criterion) -> int:
    """The nodes below ``node``, counting the criteria it includes (5.2 → 4.2, 4.3, 4.4)."""
    return sum(1 + _points(cset, child) for child in node.children) + sum(
        1 + _points(cset, cset.node(code)) for code in node.includes
    )


def kind_counts(cset: CriteriaSet) -> list[dict[str, Any]]:
    """Per unit kind: the criteria (top level) and their points (the nodes below them,
    including those a criterion takes over from another article)."""
    rows = []
    for kind in UNIT_KINDS:
        if kind not in cset.windows:
            continue
        tops = cset.for_kind(kind)
        points = sum(_points(cset, top) for top in tops)
        rows.append(
            {
                "kind": kind,
                "kind_label": KIND_LABELS[kind],
                "criteria": len(tops),
                "points": points,
            }
        )
    return rows


def set_summary(cset: CriteriaSet) -> dict[str, Any]:
    return {
        "code": cset.code,
        "title": cset.title,
        "short_title": cset.short_title,
        "applies_from": cset.applies_from.isoformat(),
        "note": cset.note,
        "kinds": kind_counts(cset),
    }


def _fact(name: str, facts: dict[str, Fact] | Any) -> dict[str, Any]:
    fact = facts.get(name)
    return {
        "name": name,
        "label": fact.label if fact else name,
        "type": fact.type if fact else "",
    }


def criterion_tree(node: Criterion, facts: Any) -> dict[str, Any]:
    return {
        "code": node.code,
        "reference": node.reference,
        "text": node.text,
        "evidence": node.evidence,
        "evidence_label": _(EVIDENCE_LABELS.get(node.evidence, node.evidence)),
        "kinds": list(node.kinds),
        "scope": node.scope,
        "unknown": node.unknown,
        "note": node.note,
        "facts": [_fact(name, facts) for name in own_facts(node)],
        "rules": [{"type": r.type, "params": dict(r.params)} for r in node.rules],
        "settings": list(own_settings(node)),
        "includes": list(node.includes),
        "points": [criterion_tree(child, facts) for child in node.children],
    }


def set_tree(cset: CriteriaSet, reg: Registry | None = None) -> dict[str, Any]:
    facts = (reg or registry()).facts
    return {
        **set_summary(cset),
        "windows": [
            {
                "kind": kind,
                "kind_label": KIND_LABELS.get(kind, kind),
                "start": "{:02d}-{:02d}".format(*w.start),
                "end": "{:02d}-{:02d}".format(*w.end),
                "description": _("%(start)s năm trước – %(end)s năm công nhận")
                % {
                    "start": f"{w.start[1]:02d}/{w.start[0]:02d}",
                    "end": f"{w.end[1]:02d}/{w.end[0]:02d}",
                },
                "assumed": w.assumed,
                "note": w.note,
            }
            for kind, w in cset.windows.items()
        ],
        "settings": [
            {
                "key": s.key,
                "question": s.question,
                "default": s.default,
                "choices": [{"value": c, "label": s.labels.get(c, c)} for c in s.choices],
            }
            for s in cset.settings.values()
        ],
        "criteria": [criterion_tree(node, facts) for node in cset.criteria],
    }


def facts_catalogue() -> Any:
    """The records app's catalogue of yearly facts (imported late: that app builds on this one)."""
    from antt.records.catalog_export import facts_catalog

    return facts_catalog()


def get_set(code: str) -> CriteriaSet:
    cset = registry().sets.get(code)
    if cset is None:
        raise exceptions.NotFound(_("Không có bộ tiêu chí “%(code)s”.") % {"code": code})
    return cset


# --- serializers (schema and shape) --------------------------------------------------------------


class KindCountSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    criteria = serializers.IntegerField(help_text=gettext_lazy("Số tiêu chí"))
    points = serializers.IntegerField(
        help_text=gettext_lazy("Số điểm (nội dung con) của các tiêu chí")
    )


class CriteriaSetSerializer(serializers.Serializer[Any]):
    """Một bộ tiêu chí: căn cứ pháp lý, ngày bắt đầu áp dụng, số tiêu chí theo loại đơn vị."""

    code = serializers.CharField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    applies_from = serializers.DateField()
    note = serializers.CharField()
    kinds = KindCountSerializer(many=True)


class FactRefSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    type = serializers.CharField()


class RuleSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    params = serializers.DictField()


class CriterionSerializer(serializers.Serializer[Any]):
    """Một tiêu chí hoặc một điểm của tiêu chí, với các điểm con trong ``points``."""

    code = serializers.CharField()
    reference = serializers.CharField()
    text = serializers.CharField()
    evidence = serializers.ChoiceField(choices=list(EVIDENCE_LABELS))
    evidence_label = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    scope = serializers.CharField(
        help_text=gettext_lazy("“territory”: tính vụ việc trên toàn địa bàn (Điều 5.2)")
    )
    unknown = serializers.BooleanField()
    note = serializers.CharField()
    facts = FactRefSerializer(many=True)
    rules = RuleSerializer(many=True)
    settings = serializers.ListField(child=serializers.CharField())
    includes = serializers.ListField(child=serializers.CharField())


# Points are criteria too: the serializer refers to itself (one component in the schema).
CriterionSerializer._declared_fields["points"] = CriterionSerializer(many=True)


class WindowSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    start = serializers.CharField(help_text=gettext_lazy("MM-DD, thuộc năm trước năm công nhận"))
    end = serializers.CharField(help_text=gettext_lazy("MM-DD, thuộc năm công nhận"))
    description = serializers.CharField()
    assumed = serializers.BooleanField()
    note = serializers.CharField()


class ChoiceSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class SettingSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    question = serializers.CharField()
    default = serializers.CharField()
    choices = ChoiceSerializer(many=True)


class CriteriaSetDetailSerializer(CriteriaSetSerializer):
    """Toàn bộ một bộ tiêu chí: kỳ đánh giá, cách hiểu quy định, cây tiêu chí."""

    windows = WindowSerializer(many=True)
    settings = SettingSerializer(many=True)
    criteria = CriterionSerializer(many=True)


# --- views ---------------------------------------------------------------------------------------


class CriteriaSetListView(APIView):
    """Các bộ tiêu chí (Thông tư 23/2012, Thông tư 124/2021…)."""

    @extend_schema(
        summary=gettext_lazy("Danh sách bộ tiêu chí"),
        responses=CriteriaSetSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        sets = sorted(registry().sets.values(), key=lambda s: s.applies_from)
        return Response(CriteriaSetSerializer([set_summary(s) for s in sets], many=True).data)


class CriteriaSetDetailView(APIView):
    """Một bộ tiêu chí đầy đủ."""

    @extend_schema(
        summary=gettext_lazy("Một bộ tiêu chí: các tiêu chí, điểm, số liệu, cách hiểu quy định"),
        responses=CriteriaSetDetailSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(CriteriaSetDetailSerializer(set_tree(get_set(code))).data)


class FactReaderSerializer(serializers.Serializer[Any]):
    set = serializers.CharField(help_text=gettext_lazy("Mã bộ tiêu chí"))
    set_title = serializers.CharField()
    kind = serializers.CharField()
    criteria = serializers.ListField(child=serializers.CharField())


class FactSerializer(serializers.Serializer[Any]):
    """Một số liệu năm: kiểu, giá trị cho phép và các tiêu chí sử dụng nó."""

    name = serializers.CharField()
    type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    choices = ChoiceSerializer(many=True)
    read_by = FactReaderSerializer(many=True)


class FactCatalogueView(APIView):
    """Danh mục số liệu năm mà các tiêu chí sử dụng."""

    # The records app owns the catalogue's content: its list is returned as it is.
    @extend_schema(
        summary=gettext_lazy("Danh mục số liệu năm (để chuẩn bị bảng tính nhập liệu)"),
        responses=FactSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(facts_catalogue())
