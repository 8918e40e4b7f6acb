"""Who may register for the standard at all (TT 124 Art. 1.2). Pure: no Django imports.

Derived from the unit's attributes, never typed: small and micro enterprises, preschools and
primary schools, and agencies of the armed forces are outside the circular's scope.
"""

from __future__ import annotations

from dataclasses import dataclass


def _(message: str) -> str:
    """Marks a reason for makemessages (like gettext_noop); pages translate it when shown."""
    return message


ELIGIBLE_KINDS = frozenset({"residential_area", "commune", "agency", "enterprise", "school"})


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str  # a Vietnamese msgid: pages translate it, reports show it as it is
    legal_basis: str = "TT 124/2021/TT-BCA, Điều 1.2"


def assess(
    *,
    kind: str,
    enterprise_size: str = "",
    education_level: str = "",
    is_armed_forces: bool = False,
) -> Eligibility:
    if kind not in ELIGIBLE_KINDS:
        return Eligibility(False, _("Cấp tỉnh, cấp huyện không thuộc đối tượng xét công nhận."))
    if kind == "agency" and is_armed_forces:
        return Eligibility(
            False, _("Cơ quan, đơn vị lực lượng vũ trang không thuộc phạm vi (Điều 1.2.b).")
        )
    if kind == "enterprise":
        if enterprise_size in {"micro", "small"}:
            return Eligibility(
                False, _("Doanh nghiệp nhỏ, siêu nhỏ không thuộc phạm vi (Điều 1.2.b).")
            )
        if not enterprise_size:
            return Eligibility(
                False, _("Chưa khai báo quy mô doanh nghiệp nên chưa xác định được.")
            )
    if kind == "school":
        if education_level in {"preschool", "primary"}:
            return Eligibility(
                False,
                _("Cơ sở giáo dục tiểu học, mầm non, nhà trẻ không thuộc phạm vi (Điều 1.2.b)."),
            )
        if not education_level:
            return Eligibility(False, _("Chưa khai báo cấp học nên chưa xác định được."))
    return Eligibility(True, _("Thuộc đối tượng đăng ký, xét công nhận."))
