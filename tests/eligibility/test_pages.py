"""The public self-check page and the policy catalog."""

import pytest

pytestmark = pytest.mark.django_db


def selfcheck_post(client, **fields):
    data = {
        "size": "1",
        "region": "371002",
        "area": "urban",
        "m0-relation": "applicant",
        "m0-birth_date": "1985-01-01",
        "m0-monthly_income": "300",
        "m0-self_care": "full",
    }
    data.update(fields)
    return client.post("/selfcheck/", data)


def test_selfcheck_is_public_and_chinese(client, catalog):
    page = client.get("/selfcheck/").content.decode()
    assert "我能申请什么" in page and "环翠区" in page


def test_selfcheck_shows_amount_reasons_and_department(client, catalog):
    page = selfcheck_post(client).content.decode()
    assert "可能符合" in page
    assert "最低生活保障" in page
    assert "民政局" in page  # who to contact
    assert "医疗救助" in page  # related policies
    assert "787.00" in page


def test_selfcheck_htmx_returns_only_the_results(client, catalog):
    response = client.post(
        "/selfcheck/",
        {
            "size": "1",
            "region": "371002",
            "area": "urban",
            "m0-relation": "applicant",
            "m0-birth_date": "1985-01-01",
            "m0-monthly_income": "300",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "<html" not in page and "测算结果" in page


def test_selfcheck_bad_input_shows_chinese_errors_and_keeps_input(client, catalog):
    page = selfcheck_post(client, **{"m0-monthly_income": "-5"}).content.decode()
    assert "金额不能为负数" in page
    assert 'value="-5"' in page


def test_selfcheck_missing_region_is_explained(client, catalog):
    page = selfcheck_post(client, region="").content.decode()
    assert "请先修改" in page


def test_start_application_keeps_the_answers_and_asks_to_log_in(client, catalog):
    response = selfcheck_post(client, action="apply")
    assert response.status_code == 302
    # one click: after logging in, the application form, filled in (issue 13)
    assert response["Location"].startswith("/accounts/login/?next=/apply/")
    assert client.session["selfcheck"]["members"][0]["monthly_income"] == "300"


def test_policy_catalog_lists_policies_and_standards(client, catalog):
    page = client.get("/policies/").content.decode()
    assert "医疗救助" in page and "医疗保障局" in page
    assert "1.34" in page  # urban : rural ratio


def test_department_sees_its_own_policies(client, catalog, accounts):
    client.force_login(accounts["department"])
    page = client.get("/department/").content.decode()
    assert "医疗救助" in page
    assert "低保金" not in page
