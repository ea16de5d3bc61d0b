"""The demo's cases tell one story (issue 13, item 8): an overdue case was accepted long enough
ago for its limits to have passed, and its letter's dates agree with its limits."""

import pytest
from django.utils import timezone

from applicants.models import Application

pytestmark = pytest.mark.django_db


def test_overdue_demo_cases_have_dates_that_agree(accounts):
    from applicants import demo
    from eligibility import demo as eligibility_demo
    from eligibility.demo_cases import seed_cases

    demo.seed_households(count=45)
    eligibility_demo.seed()
    seed_cases(limit=30)
    today = timezone.localdate()
    late = Application.objects.filter(state="accepted", due_on__lt=today)
    assert late.exists()
    for app in late:
        accepted = timezone.localdate(app.accepted_at)
        assert timezone.localdate(app.submitted_at) <= accepted < app.due_on < app.case_due_on
        assert app.case_due_on < today  # overdue on the closing limit too
    submitted = Application.objects.filter(state="submitted")
    assert submitted.exists()
    assert all(a.due_for == "accept" and a.due_on for a in submitted)
