"""Masking that cannot be undone (SPEC §1, issue 14 item 2): the attacks of the issue, tried
as the city supervisor over every page and API read it has, fail; the same attacks on an
unmasked reader's view succeed (so the attacks are real); masked and unmasked reads are logged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from applicants import masking
from applicants.idnumber import with_check_digit
from applicants.models import Application, Household, Person, Role
from eligibility import demo as eligibility_demo
from eligibility.models import Assessment, Review
from integrity.models import AccessLog

pytestmark = pytest.mark.django_db

MASKED_ID = re.compile(r"\b(\d{4})\*{10}([0-9X]{4})\b")


@pytest.fixture
def world(accounts, settings, tmp_path):
    """The demo: households of every county, cases in every state (frozen assessments with
    their reasons), reviews, and one uploaded scan."""
    from applicants import demo

    settings.MEDIA_ROOT = tmp_path
    demo.seed_households(count=45)
    eligibility_demo.seed()
    from eligibility.demo_cases import seed_cases

    seed_cases(limit=30)
    application = Application.objects.filter(household__isnull=False).order_by("id").first()
    from applicants.documents import document_attach

    document_attach(
        application=application,
        kind="id_card",
        upload=SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        by=accounts["admin"],
    )
    return accounts


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _all(client, url: str) -> list[dict]:
    """Every row of a list, following the cursor links (issue 15)."""
    rows = []
    body = client.get(url, {"page_size": 200}).json()
    while True:
        rows += body["results"]
        if not body["next"]:
            return rows
        body = client.get(body["next"]).json()


def api_reads(user) -> dict[str, list[dict]]:
    """Everything the API lets ``user`` read: lists and each household's and case's detail."""
    client = api(user)
    households = _all(client, "/api/v1/households/")
    applications = _all(client, "/api/v1/applications/")
    return {
        "households": [client.get(f"/api/v1/households/{h['id']}/").json() for h in households],
        "applications": [
            client.get(f"/api/v1/applications/{a['id']}/").json() for a in applications
        ],
        "enrollments": _all(client, "/api/v1/enrollments/"),
        "reviews": _all(client, "/api/v1/reviews/"),
    }


def page_reads(client, user) -> str:
    """Every page ``user`` reads about households and cases, as one text."""
    client.force_login(user)
    urls = ["/households/", "/cases/", "/oversight/overdue/"]
    urls += [f"/households/{pk}/" for pk in Household.objects.values_list("pk", flat=True)]
    urls += [f"/cases/{pk}/" for pk in Application.objects.values_list("pk", flat=True)]
    urls += [f"/reviews/{pk}/" for pk in Review.objects.values_list("pk", flat=True)]
    html = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        html.append(response.content.decode())
    return "\n".join(html)


def rebuild(masked: str, *, counties: set[str], birth_dates: set[dt.date]) -> set[str]:
    """The issue's attack: a masked ID keeps 4 + 4 characters; the 10 hidden digits are the
    county (2) and the birth date (8). Every county and birth date the reader could learn,
    filtered by the GB 11643 check digit, gives the candidates for the full number."""
    head, tail = masked[:4], masked[-4:]
    found = set()
    for county in counties:
        if not county.startswith(head):
            continue
        for birth in birth_dates:
            number = with_check_digit(f"{county}{birth:%Y%m%d}{tail[:3]}")
            if number[-1] == tail[-1]:
                found.add(number)
    return found


def _decade(decade: int) -> set[dt.date]:
    start = dt.date(decade, 1, 1)
    return {start + dt.timedelta(days=n) for n in range((dt.date(decade + 10, 1, 1) - start).days)}


def _what_a_reader_learns(person_json: dict, household_json: dict) -> tuple[set, set]:
    """Counties and birth dates a reader can tell for one member from one household read."""
    counties = {
        code[:6] for code in (household_json.get("village"), household_json.get("township")) if code
    }
    if person_json.get("birth_date"):
        births = {dt.date.fromisoformat(person_json["birth_date"])}
    elif person_json.get("birth_decade"):
        births = _decade(person_json["birth_decade"])
    else:
        births = _decade(1930) | _decade(1940)  # nothing told: the attacker guesses widely
    return counties, births


def test_the_attack_works_on_an_unmasked_view(world):
    """An approver reads unmasked (in scope): its birth date and county rebuild the ID — the
    attack below is a real one, not a strawman."""
    reads = api_reads(world["approver"])
    rebuilt = 0
    for household in reads["households"]:
        for member in household["members"]:
            masked = masking.mask_id_number(member["id_number"])
            counties, births = _what_a_reader_learns(member, household)
            if rebuild(masked, counties=counties, birth_dates=births) == {member["id_number"]}:
                rebuilt += 1
    assert rebuilt > 10


def test_a_supervisor_cannot_rebuild_a_full_id(world, client):
    """County + birth date + last 4 → full ID (the issue rebuilt 621 of 860): 0 here. What the
    supervisor learns leaves hundreds of candidates per masked ID, and no full ID, birth date,
    village code or age appears in anything it reads."""
    supervisor = world["supervisor"]
    reads = api_reads(supervisor)
    assert reads["households"] and reads["applications"]
    people = {p.pk: p for p in Person.objects.all()}
    fewest, tried = None, []
    for household in reads["households"]:
        assert household["village"] is None and household["address"] == ""
        for member in household["members"]:
            real = people[member["id"]]
            assert MASKED_ID.fullmatch(member["id_number"])
            assert member["birth_date"] is None
            assert member["monthly_income"] is None and member["self_care"] is None
            tried.append((member, household, real))
    for member, household, real in tried[:: max(len(tried) // 25, 1)]:  # 25 are enough
        counties, births = _what_a_reader_learns(member, household)
        candidates = rebuild(member["id_number"], counties=counties, birth_dates=births)
        assert real.id_number in candidates or real.id_number[:6] not in counties
        fewest = len(candidates) if fewest is None else min(fewest, len(candidates))
    assert fewest is not None and fewest > 100

    text = json.dumps(reads, ensure_ascii=False) + page_reads(client, supervisor)
    for person in people.values():
        assert person.id_number not in text
        birth = person.birth_date
        for shown in (f"{birth:%Y-%m-%d}", f"{birth:%Y%m%d}", f"{birth.year}年{birth.month}月"):
            assert shown not in text, (person.pk, shown)
    for household in Household.objects.select_related("village"):
        assert household.village.code not in text
        if household.address:
            assert household.address not in text
    assert not re.search(r"\d+\s*岁", text), "an exact age beside a masked ID"


def test_no_member_income_or_rules_reasons_reach_a_supervisor(world, client):
    """Per-member incomes and ages are in the rules' reasons and the draft: the case API and
    page give a masked reader the outcome only."""
    supervisor = world["supervisor"]
    frozen = Assessment.objects.exclude(application=None).order_by("id").first()
    client_api = api(supervisor)
    case = client_api.get(f"/api/v1/applications/{frozen.application_id}/").json()
    latest = case["latest_assessment"]
    assert latest["counted_income"] is None and latest["per_capita_income"] is None
    assert latest["results"] and all(r["reasons"] == [] for r in latest["results"])
    assert case["data"] is None and case["village"] is None
    assert all(t["reason"] == "" for t in case["transitions"])
    page = api(world["approver"]).get(f"/api/v1/applications/{frozen.application_id}/").json()
    assert any(r["reasons"] for r in page["latest_assessment"]["results"])  # unmasked: all

    client.force_login(supervisor)
    html = client.get(f"/cases/{frozen.application_id}/").content.decode()
    for fact in ("月收入", "计算收入", "人均", "岁"):
        assert fact not in html.replace("月收入（元）", ""), fact
    for member in frozen.inputs["members"]:
        income = Decimal(member["monthly_income"])
        if income:
            assert f"本人月收入 {income}" not in html


def test_searching_by_id_or_name_is_no_oracle_for_a_masked_reader(world, client):
    """``?q=`` by ID ending recovered a full ID in 61 requests: for a masked reader every
    search matches nothing; for an unmasked one it still finds the household."""
    person = Person.objects.filter(household__village__code__startswith="371002001").first()
    probes = [person.id_number, person.id_number[-4:], person.id_number[-6:], person.name]
    supervisor, caseworker = api(world["supervisor"]), api(world["caseworker"])
    for q in probes:
        assert supervisor.get("/api/v1/households/", {"q": q}).json()["count"] == 0, q
        found = caseworker.get("/api/v1/households/", {"q": q}).json()["results"]
        assert person.household_id in [h["id"] for h in found], q
    # Guessing the hidden digits one request at a time: every guess answers the same.
    answers = {
        supervisor.get("/api/v1/households/", {"q": f"{d}{person.id_number[-4:]}"}).json()["count"]
        for d in "0123456789"
    }
    assert answers == {0}
    client.force_login(world["supervisor"])
    page = client.get("/households/", {"q": person.id_number[-4:]}).content.decode()
    assert "没有符合条件的家庭" in page


def test_an_id_ending_in_x_is_searched_as_an_id(accounts, household_in):
    number = next(
        with_check_digit(f"37100219800517{n:03d}")
        for n in range(1, 999)
        if with_check_digit(f"37100219800517{n:03d}").endswith("X")
    )
    household = household_in("371002001002", id_number=number)
    found = api(accounts["caseworker"]).get("/api/v1/households/", {"q": number[-3:].lower()})
    assert [h["id"] for h in found.json()["results"]] == [household.pk]


def test_original_scans_are_not_served_to_a_masked_reader(world, client):
    from applicants.models import Document

    document = Document.objects.get()
    client.force_login(world["supervisor"])
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    page = client.get(f"/cases/{document.application_id}/").content.decode()
    assert "/documents/" not in page
    client.force_login(world["admin"])
    assert client.get(f"/documents/{document.pk}/").status_code == 200


def test_masked_reads_are_logged_as_masked(world, client):
    supervisor = world["supervisor"]
    household = Household.objects.order_by("id").first()
    application = Application.objects.filter(household__isnull=False).order_by("id").first()
    client.force_login(supervisor)
    client.get(f"/households/{household.pk}/")
    client.get(f"/cases/{application.pk}/")
    api(supervisor).get(f"/api/v1/applications/{application.pk}/")
    logged = set(
        AccessLog.objects.filter(user=supervisor).values_list(
            "object_type", "object_id", "channel", "masked"
        )
    )
    assert logged == {
        ("household", household.pk, "page", True),
        ("application", application.pk, "page", True),
        ("application", application.pk, "api", True),
    }


def test_the_citizens_draft_page_is_a_logged_read(accounts, client, household_in):
    household = household_in("371002001002")
    person = household.members.get()
    Person.objects.filter(pk=person.pk).update(user=accounts["citizen"])
    application = Application.objects.create(
        household=household,
        village=household.village,
        channel="online",
        created_by=accounts["citizen"],
        data={"village": household.village.code, "members": [{"id_number": person.id_number}]},
    )
    client.force_login(accounts["citizen"])
    assert person.id_number in client.get(f"/apply/{application.pk}/").content.decode()
    log = AccessLog.objects.get(user=accounts["citizen"])
    assert (log.object_type, log.object_id, log.masked) == ("application", application.pk, False)


def test_the_draft_patch_response_is_a_logged_read(accounts):
    caseworker = api(accounts["caseworker"])
    body = {
        "village": "371002001002",
        "members": [{"relation": "applicant", "name": "孙丽", "id_number": "", "bank_account": ""}],
    }
    pk = caseworker.post("/api/v1/applications/", body, format="json").json()["id"]
    before = AccessLog.objects.filter(object_id=pk).count()
    body["members"][0]["bank_account"] = "6222020200112233445"
    response = caseworker.patch(f"/api/v1/applications/{pk}/", body, format="json")
    assert response.json()["data"]["members"][0]["bank_account"] == "6222020200112233445"
    after = AccessLog.objects.filter(object_type="application", object_id=pk, channel="api")
    assert after.count() == before + 1


# --- the module's own rules ------------------------------------------------------------------


def test_masked_values_keep_only_what_spec_shows():
    assert masking.mask_id_number("371002195803021234") == "3710**********1234"
    assert masking.mask_name("张小明") == "张*明" and masking.mask_name("王五") == "王*"
    assert masking.mask_phone("13812345678") == "138****5678"
    assert masking.mask_account("6222020200112233445") == "***************3445"
    assert masking.mask_id_number("1234") == "****"


def test_a_decade_of_birth_never_changes_with_the_reading_day():
    assert masking.birth_decade(dt.date(1958, 3, 2)) == 1950
    assert masking.birth_decade(dt.date(1960, 1, 1)) == 1960
    assert masking.birth_decade(None) is None


def test_person_fields_hide_every_fact_for_a_masked_reader():
    values = {
        "name": "张小明",
        "id_number": "371002195803021234",
        "birth_date": "1958-03-02",
        "monthly_income": "300.00",
        "disability_grade": 2,
        "self_care": "partial",
        "relation": "applicant",
    }
    shown = masking.person_fields(values, unmasked=False)
    assert shown == {
        "name": "张*明",
        "id_number": "3710**********1234",
        "birth_date": None,
        "monthly_income": None,
        "disability_grade": None,
        "self_care": None,
        "relation": "applicant",
    }
    assert masking.person_fields(values, unmasked=True) == values


def test_an_assessment_gives_a_masked_reader_the_outcome_only():
    result = {
        "household_size": 1,
        "counted_income": "300.00",
        "per_capita_income": "300.00",
        "categories": ["dibao"],
        "results": [
            {
                "policy": "tekun",
                "eligible": True,
                "member": 0,
                "monthly_amount": "1298.75",
                "min_amount": None,
                "max_amount": None,
                "line": "787.00",
                "reasons": ["成员 1（申请人，62 岁）", "本人月收入 300.00 元"],
            }
        ],
    }
    shown = masking.assessment_result(result, unmasked=False)
    assert shown["counted_income"] is None and shown["per_capita_income"] is None
    assert shown["results"] == [
        {
            "policy": "tekun",
            "eligible": True,
            "member": 0,
            "monthly_amount": "1298.75",
            "min_amount": None,
            "max_amount": None,
            "reasons": [],
        }
    ]
    assert masking.assessment_result(result, unmasked=True) == result


@pytest.mark.parametrize(
    ("query", "is_id"),
    [("1234", True), ("123x", True), ("37100219580302123X", True), ("张", False), ("12a4", False)],
)
def test_what_counts_as_an_id_query(query, is_id):
    assert masking.looks_like_id_number(query) is is_id


REGION_OF = {
    Role.VILLAGE_ASSISTANT: "371002001002",
    Role.CASEWORKER: "371002001",
    Role.APPROVER: "371002",
    Role.SUPERVISOR: "371000",
}


def test_only_unmasked_roles_search_and_read_scans(make_user):
    for role in Role:
        user = make_user(role, REGION_OF.get(role), username=f"m-{role}")
        unmasked = role in masking.UNMASKED_ROLES
        assert masking.may_search_people(user) is unmasked
        assert masking.may_read_documents(user) is unmasked


def test_review_texts_are_hidden_from_and_review_reads_logged_for_a_masked_reader(world):
    from eligibility.models import Enrollment
    from eligibility.services.reviews import review_report_change

    household = Enrollment.objects.order_by("id").first().household
    review_report_change(
        household=household, by=world["admin"], kind="change", description="配偶月收入800元"
    )
    supervisor = world["supervisor"]
    rows = api(supervisor).get("/api/v1/reviews/").json()["results"]
    assert rows and all(r["reported_change"] == "" and r["reasons"] == "" for r in rows)
    logged = AccessLog.objects.filter(user=supervisor, object_type="review", masked=True)
    assert set(logged.values_list("object_id", flat=True)) == {r["id"] for r in rows}
    unmasked = api(world["admin"]).get("/api/v1/reviews/").json()["results"]
    assert "配偶月收入800元" in [r["reported_change"] for r in unmasked]


def test_the_status_page_shows_no_step_reasons_to_a_masked_reader(world, client):
    app = Application.objects.filter(state="withdrawn").first()
    client.force_login(world["supervisor"])
    assert "家庭情况好转" not in client.get(f"/applications/{app.pk}/").content.decode()
    client.force_login(world["admin"])
    assert "家庭情况好转" in client.get(f"/applications/{app.pk}/").content.decode()
