from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from grids import tree
from grids.jurisdiction import jurisdiction_root, scope, sees_everything
from grids.models import Area, AreaLevel

if TYPE_CHECKING:
    from personnel.models import User


def areas_visible_to(user: User) -> QuerySet[Area]:
    return scope(user, Area.objects.all())


def area_for(*, user: User, pk: int | None) -> Area | None:
    """The area `pk` if it lies in the user's jurisdiction; None for no id, or one unknown or
    out of sight (the caller answers as it answers a missing area)."""
    if pk is None:
        return None
    return areas_visible_to(user).filter(pk=pk).first()


def counties_of(user: User) -> QuerySet[Area]:
    """The counties whose own settings (case categories, deadline rules) the user works
    under: the county their jurisdiction lies in, or every county under a city's (and every
    county for an operator)."""
    counties = Area.objects.filter(level=AreaLevel.COUNTY)
    if sees_everything(user):
        return counties
    root = jurisdiction_root(user)
    if root is None:
        return counties.none()
    if root.level == AreaLevel.CITY:
        return counties.filter(tree.subtree_q(root))
    return counties.filter(pk__in=tree.ancestors(root, include_self=True).values("pk"))


def area_roots_for(user: User) -> QuerySet[Area]:
    """Where the user's tree browser starts: their jurisdiction's root (all roots for operators)."""
    if sees_everything(user):
        return tree.in_order(Area.objects.filter(parent__isnull=True))
    root = jurisdiction_root(user)
    if root is None:
        return Area.objects.none()
    return Area.objects.filter(pk=root.pk)


def area_children(*, user: User, parent: Area) -> QuerySet[Area]:
    """The visible children of `parent`, each with its number of children (one GROUP BY)."""
    children = areas_visible_to(user).filter(parent=parent)
    return tree.in_order(children.annotate(child_count=Count("children")))


def area_ancestors(*, user: User, area: Area) -> list[Area]:
    """Breadcrumbs: the area's ancestors that the user may see, top first."""
    return list(
        areas_visible_to(user)
        .filter(pk__in=tree.ancestors(area).values("pk"))
        .order_by("tree_id", "lft")
    )


def areas_search(
    *, user: User, query: str = "", level: str = "", within: Area | None = None
) -> QuerySet[Area]:
    areas = areas_visible_to(user)
    if within is not None:
        areas = areas.filter(tree.subtree_q(within))
    if query:
        areas = areas.filter(Q(name__icontains=query) | Q(code__startswith=query))
    if level:
        areas = areas.filter(level=level)
    return tree.in_order(areas.select_related("parent"))


def area_level_counts(*, user: User, root: Area) -> dict[str, int]:
    """How many areas of each level lie under `root` (root excluded)."""
    rows = (
        areas_visible_to(user)
        .filter(tree.subtree_q(root))
        .exclude(pk=root.pk)
        .values("level")
        .annotate(total=Count("id"))
        .order_by()
    )
    return {row["level"]: row["total"] for row in rows}


def areas_for_export(*, user: User, root: Area | None = None) -> QuerySet[Area]:
    areas = areas_visible_to(user)
    if root is not None:
        areas = areas.filter(tree.subtree_q(root))
    return tree.in_order(areas.annotate(parent_code=F("parent__code")))


def area_filter_options(*, user: User) -> list[tuple[str | int, str]]:
    """Choices for filtering by area: the user's townships and villages (streets and
    communities), villages indented under their township."""
    areas = areas_visible_to(user).filter(
        level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    )
    indent = {AreaLevel.COUNTY: "", AreaLevel.TOWNSHIP: "\u3000", AreaLevel.VILLAGE: "\u3000\u3000"}
    return [("", _("All areas"))] + [
        (pk, indent[level] + name)
        for pk, name, level in tree.in_order(areas).values_list("id", "name", "level")
    ]


def areas_to_choose(*, user: User, query: str = "", levels: list[str] | None = None):
    """A chooser's search of areas: by name or division code, within the jurisdiction, in
    tree order."""
    areas = areas_visible_to(user)
    if levels:
        areas = areas.filter(level__in=levels)
    if query:
        areas = areas.filter(Q(name__icontains=query) | Q(code__startswith=query))
    return areas.select_related("parent").order_by("code", "pk")
