"""A case's documents (文书, issue 13): from recorded facts, A4 page and PDF, audited, scoped."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from applicants import applications as intake
from eligibility.services import cases as workflow
from integrity.models import AccessLog
from tests.eligibility.test_inbox_day import people  # noqa: F401 - fixture used by name
from tests.eligibility.test_workflow import after_notice, draft_data, filed, to_notice
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    pages = PdfReader(io.BytesIO(response.content)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "")


@pytest.fixture
def accepted(people, catalog):  # noqa: F811
    app = filed(people)
    intake.application_accept(application=app, by=people["caseworker"])
    return app


def test_acceptance_notice_page_and_pdf_carry_township_number_and_date(client, people, accepted):  # noqa: F811
    client.force_login(people["caseworker"])
    page = client.get(f"/cases/{accepted.pk}/letters/acceptance/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "受理通知书" in html and "张村镇人民政府" in html and f"{accepted.pk:06d}号" in html
    assert "李春梅" in html
    pdf = client.get(f"/cases/{accepted.pk}/letters/acceptance.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = _text(pdf)
    assert "受理通知书" in text and "李春梅" in text and "张村镇" in text
    logged = AccessLog.objects.filter(object_id=accepted.pk, fields="letter:acceptance")
    assert set(logged.values_list("channel", flat=True)) == {"print", "pdf"}


def test_letter_outside_scope_or_before_its_step_is_404(client, people, accepted):  # noqa: F811
    client.force_login(people["other_caseworker"])
    assert client.get(f"/cases/{accepted.pk}/letters/acceptance.pdf").status_code == 404
    client.force_login(people["caseworker"])
    assert client.get(f"/cases/{accepted.pk}/letters/decision.pdf").status_code == 404
    assert client.get(f"/cases/{accepted.pk}/letters/nonsense/").status_code == 404
    assert client.get("/cases/99999999/letters/acceptance/").status_code == 404


def test_correction_notice_lists_every_missing_item(client, people, catalog):  # noqa: F811
    app = filed(people)
    intake.application_return(
        application=app, by=people["caseworker"], missing_items=["户口簿复印件", "医疗费用票据"]
    )
    client.force_login(people["caseworker"])
    text = _text(client.get(f"/cases/{app.pk}/letters/correction.pdf"))
    assert "补正告知书" in text and "户口簿复印件" in text and "医疗费用票据" in text


def test_decision_letter_states_reasons_and_appeal_rights(client, people, catalog):  # noqa: F811
    app = to_notice(people, filed(people))
    after_notice(app)
    workflow.application_reject(application=app, by=people["approver"], reasons="家庭收入超过标准")
    client.force_login(people["approver"])
    text = _text(client.get(f"/cases/{app.pk}/letters/decision.pdf"))
    assert "不予批准告知书" in text and "家庭收入超过标准" in text
    assert "60日内" in text and "行政复议" in text and "6个月内" in text and "行政诉讼" in text
    assert "环翠区民政局" in text


def test_approval_letter_shows_the_amount(client, people, catalog):  # noqa: F811
    app = to_notice(people, filed(people))
    after_notice(app)
    workflow.application_approve(application=app, by=people["approver"], reasons="符合条件")
    client.force_login(people["approver"])
    html = client.get(f"/cases/{app.pk}/letters/decision/").content.decode()
    assert "决定书" in html and "每月" in html and "行政复议" in html
    notice = client.get(f"/cases/{app.pk}/letters/notice/").content.decode()
    assert "公示表" in notice and "李*梅" in notice and "李春梅" not in notice


def test_survey_error_keeps_every_value_typed(client, people, accepted):  # noqa: F811
    workflow.application_verify(application=accepted, by=people["caseworker"])
    client.force_login(people["caseworker"])
    page = client.post(
        f"/cases/{accepted.pk}/",
        {
            "action": "survey",
            "visited_on": "2026-11-20",
            "staff1": "王强",
            "staff2": "",
            "findings": "家中无劳动收入，房屋破旧",
            "signed": "on",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="王强"' in html and "家中无劳动收入，房屋破旧</textarea>" in html
    assert 'id="signed" name="signed" checked' in html
    assert 'class="error-summary"' in html


def test_decision_form_is_not_offered_during_the_notice(client, people, catalog):  # noqa: F811
    app = to_notice(people, filed(people))
    client.force_login(people["approver"])
    html = client.get(f"/cases/{app.pk}/").content.decode()
    assert 'value="approve"' not in html and "结束后方可作出决定" in html
    after_notice(app)
    assert 'value="approve"' in client.get(f"/cases/{app.pk}/").content.decode()


def test_online_signatures_show_as_signed_at_acceptance(client, people, catalog):  # noqa: F811
    app = filed(people)
    client.force_login(people["caseworker"])
    html = client.get(f"/cases/{app.pk}/").content.decode()
    assert "已签署" in html and 'name="signers"' in html and " checked>" in html


def test_termination_is_a_service_with_reasons_and_its_letter(client, people, accepted):  # noqa: F811
    from applicants.errors import DomainError

    with pytest.raises(DomainError):
        intake.application_terminate(application=accepted, by=people["caseworker"], reasons=" ")
    client.force_login(people["caseworker"])
    page = client.post(
        f"/cases/{accepted.pk}/",
        {"action": "terminate", "reasons": "拒绝配合入户调查"},
        follow=True,
    )
    assert "已终止" in page.content.decode()
    text = _text(client.get(f"/cases/{accepted.pk}/letters/exit.pdf"))
    assert "终止/渐退告知书" in text and "拒绝配合入户调查" in text and "行政复议" in text


def test_survey_form_prints_blank_before_the_visit_and_filled_after(client, people, accepted):  # noqa: F811
    client.force_login(people["caseworker"])
    blank = client.get(f"/cases/{accepted.pk}/letters/survey/").content.decode()
    assert "入户调查表" in blank and "李春梅" in blank and "调查人员（签字）" in blank
    workflow.application_verify(application=accepted, by=people["caseworker"])
    workflow.verification_record(application=accepted, by=people["caseworker"], summary="无异常")
    from django.utils import timezone

    workflow.application_survey(
        application=accepted,
        by=people["caseworker"],
        visited_on=timezone.localdate(),
        staff=["王强", "赵敏"],
        findings="居住条件差",
        signed=True,
    )
    filled = client.get(f"/cases/{accepted.pk}/letters/survey/").content.decode()
    assert "居住条件差" in filled and "王强、赵敏" in filled


def test_supervisor_letter_is_masked(client, people, accepted, accounts):  # noqa: F811
    client.force_login(accounts["supervisor"])
    html = client.get(f"/cases/{accepted.pk}/letters/acceptance/").content.decode()
    assert "李*梅" in html and "李春梅" not in html


def test_supervisor_reads_every_letter_masked(client, people, catalog, accounts):  # noqa: F811
    """The supervisor reads masked data (SPEC §1): no name, ID, village, assets, health fact,
    nor anything staff wrote (findings, reasons, the papers asked for) in any letter."""
    other = draft_data()
    other["members"][0].update(
        name="张秀英", id_number=id_number_for(77, birth=dt.date(1970, 1, 2))
    )
    returned = filed(people, other)
    intake.application_return(
        application=returned, by=people["caseworker"], missing_items=["医疗费用票据"]
    )
    app = to_notice(people, filed(people))
    after_notice(app)
    workflow.application_reject(application=app, by=people["approver"], reasons="家庭收入超过标准")
    person = app.household.members.get(relation="applicant")
    client.force_login(accounts["supervisor"])
    secrets = [
        "李春梅",
        person.id_number,
        person.id_number[4:14],
        "西村",  # the village (the township alone for a masked reader)
        "家中无劳动收入",  # the survey's findings
        "家庭收入超过标准",  # the decision's reasons
        "医疗费用票据",  # a paper asked for
        "300.00",  # the monthly income
    ]
    pages = {
        "correction": client.get(f"/cases/{returned.pk}/letters/correction/"),
        "correction.pdf": client.get(f"/cases/{returned.pk}/letters/correction.pdf"),
    }
    for kind in ("acceptance", "survey", "notice", "decision"):
        pages[kind] = client.get(f"/cases/{app.pk}/letters/{kind}/")
        pages[f"{kind}.pdf"] = client.get(f"/cases/{app.pk}/letters/{kind}.pdf")
    for kind, page in pages.items():
        assert page.status_code == 200, kind
        text = _text(page) if kind.endswith(".pdf") else page.content.decode()
        assert "李*梅" in text or kind.startswith(("notice", "correction")), kind
        for secret in secrets:
            assert secret not in text, (kind, secret)
    assert "张村镇" in pages["acceptance"].content.decode()
    assert "不予批准告知书" in pages["decision"].content.decode()
    logged = AccessLog.objects.filter(user=accounts["supervisor"], object_type="application")
    assert logged.filter(fields="letter:survey", masked=True).exists()
    # the township's caseworker reads the same letters in clear
    client.force_login(people["caseworker"])
    survey = client.get(f"/cases/{app.pk}/letters/survey/").content.decode()
    assert "李春梅" in survey and "家中无劳动收入" in survey and "300.00" in survey


def test_notice_sheet_never_discloses_a_disability_category(client, people, catalog):  # noqa: F811
    """SPEC §9: the 公示表 never tells a disability or illness — a 单人保 household (a member
    seriously disabled or ill) is published as 低保, the disability allowance as 专项生活补贴."""
    from integrity.models import PublicNotice

    app = to_notice(people, filed(people))
    client.force_login(people["caseworker"])
    for code, published in (
        ("dibao_single", "最低生活保障"),
        ("severe_disability", "专项生活补贴"),
    ):
        PublicNotice.objects.filter(application=app).update(category=code)
        html = client.get(f"/cases/{app.pk}/letters/notice/").content.decode()
        text = _text(client.get(f"/cases/{app.pk}/letters/notice.pdf"))
        for shown in (html, text):
            assert published in shown, code
            assert "残疾" not in shown and "重病" not in shown and "单人保" not in shown, code
