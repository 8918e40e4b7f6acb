"""TT 124 Art. 1.2: who is inside the circular's scope. Pure, no database."""

import pytest

from antt.units.eligibility import assess


@pytest.mark.parametrize(
    ("kind", "attrs", "eligible", "reason_contains"),
    [
        ("residential_area", {}, True, "Thuộc đối tượng"),
        ("commune", {}, True, "Thuộc đối tượng"),
        ("agency", {}, True, "Thuộc đối tượng"),
        ("agency", {"is_armed_forces": True}, False, "lực lượng vũ trang"),
        ("enterprise", {"enterprise_size": "micro"}, False, "nhỏ, siêu nhỏ"),
        ("enterprise", {"enterprise_size": "small"}, False, "nhỏ, siêu nhỏ"),
        ("enterprise", {"enterprise_size": "medium"}, True, "Thuộc đối tượng"),
        ("enterprise", {"enterprise_size": "large"}, True, "Thuộc đối tượng"),
        ("enterprise", {}, False, "quy mô"),
        ("school", {"education_level": "preschool"}, False, "mầm non"),
        ("school", {"education_level": "primary"}, False, "tiểu học"),
        ("school", {"education_level": "lower_secondary"}, True, "Thuộc đối tượng"),
        ("school", {"education_level": "upper_secondary"}, True, "Thuộc đối tượng"),
        ("school", {"education_level": "multi_level"}, True, "Thuộc đối tượng"),
        ("school", {"education_level": "vocational"}, True, "Thuộc đối tượng"),
        ("school", {"education_level": "higher"}, True, "Thuộc đối tượng"),
        ("school", {}, False, "cấp học"),
        ("province", {}, False, "không thuộc đối tượng"),
        ("district", {}, False, "không thuộc đối tượng"),
    ],
)
def test_eligibility_follows_article_1_2(kind, attrs, eligible, reason_contains):
    result = assess(kind=kind, **attrs)
    assert result.eligible is eligible
    assert reason_contains in result.reason
