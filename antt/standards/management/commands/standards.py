"""`antt standards list | show CODE | facts`: the criteria sets as data, for people and scripts.

``--format json`` prints exactly what ``/api/v1/standards/…`` returns.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.standards.api import EVIDENCE_LABELS, facts_catalogue, set_summary, set_tree
from antt.standards.catalog import registry
from antt.standards.vocab import KIND_LABELS

FORMATS = ("text", "json")


def dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _params(params: dict[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        if key == "label":
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        if isinstance(value, dict):
            shown = "; ".join(f"{k}: {v}" for k, v in value.items())
        parts.append(f"{key}={shown}")
    return ", ".join(parts)


class Command(BaseCommand):
    help = (
        "Xem các bộ tiêu chí “An toàn về an ninh, trật tự”: list (danh sách), "
        "show MÃ (toàn bộ một bộ tiêu chí), facts (danh mục số liệu năm)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{list,show,facts}")
        listing = sub.add_parser("list", help="Danh sách bộ tiêu chí.")
        show = sub.add_parser("show", help="Toàn bộ một bộ tiêu chí.")
        show.add_argument("code", help="Mã bộ tiêu chí, ví dụ tt124-2021.")
        facts = sub.add_parser("facts", help="Danh mục số liệu năm mà các tiêu chí sử dụng.")
        for p in (listing, show, facts):
            p.add_argument(
                "--format", choices=FORMATS, default="text", help="text (mặc định) hoặc json."
            )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["subcommand"]
        as_json = options["format"] == "json"
        if action == "list":
            sets = sorted(registry().sets.values(), key=lambda s: s.applies_from)
            data: Any = [set_summary(s) for s in sets]
            if not as_json:
                self._print_list(data)
        elif action == "show":
            cset = registry().sets.get(options["code"])
            if cset is None:
                known = ", ".join(sorted(registry().sets))
                raise CommandError(
                    _("Không có bộ tiêu chí “%(code)s”. Các bộ hiện có: %(known)s.")
                    % {"code": options["code"], "known": known}
                )
            data = set_tree(cset)
            if not as_json:
                self._print_tree(data)
        else:
            try:
                data = facts_catalogue()
            except ImportError as exc:
                raise CommandError(_("Chưa có danh mục số liệu năm (ứng dụng records).")) from exc
            if not as_json:
                from antt.records.catalog_export import facts_catalog_text

                self.stdout.write(facts_catalog_text(), ending="")
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    # --- text ------------------------------------------------------------------------------------

    def _print_list(self, sets: list[dict[str, Any]]) -> None:
        for s in sets:
            self.stdout.write(
                f"{s['code']}  {s['short_title']}  — "
                + _("áp dụng từ %(day)s") % {"day": dmy(s["applies_from"])}
            )
            self.stdout.write(f"    {s['title']}")
            for row in s["kinds"]:
                self.stdout.write(
                    "    "
                    + _("%(kind)s: %(criteria)s tiêu chí, %(points)s điểm")
                    % {
                        "kind": row["kind_label"],
                        "criteria": row["criteria"],
                        "points": row["points"],
                    }
                )

    def _print_tree(self, tree: dict[str, Any]) -> None:
        w = self.stdout.write
        w(f"{tree['title']} ({tree['code']})")
        w(_("Áp dụng từ: %(day)s") % {"day": dmy(tree["applies_from"])})
        if tree["note"]:
            w(tree["note"])
        w("")
        w(_("Kỳ đánh giá"))
        for win in tree["windows"]:
            assumed = _(" (giả định)") if win["assumed"] else ""
            w(f"  {win['kind_label']}: {win['description']}{assumed}")
        if tree["settings"]:
            w("")
            w(_("Cách hiểu quy định (thiết lập)"))
            for s in tree["settings"]:
                w(f"  {s['key']}: {s['question']}")
                labels = {c["value"]: c["label"] for c in s["choices"]}
                w(
                    "    "
                    + _("mặc định: %(value)s — %(label)s")
                    % {"value": s["default"], "label": labels[s["default"]]}
                )
                for c in s["choices"]:
                    w(f"    · {c['value']} — {c['label']}")
        w("")
        w(_("Tiêu chí"))
        for node in tree["criteria"]:
            self._print_node(node, 1)

    def _print_node(self, node: dict[str, Any], depth: int) -> None:
        w = self.stdout.write
        pad = "  " * depth
        kinds = ", ".join(KIND_LABELS.get(k, k) for k in node["kinds"])
        evidence = EVIDENCE_LABELS.get(node["evidence"], node["evidence"])
        w(f"{pad}{node['code']} [{node['reference']}] — {evidence} — {kinds}")
        if node["text"]:
            w(f"{pad}    {node['text']}")
        if node["note"]:
            w(f"{pad}    " + _("Ghi chú: %(note)s") % {"note": node["note"]})
        if node["scope"] == "territory":
            w(f"{pad}    " + _("Phạm vi: toàn địa bàn"))
        if node["includes"]:
            w(f"{pad}    " + _("Gồm: %(codes)s") % {"codes": ", ".join(node["includes"])})
        for fact in node["facts"]:
            w(
                f"{pad}    "
                + _("Số liệu: %(name)s — %(label)s")
                % {"name": fact["name"], "label": fact["label"]}
            )
        for rule in node["rules"]:
            label = rule["params"].get("label", "")
            w(
                f"{pad}    "
                + _("Quy tắc: %(type)s(%(params)s) %(label)s")
                % {"type": rule["type"], "params": _params(rule["params"]), "label": label}
            )
        for key in node["settings"]:
            w(f"{pad}    " + _("Cách hiểu: %(key)s") % {"key": key})
        for child in node["points"]:
            self._print_node(child, depth + 1)
