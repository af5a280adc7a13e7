"""Security, second round, finding 1: the area import and the area admin write only inside
the importer's jurisdiction, through the area services, and the audit log names every
area an import created or changed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from grids.importing import read_area_file
from grids.models import Area
from grids.services import AreaImportError, areas_import

ROWS = "code,name,level,parent_code,kind,households,residents\n"


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("areas.csv", text.encode(), content_type="text/csv")


def rows(text: str):
    return read_area_file(io.BytesIO((ROWS + text).encode()), "areas.csv")


def test_a_county_admin_cannot_create_a_new_county_by_import(client, demo):
    client.force_login(demo.user("county"))
    response = client.post(
        reverse("admin:grids_area_import"),
        {"file": upload(ROWS + "450102000000,PROBE外县,county,,,10,20\n")},
    )
    assert response.status_code == 200
    assert "<td>2</td>" in response.content.decode()
    assert not Area.objects.filter(code="450102000000").exists()


def test_a_county_admin_cannot_rename_or_extend_another_county_by_import(
    client, demo, other_county
):
    client.force_login(demo.user("county"))
    text = (
        ROWS
        + f"{other_county.code},改名外县,county,,,10,20\n"
        + f"439922200000,外县新镇,township,{other_county.code},,0,0\n"
    )
    response = client.post(reverse("admin:grids_area_import"), {"file": upload(text)})
    page = response.content.decode()
    assert response.status_code == 200 and "<td>2</td>" in page and "<td>3</td>" in page
    other_county.refresh_from_db()
    assert other_county.name == "石门县"
    assert not Area.objects.filter(code="439922200000").exists()


def test_an_import_naming_an_area_outside_the_tree_is_refused_per_row_and_writes_nothing(
    demo, other_county
):
    outside_township = Area.objects.get(name="邻县镇")
    good = f"{demo.village1.code}099,新建网格,grid,{demo.village1.code},,10,30\n"
    foreign_child = f"439922100201,外县新村,village,{outside_township.code},rural,5,9\n"
    with pytest.raises(AreaImportError) as refused:
        areas_import(rows=rows(good + foreign_child), actor=demo.user("county"))
    assert [line for line, _message in refused.value.errors] == [3]
    assert not Area.objects.filter(code=f"{demo.village1.code}099").exists()
    assert not Area.objects.filter(code="439922100201").exists()


def test_a_parent_outside_the_tree_reads_exactly_as_a_missing_one(demo, other_county):
    outside_township = Area.objects.get(name="邻县镇")
    foreign = f"439922100201,外县新村,village,{outside_township.code},rural,5,9\n"
    missing = "439923100201,无此村,village,439923100000,rural,5,9\n"
    county = demo.user("county")
    messages = []
    for text in (foreign, missing):
        with pytest.raises(AreaImportError) as refused:
            areas_import(rows=rows(text), actor=county)
        messages.append(refused.value.errors[0][1].replace(text.split(",")[3], "<parent>"))
    assert messages[0] == messages[1]


def test_a_township_centre_cannot_import_areas(demo):
    from django.core.exceptions import PermissionDenied

    text = f"{demo.village1.code}099,新建网格,grid,{demo.village1.code},,10,30\n"
    with pytest.raises(PermissionDenied):
        areas_import(rows=rows(text), actor=demo.user("township1"))
    assert not Area.objects.filter(code=f"{demo.village1.code}099").exists()


def test_the_operators_console_import_may_create_a_county(demo):
    result = areas_import(rows=rows("450102000000,新县,county,,,10,20\n"), actor=None)
    assert result.created == 1


def test_an_import_audits_every_area_it_creates_or_changes(demo):
    text = (
        f"{demo.village1.code}099,新建网格,grid,{demo.village1.code},,10,30\n"
        f"{demo.village1.code},改名村,village,{demo.township1.code},"
        f"{demo.village1.kind},{demo.village1.households},{demo.village1.residents}\n"
    )
    areas_import(rows=rows(text), actor=demo.user("county"))
    created = Area.objects.get(code=f"{demo.village1.code}099")
    entries = AuditEntry.objects.filter(action="area.import", object_type="area")
    by_object = {entry.object_id: entry for entry in entries}
    assert by_object[str(created.pk)].new_values["code"] == created.code
    assert by_object[str(created.pk)].new_values["name"] == "新建网格"
    renamed = by_object[str(demo.village1.pk)]
    assert (renamed.old_values, renamed.new_values) == (
        {"name": demo.village1.name},
        {"name": "改名村"},
    )
    assert renamed.area_id == demo.village1.pk


def test_the_area_admin_creates_through_the_area_service(client, demo):
    client.force_login(demo.user("county"))
    response = client.post(
        reverse("admin:grids_area_add"),
        {
            "code": f"{demo.village1.code}098",
            "name": "服务新网格",
            "level": "grid",
            "parent": demo.village1.pk,
            "kind": "",
            "households": 5,
            "residents": 9,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Area.objects.get(code=f"{demo.village1.code}098")
    entry = AuditEntry.objects.get(object_type="area", object_id=str(created.pk))
    assert entry.action == "area.create" and entry.new_values["parent"] == demo.village1.pk
