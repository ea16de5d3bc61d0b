"""The caseworker reads the verification report on the case page — a concealed deposit, a
source that did not answer, the proposal turned to "not eligible" — and confirms the figures,
a correction only with its reason (issue 10)."""

import pytest

from applicants.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case_with_report(accounts, settings, tmp_path):
    from eligibility import demo as eligibility_demo
    from eligibility.verification import demo, services
    from eligibility.verification.models import SourceQuery, VerificationRequest
    from tests.eligibility.verification_helpers import APPLICANT, case_waiting_for_verification
    from weijiuni.celery import app

    settings.VERIFICATION_EXCHANGE_DIR = tmp_path / "exchange"
    eligibility_demo.seed()
    demo.seed_sources()
    application = case_waiting_for_verification(accounts["caseworker"])
    request = VerificationRequest.objects.create(
        household=application.household,
        application=application,
        purpose="application",
        persons=list(application.household.members.values_list("id_number", flat=True)),
        requested_by=accounts["caseworker"],
    )
    for code in ("bank-03", "bank-30", "hrss"):
        SourceQuery.objects.create(request=request, source_id=_source(code))
    app.conf.task_always_eager = True  # the report is built here, not by a worker
    try:
        for query in request.queries.select_related("source"):
            if query.source.code == "bank-30":
                services.query_give_up(query_id=query.pk, error="HTTP 503")
            elif query.source.code == "bank-03":
                row = {"id_number": APPLICANT, "item": "deposit_time", "value": "150000.00"}
                services.answer_record(query=query, rows=[(2, row, "")])
            else:
                services.answer_record(query=query, rows=[])
    finally:
        app.conf.task_always_eager = False
    request.refresh_from_db()
    assert request.status == "done"
    return application


def _source(code):
    from eligibility.verification.models import DataSource

    return DataSource.objects.get(code=code).pk


def test_caseworker_reads_the_report_and_confirms_with_a_reason(page, shot, case_with_report):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "caseworker")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.goto(f"/cases/{case_with_report.pk}/")
    report = page.locator("#verification-report")
    assert "150000.00" in report.inner_text()
    assert "威海蓝海村镇银行" in report.inner_text()  # did not answer: listed, not "nothing"
    assert page.locator("tr.discrepancy").count() >= 1
    assert "金融资产" in page.inner_text("body") and "不符合" in page.inner_text("body")
    shot(page, "1-report")

    assert page.input_value("input[name=value_financial]") == "150000.00"
    page.fill("input[name=value_financial]", "1000.00")
    page.fill("textarea[name=summary]", "核对发现定期存款")
    page.click("button[name=action][value=verification]")
    page.wait_for_load_state()
    assert "请填写更正理由" in page.inner_text("#error-summary")  # the summary names the field

    page.fill("input[name=value_financial]", "1000.00")
    page.fill("input[name=reason_financial]", "存单为代亲属保管，已提供证明")
    page.fill("textarea[name=summary]", "核对发现定期存款，系代管")
    page.click("button[name=action][value=verification]")
    page.wait_for_load_state()
    assert "核对结果已确认" in page.locator(".messages").inner_text()
    assert "存单为代亲属保管" in page.inner_text("body")
    shot(page, "2-confirmed")
