"""Pages of the camera network 雪亮工程: the register (list, one camera, the Excel import),
the month's online rates ranked per township, the monthly inspection with its maintenance
tasks, and closing a task."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cameras import selectors
from cameras.forms import (
    CameraFilterForm,
    ImportForm,
    InspectionForm,
    MonthForm,
    TaskCloseForm,
    TaskFilterForm,
)
from cameras.models import TaskStatus
from cameras.services import inspection, register
from governance.platform.months import month_parse, month_start
from governance.platform.pages import LONG_PAGE_SIZE, add_service_errors, page_of
from grids.jurisdiction import can_close_camera_tasks, can_manage_cameras
from grids.selectors import area_for


def _month(form) -> object:
    chosen = form.cleaned_data.get("month") if form.is_valid() else None
    return month_parse(chosen) or month_start(timezone.localdate())


@never_cache
@login_required
def camera_list(request: HttpRequest) -> HttpResponse:
    form = CameraFilterForm(request.GET, user=request.user)
    found = selectors.cameras_list(user=request.user).none()
    if form.is_valid():
        data = form.cleaned_data
        township = area_for(user=request.user, pk=data["township"])
        online = {"yes": True, "no": False}.get(data["online"])
        found = selectors.cameras_list(
            user=request.user,
            query=data["q"].strip(),
            township=township,
            status=data["status"],
            kind=data["kind"],
            online=online,
        )
    return render(
        request,
        "cameras/camera_list.html",
        {
            "form": form,
            "page": page_of(request, found, size=LONG_PAGE_SIZE),
            "can_manage": can_manage_cameras(request.user),
        },
        status=200 if form.is_valid() else 400,
    )


@never_cache
@login_required
def camera_detail(request: HttpRequest, pk: int) -> HttpResponse:
    camera = selectors.camera_for(user=request.user, pk=pk)
    if camera is None:
        raise Http404
    days = camera.days.order_by("-day")[:31]
    tasks = camera.tasks.order_by("-month")
    return render(
        request, "cameras/camera_detail.html", {"camera": camera, "days": days, "tasks": tasks}
    )


@never_cache
@login_required
def camera_import(request: HttpRequest) -> HttpResponse:
    if not can_manage_cameras(request.user):
        raise PermissionDenied(_("The camera register is kept by the county."))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            table = register.read_xlsx(form.cleaned_data["file"])
            result = register.cameras_import(actor=request.user, table=table)
        except register.CameraImportError as error:
            errors = error.errors
        else:
            messages.success(
                request,
                _("%(created)s cameras added, %(updated)s updated.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("camera_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cameras/camera_import.html",
        {"form": form, "errors": errors, "columns": register.COLUMNS},
        status=status,
    )


@never_cache
@login_required
def online_rates(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.GET)
    month = _month(form)
    return render(
        request,
        "cameras/online_rates.html",
        {
            "form": form,
            "month": month,
            "lines": selectors.online_rates(user=request.user, month=month),
            "target": selectors.TARGET_RATE,
        },
    )


@never_cache
@login_required
def camera_inspection(request: HttpRequest) -> HttpResponse:
    form = InspectionForm(request.POST or request.GET)
    month = _month(form)
    min_hours = (form.is_valid() and form.cleaned_data["min_hours"]) or (
        inspection.OFFLINE_HOURS_LIMIT
    )
    if request.method == "POST" and form.is_valid():
        opened = inspection.tasks_generate(actor=request.user, month=month, min_hours=min_hours)
        messages.success(request, _("%(count)s maintenance tasks opened.") % {"count": opened})
        return redirect(f"{request.path}?month={month:%Y-%m}&min_hours={min_hours}")
    offline = selectors.offline_cameras(user=request.user, month=month)
    owners: dict[str, list] = {}
    for row in offline:
        owners.setdefault(row.camera.owner_unit, []).append(row)
    return render(
        request,
        "cameras/inspection.html",
        {
            "form": form,
            "month": month,
            "min_hours": min_hours,
            "owners": sorted(owners.items()),
            "offline_count": len(offline),
            "can_manage": can_manage_cameras(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    form = TaskFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    found = selectors.tasks_list(user=request.user, status=status)
    return render(
        request,
        "cameras/task_list.html",
        {
            "form": form,
            "status": status,
            "page": page_of(request, found, size=LONG_PAGE_SIZE),
            "can_close": can_close_camera_tasks(request.user),
            "close_form": TaskCloseForm(),
        },
    )


@require_POST
@login_required
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.tasks_visible_to(request.user).select_related("camera").filter(pk=pk).first()
    if task is None:
        raise Http404
    form = TaskCloseForm(request.POST)
    if form.is_valid():
        try:
            inspection.task_close(task=task, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The maintenance task is closed."))
            return redirect("camera_task_list")
    found = selectors.tasks_list(user=request.user, status=TaskStatus.OPEN)
    return render(
        request,
        "cameras/task_list.html",
        {
            "form": TaskFilterForm(),
            "status": TaskStatus.OPEN,
            "page": page_of(request, found, size=LONG_PAGE_SIZE),
            "can_close": can_close_camera_tasks(request.user),
            "close_form": form,
            "failed": task.pk,
        },
        status=400,
    )
