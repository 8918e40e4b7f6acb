"""The unit browser: what each persona sees on the list, in search and on every unit's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from antt.units.models import UnitSuccession
from antt.units.services import create_unit
from conftest import Personas, Tree, expected_visible

pytestmark = pytest.mark.django_db

PERSONAS = list(Personas.__dataclass_fields__)
TREE_UNITS = list(Tree.__dataclass_fields__)
LIST_URL = reverse("units:unit-list")
LEGACY_END = dt.date(2025, 6, 30)
DETAIL_LINK = re.compile(r'href="/units/([^/"?]+)/')


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Render without a collected manifest, as `make test` does with ANTT_MANIFEST_STATIC=0."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def detail_url(code: str, **params: str) -> str:
    url = reverse("units:unit-detail", args=[code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def linked_codes(html: str) -> set[str]:
    """Codes of the units the list page links to, in its results (not in the menu)."""
    return set(DETAIL_LINK.findall(html.partition('id="results"')[2] or html))


def expected_starting_points(persona: str, tree: Tree) -> set[str]:
    """Visible units whose parent is not visible: the roots of the persona's jurisdiction."""
    visible = expected_visible(persona, tree)
    return {
        u.code for u in tree.all()
        if u.code in visible and (u.parent is None or u.parent.code not in visible)
    }


# --- The generated matrix: every persona, every page -------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_page_shows_the_roots_of_the_personas_jurisdiction(client, tree, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    expected = expected_starting_points(persona, tree)
    assert {unit.code for unit, _counts in response.context["rows"]} == expected
    assert linked_codes(response.content.decode()) == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_finds_exactly_the_visible_units(client, tree, personas, persona):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    found: set[str] = set()
    for unit in tree.all():
        response = client.get(LIST_URL, {"q": unit.name})
        codes = {u.code for u in response.context["page"]}
        assert (unit.code in codes) == (unit.code in visible), unit.name
        assert linked_codes(response.content.decode()) == codes
        found |= codes
    assert found == visible


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_by_code_respects_jurisdiction(client, tree, personas, persona):
    client.force_login(getattr(personas, persona))
    visible = expected_visible(persona, tree)
    for unit in tree.all():
        response = client.get(LIST_URL, {"q": unit.code})
        assert (unit.code in linked_codes(response.content.decode())) == (unit.code in visible)


@pytest.mark.parametrize("field", TREE_UNITS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_page_is_200_in_jurisdiction_and_404_outside(client, tree, personas, persona, field):
    client.force_login(getattr(personas, persona))
    unit = getattr(tree, field)
    response = client.get(detail_url(unit.code))
    assert response.status_code == (200 if unit.code in expected_visible(persona, tree) else 404)


def test_anonymous_is_sent_to_login(client, tree):
    for url in (LIST_URL, detail_url("01")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_unknown_code_is_404(client, personas):
    client.force_login(personas.national_admin)
    assert client.get(detail_url("99999")).status_code == 404


# --- Search ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["hoan kiem", "Hoàn Kiếm", "HOAN KIEM", "  hOàN   kiếm ", "kiem"])
def test_search_ignores_accents_case_and_spaces(client, tree, personas, text):
    client.force_login(personas.national_admin)
    response = client.get(LIST_URL, {"q": text})
    assert "00070" in {u.code for u in response.context["page"]}


@pytest.mark.parametrize("text", ["dong xuan", "Đồng Xuân", "đong", "DONG"])
def test_search_matches_d_and_đ_alike(client, tree, personas, text):
    create_unit(actor="test", code="00070-TDP09", name="Tổ dân phố Đồng Xuân",
                kind="residential_area", parent=tree.commune_a1, valid_from=dt.date(2025, 7, 1))
    client.force_login(personas.commune_a1_officer)
    response = client.get(LIST_URL, {"q": text})
    assert "00070-TDP09" in {u.code for u in response.context["page"]}


def test_search_results_show_kind_parent_and_validity(client, tree, personas):
    client.force_login(personas.national_admin)
    html = client.get(LIST_URL, {"q": "to dan pho 1"}).content.decode()
    assert "Tổ dân phố 1" in html
    assert "Khu dân cư" in html  # kind label
    assert "Phường Hoàn Kiếm" in html  # parent
    assert "01/07/2025" in html  # validity, dd/mm/yyyy


def test_search_results_are_paginated_by_50(client, tree, personas):
    for i in range(1, 56):
        create_unit(actor="test", code=f"00097-TO{i:02}", name=f"Tổ dân phố {i + 10}",
                    kind="residential_area", parent=tree.commune_a2, valid_from=dt.date(2025, 7, 1))
    client.force_login(personas.national_admin)
    first = client.get(LIST_URL, {"q": "to dan pho"})
    assert first.context["page"].paginator.count == 57
    assert len(first.context["page"]) == 50
    second = client.get(LIST_URL, {"q": "to dan pho", "page": 2})
    assert len(second.context["page"]) == 7
    assert "Trang 2/2" in second.content.decode()


def test_htmx_search_returns_only_the_results_fragment(client, tree, personas):
    client.force_login(personas.national_admin)
    response = client.get(
        LIST_URL, {"q": "hoan kiem"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Phường Hoàn Kiếm" in html
    assert "HX-Request" in response["Vary"]
    full = client.get(LIST_URL, {"q": "hoan kiem"}).content.decode()
    assert "<html" in full
    assert 'hx-get="/units/"' in full
    assert 'hx-push-url="true"' in full


def test_search_form_works_without_javascript(client, tree, personas):
    client.force_login(personas.national_admin)
    html = client.get(LIST_URL).content.decode()
    assert re.search(r'<form class="browse-form" method="get" action="/units/"', html)
    assert 'name="q"' in html
    assert 'name="date"' in html


# --- Counts and the query budget -----------------------------------------------------------


def test_list_counts_descendants_per_kind(client, tree, personas):
    client.force_login(personas.national_admin)
    rows = {unit.code: {c.kind.value: c.count for c in counts}
            for unit, counts in client.get(LIST_URL).context["rows"]}
    assert rows["01"] == {"commune": 2, "residential_area": 2, "agency": 0, "enterprise": 1,
                          "school": 1}
    assert rows["79"] == {"commune": 1, "residential_area": 1, "agency": 0, "enterprise": 0,
                          "school": 0}


def _residential_areas(client, code: str) -> int:
    for unit, counts in client.get(LIST_URL).context["rows"]:
        if unit.code == code:
            return next(c.count for c in counts if c.kind == "residential_area")
    raise AssertionError(code)


def test_list_counts_are_never_stale_after_a_write(client, tree, personas):
    client.force_login(personas.national_admin)
    before = _residential_areas(client, "01")
    assert _residential_areas(client, "01") == before  # the cached rows
    create_unit(actor="test", code="00097-MOI", name="Khu phố Mới", kind="residential_area",
                parent=tree.commune_a2, valid_from=dt.date(2025, 7, 1))
    assert _residential_areas(client, "01") == before + 1


def test_list_rows_are_cached_per_jurisdiction(client, tree, personas):
    """Two jurisdictions never share an entry: each sees its own roots."""
    client.force_login(personas.national_admin)
    national = {unit.code for unit, _counts in client.get(LIST_URL).context["rows"]}
    client.force_login(personas.province_a_officer)
    province = {unit.code for unit, _counts in client.get(LIST_URL).context["rows"]}
    assert province == expected_starting_points("province_a_officer", tree) != national


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST_URL).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["national_admin", "province_a_officer"])
def test_list_page_query_count_does_not_grow_with_rows(
    client, tree, personas, persona, django_assert_max_num_queries
):
    client.force_login(getattr(personas, persona))
    baseline = _list_queries(client)
    # session, user, second-factor device, grants, history, data version (antt.core.cache: a
    # miss here, every write below makes a new version), roots, one GROUP BY per level
    assert baseline <= 10
    for i in range(10):
        province = create_unit(actor="test", code=f"9{i}", name=f"Tỉnh Thử {i}", kind="province",
                               parent=None, valid_from=dt.date(2025, 7, 1))
        commune = create_unit(actor="test", code=f"990{i}", name=f"Xã Thử {i}", kind="commune",
                              parent=province, valid_from=dt.date(2025, 7, 1))
        create_unit(actor="test", code=f"990{i}-T1", name="Thôn 1", kind="residential_area",
                    parent=commune, valid_from=dt.date(2025, 7, 1))
        create_unit(actor="test", code=f"0{i}-X", name=f"Xã Thêm {i}", kind="commune",
                    parent=tree.province_a, valid_from=dt.date(2025, 7, 1))
    with django_assert_max_num_queries(baseline):
        response = client.get(LIST_URL)
    assert len(response.context["rows"]) >= 1


def test_search_query_count_does_not_grow_with_results(
    client, tree, personas, django_assert_max_num_queries
):
    client.force_login(personas.national_admin)
    with CaptureQueriesContext(connection) as ctx:
        client.get(LIST_URL, {"q": "pho"})
    for i in range(30):
        create_unit(actor="test", code=f"00097-P{i}", name=f"Khu phố {i}",
                    kind="residential_area", parent=tree.commune_a2, valid_from=dt.date(2025, 7, 1))
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get(LIST_URL, {"q": "pho"})


# --- Dates and the 2025 reform --------------------------------------------------------------


@pytest.fixture
def legacy(tree):
    """Kon Tum (62) with one district, and the pre-2025 Hà Nội (01) that the new 01 succeeded."""
    kon_tum = create_unit(actor="test", code="62", name="Tỉnh Kon Tum", kind="province",
                          parent=None, valid_to=LEGACY_END, subtype="province")
    district = create_unit(actor="test", code="608", name="Thành phố Kon Tum", kind="district",
                           parent=kon_tum, valid_to=LEGACY_END, subtype="provincial_city")
    create_unit(actor="test", code="23281", name="Phường Quyết Thắng", kind="commune",
                parent=district, valid_to=LEGACY_END, subtype="ward")
    old_ha_noi = create_unit(actor="test", code="01", name="Thành phố Hà Nội (cũ)",
                             kind="province", parent=None, valid_to=LEGACY_END)
    old_ward = create_unit(actor="test", code="00037", name="Phường Hàng Bạc", kind="commune",
                           parent=old_ha_noi, valid_to=LEGACY_END, subtype="ward")
    UnitSuccession.objects.create(predecessor=old_ha_noi, successor=tree.province_a,
                                  effective_date=dt.date(2025, 7, 1))
    UnitSuccession.objects.create(predecessor=old_ward, successor=tree.commune_a1,
                                  effective_date=dt.date(2025, 7, 1), is_default=True,
                                  note="Xã cũ bị chia tách cho nhiều đơn vị mới")
    UnitSuccession.objects.create(predecessor=old_ward, successor=tree.commune_a2,
                                  effective_date=dt.date(2025, 7, 1), is_default=False,
                                  note="Xã cũ bị chia tách cho nhiều đơn vị mới")
    return {"kon_tum": kon_tum, "district": district, "old_ha_noi": old_ha_noi,
            "old_ward": old_ward}


def test_legacy_code_resolves_by_date(client, legacy, personas):
    client.force_login(personas.national_admin)
    old = client.get(detail_url("62", date="2022-01-01"))
    assert old.status_code == 200
    html = old.content.decode()
    assert "Tỉnh Kon Tum" in html
    assert 'href="/units/608/?date=2022-01-01"' in html  # drill-down keeps the date
    assert "trước khi sắp xếp đơn vị hành chính" in html  # the legacy banner
    assert client.get(detail_url("62")).status_code == 404  # today, 62 names no unit


def test_reused_code_names_the_old_unit_before_the_reform_and_the_new_one_after(
    client, legacy, personas
):
    client.force_login(personas.national_admin)
    assert client.get(detail_url("01", date="2022-01-01")).context["unit"] == legacy["old_ha_noi"]
    assert client.get(detail_url("01")).context["unit"].valid_from == dt.date(2025, 7, 1)


def test_list_on_a_legacy_date_shows_legacy_units_and_a_banner(client, legacy, personas):
    client.force_login(personas.national_admin)
    response = client.get(LIST_URL, {"date": "2022-01-01"})
    assert {u.code for u, _ in response.context["rows"]} == {"01", "62"}
    assert all(u.valid_to == LEGACY_END for u, _ in response.context["rows"])
    html = response.content.decode()
    assert "trước khi sắp xếp đơn vị hành chính" in html
    assert "Huyện" in html  # districts are counted before the reform
    counts = {u.code: {c.kind.value: c.count for c in row} for u, row in response.context["rows"]}
    assert counts["62"] == {"district": 1, "commune": 1, "residential_area": 0, "agency": 0,
                            "enterprise": 0, "school": 0}
    assert "trước khi sắp xếp" not in client.get(LIST_URL).content.decode()


def test_legacy_unit_shows_its_successors_and_the_split(client, tree, legacy, personas):
    client.force_login(personas.province_a_officer)  # sees history of the merged province
    response = client.get(detail_url("00037", date="2025-06-30"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đơn vị kế thừa" in html
    assert 'href="/units/00070/"' in html
    assert 'href="/units/00097/"' in html
    assert "chia tách" in html
    assert response.context["is_split"]


def test_current_unit_lists_its_predecessors_with_their_date(client, tree, legacy, personas):
    client.force_login(personas.national_admin)
    html = client.get(detail_url("00070")).content.decode()
    assert "Hình thành từ" in html
    assert 'href="/units/00037/?date=2025-06-30"' in html


def test_history_is_visible_only_to_the_successors_jurisdiction(client, tree, legacy, personas):
    client.force_login(personas.province_a_officer)
    assert client.get(detail_url("01", date="2022-01-01")).status_code == 200
    assert client.get(detail_url("62", date="2022-01-01")).status_code == 404
    client.force_login(personas.commune_b1_officer)
    assert client.get(detail_url("01", date="2022-01-01")).status_code == 404
    assert client.get(detail_url("00037", date="2022-01-01")).status_code == 404


def test_invalid_date_falls_back_to_today_with_a_message(client, tree, personas):
    client.force_login(personas.national_admin)
    response = client.get(LIST_URL, {"date": "31-02-2022x"})
    assert response.status_code == 200
    assert "Ngày đã nhập không hợp lệ" in response.content.decode()


def test_vietnamese_date_format_is_accepted(client, legacy, personas):
    client.force_login(personas.national_admin)
    assert client.get(detail_url("62", date="01/01/2022")).status_code == 200


# --- The unit page ----------------------------------------------------------------------------


def test_breadcrumb_links_only_ancestors_in_jurisdiction(client, tree, personas):
    client.force_login(personas.commune_a1_officer)
    html = client.get(detail_url("00070-TDP01")).content.decode()
    assert "Thành phố Hà Nội" in html  # shown as text, for context
    assert 'href="/units/01/' not in html
    assert 'href="/units/00070/"' in html


def test_unit_page_shows_attributes_in_vietnamese(client, tree, personas):
    client.force_login(personas.national_admin)
    html = client.get(detail_url("00070-DN01")).content.decode()
    assert "Doanh nghiệp" in html
    assert "Vừa" in html  # enterprise size
    assert "Cấp tỉnh" in html  # managing level
    assert "01/07/2025" in html
    assert "Thuộc đối tượng đăng ký" in html
    ward = client.get(detail_url("00070")).content.decode()
    assert "Phường" in ward  # subtype "ward"


def test_unit_page_explains_why_a_unit_is_not_eligible(client, tree, personas):
    create_unit(actor="test", code="00070-TH01", name="Trường Tiểu học Hàng Gai", kind="school",
                parent=tree.commune_a1, valid_from=dt.date(2025, 7, 1),
                education_level="primary")
    client.force_login(personas.commune_a1_officer)
    html = client.get(detail_url("00070-TH01")).content.decode()
    assert "Không thuộc đối tượng đăng ký" in html
    assert "tiểu học, mầm non, nhà trẻ không thuộc phạm vi" in html
    commune = client.get(detail_url("00070")).content.decode()
    assert "Trường Tiểu học Hàng Gai" in commune  # listed with the reason among the children
    assert "Không" in commune


def test_children_are_grouped_by_kind_with_counts(client, tree, personas):
    client.force_login(personas.commune_a1_officer)
    response = client.get(detail_url("00070"))
    groups = {
        kind.value: [u.code for u in units] for kind, units in response.context["child_groups"]
    }
    assert groups == {"residential_area": ["00070-TDP01"], "enterprise": ["00070-DN01"],
                      "school": ["00070-THCS"]}
    assert list(groups) == ["residential_area", "enterprise", "school"]


def test_unit_page_query_count_is_bounded(client, tree, personas, django_assert_max_num_queries):
    client.force_login(personas.province_a_officer)
    with django_assert_max_num_queries(12):
        client.get(detail_url("01"))


# --- Layout, language -----------------------------------------------------------------------


def test_user_without_roles_is_told_to_ask_for_one(client, personas):
    client.force_login(personas.outsider)
    assert "chưa được phân quyền" in client.get(LIST_URL).content.decode()


def test_demo_hint_follows_the_antt_demo_setting(client, db, settings):
    settings.DEBUG = False
    settings.ANTT_DEMO = True
    assert "make run" in client.get(reverse("accounts:login")).content.decode()
    settings.ANTT_DEMO = False
    assert "make run" not in client.get(reverse("accounts:login")).content.decode()


def test_an_english_browser_still_gets_vietnamese(client, tree, personas):
    client.force_login(personas.province_a_officer)
    html = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html


def test_pages_are_in_vietnamese(client, tree, personas):
    client.force_login(personas.province_a_officer)
    html = client.get(LIST_URL).content.decode()
    assert '<html lang="vi">' in html
    assert "Đơn vị" in html
    assert "An toàn về an ninh, trật tự" in html
    assert "Đăng xuất" in html
    assert "Cán bộ cấp tỉnh" in html  # the user's role
    assert "/static/vendor/htmx.min.js" in html
    assert "/static/antt/app.css" in html
    assert "http://" not in html
    assert "https://" not in html


def test_menu_shows_the_import_link_only_to_unit_managers(client, tree, personas):
    import_url = reverse("units:unit-import")
    client.force_login(personas.commune_a1_officer)
    assert import_url in client.get(LIST_URL).content.decode()
    client.force_login(personas.area_a1_head)
    assert import_url not in client.get(LIST_URL).content.decode()


def test_menu_shows_administration_only_to_staff(client, tree, personas):
    admin_url = reverse("admin:index")
    user = personas.province_a_officer
    client.force_login(user)
    assert admin_url not in client.get(LIST_URL).content.decode()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert admin_url in client.get(LIST_URL).content.decode()


def test_language_switch_sets_the_cookie_and_returns(client, tree, personas):
    client.force_login(personas.national_admin)
    response = client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(LIST_URL).content.decode()


def test_login_page_is_in_vietnamese(client, db, settings):
    settings.ANTT_DEMO = False
    settings.DEBUG = False
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    assert "make run" not in html
    settings.DEBUG = True
    assert "make run" in client.get(reverse("accounts:login")).content.decode()


def test_login_then_lands_on_the_work_list(client, tree, personas):
    from antt.accounts import twofactor
    from conftest import PASSWORD

    officer = personas.province_a_officer  # decides: the password, then the app's code
    twofactor.enrol_for_tests(officer)
    response = client.post(reverse("accounts:login"),
                           {"username": "tinh_a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:2fa-verify"))
    response = client.post(reverse("accounts:2fa-verify"),
                           {"code": twofactor.current_code(officer)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.status_code == 200
    assert "Công việc" in response.content.decode()
