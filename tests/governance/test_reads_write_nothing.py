"""A GET never writes. Every page and API route of the route walk (tests/test_route_walk.py,
which discovers them from the URL resolver) and every page of the administration is opened
with GET by each demo role, on a fresh county (no categories, no scoring scheme yet) and on
one full of township 2's objects; afterwards every table holds exactly the rows it held,
none added, changed or removed. The defaults a county starts with (its categories, this
year's scoring scheme) are shown unsaved; they are written by the first POST that needs
them, through the services."""

from __future__ import annotations

import hashlib
import random
import uuid

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import ScoringScheme
from assessment.services.scoring import DEFAULT_INDICATORS
from audit.models import AuditEntry
from demo.seed import demo_tree, demo_users
from disputes.defaults import DEFAULT_CATEGORIES
from disputes.models import Case, Category
from grids import tree
from tests.governance.routes import LISTS, object_routes, probes, ranking_routes
from tests.samples import case_form as report_form

ROLES = [
    "county", "centre", "township1", "township2", "police1", "village1", "grid1", "member1",
    "inspector",
]  # fmt: skip
# Written by a read on purpose: who opened a resident's file is itself the record the
# rules ask for (residents' access log); and the session a login keeps.
READ_RECORDS = {"grids_residentaccess", "django_session"}
YEAR = timezone.localdate().year


def tables_state() -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of all its rows."""
    state = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in READ_RECORDS:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            state[table] = (len(rows), digest)
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    names = before.keys() | after.keys()
    return sorted(name for name in names if before.get(name) != after.get(name))


def admin_pages() -> list[str]:
    """The administration's index, and every model's list and add page."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return pages


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)  # before the tables are read: a login writes last_login
    return client


def walk(client: Client, urls) -> None:
    for url, query in urls:
        response = client.get(url, query)
        assert response.status_code < 500, (url, response.status_code)


@pytest.mark.django_db
def test_no_get_writes_anything_in_a_fresh_county():
    """The county as an import leaves it: areas and accounts, no category, no scheme."""
    areas = demo_tree(scale="tiny", seed=7)
    tree.bulk_insert(areas)
    clients = [logged_in(u) for u in demo_users(root=areas[0], rng=random.Random(7))]
    urls = [(reverse(name), {}) for name in sorted(LISTS)]
    urls += [(reverse("ranking_list"), {}), (reverse("api_ranking_list"), {})]
    urls += [(reverse("scheme_edit"), {"year": year}) for year in (YEAR - 1, YEAR, YEAR + 1)]
    urls += [(reverse("category-detail", kwargs={"code": "neighbour"}), {})]
    urls += [(page, {}) for page in admin_pages()]
    before = tables_state()
    for client in clients:
        walk(client, urls)
    assert changed_tables(before, tables_state()) == []
    assert not Category.objects.exists() and not ScoringScheme.objects.exists()


@pytest.mark.parametrize("username", ROLES)
def test_no_get_writes_anything_on_any_route(
    demo,
    theirs,
    their_ranking,
    username,
):
    client = logged_in(demo.user(username))
    objects = object_routes(theirs, their_ranking)
    urls = [(reverse(name), {}) for name in sorted(LISTS)]
    urls += [(reverse(name), probes(demo, theirs)) for name in sorted(LISTS)]
    urls += [(reverse(n, kwargs=k), q) for n, (k, q) in ranking_routes(their_ranking).items()]
    urls += [(reverse(name, kwargs=kwargs), {}) for name, kwargs in objects.items()]
    urls += [(reverse("category-detail", kwargs={"code": "neighbour"}), {})]
    urls += [(page, {}) for page in admin_pages()]
    before = tables_state()
    walk(client, urls)
    assert changed_tables(before, tables_state()) == []


# What the fresh county is shown, and the first POST that writes it


@pytest.fixture
def bare(demo):
    """The demo county before anything made its categories."""
    Category.objects.all().delete()
    return demo


def test_the_report_form_offers_the_default_categories_and_a_report_writes_them(client, bare):
    client.force_login(bare.user("grid1"))
    page = client.get(reverse("case_report")).content.decode()
    assert all(f'value="{code}"' in page for _kind, code, _name in DEFAULT_CATEGORIES)
    assert not Category.objects.exists()
    response = client.post(reverse("case_report"), report_form(bare, category="neighbour"))
    assert response.status_code == 302
    assert Category.objects.filter(county=bare.county).count() == len(DEFAULT_CATEGORIES)
    assert Case.objects.get().category.code == "neighbour"


def test_the_category_api_lists_the_defaults_unsaved(client, bare):
    client.force_login(bare.user("grid1"))
    listed = client.get(reverse("category-list"), {"kind": "hazard"}).json()
    hazards = [code for kind, code, _name in DEFAULT_CATEGORIES if kind == "hazard"]
    assert [c["code"] for c in listed] == hazards
    assert {c["county"] for c in listed} == {bare.county.pk}
    one = client.get(reverse("category-detail", kwargs={"code": "neighbour"}))
    assert one.status_code == 200 and one.json()["name"] == "邻里纠纷"
    assert not Category.objects.exists()
    body = {
        "client_uuid": str(uuid.uuid4()), "kind": "dispute", "category": "neighbour",
        "title": "邻里纠纷", "description": "排水沟堵塞。", "grid": bare.grid1.pk,
    }  # fmt: skip
    response = client.post(reverse("case-list"), body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Category.objects.filter(county=bare.county).count() == len(DEFAULT_CATEGORIES)


def drafted(response) -> dict:
    """The scheme page's form as a browser posts it untouched."""
    scheme_form = response.context["scheme_form"]
    data = {name: scheme_form[name].value() or "" for name in scheme_form.fields}
    formset = response.context["formset"]
    management = formset.management_form
    data |= {management.add_prefix(k): v for k, v in management.initial.items()}
    for form in formset.forms:
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                data[form.add_prefix(name)] = value
    return data


def test_the_years_scheme_is_shown_unsaved_and_the_first_save_writes_it_audited(client, demo):
    client.force_login(demo.user("township1"))  # reads, cannot change
    page = client.get(reverse("scheme_edit"))
    assert page.status_code == 200
    assert all(spec["name"] in page.content.decode() for spec in DEFAULT_INDICATORS)
    client.force_login(demo.user("county"))
    page = client.get(reverse("scheme_edit"))
    assert page.status_code == 200 and not ScoringScheme.objects.exists()
    values = client.get(reverse("entered_values"))
    assert values.status_code == 200 and not ScoringScheme.objects.exists()
    response = client.post(reverse("scheme_edit"), drafted(page))
    assert response.status_code == 302, response.context["formset"].errors
    scheme = ScoringScheme.objects.get(county=demo.county, year=YEAR)
    assert sorted(scheme.indicators.values_list("code", flat=True)) == sorted(
        spec["code"] for spec in DEFAULT_INDICATORS
    )
    (entry,) = AuditEntry.objects.filter(action="settings.change", object_type="scoringscheme")
    assert entry.actor == demo.user("county") and entry.area_id == demo.county.pk
    assert all(f"indicator {spec['code']}" in entry.new_values for spec in DEFAULT_INDICATORS)


def test_a_refused_first_save_writes_no_scheme(client, demo):
    client.force_login(demo.user("county"))
    data = drafted(client.get(reverse("scheme_edit")))
    data["indicators-0-weight"] = "99"
    response = client.post(reverse("scheme_edit"), data)
    assert response.status_code == 400
    assert not ScoringScheme.objects.exists()
    assert not AuditEntry.objects.filter(action="settings.change").exists()
