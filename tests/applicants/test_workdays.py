"""The working-day calendar: which years it knows, loading a year's holidays, and the warnings
when the next 60 days reach a year nobody loaded (issue 8, item 7)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from applicants.applications import workday_overrides
from applicants.checks import check_calendar_coverage
from applicants.models import HolidayCalendarYear, WorkdayOverride
from applicants.workdays import (
    LIBRARY_YEARS,
    HolidayFileError,
    add_workdays,
    calendar_gap,
    is_workday,
    parse_holiday_csv,
    workdays_between,
)

TODAY = dt.date(2026, 11, 29)  # the day this was written: chinese-calendar stops at 2026

# TEST DATA ONLY, shaped like a notice: these are not the State Council's 2027 dates.
FILE_2027 = """date,is_workday,note
2027-01-01,0,元旦
2027-02-06,0,春节
2027-02-07,0,春节
2027-02-08,0,春节
2027-02-09,0,春节
2027-02-10,0,春节
2027-02-11,0,春节
2027-02-12,0,春节
2027-02-14,1,春节调休上班
"""


@pytest.fixture
def holiday_file(tmp_path):
    def write(text: str, name="holidays.csv", bom=False):
        path = tmp_path / name
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
        return str(path)

    return write


@pytest.fixture
def on_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def test_library_years_end_in_2026():
    assert max(LIBRARY_YEARS) == 2026
    assert calendar_gap(dt.date(2026, 11, 1), covered=LIBRARY_YEARS) is None  # +60 = 12-31
    assert calendar_gap(dt.date(2026, 11, 2), covered=LIBRARY_YEARS) == dt.date(2027, 1, 1)
    assert calendar_gap(dt.date(2027, 3, 1), covered=LIBRARY_YEARS) == dt.date(2027, 3, 1)
    assert calendar_gap(dt.date(2026, 12, 1), days=10, covered=LIBRARY_YEARS) is None


@pytest.mark.django_db
def test_today_the_gap_is_in_2027_and_spring_festival_counts_as_working_days():
    assert calendar_gap(TODAY) == dt.date(2027, 1, 1)
    # the silent error the gap warns about: Monday of Spring Festival week is a "working day"
    assert is_workday(dt.date(2027, 2, 8), workday_overrides())


@pytest.mark.django_db
def test_loading_a_year_covers_it_and_its_holidays_are_skipped(holiday_file):
    call_command("load_holidays", holiday_file(FILE_2027, name="2027.csv"))
    assert calendar_gap(TODAY) is None
    assert HolidayCalendarYear.objects.get().source == "2027.csv"
    overrides = workday_overrides()
    assert not any(is_workday(dt.date(2027, 2, d), overrides) for d in range(6, 13))
    assert is_workday(dt.date(2027, 2, 14), overrides)  # the make-up Sunday
    # Friday 02-05 + 1 working day: the whole festival is skipped, the make-up Sunday counts.
    assert add_workdays(dt.date(2027, 2, 5), 1, overrides) == dt.date(2027, 2, 14)
    assert add_workdays(dt.date(2027, 2, 5), 2, overrides) == dt.date(2027, 2, 15)
    assert workdays_between(dt.date(2027, 2, 5), dt.date(2027, 2, 15), overrides) == 2
    # 2028 is not loaded: a window reaching it still warns
    assert calendar_gap(dt.date(2027, 11, 15)) == dt.date(2028, 1, 1)


@pytest.mark.django_db
def test_loading_twice_changes_nothing(holiday_file, capsys):
    path = holiday_file(FILE_2027)
    call_command("load_holidays", path)
    first = list(WorkdayOverride.objects.values_list("id", "day", "is_workday", "note"))
    year = HolidayCalendarYear.objects.values_list("id", "year", "loaded_at").get()
    capsys.readouterr()
    call_command("load_holidays", path)
    assert "新增 0 天，修改 0 天，未变 9 天" in capsys.readouterr().out
    assert list(WorkdayOverride.objects.values_list("id", "day", "is_workday", "note")) == first
    assert HolidayCalendarYear.objects.values_list("id", "year", "loaded_at").get() == year


@pytest.mark.django_db
def test_a_corrected_file_updates_the_changed_day_only(holiday_file, capsys):
    call_command("load_holidays", holiday_file(FILE_2027))
    capsys.readouterr()
    corrected = FILE_2027.replace("2027-02-12,0,春节", "2027-02-12,1,更正：上班")
    call_command("load_holidays", holiday_file(corrected, name="2027-corrected.csv"))
    assert "新增 0 天，修改 1 天，未变 8 天" in capsys.readouterr().out
    assert WorkdayOverride.objects.get(day=dt.date(2027, 2, 12)).is_workday is True


@pytest.mark.django_db
def test_a_file_with_a_bom_loads(holiday_file):
    call_command("load_holidays", holiday_file(FILE_2027, bom=True))
    assert WorkdayOverride.objects.count() == 9


@pytest.mark.django_db
def test_bad_rows_are_refused_with_line_numbers_and_nothing_is_loaded(holiday_file):
    bad = (
        FILE_2027
        + "2027-02-30,0,不存在的日期\n"
        + "2027-10-01,maybe,国庆\n"
        + "2027-10-02,0\n"
        + "2027-02-08,1,重复\n"
        + "\n"  # a blank line is skipped but still counted
        + "10/03/2027,0,格式不对\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("load_holidays", holiday_file(bad))
    message = str(exc.value)
    assert "未导入任何数据" in message
    assert "第11行" in message and "2027-02-30" in message
    assert "第12行" in message and "maybe" in message
    assert "第13行" in message and "3列" in message
    assert "第14行" in message and "与第5行重复" in message
    assert "第16行" in message and "10/03/2027" in message
    assert not WorkdayOverride.objects.exists()
    assert not HolidayCalendarYear.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"day,workday\n2027-01-01,0\n", "第1行：表头"),
        (b"", "第1行：表头"),
        (b"date,is_workday,note\n", "没有日期行"),
        ("date,is_workday,note\n2027-01-01,0,元旦\n".encode("gbk"), "UTF-8"),
        (b"date,is_workday,note\n2027-01-01,0," + "长".encode() * 101 + b"\n", "第2行：说明超过"),
    ],
)
def test_malformed_files_are_refused(data, expected):
    with pytest.raises(HolidayFileError) as exc:
        parse_holiday_csv(data)
    assert expected in str(exc.value)


@pytest.mark.django_db
def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        call_command("load_holidays", str(tmp_path / "none.csv"))


@given(
    st.dictionaries(
        st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2030, 12, 31)),
        st.tuples(
            st.booleans(),
            st.text(
                alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30
            ),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_any_written_file_reads_back_the_same(days):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "is_workday", "note"])
    for day, (workday, note) in days.items():
        writer.writerow([day.isoformat(), int(workday), note])
    rows = parse_holiday_csv(out.getvalue().encode())
    assert {r.day: (r.is_workday, r.note) for r in rows} == {
        d: (w, n.strip()) for d, (w, n) in days.items()
    }


@pytest.mark.django_db
def test_system_check_warns_until_the_year_is_loaded(on_today, holiday_file):
    (warning,) = check_calendar_coverage()
    assert warning.id == "applicants.W001"
    assert "2027-01-01" in warning.msg and "load_holidays" in warning.msg
    call_command("load_holidays", holiday_file(FILE_2027))
    assert check_calendar_coverage() == []


@pytest.mark.django_db
def test_healthz_reports_the_gap_without_failing(client, on_today, holiday_file, make_user):
    client.force_login(make_user(role="admin", region_code=None))  # the detail is theirs only
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["calendar"] == "uncovered from 2027-01-01"
    assert response.json()["status"] == "ok"
    call_command("load_holidays", holiday_file(FILE_2027))
    assert client.get("/healthz").json()["calendar"] == "ok"


@pytest.mark.django_db
def test_admin_index_and_override_list_warn_administrators(
    client, accounts, on_today, holiday_file
):
    client.force_login(accounts["admin"])
    index = client.get("/admin/").content.decode()
    assert 'id="calendar-gap"' in index and "2027 年节假日安排" in index
    overrides = client.get("/admin/applicants/workdayoverride/").content.decode()
    assert "节假日日历只覆盖到 2026-12-31" in overrides
    call_command("load_holidays", holiday_file(FILE_2027))
    assert 'id="calendar-gap"' not in client.get("/admin/").content.decode()
    overrides = client.get("/admin/applicants/workdayoverride/").content.decode()
    assert "节假日日历只覆盖到" not in overrides


def test_the_documented_example_file_parses_and_agrees_with_chinese_calendar():
    import re
    from pathlib import Path

    import chinese_calendar
    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "operations.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```csv\n(.*?)```", doc, flags=re.S)
    rows = parse_holiday_csv(example.encode())
    assert len(rows) > 20
    # every day the library marks differently from Monday–Friday is in the example
    day, listed = dt.date(2026, 1, 1), {r.day for r in rows}
    while day.year == 2026:
        if chinese_calendar.is_workday(day) != (day.weekday() < 5):
            assert day in listed, day
        day += dt.timedelta(days=1)
    assert all(chinese_calendar.is_workday(r.day) == r.is_workday for r in rows)
