"""The yearly cycle as a pure table: which action moves a registration from which state, and
which role may take it at which level. No Django imports: tested as the regulation's spec.

not registered → registered → assessed → submitted ⇄ returned → appraised → decided → certified
A decision (met or not met) can be annulled later; nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from antt.accounts.rules import Grant, Role


class State(StrEnum):
    REGISTERED = "registered"  # Q1: resolution, plan, pledge (Art. 9.2.a)
    ASSESSED = "assessed"  # the unit's meeting (or written consultation) held, verdicts frozen
    SUBMITTED = "submitted"  # dossier sent to the standing office (Art. 9.2.b)
    RETURNED = "returned"  # sent back by the standing office with reasons
    APPRAISED = "appraised"  # the standing office's appraisal done, proposal to the chair
    DECIDED_MET = "decided_met"  # recognised by decision
    DECIDED_NOT_MET = "decided_not_met"
    CERTIFIED = "certified"  # certificate issued
    ANNULLED = "annulled"  # the decision was annulled (D9)


class Action(StrEnum):
    ASSESS = "assess"
    SUBMIT = "submit"
    RETURN = "return"
    APPRAISE = "appraise"
    DECIDE_MET = "decide_met"
    DECIDE_NOT_MET = "decide_not_met"
    CERTIFY = "certify"
    ANNUL = "annul"


TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.REGISTERED, Action.ASSESS): State.ASSESSED,
    (State.ASSESSED, Action.ASSESS): State.ASSESSED,  # a new meeting replaces the verdicts
    (State.RETURNED, Action.ASSESS): State.ASSESSED,
    (State.ASSESSED, Action.SUBMIT): State.SUBMITTED,
    (State.RETURNED, Action.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Action.RETURN): State.RETURNED,
    (State.SUBMITTED, Action.APPRAISE): State.APPRAISED,
    (State.APPRAISED, Action.RETURN): State.RETURNED,
    (State.APPRAISED, Action.DECIDE_MET): State.DECIDED_MET,
    (State.APPRAISED, Action.DECIDE_NOT_MET): State.DECIDED_NOT_MET,
    (State.DECIDED_MET, Action.CERTIFY): State.CERTIFIED,
    (State.DECIDED_MET, Action.ANNUL): State.ANNULLED,
    (State.DECIDED_NOT_MET, Action.ANNUL): State.ANNULLED,
    (State.CERTIFIED, Action.ANNUL): State.ANNULLED,
}

STATE_LABELS: dict[State, str] = {
    State.REGISTERED: "Đã đăng ký",
    State.ASSESSED: "Đã họp đánh giá",
    State.SUBMITTED: "Đã gửi hồ sơ",
    State.RETURNED: "Bị trả lại, cần bổ sung",
    State.APPRAISED: "Đã thẩm định",
    State.DECIDED_MET: "Được công nhận",
    State.DECIDED_NOT_MET: "Không được công nhận",
    State.CERTIFIED: "Đã cấp giấy công nhận",
    State.ANNULLED: "Quyết định đã bị hủy bỏ",
}


class Side(StrEnum):
    """Whose step it is: the unit's own (at the unit), or the competent level's."""

    UNIT = "unit"  # acts on the unit's subtree: register, assess, submit
    APPRAISER = "appraiser"  # acts over the appraising body's unit: return, appraise
    DECIDER = "decider"  # acts over the deciding body's unit: decide, certify, annul


ACTION_SIDE: dict[Action, Side] = {
    Action.ASSESS: Side.UNIT,
    Action.SUBMIT: Side.UNIT,
    Action.RETURN: Side.APPRAISER,
    Action.APPRAISE: Side.APPRAISER,
    Action.DECIDE_MET: Side.DECIDER,
    Action.DECIDE_NOT_MET: Side.DECIDER,
    Action.CERTIFY: Side.DECIDER,
    Action.ANNUL: Side.DECIDER,
}

ROLES_FOR_SIDE: dict[Side, frozenset[Role]] = {
    Side.UNIT: frozenset(
        {Role.UNIT_HEAD, Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_ADMIN}
    ),
    Side.APPRAISER: frozenset(
        {Role.COMMITTEE_MEMBER, Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_ADMIN}
    ),
    Side.DECIDER: frozenset({Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_ADMIN}),
}

REGISTER_ROLES = ROLES_FOR_SIDE[Side.UNIT]


class TransitionError(ValueError):
    """The action is not possible from the current state (message in Vietnamese)."""


def next_state(state: State, action: Action) -> State:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionError(
            f"Không thể thực hiện “{ACTION_LABELS[action]}” khi hồ sơ đang ở trạng thái "
            f"“{STATE_LABELS[state]}”."
        ) from None


ACTION_LABELS: dict[Action, str] = {
    Action.ASSESS: "ghi nhận cuộc họp đánh giá",
    Action.SUBMIT: "gửi hồ sơ đề nghị công nhận",
    Action.RETURN: "trả lại hồ sơ",
    Action.APPRAISE: "thẩm định hồ sơ",
    Action.DECIDE_MET: "quyết định công nhận",
    Action.DECIDE_NOT_MET: "quyết định không công nhận",
    Action.CERTIFY: "cấp giấy công nhận",
    Action.ANNUL: "hủy bỏ quyết định",
}


def can(grants: Iterable[Grant], action: Action, *, unit_path: str, body_path: str) -> bool:
    """Whether some grant lets its holder take ``action``.

    ``unit_path`` is the registered unit's; ``body_path`` that of the unit whose body appraises
    or decides (the commune for a residential area, the province for a commune after 2025 …).
    A role acts on the unit's side within its subtree, and on the body's side only when its
    subtree contains the body itself: a commune officer cannot decide what the province decides.
    """
    side = ACTION_SIDE[action]
    allowed = ROLES_FOR_SIDE[side]
    target = unit_path if side is Side.UNIT else body_path
    return any(
        g.role in allowed and (g.role is Role.NATIONAL_ADMIN or target.startswith(g.path))
        for g in grants
    )


def can_register(grants: Iterable[Grant], unit_path: str) -> bool:
    return any(
        g.role in REGISTER_ROLES and (g.role is Role.NATIONAL_ADMIN or unit_path.startswith(g.path))
        for g in grants
    )
