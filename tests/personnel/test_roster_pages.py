"""Roster pages 一警三专N员 and the coverage report: scoped to the user's jurisdiction,
personal numbers masked everywhere, writes kept to the centres, the services' messages shown
per field, and ending a post confirmed before it happens."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.platform.validators import mask_id_number, mask_phone
from grids import tree
from personnel.models import EndReason, Post, PostKind, Staff
from personnel.services import staff as services
from tests.factories import roster_person
from tests.ledgers import records
from tests.samples import id_number


@pytest.fixture
def ours(demo):
    return roster_person(
        demo,
        name="张一镇",
        area=demo.village1,
        serial=1,
        phone="13811112222",
        post=(PostKind.GRID_WORKER, demo.grid1),
    )


@pytest.fixture
def theirs(demo):
    return roster_person(
        demo,
        name="李二镇",
        area=demo.village2,
        serial=2,
        phone="13933334444",
        post=(PostKind.GRID_WORKER, demo.grid2),
        actor="township2",
    )


@pytest.fixture
def centre(client, demo):
    client.force_login(demo.user("township1"))
    return client


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content), read_only=True)


def rows(sheet) -> list[tuple]:
    return records(sheet)


def new_person(demo, **overrides):
    body = {
        "name": "王小明",
        "gender": "male",
        "phone": "13812345678",
        "id_number": id_number(10),
        "employer": "某村村委会",
        "area": demo.village1.pk,
        "post_kind": "",
        "post_member_type": "",
        "post_area": "",
        "post_start": "",
    }
    body.update(overrides)
    return body


def a_free_grid(demo):
    """A grid of village 1 other than grid 1."""
    return tree.in_order(demo.village1.children.exclude(pk=demo.grid1.pk)).first()


# --- Jurisdiction ------------------------------------------------------------------------


def test_the_roster_lists_only_people_of_the_users_jurisdiction(centre, demo, ours, theirs):
    page = centre.get(reverse("staff_list")).content.decode()
    assert ours.name in page and theirs.name not in page
    assert demo.township2.name not in page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "李二镇"},
        {"q": "139"},
        {"q": id_number(2)},
        {"kind": "grid_worker"},
        {"state": "active"},
        {"area": "village2"},
    ],
)
def test_search_and_filters_never_reach_another_township(centre, demo, ours, theirs, params):
    if params.get("area"):
        params = {"area": getattr(demo, params["area"]).pk}
    page = centre.get(reverse("staff_list"), params)
    assert page.status_code == 200
    assert reverse("staff_detail", args=[theirs.pk]) not in page.content.decode()
    assert theirs not in page.context["page"].object_list
    export = workbook(centre.get(reverse("staff_export"), params))
    assert theirs.name not in [row[0] for row in rows(export.worksheets[0])]


def test_search_finds_by_name_and_exact_phone_or_id_number(centre, demo, ours):
    roster_person(demo, name="赵三", area=demo.village1, serial=3, phone="15900001111")
    for query in ("张一", "13811112222", id_number(1)):
        page = centre.get(reverse("staff_list"), {"q": query}).content.decode()
        assert ours.name in page and "赵三" not in page, query
    # Only the full numbers find a person, not a part of them (both are shown masked).
    for part in (id_number(1)[:10], "1381111"):
        page = centre.get(reverse("staff_list"), {"q": part}).content.decode()
        assert ours.name not in page, part


def test_filters_by_area_post_and_state(centre, demo, ours):
    idle = roster_person(demo, name="钱四", area=demo.village1, serial=4)
    url = reverse("staff_list")
    page = centre.get(url, {"kind": "grid_worker"}).content.decode()
    assert ours.name in page and idle.name not in page
    page = centre.get(url, {"state": "ended"}).content.decode()
    assert idle.name in page and ours.name not in page
    page = centre.get(url, {"area": demo.grid1.parent.pk}).content.decode()
    assert ours.name in page and idle.name in page


def test_another_townships_person_and_post_answer_404_everywhere(centre, demo, theirs):
    post = theirs.posts.get()
    gets = [
        reverse("staff_detail", args=[theirs.pk]),
        reverse("staff_edit", args=[theirs.pk]),
        reverse("post_create", args=[theirs.pk]),
        reverse("post_end", args=[post.pk]),
    ]
    for url in gets:
        assert centre.get(url).status_code == 404, url
    posts = {
        reverse("staff_edit", args=[theirs.pk]): new_person(demo, area=demo.village2.pk),
        reverse("post_create", args=[theirs.pk]): {"kind": "member", "area": demo.grid2.pk},
        reverse("post_end", args=[post.pk]): {"end": "2026-01-01", "reason": "resigned"},
        reverse("staff_login", args=[theirs.pk]): {"username": "li2", "password": "Xq9!long-pw"},
    }
    for url, body in posts.items():
        assert centre.post(url, body).status_code == 404, url
    theirs.refresh_from_db()
    post.refresh_from_db()
    assert theirs.name == "李二镇" and theirs.user_id is None
    assert post.end is None and theirs.posts.count() == 1


def test_anonymous_visitors_are_sent_to_log_in_on_every_roster_route(client, demo, ours):
    post = ours.posts.get()
    urls = [reverse(name) for name in ("staff_list", "staff_export", "staff_create")]
    urls += [reverse(name) for name in ("staff_coverage", "staff_coverage_export")]
    urls += [
        reverse(name, args=[ours.pk])
        for name in ("staff_detail", "staff_edit", "post_create", "staff_login")
    ]
    urls.append(reverse("post_end", args=[post.pk]))
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 405), url
            if response.status_code == 302:
                assert response.url.startswith(reverse("login")), url
    post.refresh_from_db()
    assert post.end is None


# --- Masked numbers ------------------------------------------------------------------------


def test_id_and_phone_numbers_are_masked_in_the_list_the_profile_and_the_export(centre, demo, ours):
    masked = (mask_id_number(ours.id_number), mask_phone(ours.phone))
    for url in (reverse("staff_list"), reverse("staff_detail", args=[ours.pk])):
        page = centre.get(url).content.decode()
        assert ours.id_number not in page and ours.phone not in page, url
        assert all(value in page for value in masked), url
    (row,) = rows(workbook(centre.get(reverse("staff_export"))).worksheets[0])
    assert row[2:4] == (masked[1], masked[0])
    assert ours.id_number not in row and ours.phone not in row


def test_the_edit_form_keeps_the_numbers_masked_and_keeps_them_when_left_empty(centre, demo, ours):
    page = centre.get(reverse("staff_edit", args=[ours.pk])).content.decode()
    assert ours.id_number not in page and ours.phone not in page
    assert mask_id_number(ours.id_number) in page
    body = new_person(demo, name="张一镇新", phone="", id_number="", employer="镇综治中心")
    response = centre.post(reverse("staff_edit", args=[ours.pk]), body)
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.name, ours.employer) == ("张一镇新", "镇综治中心")
    assert ours.id_number == id_number(1) and ours.phone == "13811112222"


# --- Adding people and posts ---------------------------------------------------------------


def test_a_centre_adds_a_person_with_their_first_post_in_one_form(centre, demo):
    grid = a_free_grid(demo)
    body = new_person(
        demo, post_kind="grid_worker", post_area=grid.pk, post_start=date.today().isoformat()
    )
    response = centre.post(reverse("staff_create"), body)
    staff = Staff.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("staff_detail", args=[staff.pk])
    assert (staff.name, staff.area, staff.id_number) == ("王小明", demo.village1, id_number(10))
    post = staff.posts.get()
    assert (post.kind, post.area, post.end) == (PostKind.GRID_WORKER, grid, None)
    profile = centre.get(response.url).content.decode()
    assert grid.name in profile and "网格员" in profile


def test_a_person_may_be_added_without_a_post(centre, demo):
    response = centre.post(reverse("staff_create"), new_person(demo))
    assert response.status_code == 302
    assert Staff.objects.get().posts.count() == 0


def test_the_create_form_offers_only_areas_of_the_users_jurisdiction(centre, demo):
    page = centre.get(reverse("staff_create")).content.decode()
    assert demo.village1.name in page and demo.grid1.code in page
    assert demo.village2.name not in page and demo.township2.name not in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "bad"}, "id_number", "18 characters, the last a check"),
        ({"phone": "0731-1234567"}, "phone", "Enter an 11-digit mainland mobile number"),
        ({"id_number": "dup"}, "id_number", "already on the roster"),
        ({"post_kind": "grid_worker", "post_area": "grid1"}, "post_area", "already has a grid"),
        ({"area": "village2"}, "area", "Choose an area in your jurisdiction."),
        ({"post_kind": "member", "post_member_type": "mediator", "post_area": "grid2"}, "", ""),
        ({"post_kind": "member", "post_area": "grid1"}, "post_member_type", "Choose the member"),
    ],
    ids=[
        "bad-id",
        "bad-phone",
        "duplicate-id",
        "grid-taken",
        "outside",
        "post-outside",
        "no-type",
    ],
)
def test_bad_input_answers_400_with_the_services_message_and_creates_nothing(
    centre, demo, ours, settings, overrides, field, message
):
    settings.LANGUAGE_CODE = "en"
    overrides = dict(overrides)
    if overrides.get("id_number") == "dup":
        overrides["id_number"] = ours.id_number
    elif overrides.get("id_number") == "bad":  # a wrong check character
        good = id_number(10)
        overrides["id_number"] = good[:-1] + ("0" if good[-1] != "0" else "1")
    for key in ("area", "post_area"):
        if key in overrides:
            overrides[key] = getattr(demo, overrides[key]).pk
    if overrides.get("post_area") == demo.grid2.pk:
        field, message = "post_area", "Choose an area in your jurisdiction."
    before = (Staff.objects.count(), Post.objects.count())
    response = centre.post(reverse("staff_create"), new_person(demo, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert message in response.content.decode()
    assert (Staff.objects.count(), Post.objects.count()) == before


def test_a_post_added_from_the_profile_lies_under_the_managing_unit(centre, demo, ours):
    url = reverse("post_create", args=[ours.pk])
    page = centre.get(url).content.decode()
    options = page.split('<select name="area"')[1].split("</select>")[0]
    assert demo.grid1.code in options and demo.microgrid2.code not in options
    assert demo.township1.code not in options  # a post lies in a village, grid or micro-grid
    body = {"kind": "member", "member_type": "mediator", "area": demo.grid1.pk}
    response = centre.post(url, {**body, "start": "2025-03-01"})
    assert response.status_code == 302
    post = ours.posts.get(kind=PostKind.MEMBER)
    assert (post.member_type, post.start) == ("mediator", date(2025, 3, 1))
    # A grid worker for a grid that has one: the service's message, nothing added.
    body = {"kind": "grid_worker", "area": demo.grid1.pk, "start": "2025-03-01"}
    response = centre.post(url, body)
    assert response.status_code == 400
    problems = " ".join(response.context["form"].errors["area"])
    assert "already has a grid worker" in problems or "已有网格员" in problems
    assert ours.posts.count() == 2


@pytest.mark.parametrize("username", ["police1", "village1", "grid1", "member1", "inspector"])
def test_roles_other_than_the_roster_centres_get_403_on_every_write(client, demo, username):
    staff = roster_person(demo, name="孙五", area=demo.grid1.parent, serial=5)
    grid = a_free_grid(demo)
    post = services.post_add(
        staff=staff, kind=PostKind.GRID_WORKER, area=grid, actor=demo.user("township1")
    )
    client.force_login(demo.user(username))
    assert client.get(reverse("staff_create")).status_code == 403
    assert client.post(reverse("staff_create"), new_person(demo)).status_code == 403
    # Who cannot see the person at all is told it does not exist.
    sees = client.get(reverse("staff_detail", args=[staff.pk])).status_code == 200
    expected = 403 if sees else 404
    writes = {
        reverse("staff_edit", args=[staff.pk]): new_person(demo, name="改名"),
        reverse("post_create", args=[staff.pk]): {"kind": "member", "area": grid.pk},
        reverse("post_end", args=[post.pk]): {"end": "2026-01-01", "reason": "resigned"},
        reverse("staff_login", args=[staff.pk]): {"username": "sun5", "password": "Xq9!long-pw"},
    }
    for url, body in writes.items():
        assert client.post(url, body).status_code == expected, url
        if not url.endswith("/login/"):
            assert client.get(url).status_code == expected, url
    staff.refresh_from_db()
    post.refresh_from_db()
    assert staff.name == "孙五" and staff.user_id is None and staff.posts.count() == 1
    assert post.end is None


def test_the_profile_offers_no_write_buttons_to_other_roles(client, demo, ours):
    client.force_login(demo.user("village1"))
    page = client.get(reverse("staff_detail", args=[ours.pk])).content.decode()
    assert ours.name in page
    assert reverse("staff_edit", args=[ours.pk]) not in page
    assert reverse("post_end", args=[ours.posts.get().pk]) not in page
    assert reverse("staff_login", args=[ours.pk]) not in page


# --- Ending a post ---------------------------------------------------------------------------


def test_ending_a_post_shows_a_confirmation_first_and_only_the_post_ends_it(centre, demo, ours):
    post = ours.posts.get()
    url = reverse("post_end", args=[post.pk])
    confirmation = centre.get(url)
    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert ours.name in text and demo.grid1.name in text and "2025-01-01" in text
    post.refresh_from_db()
    assert post.end is None  # looking is not ending
    today = timezone.localdate()
    response = centre.post(
        url, {"end": today.isoformat(), "reason": EndReason.REASSIGNED, "note": "调往邻村"}
    )
    assert response.status_code == 302
    assert response.url == reverse("staff_detail", args=[ours.pk])
    post.refresh_from_db()
    assert (post.end, post.end_reason, post.end_note) == (today, EndReason.REASSIGNED, "调往邻村")
    profile = centre.get(response.url).content.decode()
    assert "调往邻村" in profile and "past-posts" in profile
    # A second end is refused with the service's message.
    again = centre.post(url, {"end": today.isoformat(), "reason": EndReason.OTHER})
    assert again.status_code == 400
    post.refresh_from_db()
    assert post.end_reason == EndReason.REASSIGNED
    assert 'name="reason"' not in centre.get(url).content.decode()  # nothing left to end


def test_a_post_cannot_end_before_it_started(centre, demo, ours):
    post = ours.posts.get()
    response = centre.post(
        reverse("post_end", args=[post.pk]), {"end": "2024-12-31", "reason": "resigned"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["end"]
    post.refresh_from_db()
    assert post.end is None


# --- Logins ----------------------------------------------------------------------------------


def test_a_centre_gives_a_login_that_follows_the_post(centre, demo, ours):
    response = centre.post(
        reverse("staff_login", args=[ours.pk]), {"username": "zhang1", "password": "Xq9!long-pw"}
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.user.username == "zhang1" and ours.user.role == "grid_worker"
    assert ours.user.area == demo.grid1 and ours.user.is_active
    page = centre.get(reverse("staff_detail", args=[ours.pk])).content.decode()
    assert "zhang1" in page and 'name="password"' not in page


def test_a_login_for_a_person_without_a_post_is_refused_with_the_reason(centre, demo):
    idle = roster_person(demo, name="钱四", area=demo.village1, serial=4)
    response = centre.post(
        reverse("staff_login", args=[idle.pk]), {"username": "qian4", "password": "Xq9!long-pw"}
    )
    assert response.status_code == 400
    assert response.context["login_form"].errors["username"]
    idle.refresh_from_db()
    assert idle.user_id is None


def test_the_login_form_only_takes_a_post(centre, demo, ours):
    assert centre.get(reverse("staff_login", args=[ours.pk])).status_code == 405


# --- Profile ---------------------------------------------------------------------------------


def test_the_profile_shows_only_cases_the_viewer_may_see(centre, demo, ours):
    from disputes.models import Assignment
    from tests.factories import report

    mine = report(demo, title="一镇的案件", grid=demo.grid1, reporter=demo.user("grid1")).case
    elsewhere = report(demo, title="二镇的案件", grid=demo.grid2, reporter=demo.user("township2"))
    for case in (mine, elsewhere.case):
        Assignment.objects.create(
            case=case, line="political_legal", unit="网格员", staff=ours, level="village"
        )
    page = centre.get(reverse("staff_detail", args=[ours.pk])).content.decode()
    assert "一镇的案件" in page and reverse("case_detail", args=[mine.pk]) in page
    assert "二镇的案件" not in page


# --- Coverage --------------------------------------------------------------------------------


def gap_row(grid) -> str:
    return f'data-area="{grid.code}" data-post="grid_worker"'


def test_coverage_lists_a_grids_gap_after_its_grid_worker_leaves_and_not_before(centre, demo):
    url = reverse("staff_coverage")
    grid = demo.grid1
    assert gap_row(grid) in centre.get(url).content.decode()  # the tiny demo has no roster
    staff = roster_person(demo, name="周六", area=demo.village1, serial=6)
    post = services.post_add(
        staff=staff, kind=PostKind.GRID_WORKER, area=grid, actor=demo.user("township1")
    )
    assert gap_row(grid) not in centre.get(url).content.decode()
    services.post_end(post=post, actor=demo.user("township1"), reason=EndReason.RESIGNED)
    page = centre.get(url).content.decode()
    assert gap_row(grid) in page
    row = page.split(gap_row(grid))[1].split("</tr>")[0]
    assert timezone.localdate().strftime("%Y-%m-%d") in row


def test_coverage_shows_the_rates_and_never_filled_gaps(centre, demo, settings):
    settings.LANGUAGE_CODE = "en"
    response = centre.get(reverse("staff_coverage"))
    assert response.status_code == 200
    report = response.context["report"]
    assert [rate.area_id for rate in report.rates] == [demo.township1.pk]
    assert report.rate == 0.0 and report.gaps
    page = response.content.decode()
    assert "Never filled" in page and demo.township1.name in page


def test_coverage_of_a_township_shows_nothing_of_another(centre, demo):
    page = centre.get(reverse("staff_coverage")).content.decode()
    assert demo.township2.name not in page and demo.township2.code not in page
    assert demo.village2.code not in page
    response = centre.get(reverse("staff_coverage"), {"area": demo.township2.pk})
    assert response.status_code == 400
    assert demo.village2.name not in response.content.decode()
    response = centre.get(reverse("staff_coverage"), {"township": demo.township2.pk})
    assert response.status_code == 400
    assert demo.village2.name not in response.content.decode()


def test_coverage_filters_by_post_and_township(client, demo):
    client.force_login(demo.user("county"))
    url = reverse("staff_coverage")
    gaps = client.get(url, {"post": "grid_worker"}).context["page"].paginator.object_list
    assert gaps and {gap.post for gap in gaps} == {"grid_worker"}
    townships = client.get(url).context["report"].rates
    assert len(townships) == 3
    gaps = client.get(url, {"township": demo.township2.pk}).context["page"].paginator.object_list
    assert gaps and {gap.township_id for gap in gaps} == {demo.township2.pk}


def test_coverage_export_has_a_sheet_of_gaps_and_a_sheet_of_rates(centre, demo):
    staff = roster_person(demo, name="吴七", area=demo.village1, serial=7)
    services.post_add(
        staff=staff, kind=PostKind.GRID_WORKER, area=demo.grid1, actor=demo.user("township1")
    )
    book = workbook(centre.get(reverse("staff_coverage_export"), {"post": "grid_worker"}))
    gaps, rates = book.worksheets
    gap_rows = rows(gaps)
    codes = [row[3] for row in gap_rows]
    assert demo.grid1.code not in codes and a_free_grid(demo).code in codes
    assert all(row[6] for row in gap_rows)  # a date, or "never filled"
    (township,) = rows(rates)
    assert township[0] == demo.township1.name and township[2] > township[3] >= 1


def test_every_role_with_a_role_reads_coverage_of_its_own_subtree(client, demo):
    for username in ("police1", "village1", "grid1", "member1", "inspector", "county"):
        client.force_login(demo.user(username))
        response = client.get(reverse("staff_coverage"))
        assert response.status_code == 200, username
        if username in ("village1", "grid1"):
            assert demo.township2.name not in response.content.decode()


# --- Query counts ----------------------------------------------------------------------------


def test_the_roster_list_query_count_does_not_grow_with_the_people(
    centre, demo, django_assert_max_num_queries
):
    grids = list(tree.in_order(demo.township1.get_descendants().filter(level="grid")))
    for serial in range(30):
        where = grids[serial % len(grids)]
        staff = roster_person(
            demo, name=f"队员{serial:02d}", area=where.parent, serial=100 + serial
        )
        services.post_add(
            staff=staff,
            kind=PostKind.MEMBER,
            member_type="volunteer",
            area=where,
            actor=demo.user("township1"),
        )
    with django_assert_max_num_queries(9):
        response = centre.get(reverse("staff_list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/staff/') >= 30
