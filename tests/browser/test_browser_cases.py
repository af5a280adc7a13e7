"""The closed loop in a real headless Chromium: a grid worker reports from a phone, the
township centre accepts and assigns on both lines, the handlers record and resolve, the
centre closes and evaluates, and the timeline shows every step. Each hand-over leaves a
notice in its recipient's inbox, and the recipient's to-do holds the case until they act."""

import re
import struct
import zlib

import pytest

from disputes.models import Case, CaseStatus
from tests.browser.helpers import DESKTOP, PHONE, as_user, shoot

pytestmark = pytest.mark.browser


def tiny_png(path, width=64, height=48):
    """A real PNG (a green square), written without an imaging library."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x2e\x8b\x57" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def act(page, action, fill=None):
    form = page.locator(f"details[data-action={action}]")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for selector, value in (fill or {}).items():
        field = form.locator(selector)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        elif field.get_attribute("type") in ("checkbox", "radio"):
            field.check()
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator(".messages li").count() == 1, page.locator("main").inner_text()[:500]


def told(page, base_url, case, kind):
    """The recipient's inbox holds a notice of `kind` that opens the case."""
    page.goto(f"{base_url}/inbox/")
    notice = page.locator(f"ul.notifications li:has(.kind-{kind}) a[href='/cases/{case.pk}/']")
    return notice.count() == 1


def on_todo(page, base_url, case, section):
    """The recipient's to-do (the home page) lists the case under `section`."""
    page.goto(f"{base_url}/")
    return page.locator(f"section[data-section={section}] a[data-item='{case.pk}']").count() == 1


def test_the_whole_loop_in_the_browser(browser, live_server, live_demo, tmp_path):
    demo = live_demo
    # 1. The grid worker reports from the phone: few fields, a photo from the camera.
    phone = as_user(browser, live_server, "grid1", PHONE)
    phone.goto(f"{live_server.url}/cases/new/")
    assert phone.locator("h1").inner_text() == "上报事件"
    phone.locator("label.chip:has(input[value=dispute])").click()
    phone.select_option("#id_category", "neighbour")
    assert phone.locator("#id_grid").input_value() == str(demo.grid1.pk)
    phone.fill("#id_title", "两户因排水沟堵塞发生争执")
    phone.fill("#id_description", "村民甲与村民乙因排水沟堵塞争吵，双方情绪激动。")
    phone.set_input_files("#id_photos", str(tiny_png(tmp_path / "scene.png")))
    phone.locator("details summary").click()
    phone.fill("#id_party1_name", "李建国")
    phone.fill("#id_party1_phone", "13912345678")
    shoot(phone, "case-report-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("main button[type=submit]")
    phone.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case = Case.objects.get()
    assert case.reporter == demo.user("grid1") and case.attachments.count() == 1
    thumbnail = phone.locator("ul.attachments img")
    thumbnail.scroll_into_view_if_needed()
    phone.wait_for_function("() => document.querySelector('ul.attachments img').complete")
    assert thumbnail.evaluate("img => img.naturalWidth") == 64  # served back, and a real image
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "case-reported-phone")

    # The report reaches the centre of its level, the village's: told, and on its to-do.
    village = as_user(browser, live_server, "village1", PHONE)
    url = live_server.url
    assert told(village, url, case, "new_report") and on_todo(village, url, case, "triage")

    # 2. The township centre finds it in the triage queue, accepts, assigns both lines.
    centre = as_user(browser, live_server, "township1", DESKTOP)
    assert on_todo(centre, url, case, "triage")
    centre.goto(f"{live_server.url}/cases/?status=reported")
    shoot(centre, "case-triage-queue")
    centre.click(f"table.cases a[href='/cases/{case.pk}/']")
    act(centre, "accept", {"#accept-severity": "attention"})
    # Accepted: out of 待研判 everywhere, into the centre's 待交办.
    assert not on_todo(village, url, case, "triage")
    assert not on_todo(centre, url, case, "triage") and on_todo(centre, url, case, "assign")
    centre.goto(f"{live_server.url}/cases/{case.pk}/")
    act(
        centre,
        "assign",
        {
            "input[name=lines][value=police]": True,
            "#unit-political_legal": "村治保主任",
            "#handler-political_legal": str(demo.user("village1").pk),
            "#unit-police": "辖区派出所",
            "#handler-police": str(demo.user("police1").pk),
        },
    )

    assert not on_todo(centre, url, case, "assign")
    # Both handlers are told, and each has the case among their own.
    police = as_user(browser, live_server, "police1", PHONE)
    assert told(police, url, case, "assigned") and on_todo(police, url, case, "my_cases")
    assert told(village, url, case, "assigned") and on_todo(village, url, case, "my_cases")

    # 3. The village security director records a mediation and resolves their line.
    handler = village
    handler.goto(f"{live_server.url}/cases/mine/")
    handler.click(f"ul.case-cards a[href='/cases/{case.pk}/']")
    act(handler, "record", {"#record-kind": "mediation", "#record-note": "组织双方现场调解。"})
    act(handler, "resolve", {"#resolve-line": "political_legal"})
    assert not on_todo(handler, url, case, "my_cases")  # their line is done
    # One line of two resolved: nobody is told yet, and the police line is still open.
    assert not told(centre, url, case, "lines_done") and on_todo(police, url, case, "my_cases")
    # 4. The village police officer resolves the police line.
    police.goto(f"{live_server.url}/cases/{case.pk}/")
    act(police, "resolve", {"#resolve-line": "police"})
    assert not on_todo(police, url, case, "my_cases")
    # Every line handled: back to the one who assigned them, to close.
    assert told(centre, url, case, "lines_done") and on_todo(centre, url, case, "to_close")
    assert not told(police, url, case, "lines_done")  # nobody is told of their own step

    # 5. The centre reviews and closes, then records the evaluation.
    centre.goto(f"{live_server.url}/cases/{case.pk}/")
    act(centre, "close", {"#close-note": "经回访，双方已履行协议。"})
    act(centre, "evaluate", {"input[name=satisfaction][value='5']": True, "#evaluate-note": "好"})
    case.refresh_from_db()
    assert case.status == CaseStatus.EVALUATED and case.satisfaction == 5
    assert not on_todo(centre, url, case, "to_close")
    # Closed: the grid worker who reported it hears that it was handled.
    assert told(phone, url, case, "closed")
    centre.goto(f"{live_server.url}/cases/{case.pk}/")
    steps = centre.locator("ol.timeline > li")
    assert steps.count() == 8
    classes = [steps.nth(i).get_attribute("class") for i in range(8)]
    loop = ["report", "accept", "assign", "record", "resolve", "resolve", "close", "evaluate"]
    assert classes == [f"event-{action}" for action in loop]
    assert "组织双方现场调解" in centre.locator("ol.timeline").inner_text()
    shoot(centre, "case-detail-timeline")
