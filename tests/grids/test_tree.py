"""The bulk loader numbers the tree exactly as the tree library would."""

import pytest

from demo.seed import demo_tree
from grids import tree
from grids.models import Area, AreaLevel
from grids.services import area_create


def numbers() -> dict[str, tuple]:
    return {a.code: (a.tree_id, a.lft, a.rght, a.depth, a.parent_id) for a in Area.objects.all()}


@pytest.mark.django_db
def test_bulk_insert_numbers_the_tree_like_a_full_rebuild():
    tree.bulk_insert(demo_tree(scale="tiny", seed=3))
    ours = numbers()
    Area.objects.rebuild()  # the tree library's own renumbering from parent links
    assert numbers() == ours


@pytest.mark.django_db
def test_bulk_insert_into_an_existing_tree_shifts_the_right_rows():
    tree.bulk_insert(demo_tree(scale="tiny", seed=3))
    village = Area.objects.filter(level=AreaLevel.VILLAGE).order_by("code").first()
    new_grid = Area(code=village.code + "099", name="新网格", level=AreaLevel.GRID, parent=village)
    new_micro = Area(
        code=new_grid.code + "001", name="新微网格", level=AreaLevel.MICROGRID, parent=new_grid
    )
    tree.bulk_insert([new_grid, new_micro])
    ours = numbers()
    Area.objects.rebuild()
    assert numbers() == ours
    assert tree.ancestor_at_level(new_micro, AreaLevel.VILLAGE) == village


@pytest.mark.django_db
def test_a_second_county_gets_its_own_tree():
    tree.bulk_insert(demo_tree(scale="tiny", seed=3))
    other = area_create(code="439922000000", name="石门县", level=AreaLevel.COUNTY, parent=None)
    first = Area.objects.get(code="439921000000")
    assert other.tree_id != first.tree_id
    assert not Area.objects.filter(tree.subtree_q(other)).exclude(pk=other.pk).exists()


@pytest.mark.django_db
def test_subtree_and_ancestors():
    tree.bulk_insert(demo_tree(scale="tiny", seed=3))
    township = Area.objects.filter(level=AreaLevel.TOWNSHIP).order_by("code").first()
    below = Area.objects.filter(tree.subtree_q(township)).exclude(pk=township.pk)
    assert below.count() == tree.descendant_count(township) > 0
    assert all(a.code.startswith(township.code[:9]) for a in below)
    micro = below.filter(level=AreaLevel.MICROGRID).first()
    levels = [a.level for a in tree.ancestors(micro)]
    assert levels == ["county", "township", "village", "grid"]
