"""Pages of campaigns 专项行动: the organisers' list, draft, launch and live progress, and the
participants' own tasks, completed from the phone. Reads go through
campaigns.selectors, writes through campaigns.services.campaigns."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from campaigns import selectors
from campaigns.curve import curve_drawing
from campaigns.forms import (
    CampaignFilterForm,
    CampaignForm,
    TargetUploadForm,
    TaskFilterForm,
    TaskForm,
)
from campaigns.models import Campaign, CampaignStatus, CampaignTask, TargetMode, TaskStatus
from campaigns.services import campaigns
from disputes.services.attachments import photo_content_type
from exports.answers import export_answer
from governance.platform.pages import (
    LONG_PAGE_SIZE,
    add_service_errors,
    error_dict,
    page_of,
)
from governance.platform.uploads import protected_file
from grids.jurisdiction import can_complete_task, can_manage_campaign, can_organise
from grids.models import AreaLevel
from grids.selectors import areas_visible_to

DONE_SHOWN = 50
# The campaign page is bounded whatever the campaign's size: the rest is one click away
# (the task list, a page at a time) or in the export.
LAGGARDS_SHOWN = 50
UNASSIGNED_SHOWN = 20
TEMPLATE_HEADER = "名称,网格编码,地址"


def _campaign_or_404(request: HttpRequest, pk: int) -> Campaign:
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    if campaign is None:
        raise Http404
    return campaign


def _require_manager(request: HttpRequest, campaign: Campaign) -> None:
    if not can_manage_campaign(request.user, campaign):
        raise PermissionDenied(_("Only the organisers of this campaign may do this."))


# --- The organisers' pages ---------------------------------------------------------------


@never_cache
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET)
    status, query = "", ""
    if form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"].strip()
    rows = selectors.campaigns_list(user=request.user, status=status, query=query)
    page = page_of(request, rows, size=LONG_PAGE_SIZE)
    for campaign in page.object_list:
        campaign.percent = round(100 * campaign.done / campaign.total) if campaign.total else 0
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(status or query),
            "can_create": can_organise(request.user),
        },
    )


@never_cache
@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not can_organise(request.user):
        raise PermissionDenied(_("Only the county and township centres launch campaigns."))
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.campaign_create(actor=request.user, data=form.campaign_input())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft saved. Now give its targets and launch it."))
            return redirect("campaign_detail", pk=campaign.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "campaigns/campaign_form.html", {"form": form}, status=status)


@never_cache
@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    return _detail(request, campaign, TargetUploadForm())


def _area_asked(request: HttpRequest) -> int | None:
    """?area=<pk>, the drill-down; anything but a number is an area that does not exist."""
    value = request.GET.get("area", "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


def _detail(
    request: HttpRequest, campaign: Campaign, upload: TargetUploadForm, status: int = 200
) -> HttpResponse:
    user = request.user
    context = {
        "campaign": campaign,
        "can_manage": can_manage_campaign(user, campaign),
        "upload": upload,
    }
    if campaign.status == CampaignStatus.DRAFT or not campaign.launched_at:
        context["target_count"] = campaign.targets.count()
        # Where the upload form is on the page, its errors are shown on it.
        context["upload_shown"] = (
            context["can_manage"]
            and campaign.status == CampaignStatus.DRAFT
            and campaign.target_mode == TargetMode.ITEMS
        )
    else:
        context |= _progress_context(request, campaign)
    return render(request, "campaigns/campaign_detail.html", context, status=status)


def _progress_context(request: HttpRequest, campaign: Campaign) -> dict:
    """The launched campaign under the area looked at: progress per child area (county →
    townships → villages → grids, each a link one level down), and the tasks themselves a
    page at a time only at a village or grid, or when asked for."""
    user = request.user
    top = selectors.campaign_focus(campaign=campaign, user=user)
    area_pk = _area_asked(request) if request.method == "GET" else None
    focus = (
        top
        if area_pk is None
        else selectors.campaign_focus(campaign=campaign, user=user, area_pk=area_pk)
    )
    if focus is None or top is None:
        raise Http404
    progress = selectors.campaign_progress(campaign=campaign, user=user, area=focus)
    laggards = selectors.campaign_laggards(
        campaign=campaign, user=user, area=focus, limit=LAGGARDS_SHOWN
    )
    for laggard in laggards:
        laggard.phone_tail = "****" + laggard.phone[-4:] if laggard.phone else ""
    filters = TaskFilterForm(request.GET if request.method == "GET" else None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    tasks_shown = focus.level in selectors.TASK_LIST_LEVELS or bool(wanted.get("tasks"))
    here = {"area": focus.pk} if focus.pk != top.pk else {}
    progress_url = reverse("api_campaign_progress", args=[campaign.pk])
    context = {
        "focus": focus,
        "trail": selectors.focus_trail(top=top, focus=focus) if here else [focus],
        "here": urlencode(here),
        "progress": progress,
        "rows": progress.by_area,
        "drillable": AreaLevel.below(focus.level) not in (None, AreaLevel.MICROGRID),
        "progress_url": f"{progress_url}?{urlencode(here)}" if here else progress_url,
        "curve": curve_drawing(campaign=campaign, total=progress.total, user=user, area=focus),
        "laggards": laggards,
        "laggards_shown": LAGGARDS_SHOWN,
        # Where the task list is shown, its filter finds these.
        "unassigned": []
        if tasks_shown
        else selectors.campaign_unassigned(campaign=campaign, user=user, area=focus)[
            :UNASSIGNED_SHOWN
        ],
        "can_export": can_organise(user),
        "filters": filters,
        "tasks_shown": tasks_shown,
    }
    if tasks_shown:
        tasks = selectors.campaign_task_list(
            campaign=campaign,
            user=user,
            area=focus,
            status=wanted.get("status", ""),
            unassigned=bool(wanted.get("unassigned")),
        )
        context["task_page"] = page_of(request, tasks, size=LONG_PAGE_SIZE)
    return context


@require_GET
@login_required
def campaign_target_template(request: HttpRequest) -> HttpResponse:
    grid = areas_visible_to(request.user).filter(level=AreaLevel.GRID).order_by("code").first()
    address = _("Group 1, No. 12")  # outside the f-string, where makemessages finds it
    example = f"张小明,{grid.code if grid else '430521101001001'},{address}"
    response = HttpResponse(
        "\ufeff" + TEMPLATE_HEADER + "\r\n" + example + "\r\n", content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="campaign-targets.csv"'
    return response


@require_POST
@login_required
def campaign_targets(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    _require_manager(request, campaign)
    form = TargetUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = campaigns.targets_read(upload, upload.name)
            count = campaigns.campaign_targets_set(campaign=campaign, actor=request.user, rows=rows)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)s target uploaded.", "%(count)s targets uploaded.", count)
                % {"count": count},
            )
            return redirect("campaign_detail", pk=campaign.pk)
    return _detail(request, campaign, form, status=400)


@require_POST
@login_required
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    _require_manager(request, campaign)
    try:
        result = campaigns.campaign_launch(campaign=campaign, actor=request.user)
    except ValidationError as error:
        return _refused(request, campaign, error)
    text = ngettext(
        "Launched: %(count)s task assigned.", "Launched: %(count)s tasks assigned.", result.tasks
    ) % {"count": result.tasks}
    if result.unassigned:
        text += " " + ngettext(
            "%(count)s lies in a grid without a grid worker: its village covers it.",
            "%(count)s lie in grids without a grid worker: their villages cover them.",
            result.unassigned,
        ) % {"count": result.unassigned}
    messages.success(request, text)
    return redirect("campaign_detail", pk=campaign.pk)


@require_POST
@login_required
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    _require_manager(request, campaign)
    try:
        told = campaigns.campaign_remind(campaign=campaign, actor=request.user)
    except ValidationError as error:
        return _refused(request, campaign, error)
    messages.success(
        request,
        ngettext("%(count)s person reminded.", "%(count)s people reminded.", told)
        % {"count": told},
    )
    return redirect("campaign_detail", pk=campaign.pk)


@require_POST
@login_required
def campaign_end(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    _require_manager(request, campaign)
    cancel = request.POST.get("cancel") == "1"
    try:
        campaigns.campaign_end(campaign=campaign, actor=request.user, cancel=cancel)
    except ValidationError as error:
        return _refused(request, campaign, error)
    messages.success(request, _("Campaign cancelled.") if cancel else _("Campaign finished."))
    return redirect("campaign_detail", pk=campaign.pk)


def _refused(request: HttpRequest, campaign: Campaign, error: ValidationError) -> HttpResponse:
    """A button the campaign's state refuses: the page again, with why, as a 400."""
    upload = TargetUploadForm()
    for problems in error_dict(error).values():
        for problem in problems:
            messages.error(request, problem)
    return _detail(request, campaign, upload, status=400)


@require_GET
@login_required
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    if not can_organise(request.user):
        raise PermissionDenied(_("The results are exported by the centres."))
    total = selectors.campaign_results(campaign=campaign, user=request.user).count()
    return export_answer(request, kind="campaign", total=total, pk=campaign.pk)


# --- The participants' pages -------------------------------------------------------------


@never_cache
@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    pending = selectors.my_tasks(user=request.user, status=TaskStatus.PENDING)
    page = page_of(request, pending, size=LONG_PAGE_SIZE)
    # One section per campaign, soonest deadline first (the selector's order).
    groups: dict[int, list[CampaignTask]] = {}
    for task in page.object_list:
        groups.setdefault(task.campaign_id, []).append(task)
    done = selectors.my_tasks(user=request.user, status=TaskStatus.DONE).order_by("-done_at")
    return render(
        request,
        "campaigns/my_tasks.html",
        {
            "page": page,
            "groups": [(tasks[0].campaign, tasks) for tasks in groups.values()],
            "done": done[:DONE_SHOWN],
            "now": timezone.now(),
            # A task's deadline turns amber when the reminder before it goes out.
            "remind_hours": campaigns.REMIND_BEFORE.total_seconds() / 3600,
        },
    )


@never_cache
@login_required
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_for(user=request.user, pk=pk)
    if task is None:
        raise Http404
    if not can_complete_task(request.user, task):
        raise PermissionDenied(_("This task is not yours to complete."))
    form = TaskForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result = campaigns.task_complete(task=task, actor=request.user, data=form.task_input())
        except ValidationError as error:
            form.add_service_errors(error_dict(error))
        else:
            messages.success(request, _("Recorded.") if result.created else _("Already recorded."))
            if result.task.case_id:
                messages.info(
                    request, _("Case No. %(number)s filed.") % {"number": result.task.case_id}
                )
            return redirect("my_tasks")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "campaigns/task_form.html",
        {
            "form": form,
            "task": task,
            "campaign": task.campaign,
            "running": task.campaign.status == CampaignStatus.RUNNING,
            "per_participant": task.campaign.target_mode == TargetMode.EACH_PARTICIPANT,
            "now": timezone.now(),
        },
        status=status,
    )


@never_cache
@login_required
def task_photo(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_for(user=request.user, pk=pk)
    if task is None or not task.photo:
        raise Http404
    return protected_file(task.photo, content_type=photo_content_type)
