"""The supervisor dashboard (issue 12 item 6): summaries rebuilt from the tables, safe to run
twice and at once; pages and API read the summaries, scoped by region; the drill-down's
household list is masked and logged; each chart exports to Excel."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from applicants.models import Household, Person, Region, Role
from eligibility.models import Enrollment
from eligibility.services.enrollments import add_months, this_month
from integrity.models import AccessLog
from tests.eligibility.enrollments import make_enrollments
from weijiuni.dashboard.build import summaries_rebuild
from weijiuni.models import SummaryBuild, SummaryRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(accounts):
    from eligibility import demo as eligibility_demo

    eligibility_demo.seed()
    return make_enrollments(count=8, admin=accounts["admin"])


def enrolled_at(month: dt.date, path: str = "371000/") -> tuple[int, int]:
    rows = SummaryRow.objects.filter(metric="enrolled", period=month, path__startswith=path)
    return sum(r.n for r in rows), sum(r.people for r in rows)


def test_rebuild_counts_people_enrolled_from_the_tables(enrolled):
    summaries_rebuild(reason="test")
    month = this_month()
    active = Enrollment.objects.filter(status="active")
    people = Person.objects.filter(household__enrollments__in=active, status="living").count()
    assert enrolled_at(month) == (active.count(), people)
    # 环翠区 alone: its own households only
    mine = active.filter(household__village__path__startswith="371000/371002/")
    assert enrolled_at(month, "371000/371002/")[0] == mine.count() > 0


def test_a_stopped_enrollment_leaves_the_count_the_month_after_its_end(enrolled):
    month = this_month()
    stopped = Enrollment.objects.order_by("pk").first()
    stopped.status, stopped.end_month = "stopped", add_months(month, -1)
    stopped.save(update_fields=["status", "end_month"])
    summaries_rebuild(reason="test")
    total = Enrollment.objects.count()
    assert enrolled_at(add_months(month, -1))[0] == total
    assert enrolled_at(month)[0] == total - 1


def test_rebuilding_twice_gives_the_same_rows(enrolled):
    def rows():
        return sorted(
            SummaryRow.objects.values_list("metric", "path", "period", "key", "n", "people")
        )

    summaries_rebuild(reason="first")
    first = rows()
    summaries_rebuild(reason="second")
    assert rows() == first
    assert SummaryBuild.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_at_once_leave_one_set_of_rows(enrolled):
    summaries_rebuild(reason="before")
    expected = SummaryRow.objects.count()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            summaries_rebuild(reason="concurrent")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert SummaryRow.objects.count() == expected
    assert SummaryBuild.objects.filter(reason="concurrent").count() == 2


def test_a_request_older_than_the_last_build_is_skipped(enrolled):
    asked = timezone.now()
    summaries_rebuild(reason="after the request")
    assert summaries_rebuild(reason="late", requested_at=asked) is None
    assert summaries_rebuild(reason="new", requested_at=timezone.now()) is not None


def test_payroll_finish_queues_a_rebuild_after_commit(enrolled, django_capture_on_commit_callbacks):
    from tests.payments.conftest import payroll, with_accounts

    with_accounts()
    approver = Region.objects.get(code="371002")
    from applicants.models import User

    user = User.objects.create(username="ap-dash", role=Role.APPROVER, region=approver)
    with django_capture_on_commit_callbacks() as callbacks:
        payroll(user, this_month())
    names = [getattr(c, "__qualname__", "") for c in callbacks]
    assert any("enqueue_summaries_rebuild" in n for n in names), names


# --- pages and API ----------------------------------------------------------------------------


@pytest.fixture
def supervisor(make_user):
    return make_user(role=Role.SUPERVISOR, region_code="371000")


def test_the_page_reads_the_summaries_not_the_tables(client, supervisor, enrolled):
    summaries_rebuild(reason="test")
    client.force_login(supervisor)
    before = client.get("/dashboard/", secure=True).context["data"]
    total = before["charts"]["households_regions"]["total"][2]
    assert total == Household.objects.count()
    Household.objects.create(village=Region.objects.get(code="371002001001"))
    again = client.get("/dashboard/", secure=True).context["data"]
    assert again["charts"]["households_regions"]["total"][2] == total  # not rebuilt yet
    summaries_rebuild(reason="test")
    after = client.get("/dashboard/", secure=True).context["data"]
    assert after["charts"]["households_regions"]["total"][2] == total + 1


def test_the_api_is_scoped_to_the_supervisors_region(client, make_user, enrolled):
    summaries_rebuild(reason="test")
    county_supervisor = make_user(role=Role.SUPERVISOR, region_code="371002")
    client.force_login(county_supervisor)
    data = client.get("/api/v1/dashboard/", secure=True).json()
    assert data["region"]["code"] == "371002"
    codes = data["charts"]["households_regions"]["codes"]
    assert codes and all(c.startswith("371002") for c in codes)
    refused = client.get("/api/v1/dashboard/?region=371083", secure=True)
    assert refused.status_code == 400
    assert "region" in refused.json()


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2020-13", "from"),
        ("to=1999-01", "to"),
        ("from=0000-01", "from"),
        ("since=2026-02-31", "since"),
        ("since=tomorrow", "since"),
        ("region=371002001001", "region"),
        ("region=" + "9" * 40, "region"),
    ],
)
def test_bad_filters_are_field_errors(client, supervisor, query, field):
    client.force_login(supervisor)
    response = client.get(f"/api/v1/dashboard/?{query}", secure=True)
    assert response.status_code == 400
    assert field in response.json()
    page = client.get(f"/dashboard/?{query}", secure=True)
    assert page.status_code == 400
    assert page.context["errors"][field]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.APPROVER, Role.DEPARTMENT, Role.CITIZEN])
def test_other_roles_do_not_read_the_dashboard(client, make_user, role):
    client.force_login(make_user(role=role, region_code="371002"))
    assert client.get("/api/v1/dashboard/", secure=True).status_code == 403
    assert client.get("/dashboard/", secure=True).status_code == 404
    assert client.get("/dashboard/export/paid_trend.xlsx", secure=True).status_code == 404


def test_the_drill_down_list_is_masked_for_the_supervisor_and_logged(client, supervisor, enrolled):
    client.force_login(supervisor)
    township = Region.objects.get(code="371002001")
    response = client.get(f"/api/v1/dashboard/households/?region={township.code}", secure=True)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows and all("*" in r["applicant_id_number"] for r in rows)
    assert all(r["village"] is None for r in rows)
    logged = AccessLog.objects.filter(user=supervisor, object_type="household", channel="api")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(r["id"] for r in rows)
    assert all(logged.values_list("masked", flat=True))
    page = client.get(f"/dashboard/households/?region={township.code}", secure=True)
    assert page.status_code == 200
    # page by page (a list of ids; its cursor was a 500 when a next page existed)
    url, seen = f"/api/v1/dashboard/households/?region={township.code}&page_size=1", []
    while url:
        body = client.get(url, secure=True).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) > 1 and seen == sorted({r["id"] for r in rows}, reverse=True)
    person = Person.objects.filter(household__village__parent=township).first()
    assert person.id_number.encode() not in page.content


def test_the_drill_down_list_is_unmasked_for_the_administrator(client, accounts, enrolled):
    client.force_login(accounts["admin"])
    rows = client.get(
        "/api/v1/dashboard/households/?region=371002001&category=dibao", secure=True
    ).json()["results"]
    ids = set(Person.objects.filter(relation="applicant").values_list("id_number", flat=True))
    assert rows and all(r["applicant_id_number"] in ids for r in rows)


def test_a_township_outside_the_scope_is_not_found(client, make_user, enrolled):
    client.force_login(make_user(role=Role.SUPERVISOR, region_code="371002"))
    assert (
        client.get("/api/v1/dashboard/households/?region=371083001", secure=True).status_code == 404
    )
    assert client.get("/dashboard/households/?region=371083001", secure=True).status_code == 404


def test_each_chart_exports_its_table_to_excel(client, supervisor, enrolled):
    from weijiuni.dashboard.charts import CHARTS

    summaries_rebuild(reason="test")
    client.force_login(supervisor)
    for chart in CHARTS:
        response = client.get(f"/dashboard/export/{chart.code}.xlsx", secure=True)
        assert response.status_code == 200, chart.code
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = book.active
        api = client.get(f"/api/v1/dashboard/charts/{chart.code}/", secure=True).json()
        assert [c.value for c in sheet[1]] == api["columns"]
        assert sheet.max_row == 1 + len(api["rows"]) + (1 if api.get("total") else 0)
    households = client.get("/dashboard/export/households_regions.xlsx", secure=True)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(households.streaming_content)))
    last = list(book.active.iter_rows(values_only=True))[-1]
    assert last[0] == "合计" and last[2] == Household.objects.count()


def test_region_codes_stay_text_and_money_is_a_number_in_excel(client, supervisor, enrolled):
    summaries_rebuild(reason="test")
    client.force_login(supervisor)
    response = client.get("/dashboard/export/paid_regions.xlsx", secure=True)
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    codes = [r[1] for r in rows[1:-1]]
    assert codes and all(isinstance(c, str) and c.startswith("3710") for c in codes)
    assert all(isinstance(r[3], int | float) for r in rows[1:])


def test_money_paid_is_summed_once_per_reconciled_batch(enrolled, make_user, settings, tmp_path):
    """A reconciled batch's lines are final: the rebuild sums them once (PaidBatchRow) and then
    reads only the lines of batches still open; the figure is the lines' sum either way."""
    from django.db.models import Sum

    from payments.demo import simulated_return
    from payments.models import Line
    from payments.services import bankfiles, batches
    from tests.payments.conftest import payroll, with_accounts
    from weijiuni.models import PaidBatch

    settings.PAYMENTS_OUTBOX = tmp_path
    with_accounts()
    maker = make_user(role=Role.APPROVER, region_code="371002")
    checker = make_user(role=Role.APPROVER, region_code="371002")
    batch = batches.batch_approve(batch=payroll(maker, this_month()), user=checker)
    batch = bankfiles.batch_export(batch=batch, user=maker)

    def paid_in_summary():
        rows = SummaryRow.objects.filter(metric="paid")
        return sum((r.amount for r in rows), start=0), sum(r.n for r in rows)

    summaries_rebuild(reason="exported")
    assert paid_in_summary() == (0, 0)
    assert not PaidBatch.objects.exists()
    bank_file = batch.bank_files.order_by("pk").first()
    first = Line.objects.filter(batch=batch).order_by("pk").first()
    data = simulated_return(bank_file, {first.pk: "E1"})
    bankfiles.bank_file_reconcile(bank_file=bank_file, data=data, user=checker)
    paid = Line.objects.filter(batch=batch, status="paid")
    expected = (paid.aggregate(s=Sum("amount"))["s"], paid.count())
    assert expected[1] == Line.objects.filter(batch=batch).count() - 1
    summaries_rebuild(reason="reconciled")
    assert PaidBatch.objects.filter(batch=batch).exists()
    assert paid_in_summary() == expected
    summaries_rebuild(reason="again")  # summed once: the batch's rows are not added twice
    assert paid_in_summary() == expected
    assert PaidBatch.objects.count() == 1


# --- organizations and money per project, people served ---------------------------------------


@pytest.fixture
def served(accounts, enrolled):
    """The demo organizations' projects, and deliveries to people of 张村镇 and 乳山市: some
    served on several days, some by two projects (the people total counts them once) — a
    different service each, as a person earns once per kind and day."""
    from tests.weijiuni.hub_helpers import seed_hub
    from weijiuni.models import Delivery, Project

    world = seed_hub(accounts)
    projects = list(Project.objects.order_by("id"))
    persons = list(Person.objects.filter(status="living").order_by("id")[:10])
    today = timezone.localdate()
    kinds = sorted(world["kinds"].values(), key=lambda k: k.pk)
    for i, person in enumerate(persons):
        for j, project in enumerate(projects[:3]):
            if (i + j) % 2:
                continue
            for day in range(1 + i % 3):
                Delivery.objects.create(
                    project=project,
                    organization=project.organization,
                    person=person,
                    service_kind=kinds[j],
                    delivered_on=today - dt.timedelta(days=day),
                    recorded_by=accounts["admin"],
                )
    return world


def projects_in(path: str) -> dict[str, tuple]:
    """Each project serving the region, counted from the tables: its funding (a project whose
    area is the region, inside it or above it), its deliveries and distinct people there."""
    from weijiuni.models import Delivery, Project

    out = {}
    for project in Project.objects.select_related("area"):
        here = Delivery.objects.filter(
            project=project, person__household__village__path__startswith=path
        )
        overlaps = project.area.path.startswith(path) or path.startswith(project.area.path)
        if not overlaps and not here.exists():
            continue
        out[project.name] = (
            f"{project.funding if overlaps else 0:.2f}",
            here.count(),
            here.values("person").distinct().count(),
        )
    return out


def test_rebuild_counts_money_deliveries_and_people_per_project(served):
    from weijiuni.models import Delivery, Project

    summaries_rebuild(reason="test")
    rows = SummaryRow.objects.filter(metric="projects")
    assert Delivery.objects.exists()
    for project in Project.objects.all():
        mine = rows.filter(key=str(project.pk))
        deliveries = Delivery.objects.filter(project=project)
        assert sum(r.amount for r in mine) == project.funding
        assert sum(r.n for r in mine) == deliveries.count()
        assert sum(r.people for r in mine) == deliveries.values("person").distinct().count()
    # the funding row sits in the project's own area (once), the served rows in townships
    city_project = Project.objects.get(area__code="371000")
    funding_row = rows.get(key=str(city_project.pk), amount__gt=0)
    assert funding_row.path == "371000/"
    # the people served by any project: each person once, whatever the projects
    everyone = rows.filter(key="")
    assert sum(r.people for r in everyone) == (Delivery.objects.values("person").distinct().count())
    assert sum(r.people for r in everyone) < sum(
        r.people for r in rows.exclude(key="")
    )  # the fixture serves some people twice


@pytest.mark.parametrize("code", ["371000", "371002", "371083", "371002001"])
def test_the_projects_chart_returns_the_tables_figures_in_the_readers_region(
    client, make_user, served, code
):
    from weijiuni.models import Delivery

    summaries_rebuild(reason="test")
    region = Region.objects.get(code=code)
    client.force_login(make_user(role=Role.SUPERVISOR, region_code=code))
    data = client.get("/api/v1/dashboard/charts/projects/", secure=True).json()
    assert data["columns"] == [
        "社会组织",
        "救助项目",
        "服务区域",
        "项目资金（元）",
        "服务人次",
        "服务人数",
    ]
    got = {row[1]: (row[3], row[4], row[5]) for row in data["rows"]}
    assert got == projects_in(region.path)
    # funding first, most first; the chart draws the same projects
    amounts = [Decimal(row[3]) for row in data["rows"]]
    assert amounts == sorted(amounts, reverse=True)
    assert data["x"] == [row[1] for row in data["rows"]][:20]
    here = Delivery.objects.filter(person__household__village__path__startswith=region.path)
    assert data["total"][4] == here.count()
    assert data["total"][5] == here.values("person").distinct().count()
    assert Decimal(data["total"][3]) == sum(Decimal(v[0]) for v in got.values())


def test_a_county_reader_does_not_see_another_countys_projects(client, make_user, served):
    summaries_rebuild(reason="test")
    client.force_login(make_user(role=Role.SUPERVISOR, region_code="371002"))
    names = [
        r[1] for r in client.get("/api/v1/dashboard/charts/projects/", secure=True).json()["rows"]
    ]
    assert (
        "春风万家·张村镇助老助餐" in names and "慈善助学·圆梦行动" in names
    )  # its own, the city's
    assert "乳山市红帆助残" not in names and "文登区银龄助医" not in names
    page = client.get("/dashboard/", secure=True)
    table = page.context["data"]["charts"]["projects"]
    assert [r[1] for r in table["rows"]] == names
    assert "乳山市红帆助残" not in page.content.decode()


def test_the_projects_table_exports_to_excel_with_money_as_numbers(client, supervisor, served):
    summaries_rebuild(reason="test")
    client.force_login(supervisor)
    api = client.get("/api/v1/dashboard/charts/projects/", secure=True).json()
    response = client.get("/dashboard/export/projects.xlsx", secure=True)
    assert response.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert list(rows[0]) == api["columns"]
    assert [r[1] for r in rows[1:-1]] == [r[1] for r in api["rows"]]
    for sheet_row, api_row in zip(rows[1:-1], api["rows"], strict=True):
        assert sheet_row[3] == float(api_row[3]) and sheet_row[4] == api_row[4]
        assert sheet_row[5] == api_row[5]
    assert rows[-1][0] == "合计" and rows[-1][5] == api["total"][5]
    assert AccessLog.objects.filter(
        user=supervisor, object_type="export:dashboard:projects"
    ).exists()
