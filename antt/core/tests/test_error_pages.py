def test_not_found_is_explained_in_vietnamese(client, personas):
    client.force_login(personas.commune_b1_officer)
    response = client.get("/units/00070/")  # exists, but outside the officer's commune
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy" in html
    assert "ngoài phạm vi được phân quyền" in html


def test_national_admin_role_opens_the_admin_site(client, personas):
    client.force_login(personas.national_admin)
    assert client.get("/admin/").status_code == 200
    client.force_login(personas.province_a_officer)
    assert client.get("/admin/").status_code == 302  # to the login page
