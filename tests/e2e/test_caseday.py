"""A caseworker's day without Excel and a printer (issue 13), in Chromium, role by role."""

import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from applicants.demo import DEMO_PASSWORD
from tests.weijiuni.test_chinese_day import _english_words

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(accounts):
    """Demo catalog and households; three submitted cases in 张村镇 and one whose notice ended,
    made by the demo's own code path (the services a caseworker uses)."""
    from applicants.demo import seed_households
    from applicants.models import Application, Region
    from eligibility import demo as eligibility_demo
    from eligibility.demo_cases import _advance, _staff
    from tests.factories import HouseholdFactory, PersonFactory

    eligibility_demo.seed()
    seed_households(count=40)
    staff = _staff()
    village = Region.objects.get(code="371002001003")
    homes = []
    for name in ("刘建国", "陈秀兰", "杨志强", "赵桂英"):
        household = HouseholdFactory(village=village)
        PersonFactory(household=household, name=name, monthly_income="200.00")
        homes.append(household)
    for household in homes[:3]:
        _advance(household, "submitted", staff)
    _advance(homes[3], "notice_ended", staff)
    submitted = list(Application.objects.filter(state="submitted").order_by("id"))
    ended = Application.objects.get(state="public_notice")
    return submitted, ended


def login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def _inbox_ids(page) -> list[int]:
    return [
        int(v) for v in page.locator("input[name=ids]").evaluate_all("e => e.map(x => x.value)")
    ]


def test_caseworker_searches_accepts_in_bulk_prints_and_exports(page, shot, day):
    submitted, _ended = day
    login(page, "caseworker")
    assert page.url.endswith("/cases/")  # lands on the inbox

    # search by the last 4 digits of an ID number
    target = submitted[0]
    tail = target.household.members.get(relation="applicant").id_number[-4:]
    page.fill("input[name=q]", tail)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert target.pk in _inbox_ids(page)
    shot(page, "1-search-by-id-tail")

    # submitted, not yet accepted: each shows its acceptance deadline and the days left
    page.goto("/cases/?state=submitted")
    for app in submitted:
        row = page.locator("table.inbox tr", has=page.locator(f"input[value='{app.pk}']"))
        cells = row.locator("td").all_inner_texts()
        assert re.search(r"\d{4}-\d{2}-\d{2}\s*受理", cells[6]), cells
        assert "天" in cells[7], cells

    # accept two cases in bulk
    for app in submitted[:2]:
        page.check(f"input[name=ids][value='{app.pk}']")
    page.click("button[name=action][value=accept]")
    page.wait_for_load_state()
    assert "已办理 2 件" in page.inner_text(".messages")
    from applicants.models import Application

    assert {Application.objects.get(pk=a.pk).state for a in submitted[:2]} == {"accepted"}
    shot(page, "2-bulk-accepted")

    # print the 受理通知书, then download its PDF: Chinese text is extractable
    page.goto(f"/cases/{submitted[0].pk}/")
    page.click("a[data-letter=acceptance]")
    page.wait_for_load_state()
    assert "受理通知书" in page.inner_text("article.letter")
    page.emulate_media(media="print")
    assert page.locator("header.topbar").is_hidden()  # the red bar is not printed
    shot(page, "3-acceptance-print")
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.click("#letter-pdf")
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages).replace(
        "\n", ""
    )
    assert "受理通知书" in text and "张村镇" in text

    # export the inbox: the workbook opens and has the page's rows
    page.goto("/cases/")
    on_page = _inbox_ids(page)
    with page.expect_download() as download:
        page.click("#export-cases")
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == on_page
    names = page.locator("table.inbox tbody tr td:nth-child(3)").all_inner_texts()
    assert [r[1] for r in rows[1:]] == [n.split("\n")[0].strip() for n in names]


def test_approver_decides_a_case_whose_notice_ended_and_downloads_the_decision(page, shot, day):
    _submitted, ended = day
    login(page, "approver")
    assert page.url.endswith("/cases/")
    assert "待我审批" in page.inner_text("h1")
    assert "公示已结束" in page.inner_text("table.inbox")
    page.click(f"a[href='/cases/{ended.pk}/']")
    page.fill("textarea[name=reasons]", "经调查核实、公示无异议，符合条件，予以批准")
    page.click("button[name=action][value=approve]")
    page.wait_for_load_state()
    assert page.locator(".messages .error").count() == 0, page.inner_text(".messages")
    shot(page, "approver-decided")
    page.click("a[data-letter=decision]")
    page.wait_for_load_state()
    body = page.inner_text("article.letter")
    assert "决定书" in body and "行政复议" in body
    with page.expect_download() as download:
        page.click("#letter-pdf")
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages).replace(
        "\n", ""
    )
    assert "决定书" in text and "60日内" in text


def test_citizen_on_a_phone_applies_with_a_prefilled_form_and_a_text_keypad(
    browser, live_server, shot, accounts
):
    from applicants.demo import seed_households
    from applicants.models import User
    from eligibility import demo

    demo.seed()
    seed_households(count=40)
    person = User.objects.get(username="citizen").person
    context = browser.new_context(
        locale="zh-CN",
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
    )
    phone = context.new_page()
    phone.set_default_timeout(15000)
    login(phone, "citizen")
    phone.goto("/apply/")
    assert phone.input_value("#m0-name") == person.name  # pre-filled, nothing to retype
    assert phone.get_attribute("#m0-name", "inputmode") == "text"
    assert phone.get_attribute("#m0-id_number", "inputmode") == "text"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    header = phone.locator("header.topbar").bounding_box()
    assert header["height"] < 740 / 4  # a compact header
    for i in range(person.household.members.count()):
        phone.check(f"input[name=m{i}-signed]")
    phone.click("button[name=action][value=submit]")
    phone.wait_for_url("**/applications/*/")
    assert "已提交" in phone.inner_text("h1")
    shot(phone, "citizen-phone-submitted")
    context.close()


def test_no_english_on_404_or_in_the_admin(page, accounts):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    login(page, "caseworker")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("body") and "Not Found" not in page.inner_text("body")
    login(page, "admin")
    page.goto("/admin/")
    captions = page.locator("#content-main caption").all_inner_texts()
    assert captions
    assert not [c for c in captions if any("a" <= ch.lower() <= "z" for ch in c)], captions
    # what an administrator reads, down to the audit packages' pages: no English word
    device = TOTPDevice.objects.create(user=accounts["admin"], name="手机", confirmed=False)
    english = {}
    for url in [
        "/admin/",
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        "/admin/axes/accessattempt/",
        "/admin/auth/group/add/",
        "/admin/payments/batch/",
        "/admin/applicants/household/add/",
    ]:
        page.goto(url)
        if words := _english_words(page.content()):
            english[url] = sorted(words)
    assert not english, english
