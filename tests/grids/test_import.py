import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from demo.seed import seed_demo
from grids.importing import read_area_file
from grids.models import Area, AreaLevel
from grids.services import AreaImportError, areas_import

HEADER = "code,name,level,parent_code,kind,households,residents\n"
GOOD = HEADER + (
    "439921000000,清溪县,county,,,0,0\n"
    "439921100000,桃坪镇,township,439921000000,,0,0\n"
    "439921100201,柳溪村,village,439921100000,rural,320,1010\n"
    "439921100201001,柳溪村第1网格,grid,439921100201,,160,505\n"
)


def import_text(text: str, name: str = "areas.csv"):
    rows = read_area_file(io.BytesIO(text.encode("utf-8")), name)
    return areas_import(rows=rows, actor=None)


def snapshot() -> list[tuple]:
    return list(
        Area.objects.order_by("code").values_list(
            "code",
            "name",
            "level",
            "parent__code",
            "kind",
            "households",
            "residents",
            "tree_id",
            "lft",
            "rght",
            "depth",
        )
    )


@pytest.mark.django_db
def test_a_good_file_imports_and_importing_it_again_changes_nothing():
    result = import_text(GOOD)
    assert (result.created, result.updated) == (4, 0)
    before = snapshot()
    again = import_text(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_file_with_one_bad_row_imports_nothing_and_names_the_line():
    bad = GOOD + "439921100202,坏村,village,439921100000,rural,abc,10\n"
    with pytest.raises(AreaImportError) as caught:
        import_text(bad)
    assert [line for line, _m in caught.value.errors] == [6]
    assert Area.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("439921100202,跳级网格,grid,439921100000,,0,0", "one level below"),
        ("439921200203,错码村,village,439921100000,rural,0,0", "439921100"),
        ("439921100204,孤村,village,439921999000,rural,0,0", "439921999000"),
        ("439921100201,重复村,village,439921100000,rural,0,0", "line 4"),
        ("439921100205,无类村,village,439921100000,,0,0", "urban or rural"),
        ("439921100206,怪村,hamlet,439921100000,rural,0,0", "hamlet"),
    ],
)
def test_every_bad_row_is_reported_with_its_reason(row, expected):
    from django.utils import translation

    with translation.override("en"), pytest.raises(AreaImportError) as caught:
        import_text(GOOD + row + "\n")
    text = " ".join(message for _line, message in caught.value.errors)
    assert expected in text
    assert 6 in [line for line, _m in caught.value.errors]
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_rows_may_come_in_any_order_and_with_chinese_headers_and_levels():
    text = (
        "代码,名称,层级,上级代码,类型,户数,人口\n"
        "439921100201,柳溪村,村/社区,439921100000,农村,320,1010\n"
        "439921100000,桃坪镇,乡镇/街道,439921000000,,0,0\n"
        "439921000000,清溪县,县/区,,,0,0\n"
    )
    assert import_text(text).created == 3
    assert Area.objects.get(code="439921100201").parent.code == "439921100000"


@pytest.mark.django_db
def test_xlsx_files_import_like_csv():
    book = Workbook()
    sheet = book.active
    for line in GOOD.strip().splitlines():
        sheet.append([int(c) if c.isdigit() and len(c) < 6 else c for c in line.split(",")])
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    assert areas_import(rows=read_area_file(stream, "areas.xlsx"), actor=None).created == 4
    assert Area.objects.get(code="439921100201").households == 320


@pytest.mark.django_db
def test_changed_attributes_are_updated_but_moves_are_refused():
    import_text(GOOD)
    renamed = GOOD.replace("柳溪村,village", "柳溪新村,village")
    assert import_text(renamed).updated == 1
    assert Area.objects.get(code="439921100201").name == "柳溪新村"
    moved = (
        GOOD
        + "439921200000,石桥乡,township,439921000000,,0,0\n"
        + "439921100201001,柳溪村第1网格,grid,439921200000,,160,505\n"
    )
    with pytest.raises(AreaImportError):
        import_text(moved)


@pytest.mark.django_db
def test_the_demo_tree_round_trips_through_export_and_import(tmp_path, settings):
    settings.DEBUG = True
    seed_demo(scale="tiny", seed=11, cases=False)
    before = snapshot()
    path = tmp_path / "areas.csv"
    call_command("export_areas", str(path))
    from personnel.models import Staff, User

    Staff.objects.all().delete()  # the roster's logins and areas go with it
    User.objects.all().delete()
    for level in reversed(AreaLevel.order()):
        Area.objects.filter(level=level).delete()
    call_command("import_areas", str(path))
    after = snapshot()
    assert [row[:7] for row in after] == [row[:7] for row in before]
    # the nested-set numbers of the rebuilt tree match the original exactly
    assert [row[8:] for row in after] == [row[8:] for row in before]


@pytest.mark.django_db
def test_the_command_lists_bad_rows_and_fails(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "439921100202,坏村,village,439921100000,rural,-5,10\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_areas", str(path))
    assert "line 6" in capsys.readouterr().err
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_unsupported_and_unreadable_files_get_a_clear_message():
    with pytest.raises(AreaImportError, match="bad rows"):
        read_area_file(io.BytesIO(b"x"), "areas.pdf")
    with pytest.raises(AreaImportError) as caught:
        read_area_file(io.BytesIO(b"name,code\nx,1\n"), "areas.csv")
    assert "parent_code" in caught.value.errors[0][1]
