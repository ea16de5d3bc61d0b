"""Payroll run twice at once (issue 9): real concurrent transactions, one result each time."""

import pytest
from django.db.models import Count

from applicants.models import Role
from eligibility.services.enrollments import this_month
from payments.models import BankFile, Batch, Line
from payments.services import bankfiles, batches
from tests.applicants.test_races import together
from tests.payments.conftest import county, generate
from tests.payments.test_bank_files import return_file

pytestmark = pytest.mark.django_db(transaction=True)

M = this_month()


@pytest.fixture
def outbox(tmp_path, settings):
    settings.PAYMENTS_OUTBOX = tmp_path
    return tmp_path


def test_ordering_and_generating_at_once_from_six_sessions_writes_one_set(enrolled, approvers):
    def order_and_generate(_i):
        batch = batches.batch_start(county=county(), month=M, user=approvers[0], chunk_size=2)
        return generate(batch).pk

    results = together(order_and_generate)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Batch.objects.count() == 1
    assert Line.objects.count() == 6
    assert not (
        Line.objects.values("enrollment", "month").annotate(n=Count("id")).filter(n__gt=1).exists()
    )


def test_approve_export_and_reconcile_at_once_each_happen_once(
    enrolled, approvers, make_user, outbox
):
    batch = generate(batches.batch_start(county=county(), month=M, user=approvers[0]))
    others = [approvers[1]] + [
        make_user(role=Role.APPROVER, region_code="371002") for _ in range(5)
    ]

    results = together(lambda i: batches.batch_approve(batch=batch, user=others[i]))
    approved = [r for r in results if isinstance(r, Batch)]
    assert len(approved) == 1, results
    batch.refresh_from_db()
    assert batch.state == Batch.State.APPROVED

    results = together(lambda i: bankfiles.batch_export(batch=batch, user=approvers[0]).pk)
    assert results == [batch.pk] * 6
    assert BankFile.objects.count() == 1
    bank_file = BankFile.objects.get()
    data = return_file(bank_file)

    results = together(
        lambda i: (
            bankfiles.bank_file_reconcile(bank_file=bank_file, data=data, user=approvers[0]).pk
        )
    )
    assert results == [bank_file.pk] * 6
    assert Line.objects.filter(status="paid").count() == 6
    assert Batch.objects.get().state == Batch.State.RECONCILED
