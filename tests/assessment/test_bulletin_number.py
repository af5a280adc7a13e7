"""The bulletin's red header 红头 and document number 文号: "清政法〔2026〕1号", given once per
publication from a sequence per county and year, stable on every later rendering, never
given twice (a unique constraint, and a row lock that makes a second publisher wait)."""

from __future__ import annotations

import threading
from io import BytesIO

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import BulletinSequence, RankingSnapshot
from assessment.selectors.bulletin import document_reference
from assessment.services.rankings import ranking_publish, rankings_compute
from tests.factories import this_month


def test_a_draft_has_no_number_and_publishing_gives_the_first_of_the_year(demo, snapshot):
    assert snapshot.document_number is None and document_reference(snapshot) == ""
    published = ranking_publish(snapshot=snapshot, actor=demo.user("county"))
    year = timezone.localdate().year
    assert (published.document_year, published.document_number) == (year, 1)
    assert document_reference(published) == f"{demo.county.name[0]}政法〔{year}〕1号"
    assert BulletinSequence.objects.get(county=demo.county, year=year).last_number == 1


def test_each_publication_takes_the_next_number_and_keeps_it(client, demo, snapshot):
    county = demo.user("county")
    first = ranking_publish(snapshot=snapshot, actor=county)
    second = ranking_publish(
        snapshot=rankings_compute(
            county=demo.county, month=this_month(), actor=county, new_version=True, reason="更正"
        ),
        actor=county,
    )
    assert (first.document_number, second.document_number) == (1, 2)
    client.force_login(county)
    for _ in range(2):  # rendered twice: the same number, nothing taken
        page = client.get(reverse("ranking_bulletin", args=[first.pk])).content.decode()
        assert document_reference(first) in page and 'class="red-rule"' in page
    first.refresh_from_db()
    assert first.document_number == 1
    assert BulletinSequence.objects.get().last_number == 2
    workbook = load_workbook(
        BytesIO(client.get(reverse("ranking_bulletin_xlsx", args=[second.pk])).content)
    )
    sheet = workbook.worksheets[0]
    assert document_reference(second) in sheet["A1"].value
    assert document_reference(second) in sheet.oddHeader.right.text
    assert "政法委员会" in sheet.oddHeader.center.text or "Political" in sheet.oddHeader.center.text


def test_the_draft_page_shows_the_red_header_without_a_number(client, demo, snapshot):
    client.force_login(demo.user("county"))
    page = client.get(reverse("ranking_bulletin", args=[snapshot.pk])).content.decode()
    assert 'class="red-head"' in page and "政法〔" not in page


def test_each_county_and_year_counts_from_one(demo, snapshot, other_county):
    ranking_publish(snapshot=snapshot, actor=demo.user("county"))
    year = timezone.localdate().year
    BulletinSequence.objects.create(county=demo.county, year=year - 1, last_number=12)
    assert BulletinSequence.objects.get(county=demo.county, year=year).last_number == 1
    assert not BulletinSequence.objects.filter(county=other_county).exists()


def test_a_number_cannot_be_given_twice_in_a_county_and_year(demo, snapshot):
    county = demo.user("county")
    first = ranking_publish(snapshot=snapshot, actor=county)
    second = ranking_publish(
        snapshot=rankings_compute(
            county=demo.county, month=this_month(), actor=county, new_version=True, reason="更正"
        ),
        actor=county,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingSnapshot.objects.filter(pk=second.pk).update(document_number=first.document_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        BulletinSequence.objects.create(county=demo.county, year=first.document_year)


@pytest.mark.django_db(transaction=True)
def test_two_publishers_at_once_take_two_numbers(live_demo):
    """Two months published at the same moment by two connections: the second waits on the
    sequence's row lock and takes the next number (PostgreSQL; SQLite writes one at a time
    anyway)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every write")
    demo = live_demo
    county = demo.user("county")
    month = this_month()
    earlier = (
        month.replace(year=month.year - 1)
        if month.month == 1
        else month.replace(month=month.month - 1)
    )
    drafts = [rankings_compute(county=demo.county, month=m) for m in (earlier, month)]
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def publish(draft):
        try:
            barrier.wait()
            numbers.append(ranking_publish(snapshot=draft, actor=county).document_number)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(numbers) == [1, 2]
    assert BulletinSequence.objects.get().last_number == 2
