import pytest
from django.urls import reverse

from demo.seed import DEMO_PASSWORD


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_page_is_chinese_by_default_even_for_english_browsers(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "登录" in page and "用户名" in page and "密码" in page


def test_english_is_one_click_away(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page and "Log in" in page


def test_demo_accounts_log_in_and_land_on_the_overview(client, demo):
    response = login(client, "county", DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert demo.county.name in page and demo.township1.name in page and demo.township2.name in page


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(client, demo):
    response = login(client, "county", "wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_repeated_failures_lock_the_account_for_a_while(client, demo, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "township1", "guess")
    locked = login(client, "township1", DEMO_PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # the right password does not get in while the lock lasts
    assert "_auth_user_id" not in client.session
    # other accounts are not affected
    assert login(client, "township2", DEMO_PASSWORD).status_code == 302


def test_the_api_token_login_is_rate_limited_too(client, demo, settings):
    url = reverse("api_token")
    ok = client.post(url, {"username": "grid1", "password": DEMO_PASSWORD})
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    bad = client.post(url, {"username": "grid1", "password": "nope"})
    assert bad.status_code == 400 and "non_field_errors" in bad.json()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "grid1", "password": "nope"})
    locked = client.post(url, {"username": "grid1", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["detail"]


def test_a_token_authenticates_api_calls(client, demo):
    token = client.post(
        reverse("api_token"), {"username": "grid1", "password": DEMO_PASSWORD}
    ).json()["token"]
    response = client.get(reverse("area-list"), HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert {row["code"][:15] for row in response.json()["results"]} == {demo.grid1.code}


def test_logout_is_a_post_and_ends_the_session(client, demo):
    client.force_login(demo.user("county"))
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change_checks_the_old_password_and_the_new_ones_strength(client, demo):
    client.force_login(demo.user("grid1"))
    url = reverse("password_change")
    weak = client.post(
        url,
        {"old_password": DEMO_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200 and "new_password2" in weak.context["form"].errors
    wrong = client.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "青山绿水-2026-x",
            "new_password2": "青山绿水-2026-x",
        },
    )
    assert "old_password" in wrong.context["form"].errors
    ok = client.post(
        url,
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "青山绿水-2026-x",
            "new_password2": "青山绿水-2026-x",
        },
    )
    assert ok.status_code == 302
    client.logout()
    assert login(client, "grid1", "青山绿水-2026-x").status_code == 302


@pytest.mark.parametrize("username", ["county", "township1", "grid1", "member1", "inspector"])
def test_the_header_shows_who_is_logged_in_with_role_and_area(client, demo, username):
    user = demo.user(username)
    client.force_login(user)
    page = client.get(reverse("area_tree")).content.decode()
    assert user.get_role_display() in page
    assert user.area.name in page or demo.county.name in page
