import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessment.views.dashboard import dashboard
from governance.celery import app as celery_app
from governance.platform.roles import Role
from grids import selectors
from grids.jurisdiction import jurisdiction_root, sees_everything
from grids.models import AreaLevel

logger = logging.getLogger(__name__)


# The centres and the committee have the dashboard of their jurisdiction (linked from their
# to-do, the home page: todo.views); the others the overview of their area.
DASHBOARD_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CENTRE, Role.TOWNSHIP_CENTRE})


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_superuser or user.role in DASHBOARD_ROLES:
        root = jurisdiction_root(user) or selectors.area_roots_for(user).first()
        if root is not None:
            return dashboard(request, root=root)
    return overview(request)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    roots = list(selectors.area_roots_for(request.user))
    summaries = []
    for root in roots:
        counts = selectors.area_level_counts(user=request.user, root=root)
        summaries.append(
            {
                "root": root,
                "counts": [
                    (label, counts[value])
                    for value, label in AreaLevel.choices
                    if counts.get(value)
                ],
                "children": selectors.area_children(user=request.user, parent=root),
            }
        )
    return render(
        request,
        "home.html",
        {
            "summaries": summaries,
            "no_jurisdiction": not roots and not sees_everything(request.user),
            "jurisdiction": jurisdiction_root(request.user),
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: 200 while the database answers, 503 when it does not."""
    state = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("health check: database unreachable")
        state["database"] = "down"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.warning("health check: broker unreachable", exc_info=True)
        state["broker"] = "down"
    return JsonResponse(state, status=200 if state["database"] == "ok" else 503)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """我的: the account, its role and area, the inbox, the password, the language, log out."""
    return render(request, "me.html")


@login_required
def field_work(request: HttpRequest) -> HttpResponse:
    """走访任务: the field's other pages (visits, tasks, instructions, the register…), one tap
    from the tab bar; the links shown are those of the user's role."""
    return render(request, "field_work.html")
