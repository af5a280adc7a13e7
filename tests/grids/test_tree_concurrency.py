"""Tree edits from many connections at once stay consistent: one lock serialises them."""

import threading

import pytest
from django.db import connection

from demo.seed import demo_tree
from grids import tree
from grids.models import Area, AreaLevel
from grids.services import area_create


def numbers() -> dict[str, tuple]:
    return {a.code: (a.tree_id, a.lft, a.rght, a.depth) for a in Area.objects.all()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_under_the_lock_keep_the_nested_sets_valid():
    tree.bulk_insert(demo_tree(scale="tiny", seed=5))
    townships = list(Area.objects.filter(level=AreaLevel.TOWNSHIP).order_by("code"))
    errors = []
    start = threading.Barrier(6)

    def add_villages(worker: int):
        try:
            start.wait()
            township = townships[worker % len(townships)]
            for n in range(5):
                number = 300 + worker * 10 + n
                area_create(
                    code=f"{township.code[:9]}{number:03d}",
                    name=f"并发村{worker}-{n}",
                    level=AreaLevel.VILLAGE,
                    parent=township,
                    kind="rural",
                )
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add_villages, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Area.objects.filter(name__startswith="并发村").count() == 30
    ours = numbers()
    Area.objects.rebuild()
    assert numbers() == ours
