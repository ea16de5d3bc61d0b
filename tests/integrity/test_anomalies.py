"""Fund-anomaly checks (issue 11 item 6): each check finds its planted case and not the clean
ones next to it; running twice (or twice at once) adds nothing; a finding that no longer holds
stays as history; the findings are read in scope and masked for the supervisor."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from applicants import masking
from applicants.models import (
    Application,
    ApplicationTransition,
    Household,
    Person,
    Region,
    Role,
)
from eligibility.models import Assessment, Category, Enrollment, EnrollmentAmount
from integrity import checks
from integrity.models import AccessLog, AnomalyFinding, AnomalyRun
from tests.eligibility.enrollments import make_enrollments
from tests.payments.conftest import payroll, with_accounts

Check = AnomalyFinding.Check


def _applicant(household: Household) -> Person:
    return household.members.get(relation="applicant")


def _enroll(household, policy, person, category=None):
    """A second enrollment on the household's own decision, as a hand-made record would be."""
    first = household.enrollments.order_by("pk").first()
    return Enrollment.objects.create(
        household=household,
        person=person,
        category=Category.objects.get(code=category or policy),
        policy_code=policy,
        monthly_amount=Decimal("300.00"),
        start_month=dt.date(2021, 1, 1),
        decision=first.decision,
        assessment=first.assessment,
    )


def _assessed(household, engine_amount: str, ledger_amount: str) -> EnrollmentAmount:
    """A review's assessment whose rules result pays ``engine_amount``, and the ledger row the
    review wrote from it with ``ledger_amount``."""
    enrollment = household.enrollments.get(person__isnull=True)
    old = enrollment.assessment
    assessment = Assessment.objects.create(
        household=household,
        on=dt.date(2021, 2, 20),
        inputs=old.inputs,
        parameters={},
        result={
            "results": [
                {
                    "policy": "dibao",
                    "member": None,
                    "eligible": True,
                    "monthly_amount": engine_amount,
                },
                {"policy": "dibao_edge", "member": None, "eligible": False, "monthly_amount": None},
            ]
        },
        created_by=old.created_by,
    )
    return EnrollmentAmount.objects.create(
        enrollment=enrollment,
        amount=Decimal(ledger_amount),
        effective_month=dt.date(2021, 3, 1),
        reason="复核",
        assessment=assessment,
    )


def _plant(accounts) -> dict:
    """Twelve 低保 households over 环翠区 and 乳山市 (village i % 4: 0, 1 环翠区; 2, 3 乳山市),
    two months of 环翠区's payroll, then one planted case and one clean twin for each check."""
    from eligibility import demo

    demo.seed()
    make_enrollments(count=12, admin=accounts["admin"])
    with_accounts()
    hh = list(Household.objects.order_by("pk"))
    payroll(accounts["approver"], dt.date(2021, 1, 1))
    payroll(accounts["approver"], dt.date(2021, 2, 1))
    planted: dict = {}

    # (a) the payee of 环翠区's hh[0] died in January: February's line went to the bank
    dead = _applicant(hh[0])
    Person.objects.filter(pk=dead.pk).update(status="deceased", status_on=dt.date(2021, 1, 15))
    planted[Check.PAID_AFTER_DEATH] = {f"person:{dead.pk}"}
    # clean: died in February (February is still due), and a non-payee member of a household
    # that lives on (the household's amount changes by review, not an anomaly)
    Person.objects.filter(pk=_applicant(hh[4]).pk).update(
        status="deceased", status_on=dt.date(2021, 2, 10)
    )
    for h in (hh[1], hh[5], hh[8], hh[9]):
        other = h.members.exclude(relation="applicant").first()
        if other is not None:
            Person.objects.filter(pk=other.pk).update(
                status="deceased", status_on=dt.date(2021, 1, 5)
            )
            break

    # (b) 单人保 beside the household's own 低保; one person in two counties (特困 at home, 孤儿
    # registered under a household of 环翠区)
    single = _applicant(hh[5])
    _enroll(hh[5], "dibao_single", single, category="dibao")
    twice = _applicant(hh[7])  # 乳山市
    _enroll(hh[7], "tekun", twice)
    _enroll(hh[9], "orphan", twice)  # hh[9] is in 环翠区
    planted[Check.ENROLLED_TWICE] = {f"person:{single.pk}", f"person:{twice.pk}"}
    # clean: 重点困境儿童 is paid on top of 低保
    _enroll(hh[6], "child_in_hardship", _applicant(hh[6]))

    # (c) a staff member's close relative enrolled without the county's visit
    Application.objects.filter(household=hh[10]).update(close_relative=True)
    planted[Check.RELATIVE_WITHOUT_VISIT] = {f"enrollment:{hh[10].enrollments.get().pk}"}
    # clean: registered, visited, and the visit recorded as a step of the case
    Application.objects.filter(household=hh[11]).update(close_relative=True, county_visit_done=True)
    ApplicationTransition.objects.create(
        application=Application.objects.get(household=hh[11]),
        action="county_visit",
        source="enrolled",
        target="enrolled",
        by=accounts["approver"],
    )

    # (d) a ledger amount the rules engine did not give; clean: one it did
    off = _assessed(hh[2], "123.00", "999.00")
    _assessed(hh[3], "456.00", "456.00")
    planted[Check.AMOUNT_OFF_RULES] = {f"amount:{off.pk}"}

    # (e) two households of 乳山市 paid to one account
    a, b = _applicant(hh[3]), _applicant(hh[6])
    Person.objects.filter(pk=b.pk).update(bank_name=a.bank_name, bank_account=a.bank_account)
    planted["shared_households"] = {hh[3].pk, hh[6].pk}
    planted["hh"] = hh
    planted["dead"] = dead
    return planted


@pytest.fixture
def planted(accounts):
    return _plant(accounts)


def _subjects(kind):
    return set(AnomalyFinding.objects.filter(kind=kind).values_list("subject", flat=True))


def test_each_check_finds_its_planted_case_and_not_the_clean_ones(planted):
    results = {r.kind: r for r in checks.checks_run_all()}
    for kind in (
        Check.PAID_AFTER_DEATH,
        Check.ENROLLED_TWICE,
        Check.RELATIVE_WITHOUT_VISIT,
        Check.AMOUNT_OFF_RULES,
    ):
        assert _subjects(kind) == planted[kind], kind
        assert results[kind].found == results[kind].new == len(planted[kind])
    shared = AnomalyFinding.objects.get(kind=Check.SHARED_ACCOUNT)
    assert {h["household_id"] for h in shared.evidence["holders"]} == planted["shared_households"]
    assert AnomalyRun.objects.count() == len(Check)


def test_paid_after_death_evidence_names_the_lines_and_the_money(planted):
    checks.check_run(Check.PAID_AFTER_DEATH)
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    lines = finding.evidence["lines"]
    assert [line["month"] for line in lines] == ["2021-02"]
    assert finding.evidence["died_on"] == "2021-01-15"
    assert finding.amount == Decimal(str(lines[0]["amount"])) > 0
    assert finding.region.code == "371002"
    assert finding.household_id == planted["hh"][0].pk


def test_enrolled_twice_across_counties_shows_both(planted):
    checks.check_run(Check.ENROLLED_TWICE)
    twice = _applicant(planted["hh"][7])
    finding = AnomalyFinding.objects.get(subject=f"person:{twice.pk}")
    counties = {Region.objects.get(pk=e["county_id"]).code for e in finding.evidence["enrollments"]}
    assert counties == {"371002", "371083"}
    # the household's own 低保 covers them too, and is listed beside the two
    assert {e["policy"] for e in finding.evidence["enrollments"]} == {"dibao", "tekun", "orphan"}


def test_amount_off_rules_states_both_amounts(planted):
    checks.check_run(Check.AMOUNT_OFF_RULES)
    finding = AnomalyFinding.objects.get(kind=Check.AMOUNT_OFF_RULES)
    assert Decimal(str(finding.evidence["ledger_amount"])) == Decimal("999.00")
    assert Decimal(str(finding.evidence["engine_amount"])) == Decimal("123.00")
    assert finding.amount == Decimal("876.00")


def test_evidence_holds_no_name_id_number_or_birth_date(planted):
    checks.checks_run_all()
    text = str(list(AnomalyFinding.objects.values_list("evidence", flat=True)))
    for person in Person.objects.all():
        assert person.id_number not in text
        assert person.name not in text
        assert person.birth_date.isoformat() not in text
        if person.bank_account:
            assert person.bank_account not in text


def test_second_run_adds_no_findings(planted):
    first = checks.checks_run_all()
    count = AnomalyFinding.objects.count()
    second = checks.checks_run_all()
    assert AnomalyFinding.objects.count() == count
    assert [r.new for r in second] == [0] * len(Check)
    assert [r.found for r in second] == [r.found for r in first]


def test_a_finding_that_no_longer_holds_stays_as_history(planted):
    checks.check_run(Check.SHARED_ACCOUNT)
    finding = AnomalyFinding.objects.get(kind=Check.SHARED_ACCOUNT)
    b = _applicant(planted["hh"][6])
    Person.objects.filter(pk=b.pk).update(bank_account="6217000000999999")
    result = checks.check_run(Check.SHARED_ACCOUNT)
    assert result.found == 0
    kept = AnomalyFinding.objects.get(pk=finding.pk)
    assert kept.status == "open" and kept.evidence == finding.evidence
    last = AnomalyRun.objects.filter(kind=Check.SHARED_ACCOUNT).order_by("-finished_at").first()
    assert kept.last_found_at < last.started_at


def test_a_resolved_finding_keeps_its_conclusion_when_found_again(planted, accounts):
    checks.check_run(Check.PAID_AFTER_DEATH)
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    checks.finding_resolve(
        finding=finding, status="confirmed", note="已追回", by=accounts["supervisor"]
    )
    checks.check_run(Check.PAID_AFTER_DEATH)
    finding.refresh_from_db()
    assert finding.status == "confirmed" and finding.note == "已追回"
    assert AnomalyFinding.objects.filter(kind=Check.PAID_AFTER_DEATH).count() == 1


def test_the_checks_know_the_rules_engine_combinations():
    """integrity may not import eligibility: the slots repeated in checks.py are pinned here."""
    from eligibility.rules import frozen

    assert set(checks.HOUSEHOLD_SLOT) == frozen.HOUSEHOLD_SLOT
    assert set(checks.MEMBER_SLOT) == frozen.MEMBER_SLOT
    assert frozen.category_of("dibao_single") == "dibao"


def test_the_nightly_task_runs_every_check(planted):
    from integrity.tasks import anomaly_checks

    found = anomaly_checks.apply().get()
    assert set(found) == set(Check.values)
    assert found[Check.PAID_AFTER_DEATH] == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_no_duplicates(accounts):
    planted = _plant(accounts)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=30)
            checks.checks_run_all()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert _subjects(Check.PAID_AFTER_DEATH) == planted[Check.PAID_AFTER_DEATH]
    assert _subjects(Check.ENROLLED_TWICE) == planted[Check.ENROLLED_TWICE]
    assert AnomalyFinding.objects.count() == 6
    runs = AnomalyRun.objects.filter(kind=Check.PAID_AFTER_DEATH)
    assert sorted(runs.values_list("new", flat=True)) == [0, 1]


# --- who reads and who resolves ------------------------------------------------------------


@pytest.fixture
def found(planted):
    checks.checks_run_all()
    return planted


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_supervisor_lists_every_county(found, accounts):
    data = _api(accounts["supervisor"]).get("/api/v1/anomaly-findings/").json()
    assert data["count"] == 6
    assert {r["county"] for r in data["results"]} == {"371002", "371083"}


def test_a_county_approver_reads_its_own_county_only(found, accounts, make_user):
    data = _api(accounts["approver"]).get("/api/v1/anomaly-findings/").json()
    assert data["count"] >= 1 and {r["county"] for r in data["results"]} == {"371002"}
    rushan = make_user(Role.APPROVER, "371083")
    other = _api(rushan).get("/api/v1/anomaly-findings/").json()
    assert {r["county"] for r in other["results"]} == {"371083"}
    theirs = AnomalyFinding.objects.filter(region__code="371083").first()
    assert (
        _api(accounts["approver"]).get(f"/api/v1/anomaly-findings/{theirs.pk}/").status_code == 404
    )


@pytest.mark.parametrize("username", ["caseworker", "citizen", "department", "organization"])
def test_other_roles_read_no_finding(found, accounts, username):
    client = _api(accounts[username])
    assert client.get("/api/v1/anomaly-findings/").json()["count"] == 0
    pk = AnomalyFinding.objects.first().pk
    assert client.get(f"/api/v1/anomaly-findings/{pk}/").status_code == 404
    page = Client()
    page.force_login(accounts[username])
    assert page.get("/oversight/anomalies/").status_code == 404


def test_anonymous_reads_nothing(found):
    assert APIClient().get("/api/v1/anomaly-findings/").status_code in (401, 403)


def test_the_list_filters_and_refuses_unknown_values(found, accounts):
    client = _api(accounts["supervisor"])
    data = client.get("/api/v1/anomaly-findings/", {"kind": "shared_account"}).json()
    assert [r["kind"] for r in data["results"]] == ["shared_account"]
    data = client.get("/api/v1/anomaly-findings/", {"county": "371083"}).json()
    assert {r["county"] for r in data["results"]} == {"371083"}
    bad = client.get("/api/v1/anomaly-findings/", {"kind": "nope", "county": "3710"})
    assert bad.status_code == 400 and {"kind", "county"} <= set(bad.json())
    assert client.get("/api/v1/anomaly-findings/", {"status": "x\x00"}).status_code == 400
    assert client.get("/api/v1/anomaly-findings/99999999999999999999/").status_code == 404


def test_the_supervisor_sees_the_dead_payee_masked_and_the_read_is_logged(found, accounts):
    dead = found["dead"]
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    response = _api(accounts["supervisor"]).get(f"/api/v1/anomaly-findings/{finding.pk}/")
    assert response.status_code == 200
    person = next(p for p in response.json()["people"] if p["id"] == dead.pk)
    assert person["name"] == masking.mask_name(dead.name)
    assert person["id_number"] == masking.mask_id_number(dead.id_number)
    assert person["unmasked"] is False
    text = response.content.decode()
    assert dead.id_number not in text and dead.birth_date.isoformat() not in text
    assert dead.bank_account not in text
    assert AccessLog.objects.filter(
        user=accounts["supervisor"], object_id=dead.pk, masked=True, channel="api"
    ).exists()


def test_the_county_approver_reads_its_own_people_unmasked(found, accounts):
    dead = found["dead"]
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    data = _api(accounts["approver"]).get(f"/api/v1/anomaly-findings/{finding.pk}/").json()
    person = next(p for p in data["people"] if p["id"] == dead.pk)
    assert person["id_number"] == dead.id_number and person["unmasked"] is True


def test_the_supervisor_resolves_a_finding_with_a_note(found, accounts):
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    client = _api(accounts["supervisor"])
    url = f"/api/v1/anomaly-findings/{finding.pk}/resolve/"
    response = client.post(url, {"status": "confirmed", "note": "已责令追回"}, format="json")
    assert response.status_code == 200, response.content
    finding.refresh_from_db()
    assert (finding.status, finding.note) == ("confirmed", "已责令追回")
    assert finding.resolved_by == accounts["supervisor"] == finding.assigned_to
    assert finding.events.filter(pgh_label="update", status="confirmed").exists()
    again = client.post(url, {"status": "dismissed", "note": "再改"}, format="json")
    assert again.status_code == 400 and "non_field_errors" in again.json()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"status": "confirmed"}, "note"),
        ({"status": "confirmed", "note": "   "}, "note"),
        ({"status": "confirmed", "note": "a\x00b"}, "note"),
        ({"status": "confirmed", "note": "长" * 2001}, "note"),
        ({"status": "open", "note": "x"}, "status"),
        ({"note": "x"}, "status"),
    ],
)
def test_a_bad_resolution_is_a_field_error_and_changes_nothing(found, accounts, payload, field):
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    response = _api(accounts["supervisor"]).post(
        f"/api/v1/anomaly-findings/{finding.pk}/resolve/", payload, format="json"
    )
    assert response.status_code == 400 and field in response.json()
    finding.refresh_from_db()
    assert finding.status == "open"


def test_the_county_does_not_close_its_own_findings(found, accounts):
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    response = _api(accounts["approver"]).post(
        f"/api/v1/anomaly-findings/{finding.pk}/resolve/",
        {"status": "dismissed", "note": "没问题"},
        format="json",
    )
    assert response.status_code == 400
    finding.refresh_from_db()
    assert finding.status == "open"


# --- the pages -----------------------------------------------------------------------------


def _page(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_list_page_shows_open_findings_and_filters_with_htmx(found, accounts):
    client = _page(accounts["supervisor"])
    html = client.get("/oversight/anomalies/").content.decode()
    assert "死亡后仍发放" in html and "多户共用银行账户" in html and "共 6 条" in html
    part = client.get(
        "/oversight/anomalies/",
        {"kind": "paid_after_death", "status": "open"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert part.startswith('<div id="anomaly-rows">') and "共 1 条" in part
    odd = client.get("/oversight/anomalies/", {"kind": "<script>", "county": "9", "page": "x"})
    assert odd.status_code == 200 and "共 6 条" in odd.content.decode()  # unknown: not given
    assert client.get("/oversight/anomalies/", {"county": "\x00"}).status_code == 400


def test_the_detail_page_masks_for_the_supervisor_and_takes_a_conclusion(found, accounts):
    dead = found["dead"]
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    client = _page(accounts["supervisor"])
    url = f"/oversight/anomalies/{finding.pk}/"
    html = client.get(url).content.decode()
    assert masking.mask_name(dead.name) in html and dead.id_number not in html
    assert "2021-02" in html
    refused = client.post(url, {"action": "resolve", "status": "confirmed", "note": ""})
    assert refused.status_code == 400 and "请写明核查情况" in refused.content.decode()
    taken = client.post(url, {"action": "take"})
    assert taken.status_code == 302
    finding.refresh_from_db()
    assert finding.assigned_to == accounts["supervisor"]
    done = client.post(url, {"action": "resolve", "status": "dismissed", "note": "已核实为代领"})
    assert done.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "dismissed"
    late = client.post(url, {"action": "take"})
    assert late.status_code == 400 and "该线索已处理" in late.content.decode()


def test_the_approver_reads_the_page_but_has_no_conclusion_form(found, accounts):
    finding = AnomalyFinding.objects.get(kind=Check.PAID_AFTER_DEATH)
    client = _page(accounts["approver"])
    url = f"/oversight/anomalies/{finding.pk}/"
    html = client.get(url).content.decode()
    assert "resolve-form" not in html
    assert (
        client.post(url, {"action": "resolve", "status": "dismissed", "note": "x"}).status_code
        == 404
    )
    finding.refresh_from_db()
    assert finding.status == "open"


def test_a_malformed_frozen_result_is_skipped_not_a_failed_job(planted):
    """Frozen JSON from an old import: the check reads it defensively and carries on."""
    household = planted["hh"][8]
    enrollment = household.enrollments.get(person__isnull=True)
    old = enrollment.assessment
    person = _applicant(household)
    _enroll(household, "tekun", person)
    tekun = household.enrollments.get(policy_code="tekun")
    for result in (
        {
            "results": [
                {"policy": "dibao", "member": None, "eligible": True, "monthly_amount": "abc"}
            ]
        },
        {"results": ["dibao", 7, None]},
        {"results": {"policy": "dibao"}},
        {
            "results": [
                {"policy": "tekun", "member": "x", "eligible": "yes", "monthly_amount": "1.5e3"}
            ]
        },
        {
            "results": [
                {"policy": "tekun", "member": 99999, "eligible": True, "monthly_amount": "10.00"}
            ]
        },
    ):
        assessment = Assessment.objects.create(
            household=household,
            on=dt.date(2021, 2, 20),
            inputs=old.inputs,
            parameters={},
            result=result,
            created_by=old.created_by,
        )
        for target in (enrollment, tekun):
            EnrollmentAmount.objects.create(
                enrollment=target,
                amount=Decimal("5.00"),
                effective_month=dt.date(2021, 3, 1),
                reason="旧系统导入",
                assessment=assessment,
            )
        result = checks.check_run(Check.AMOUNT_OFF_RULES)
        assert _subjects(Check.AMOUNT_OFF_RULES) == planted[Check.AMOUNT_OFF_RULES]
