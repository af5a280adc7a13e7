import pytest
from django.core.exceptions import ValidationError

from grids import tree
from grids.models import Area, AreaLevel
from grids.services import area_create


def messages(error: ValidationError) -> str:
    return " ".join(m for ms in error.message_dict.values() for m in ms)


@pytest.fixture
def county(db):
    return area_create(code="439921000000", name="清溪县", level=AreaLevel.COUNTY, parent=None)


@pytest.fixture
def township(county):
    return area_create(code="439921100000", name="桃坪镇", level=AreaLevel.TOWNSHIP, parent=county)


@pytest.fixture
def village(township):
    return area_create(
        code="439921100201", name="柳溪村", level=AreaLevel.VILLAGE, parent=township, kind="rural"
    )


def test_a_child_must_be_exactly_one_level_below_its_parent(county):
    with pytest.raises(ValidationError) as caught:
        area_create(
            code="439921100200", name="跳级村", level=AreaLevel.VILLAGE, parent=county, kind="rural"
        )
    text = messages(caught.value)
    assert "exactly one level below" in text or "低一级" in text
    assert not Area.objects.filter(code="439921100200").exists()


def test_a_township_needs_a_parent(db):
    with pytest.raises(ValidationError) as caught:
        area_create(code="439921100000", name="孤镇", level=AreaLevel.TOWNSHIP, parent=None)
    assert "parent" in caught.value.message_dict


def test_the_code_must_carry_the_parents_prefix(county):
    with pytest.raises(ValidationError) as caught:
        area_create(code="439931100000", name="错码镇", level=AreaLevel.TOWNSHIP, parent=county)
    assert "439921" in messages(caught.value)


@pytest.mark.parametrize(
    "code", ["43992110000", "4399211000000", "43992110000X", "439921000000", "439921100100"]
)
def test_a_township_code_has_twelve_digits_its_own_digits_set_and_zeros_after(county, code):
    with pytest.raises(ValidationError) as caught:
        area_create(code=code, name="错码镇", level=AreaLevel.TOWNSHIP, parent=county)
    assert "code" in caught.value.message_dict


def test_grids_add_three_digits_to_the_village_code(village):
    grid = area_create(
        code=village.code + "001", name="第1网格", level=AreaLevel.GRID, parent=village
    )
    micro = area_create(
        code=grid.code + "001", name="第1微网格", level=AreaLevel.MICROGRID, parent=grid
    )
    assert micro.parent == grid
    with pytest.raises(ValidationError):
        area_create(code=village.code + "0001", name="长码", level=AreaLevel.GRID, parent=village)
    with pytest.raises(ValidationError) as caught:
        area_create(code=micro.code + "001", name="太深", level=AreaLevel.MICROGRID, parent=micro)
    assert "parent" in caught.value.message_dict


def test_only_villages_have_a_kind_and_villages_must_have_one(township, village):
    with pytest.raises(ValidationError) as caught:
        area_create(code="439921100202", name="无类村", level=AreaLevel.VILLAGE, parent=township)
    assert "kind" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        area_create(
            code=village.code + "002",
            name="网格",
            level=AreaLevel.GRID,
            parent=village,
            kind="urban",
        )
    assert "kind" in caught.value.message_dict


def test_a_duplicate_code_is_refused(township, village):
    with pytest.raises(ValidationError) as caught:
        area_create(
            code=village.code, name="重复村", level=AreaLevel.VILLAGE, parent=township, kind="rural"
        )
    assert "code" in caught.value.message_dict


def test_boundary_must_be_geojson_polygon_and_centre_in_range(township):
    with pytest.raises(ValidationError) as caught:
        area_create(
            code="439921100203",
            name="界村",
            level=AreaLevel.VILLAGE,
            parent=township,
            kind="rural",
            boundary={"type": "Point", "coordinates": [1, 2]},
            centre_lat="95",
            centre_lng="110",
        )
    assert {"boundary", "centre_lat"} <= set(caught.value.message_dict)
    ok = area_create(
        code="439921100204",
        name="好村",
        level=AreaLevel.VILLAGE,
        parent=township,
        kind="rural",
        centre_lat="27.5",
        centre_lng="110.1",
        boundary={
            "type": "Polygon",
            "coordinates": [[[110, 27], [110.1, 27], [110.1, 27.1], [110, 27]]],
        },
    )
    assert ok.boundary["type"] == "Polygon"


def test_single_inserts_keep_the_tree_in_code_order(township):
    for number in ("203", "201", "202"):
        area_create(
            code=f"439921100{number}",
            name=f"村{number}",
            level=AreaLevel.VILLAGE,
            parent=township,
            kind="rural",
        )
    names = [a.name for a in tree.in_order(Area.objects.filter(parent=township))]
    assert names == ["村201", "村202", "村203"]
    township.refresh_from_db()
    assert tree.descendant_count(township) == 3
