"""Every workbook the system gives out is a ledger a county can file: a title, the period and
the area, when and by whom it was exported, 序号, a frozen and filtered header repeated on
every printed page (A4 landscape, fitted to the width), real dates, 是/否, and a Chinese file
name. A long export is written in the background, with its progress, for its requester only."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from disputes.models import Case
from exports import registry
from exports.models import ExportJob, ExportStatus
from exports.tasks import export_write
from personnel.models import PostKind
from tests.factories import launched_campaign, register, report
from tests.ledgers import header, header_index, records
from tests.samples import QUARTER, YEAR, id_number


def opened(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content))


def assert_ledger(sheet, *, exporter: str) -> None:
    rows = list(sheet.iter_rows(values_only=True))
    head = header_index(rows) + 1  # 1-based
    assert rows[0][0] and "A1:" in str(sheet.merged_cells)  # the title, across the table
    assert any(exporter in str(row[0]) for row in rows[1:head])  # who exported it
    assert rows[head - 1][0] == "序号"
    assert sheet.freeze_panes == f"A{head + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{head}:")
    assert sheet.print_title_rows == f"${head}:${head}"
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth) == ("landscape", 9, 1)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    numbers = [row[0] for row in rows[head:] if isinstance(row[0], int)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(sheet.column_dimensions[letter].width for letter in "AB")


def assert_chinese_name(response, words: str) -> None:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.isascii()
    assert f"filename*=UTF-8''{quote(words)}" in disposition, disposition


def test_an_exported_case_list_is_a_ledger_a_county_files(client, demo):
    case = report(demo, title="村口排水沟堵塞").case
    Case.objects.filter(pk=case.pk).update(supervised=True)
    client.force_login(demo.user("township1"))
    response = client.get(reverse("case_export"))
    workbook = opened(response)
    sheet = workbook.active
    assert_ledger(sheet, exporter=str(demo.user("township1")))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{demo.township1.name}事件台账"
    assert f"区域：{demo.township1.name}" in rows[1][0] and "统计期间" in rows[1][0]
    assert "导出时间" in rows[2][0] and "导出人" in rows[2][0]
    columns = header(sheet)
    (record,) = records(sheet)
    assert record[columns.index("标题")] == "村口排水沟堵塞"
    # Times are Excel dates in the site's time zone, shown to the minute.
    reported = sheet.cell(row=header_index(rows) + 2, column=columns.index("上报时间") + 2)
    assert reported.is_date and reported.number_format == "yyyy-mm-dd hh:mm"
    local = timezone.localtime(case.created_at).replace(tzinfo=None, microsecond=0)
    assert reported.value == local
    assert record[columns.index("督办")] == "是" and record[columns.index("超期")] == "否"
    today = timezone.localdate()
    assert_chinese_name(
        response, f"事件台账_{demo.township1.name}_{today.year}年{today.month}月{today.day}日.xlsx"
    )


def test_a_month_of_cases_is_named_after_the_month(client, demo):
    report(demo)
    client.force_login(demo.user("township1"))
    query = {
        "area": demo.township1.pk,
        "created_after": "2026-11-01",
        "created_before": "2026-11-30",
    }
    response = client.get(reverse("case_export"), query)
    assert_chinese_name(response, f"事件台账_{demo.township1.name}_2026年11月.xlsx")
    assert "2026-11-01 — 2026-11-30" in opened(response).active["A2"].value


# Every export endpoint, as the one who may use it calls it.
EXPORTS = {
    "cases": ("township1", lambda demo: (reverse("case_export"), {})),
    "roster": ("township1", lambda demo: (reverse("staff_export"), {})),
    "coverage": (
        "township1",
        lambda demo: (reverse("staff_coverage_export"), {"post": PostKind.GRID_WORKER}),
    ),
    "campaign": (
        "township1",
        lambda demo: (reverse("campaign_export", args=[launched_campaign(demo).pk]), {}),
    ),
    "residents": ("township1", lambda demo: (reverse("resident_export"), "post")),
    "access log": ("county", lambda demo: (reverse("access_log_export"), {})),
    "audit log": ("county", lambda demo: (reverse("audit_log_export"), {})),
    "pay sheet": (
        "township1",
        lambda demo: (
            reverse("pay_sheet_export"),
            {"township": demo.township1.pk, "year": YEAR, "quarter": QUARTER},
        ),
    ),
    "bulletin": ("county", None),
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_is_a_ledger_with_a_chinese_name(client, demo, request, name):
    needs = {"campaign": "roster", "pay sheet": "quarter_evaluated", "bulletin": "snapshot"}
    made = request.getfixturevalue(needs[name]) if name in needs else None
    report(demo)
    register(demo, id_number=id_number(961))
    username, url_of = EXPORTS[name]
    client.force_login(demo.user(username))
    if url_of is None:
        response = client.get(reverse("ranking_bulletin_xlsx", args=[made.pk]))
    else:
        url, query = url_of(demo)
        if query == "post":
            response = client.post(url, {"reason": "季度排查核对"})
        else:
            response = client.get(url, query)
    workbook = opened(response)
    for sheet in workbook.worksheets:
        assert_ledger(sheet, exporter=str(demo.user(username)))
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''%E" in disposition and disposition.isascii(), disposition
    assert not any(
        value is False or value is True or value == "None"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )


# --- Long exports, in the background ---------------------------------------------------


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr("exports.services.BACKGROUND_FROM", 1)


def test_a_long_export_is_written_in_the_background_for_its_requester_only(
    client, demo, small_threshold, django_capture_on_commit_callbacks
):
    for title in ("一号纠纷", "二号纠纷", "三号纠纷"):
        report(demo, title=title)
    client.force_login(demo.user("township1"))
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(reverse("case_export"), {"search": "纠纷"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "export_job", args=[job.pk]
    )
    assert len(queued) == 1  # the task, sent once the job is saved
    assert (job.status, job.total, job.params["query"]) == (
        ExportStatus.QUEUED,
        3,
        "search=%E7%BA%A0%E7%BA%B7",
    )
    page = client.get(reverse("export_job", args=[job.pk]))
    assert page.status_code == 200 and 'id="export-bar"' in page.content.decode()
    assert 'src="/static/js/exports.js"' in page.content.decode()
    assert client.get(reverse("export_job_state", args=[job.pk])).json()["status"] == "queued"

    export_write.apply(args=[job.pk])  # what a worker does
    state = client.get(reverse("export_job_state", args=[job.pk])).json()
    assert (state["status"], state["done"], state["total"], state["percent"]) == ("done", 3, 3, 100)
    assert state["download"] == reverse("export_download", args=[job.pk])
    assert export_write.apply(args=[job.pk]).get() == "skipped"  # a redelivery writes nothing

    download = client.get(state["download"])
    workbook = load_workbook(BytesIO(b"".join(download.streaming_content)))
    assert sorted(row[1] for row in records(workbook.active)) == [
        "一号纠纷",
        "三号纠纷",
        "二号纠纷",
    ]
    assert "private" in download["Cache-Control"] or "no-cache" in download["Cache-Control"]
    today = timezone.localdate()
    assert_chinese_name(
        download, f"事件台账_{demo.township1.name}_{today.year}年{today.month}月{today.day}日.xlsx"
    )

    # Anyone else, even of the same township and role, finds nothing.
    for other in ("county", "centre", "grid1"):
        client.force_login(demo.user(other))
        for route in ("export_job", "export_job_state", "export_download"):
            assert client.get(reverse(route, args=[job.pk])).status_code == 404, (other, route)
        assert client.post(reverse("export_job_retry", args=[job.pk])).status_code == 404


def test_a_failed_export_says_so_and_is_written_again_on_retry(
    client, demo, small_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    report(demo)
    report(demo, title="另一件")
    client.force_login(demo.user("township1"))
    client.get(reverse("case_export"))
    job = ExportJob.objects.get()
    working = registry.BUILDERS["cases"]

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setitem(registry.BUILDERS, "cases", registry.Registered(broken, working.title))
    export_write.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "表格生成失败" in page and 'id="export-retry"' in page

    monkeypatch.setitem(registry.BUILDERS, "cases", working)
    with django_capture_on_commit_callbacks() as queued:
        retried = client.post(reverse("export_job_retry", args=[job.pk]))
    assert retried.status_code == 302 and len(queued) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED and job.params["query"] == ""  # nothing lost
    export_write.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.done, job.attempts) == (ExportStatus.DONE, 2, 2)
    # A job that is done is not started again.
    assert client.post(reverse("export_job_retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE


def test_a_short_export_answers_at_once(client, demo):
    report(demo)
    client.force_login(demo.user("township1"))
    assert client.get(reverse("case_export")).status_code == 200
    assert not ExportJob.objects.exists()
