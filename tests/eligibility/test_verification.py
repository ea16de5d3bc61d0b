"""Household economic verification (issue 10, SPEC §7) below the worker: authorization, the
fan-out, result files row by row, callbacks, the report, the caseworker's confirmation and the
rules engine's proposal. The real worker and loopback HTTP are in test_verification_worker."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from applicants.errors import DomainError
from eligibility.services import cases
from eligibility.verification import demo, services
from eligibility.verification.adapters.dci import callback_token
from eligibility.verification.models import (
    DataSource,
    Finding,
    SourceQuery,
    VerificationRequest,
)
from integrity.models import AccessLog
from tests.eligibility.verification_helpers import (
    APPLICANT,
    SPOUSE,
    api,
    case_waiting_for_verification,
)
from tests.factories import HouseholdFactory, PersonFactory, id_number_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(catalog, settings, tmp_path):
    settings.VERIFICATION_EXCHANGE_DIR = tmp_path / "exchange"
    demo.seed_sources()


@pytest.fixture
def request_(sources, accounts, django_capture_on_commit_callbacks):
    app = case_waiting_for_verification(accounts["caseworker"])
    with django_capture_on_commit_callbacks() as queued:
        started = services.verification_request_start(
            household=app.household, application=app, by=accounts["caseworker"]
        )
    assert len(queued) == 1  # the fan-out goes out after commit
    return started


def _inbox(settings, source_code, name, data: bytes):
    path = settings.VERIFICATION_EXCHANGE_DIR / "inbox" / source_code / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_demo_catalogue_has_the_seeds_sources_and_96_items(sources):
    from eligibility.verification.models import DataItem

    assert DataItem.objects.count() == 96
    assert DataSource.objects.filter(kind="bank").count() == 30
    assert DataSource.objects.filter(kind="insurer").count() == 54
    assert DataSource.objects.filter(kind="provident_fund").count() == 1
    assert DataSource.objects.filter(kind="department").exclude(department=None).exists()
    assert set(DataSource.objects.values_list("adapter", flat=True)) == {"file", "http"}


def test_request_without_signed_authorization_is_refused(sources, accounts):
    household = HouseholdFactory()
    PersonFactory(household=household)  # an adult who never signed anything
    with pytest.raises(DomainError) as refused:
        services.verification_request_start(household=household, by=accounts["caseworker"])
    assert "authorization" in refused.value.detail
    assert not VerificationRequest.objects.exists()


def test_request_outside_the_township_is_refused(sources, accounts):
    app = case_waiting_for_verification(accounts["caseworker"])
    with pytest.raises(DomainError):
        services.verification_request_start(
            household=app.household, application=app, by=accounts["caseworker2"]
        )


def test_request_asks_every_active_source_once(request_):
    assert request_.queries.count() == DataSource.objects.filter(is_active=True).count()
    assert sorted(request_.persons) == sorted([APPLICANT, SPOUSE])


def test_file_send_writes_the_request_file_into_the_outbox(request_, settings):
    query = request_.queries.get(source__code="bank-02")
    assert services.query_send(query_id=query.pk)
    path = settings.VERIFICATION_EXCHANGE_DIR / "outbox" / "bank-02" / f"{query.transaction_id}.csv"
    assert path.read_text().split() == ["id_number", *request_.persons]
    query.refresh_from_db()
    assert query.status == "sent" and query.attempts == 1


def test_result_file_in_gbk_with_bad_rows_uses_the_good_rows_and_lists_the_bad(request_, settings):
    query = request_.queries.get(source__code="bank-01")
    stranger = id_number_for(999, male=False)
    text = "\n".join(
        [
            "id_number,item,value,reference",
            f"{APPLICANT},deposit_time,150000.00,定期存单",  # 2: good
            f"{APPLICANT},deposit_demand",  # 3: malformed
            f"{stranger},deposit_demand,10.00,x",  # 4: not asked about
            f"{SPOUSE},deposit_demand,-5.00,y",  # 5: negative
            f"{APPLICANT},deposit_time,150000.00,定期存单",  # 6: duplicate of 2
            f"{SPOUSE},no_such_item,1.00,z",  # 7: unknown item
            f"{SPOUSE},deposit_demand,abc,w",  # 8: not a number
            "3710021980051700X1,deposit_demand,1.00,v",  # 9: bad ID number
            f"{SPOUSE},deposit_demand,800.50,活期",  # 10: good
        ]
    )
    path = _inbox(settings, "bank-01", f"{query.transaction_id}.csv", text.encode("gbk"))
    loaded = services.result_file_load(path=path)
    assert loaded.encoding == "gbk"
    assert loaded.rows_accepted == 2
    assert [r["line"] for r in loaded.rejected] == [3, 4, 5, 6, 7, 8, 9]
    assert "重复" in loaded.rejected[3]["reason"] and "负数" in loaded.rejected[2]["reason"]
    assert path.exists()  # the file is kept
    assert sorted(Finding.objects.values_list("value", flat=True)) == [
        Decimal("800.50"),
        Decimal("150000.00"),
    ]
    query.refresh_from_db()
    assert query.status == "answered"
    assert services.result_file_load(path=path) is None  # loaded once


def test_json_result_file_is_read_with_record_numbers(request_, settings):
    query = request_.queries.get(source__code="bank-04")
    doc = {
        "transaction_id": str(query.transaction_id),
        "records": [
            {"id_number": APPLICANT, "item": "fund_public", "value": "3000", "reference": "a"},
            "not a record",
            {"id_number": SPOUSE, "item": "deposit_demand", "value": "1e400"},
        ],
    }
    path = _inbox(settings, "bank-04", f"{query.transaction_id}.json", json.dumps(doc).encode())
    loaded = services.result_file_load(path=path)
    assert loaded.rows_accepted == 1
    assert [r["line"] for r in loaded.rejected] == [2, 3]


def test_unreadable_file_is_kept_and_listed_as_rejected(request_, settings):
    query = request_.queries.get(source__code="bank-01")
    path = _inbox(settings, "bank-01", f"{query.transaction_id}.csv", b"\xff\xfe\x00garbage\x81")
    loaded = services.result_file_load(path=path)
    assert loaded.rows_accepted == 0 and loaded.rejected[0]["line"] == 0


def test_an_answer_delivered_twice_adds_nothing(request_):
    query = request_.queries.get(source__code="insurer-01")
    rows = [(1, {"id_number": APPLICANT, "item": "insurance_cash_value", "value": "900"}, "")]
    services.answer_record(query=query, rows=rows)
    services.answer_record(query=query, rows=rows)
    assert Finding.objects.count() == 1
    assert DataSource.objects.get(code="insurer-01").answered_count == 1


def _answer_all(request_, *, silent=("bank-30",)):
    """Every source answers nothing but the concealed deposit; ``silent`` never answer."""
    for q in request_.queries.select_related("source"):
        if q.source.code in silent:
            services.query_give_up(query_id=q.pk, error="HTTP 503")
            continue
        rows = []
        if q.source.code == "bank-03":
            rows = [(1, {"id_number": APPLICANT, "item": "deposit_time", "value": "150000"}, "")]
        if q.source.code == "hrss":
            rows = [(1, {"id_number": SPOUSE, "item": "pension_resident", "value": "180"}, "")]
        services.answer_record(query=q, rows=rows)


def test_report_shows_the_concealed_deposit_the_silent_source_and_feeds_the_proposal(
    request_, accounts
):
    _answer_all(request_)
    report = services.report_build(request_id=request_.pk)
    body = report.body
    assert body["totals"]["financial"] == "150000.00"
    assert body["rules"]["financial_over_limit"] is True
    assert {d["figure"] for d in body["discrepancies"]} >= {"financial", f"income:{_pid(SPOUSE)}"}
    assert [s["code"] for s in body["no_answer"]] == ["bank-30"]
    assert body["sources_answered"] == body["sources_asked"] - 1
    request_.refresh_from_db()
    assert request_.status == "done"
    assert services.report_build(request_id=request_.pk).pk == report.pk  # once

    preview = cases.assessment_preview_for(request_.application)
    dibao = next(r for r in preview["results"] if r["policy"] == "dibao")
    assert dibao["eligible"] is False
    assert any("金融资产" in reason for reason in dibao["reasons"])


def _pid(number):
    from applicants.models import Person

    return Person.objects.get(id_number=number).pk


def test_report_waits_while_a_source_has_not_answered(request_):
    assert services.report_build(request_id=request_.pk) is None


def test_deadline_asks_a_silent_source_again_then_marks_it_no_answer(request_):
    query = request_.queries.get(source__code="bank-02")
    services.query_send(query_id=query.pk)
    again, later = services.request_deadline(request_id=request_.pk)
    assert again == [] and later > 0  # still within its answer time
    past = timezone.now() - dt.timedelta(seconds=60)
    SourceQuery.objects.filter(pk=query.pk).update(sent_at=past)
    assert services.request_deadline(request_id=request_.pk) == ([query.pk], None)
    services.query_send(query_id=query.pk)
    SourceQuery.objects.filter(pk=query.pk).update(sent_at=past)
    assert services.request_deadline(request_id=request_.pk) == ([], None)
    query.refresh_from_db()
    assert query.status == SourceQuery.Status.NO_ANSWER
    assert DataSource.objects.get(code="bank-02").failed_count == 1


def test_confirmation_form_starts_from_what_the_household_declared(sources, accounts):
    app = case_waiting_for_verification(accounts["caseworker"], financial="2500.00")
    figures = {f["key"]: f for f in services.figures_proposed(app)}
    assert figures["financial"]["value"] == Decimal("2500.00")
    assert figures["houses"]["value"] == 1
    assert figures["financial"]["found"] is None


def test_confirmation_starts_from_the_report_and_a_correction_needs_a_reason(request_, accounts):
    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    app = request_.application
    figures = {f["key"]: f for f in services.figures_proposed(app)}
    assert figures["financial"]["value"] == Decimal("150000.00")
    values = {k: str(f["value"]) for k, f in figures.items()}
    values["financial"] = "1000.00"
    with pytest.raises(DomainError) as refused:
        cases.verification_confirm(
            application=app, by=accounts["caseworker"], summary="核对", values=values, reasons={}
        )
    assert "financial" in refused.value.detail
    verification = cases.verification_confirm(
        application=app,
        by=accounts["caseworker"],
        summary="核对",
        values=values,
        reasons={"financial": "定期存单系代亲属保管，已提供证明"},
    )
    assert verification.report_id == request_.report.pk
    assert verification.figures["financial"]["reason"]
    assert verification.financial_assets_found == Decimal("1000.00")
    dibao = next(r for r in cases.assessment_preview_for(app)["results"] if r["policy"] == "dibao")
    assert dibao["eligible"] is True


def test_case_page_shows_the_report_and_the_figures(client, request_, accounts):
    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    client.force_login(accounts["caseworker"])
    page = client.get(f"/cases/{request_.application_id}/").content.decode()
    assert "家庭经济状况核对报告" in page
    assert "150000.00" in page and "未应答" in page
    assert 'name="value_financial" value="150000.00"' in page


def test_case_page_requests_verification(client, sources, accounts):
    app = case_waiting_for_verification(accounts["caseworker"])
    client.force_login(accounts["caseworker"])
    response = client.post(f"/cases/{app.pk}/", {"action": "verification_request"}, follow=True)
    assert response.status_code == 200
    assert VerificationRequest.objects.filter(application=app).count() == 1


def test_on_search_callback_needs_the_sources_token(request_, client):
    query = request_.queries.get(source__code="insurer-02")
    body = {
        "header": {"action": "on-search"},
        "message": {
            "transaction_id": str(query.transaction_id),
            "search_response": [
                {
                    "data": {
                        "reg_records": [
                            {"id_number": APPLICANT, "item": "insurance_cash_value", "value": "7"},
                            {"id_number": APPLICANT, "item": "insurance_cash_value", "value": "-7"},
                        ]
                    }
                }
            ],
        },
    }
    url = "/api/v1/verification/on-search/"
    wrong = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer x")
    assert wrong.status_code == 401
    other = callback_token("insurer-03")
    assert (
        client.post(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other}"
        ).status_code
        == 401
    )
    ok = client.post(
        url,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {callback_token('insurer-02')}",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["accepted"] == 1 and ok.json()["rejected"][0]["line"] == 2
    assert client.post(url, {"x": 1}, content_type="application/json").status_code == 400
    odd = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer é")
    assert odd.status_code == 401


def test_api_lists_requests_in_scope_with_the_report_and_audits_the_read(request_, accounts):
    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    mine = api(accounts["caseworker"]).get("/api/v1/verification-requests/")
    assert [r["id"] for r in mine.json()["results"]] == [request_.pk]
    assert mine.json()["results"][0]["report"]["totals"]["financial"] == "150000.00"
    assert AccessLog.objects.filter(object_type="verification_request").exists()
    other = api(accounts["caseworker2"]).get(f"/api/v1/verification-requests/{request_.pk}/")
    assert other.status_code == 404


def test_api_gives_the_supervisor_neither_the_report_nor_the_note_and_logs_a_masked_read(
    request_, accounts
):
    """The supervisor reads masked data (SPEC §1): the report names members with their
    incomes and assets, the note is staff's free text — the list and the detail carry neither."""
    VerificationRequest.objects.filter(pk=request_.pk).update(note="孙丽 存款十五万 王强 残疾")
    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    supervisor = api(accounts["supervisor"])
    listed = supervisor.get("/api/v1/verification-requests/")
    assert listed.status_code == 200
    row = next(r for r in listed.json()["results"] if r["id"] == request_.pk)
    detail = supervisor.get(f"/api/v1/verification-requests/{request_.pk}/").json()
    for shown in (row, detail):
        assert shown["report"] is None and shown["note"] == ""
        assert shown["status"] == "done" and shown["queries"]
    body = json.dumps(listed.json(), ensure_ascii=False) + json.dumps(detail, ensure_ascii=False)
    assert "孙丽" not in body and "150000" not in body and "存款" not in body
    logged = AccessLog.objects.filter(
        user=accounts["supervisor"], object_type="verification_request"
    )
    assert logged.exists() and all(log.masked for log in logged)
    # the caseworker of the township still reads both
    seen = api(accounts["caseworker"]).get(f"/api/v1/verification-requests/{request_.pk}/").json()
    assert seen["note"] == "孙丽 存款十五万 王强 残疾"
    assert seen["report"]["totals"]["financial"] == "150000.00"


def test_api_creates_a_request_and_refuses_one_without_authorization(sources, accounts):
    app = case_waiting_for_verification(accounts["caseworker"])
    cw = api(accounts["caseworker"])
    made = cw.post(
        "/api/v1/verification-requests/",
        {"household": app.household_id, "application": app.pk},
        format="json",
    )
    assert made.status_code == 201, made.json()
    household = HouseholdFactory()
    PersonFactory(household=household)
    refused = cw.post("/api/v1/verification-requests/", {"household": household.pk}, format="json")
    assert refused.status_code == 400 and "authorization" in refused.json()


def test_source_health_page_and_api(client, request_, accounts):
    _answer_all(request_)
    client.force_login(accounts["department"])
    page = client.get("/verification/sources/")
    assert page.status_code == 200 and "威海蓝海村镇银行" in page.content.decode()
    rows = api(accounts["supervisor"]).get("/api/v1/data-sources/?page_size=200").json()
    stopped = next(r for r in rows["results"] if r["code"] == "bank-30")
    assert stopped["failed_count"] == 1 and stopped["failure_rate"] == 1.0
    client.force_login(accounts["citizen"])
    assert client.get("/verification/sources/").status_code == 404


def test_citizen_disputes_the_report_and_the_household_is_checked_again(
    request_, accounts, django_capture_on_commit_callbacks
):
    from applicants.models import Person

    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    citizen = accounts["citizen"]
    Person.objects.filter(user=citizen).update(user=None)
    Person.objects.filter(id_number=APPLICANT).update(user=citizen)
    client = api(citizen)
    seen = client.get(f"/api/v1/verification-requests/{request_.pk}/")
    assert seen.status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        again = client.post(
            f"/api/v1/verification-requests/{request_.pk}/dispute/",
            {"text": "定期存单已于上月支取"},
            format="json",
        )
    assert again.status_code == 201, again.json()
    assert again.json()["purpose"] == "dispute"


def test_a_second_dispute_while_the_first_is_verifying_is_refused(
    request_, accounts, django_capture_on_commit_callbacks
):
    """While the household is verified again for a dispute, another dispute (a double click,
    a second tab) would ask every source once more: refused with a clear error until the new
    report is out; then the citizen may dispute that report."""
    from applicants.models import Person

    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    citizen = accounts["citizen"]
    Person.objects.filter(user=citizen).update(user=None)
    Person.objects.filter(id_number=APPLICANT).update(user=citizen)
    client = api(citizen)
    url = f"/api/v1/verification-requests/{request_.pk}/dispute/"
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(url, {"text": "定期存单已于上月支取"}, format="json")
        second = client.post(url, {"text": "再次提出"}, format="json")
    assert first.status_code == 201, first.json()
    assert second.status_code == 400
    assert "正在重新核对" in second.json()["non_field_errors"][0]
    assert VerificationRequest.objects.filter(purpose="dispute").count() == 1
    # the re-verification reports: its report may be disputed in turn
    again = VerificationRequest.objects.get(purpose="dispute")
    _answer_all(again)
    services.report_build(request_id=again.pk)
    with django_capture_on_commit_callbacks(execute=False):
        third = client.post(
            f"/api/v1/verification-requests/{again.pk}/dispute/", {"text": "仍有误"}, format="json"
        )
    assert third.status_code == 201, third.json()


def test_household_file_and_citizen_page_show_the_summary_and_the_citizen_disputes(
    client, request_, accounts, django_capture_on_commit_callbacks
):
    from applicants.models import Person

    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    client.force_login(accounts["caseworker"])
    page = client.get(f"/households/{request_.household_id}/").content.decode()
    assert "家庭经济状况核对" in page and "150000.00" in page
    assert AccessLog.objects.filter(object_type="household").exists()
    client.get(f"/cases/{request_.application_id}/")
    assert AccessLog.objects.filter(object_type="verification_request").exists()

    citizen = accounts["citizen"]
    Person.objects.filter(user=citizen).update(user=None)
    Person.objects.filter(id_number=APPLICANT).update(user=citizen)
    client.force_login(citizen)
    status = client.get(f"/applications/{request_.application_id}/").content.decode()
    assert "提出异议，申请复查" in status
    with django_capture_on_commit_callbacks(execute=False):
        done = client.post(
            f"/verification/requests/{request_.pk}/dispute/", {"text": "存款已支取"}, follow=True
        )
    assert done.status_code == 200
    assert VerificationRequest.objects.filter(purpose="dispute").count() == 1
    client.force_login(accounts["caseworker"])
    assert client.post(f"/verification/requests/{request_.pk}/dispute/", {}).status_code == 404


@pytest.mark.parametrize(
    "role", ["supervisor", "approver", "department", "organization", "village", "citizen"]
)
def test_only_the_township_sends_a_household_to_verification(sources, accounts, role):
    """The roles × actions table (issue 14) for this route: every other role writes nothing."""
    from eligibility.verification.models import VerificationRequest

    app = case_waiting_for_verification(accounts["caseworker"])
    answer = api(accounts[role]).post(
        "/api/v1/verification-requests/",
        {"household": app.household_id, "application": app.pk},
        format="json",
    )
    assert answer.status_code in (400, 403, 404)
    assert not VerificationRequest.objects.exists()


def test_case_api_requests_verification_shows_the_report_and_confirms_without_retyping(
    sources, accounts, django_capture_on_commit_callbacks
):
    """The case's own API (issue 10): request the sources, read the report and the figures
    (declared beside found), confirm them as found — nothing typed — or correct one with a
    reason; the proposal follows the confirmed figures."""
    app = case_waiting_for_verification(accounts["caseworker"])
    cw = api(accounts["caseworker"])
    with django_capture_on_commit_callbacks() as queued:
        asked = cw.post(f"/api/v1/applications/{app.pk}/verification-request/", {}, format="json")
    assert asked.status_code == 200, asked.json()
    assert len(queued) == 1
    request_ = VerificationRequest.objects.get(application=app)
    waiting = cw.get(f"/api/v1/applications/{app.pk}/verification/").json()
    assert waiting["request"] == request_.pk and waiting["status"] == "running"
    assert waiting["report"] is None

    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    logged = AccessLog.objects.filter(object_type="verification_request").count()
    shown = cw.get(f"/api/v1/applications/{app.pk}/verification/").json()
    assert shown["report"]["totals"]["financial"] == "150000.00"
    assert [s["code"] for s in shown["report"]["no_answer"]] == ["bank-30"]
    figures = {f["key"]: f for f in shown["figures"]}
    assert figures["financial"] == {
        "key": "financial",
        "label": "金融资产（元）",
        "declared": "1000.00",
        "found": "150000.00",
        "value": "150000.00",
        "differs": True,
    }
    assert AccessLog.objects.filter(object_type="verification_request").count() == logged + 1

    url = f"/api/v1/applications/{app.pk}/verification-confirm/"
    refused = cw.post(url, {"summary": "核对", "values": {"financial": "1000"}}, format="json")
    assert refused.status_code == 400 and "financial" in refused.json()
    done = cw.post(url, {"summary": "核对发现定期存款"}, format="json")  # nothing typed
    assert done.status_code == 200, done.json()
    verification = app.verifications.get()
    assert verification.financial_assets_found == Decimal("150000.00")
    assert verification.figures["financial"]["found"] == "150000.00"
    assert verification.figures["financial"]["reason"] == ""
    dibao = next(r for r in cases.assessment_preview_for(app)["results"] if r["policy"] == "dibao")
    assert dibao["eligible"] is False
    assert any("金融资产" in reason for reason in dibao["reasons"])


def test_case_api_refuses_a_request_without_every_adults_authorization(sources, accounts):
    app = case_waiting_for_verification(accounts["caseworker"])
    PersonFactory(household=app.household, relation="child")  # an adult son who never signed
    answer = api(accounts["caseworker"]).post(
        f"/api/v1/applications/{app.pk}/verification-request/", {}, format="json"
    )
    assert answer.status_code == 400
    assert "授权" in answer.json()["authorization"][0]
    assert not VerificationRequest.objects.exists()


def test_verify_with_request_sources_asks_them_or_moves_nothing(sources, accounts):
    """``verify`` with ``request_sources``: the case goes to verification and the sources are
    asked in one step; without the authorization neither happens."""
    from applicants.models import Application

    cw = api(accounts["caseworker"])
    app = case_waiting_for_verification(accounts["caseworker"])
    PersonFactory(household=app.household, relation="child")  # an adult son who never signed
    Application.objects.filter(pk=app.pk).update(state="accepted")
    refused = cw.post(
        f"/api/v1/applications/{app.pk}/verify/", {"request_sources": True}, format="json"
    )
    assert refused.status_code == 400 and "authorization" in refused.json()
    assert Application.objects.get(pk=app.pk).state == "accepted"
    assert not VerificationRequest.objects.exists()


@pytest.mark.parametrize(
    "role", ["supervisor", "approver", "department", "organization", "village", "citizen"]
)
def test_only_the_township_requests_from_the_case_api(sources, accounts, role):
    """The roles × actions table (issue 14) for the case's verification-request route."""
    app = case_waiting_for_verification(accounts["caseworker"])
    answer = api(accounts[role]).post(
        f"/api/v1/applications/{app.pk}/verification-request/", {}, format="json"
    )
    assert answer.status_code in (400, 403, 404)
    assert not VerificationRequest.objects.exists()


def test_household_file_shows_the_summary_unmasked_only_and_logs_the_report_read(
    client, request_, accounts
):
    """The household file's verification summary is personal data (assets found): a masked
    reader does not get it; an unmasked read is logged as a read of the report."""
    _answer_all(request_)
    services.report_build(request_id=request_.pk)
    client.force_login(accounts["supervisor"])
    masked = client.get(f"/households/{request_.household_id}/")
    assert masked.status_code == 200
    assert "150000.00" not in masked.content.decode()
    assert not AccessLog.objects.filter(object_type="verification_request").exists()
    client.force_login(accounts["caseworker"])
    shown = client.get(f"/households/{request_.household_id}/").content.decode()
    assert "150000.00" in shown
    logged = AccessLog.objects.get(object_type="verification_request")
    assert logged.object_id == request_.pk and logged.fields == "verification_report"


def test_a_batch_sends_to_every_source_and_retries_only_the_unreachable_one(request_, settings):
    """One task sends a batch of sources (issue 10, on demand in seconds); a source that cannot
    be reached is retried alone with backoff and then marked "no answer", never "nothing
    found"; the others are sent once."""
    from eligibility.verification import tasks

    files = list(request_.queries.filter(source__adapter="file").values_list("pk", flat=True))
    broken = request_.queries.get(source__code="bank-30")
    DataSource.objects.filter(code="bank-30").update(config={"url": "", "simulated": True})
    sent, failed = services.queries_send(query_ids=[*files, broken.pk])
    assert sorted(sent) == sorted(files)
    assert list(failed) == [broken.pk] and "url" in failed[broken.pk]
    outbox = settings.VERIFICATION_EXCHANGE_DIR / "outbox"
    assert len(list(outbox.glob("*/*.csv"))) == len(files)

    result = tasks.send_batch.apply(args=([*files, broken.pk],)).get()  # eager: retries inline
    assert result == {"sent": 0, "no_answer": 1}  # the retry carried the broken source only
    broken.refresh_from_db()
    assert broken.status == SourceQuery.Status.NO_ANSWER
    assert broken.attempts == 1 + 1 + tasks.SEND_RETRIES  # the first call, then the task's
    assert set(SourceQuery.objects.filter(pk__in=files).values_list("status", "attempts")) == {
        ("sent", 2)
    }


def test_a_draft_without_a_household_file_is_refused_verification(sources, accounts):
    cw = api(accounts["caseworker"])
    created = cw.post(
        "/api/v1/applications/",
        {
            "village": "371002001002",
            "members": [{"relation": "applicant", "name": "孙丽", "id_number": APPLICANT}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    answer = cw.post(f"/api/v1/applications/{pk}/verification-request/", {}, format="json")
    assert answer.status_code == 400 and "state" in answer.json()
    shown = cw.get(f"/api/v1/applications/{pk}/verification/")
    assert shown.status_code == 200 and shown.json()["request"] is None
    assert not VerificationRequest.objects.exists()
