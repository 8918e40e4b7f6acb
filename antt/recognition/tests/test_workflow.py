"""The cycle as a table (Art. 9–10): every allowed and forbidden transition, per role. No DB."""

from __future__ import annotations

import itertools

import pytest

from antt.accounts.rules import Grant, Role
from antt.recognition.workflow import (
    TRANSITIONS,
    Action,
    State,
    TransitionError,
    can,
    can_register,
    next_state,
)

ALLOWED = {
    (State.REGISTERED, Action.ASSESS): State.ASSESSED,
    (State.ASSESSED, Action.ASSESS): State.ASSESSED,
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


@pytest.mark.parametrize(("state", "action"), list(itertools.product(State, Action)))
def test_every_transition_is_allowed_or_refused_as_the_table_says(state, action):
    if (state, action) in ALLOWED:
        assert next_state(state, action) == ALLOWED[(state, action)]
    else:
        with pytest.raises(TransitionError, match="Không thể thực hiện"):
            next_state(state, action)


def test_the_table_has_no_transition_the_spec_does_not_list():
    assert dict(TRANSITIONS) == ALLOWED


def test_nothing_leaves_annulled():
    assert not [a for (s, a) in TRANSITIONS if s == State.ANNULLED]


# Paths: province /1/, commune /1/2/, residential area /1/2/3/, other commune /1/9/.
AREA, COMMUNE, PROVINCE = "/1/2/3/", "/1/2/", "/1/"


def grant(role: Role, path: str) -> list[Grant]:
    return [Grant(role, path)]


ROLE_TABLE = [
    # role, grant path, action, unit path, body path, allowed
    (Role.UNIT_HEAD, AREA, Action.ASSESS, AREA, COMMUNE, True),
    (Role.UNIT_HEAD, AREA, Action.SUBMIT, AREA, COMMUNE, True),
    (Role.UNIT_HEAD, AREA, Action.APPRAISE, AREA, COMMUNE, False),
    (Role.UNIT_HEAD, AREA, Action.DECIDE_MET, AREA, COMMUNE, False),
    (Role.UNIT_HEAD, "/1/2/4/", Action.SUBMIT, AREA, COMMUNE, False),  # another area
    (Role.COMMUNE_OFFICER, COMMUNE, Action.SUBMIT, AREA, COMMUNE, True),
    (Role.COMMUNE_OFFICER, COMMUNE, Action.RETURN, AREA, COMMUNE, True),
    (Role.COMMUNE_OFFICER, COMMUNE, Action.APPRAISE, AREA, COMMUNE, True),
    (Role.COMMUNE_OFFICER, COMMUNE, Action.DECIDE_MET, AREA, COMMUNE, True),
    (Role.COMMUNE_OFFICER, COMMUNE, Action.CERTIFY, AREA, COMMUNE, True),
    (Role.COMMUNE_OFFICER, "/1/9/", Action.DECIDE_MET, AREA, COMMUNE, False),
    # A commune is decided by the province (after 2025): its own officer may not decide it.
    (Role.COMMUNE_OFFICER, COMMUNE, Action.SUBMIT, COMMUNE, PROVINCE, True),
    (Role.COMMUNE_OFFICER, COMMUNE, Action.APPRAISE, COMMUNE, PROVINCE, False),
    (Role.COMMUNE_OFFICER, COMMUNE, Action.DECIDE_MET, COMMUNE, PROVINCE, False),
    (Role.PROVINCE_OFFICER, PROVINCE, Action.DECIDE_MET, COMMUNE, PROVINCE, True),
    (Role.PROVINCE_OFFICER, PROVINCE, Action.ANNUL, COMMUNE, PROVINCE, True),
    (Role.COMMITTEE_MEMBER, PROVINCE, Action.APPRAISE, COMMUNE, PROVINCE, True),
    (Role.COMMITTEE_MEMBER, PROVINCE, Action.RETURN, COMMUNE, PROVINCE, True),
    (Role.COMMITTEE_MEMBER, PROVINCE, Action.DECIDE_MET, COMMUNE, PROVINCE, False),
    (Role.COMMITTEE_MEMBER, PROVINCE, Action.SUBMIT, COMMUNE, PROVINCE, False),
    (Role.VIEWER, PROVINCE, Action.SUBMIT, AREA, COMMUNE, False),
    (Role.VIEWER, PROVINCE, Action.APPRAISE, AREA, COMMUNE, False),
    # The ministry decides organisations followed by its units: body path "/".
    (Role.PROVINCE_OFFICER, PROVINCE, Action.DECIDE_MET, "/1/2/7/", "/", False),
    (Role.NATIONAL_ADMIN, "/5/", Action.DECIDE_MET, "/1/2/7/", "/", True),
]


@pytest.mark.parametrize(("role", "path", "action", "unit", "body", "allowed"), ROLE_TABLE)
def test_who_may_take_each_step(role, path, action, unit, body, allowed):
    assert can(grant(role, path), action, unit_path=unit, body_path=body) is allowed


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        (Role.UNIT_HEAD, AREA, True),
        (Role.COMMUNE_OFFICER, COMMUNE, True),
        (Role.COMMUNE_OFFICER, "/1/9/", False),
        (Role.COMMITTEE_MEMBER, PROVINCE, False),
        (Role.VIEWER, PROVINCE, False),
    ],
)
def test_who_may_register(role, path, allowed):
    assert can_register(grant(role, path), AREA) is allowed
