"""The citizen's pages work on a phone: nothing wider than the screen."""

import pytest

from applicants.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN",
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_citizen_pages_fit_a_phone(phone, shot, accounts):
    from applicants.demo import seed_households
    from eligibility import demo

    demo.seed()
    seed_households(count=40)
    phone.goto("/selfcheck/?n=2")
    assert no_horizontal_scroll(phone)
    shot(phone, "selfcheck")
    phone.goto("/accounts/login/")
    phone.fill("input[name=username]", "citizen")
    phone.fill("input[name=password]", DEMO_PASSWORD)
    phone.click("button[type=submit].primary")
    phone.wait_for_url("**/my/")
    assert no_horizontal_scroll(phone)
    shot(phone, "my")
    phone.goto("/apply/?n=2")
    assert no_horizontal_scroll(phone)
    shot(phone, "apply")
