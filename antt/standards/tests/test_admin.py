"""Province configuration in the admin: settings checked against the criteria sets, add-on
criteria checked against the unit kinds, lists scoped, writes audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from antt.core.models import AuditEvent
from antt.standards import services
from antt.standards.forms import AddonCriterionForm, InterpretationSettingForm
from antt.standards.models import InterpretationSetting, ProvinceAddonCriterion

pytestmark = pytest.mark.django_db


def setting_form(actor, **data):
    form_class = type("Form", (InterpretationSettingForm,), {"actor": actor})
    fields = {"criteria_set": "tt124-2021", "key": "crime_reduction", "value": "strictly_lower"}
    fields.update(data)
    return form_class(data={k: v for k, v in fields.items() if v is not None})


def addon_form(actor, **data):
    form_class = type("Form", (AddonCriterionForm,), {"actor": actor})
    fields = {
        "code": "HN.1",
        "text": "Không có điểm nóng về vệ sinh môi trường",
        "reference": "QĐ 1/QĐ-UBND",
        "kinds": ["residential_area"],
        "year_from": 2025,
    }
    fields.update(data)
    return form_class(data={k: v for k, v in fields.items() if v is not None})


# --- interpretation settings ---------------------------------------------------------------


def test_a_declared_key_and_value_are_accepted(tree, personas):
    form = setting_form(personas.province_a_officer, province=tree.province_a.pk, year_from=2025)
    assert form.is_valid(), form.errors


def test_a_value_outside_the_settings_choices_is_refused_in_vietnamese(tree, personas):
    form = setting_form(personas.national_admin, value="pooled")
    assert not form.is_valid()
    assert "Giá trị “pooled” không hợp lệ cho “crime_reduction”" in form.errors["value"][0]
    assert "strictly_lower (phải giảm so với năm trước)" in form.errors["value"][0]


def test_a_key_the_chosen_set_does_not_declare_is_refused(tree, personas):
    form = setting_form(personas.national_admin, criteria_set="tt23-2012")
    assert not form.is_valid()
    assert "Bộ tiêu chí TT 23/2012 không có thiết lập “crime_reduction”" in form.errors["key"][0]


def test_only_nationwide_users_set_national_readings(tree, personas):
    form = setting_form(personas.province_a_officer)
    assert not form.is_valid()
    assert "Chỉ quản trị toàn quốc" in form.errors["province"][0]
    assert setting_form(personas.national_admin).is_valid()


def test_a_province_officer_cannot_configure_another_province(tree, personas):
    form = setting_form(personas.province_a_officer, province=tree.province_b.pk)
    assert not form.is_valid()
    assert "province" in form.errors
    with pytest.raises(PermissionDenied):
        services.save_setting(
            actor=personas.province_a_officer,
            setting=InterpretationSetting(
                key="crime_reduction", value="strictly_lower", province=tree.province_b
            ),
        )


def test_a_commune_officer_cannot_configure_their_province(tree, personas):
    form = setting_form(personas.commune_a1_officer, province=tree.province_a.pk)
    assert not form.is_valid()


def test_a_second_national_row_for_the_same_key_is_refused(tree, personas):
    InterpretationSetting.objects.create(key="crime_reduction", value="not_higher")
    form = setting_form(personas.national_admin)
    assert not form.is_valid()
    assert "Đã có cách hiểu “crime_reduction”" in str(form.errors)


def test_the_service_validates_too(tree):
    with pytest.raises(ValidationError) as caught:
        services.save_setting(actor="test", setting=InterpretationSetting(key="nope", value="x"))
    assert "không có thiết lập “nope”" in caught.value.message_dict["key"][0]


def test_saving_a_setting_is_audited_with_the_province(tree, personas):
    setting = services.save_setting(
        actor=personas.province_a_officer,
        setting=InterpretationSetting(
            key="crime_reduction",
            value="strictly_lower",
            province=tree.province_a,
            year_from=2025,
        ),
    )
    event = AuditEvent.objects.get(verb="setting.create")
    assert event.unit_path == tree.province_a.path
    assert event.changes["value"] == [None, "strictly_lower"]
    setting.value = "not_higher"
    services.save_setting(actor=personas.province_a_officer, setting=setting)
    assert AuditEvent.objects.get(verb="setting.update").changes == {
        "value": ["strictly_lower", "not_higher"]
    }
    services.delete_setting(actor=personas.province_a_officer, setting=setting)
    assert AuditEvent.objects.filter(verb="setting.delete").count() == 1


# --- province add-on criteria --------------------------------------------------------------


def test_an_add_on_for_known_kinds_is_accepted(tree, personas):
    form = addon_form(personas.province_a_officer, province=tree.province_a.pk)
    assert form.is_valid(), form.errors


def test_an_add_on_for_an_unknown_kind_is_refused(tree, personas):
    form = addon_form(personas.province_a_officer, province=tree.province_a.pk, kinds=["province"])
    assert not form.is_valid()
    assert "không phải là loại đơn vị được xét công nhận" in form.errors["kinds"][0]
    with pytest.raises(ValidationError) as caught:
        services.check_addon(code="HN.2", kinds=["district"], year_from=2025, year_to=None)
    assert "Loại đơn vị không hợp lệ: district" in caught.value.message_dict["kinds"][0]


def test_an_add_on_must_name_at_least_one_kind(tree, personas):
    form = addon_form(personas.province_a_officer, province=tree.province_a.pk, kinds=[])
    assert not form.is_valid()
    assert form.errors["kinds"] == ["Chọn ít nhất một loại đơn vị."]


def test_an_add_on_cannot_reuse_a_national_code(tree, personas):
    form = addon_form(personas.province_a_officer, province=tree.province_a.pk, code="4.1")
    assert not form.is_valid()
    assert "trùng với mã một tiêu chí của Bộ Công an" in form.errors["code"][0]


def test_an_add_on_ends_after_it_starts(tree, personas):
    form = addon_form(
        personas.province_a_officer, province=tree.province_a.pk, year_from=2025, year_to=2024
    )
    assert not form.is_valid()
    assert "“Đến năm” không được trước “từ năm”" in form.errors["year_to"][0]


def test_saving_an_add_on_is_audited(tree, personas):
    addon = services.save_addon(
        actor=personas.province_a_officer,
        addon=ProvinceAddonCriterion(
            province=tree.province_a,
            code=" HN.1 ",
            text="Nội dung",
            reference="QĐ 1",
            kinds=["residential_area"],
            year_from=2025,
        ),
    )
    assert addon.code == "HN.1"
    event = AuditEvent.objects.get(verb="addon.create")
    assert event.unit_path == tree.province_a.path
    with pytest.raises(PermissionDenied):
        services.delete_addon(actor=personas.commune_b1_officer, addon=addon)


# --- the admin pages -----------------------------------------------------------------------


@pytest.fixture
def staff_officer(personas):
    user = personas.province_a_officer
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="standards",
            codename__in=[
                "view_interpretationsetting",
                "add_interpretationsetting",
                "change_interpretationsetting",
                "view_provinceaddoncriterion",
                "add_provinceaddoncriterion",
                "change_provinceaddoncriterion",
            ],
        )
    )
    return user


def test_the_settings_list_shows_national_rows_and_the_officers_province_only(
    client, tree, staff_officer
):
    InterpretationSetting.objects.create(key="crime_reduction", value="not_higher", note="TQ")
    InterpretationSetting.objects.create(
        key="crime_reduction", value="strictly_lower", province=tree.province_a, note="HN"
    )
    InterpretationSetting.objects.create(
        key="crime_reduction", value="strictly_lower", province=tree.province_b, note="HCM"
    )
    client.force_login(staff_officer)
    response = client.get("/admin/standards/interpretationsetting/")
    assert response.status_code == 200
    listed = {s.note for s in response.context["cl"].result_list}
    assert listed == {"TQ", "HN"}


def test_the_add_on_list_is_scoped(client, tree, staff_officer):
    for province, code in ((tree.province_a, "HN.1"), (tree.province_b, "HCM.1")):
        ProvinceAddonCriterion.objects.create(
            province=province,
            code=code,
            text="…",
            reference="QĐ",
            kinds=["commune"],
            year_from=2025,
        )
    client.force_login(staff_officer)
    response = client.get("/admin/standards/provinceaddoncriterion/")
    assert {a.code for a in response.context["cl"].result_list} == {"HN.1"}


def test_adding_through_the_admin_is_validated_and_audited(client, tree, staff_officer):
    client.force_login(staff_officer)
    url = "/admin/standards/interpretationsetting/add/"
    bad = client.post(
        url,
        {
            "criteria_set": "tt124-2021",
            "key": "crime_reduction",
            "value": "per_kind",
            "province": tree.province_a.pk,
        },
    )
    assert bad.status_code == 200
    assert "không hợp lệ cho “crime_reduction”" in bad.content.decode()
    good = client.post(
        url,
        {
            "criteria_set": "tt124-2021",
            "key": "crime_reduction",
            "value": "strictly_lower",
            "province": tree.province_a.pk,
            "year_from": 2025,
            "note": "QĐ 12/UBND",
        },
    )
    assert good.status_code == 302
    assert InterpretationSetting.objects.get().province == tree.province_a
    assert AuditEvent.objects.filter(verb="setting.create", actor=staff_officer).exists()


def test_a_national_row_is_read_only_for_a_province_officer(client, tree, staff_officer):
    row = InterpretationSetting.objects.create(key="crime_reduction", value="not_higher")
    client.force_login(staff_officer)
    url = f"/admin/standards/interpretationsetting/{row.pk}/change/"
    response = client.post(
        url, {"criteria_set": "tt124-2021", "key": "crime_reduction", "value": "strictly_lower"}
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.value == "not_higher"
