"""The supervisor's dashboard in a real browser (issue 12 item 6): with the demo data every
chart renders, and its figures are the counts taken directly from the database."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from applicants.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


@pytest.fixture
def demo_data(settings, tmp_path):
    """The whole demo (seed_demo: households, cases, enrollments, a year of payroll)."""
    from django.core.management import call_command

    settings.PAYMENTS_OUTBOX = tmp_path
    call_command("seed_demo", force=True, verbosity=0)
    from weijiuni.dashboard.build import summaries_rebuild

    summaries_rebuild(reason="test")


def cell(page, chart: str, row_label: str, column: int) -> str:
    row = page.locator(f'[data-table="{chart}"] tbody tr', has_text=row_label).first
    return row.locator("td").nth(column).inner_text().strip()


def test_every_chart_renders_and_matches_the_database(page, shot, demo_data):
    from applicants.models import OPEN_STATES, Application, Household, Person, Region
    from eligibility.models import Enrollment
    from eligibility.selectors import open_overdue_q
    from payments.models import Line
    from weijiuni.dashboard.charts import CHARTS

    login(page, "supervisor")
    page.goto("/dashboard/")
    assert page.locator("h1").inner_text() == "城市督导看板"
    assert page.locator("nav.trail [aria-current]").inner_text() == "威海市"
    for chart in CHARTS:
        holder = page.locator(f'[data-chart="{chart.code}"]')
        holder.wait_for()
        page.wait_for_function(
            f"document.querySelector('[data-chart=\"{chart.code}\"] svg') !== null"
        )
        assert holder.get_attribute("data-rendered") not in (None, "0"), chart.code
    shot(page, "1-city")

    # every county's name is on the axis (the old chart hid every other one)
    counties = list(Region.objects.filter(level="county").order_by("code"))
    axis = page.locator('[data-chart="households_regions"] svg').text_content()
    for county in counties:
        assert county.name in axis, county.name

    # households and people by county, counted from the tables
    for county in counties:
        households = Household.objects.filter(village__path__startswith=county.path).count()
        people = Person.objects.filter(
            household__village__path__startswith=county.path, status="living"
        ).count()
        assert cell(page, "households_regions", county.name, 2) == str(households)
        assert cell(page, "households_regions", county.name, 3) == str(people)

    # money paid (lines the bank confirmed) over the period, by county
    today = timezone.localdate()
    this = today.replace(day=1)
    first = (this - dt.timedelta(days=300)).replace(day=1)
    for county in counties:
        paid = Line.objects.filter(
            township__path__startswith=county.path, status="paid", month__gte=first
        ).aggregate(n=Count("id"), s=Sum("amount"))
        text = cell(page, "paid_regions", county.name, 3)
        assert Decimal(text) == (paid["s"] or Decimal("0.00")), county.name

    # overdue cases now: the inbox's own definition
    overdue = Application.objects.filter(open_overdue_q(today)).count()
    assert overdue > 0
    assert page.locator('[data-table="overdue_regions"] tfoot th').nth(2).inner_text() == str(
        overdue
    )
    assert Application.objects.filter(state__in=OPEN_STATES).exists()

    # fund-anomaly findings still open (the demo plants a payment after a death), by county
    from integrity.models import AnomalyFinding

    open_findings = AnomalyFinding.objects.filter(status="open")
    assert open_findings.filter(kind="paid_after_death").exists()
    for county in counties:
        found = open_findings.filter(household__village__path__startswith=county.path)
        if found.exists():
            assert cell(page, "anomalies_regions", county.name, 2) == str(found.count())
    assert page.locator('[data-table="anomalies_regions"] tfoot th').nth(2).inner_text() == str(
        open_findings.count()
    )

    # 春风万家 services delivered over the period (the hub's deliveries), city-wide
    from weijiuni.models import Delivery

    last_month = dt.date.fromisoformat(f"{page.locator('input[name=to]').input_value()}-01")
    first_month = dt.date.fromisoformat(f"{page.locator('input[name=from]').input_value()}-01")
    delivered = Delivery.objects.filter(
        delivered_on__gte=first_month,
        delivered_on__lt=(last_month + dt.timedelta(days=31)).replace(day=1),
    )
    assert delivered.exists()
    assert page.locator('[data-table="served_kinds"] tfoot th').nth(1).inner_text() == str(
        delivered.count()
    )

    # organizations and money per project (社会组织与项目资金), city-wide: every project with its
    # organization, funding, deliveries and distinct people served, and the totals
    from weijiuni.models import Project

    projects = list(Project.objects.select_related("organization"))
    assert projects
    axis = page.locator('[data-chart="projects"] svg').text_content()
    for project in projects:
        served = Delivery.objects.filter(project=project)
        row = page.locator('[data-table="projects"] tbody tr', has_text=project.name).first
        cells = [t.strip() for t in row.locator("td").all_inner_texts()]
        assert cells[:2] == [project.organization.name, project.name]
        assert Decimal(cells[3]) == project.funding, project.name
        assert cells[4] == str(served.count()), project.name
        assert cells[5] == str(served.values("person").distinct().count()), project.name
        assert project.name in axis
    foot = page.locator('[data-table="projects"] tfoot th')
    assert Decimal(foot.nth(3).inner_text()) == sum(p.funding for p in projects)
    assert foot.nth(4).inner_text() == str(Delivery.objects.count())
    assert foot.nth(5).inner_text() == str(Delivery.objects.values("person").distinct().count())
    assert Delivery.objects.exists()

    # people enrolled at the period's last month, city-wide
    last = page.locator("input[name=to]").input_value()
    month = dt.date.fromisoformat(f"{last}-01")
    active = Enrollment.objects.filter(
        Q(end_month__isnull=True) | Q(end_month__gte=month), start_month__lte=month
    ).filter(Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")))
    assert page.locator('[data-table="enrolled_regions"] tfoot th').nth(2).inner_text() == str(
        active.count()
    )

    # drill down: the city's first county → its township → the township's households
    county = counties[0]
    page.locator('[data-table="households_regions"] tbody tr', has_text=county.name).locator(
        "a"
    ).first.click()
    page.wait_for_url(re.compile(rf"region={county.code}"))
    assert page.locator("nav.trail [aria-current]").inner_text() == county.name
    township = Region.objects.filter(parent=county).order_by("code").first()
    page.locator('[data-table="households_regions"] tbody tr', has_text=township.name).locator(
        "a", has_text="家庭名单"
    ).click()
    page.wait_for_url(re.compile(r"/dashboard/households/"))
    rows = page.locator('[data-table="households"] tbody tr')
    expected = Household.objects.filter(village__parent=township).count()
    assert f"共 {expected} 户" in page.inner_text("main")
    assert rows.count() == min(expected, 50)
    # the supervisor reads masked: no full ID number on the page
    assert "**********" in rows.first.inner_text()
    shot(page, "2-households")
