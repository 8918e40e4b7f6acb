"""Who may act where. Pure: roles and paths in, a yes/no out. No Django imports.

Seeing is the scoped queryset's business; acting is decided here and re-checked by every service,
so the pages, the API and the CLI cannot diverge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    NATIONAL_ADMIN = "national_admin"
    PROVINCE_OFFICER = "province_officer"
    COMMUNE_OFFICER = "commune_officer"
    UNIT_HEAD = "unit_head"
    COMMITTEE_MEMBER = "committee_member"
    VIEWER = "viewer"


class Action(StrEnum):
    VIEW = "view"
    MANAGE_UNITS = "manage_units"  # create, edit, move, import units in the subtree
    ASSIGN_ROLES = "assign_roles"
    RECORD_EVIDENCE = "record_evidence"  # incidents, yearly facts, discipline
    JUDGE = "judge"  # record a meeting's verdict on a criterion, or override a computed one


# Role → actions it grants inside its subtree.
GRANTS: dict[Role, frozenset[Action]] = {
    Role.NATIONAL_ADMIN: frozenset(Action),
    Role.PROVINCE_OFFICER: frozenset(
        {
            Action.VIEW,
            Action.MANAGE_UNITS,
            Action.ASSIGN_ROLES,
            Action.RECORD_EVIDENCE,
            Action.JUDGE,
        }
    ),
    Role.COMMUNE_OFFICER: frozenset(
        {Action.VIEW, Action.MANAGE_UNITS, Action.RECORD_EVIDENCE, Action.JUDGE}
    ),
    Role.UNIT_HEAD: frozenset({Action.VIEW, Action.RECORD_EVIDENCE, Action.JUDGE}),
    Role.COMMITTEE_MEMBER: frozenset({Action.VIEW, Action.JUDGE}),
    Role.VIEWER: frozenset({Action.VIEW}),
}

NATIONWIDE_ROLES = frozenset({Role.NATIONAL_ADMIN})


@dataclass(frozen=True)
class Grant:
    role: Role
    path: str  # the materialised path of the subtree root


def can(grants: Iterable[Grant], action: Action, unit_path: str) -> bool:
    """True when some grant gives ``action`` over a subtree containing ``unit_path``."""
    return any(
        action in GRANTS[g.role] and (g.role in NATIONWIDE_ROLES or unit_path.startswith(g.path))
        for g in grants
    )
