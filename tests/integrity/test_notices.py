"""Public notices (公示) and objections (SPEC §6, §9; issue 11 item 2)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.models import Application, ApplicationTransition
from integrity.models import Objection, PublicNotice, RefusedAttempt
from tests.integrity.helpers import case_at

pytestmark = pytest.mark.django_db


def _notice(ctx) -> PublicNotice:
    return PublicNotice.objects.get(application=ctx["app"], closed_early=False)


def test_open_notice_is_public_without_login_masked_with_size_category_amount(staff):
    ctx = case_at("public_notice", staff)
    notice = _notice(ctx)
    applicant = ctx["members"][0]
    html = Client().get("/notices/?region=371002001").content.decode()
    assert notice.reference in html
    assert "王*英" in html and applicant.name not in html
    assert str(notice.monthly_amount) in html
    assert applicant.id_number not in html and ctx["household"].address not in html
    data = APIClient().get("/api/v1/public-notices/", {"region": "371002"}).json()
    row = next(r for r in data["results"] if r["reference"] == notice.reference)
    assert row["name"] == "王*英" and row["household_size"] == 2
    assert row["monthly_amount"] == str(notice.monthly_amount)
    assert "id_number" not in row and "address" not in row


def test_search_by_region_category_and_period(staff):
    ctx = case_at("public_notice", staff)
    ref = _notice(ctx).reference
    month = timezone.localdate().strftime("%Y-%m")
    api = APIClient()

    def refs(**params):
        return {
            r["reference"] for r in api.get("/api/v1/public-notices/", params).json()["results"]
        }

    assert ref in refs(region="371002001002", category="dibao", period=month)
    assert ref not in refs(region="371002002")  # 羊亭镇
    assert ref not in refs(category="tekun")
    assert ref not in refs(period="2020-01")
    for bad in ({"region": "x"}, {"period": "2026-13"}, {"category": "nope"}, {"stage": "z"}):
        response = api.get("/api/v1/public-notices/", bad)
        assert response.status_code == 400 and set(response.json()) == set(bad)
    page = Client().get("/notices/", {"period": "2026-13"})
    assert page.status_code == 200 and "期间格式" in page.content.decode()


def test_decision_moves_the_notice_to_the_result_list(staff):
    ctx = case_at("enrolled", staff)
    notice = PublicNotice.objects.get(application=ctx["app"])
    assert notice.outcome == "approved" and notice.decided_on == timezone.localdate()
    api = APIClient()
    results = api.get("/api/v1/public-notices/", {"stage": "result"}).json()["results"]
    assert notice.reference in {r["reference"] for r in results}
    running = api.get("/api/v1/public-notices/").json()["results"]
    assert notice.reference not in {r["reference"] for r in running}


def test_a_rejected_or_withdrawn_notice_is_not_read_by_its_reference(staff):
    """The detail route publishes what the search does: a running notice or an approved
    result; a rejected one, or one withdrawn (replaced by a newer notice of the case), is a
    404 like a reference that never existed."""
    from integrity.models import notice_reference

    ctx = case_at("public_notice", staff)
    notice = _notice(ctx)
    api = APIClient()
    url = f"/api/v1/public-notices/{notice.reference}/"
    assert api.get(url).status_code == 200
    PublicNotice.objects.filter(pk=notice.pk).update(outcome="rejected")
    assert api.get(url).status_code == 404
    PublicNotice.objects.filter(pk=notice.pk).update(outcome="approved")
    assert api.get(url).status_code == 200  # the result list's notices stay readable
    PublicNotice.objects.filter(pk=notice.pk).update(outcome="")
    newer = PublicNotice.objects.get(pk=notice.pk)
    newer.pk, newer.reference = None, notice_reference()
    newer.save()
    PublicNotice.objects.filter(pk=newer.pk).update(
        opened_at=notice.opened_at + dt.timedelta(minutes=5)
    )
    assert api.get(url).status_code == 404  # withdrawn: the newer notice replaced it
    assert api.get(f"/api/v1/public-notices/{newer.reference}/").status_code == 200


def test_anyone_objects_online_the_survey_reopens_and_the_answer_is_read_by_reference(staff):
    ctx = case_at("public_notice", staff)
    notice = _notice(ctx)
    client = Client()
    response = client.post(
        f"/notices/{notice.reference}/object/",
        {"text": "该户有车辆未申报", "name": "", "phone": ""},
    )
    assert response.status_code == 200
    objection = Objection.objects.get(notice=notice)
    assert objection.reference in response.content.decode()
    assert objection.channel == "online" and objection.recorded_by is None
    assert objection.answer_due_on > timezone.localdate()
    app = Application.objects.get(pk=ctx["app"].pk)
    assert app.state == "verifying" and app.due_for == "survey"
    step = ApplicationTransition.objects.filter(application=app).latest("id")
    assert step.action == "reopen_survey" and step.by.username == "public-online"
    assert objection.reference in step.reason
    # before the answer: received, no answer
    status = APIClient().get(f"/api/v1/objections/{objection.reference}/").json()
    assert status["answered"] is False and status["answer"] == ""
    # the township answers in writing; the objector reads it by the reference
    cw = Client()
    cw.force_login(staff["caseworker"])
    cw.post("/oversight/objections/", {"objection": objection.pk, "answer": "经复查，车辆已报废。"})
    page = client.get("/answers/", {"reference": objection.reference}).content.decode()
    assert "经复查，车辆已报废。" in page
    status = APIClient().get(f"/api/v1/objections/{objection.reference}/").json()
    assert status["answered"] is True and status["answer"] == "经复查，车辆已报废。"


def test_reading_an_objections_answer_is_in_the_access_log(staff):
    """The written answer speaks of the household: each read of it by its reference (page or
    API) is logged — by the public account for a reader without one, else by the reader."""
    from eligibility.services import notices
    from integrity.models import AccessLog

    ctx = case_at("public_notice", staff)
    objection = notices.objection_file(reference=_notice(ctx).reference, text="收入不实")
    api, page = APIClient(), Client()
    api.get(f"/api/v1/objections/{objection.reference}/")
    logged = AccessLog.objects.filter(object_type="objection", object_id=objection.pk)
    assert not logged.exists()  # no answer yet: nothing of the household was read
    notices.objection_answer(objection=objection, answer="经复查属实", by=staff["caseworker"])
    assert api.get(f"/api/v1/objections/{objection.reference}/").json()["answered"] is True
    assert page.get("/answers/", {"reference": objection.reference}).status_code == 200
    reader = Client()
    reader.force_login(staff["citizen"])
    reader.get("/answers/", {"reference": objection.reference})
    rows = list(logged.order_by("id").values_list("user__username", "channel", "fields"))
    assert rows == [
        ("public-online", "api", "answer"),
        ("public-online", "page", "answer"),
        (staff["citizen"].username, "page", "answer"),
    ]


def test_only_the_township_answers_once(staff):
    from eligibility.services import notices

    ctx = case_at("public_notice", staff)
    objection = notices.objection_file(reference=_notice(ctx).reference, text="收入不实")
    api = APIClient()
    for username in ("supervisor", "approver", "caseworker2", "citizen", "department"):
        api.force_authenticate(staff[username])
        response = api.post(f"/api/v1/objections/{objection.reference}/answer/", {"answer": "x"})
        assert response.status_code in (400, 404), username
    api.force_authenticate(staff["caseworker"])
    ok = api.post(f"/api/v1/objections/{objection.reference}/answer/", {"answer": "属实"})
    assert ok.status_code == 200
    again = api.post(f"/api/v1/objections/{objection.reference}/answer/", {"answer": "改"})
    assert again.status_code == 400 and "已于" in again.json()["answer"][0]
    objection.refresh_from_db()
    assert objection.answer == "属实"


@pytest.mark.parametrize("reference", ["GSAAAAAAAAAA", "not-a-ref", "GS" + "\u4e2d" * 10])
def test_a_forged_notice_id_is_refused_and_the_attempt_kept(staff, reference):
    response = APIClient().post(
        "/api/v1/objections/", {"notice": reference, "text": "异议"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["notice"] == ["公示编号不存在，请核对公示上的编号。"]
    attempt = RefusedAttempt.objects.get()
    assert attempt.kind == "notice_forged" and attempt.channel == "api"
    assert Objection.objects.count() == 0
    page = Client().post(f"/notices/{reference}/object/", {"text": "异议"})
    assert page.status_code == 400 and "公示编号不存在" in page.content.decode()
    assert RefusedAttempt.objects.count() == 2


def test_an_expired_notice_takes_no_objection_and_the_attempt_is_kept(staff):
    ctx = case_at("public_notice", staff)
    notice = _notice(ctx)
    PublicNotice.objects.filter(pk=notice.pk).update(
        closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    page = Client().get(f"/notices/{notice.reference}/object/").content.decode()
    assert "已于" in page and 'name="text"' not in page
    response = APIClient().post(
        "/api/v1/objections/", {"notice": notice.reference, "text": "异议"}, format="json"
    )
    assert response.status_code == 400 and "不能再提出异议" in response.json()["notice"][0]
    assert RefusedAttempt.objects.get().kind == "notice_expired"
    assert Application.objects.get(pk=ctx["app"].pk).state == "public_notice"


def test_an_objection_without_text_or_with_a_bad_phone_is_a_field_error(staff):
    ctx = case_at("public_notice", staff)
    ref = _notice(ctx).reference
    api = APIClient()
    blank = api.post("/api/v1/objections/", {"notice": ref, "text": "   "}, format="json")
    assert blank.status_code == 400 and "text" in blank.json()
    phone = api.post(
        "/api/v1/objections/", {"notice": ref, "text": "x", "phone": "abc"}, format="json"
    )
    assert phone.status_code == 400 and "objector_phone" in phone.json()
    nul = api.post("/api/v1/objections/", {"notice": ref, "text": "a\x00b"}, format="json")
    assert nul.status_code == 400
    assert Objection.objects.count() == 0
    assert Application.objects.get(pk=ctx["app"].pk).state == "public_notice"


def test_the_window_objection_keeps_the_caseworkers_name_and_the_objectors(staff):
    ctx = case_at("public_notice", staff)
    cw = Client()
    cw.force_login(staff["caseworker"])
    response = cw.post(
        f"/cases/{ctx['app'].pk}/",
        {
            "action": "object",
            "text": "收入不实",
            "objector_name": "李四",
            "objector_phone": "13900000000",
        },
        follow=True,
    )
    objection = Objection.objects.get()
    assert objection.reference in response.content.decode()
    assert objection.channel == "window" and objection.recorded_by == staff["caseworker"]
    assert objection.objector_name == "李四"


@pytest.mark.django_db(transaction=True)
def test_two_objections_at_once_are_both_kept_and_reopen_the_case_once(accounts):
    from eligibility import demo as eligibility_demo
    from eligibility.services import notices

    eligibility_demo.seed()
    ctx = case_at("public_notice", accounts)
    ref = _notice(ctx).reference
    barrier = threading.Barrier(2)
    errors = []

    def file(text):
        try:
            barrier.wait(timeout=10)
            notices.objection_file(reference=ref, text=text)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(t,)) for t in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Objection.objects.count() == 2
    reopened = ApplicationTransition.objects.filter(
        application=ctx["app"], action="reopen_survey"
    ).count()
    assert reopened == 1
    assert Application.objects.get(pk=ctx["app"].pk).state == "verifying"


def test_the_noticeboard_prints_full_names_only_for_staff_of_the_region_by_setting(staff, settings):
    ctx = case_at("public_notice", staff)
    name = ctx["members"][0].name
    url = "/notices/print/?region=371002001002"
    settings.NOTICE_BOARD_FULL_NAME = False
    cw = Client()
    cw.force_login(staff["caseworker"])
    assert name not in cw.get(url).content.decode()
    settings.NOTICE_BOARD_FULL_NAME = True
    html = cw.get(url).content.decode()
    assert name in html and 'class="letter a4 noticeboard"' in html
    assert ctx["members"][0].id_number not in html
    assert name not in Client().get(url).content.decode()  # the public: masked
    other = Client()
    other.force_login(staff["caseworker2"])  # 羊亭镇
    assert name not in other.get(url).content.decode()
    supervisor = Client()
    supervisor.force_login(staff["supervisor"])
    assert name not in supervisor.get(url).content.decode()
