"""The case clocks after verification and after an objection, and "income unstable" recorded at
the home survey (issue 8, item 7; SPEC §6)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applicants import applications as intake
from applicants.applications import workday_overrides
from applicants.models import Application, Household, TimeLimit, WorkdayOverride, time_limit
from applicants.workdays import add_workdays
from eligibility.selectors import overdue_applications
from eligibility.services import cases as workflow
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db


def filed(caseworker):
    data = {
        "village": "371002001003",
        "address": "张村镇西村9号",
        "requested": "dibao",
        "members": [
            {
                "relation": "applicant",
                "name": "周海燕",
                "id_number": id_number_for(52, birth=dt.date(1979, 6, 2), male=False),
                "monthly_income": "300.00",
            }
        ],
        "assets": {"financial": "0", "houses": "1", "vehicles": "0"},
    }
    app = intake.application_draft_save(by=caseworker, data=data)
    number = app.data["members"][0]["id_number"]
    return intake.application_submit(application=app, by=caseworker, signers=[number])


def verifying(caseworker):
    app = filed(caseworker)
    intake.application_accept(application=app, by=caseworker)
    workflow.application_verify(application=app, by=caseworker)
    return app


def survey(app, caseworker, **extra):
    kwargs = {
        "visited_on": timezone.localdate(),
        "staff": ["王强", "赵敏"],
        "findings": "在家",
        "signed": True,
    }
    return workflow.application_survey(application=app, by=caseworker, **kwargs | extra)


def investigation_due(on):
    return add_workdays(on, time_limit(TimeLimit.Code.INVESTIGATION_DAYS), workday_overrides())


def travel_to(monkeypatch, day):
    """Move the platform's clock (the only thing outside the project these tests replace)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_verification_outcome_stops_its_clock_and_starts_the_survey_clock(accounts, catalog):
    cw = accounts["caseworker"]
    app = verifying(cw)
    app.refresh_from_db()
    assert app.due_for == "verification"
    workflow.verification_record(application=app, by=cw, summary="无异常")
    app.refresh_from_db()
    assert (app.due_for, app.due_on) == ("survey", investigation_due(timezone.localdate()))
    assert app.get_due_for_display() == "入户调查"


def test_outcome_recorded_late_is_no_longer_overdue_for_verification(
    accounts, catalog, monkeypatch
):
    cw = accounts["caseworker"]
    app = verifying(cw)
    app.refresh_from_db()
    late = app.due_on + dt.timedelta(days=1)
    travel_to(monkeypatch, late)
    assert app in overdue_applications(user=accounts["supervisor"])
    workflow.verification_record(application=app, by=cw, summary="无异常")
    assert app not in overdue_applications(user=accounts["supervisor"])
    app.refresh_from_db()
    assert app.due_on == investigation_due(late)


def test_correcting_the_outcome_does_not_extend_the_survey_clock(accounts, catalog, monkeypatch):
    cw = accounts["caseworker"]
    app = verifying(cw)
    workflow.verification_record(application=app, by=cw, summary="无异常")
    app.refresh_from_db()
    due = app.due_on
    travel_to(monkeypatch, due)
    workflow.verification_record(application=app, by=cw, summary="更正：有一辆车", vehicles_found=1)
    app.refresh_from_db()
    assert (app.due_for, app.due_on) == ("survey", due)


def test_survey_clock_passed_shows_the_case_as_overdue(client, accounts, catalog, monkeypatch):
    cw = accounts["caseworker"]
    app = verifying(cw)
    workflow.verification_record(application=app, by=cw, summary="无异常")
    app.refresh_from_db()
    travel_to(monkeypatch, app.due_on)
    assert app not in overdue_applications(user=accounts["supervisor"])
    travel_to(monkeypatch, app.due_on + dt.timedelta(days=1))
    assert app in overdue_applications(user=accounts["supervisor"])
    client.force_login(accounts["supervisor"])
    page = client.get("/oversight/overdue/").content.decode()
    assert f"#{app.pk}" in page and "入户调查" in page


def test_survey_clock_counts_working_days_with_the_overrides(accounts, catalog):
    cw = accounts["caseworker"]
    app = verifying(cw)
    today = timezone.localdate()
    # The next three days become rest days: the limit moves past them.
    for i in (1, 2, 3):
        WorkdayOverride.objects.create(day=today + dt.timedelta(days=i), is_workday=False)
    workflow.verification_record(application=app, by=cw, summary="无异常")
    app.refresh_from_db()
    assert app.due_on == investigation_due(today) > add_workdays(today, 3)


def test_survey_stops_the_survey_clock(accounts, catalog):
    cw = accounts["caseworker"]
    app = verifying(cw)
    workflow.verification_record(application=app, by=cw, summary="无异常")
    app.refresh_from_db()
    survey(app, cw)
    app.refresh_from_db()
    assert (app.state, app.due_on, app.due_for) == ("surveyed", None, "")


def notice(caseworker):
    app = verifying(caseworker)
    workflow.verification_record(application=app, by=caseworker, summary="无异常")
    app.refresh_from_db()
    survey(app, caseworker)
    workflow.application_propose(application=app, by=caseworker, opinion="建议纳入")
    workflow.public_notice_open(application=app, by=caseworker)
    app.refresh_from_db()
    return app


def test_objection_gives_the_resurvey_the_investigation_limit(accounts, catalog):
    cw = accounts["caseworker"]
    app = notice(cw)
    assert app.due_for == "decision"
    workflow.objection_record(application=app, by=cw, text="邻居反映家中有车")
    app.refresh_from_db()
    assert app.state == "verifying"
    assert (app.due_for, app.due_on) == ("survey", investigation_due(timezone.localdate()))


def test_objection_limit_follows_a_new_time_limit_row(accounts, catalog):
    cw = accounts["caseworker"]
    app = notice(cw)
    TimeLimit.objects.create(
        code="investigation_days", value=7, effective_from=timezone.localdate()
    )
    workflow.objection_record(application=app, by=cw, text="有异议")
    app.refresh_from_db()
    assert app.due_on == add_workdays(timezone.localdate(), 7, workday_overrides())


def test_resurvey_not_done_in_time_is_overdue_and_the_resurvey_clears_it(
    accounts, catalog, monkeypatch
):
    cw = accounts["caseworker"]
    app = notice(cw)
    workflow.objection_record(application=app, by=cw, text="有异议")
    app.refresh_from_db()
    # The old verification stands; a correction after the objection keeps the survey clock.
    workflow.verification_record(application=app, by=cw, summary="复核：无车")
    app.refresh_from_db()
    assert app.due_on == investigation_due(timezone.localdate())
    travel_to(monkeypatch, app.due_on + dt.timedelta(days=1))
    assert app in overdue_applications(user=accounts["supervisor"])
    survey(app, cw)  # a day late, but done: off the overdue list
    assert app not in overdue_applications(user=accounts["supervisor"])


# --- income unstable (收入不稳定), recorded at the home survey ----------------------------------


def test_survey_records_income_unstable_with_history(accounts, catalog):
    cw = accounts["caseworker"]
    app = verifying(cw)
    workflow.verification_record(application=app, by=cw, summary="无异常")
    app.refresh_from_db()
    household = app.household
    assert household.income_unstable is False
    survey(app, cw, income_unstable=True)
    household.refresh_from_db()
    assert household.income_unstable is True
    history = household.events.order_by("pgh_id").values_list("income_unstable", flat=True)
    assert list(history)[-2:] == [False, True]


def test_survey_without_the_fact_leaves_it(accounts, catalog):
    cw = accounts["caseworker"]
    app = verifying(cw)
    workflow.verification_record(application=app, by=cw, summary="无异常")
    app.refresh_from_db()
    Household.objects.filter(pk=app.household_id).update(income_unstable=True)
    events = app.household.events.count()
    survey(app, cw)  # income_unstable=None: not asked
    app.household.refresh_from_db()
    assert app.household.income_unstable is True
    assert app.household.events.count() == events


def test_survey_form_on_the_case_page_records_income_unstable(client, accounts, catalog):
    cw = accounts["caseworker"]
    app = verifying(cw)
    workflow.verification_record(application=app, by=cw, summary="无异常")
    client.force_login(cw)
    page = client.get(f"/cases/{app.pk}/").content.decode()
    assert 'name="income_unstable"' in page and "收入不稳定（需每6个月复核）" in page
    response = client.post(
        f"/cases/{app.pk}/",
        {
            "action": "survey",
            "visited_on": timezone.localdate().isoformat(),
            "staff1": "王强",
            "staff2": "赵敏",
            "findings": "打零工，收入时有时无",
            "signed": "on",
            "income_unstable": "on",
        },
    )
    assert response.status_code in (200, 302)
    assert Application.objects.get(pk=app.pk).state == "surveyed"
    assert Household.objects.get(pk=app.household_id).income_unstable is True


def test_survey_api_takes_income_unstable(accounts, catalog):
    cw = accounts["caseworker"]
    app = verifying(cw)
    workflow.verification_record(application=app, by=cw, summary="无异常")
    api = APIClient()
    api.force_authenticate(cw)
    payload = {
        "visited_on": timezone.localdate().isoformat(),
        "staff": ["王强", "赵敏"],
        "findings": "属实",
        "signed": True,
        "income_unstable": "不知道",
    }
    bad = api.post(f"/api/v1/applications/{app.pk}/survey/", payload, format="json")
    assert bad.status_code == 400 and "income_unstable" in bad.json()
    payload["income_unstable"] = True
    ok = api.post(f"/api/v1/applications/{app.pk}/survey/", payload, format="json")
    assert ok.status_code == 200, ok.json()
    assert Household.objects.get(pk=app.household_id).income_unstable is True


def test_a_submitted_application_has_an_acceptance_deadline_from_the_time_limit(accounts, catalog):
    """Submitted but not yet accepted: the township's clock runs from submission, by the
    ``acceptance_days`` row in working days (data, not a literal), and stops at return."""
    cw = accounts["caseworker"]
    app = filed(cw)
    app.refresh_from_db()
    expected = add_workdays(
        timezone.localdate(), time_limit(TimeLimit.Code.ACCEPTANCE_DAYS), workday_overrides()
    )
    assert (app.due_for, app.due_on) == ("accept", expected)
    assert app.get_due_for_display() == "受理"
    intake.application_return(application=app, by=cw, missing_items=["户口簿"])
    app.refresh_from_db()
    assert (app.due_on, app.due_for) == (None, "")


def test_a_new_acceptance_limit_applies_from_its_date(accounts, catalog):
    cw = accounts["caseworker"]
    TimeLimit.objects.create(
        code=TimeLimit.Code.ACCEPTANCE_DAYS, value=1, effective_from=timezone.localdate()
    )
    app = filed(cw)
    app.refresh_from_db()
    assert app.due_on == add_workdays(timezone.localdate(), 1, workday_overrides())


def test_a_submitted_application_left_unaccepted_is_overdue_and_shows_in_the_inbox(
    accounts, catalog, client, monkeypatch
):
    cw = accounts["caseworker"]
    app = filed(cw)
    app.refresh_from_db()
    travel_to(monkeypatch, app.due_on + dt.timedelta(days=1))
    assert app.pk in set(overdue_applications(user=cw).values_list("pk", flat=True))
    client.force_login(cw)
    html = client.get("/cases/").content.decode()
    assert app.due_on.strftime("%Y-%m-%d") in html and "受理" in html and "超期 1 天" in html
