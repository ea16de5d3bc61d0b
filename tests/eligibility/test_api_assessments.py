"""POST /api/v1/assessments/: the contract of SPEC §11, checked against SPEC §5's examples."""

import pytest
from rest_framework.test import APIClient

from tests.factories import id_number_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"


def member(**extra):
    base = {"relation": "applicant", "birth_date": "1980-05-01", "monthly_income": "0.00"}
    return base | extra


def post(body):
    return APIClient().post(URL, body, format="json")


def by_policy(body, policy, member=None):
    return next(r for r in body["results"] if r["policy"] == policy and r.get("member") == member)


def test_spec_example_response_shape(catalog):
    response = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [
                {
                    "relation": "applicant",
                    "birth_date": "1958-03-02",
                    "id_number": None,
                    "monthly_income": "300.00",
                    "disability_grade": None,
                    "disability_type": None,
                    "serious_illness": False,
                    "self_care": "full",
                    "in_school": False,
                }
            ],
            "assets": {
                "financial": "0.00",
                "vehicles": 0,
                "houses": 1,
                "business_registered": False,
            },
            "rigid_expenditure_12m": {
                "medical": "0.00",
                "education": "0.00",
                "rehabilitation": "0.00",
            },
            "supporter": {
                "monthly_payment": "0.00",
                "household_per_capita_income": None,
                "able": False,
            },
            "hardship": None,
        }
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["date"] == "2021-01-15"
    assert body["region"] == "371002"
    assert body["area"] == "urban"
    assert body["household_size"] == 1
    assert body["standards"] == {
        "dibao": "787.00",
        "tekun_basic": "1024.00",
        "care_yearly": {"full": "3297.00", "partial": "5495.00", "none": "10990.00"},
    }
    assert body["counted_income"] == "300.00"
    assert body["per_capita_income"] == "300.00"
    dibao = by_policy(body, "dibao")
    assert (dibao["eligible"], dibao["monthly_amount"]) == (True, "487.00")
    assert dibao["reasons"]
    tekun = by_policy(body, "tekun", member=0)
    assert (tekun["eligible"], tekun["monthly_amount"]) == (True, "1298.75")
    temporary = by_policy(body, "temporary")
    assert temporary["eligible"] is False
    assert "monthly_amount" not in temporary
    assert "medical_assistance" in body["related_policies"]


def test_urban_one_person_income_300(catalog):
    body = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [member(monthly_income="300.00")],
        }
    ).json()
    assert by_policy(body, "dibao")["monthly_amount"] == "487.00"


def test_rushan_rural_three_persons(catalog):
    body = post(
        {
            "region": "371083",
            "area": "rural",
            "date": "2021-01-15",
            "members": [
                member(monthly_income="400.00"),
                member(relation="spouse", monthly_income="200.00"),
                member(relation="child", birth_date="2005-01-01"),
            ],
        }
    ).json()
    assert by_policy(body, "dibao")["monthly_amount"] == "1164.00"


def test_medical_expenditure_is_deducted(catalog):
    body = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [
                member(monthly_income="900.00"),
                member(relation="spouse", monthly_income="500.00"),
            ],
            "rigid_expenditure_12m": {"medical": "2400.00"},
        }
    ).json()
    assert body["counted_income"] == "1200.00"
    assert by_policy(body, "dibao")["monthly_amount"] == "374.00"


def test_wendeng_relative_poverty_and_edge(catalog):
    body = post(
        {
            "region": "371003",
            "area": "rural",
            "date": "2021-01-15",
            "members": [member(birth_date="1975-06-01", monthly_income="650.00")],
        }
    ).json()
    assert by_policy(body, "dibao")["eligible"] is False
    relative = by_policy(body, "relative_poverty")
    assert (relative["eligible"], relative["line"]) == (True, "705.60")
    edge = by_policy(body, "dibao_edge")
    assert (edge["eligible"], edge["line"]) == (True, "882.00")


def test_rongcheng_expenditure_hardship_range(catalog):
    body = post(
        {
            "region": "371082",
            "area": "rural",
            "date": "2021-01-15",
            "members": [member(monthly_income="2000.00")],
            "hardship": {"type": "expenditure"},
        }
    ).json()
    temporary = by_policy(body, "temporary")
    assert (temporary["eligible"], temporary["min_amount"], temporary["max_amount"]) == (
        True,
        "1764.00",
        "7056.00",
    )


def test_non_pilot_county_has_no_relative_poverty_result(catalog):
    body = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [member(monthly_income="800.00")],
        }
    ).json()
    assert all(r["policy"] != "relative_poverty" for r in body["results"])


def test_old_standard_applies_before_2020_07_01(catalog):
    body = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2020-06-30",
            "members": [member(monthly_income="300.00")],
        }
    ).json()
    assert body["standards"]["dibao"] == "650.00"
    assert body["standards"]["tekun_basic"] == "845.00"
    assert by_policy(body, "dibao")["monthly_amount"] == "350.00"


def test_new_standard_applies_on_its_first_day(catalog):
    body = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2020-07-01",
            "members": [member(monthly_income="300.00")],
        }
    ).json()
    assert body["standards"]["dibao"] == "787.00"


def test_village_code_gives_area_and_county(catalog):
    body = post(
        {"region": "371083002002", "date": "2021-01-15", "members": [member(monthly_income="0.00")]}
    ).json()
    assert body["area"] == "rural"
    assert body["standards"]["dibao"] == "588.00"


def test_id_number_gives_birth_date(catalog):
    number = id_number_for(3, birth=__import__("datetime").date(1950, 1, 1))
    body = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [{"relation": "applicant", "id_number": number, "monthly_income": "300.00"}],
        }
    ).json()
    assert by_policy(body, "tekun", member=0)["eligible"] is True


def test_date_defaults_to_today(catalog):
    from django.utils import timezone

    body = post({"region": "371002", "area": "urban", "members": [member()]}).json()
    assert body["date"] == timezone.localdate().isoformat()


def test_nothing_is_stored(catalog, django_assert_max_num_queries):
    from applicants.models import Household, Person

    with django_assert_max_num_queries(8):
        post({"region": "371002", "area": "urban", "date": "2021-01-15", "members": [member()]})
    assert not Household.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"region": "999999", "area": "urban", "members": [member()]}, ("region",)),
        ({"region": "371000", "area": "urban", "members": [member()]}, ("region",)),
        ({"region": "371002", "area": "urban", "members": []}, ("members",)),
        (
            {"region": "371002", "area": "urban", "members": [member(monthly_income="-1.00")]},
            ("members", 0, "monthly_income"),
        ),
        (
            {
                "region": "371002",
                "area": "urban",
                "members": [member(), member(relation="spouse", id_number="371002198005170012")],
            },
            ("members", 1, "id_number"),
        ),
        (
            {"region": "371002", "area": "urban", "date": "1999-01-01", "members": [member()]},
            ("date",),
        ),
        ({"region": "371002", "area": "suburban", "members": [member()]}, ("area",)),
        (
            {"region": "371002", "area": "urban", "members": [member(relation="cousin")]},
            ("members", 0, "relation"),
        ),
        (
            {"region": "371002", "area": "urban", "members": [member(self_care="some")]},
            ("members", 0, "self_care"),
        ),
        (
            {
                "region": "371002",
                "area": "urban",
                "members": [member()],
                "hardship": {"type": "lottery"},
            },
            ("hardship", "type"),
        ),
        (
            {
                "region": "371002",
                "area": "urban",
                "members": [member()],
                "assets": {"financial": "-5"},
            },
            ("assets", "financial"),
        ),
        (
            {
                "region": "371002",
                "area": "urban",
                "members": [{"relation": "applicant", "monthly_income": "1"}],
            },
            ("members", 0, "birth_date"),
        ),
        ({"region": "371002", "members": [member()]}, ("area",)),
    ],
    ids=[
        "unknown-region",
        "city-region",
        "no-members",
        "negative-income",
        "bad-checksum",
        "date-before-standards",
        "unknown-area",
        "unknown-relation",
        "unknown-self-care",
        "unknown-hardship",
        "negative-assets",
        "no-birth-date",
        "no-area-for-county",
    ],
)
def test_bad_input_is_a_400_with_field_errors(catalog, body, path):
    response = post(body)
    assert response.status_code == 400, response.json()
    node = response.json()
    for key in path:
        node = node[key]
    assert node and all(isinstance(m, str) and m for m in node)


@pytest.mark.parametrize(
    "number",
    [
        "37100219580302123²",  # a superscript two: str.isdigit() takes it, int() does not
        "371002١٩٥٨0302123X",  # Arabic-Indic digits
        "３７１００２１９５８０３０２１２３４",  # full-width digits
        "²" * 18,
    ],
)
def test_an_id_number_with_unicode_digits_is_a_field_error(catalog, number):
    """The anonymous self-check takes ASCII digits and X only (was a 500 for "²")."""
    response = post({"region": "371002", "area": "urban", "members": [member(id_number=number)]})
    assert response.status_code == 400, response.content
    assert response.json()["members"][0]["id_number"]


def test_malformed_json_is_a_400(catalog):
    response = APIClient().post(URL, "{oops", content_type="application/json")
    assert response.status_code == 400


def test_assessment_is_throttled_per_client(catalog, settings):
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**ScopedRateThrottle.THROTTLE_RATES, "assessment": "2/minute"}
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [
            post({"region": "371002", "area": "urban", "members": [member()]}).status_code
            for _ in range(3)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert codes == [200, 200, 429]


def test_contract_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "post" in schema["paths"]["/api/v1/assessments/"]


# --- issue 8: on_dibao and the new member fields ----------------------------------------------

MIGRANT = {"type": "migrant_no_income", "months_without_income": 4}


def migrant(**hardship):
    return post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [member(monthly_income="0.00")],
            "hardship": MIGRANT | hardship,
        }
    )


def test_migrant_who_would_qualify_for_dibao_but_is_not_enrolled_gets_the_one_off(catalog):
    response = migrant()  # on_dibao absent: not enrolled
    assert response.status_code == 200, response.json()
    body = response.json()
    assert by_policy(body, "dibao")["eligible"] is True
    temporary = by_policy(body, "temporary")
    assert (temporary["eligible"], temporary["min_amount"], temporary["max_amount"]) == (
        True,
        "0.00",
        "2361.00",
    )
    assert "按本次测算，家庭符合低保条件，建议同时申请低保" in temporary["reasons"]
    assert migrant(on_dibao=False).json()["results"] == body["results"]


def test_migrant_enrolled_in_dibao_is_refused_the_one_off(catalog):
    response = migrant(on_dibao=True)
    assert response.status_code == 200, response.json()
    temporary = by_policy(response.json(), "temporary")
    assert temporary["eligible"] is False
    assert "家庭正在享受低保，由低保保障" in temporary["reasons"]
    assert "max_amount" not in temporary


def test_on_dibao_must_be_a_boolean(catalog):
    response = migrant(on_dibao="maybe")
    assert response.status_code == 400
    assert list(response.json()) == ["hardship"]
    assert response.json()["hardship"]["on_dibao"]


def test_orphan_child_through_the_api(catalog):
    response = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [
                member(relation="grandparent", birth_date="1950-03-01", monthly_income="900.00"),
                member(
                    relation="grandchild",
                    birth_date="2012-06-01",
                    parent_situations=["dead", "imprisoned"],
                    care_arrangement="dispersed",
                ),
            ],
        }
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    orphan = by_policy(body, "orphan", member=1)
    assert (orphan["eligible"], orphan["monthly_amount"]) == (True, "1500.00")
    assert "父母双方均无法履行抚养责任，认定为事实无人抚养儿童" in orphan["reasons"]
    child = by_policy(body, "child_in_hardship", member=1)
    assert (child["eligible"], child["monthly_amount"]) == (False, None)
    assert "orphan_allowance" in body["related_policies"]


def test_new_categories_carry_their_monthly_amounts(catalog):
    body = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [
                member(monthly_income="300.00", disability_grade=2, disability_type="physical"),
                member(relation="child", birth_date="2010-01-01"),
            ],
            "rigid_expenditure_12m": {"medical": "0.00"},
        }
    ).json()
    assert by_policy(body, "child_in_hardship", member=1)["monthly_amount"] == "300.00"
    assert by_policy(body, "severe_disability", member=0)["monthly_amount"] == "200.00"
    hardship = by_policy(body, "expenditure_hardship")
    assert (hardship["eligible"], hardship["monthly_amount"]) == (False, None)


def test_members_without_the_new_fields_are_as_before(catalog):
    body = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [
                member(relation="applicant"),
                member(relation="child", birth_date="2015-01-01"),
            ],
        }
    ).json()
    orphan = by_policy(body, "orphan", member=1)
    assert orphan["eligible"] is False
    assert "未申报父母死亡、失踪或无法履行抚养责任的情况" in orphan["reasons"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"parent_situations": ["dead", "abroad"]}, "parent_situations"),
        ({"parent_situations": ["dead", "dead", "dead"]}, "parent_situations"),
        ({"parent_situations": "dead"}, "parent_situations"),
        ({"care_arrangement": "foster"}, "care_arrangement"),
    ],
)
def test_bad_new_member_fields_are_field_errors(catalog, extra, field):
    response = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [member(), member(relation="child", birth_date="2015-01-01", **extra)],
        }
    )
    assert response.status_code == 400
    errors = response.json()["members"]
    assert errors[0] == {}
    assert list(errors[1]) == [field]


def test_too_many_parent_situations_message_is_chinese_and_specific(catalog):
    response = post(
        {
            "region": "371002",
            "area": "urban",
            "date": "2021-01-15",
            "members": [member(parent_situations=["dead", "dead", "missing"])],
        }
    )
    assert response.json()["members"][0]["parent_situations"] == [
        "父母情况最多填写两项（父亲、母亲各一项）。"
    ]
