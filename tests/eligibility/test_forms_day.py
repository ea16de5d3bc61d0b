"""No retyping and forms that keep what was typed (issue 13)."""

import pytest

from applicants import applications as intake
from applicants.errors import DomainError
from tests.eligibility.test_inbox_day import people  # noqa: F401 - fixture used by name
from tests.eligibility.test_workflow import draft_data, filed

pytestmark = pytest.mark.django_db


def test_name_and_id_fields_get_a_text_keyboard(client, accounts):
    client.force_login(accounts["citizen"])
    html = client.get("/apply/").content.decode()
    assert 'inputmode="text" autocomplete="name" id="m0-name"' in html
    assert 'inputmode="text" autocomplete="off" id="m0-id_number"' in html
    assert 'autocapitalize="characters"' in html
    assert 'inputmode="tel" autocomplete="tel" id="m0-phone"' in html
    # counts get digits only, money a decimal point
    for count in ("houses", "vehicles", "months_without_income"):
        assert f'inputmode="numeric" autocomplete="off" id="{count}"' in html
    assert 'inputmode="decimal" autocomplete="off" id="financial"' in html


def test_citizen_form_is_filled_from_the_household_on_file(client, accounts, household_in):
    household = household_in(name="王秀英")
    person = household.members.get()
    person.user = accounts["citizen"]
    person.save()
    client.force_login(accounts["citizen"])
    html = client.get("/apply/").content.decode()
    assert f'value="{person.name}"' in html and f'value="{person.id_number}"' in html


def test_window_intake_starts_from_a_chosen_household(client, people, catalog):  # noqa: F811
    app = filed(people)
    client.force_login(people["caseworker"])
    html = client.get(f"/apply/?household={app.household_id}").content.decode()
    assert 'value="李春梅"' in html
    client.force_login(people["other_caseworker"])
    assert client.get(f"/apply/?household={app.household_id}").status_code == 404


def test_error_summary_names_and_links_each_field(client, accounts):
    client.force_login(accounts["citizen"])
    page = client.post(
        "/apply/",
        {"size": "1", "village": "", "m0-name": "张三", "m0-id_number": "123", "action": "submit"},
    )
    html = page.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#village"' in html or 'href="#m0-id_number"' in html
    assert 'value="张三"' in html


def test_second_open_application_for_the_same_category_is_refused(people, catalog):  # noqa: F811
    filed(people)
    second = intake.application_draft_save(by=people["caseworker"], data=draft_data())
    with pytest.raises(DomainError) as refused:
        intake.application_submit(application=second, by=people["caseworker"])
    assert "不能重复申请" in refused.value.message
    other = intake.application_draft_save(
        by=people["caseworker"], data=draft_data(requested="temporary")
    )
    number = other.data["members"][0]["id_number"]
    intake.application_submit(application=other, by=people["caseworker"], signers=[number])


def test_withdraw_asks_for_confirmation(client, people, catalog):  # noqa: F811
    app = filed(people)
    client.force_login(people["caseworker"])
    html = client.get(f"/applications/{app.pk}/").content.decode()
    assert "data-confirm=" in html


def test_village_list_can_be_narrowed_by_township(client, accounts):
    client.force_login(accounts["citizen"])
    html = client.get("/apply/").content.decode()
    assert 'id="township"' in html and 'data-township="371002001"' in html


def test_a_phone_with_letters_is_a_field_error_and_the_form_keeps_everything(client, accounts):
    client.force_login(accounts["citizen"])
    page = client.post(
        "/apply/",
        {
            "size": "1",
            "village": "371002001003",
            "address": "张村镇西村9号",
            "requested": "dibao",
            "m0-relation": "applicant",
            "m0-name": "周海燕",
            "m0-id_number": "",
            "m0-phone": "12ab",
            "action": "draft",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "请填写正确的电话号码" in html and 'href="#m0-phone"' in html
    assert 'value="12ab"' in html and 'value="周海燕"' in html and 'value="张村镇西村9号"' in html
