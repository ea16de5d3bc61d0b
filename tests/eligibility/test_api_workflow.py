"""/api/v1/applications/: every step of SPEC §6 through the API, scoped, with field errors."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.models import Application
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def body():
    return {
        "village": "371002001001",
        "members": [
            {
                "relation": "applicant",
                "name": "孙丽",
                "id_number": id_number_for(77, birth=dt.date(1985, 2, 3), male=False),
                "monthly_income": "100.00",
            }
        ],
        "assets": {"financial": "1000.00", "houses": 1},
    }


def test_every_step_through_the_api(accounts, catalog, body):
    cw, approver = api(accounts["caseworker"]), api(accounts["approver"])
    created = cw.post("/api/v1/applications/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    number = body["members"][0]["id_number"]
    steps = [
        (cw, "submit", {"signers": [number]}, "submitted"),
        (cw, "accept", {}, "accepted"),
        (cw, "verify", {}, "verifying"),
        (cw, "verification-confirm", {"summary": "核对无异常"}, "verifying"),
        (
            cw,
            "survey",
            {
                "visited_on": timezone.localdate().isoformat(),
                "staff": ["王强", "赵敏"],
                "findings": "属实",
                "signed": True,
            },
            "surveyed",
        ),
        (cw, "propose", {"opinion": "建议纳入"}, "proposed"),
        (cw, "open_notice", {}, "public_notice"),
    ]
    for client, action, payload, state in steps:
        response = client.post(f"/api/v1/applications/{pk}/{action}/", payload, format="json")
        assert response.status_code == 200, (action, response.json())
        assert response.json()["state"] == state
    Application.objects.filter(pk=pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    response = approver.post(
        f"/api/v1/applications/{pk}/approve/", {"reasons": "符合条件"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "enrolled"
    assert response.json()["latest_assessment"]["results"][0]["monthly_amount"] == "687.00"


def test_wrong_state_is_a_400_with_a_state_error(accounts, catalog, body):
    cw = api(accounts["caseworker"])
    pk = cw.post("/api/v1/applications/", body, format="json").json()["id"]
    response = cw.post(f"/api/v1/applications/{pk}/propose/", {}, format="json")
    assert response.status_code == 400
    assert "草稿" in response.json()["state"][0]


def test_survey_with_one_signer_is_a_field_error(accounts, catalog, body):
    cw = api(accounts["caseworker"])
    pk = cw.post("/api/v1/applications/", body, format="json").json()["id"]
    number = body["members"][0]["id_number"]
    for action, payload in (
        ("submit", {"signers": [number]}),
        ("accept", {}),
        ("verify", {}),
        ("verification-confirm", {"summary": "无异常"}),
    ):
        cw.post(f"/api/v1/applications/{pk}/{action}/", payload, format="json")
    response = cw.post(
        f"/api/v1/applications/{pk}/survey/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "staff": ["王强"],
            "findings": "x",
            "signed": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "两名" in response.json()["staff"][0]


def test_bad_member_on_submit_keeps_the_draft(accounts, catalog, body):
    cw = api(accounts["caseworker"])
    body["members"][0]["id_number"] = "371002198502030010"
    pk = cw.post("/api/v1/applications/", body, format="json").json()["id"]
    response = cw.post(f"/api/v1/applications/{pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()["members"][0]
    assert Application.objects.get(pk=pk).data["members"][0]["name"] == "孙丽"


def test_scope_other_township_gets_404(accounts, catalog, body):
    pk = api(accounts["caseworker"]).post("/api/v1/applications/", body, format="json").json()["id"]
    other = api(accounts["caseworker2"])
    assert other.get(f"/api/v1/applications/{pk}/").status_code == 404
    assert other.post(f"/api/v1/applications/{pk}/accept/", {}, format="json").status_code == 404


def test_supervisor_reads_without_personal_data(accounts, catalog, body):
    pk = api(accounts["caseworker"]).post("/api/v1/applications/", body, format="json").json()["id"]
    response = api(accounts["supervisor"]).get(f"/api/v1/applications/{pk}/")
    assert response.status_code == 200
    assert response.json()["data"] is None


def test_actions_are_in_the_schema(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()[
        "paths"
    ]
    for action in (
        "submit",
        "accept",
        "return",
        "verify",
        "survey",
        "propose",
        "open_notice",
        "approve",
        "reject",
        "withdraw",
    ):
        assert f"/api/v1/applications/{{id}}/{action}/" in paths


def test_read_only_supervisor_cannot_submit_or_withdraw(accounts, catalog, body):
    pk = api(accounts["caseworker"]).post("/api/v1/applications/", body, format="json").json()["id"]
    supervisor = api(accounts["supervisor"])
    for action in ("submit", "withdraw"):
        response = supervisor.post(f"/api/v1/applications/{pk}/{action}/", {}, format="json")
        assert response.status_code == 400
    assert Application.objects.get(pk=pk).state == "draft"


def test_listing_applications_with_personal_data_is_audited(accounts, catalog, body):
    from integrity.models import AccessLog

    cw = api(accounts["caseworker"])
    pk = cw.post("/api/v1/applications/", body, format="json").json()["id"]
    cw.get("/api/v1/applications/")
    assert AccessLog.objects.filter(object_type="application", object_id=pk).exists()
