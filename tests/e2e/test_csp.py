"""The Content-Security-Policy holds in a real browser: the main pages work and report no
violation (issue 14 §6), and the two-factor login works through the pages."""

import time

import pytest

from applicants.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any page script (through DevTools, outside the page's CSP): every violation the
# browser reports is kept where the test can read it.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} line ${e.lineNumber}`);
});
"""

PAGES = {
    None: ["/accounts/login/", "/selfcheck/", "/policies/", "/api/docs/"],
    "citizen": ["/my/", "/apply/", "/my/payments/"],
    "caseworker": ["/households/", "/cases/", "/households/new/", "/payroll/outstanding/"],
    "supervisor": ["/dashboard/", "/oversight/overdue/", "/reevaluations/", "/payroll/"],
    "approver": ["/payroll/"],
    "admin": ["/admin/", "/admin/applicants/user/", "/accounts/two-factor/"],
}


@pytest.fixture
def watched(page):
    console = []
    page.on(
        "console",
        lambda m: console.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.add_init_script(WATCH)
    page.console = console
    return page


def login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def violations(page) -> list[str]:
    reported = page.evaluate("window.__cspViolations || []")
    csp_console = [
        m for m in page.console if "Content Security Policy" in m or "Permissions-Policy" in m
    ]
    return reported + csp_console


@pytest.mark.parametrize("username", list(PAGES), ids=lambda u: u or "anonymous")
def test_main_pages_report_no_csp_violation(watched, accounts, username):
    from applicants.demo import seed_households

    seed_households(count=20)
    if username:
        login(watched, username)
    for path in PAGES[username]:
        response = watched.goto(path)
        watched.wait_for_load_state("networkidle")
        assert response.status == 200, path
        script_src = response.headers["content-security-policy"].split("script-src")[1]
        assert "unsafe" not in script_src.split(";")[0], path
        assert violations(watched) == [], path


def test_dashboard_chart_and_its_tooltip_draw_under_the_csp(watched, accounts):
    from applicants.demo import seed_households
    from weijiuni.dashboard.build import summaries_rebuild

    seed_households(count=20)
    summaries_rebuild(reason="test")
    login(watched, "supervisor")
    watched.wait_for_selector('[data-chart="households_regions"] svg')
    box = watched.locator('[data-chart="households_regions"]').bounding_box()
    watched.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
    watched.wait_for_timeout(500)
    assert violations(watched) == []


def test_selfcheck_htmx_works_under_the_csp(watched, accounts):
    from eligibility import demo as eligibility_demo

    eligibility_demo.seed()
    watched.goto("/selfcheck/")
    watched.wait_for_load_state("networkidle")
    watched.locator("form button[type=submit]").first.click()
    watched.wait_for_load_state("networkidle")
    assert violations(watched) == []
    assert [m for m in watched.console if m.startswith("pageerror")] == []


def test_approver_logs_in_with_a_totp_code_in_the_browser(watched, accounts, settings, shot):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_REQUIRED_ROLES = ["admin", "approver", "supervisor"]
    login(watched, "approver")
    watched.wait_for_url("**/accounts/login/otp/")
    assert watched.locator("[data-testid=otp-uri]").inner_text().startswith("otpauth://totp/")
    assert watched.locator(".otp-qr svg").count() == 1
    shot(watched, "enrol")
    device = TOTPDevice.objects.get(user=accounts["approver"])
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    watched.fill("input[name=otp]", f"{totp.token():06d}")
    watched.click("button[type=submit].primary")
    watched.wait_for_url("**/cases/")  # the approver lands on the inbox (issue 13)
    assert violations(watched) == []


def test_household_and_case_pages_report_no_csp_violation(watched, accounts):
    from applicants.demo import seed_households
    from applicants.models import Application, Household

    seed_households(count=20)
    household = Household.objects.filter(village__code__startswith="371002001").first()
    application = Application.objects.create(
        household=household,
        village=household.village,
        channel="window",
        created_by=accounts["caseworker"],
    )
    login(watched, "caseworker")
    for path in (f"/households/{household.pk}/", f"/cases/{application.pk}/"):
        response = watched.goto(path)
        watched.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert violations(watched) == [], path
