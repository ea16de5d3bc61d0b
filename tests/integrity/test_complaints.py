"""Complaints and tips (投诉举报, SPEC §9 supervision; issue 11 item 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from integrity.models import Complaint, RefusedAttempt

pytestmark = pytest.mark.django_db


def _file(api, **body):
    return api.post("/api/v1/complaints/", {"kind": "slowness", **body}, format="json")


def test_a_complaint_without_content_is_refused_and_the_attempt_kept(accounts):
    response = _file(APIClient(), content="   ")
    assert response.status_code == 400 and response.json()["content"] == ["请填写投诉举报内容。"]
    assert Complaint.objects.count() == 0
    assert RefusedAttempt.objects.get().kind == "complaint_empty"
    page = Client().post("/complaints/new/", {"kind": "inaction", "content": ""})
    assert page.status_code == 400 and "请填写投诉举报内容" in page.content.decode()
    assert RefusedAttempt.objects.count() == 2


def test_anonymous_complaint_keeps_no_name_phone_or_account(accounts):
    api = APIClient()
    api.force_authenticate(accounts["citizen"])
    response = _file(api, content="拖延办理", anonymous=True, name="王五", phone="13900000000")
    assert response.status_code == 201
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.source == "anonymous" and complaint.filed_by is None
    assert complaint.complainant_name == "" and complaint.complainant_phone == ""


def test_staff_complaint_is_from_staff_and_due_within_the_limit(accounts):
    from applicants.models import TimeLimit

    api = APIClient()
    api.force_authenticate(accounts["caseworker"])
    response = _file(api, kind="embezzlement", content="有人截留救助金", region="371002001")
    complaint = Complaint.objects.get()
    assert response.status_code == 201 and complaint.source == "staff"
    assert complaint.filed_by == accounts["caseworker"] and complaint.region.code == "371002001"
    days = TimeLimit.objects.get(code="complaint_answer_days").value
    assert complaint.answer_due_on >= timezone.localdate() + dt.timedelta(days=days)


def test_bad_kind_region_or_phone_is_a_field_error(accounts):
    api = APIClient()
    assert "kind" in _file(api, kind="nope", content="x").json()
    assert "region" in _file(api, content="x", region="999999").json()
    assert "complainant_phone" in _file(api, content="x", phone="call me").json()
    assert Complaint.objects.count() == 0


def test_supervisor_assigns_the_assignee_answers_the_complainant_reads_it(accounts):
    response = _file(APIClient(), content="村里不给代办", name="刘桂英", phone="13806315678")
    ref = response.json()["reference"]
    api = APIClient()
    api.force_authenticate(accounts["caseworker"])
    assert (
        api.post(f"/api/v1/complaints/{ref}/assign/", {"assigned_to": "approver"}).status_code
        == 404
    )
    api.force_authenticate(accounts["supervisor"])
    listed = api.get("/api/v1/complaints/").json()["results"][0]
    assert listed["complainant_name"] == "刘*英"  # the supervisor reads masked
    assigned = api.post(f"/api/v1/complaints/{ref}/assign/", {"assigned_to": "approver"})
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == "approver"
    bad = api.post(f"/api/v1/complaints/{ref}/assign/", {"assigned_to": "citizen"})
    assert bad.status_code == 400 and "assigned_to" in bad.json()
    approver = APIClient()
    approver.force_authenticate(accounts["approver"])
    assert [c["reference"] for c in approver.get("/api/v1/complaints/").json()["results"]] == [ref]
    answered = approver.post(f"/api/v1/complaints/{ref}/answer/", {"answer": "已核实并整改"})
    assert answered.status_code == 200
    status = APIClient().get(f"/api/v1/complaints/{ref}/").json()
    assert status["status"] == "answered" and status["answer"] == "已核实并整改"
    assert "complainant_name" not in status  # the public status shows no one's name
    page = Client().get("/answers/", {"reference": ref}).content.decode()
    assert "已核实并整改" in page
    again = approver.post(f"/api/v1/complaints/{ref}/answer/", {"answer": "再答"})
    assert again.status_code == 400


def test_the_supervisor_sees_overdue_complaints_and_a_link_to_overdue_cases(accounts):
    _file(APIClient(), content="第一件")
    late = Complaint.objects.get()
    Complaint.objects.filter(pk=late.pk).update(
        answer_due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    _file(APIClient(), content="第二件")
    client = Client()
    client.force_login(accounts["supervisor"])
    html = client.get("/oversight/complaints/?overdue=1").content.decode()
    assert late.reference in html and "第二件" not in html
    assert "/oversight/overdue/" in html  # the 慢作为 case list of issue 13
    api = APIClient()
    api.force_authenticate(accounts["supervisor"])
    rows = api.get("/api/v1/complaints/", {"overdue": "1"}).json()["results"]
    assert [r["reference"] for r in rows] == [late.reference]


def test_citizens_and_departments_see_no_complaint_box(accounts):
    _file(APIClient(), content="内容")
    for username in ("citizen", "department", "organization", "village"):
        api = APIClient()
        api.force_authenticate(accounts[username])
        assert api.get("/api/v1/complaints/").json()["count"] == 0, username
        client = Client()
        client.force_login(accounts[username])
        assert client.get("/oversight/complaints/").status_code == 404
