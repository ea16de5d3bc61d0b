"""The self-check keeps what was typed, names the field in errors, lists fitting policies."""

import pytest

from eligibility.rules.relevance import policy_fits
from tests.eligibility.test_pages import selfcheck_post

pytestmark = pytest.mark.django_db


def test_changing_the_family_size_keeps_every_input(client, catalog):
    page = selfcheck_post(client, resize="2", financial="12000").content.decode()
    assert 'value="1985-01-01"' in page and 'value="300"' in page and 'value="12000"' in page
    assert 'name="m1-birth_date"' in page  # the second member's fields are there now


def test_an_error_names_its_field(client, catalog):
    page = selfcheck_post(client, **{"m0-birth_date": ""}).content.decode()
    assert "出生日期" in page and 'href="#m0-birth_date"' in page


def test_disaster_relief_is_not_offered_without_a_disaster(client, catalog):
    page = selfcheck_post(client).content.decode()
    assert "医疗救助" in page
    assert "受灾人员救助" not in page
    assert "教育救助" not in page  # nobody in school


def test_blank_property_is_said_to_be_undeclared_not_shown_as_declared(client, catalog):
    blank = selfcheck_post(client).content.decode()
    assert "您没有填写金融资产、住房、机动车" in blank
    filled = selfcheck_post(client, financial="500", houses="1", vehicles="0").content.decode()
    assert 'id="undeclared"' not in filled
    partly = selfcheck_post(client, financial="500").content.decode()
    assert "您没有填写住房、机动车" in partly


def test_relevance_rules_are_pure():
    from decimal import Decimal

    from eligibility.rules.types import Hardship, Household, Member

    params = type("P", (), {"adult_age": 18, "elderly_age": 60})()
    home = Household(area="urban", members=(Member("applicant", 40, Decimal(0)),))
    assert policy_fits("medical_assistance", home, params)
    assert not policy_fits("disaster_relief", home, params)
    assert policy_fits("employment_assistance", home, params)
    struck = Household(area="urban", members=home.members, hardship=Hardship(type="emergency"))
    assert policy_fits("disaster_relief", struck, params)
