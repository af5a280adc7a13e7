"""The demo's residents of concern and their year of visits (demo.residents) at
tiny scale: valid, unique and encrypted personal data, visits on the cycle that leave each
person's next visit where the visit service would, a few people overdue in a few villages,
responsible staff of the person's village or grid."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from demo.residents import seed_residents
from governance.platform.personal_data import lookup_hash
from governance.platform.validators import id_number_is_valid, mobile_is_valid
from grids import tree
from grids.models import Area
from personnel.models import Post
from personnel.selectors import posts_open_on
from residents.models import (
    KEY_PERSON_CATEGORIES,
    Resident,
    ResidentCategory,
    ResidentStatus,
    ResidentStatusChange,
    Visit,
)
from residents.services.cycles import DEFAULT_CYCLE_DAYS, registered_on
from residents.services.residents import (
    ID_NUMBER,
    ResidentInput,
    resident_errors,
    residents_visible_to,
)
from residents.services.visits import visit_completion

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def seeded(demo, roster) -> dict[str, int]:
    return seed_residents(root=demo.county, rng=random.Random(7), today=timezone.localdate())


def residents() -> list[Resident]:
    return list(Resident.objects.select_related("grid__parent", "responsible", "created_by"))


def test_every_category_is_there_with_key_persons_fewer_than_the_care_groups(demo, seeded):
    people = residents()
    assert set(Counter(r.category for r in people)) == set(ResidentCategory.values)
    key = sum(1 for r in people if r.category in KEY_PERSON_CATEGORIES)
    assert (seeded["key_persons"], seeded["care_residents"]) == (key, len(people) - key)
    assert 20 <= len(people) <= 100 and key < len(people) - key
    assert seeded["visits"] == Visit.objects.count() > 5 * len(people)


def test_id_numbers_are_valid_unique_of_the_county_and_found_by_their_hash(demo, seeded):
    people = residents()
    assert len({r.id_number for r in people}) == len(people)
    for resident in people:
        assert id_number_is_valid(resident.id_number), resident.id_number
        assert resident.id_number.startswith(demo.county.code[:6])
        assert resident.id_number_hash == lookup_hash(ID_NUMBER, resident.id_number)
        assert resident.phone == "" or mobile_is_valid(resident.phone)
        if resident.category == ResidentCategory.LEFT_BEHIND_CHILD:
            assert resident.phone == ""
            born = int(resident.id_number[6:10])
            assert 4 <= timezone.localdate().year - born <= 16
        assert CHINESE.search(resident.situation) and resident.address


def test_every_resident_passes_the_registration_rules(demo, seeded):
    actor = demo.user("county")
    for resident in residents():
        data = ResidentInput(
            name=resident.name,
            id_number=resident.id_number,
            grid=resident.grid,
            category=resident.category,
            risk=resident.risk,
            phone=resident.phone,
            address=resident.address,
            situation=resident.situation,
            responsible=resident.responsible,
        )
        assert resident_errors(data=data, actor=actor) == {}, resident.pk


def test_the_raw_tables_hold_no_plaintext_id_number_phone_or_situation(seeded):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, situation FROM grids_resident")
        rows = cursor.fetchall()
        cursor.execute("SELECT situation FROM grids_visit")
        visits = cursor.fetchall()
    assert rows and visits
    stored = " ".join(value for row in [*rows, *visits] for value in row if value)
    assert not re.search(r"\d{18}|\d{17}X", stored)
    assert not re.search(r"1[3-9]\d{9}", stored)
    assert not CHINESE.search(stored)


def test_visits_lie_between_the_registration_and_today_on_the_persons_cycle(seeded):
    today = timezone.localdate()
    visits: dict[int, list[Visit]] = {}
    for visit in Visit.objects.order_by("visited_on", "id"):
        visits.setdefault(visit.resident_id, []).append(visit)
    late = total = 0
    for resident in residents():
        mine = visits.get(resident.pk, [])
        registered = registered_on(resident)
        for visit in mine:
            assert registered <= visit.visited_on < today, resident.pk
            assert timezone.localdate(visit.created_at) == visit.visited_on
            assert visit.created_at <= timezone.now()
            late += visit.visited_on > visit.due_on
            total += 1
        # Each visit starts from the risk the last one left; the person keeps the last.
        risks = [resident.risk] if not mine else [mine[0].risk_before]
        for visit in mine:
            assert visit.risk_before == risks[-1]
            risks.append(visit.risk_after)
        assert resident.risk == risks[-1]
        assert resident.last_visited_on == (mine[-1].visited_on if mine else None)
        assert resident.reminded_for is None
        if resident.status == ResidentStatus.ACTIVE:
            start = resident.last_visited_on or registered
            cycle = DEFAULT_CYCLE_DAYS[(resident.category, resident.risk)]
            assert resident.next_visit_due == start + timedelta(days=cycle)
            assert resident.closed_on is None
    assert 0 < late < total * 0.2
    assert Visit.objects.filter(met=False).exists() and Visit.objects.exclude(needs="").exists()
    assert len({v.client_uuid for vs in visits.values() for v in vs}) == total


def test_a_few_are_overdue_and_one_in_the_first_township(demo, seeded):
    today = timezone.localdate()
    active = Resident.objects.filter(status=ResidentStatus.ACTIVE)
    overdue = active.filter(next_visit_due__lt=today)
    assert seeded["visits_overdue"] == overdue.count() >= 1
    assert overdue.count() < active.count() / 4
    assert overdue.filter(tree.subtree_q(demo.township1, "grid__")).exists()


def test_the_demo_grid_worker_has_people_to_visit_and_one_overdue(demo, seeded):
    from residents.services.visits import visits_due_for

    grid1 = demo.user("grid1")
    mine = residents_visible_to(grid1).filter(responsible__user=grid1)
    assert mine.count() >= 5
    due = list(visits_due_for(user=grid1))
    assert any(person.next_visit_due < timezone.localdate() for person in due)


def test_people_who_left_management_have_their_status_change_and_no_next_visit(seeded):
    left = Resident.objects.exclude(status=ResidentStatus.ACTIVE)
    assert seeded["residents_left"] == left.count() >= 1
    today = timezone.localdate()
    for resident in left:
        change = ResidentStatusChange.objects.get(resident=resident)
        assert (change.from_status, change.to_status) == (ResidentStatus.ACTIVE, resident.status)
        assert resident.next_visit_due is None
        assert registered_on(resident) < resident.closed_on < today
        assert timezone.localdate(change.created_at) == resident.closed_on
        assert not resident.visits.filter(visited_on__gte=resident.closed_on).exists()


def test_last_months_visit_completion_differs_between_villages(demo, seeded):
    month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    rates = [
        done / total
        for done, total in visit_completion(county=demo.county, month_end=month_end).values()
    ]
    assert any(rate < 1 for rate in rates)
    assert any(rate == 1 for rate in rates)


def test_the_responsible_serves_in_the_village_or_grid_and_recorders_could_see_the_person(
    seeded,
):
    today = timezone.localdate()
    people = residents()
    assert all(r.responsible_id for r in people)
    for resident in people:
        places = {resident.grid_id, resident.grid.parent_id}
        posts = Post.objects.filter(posts_open_on(today), staff=resident.responsible_id)
        assert posts.filter(area__in=places).exists(), resident.pk
        assert resident.created_by.area_id in (
            resident.grid.parent.parent_id,
            resident.grid.parent.parent.parent_id,
        )
    areas = {a.pk: a for a in Area.objects.all()}
    for visit in Visit.objects.select_related("recorded_by", "resident__grid"):
        where = areas[visit.recorded_by.area_id]
        assert visit.resident.grid.lft >= where.lft and visit.resident.grid.rght <= where.rght


def test_the_same_seed_gives_the_same_residents_and_visits(demo, seeded):
    def contents() -> tuple:
        people = sorted(
            (r.id_number, r.name, r.phone, r.situation, r.risk, r.status, r.next_visit_due)
            for r in Resident.objects.all()
        )
        visits = sorted(
            (v.resident.id_number, v.visited_on, v.situation, str(v.client_uuid))
            for v in Visit.objects.select_related("resident")
        )
        return people, visits

    first = contents()
    Visit.objects.all().delete()
    ResidentStatusChange.objects.all().delete()
    Resident.objects.all().delete()
    seed_residents(root=demo.county, rng=random.Random(7), today=timezone.localdate())
    assert contents() == first
