"""Property (issue 9): whatever the ledger does between payrolls — raises and cuts dated back,
stops dated back — once the next payroll has run, every month paid adds up to the ledger's
amount due for it: regular and back-pay lines, less what receivables took back. No line twice,
no receivable below zero, every withholding accounted for."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.models import Enrollment
from eligibility.selectors import amounts_due
from eligibility.services.enrollments import add_months, this_month
from payments.models import Batch, Line, Receivable, ReceivableItem
from tests.payments.conftest import ledger_row, payroll

pytestmark = pytest.mark.django_db

M = this_month()
MONTHS = [add_months(M, k) for k in (-3, -2, -1, 0)]

change = st.tuples(
    st.integers(0, 5),  # which enrollment
    st.integers(-4, 0),  # effective from, in months from the batch about to run
    st.integers(-40, 40).map(lambda n: Decimal(n * 10)),  # the change, in yuan
)
stop = st.tuples(st.integers(0, 5), st.integers(-4, 0))  # enrollment, last month paid
step = st.tuples(st.lists(change, max_size=3), st.lists(stop, max_size=1))


def months_paid():
    return {
        (eid, month): total
        for eid, month, total in Line.objects.filter(kind__in=["regular", "backpay"])
        .values_list("enrollment_id", "month")
        .annotate(total=Sum("due_amount"))
    }


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=len(MONTHS), max_size=len(MONTHS)))
def test_every_month_paid_adds_up_to_the_ledger(enrolled, approvers, steps):
    with transaction.atomic():
        enrollments = list(
            Enrollment.objects.filter(
                household__village__path__startswith="371000/371002/"
            ).order_by("pk")
        )
        for month, (changes, stops) in zip(MONTHS, steps, strict=True):
            for index, back, delta in changes:
                enrollment = enrollments[index]
                since = add_months(month, back)
                before = amounts_due(month=since, enrollment_ids=[enrollment.pk]).get(
                    enrollment.pk, Decimal("0.00")
                )
                ledger_row(enrollment, max(before + delta, Decimal("0.00")), since)
            for index, back in stops:
                Enrollment.objects.filter(pk=enrollments[index].pk).update(
                    end_month=add_months(month, back - 1), status="stopped"
                )
            payroll(approvers[0], month)

        paid = months_paid()
        taken = {
            (eid, month): total
            for eid, month, total in ReceivableItem.objects.values_list(
                "enrollment_id", "month"
            ).annotate(total=Sum("amount"))
        }
        for month in MONTHS:
            due = amounts_due(month=month, enrollment_ids=[e.pk for e in enrollments])
            for e in enrollments:
                net = paid.get((e.pk, month), Decimal(0)) - taken.get((e.pk, month), Decimal(0))
                assert net == due.get(e.pk, Decimal("0.00")), (e.pk, month)

        assert not (
            Line.objects.filter(kind="regular")
            .values("enrollment", "month")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .exists()
        )
        withheld = Line.objects.aggregate(s=Sum("withheld"))["s"] or Decimal(0)
        recovered = sum((r.total - r.balance for r in Receivable.objects.all()), Decimal(0))
        assert withheld == recovered
        assert all(r.balance >= 0 for r in Receivable.objects.all())
        assert Batch.objects.count() == len(MONTHS)
        transaction.set_rollback(True)
