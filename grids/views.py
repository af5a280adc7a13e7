from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from governance.platform.choosers import chooser_query, chooser_response
from governance.platform.pages import LONG_PAGE_SIZE, page_of
from grids import selectors
from grids.forms import area_choice_label
from grids.importing import write_area_csv
from grids.jurisdiction import can_administer
from grids.models import AreaLevel


def _visible_area(request: HttpRequest, pk: int):
    area = selectors.area_for(user=request.user, pk=pk)
    if area is None:
        raise Http404
    return area


@login_required
def area_tree(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    level = request.GET.get("level", "")
    if level not in AreaLevel.values:
        level = ""
    context = {"query": query, "level": level, "levels": AreaLevel.choices}
    if query or level:
        results = selectors.areas_search(user=request.user, query=query, level=level)
        context["page"] = page_of(request, results, size=LONG_PAGE_SIZE)
    else:
        roots = list(selectors.area_roots_for(request.user))
        context["roots"] = [
            (root, selectors.area_children(user=request.user, parent=root)) for root in roots
        ]
    return render(request, "grids/area_tree.html", context)


@login_required
def area_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows under one area, fetched when a tree node is expanded."""
    area = _visible_area(request, pk)
    children = selectors.area_children(user=request.user, parent=area)
    return render(request, "grids/_area_rows.html", {"children": children})


@login_required
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = _visible_area(request, pk)
    children = selectors.area_children(user=request.user, parent=area)
    query = request.GET.get("q", "").strip()[:50]
    if query:
        children = children.filter(name__icontains=query)
    return render(
        request,
        "grids/area_detail.html",
        {
            "area": area,
            "ancestors": selectors.area_ancestors(user=request.user, area=area),
            "level_counts": _level_counts(request.user, area),
            "page": page_of(request, children, size=LONG_PAGE_SIZE),
            "query": query,
            "can_export": can_administer(request.user),
        },
    )


@login_required
def area_export(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_administer(request.user):
        raise Http404
    area = _visible_area(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="areas-{area.code}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    write_area_csv(
        selectors.areas_for_export(user=request.user, root=area).iterator(5000), response
    )
    return response


def _level_counts(user, area) -> list[tuple[str, int]]:
    counts = selectors.area_level_counts(user=user, root=area)
    return [(label, counts[value]) for value, label in AreaLevel.choices if counts.get(value)]


@login_required
@require_GET
def choose_areas(request: HttpRequest) -> HttpResponse:
    """The chooser's search of areas (`level`: one or more, comma-separated)."""
    query, page = chooser_query(request)
    levels = [v for v in request.GET.get("level", "").split(",") if v in AreaLevel.values]
    rows = selectors.areas_to_choose(user=request.user, query=query, levels=levels)
    return chooser_response(rows, page=page, key=lambda a: a.code, label=area_choice_label)


@login_required
@require_GET
def choose_grids(request: HttpRequest) -> HttpResponse:
    query, page = chooser_query(request)
    rows = selectors.areas_to_choose(user=request.user, query=query, levels=[AreaLevel.GRID])
    return chooser_response(rows, page=page, key=lambda a: a.code, label=area_choice_label)
