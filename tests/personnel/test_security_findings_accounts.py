"""Findings of the second outside probe on accounts (docs/security.md):

5. API tokens rotate at each login, die with any change of the password (the user's own,
   an administrator's reset, a service's) and expire after API_TOKEN_HOURS; a dead token
   answers 401 with a message saying why.
6. A username is never a phone or an ID number: the roster's logins, the demo's and the
   admin's refuse one, a data migration renames the existing ones, and the API shows a
   person's name where it shows who did something.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.services import audit_record
from demo.seed import DEMO_PASSWORD
from disputes.services import workflow
from governance.platform.validators import id_number_is_valid, mobile_is_valid
from personnel.models import PostKind, Staff, User
from personnel.services import staff as services
from personnel.services.training import spot_check_create, training_create
from tests.factories import report, roster_person
from tests.samples import id_number

NEW_PASSWORD = "青山绿水-2026-x"
TODAY = timezone.localdate()
DOCUMENTED_ACCOUNTS = {
    "county",
    "centre",
    "township1",
    "township2",
    "police1",
    "village1",
    "grid1",
    "member1",
    "inspector",
}


def token_for(client, username: str, password: str = DEMO_PASSWORD) -> str:
    response = client.post(reverse("api_token"), {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_get(client, token: str):
    return client.get(reverse("area-list"), HTTP_AUTHORIZATION=f"Token {token}")


# --- 5. API tokens ---------------------------------------------------------------------


def test_logging_in_again_issues_a_new_token_and_the_previous_one_stops_working(client, demo):
    first = token_for(client, "grid1")
    second = token_for(client, "grid1")
    assert second != first
    assert api_get(client, second).status_code == 200
    refused = api_get(client, first)
    assert refused.status_code == 401
    assert "重新登录" in refused.json()["detail"]
    assert Token.objects.filter(user=demo.user("grid1")).count() == 1


def test_a_token_issued_before_a_password_change_answers_401_after_it(client, demo):
    token = token_for(client, "grid1")
    client.force_login(demo.user("grid1"))
    changed = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    client.logout()
    refused = api_get(client, token)
    assert refused.status_code == 401
    assert "密码" in refused.json()["detail"] and "重新登录" in refused.json()["detail"]
    # Logging in with the new password gives a token that works.
    assert api_get(client, token_for(client, "grid1", NEW_PASSWORD)).status_code == 200


def test_a_token_dies_when_an_administrator_resets_the_password(client, demo):
    token = token_for(client, "grid1")
    client.force_login(demo.user("county"))
    url = reverse("admin:auth_user_password_change", args=[demo.user("grid1").pk])
    reset = client.post(
        url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert reset.status_code == 302
    client.logout()
    assert api_get(client, token).status_code == 401


def test_a_token_dies_when_an_administrator_disables_the_password(client, demo):
    token = token_for(client, "grid1")
    client.force_login(demo.user("county"))
    url = reverse("admin:auth_user_password_change", args=[demo.user("grid1").pk])
    disabled = client.post(url, {"usable_password": "false", "unset-password": "1"})
    assert disabled.status_code == 302
    assert not User.objects.get(username="grid1").has_usable_password()
    client.logout()
    assert api_get(client, token).status_code == 401


def test_a_token_dies_when_a_service_or_command_sets_the_password(client, demo):
    token = token_for(client, "grid1")
    user = User.objects.get(username="grid1")
    user.set_password(NEW_PASSWORD)  # what changepassword, createsuperuser and forms call
    user.save()
    assert api_get(client, token).status_code == 401


def test_a_password_rehashed_at_login_is_no_password_change(client, demo, settings):
    # An older account's PBKDF2 hash is rehashed at its next login (settings); the password
    # is the same, so its token stays good.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    User.objects.filter(username="grid1").update(
        password=make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    )
    token = token_for(client, "grid1")
    assert User.objects.get(username="grid1").password.startswith("md5$")  # rehashed
    User.objects.filter(username="grid1").update(
        password=make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    )
    assert client.post(reverse("login"), {"username": "grid1", "password": DEMO_PASSWORD})
    assert User.objects.get(username="grid1").password.startswith("md5$")  # rehashed again
    client.logout()
    assert api_get(client, token).status_code == 200


def test_a_token_expires_after_the_configured_hours(client, demo, settings):
    settings.API_TOKEN_HOURS = 8
    # The demo's password was set a moment ago: as if a month ago, before the token.
    month_ago = timezone.now() - timedelta(days=30)
    User.objects.filter(username="grid1").update(password_changed_at=month_ago)
    token = token_for(client, "grid1")
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(hours=7))
    assert api_get(client, token).status_code == 200
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(hours=8, seconds=1))
    refused = api_get(client, token)
    assert refused.status_code == 401
    assert "过期" in refused.json()["detail"] and "重新登录" in refused.json()["detail"]


def test_api_token_hours_is_a_documented_setting_with_a_default(settings):
    from django.conf import settings as django_settings

    assert django_settings.API_TOKEN_HOURS >= 1
    example = (settings.BASE_DIR / ".env.example").read_text()
    assert "\nAPI_TOKEN_HOURS=" in example


# --- 6. Usernames are not personal data ------------------------------------------------


@pytest.fixture
def posted(demo):
    return roster_person(
        demo,
        name="孙五",
        area=demo.village1,
        serial=5,
        phone="13955556666",
        post=(PostKind.GRID_WORKER, demo.grid1),
    )


@pytest.mark.parametrize(
    "username",
    ["13955556666", "+86-139-5555-6666", "sun13955556666", id_number(5), id_number(8).lower()],
)
def test_a_login_is_refused_a_phone_or_id_number_as_its_username(demo, posted, username):
    with pytest.raises(ValidationError) as refused:
        services.staff_grant_login(
            staff=posted, username=username, password="Grid-2026-secure", actor=demo.user("county")
        )
    assert list(refused.value.message_dict) == ["username"]
    assert not User.objects.filter(username__iexact=username).exists()


def test_the_profile_page_says_why_a_phone_number_cannot_be_a_username(client, demo, posted):
    client.force_login(demo.user("township1"))
    response = client.post(
        reverse("staff_login", args=[posted.pk]),
        {"username": "13955556666", "password": "Grid-2026-secure"},
    )
    assert response.status_code == 400
    message = " ".join(response.context["login_form"].errors["username"])
    assert "手机号" in message and "身份证号" in message
    posted.refresh_from_db()
    assert posted.user_id is None


def test_the_profile_page_offers_the_staff_number_as_the_username(client, demo, posted):
    client.force_login(demo.user("township1"))
    page = client.get(reverse("staff_detail", args=[posted.pk]))
    assert page.context["login_form"]["username"].value() == f"staff{posted.pk}"
    granted = client.post(
        reverse("staff_login", args=[posted.pk]),
        {"username": f"staff{posted.pk}", "password": "Grid-2026-secure"},
    )
    assert granted.status_code == 302
    posted.refresh_from_db()
    assert posted.user.username == f"staff{posted.pk}"


def test_the_admin_refuses_a_phone_number_as_a_username(client, demo):
    client.force_login(demo.user("county"))
    added = client.post(
        reverse("admin:personnel_user_add"),
        {
            "username": "13955556666",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": "grid_worker",
            "area": demo.grid1.pk,
        },
    )
    assert added.status_code == 200
    assert "username" in added.context["adminform"].form.errors
    assert not User.objects.filter(username="13955556666").exists()
    grid1 = demo.user("grid1")
    renamed = client.post(
        reverse("admin:personnel_user_change", args=[grid1.pk]),
        {
            "username": id_number(5),
            "role": "grid_worker",
            "area": demo.grid1.pk,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert renamed.status_code == 200
    assert "username" in renamed.context["adminform"].form.errors
    grid1.refresh_from_db()
    assert grid1.username == "grid1"


def test_the_demo_roster_names_its_logins_by_staff_number_not_by_phone(demo, roster):
    logins = Staff.objects.filter(user__isnull=False).select_related("user")
    assert logins.count() > 20
    for staff in logins:
        username = staff.user.username
        assert not mobile_is_valid(username) and not id_number_is_valid(username), username
        if username not in DOCUMENTED_ACCOUNTS:
            assert username == f"staff{staff.pk}"
    assert set(User.objects.values_list("username", flat=True)) >= DOCUMENTED_ACCOUNTS


def _renaming_migration():
    return importlib.import_module("personnel.migrations.0005_usernames_not_personal")


def test_the_migration_renames_phone_and_id_number_usernames_and_keeps_the_others(demo):
    phone_login = User.objects.create(username="13977778888", last_name="周", first_name="六")
    staff = Staff.objects.create(
        name="周六",
        phone="13977778888",
        id_number=id_number(6),
        gender="male",
        area=demo.village1,
        user=phone_login,
    )
    # A login already named like the staff number the phone login would get.
    User.objects.create(username=f"STAFF{staff.pk}")
    id_login = User.objects.create(username=id_number(7))  # no roster entry
    spaced = User.objects.create(username="+86-139-7777-9999")
    kept = User.objects.create(username="li-police")
    _renaming_migration().rename_personal_usernames(apps, None)
    usernames = {
        user.pk: user.username
        for user in User.objects.filter(pk__in=[phone_login.pk, id_login.pk, spaced.pk, kept.pk])
    }
    assert usernames == {
        phone_login.pk: f"staff{staff.pk}-2",
        id_login.pk: f"user{id_login.pk}",
        spaced.pk: f"user{spaced.pk}",
        kept.pk: "li-police",
    }
    assert {user.username for user in User.objects.all()} >= DOCUMENTED_ACCOUNTS
    # Run twice, it changes nothing more.
    _renaming_migration().rename_personal_usernames(apps, None)
    assert User.objects.get(pk=phone_login.pk).username == f"staff{staff.pk}-2"


@pytest.mark.django_db(transaction=True)
def test_the_migration_renames_them_in_a_real_migrate_run():
    # The migration as `migrate` runs it, with the historical models (SQLite and, in CI,
    # PostgreSQL): back to before it, logins named by numbers, then forward again.
    executor = MigrationExecutor(connection)
    before = [("personnel", "0004_user_password_changed_at_username_not_personal")]
    state = executor.migrate(before)
    OldUser = state.apps.get_model("personnel", "User")
    phone = OldUser.objects.create(username="13977778888")
    kept = OldUser.objects.create(username="township9")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.get(pk=phone.pk).username == f"user{phone.pk}"
    assert User.objects.get(pk=kept.pk).username == "township9"


def test_case_events_in_the_api_name_the_actor_by_name_not_username(client, demo):
    case = report(demo).case
    workflow.case_accept(case=case, actor=demo.user("township1"))
    client.force_login(demo.user("township1"))
    actors = [row["actor"] for row in client.get(reverse("case-events", args=[case.pk])).json()]
    assert actors == [str(demo.user("grid1")), str(demo.user("township1"))]
    assert "grid1" not in actors and "township1" not in actors


def test_trainings_and_spot_checks_in_the_api_name_who_recorded_them(client, demo, posted):
    township1 = demo.user("township1")
    training_create(
        area=demo.village1,
        day=TODAY,
        topic="平安建设培训",
        hours="2",
        attendees=[posted.pk],
        actor=township1,
    )
    spot_check_create(staff=posted, day=TODAY, reached=True, problems="", fix="", actor=township1)
    client.force_login(township1)
    trainings = client.get(reverse("training-list")).json()["results"]
    checks = client.get(reverse("spot-check-list")).json()["results"]
    assert [row["created_by"] for row in trainings] == [str(township1)]
    assert [row["checked_by"] for row in checks] == [str(township1)]


def test_the_audit_log_never_shows_a_login_that_was_a_phone_number(client, demo):
    # A login from before migration 0004 (created here around the validators).
    old_login = User.objects.create(
        username="13977778888", role="grid_worker", area=demo.grid1, last_name="周"
    )
    audit_record(action="case.accept", actor=old_login, area_id=demo.grid1.pk)
    client.force_login(demo.user("county"))
    for name in ("audit_log", "audit_log_export"):
        body = client.get(reverse(name)).content
        text = body.decode("utf-8", "replace") if name == "audit_log" else xlsx_text(body)
        assert "13977778888" not in text and "139****8888" in text, name


def xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "".join(archive.read(part).decode("utf-8", "replace") for part in archive.namelist())
