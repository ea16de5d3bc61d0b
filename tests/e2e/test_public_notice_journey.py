"""The public notice of 张村镇 in a browser, without logging in (issue 11): masked names and
amounts, no ID number; an objection filed online gets an answer the objector reads by the
reference."""

from __future__ import annotations

import re

import pytest

from applicants.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_zhangcun_notice_masked_and_an_online_objection_answered_by_reference(page, shot, accounts):
    from applicants.models import Person
    from eligibility import demo
    from integrity.models import Objection, PublicNotice
    from tests.integrity.helpers import case_at

    demo.seed()
    ctx = case_at("public_notice", accounts)
    notice = PublicNotice.objects.get(application=ctx["app"])
    applicant = ctx["members"][0]

    page.goto("/notices/")
    page.select_option("select[name=region]", "371002001")  # 张村镇
    page.click("form[role=search] button[type=submit]")
    table = page.locator("#notices")
    row = table.locator("tr", has_text=notice.reference)
    assert row.locator(".masked-name").inner_text() == "王*英"
    assert str(notice.monthly_amount) in row.inner_text()
    html = page.content()
    assert applicant.name not in html
    assert not re.search(r"\d{17}[\dX]", html)
    for person in Person.objects.all():
        assert person.id_number not in html
    shot(page, "notices")

    row.get_by_role("link", name="提出异议").click()
    page.fill("#text", "该户家中有货车跑运输，收入未申报。")
    page.click("button[type=submit].primary")
    reference = page.locator("#reference").inner_text()
    objection = Objection.objects.get(reference=reference)
    assert objection.notice == notice and objection.recorded_by is None
    shot(page, "filed")

    # the township answers in writing from its objection list
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "caseworker")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.goto("/oversight/objections/")
    page.fill(f"#answer-{objection.pk}", "经重新入户调查，货车已于去年转让，公示内容属实。")
    page.get_by_role("button", name="书面答复").click()
    page.context.clear_cookies()

    # the objector, not logged in, reads it by the reference
    page.goto("/answers/")
    page.fill("input[name=reference]", reference)
    page.click("form[role=search] button[type=submit]")
    answer = page.locator("#answer")
    assert "经重新入户调查，货车已于去年转让" in answer.inner_text()
    assert "已答复" in answer.inner_text()
    shot(page, "answer")
