"""Payroll over the API and the pages (issue 9): order, approve (four eyes), export, download,
return file; lines in scope, masked outside personal data; a citizen's own payments."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from applicants.models import Person
from eligibility.services.enrollments import this_month
from integrity.models import AccessLog
from payments.models import Batch, Line
from tests.payments.conftest import generate
from tests.payments.test_bank_files import return_file

pytestmark = pytest.mark.django_db

M = this_month()


@pytest.fixture
def outbox(tmp_path, settings):
    settings.PAYMENTS_OUTBOX = tmp_path
    return tmp_path


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_whole_round_over_the_api(enrolled, approvers, accounts, outbox):
    orderer, other = approvers
    body = {"county": "371002", "month": f"{M:%Y-%m}"}
    created = api(orderer).post("/api/v1/payroll-batches/", body, format="json")
    assert created.status_code == 201, created.json()
    again = api(orderer).post("/api/v1/payroll-batches/", body, format="json")
    assert again.json()["id"] == created.json()["id"]
    batch = generate(Batch.objects.get(pk=created.json()["id"]))

    url = f"/api/v1/payroll-batches/{batch.pk}/"
    detail = api(other).get(url).json()
    assert detail["state"] == "draft" and detail["line_count"] == 6
    assert sum(float(r["total"]) for r in detail["summary"]["townships"]) == float(
        detail["total_amount"]
    )
    refused = api(orderer).post(f"{url}approve/")
    assert refused.status_code == 400 and "不能审批" in str(refused.json())
    assert api(accounts["supervisor"]).post(f"{url}approve/").status_code == 400
    assert api(other).post(f"{url}approve/").json()["state"] == "approved"
    exported = api(orderer).post(f"{url}export/", {"encoding": "gbk"}, format="json")
    assert exported.json()["state"] == "exported"

    files = api(orderer).get("/api/v1/bank-files/", {"batch": batch.pk}).json()["results"]
    assert len(files) == 1
    download = api(orderer).get(f"/api/v1/bank-files/{files[0]['id']}/download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("gbk"))))
    assert rows[-1][0] == "T" and int(rows[-1][1]) == 6

    from payments.models import BankFile

    bank_file = BankFile.objects.get(pk=files[0]["id"])
    failed = int(rows[0][1])
    upload = io.BytesIO(return_file(bank_file, {failed: "E2"}, encoding="gbk"))
    upload.name = "return.csv"
    answer = api(orderer).post(
        f"/api/v1/bank-files/{bank_file.pk}/return/", {"file": upload}, format="multipart"
    )
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["paid_count"], answer.json()["failed_count"]) == (5, 1)
    assert Batch.objects.get(pk=batch.pk).state == "reconciled"
    assert Line.objects.get(pk=failed).failure == "closed_account"


def test_a_rejected_return_file_answers_400_with_the_reason(enrolled, approvers, outbox):
    from payments.services import bankfiles, batches

    batch = generate(
        batches.batch_start(
            county=Batch._meta.get_field("county").related_model.objects.get(code="371002"),
            month=M,
            user=approvers[0],
        )
    )
    batches.batch_approve(batch=batch, user=approvers[1])
    bankfiles.batch_export(batch=batch, user=approvers[0])
    bank_file = batch.bank_files.get()
    upload = io.BytesIO(b"R,1,6217,1.00,0,\nT,1,1.00\n")
    upload.name = "r.csv"
    answer = api(approvers[0]).post(
        f"/api/v1/bank-files/{bank_file.pk}/return/", {"file": upload}, format="multipart"
    )
    assert answer.status_code == 400
    assert "回盘" in str(answer.json()["file"])


def test_lines_are_scoped_and_masked(enrolled, approvers, accounts, make_user):
    from payments.services import batches

    county = Batch._meta.get_field("county").related_model.objects.get(code="371002")
    generate(batches.batch_start(county=county, month=M, user=approvers[0]))
    other_township = make_user(region_code="371002002")  # 羊亭镇: none of these households
    assert api(other_township).get("/api/v1/payment-lines/").json()["count"] == 0
    own = api(accounts["caseworker"]).get("/api/v1/payment-lines/").json()
    assert own["count"] == 6
    line = Line.objects.get(pk=own["results"][0]["id"])
    assert own["results"][0]["bank_account"] == line.bank_account
    assert AccessLog.objects.filter(
        object_type="payment_line", user=accounts["caseworker"]
    ).exists()
    masked = api(accounts["supervisor"]).get("/api/v1/payment-lines/").json()["results"][0]
    assert masked["bank_account"].startswith("****") and masked["bank_account"][-4:]
    assert "*" in masked["payee_name"]
    assert AccessLog.objects.filter(  # masked reads are logged too (issue 14)
        object_type="payment_line", user=accounts["supervisor"], masked=True
    ).exists()
    for role in ("department", "organization", "village"):
        assert api(accounts[role]).get("/api/v1/payment-lines/").json()["count"] == 0
        assert api(accounts[role]).get("/api/v1/payroll-batches/").json()["count"] == 0
    rushan = make_user(role="approver", region_code="371083")
    assert api(rushan).get(f"/api/v1/payroll-batches/{Batch.objects.get().pk}/").status_code == 404


def test_approver_orders_and_approves_on_the_pages(enrolled, approvers, client):
    orderer, other = approvers
    client.force_login(orderer)
    page = client.get(reverse("payroll_batches"))
    assert page.status_code == 200 and "生成发放批次" in page.content.decode()
    answer = client.post(
        reverse("payroll_batches"), {"county": "371002", "month": f"{M:%Y-%m}", "kind": "monthly"}
    )
    batch = Batch.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "payroll_batch", args=[batch.pk]
    )
    generating = client.get(reverse("payroll_batch", args=[batch.pk])).content.decode()
    assert "生成进度" in generating
    generate(batch)
    text = client.get(reverse("payroll_batch", args=[batch.pk])).content.decode()
    assert "按镇街合计" in text and "张村镇" in text
    assert "生成批次的人不能审批同一批次" in text
    client.force_login(other)
    client.post(reverse("payroll_batch", args=[batch.pk]), {"action": "approve"})
    assert Batch.objects.get().state == "approved"


def test_caseworker_corrects_a_failed_account_on_the_outstanding_page(
    enrolled, approvers, accounts, client
):
    from payments.services import batches

    county = Batch._meta.get_field("county").related_model.objects.get(code="371002")
    Person.objects.filter(relation="applicant").update(bank_account="")
    generate(batches.batch_start(county=county, month=M, user=approvers[0]))
    client.force_login(accounts["caseworker"])
    page = client.get(reverse("payroll_outstanding")).content.decode()
    assert "无银行账户" in page
    line = Line.objects.filter(status="held").first()
    bad = client.post(
        reverse("payroll_outstanding"),
        {"line": line.pk, "bank_name": "威海市商业银行", "bank_account": "12"},
        follow=True,
    )
    assert "10 至 30 位数字" in bad.content.decode()
    client.post(
        reverse("payroll_outstanding"),
        {
            "line": line.pk,
            "bank_name": "威海市商业银行",
            "bank_account": "6217000011112222",
        },
    )
    assert Person.objects.get(pk=line.payee_id).bank_account == "6217000011112222"
    client.force_login(accounts["supervisor"])  # read-only: sees, cannot correct
    assert "更正账户" not in client.get(reverse("payroll_outstanding")).content.decode()
    answer = client.post(
        reverse("payroll_outstanding"),
        {"line": line.pk, "bank_name": "x银行", "bank_account": "6217000011113333"},
    )
    assert Person.objects.get(pk=line.payee_id).bank_account == "6217000011112222"
    assert answer.status_code in (302, 404)


def test_citizen_sees_own_payments_with_the_account_masked(enrolled, approvers, accounts, client):
    from payments.services import batches

    county = Batch._meta.get_field("county").related_model.objects.get(code="371002")
    generate(batches.batch_start(county=county, month=M, user=approvers[0]))
    line = Line.objects.order_by("pk").first()
    Person.objects.filter(pk=line.payee_id).update(user=accounts["citizen"])
    client.force_login(accounts["citizen"])
    text = client.get(reverse("my_payments")).content.decode()
    assert str(line.amount) in text
    assert line.bank_account not in text and line.bank_account[-4:] in text
    assert Line.objects.count() == 6
    mine = api(accounts["citizen"]).get("/api/v1/payment-lines/").json()
    assert mine["count"] == 1 and mine["results"][0]["id"] == line.pk
