"""The dishonesty register (失信记录, SPEC §9; issue 11 item 3): made by a fraud receivable,
flagging any new application of the recorded person, removed only by the county with reasons,
exported for the credit platform."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from integrity.models import AccessLog, DishonestyRecord, DishonestyRemoval, RefusedAttempt
from tests.integrity.helpers import case_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def fraud(staff):
    """An enrolled household found to have lied: the county records the overpayment as fraud
    with a fine of 2 times, the household repays 40."""
    from payments.models import Receivable

    ctx = case_at("enrolled", staff)
    enrollment = ctx["household"].enrollments.first()
    # a receivable as payments keeps it (60 of 100 still owed); the register's row is
    # written by integrity's service, as receivable_record does (test below)
    receivable = Receivable.objects.create(
        household=ctx["household"],
        enrollment=enrollment,
        reason="fraud",
        schedule="repay",
        total=Decimal("100.00"),
        balance=Decimal("60.00"),
        fine_multiple=Decimal("2.0"),
        fine_amount=Decimal("200.00"),
        created_by=staff["approver"],
    )
    from integrity.services import dishonesty_record

    record = dishonesty_record(
        household=ctx["household"],
        person=ctx["members"][0],
        reason="隐瞒配偶务工收入",
        amount_obtained=Decimal("100.00"),
        fine_multiple=Decimal("2.0"),
        fine_amount=Decimal("200.00"),
        source=f"payments.Receivable:{receivable.pk}",
        by=staff["approver"],
    )
    return ctx | {"record": record, "receivable": receivable}


def _reapply(ctx, staff):
    from applicants import applications as intake
    from tests.applicants.test_roles_table import _draft_data

    return intake.application_draft_save(
        by=staff["caseworker"], data=_draft_data(ctx["household"], requested="temporary")
    )


def test_a_new_application_of_a_recorded_person_is_flagged_to_caseworker_and_approver(fraud, staff):
    app = _reapply(fraud, staff)
    for username in ("caseworker", "approver"):
        client = Client()
        client.force_login(staff[username])
        html = client.get(f"/cases/{app.pk}/").content.decode()
        assert "一处失信，处处受限" in html and 'id="dishonesty-flag"' in html, username
        api = APIClient()
        api.force_authenticate(staff[username])
        assert api.get(f"/api/v1/applications/{app.pk}/").json()["dishonesty_flag"] is True


def _clean_draft(staff):
    """A draft of another household, nobody on it recorded."""
    from applicants import applications as intake
    from tests.applicants.test_roles_table import VILLAGE
    from tests.factories import id_number_for

    member = {
        "relation": "applicant",
        "name": "赵清白",
        "id_number": id_number_for(911),
        "monthly_income": "100.00",
    }
    return intake.application_draft_save(
        by=staff["caseworker"],
        data={
            "village": VILLAGE,
            "address": "东村9号",
            "requested": "dibao",
            "members": [member],
            "assets": {"financial": "0", "houses": "1", "vehicles": "0"},
        },
    )


def test_the_flag_shows_in_the_inbox_and_the_api_list_and_agrees_with_the_case(
    fraud, staff, django_assert_max_num_queries
):
    """一处失信，处处受限 in the lists too: the inbox row and the API list's row carry the flag
    (one query for the page), the same answer as the case page's rule; a clean case does not."""
    from eligibility.selectors import dishonesty_flagged, dishonesty_flags

    flagged_app = _reapply(fraud, staff)
    clean = _clean_draft(staff)
    assert dishonesty_flagged([flagged_app.pk, clean.pk]) == {flagged_app.pk}
    assert bool(dishonesty_flags(flagged_app)) and not dishonesty_flags(clean)
    # a person declared on an application without a household on file is found by ID number
    clean.data = dict(clean.data or {}) | {
        "members": [{"id_number": fraud["members"][0].id_number.lower()}]
    }
    clean.household = None
    assert dishonesty_flagged([clean.pk]) == set()  # not saved yet: the database decides
    clean.save(update_fields=["data", "household"])
    assert dishonesty_flagged([clean.pk]) == {clean.pk} and dishonesty_flags(clean)

    client = Client()
    client.force_login(staff["caseworker"])
    html = client.get("/cases/?state=draft").content.decode()
    rows = {
        row.split('href="/cases/')[1].split("/")[0]: row
        for row in html.split("<tr")
        if 'href="/cases/' in row and "/cases/?" not in row.split('href="/cases/')[1][:2]
    }
    assert "flag-dishonesty" in rows[str(flagged_app.pk)]
    api = APIClient()
    api.force_authenticate(staff["caseworker"])
    listed = {
        a["id"]: a["dishonesty_flag"] for a in api.get("/api/v1/applications/").json()["results"]
    }
    assert listed[flagged_app.pk] is True and listed[clean.pk] is True
    fraud["record"].removal = None
    from integrity.models import DishonestyRemoval

    DishonestyRemoval.objects.create(
        record=fraud["record"], reasons="复议撤销", removed_by=staff["approver"]
    )
    listed = {
        a["id"]: a["dishonesty_flag"] for a in api.get("/api/v1/applications/").json()["results"]
    }
    assert listed[flagged_app.pk] is False and listed[clean.pk] is False


def test_a_person_without_a_record_is_not_flagged(staff):
    ctx = case_at("draft", staff)
    client = Client()
    client.force_login(staff["caseworker"])
    assert 'id="dishonesty-flag"' not in client.get(f"/cases/{ctx['app'].pk}/").content.decode()


def test_removal_only_by_the_county_approver_with_reasons_and_audited(fraud, staff):
    record = fraud["record"]
    for username in ("caseworker", "supervisor", "caseworker2"):
        api = APIClient()
        api.force_authenticate(staff[username])
        response = api.post(f"/api/v1/dishonesty-records/{record.pk}/remove/", {"reasons": "撤销"})
        assert response.status_code in (400, 404), username
    assert not DishonestyRemoval.objects.exists()
    assert RefusedAttempt.objects.filter(kind="dishonesty_removal").count() >= 1
    api = APIClient()
    api.force_authenticate(staff["approver"])
    blank = api.post(f"/api/v1/dishonesty-records/{record.pk}/remove/", {"reasons": " "})
    assert blank.status_code == 400
    done = api.post(
        f"/api/v1/dishonesty-records/{record.pk}/remove/", {"reasons": "复议撤销原认定"}
    )
    assert done.status_code == 200 and done.json()["active"] is False
    removal = DishonestyRemoval.objects.get()
    assert removal.removed_by == staff["approver"] and removal.reasons == "复议撤销原认定"
    again = api.post(f"/api/v1/dishonesty-records/{record.pk}/remove/", {"reasons": "再"})
    assert again.status_code == 400
    app = _reapply(fraud, staff)
    client = Client()
    client.force_login(staff["caseworker"])
    assert 'id="dishonesty-flag"' not in client.get(f"/cases/{app.pk}/").content.decode()
    # the record itself is unchanged and still in the register, marked removed
    record.refresh_from_db()
    assert record.reason == "隐瞒配偶务工收入"


def test_credit_export_csv_and_json_unmasked_for_the_county_masked_for_the_supervisor(fraud, staff):
    person = fraud["members"][0]
    approver = Client()
    approver.force_login(staff["approver"])
    response = approver.get("/oversight/dishonesty/credit-export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    row = rows[0]
    assert row["id_number"] == person.id_number and row["name"] == person.name
    assert row["amount_obtained"] == "100.00" and row["fine_multiple"] == "2.0"
    assert row["fine_amount"] == "200.00" and row["amount_recovered"] == "40.00"
    assert row["status"] == "active"
    api = APIClient()
    api.force_authenticate(staff["supervisor"])
    data = json.loads(
        api.get("/api/v1/dishonesty-records/credit-export/", {"file": "json"}).content
    )
    assert data["format"] == "weijiuni.credit-export" and data["count"] == 1
    masked = data["records"][0]
    assert masked["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert masked["name"] != person.name and masked["reason"] == ""
    reads = AccessLog.objects.filter(object_type="dishonesty_record")
    assert reads.filter(masked=False, user=staff["approver"]).exists()
    assert reads.filter(masked=True, user=staff["supervisor"]).exists()
    assert api.get("/api/v1/dishonesty-records/credit-export/", {"file": "xml"}).status_code == 400
    for username in ("caseworker", "citizen", "department"):
        other = APIClient()
        other.force_authenticate(staff[username])
        assert other.get("/api/v1/dishonesty-records/credit-export/").status_code == 404


def test_register_is_scoped_by_region(fraud, staff):
    for username, count in (("caseworker", 1), ("caseworker2", 0), ("approver", 1), ("citizen", 0)):
        api = APIClient()
        api.force_authenticate(staff[username])
        assert api.get("/api/v1/dishonesty-records/").json()["count"] == count, username


def test_a_fraud_receivable_writes_the_register_once(staff):
    from payments.services import receivables

    ctx = case_at("payroll", staff)
    from payments.models import Line
    from payments.services import batches

    batch = batches.batch_approve(batch=ctx["batch"], user=staff["admin"])
    Line.objects.filter(batch=batch).update(status="paid")
    line = Line.objects.filter(household=ctx["household"]).first()
    receivable = receivables.receivable_record(
        household=ctx["household"],
        user=staff["approver"],
        reason="fraud",
        items=[(line.month, line.amount)],
        enrollment=line.enrollment,
        fine_multiple="1.5",
        note="伪造材料",
    )
    record = DishonestyRecord.objects.get()
    assert record.source == f"payments.Receivable:{receivable.pk}"
    assert record.fine_multiple == Decimal("1.5") and record.amount_obtained == line.amount


@pytest.mark.django_db(transaction=True)
def test_two_removals_of_one_record_at_once_remove_it_once_and_refuse_the_other(fraud, staff):
    """The county's approver sends the removal twice at the same moment (a double click, two
    tabs): one removal is written, the other is a clear refusal — not a 500 on the unique key."""
    import threading

    from django.db import connections

    from applicants.errors import DomainError
    from weijiuni.oversight import services

    record = fraud["record"]
    barrier = threading.Barrier(2)
    results = []

    def remove(text):
        try:
            barrier.wait()
            services.dishonesty_remove(record=record, reasons=text, by=staff["approver"])
            results.append("ok")
        except DomainError as exc:
            results.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=remove, args=(t,)) for t in ("复议撤销", "复议撤销原认定")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "该失信记录已移除。"]
    assert DishonestyRemoval.objects.filter(record=record).count() == 1
    # and a second removal afterwards, through the API, is a field error too
    api = APIClient()
    api.force_authenticate(staff["approver"])
    again = api.post(f"/api/v1/dishonesty-records/{record.pk}/remove/", {"reasons": "再"})
    assert again.status_code == 400 and "non_field_errors" in again.json()
