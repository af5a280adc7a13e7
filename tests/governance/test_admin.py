import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grids.models import Area

ROWS = "code,name,level,parent_code,kind,households,residents\n"


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo.user("county"))
    return client


def test_county_admin_imports_areas_from_the_admin(admin_client, demo):
    text = ROWS + f"{demo.village1.code}099,新建网格,grid,{demo.village1.code},,10,30\n"
    upload = SimpleUploadedFile("areas.csv", text.encode(), content_type="text/csv")
    response = admin_client.post(reverse("admin:grids_area_import"), {"file": upload})
    assert response.status_code == 302
    assert Area.objects.get(code=f"{demo.village1.code}099").parent == demo.village1


def test_a_bad_file_in_the_admin_lists_the_lines_and_imports_nothing(admin_client, demo):
    text = (
        ROWS
        + f"{demo.village1.code}099,新建网格,grid,{demo.village1.code},,10,30\n"
        + f"{demo.village1.code}0990,坏网格,grid,{demo.village1.code},,x,30\n"
    )
    upload = SimpleUploadedFile("areas.csv", text.encode(), content_type="text/csv")
    response = admin_client.post(reverse("admin:grids_area_import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "<td>3</td>" in page
    assert not Area.objects.filter(code=f"{demo.village1.code}099").exists()


def test_the_admin_lists_only_the_jurisdiction(client, demo, other_county):
    client.force_login(demo.user("county"))
    page = client.get(reverse("admin:grids_area_changelist"), {"q": "邻县"}).content.decode()
    assert "邻县镇" not in page
    outside = Area.objects.get(name="邻县镇")
    assert client.get(reverse("admin:grids_area_change", args=[outside.pk])).status_code in (
        302,
        404,
    )


def test_field_staff_cannot_use_the_admin(client, demo):
    client.force_login(demo.user("grid1"))
    response = client.get(reverse("admin:grids_area_import"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_admin_refuses_a_parent_outside_the_jurisdiction(client, demo, other_county):
    client.force_login(demo.user("county"))
    outside = Area.objects.get(name="邻县镇")
    response = client.post(
        reverse("admin:grids_area_add"),
        {
            "code": "439922100201",
            "name": "越界村",
            "level": "village",
            "parent": outside.pk,
            "kind": "rural",
            "households": 0,
            "residents": 0,
        },
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["parent"]
    assert not Area.objects.filter(name="越界村").exists()
    ok = client.post(
        reverse("admin:grids_area_add"),
        {
            "code": f"{demo.township1.code[:9]}290",
            "name": "新设村",
            "level": "village",
            "parent": demo.township1.pk,
            "kind": "rural",
            "households": 0,
            "residents": 0,
        },
    )
    assert ok.status_code == 302
    assert Area.objects.get(name="新设村").parent == demo.township1


def test_the_admin_refuses_to_post_a_user_outside_the_jurisdiction(client, demo, other_county):
    client.force_login(demo.user("county"))
    user = demo.user("grid1")
    outside = Area.objects.get(name="邻县村")
    response = client.post(
        reverse("admin:personnel_user_change", args=[user.pk]),
        {
            "username": user.username,
            "role": "village_staff",
            "area": outside.pk,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["area"]
    user.refresh_from_db()
    assert user.area == demo.grid1


def test_county_admins_edit_categories_and_deadline_rules(client, demo):
    client.force_login(demo.user("county"))
    assert client.get(reverse("admin:disputes_deadlinerule_add")).status_code == 200
    response = client.post(
        reverse("admin:disputes_deadlinerule_add"),
        {"severity": "ordinary", "level": "village", "hours": 48},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:disputes_category_changelist")).status_code == 200


def test_a_county_admin_cannot_grant_operator_rights(client, demo):
    admin = demo.user("county")
    client.force_login(admin)
    form = {
        "username": admin.username,
        "role": "county_admin",
        "area": demo.county.pk,
        "is_active": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(reverse("admin:personnel_user_change", args=[admin.pk]), form)
    assert response.status_code == 302  # saved: the privilege fields were ignored
    admin.refresh_from_db()
    assert not admin.is_superuser


def test_the_admin_cannot_move_a_roster_login_away_from_its_posts(client, demo):
    from personnel.models import Staff
    from personnel.services import staff as services

    grid1 = demo.user("grid1")
    staff = Staff.objects.create(
        name="网格员甲",
        phone="13912345678",
        id_number="430521199001011239",
        gender="female",
        area=demo.village1,
        user=grid1,
    )
    services.post_add(staff=staff, kind="grid_worker", area=demo.grid1, actor=demo.user("county"))
    client.force_login(demo.user("county"))
    form = {
        "username": grid1.username,
        "role": "village_staff",
        "area": demo.village1.pk,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    url = reverse("admin:personnel_user_change", args=[grid1.pk])
    response = client.post(url, form)
    assert response.status_code == 200
    assert "网格员甲" in str(response.context["adminform"].form.errors["area"])
    # Other changes of the same login stay possible.
    response = client.post(url, form | {"role": "grid_worker", "area": demo.grid1.pk})
    assert response.status_code == 302
    grid1.refresh_from_db()
    assert (grid1.role, grid1.area_id) == ("grid_worker", demo.grid1.pk)


def test_an_existing_area_is_renamed_in_the_admin_with_its_place_in_the_tree_fixed(
    admin_client, demo
):
    # Code, level and parent are read-only on the change page; the form used to validate
    # them as empty and answered 500.
    village = demo.village1
    response = admin_client.post(
        reverse("admin:grids_area_change", args=[village.pk]),
        {"name": "更名村", "kind": "rural", "households": 120, "residents": 300},
    )
    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.name, village.households, village.parent) == ("更名村", 120, demo.township1)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/governance/scoringscheme/", "/admin/assessment/scoringscheme/"),
        ("/admin/grids/resident/7/change/", "/admin/residents/resident/7/change/"),
        ("/admin/personnel/payrate/?year=2026", "/admin/assessment/payrate/?year=2026"),
    ],
)
def test_an_old_admin_address_of_a_moved_model_lands_on_its_new_one(admin_client, old, new):
    response = admin_client.get(old)
    assert response.status_code == 302 and response["Location"] == new
