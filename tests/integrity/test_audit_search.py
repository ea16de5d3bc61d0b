"""The audit trail searched by the supervisor (issue 11 item 1): who, what, when, which
household, exported; an attempt to edit a row through the platform is refused and kept."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from integrity.models import AccessLog, RefusedAttempt
from tests.integrity.helpers import case_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(staff):
    return case_at("enrolled", staff)


def _search(reader, **params):
    api = APIClient()
    api.force_authenticate(reader)
    response = api.get("/api/v1/audit-trail/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_search_by_household_shows_steps_changes_and_reads_of_that_household(staff, case):
    household = case["household"]
    reader = Client()
    reader.force_login(staff["caseworker"])
    reader.get(f"/households/{household.pk}/")
    rows = _search(staff["supervisor"], household=household.pk)
    kinds = {r["kind"] for r in rows}
    assert {"step", "change", "read"} <= kinds
    assert all(r["household"] == household.pk for r in rows)
    steps = [r["action"] for r in rows if r["kind"] == "step"]
    assert "approve" in steps and "accept" in steps
    assert any(r["kind"] == "read" and r["user"] == "caseworker" for r in rows)


def test_search_by_user_kind_action_and_dates(staff, case):
    import datetime as dt

    from django.utils import timezone

    rows = _search(staff["supervisor"], user="approver", kind="step")
    assert rows and {r["user"] for r in rows} == {"approver"}
    assert {r["action"] for r in rows} == {"approve", "enroll"}
    assert _search(staff["supervisor"], action="approve", kind="step")
    today = timezone.localdate()
    assert _search(staff["supervisor"], since=today.isoformat(), kind="step")
    assert not _search(staff["supervisor"], until=(today - dt.timedelta(days=1)).isoformat())
    assert not _search(staff["supervisor"], user="nobody-at-all")


def test_a_change_shows_before_and_after_masked_for_the_supervisor(staff, case):
    from applicants.models import Person

    person = case["members"][1]
    Person.objects.filter(pk=person.pk).update(phone="13900001111")
    rows = _search(staff["supervisor"], household=case["household"].pk, kind="change")
    change = next(
        r for r in rows if r["object_type"] == "applicants.person" and r["action"] == "update"
    )
    phone = next(c for c in change["changes"] if c["field"] == "phone")
    assert phone["after"] == "139****1111"  # masked for the supervisor
    admin = _search(staff["admin"], household=case["household"].pk, kind="change")
    change = next(r for r in admin if r["key"] == change["key"])
    assert next(c for c in change["changes"] if c["field"] == "phone")["after"] == "13900001111"


def test_bad_filters_are_field_errors(staff):
    api = APIClient()
    api.force_authenticate(staff["supervisor"])
    for params in ({"kind": "x"}, {"since": "2026-02-30"}, {"household": "abc"}, {"action": "a;b"}):
        response = api.get("/api/v1/audit-trail/", params)
        assert response.status_code == 400 and set(response.json()) == set(params)


def test_only_the_supervisor_and_the_administrator_search(staff, case):
    for username in ("caseworker", "approver", "citizen", "department"):
        client = Client()
        client.force_login(staff[username])
        assert client.get("/oversight/audit/").status_code == 404
        api = APIClient()
        api.force_authenticate(staff[username])
        assert api.get("/api/v1/audit-trail/").status_code == 404


def test_the_page_and_its_excel_export(staff, case):
    client = Client()
    client.force_login(staff["supervisor"])
    html = client.get("/oversight/audit/", {"household": case["household"].pk}).content.decode()
    assert "approve" in html and case["members"][0].id_number not in html
    response = client.get("/oversight/audit/export.xlsx", {"kind": "step"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and any(r[2] == "approve" for r in rows[1:])
    assert AccessLog.objects.filter(object_type="export:audit_trail", user=staff["supervisor"])


def test_editing_an_audit_row_through_the_api_is_refused_and_kept(staff, case):
    row = _search(staff["supervisor"], kind="step")[0]
    api = APIClient()
    api.force_authenticate(staff["admin"])
    assert api.get(f"/api/v1/audit-trail/{row['key']}/").json()["key"] == row["key"]
    for method in ("put", "patch", "delete"):
        response = getattr(api, method)(f"/api/v1/audit-trail/{row['key']}/", {"action": "x"})
        assert response.status_code == 405
    assert api.delete("/api/v1/audit-trail/").status_code == 405
    attempts = RefusedAttempt.objects.filter(kind="audit_edit", user=staff["admin"])
    assert attempts.count() == 4
    assert {a.detail for a in attempts} == {"PUT", "PATCH", "DELETE"}
    # the refusals are in the trail the supervisor searches
    assert len(_search(staff["supervisor"], kind="refused")) == 4


def test_editing_an_audit_row_in_the_admin_is_refused_and_kept(staff, case):
    log = AccessLog.objects.create(
        user=staff["caseworker"], object_type="person", object_id=1, fields="name", channel="page"
    )
    admin = Client()
    admin.force_login(staff["admin"])
    url = f"/admin/integrity/accesslog/{log.pk}/change/"
    assert admin.get(url).status_code == 200  # readable
    assert admin.post(url, {"object_type": "x"}).status_code == 403
    assert (
        admin.post(f"/admin/integrity/accesslog/{log.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = admin.post(
        "/admin/integrity/accesslog/", {"action": "delete_selected", "_selected_action": [log.pk]}
    )
    assert response.status_code in (200, 302, 403)
    log.refresh_from_db()
    assert log.object_type == "person"
    attempts = RefusedAttempt.objects.filter(kind="audit_edit", channel="admin")
    assert attempts.count() == 3
    assert {a.target for a in attempts} >= {f"integrity.AccessLog:{log.pk}"}


def test_a_masked_reader_sees_only_allow_listed_keys_of_a_change(staff, case):
    """A change's values reach the supervisor through an allow-list: the household's new
    village (which gives back the county and the masked ID's hidden digits) shows as null."""
    from applicants.models import Household, Region

    household = case["household"]
    other = Region.objects.filter(level="village").exclude(pk=household.village_id).first()
    Household.objects.filter(pk=household.pk).update(village=other, income_unstable=True)
    rows = _search(staff["supervisor"], household=household.pk, kind="change")
    change = next(
        r
        for r in rows
        if r["object_type"] == "applicants.household"
        and any(c["field"] == "village_id" for c in r["changes"])
    )
    shown = {c["field"]: c for c in change["changes"]}
    assert shown["village_id"]["before"] is None and shown["village_id"]["after"] is None
    assert shown["income_unstable"]["after"] is None  # an income fact
    admin = _search(staff["admin"], household=household.pk, kind="change")
    same = next(r for r in admin if r["key"] == change["key"])
    village = next(c for c in same["changes"] if c["field"] == "village_id")
    assert village["after"] == str(other.pk)


def test_a_logged_search_does_not_give_the_supervisor_what_was_searched_for(staff, case):
    """A caseworker's export is logged with its query string; the supervisor reads the entry
    with the filters it used but not the ID number or name searched for."""
    number = case["members"][0].id_number
    reader = Client()
    reader.force_login(staff["caseworker"])
    assert reader.get("/households/export.xlsx", {"q": number}).status_code == 200
    rows = _search(staff["supervisor"], user="caseworker", kind="read")
    exported = next(r for r in rows if r["object_type"] == "export:household")
    assert number not in exported["detail"] and "q=***" in exported["detail"]
    client = Client()
    client.force_login(staff["supervisor"])
    sheet = client.get("/oversight/audit/export.xlsx", {"user": "caseworker", "kind": "read"})
    book = load_workbook(io.BytesIO(b"".join(sheet.streaming_content)), read_only=True)
    assert number not in str(list(book.active.iter_rows(values_only=True)))
    admin = _search(staff["admin"], user="caseworker", kind="read")
    assert any(number in r["detail"] for r in admin if r["object_type"] == "export:household")


@pytest.mark.parametrize("digits", ["²", "١٢٣", "１２"])
def test_unicode_digits_in_the_audit_search_are_refused_not_a_500(staff, digits):
    """str.isdigit() takes "²" (int() then fails) and "١٢٣" (int() reads 123): every number of
    the audit search is ASCII digits, else a field error (API), the page's error, or a 404."""
    api = APIClient()
    api.force_authenticate(staff["supervisor"])
    for params in ({"household": digits}, {"page": digits}):
        response = api.get("/api/v1/audit-trail/", params)
        assert response.status_code == 400 and set(response.json()) == set(params)
    assert api.get(f"/api/v1/audit-trail/applicants_person.{digits}/").status_code == 404
    client = Client()
    client.force_login(staff["supervisor"])
    page = client.get("/oversight/audit/", {"household": digits})
    assert page.status_code == 200 and "家庭编号应为数字" in page.content.decode()
    assert client.get("/oversight/audit/", {"page": digits}).status_code == 200
    assert client.get("/oversight/audit/export.xlsx", {"household": digits}).status_code == 400
    notices = client.get("/notices/", {"region": digits})
    assert notices.status_code == 200 and "区划代码应为数字" in notices.content.decode()
