"""The caseworker's day (issue 13): the inbox per role, its search, bulk steps and exports."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from applicants.models import Application, Role
from integrity.models import AccessLog
from tests.eligibility.test_workflow import after_notice, draft_data, filed, to_notice
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(accounts, make_user):
    return {
        "citizen": accounts["citizen"],
        "caseworker": accounts["caseworker"],
        "approver": accounts["approver"],
        "other_caseworker": accounts["caseworker2"],
        "approver2": make_user(Role.APPROVER, "371002", username="approver-b"),
    }


def _filed_as(people, name, n, *, village="371002001003"):
    data = draft_data(village=village)
    data["members"][0].update(
        name=name, id_number=id_number_for(n, birth=dt.date(1975, 1, 2), male=False)
    )
    return filed(people, data)


@pytest.fixture
def three(people, catalog):
    return [_filed_as(people, name, 300 + i) for i, name in enumerate(["王秀兰", "刘建国", "王强"])]


def test_inbox_page_reads_only_its_own_rows(client, people, three, django_assert_max_num_queries):
    client.force_login(people["caseworker"])
    # as test_inbox's bound: the page's ids take one read per part of "overdue first" it
    # reaches (three at most, issue 15), whatever the number of rows
    with django_assert_max_num_queries(17):
        page = client.get("/cases/", {"page": "2"})
    assert page.status_code == 200  # page 2 of 1 is the last page, never an error


def test_inbox_shows_the_applicant_category_village_and_days_left(client, people, three):
    client.force_login(people["caseworker"])
    page = client.get("/cases/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "王秀兰" in html and "最低生活保障" in html and "张村镇 · " in html
    # submitted, not yet accepted: the acceptance deadline and the days left to it
    row = next(a for a in page.context["page"].object_list if a.pk == three[0].pk)
    assert row.due_for == "accept" and row.days_left is not None and row.days_left >= 0
    assert f"{row.due_on:%Y-%m-%d}<br><small>受理</small>" in html
    assert page.context["page"].paginator.per_page == 50


def test_search_by_id_tail_finds_one_case(client, people, three):
    client.force_login(people["caseworker"])
    tail = three[1].household.members.get().id_number[-4:]
    rows = client.get("/cases/", {"q": tail}).context["page"].object_list
    assert [a.pk for a in rows] == [three[1].pk]


def test_search_by_full_id_and_by_surname(client, people, three):
    client.force_login(people["caseworker"])
    full = three[0].household.members.get().id_number
    assert [a.pk for a in client.get("/cases/", {"q": full}).context["page"].object_list] == [
        three[0].pk
    ]
    found = {a.pk for a in client.get("/cases/", {"q": "王"}).context["page"].object_list}
    assert found == {three[0].pk, three[2].pk}


@pytest.mark.parametrize(
    "q", ["' OR 1=1 --", "<script>alert(1)</script>", "12", "%", "_", "\\", "王%"]
)
def test_hostile_or_short_search_finds_nothing_and_never_fails(client, people, three, q):
    client.force_login(people["caseworker"])
    page = client.get("/cases/", {"q": q, "sort": "'; drop", "state": "x", "village": "1'"})
    assert page.status_code == 200
    assert list(page.context["page"].object_list) == []
    assert "<script>alert(1)" not in page.content.decode()


def test_filters_by_state_category_village_and_overdue(client, people, three):
    client.force_login(people["caseworker"])
    Application.objects.filter(pk=three[0].pk).update(due_on=dt.date.today() - dt.timedelta(days=3))
    rows = client.get("/cases/", {"overdue": "1"}).context["page"].object_list
    assert [a.pk for a in rows] == [three[0].pk]
    assert client.get("/cases/", {"category": "tekun"}).context["page"].paginator.count == 0
    assert client.get("/cases/", {"village": "371002001003"}).context["page"].paginator.count == 3
    assert client.get("/cases/", {"state": "accepted"}).context["page"].paginator.count == 0


def test_supervisor_sees_names_masked(client, people, three, accounts):
    client.force_login(accounts["supervisor"])
    html = client.get("/cases/").content.decode()
    assert "王秀兰" not in html and "王*兰" in html


def test_bulk_accept_does_the_signed_ones_and_lists_each_refusal(client, people, three):
    other = _filed_as(people, "孙丽", 390)
    workflow_accept = three[2]
    from applicants import applications as intake

    intake.application_accept(application=workflow_accept, by=people["caseworker"])
    client.force_login(people["caseworker"])
    response = client.post(
        "/cases/bulk/",
        {"action": "accept", "ids": [three[0].pk, three[1].pk, three[2].pk, 99999999]},
        follow=True,
    )
    html = response.content.decode()
    assert Application.objects.get(pk=three[0].pk).state == "accepted"
    assert Application.objects.get(pk=three[1].pk).state == "accepted"
    assert Application.objects.get(pk=other.pk).state == "submitted"
    assert f"#{three[2].pk} 未办理" in html and "不能执行此操作" in html
    assert "#99999999 未办理" in html
    assert three[0].transitions.filter(action="accept").count() == 1


def test_bulk_open_notice_refuses_cases_not_yet_proposed(client, people, three):
    client.force_login(people["caseworker"])
    client.post("/cases/bulk/", {"action": "open_notice", "ids": [three[0].pk]})
    assert Application.objects.get(pk=three[0].pk).state == "submitted"


def test_bulk_by_another_township_changes_nothing(client, people, three):
    client.force_login(people["other_caseworker"])
    client.post("/cases/bulk/", {"action": "accept", "ids": [a.pk for a in three]})
    assert set(Application.objects.values_list("state", flat=True)) == {"submitted"}


def test_approver_inbox_is_awaiting_decision_with_ended_notices_first(client, people, three):
    ended, running = to_notice(people, three[0]), to_notice(people, three[1])
    after_notice(ended)
    client.force_login(people["approver"])
    page = client.get("/cases/")
    assert [a.pk for a in page.context["page"].object_list] == [ended.pk, running.pk]
    assert "公示已结束" in page.content.decode()


def test_staff_land_on_their_inbox(client, people):
    for role in ("caseworker", "approver"):
        client.force_login(people[role])
        assert client.get("/").url == "/cases/"


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_export_has_the_same_rows_as_the_page_and_is_logged(client, people, three):
    client.force_login(people["caseworker"])
    page = client.get("/cases/", {"q": "王"})
    response = client.get("/cases/export.xlsx", {"q": "王"})
    rows = _sheet(response)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [r[0] for r in rows[1:]] == [a.pk for a in page.context["page"].object_list]
    assert rows[1][1] in {"王秀兰", "王强"}
    assert AccessLog.objects.filter(object_type="export:application", channel="xlsx").exists()
    # one audit row per exported record read unmasked, written from the same query
    exported = AccessLog.objects.filter(object_type="application", channel="xlsx")
    assert sorted(exported.values_list("object_id", flat=True)) == sorted(r[0] for r in rows[1:])


def test_export_for_the_supervisor_is_masked(client, people, three, accounts):
    client.force_login(accounts["supervisor"])
    rows = _sheet(client.get("/cases/export.xlsx"))
    assert len(rows) == 4
    assert all("*" in r[1] and "*" in r[2] for r in rows[1:])
    logged = AccessLog.objects.filter(  # each record read, masked, is logged (issue 14)
        user=accounts["supervisor"], object_type="application", channel="xlsx", masked=True
    )
    assert logged.count() == len(rows) - 1


def test_households_and_enrollments_export_in_scope(client, people, three):
    client.force_login(people["other_caseworker"])
    assert len(_sheet(client.get("/households/export.xlsx"))) == 1
    client.force_login(people["caseworker"])
    assert len(_sheet(client.get("/households/export.xlsx"))) == 4
    assert _sheet(client.get("/enrollments/export.xlsx"))[0][0] == "在保编号"


def test_households_export_search_tells_a_masked_reader_nothing(client, people, three, accounts):
    """The supervisor reads masked IDs: a search by ID number (whole, or its end) or by name
    must not answer through the sheet's row count, or an ID is rebuilt digit by digit."""
    number = three[0].household.members.get(relation="applicant").id_number
    client.force_login(people["caseworker"])
    assert len(_sheet(client.get("/households/export.xlsx", {"q": number}))) == 2
    assert len(_sheet(client.get("/households/export.xlsx", {"q": number[-6:]}))) == 2
    client.force_login(accounts["supervisor"])
    assert len(_sheet(client.get("/households/export.xlsx"))) == 4  # the unsearched sheet
    for q in (number, number[-6:], number[-4:], "000000", "王"):
        rows = _sheet(client.get("/households/export.xlsx", {"q": q}))
        assert rows == rows[:1], q  # the header alone, whether the guess is right or not


def test_citizen_cannot_export(client, people, three):
    client.force_login(people["citizen"])
    assert client.get("/cases/export.xlsx").status_code == 404
    assert client.get("/households/export.xlsx").status_code == 404


@pytest.mark.parametrize(
    "ids", [["abc", "1e9", "-1"], [str(i) for i in range(300)], ["9" * 30], []]
)
def test_bulk_with_odd_ids_never_fails(client, people, three, ids):
    client.force_login(people["caseworker"])
    response = client.post("/cases/bulk/", {"action": "accept", "ids": ids}, follow=True)
    assert response.status_code == 200


def test_bulk_unknown_action_changes_nothing(client, people, three):
    client.force_login(people["caseworker"])
    response = client.post("/cases/bulk/", {"action": "approve", "ids": [three[0].pk]}, follow=True)
    assert "未知的批量操作" in response.content.decode()
    assert Application.objects.get(pk=three[0].pk).state == "submitted"


def test_export_with_hostile_search_is_an_empty_sheet(client, people, three):
    client.force_login(people["caseworker"])
    rows = _sheet(client.get("/households/export.xlsx", {"q": "'; DROP TABLE x; --"}))
    assert len(rows) == 1
    # too short an ID ending searches nothing (an empty query): an empty sheet, not a 500
    rows = _sheet(client.get("/households/export.xlsx", {"q": "12"}))
    assert len(rows) == 1


def test_a_case_between_steps_counts_its_days_to_the_closing_limit(client, people, three):
    """A proposal waiting for its notice has no step limit: its days left count to the case's
    closing limit, in the page and in the export alike."""
    today = timezone.localdate()
    Application.objects.filter(pk=three[0].pk).update(
        state="proposed", due_on=None, due_for="", case_due_on=today + dt.timedelta(days=12)
    )
    client.force_login(people["caseworker"])
    rows = {a.pk: a for a in client.get("/cases/").context["page"].object_list}
    assert rows[three[0].pk].days_left == 12
    sheet = _sheet(client.get("/cases/export.xlsx"))
    header = sheet[0]
    row = next(r for r in sheet[1:] if r[0] == three[0].pk)
    assert row[header.index("剩余天数")] == 12
