"""Bulk re-verification of every active beneficiary (issue 10 §4): result files loaded with
COPY, matched by ID number in SQL, summed per household, bad rows counted and listed with their
line, and a review opened for each household whose found assets fail the rules — once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from applicants.models import Person
from eligibility.models import Review
from eligibility.verification import bulk, demo
from eligibility.verification.adapters.files import inbox_dir
from eligibility.verification.models import BulkVerification, BulkVerificationResult
from tests.eligibility.enrollments import make_enrollments
from tests.eligibility.verification_helpers import records

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(catalog, accounts, settings, tmp_path):
    settings.VERIFICATION_EXCHANGE_DIR = tmp_path / "exchange"
    demo.seed_sources()
    make_enrollments(count=8, admin=accounts["admin"])
    return list(Person.objects.filter(relation="applicant").order_by("id"))


def test_bulk_run_sums_per_household_rejects_bad_rows_and_opens_reviews_once(
    enrolled, accounts, django_capture_on_commit_callbacks
):
    hiding, honest = enrolled[0], enrolled[1]
    records("bank-03", [(hiding.id_number, "deposit_time", "500000.00")])
    records("bank-03", [(honest.id_number, "deposit_demand", "300.00")])
    records("provident_fund", [(honest.id_number, "provident_balance", "2000.00")])
    with django_capture_on_commit_callbacks() as queued:
        run = bulk.bulk_verification_start(by=accounts["admin"])
    assert len(queued) == 1
    assert bulk.bulk_send(run_id=run.pk) > 0
    bulk.simulated_bulk_answers(run_id=run.pk)
    bad = inbox_dir("bank-03") / f"bulk-{run.pk}.csv"
    with bad.open("a", encoding="utf-8") as f:
        f.write(f"{honest.id_number},deposit_demand,-5.00,x\n")  # negative
        f.write("110101199001011237,deposit_demand,5.00,x\n")  # not a beneficiary
        f.write(f"{honest.id_number},deposit_demand\n")  # malformed
        f.write(f"{honest.id_number},vehicle_car,1,x\n")  # the bank does not answer that

    run = bulk.bulk_match(run_id=run.pk)

    assert run.status == "done" and run.households_total == 8
    assert run.rows_rejected == 4
    assert sorted(r["line"] for r in run.rejected_sample) == [4, 5, 6, 7]
    results = {r.household_id: r for r in BulkVerificationResult.objects.filter(run=run)}
    assert results[hiding.household_id].financial == Decimal("500000.00")
    assert results[hiding.household_id].flagged
    assert results[honest.household_id].financial == Decimal("2300.00")
    assert not results[honest.household_id].flagged
    assert run.reviews_opened == 1
    review = Review.objects.get(household_id=hiding.household_id, status="open")
    assert "批量复核" in review.reported_change

    again = BulkVerification.objects.create(created_by=accounts["admin"])
    bulk.bulk_send(run_id=again.pk)
    bulk.simulated_bulk_answers(run_id=again.pk)
    again = bulk.bulk_match(run_id=again.pk)
    assert again.households_flagged == 1 and again.reviews_opened == 0  # still open: not twice


def test_bulk_run_reads_a_gbk_file(enrolled, accounts):
    person = enrolled[2]
    run = BulkVerification.objects.create(created_by=accounts["admin"])
    bulk.bulk_send(run_id=run.pk)
    path = inbox_dir("bank-01") / f"bulk-{run.pk}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"id_number,item,value,reference\n{person.id_number},deposit_time,900.00,定期存单\n"
    path.write_bytes(text.encode("gbk"))
    run = bulk.bulk_match(run_id=run.pk)
    assert run.rows_loaded == 1 and run.rows_rejected == 0
    assert BulkVerificationResult.objects.get(
        run=run, household_id=person.household_id
    ).financial == Decimal("900.00")


def test_only_an_administrator_starts_a_bulk_run(enrolled, accounts):
    from applicants.errors import DomainError

    with pytest.raises(DomainError):
        bulk.bulk_verification_start(by=accounts["caseworker"])


def test_bulk_api_starts_a_run_for_an_administrator_only(
    enrolled, accounts, django_capture_on_commit_callbacks
):
    from tests.eligibility.verification_helpers import api

    with django_capture_on_commit_callbacks() as queued:
        made = api(accounts["admin"]).post("/api/v1/bulk-verifications/", {}, format="json")
    assert made.status_code == 201 and len(queued) == 1
    assert api(accounts["caseworker"]).post("/api/v1/bulk-verifications/").status_code == 400
    seen = api(accounts["supervisor"]).get(f"/api/v1/bulk-verifications/{made.json()['id']}/")
    assert seen.status_code == 200 and seen.json()["status"] == "running"
    assert api(accounts["caseworker"]).get("/api/v1/bulk-verifications/").json()["count"] == 0


def test_bulk_run_counts_a_duplicated_row_once_and_lists_the_duplicate(enrolled, accounts):
    """A source file with the same record twice: the second is rejected with its line number
    and reason, the household's total counts the record once (issue 10, bad input)."""
    person = enrolled[2]
    records("bank-03", [(person.id_number, "deposit_time", "40000.00")], reference="定期1")
    run = BulkVerification.objects.create(created_by=accounts["admin"])
    bulk.bulk_send(run_id=run.pk)
    bulk.simulated_bulk_answers(run_id=run.pk)
    path = inbox_dir("bank-03") / f"bulk-{run.pk}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = next(line for line in lines if line.startswith(person.id_number))
    with path.open("a", encoding="utf-8") as f:
        f.write(record + "\n")  # the same record again, as the file's last line
    duplicate_line = len(lines) + 1

    run = bulk.bulk_match(run_id=run.pk)

    result = BulkVerificationResult.objects.get(run=run, household_id=person.household_id)
    assert result.financial == Decimal("40000.00")  # once, not 80000
    assert run.rows_rejected == 1
    [rejected] = run.rejected_sample
    assert rejected["line"] == duplicate_line
    assert "重复" in rejected["reason"]
    assert run.rejected_by_reason == {rejected["reason"]: 1}


def test_a_record_repeated_in_a_crlf_file_or_with_another_value_is_a_duplicate(enrolled, accounts):
    """The pre-check leaves a source to SQL when only PostgreSQL can read its lines (a CRLF
    file) or when a key repeats, whatever the value beside it: the second copy is rejected as
    a duplicate, the first is counted."""
    first, second = enrolled[3], enrolled[4]
    run = BulkVerification.objects.create(created_by=accounts["admin"])
    bulk.bulk_send(run_id=run.pk)
    header = "id_number,item,value,reference"
    crlf = inbox_dir("bank-05") / f"bulk-{run.pk}.csv"
    crlf.parent.mkdir(parents=True, exist_ok=True)
    row = f"{first.id_number},deposit_time,700.00,定期7"
    crlf.write_bytes(f"{header}\r\n{row}\r\n{row}\r\n".encode())
    other = inbox_dir("bank-06") / f"bulk-{run.pk}.csv"
    other.parent.mkdir(parents=True, exist_ok=True)
    key = f"{second.id_number},deposit_demand"
    other.write_text(f"{header}\n{key},50.00,活期1\n{key},99.00,活期1\n", encoding="utf-8")

    run = bulk.bulk_match(run_id=run.pk)

    found = {r.household_id: r for r in BulkVerificationResult.objects.filter(run=run)}
    assert found[first.household_id].financial == Decimal("700.00")
    assert found[second.household_id].financial == Decimal("50.00")
    assert run.rows_rejected == 2
    assert sorted((r["file"], r["line"]) for r in run.rejected_sample) == [
        (crlf.name, 3),
        (other.name, 3),
    ]
    assert {r["reason"] for r in run.rejected_sample} == {bulk.REASONS["duplicate"]}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3"]),
            st.sampled_from(["a", "b"]),
            st.sampled_from(["0", "5", ""]),
            st.sampled_from(["r1", "r2", "r1,x", ""]),
        ),
        max_size=8,
    ),
    st.integers(min_value=0, max_value=8),
)
@settings(max_examples=200, deadline=None)
def test_the_pre_check_never_misses_a_repeated_key(tmp_path_factory, rows, cut):
    """``_may_repeat`` may say yes for nothing, never no for a repeat: split over two files,
    a key (fields 1, 2 and 4 of a four-field line) seen twice is always caught."""
    folder = tmp_path_factory.mktemp("files")
    lines = [",".join(r) for r in rows]
    paths = []
    for no, part in enumerate((lines[:cut], lines[cut:])):
        path = folder / f"{no}.csv"
        path.write_bytes(("h\n" + "".join(line + "\n" for line in part)).encode())
        paths.append(path)
    keys = [(f[0], f[1], f[3]) for f in (line.split(",") for line in lines) if len(f) == 4]
    if len(set(keys)) != len(keys):
        assert bulk._may_repeat(paths, ["UTF8", "UTF8"])
    assert bulk._may_repeat(paths, ["UTF8", "GBK"])  # two encodings: PostgreSQL compares


def test_a_rejected_row_is_shown_by_line_and_reason_with_the_id_number_masked(enrolled, accounts):
    """The sample of rejected rows never carries the raw line (an ID number and a person's
    deposits): its line number, its reason and the ID number masked, in the run and the API."""
    import json

    from tests.eligibility.verification_helpers import api

    person = enrolled[2]
    run = BulkVerification.objects.create(created_by=accounts["admin"])
    bulk.bulk_send(run_id=run.pk)
    bulk.simulated_bulk_answers(run_id=run.pk)
    path = inbox_dir("bank-03") / f"bulk-{run.pk}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{person.id_number},deposit_demand,-987654.32,x\n")  # negative: rejected

    run = bulk.bulk_match(run_id=run.pk)

    [rejected] = run.rejected_sample
    masked = person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert rejected["line"] == len(lines) + 1 and rejected["reason"]
    assert rejected["id_number"] == masked and "row" not in rejected
    assert person.id_number not in json.dumps(run.rejected_sample)
    # a run stored with the raw line before this rule is shown the same way
    BulkVerification.objects.filter(pk=run.pk).update(
        rejected_sample=[{**rejected, "id_number": None, "row": f"{person.id_number},x,-987654.32"}]
    )
    for user in ("supervisor", "admin"):
        body = api(accounts[user]).get(f"/api/v1/bulk-verifications/{run.pk}/").json()
        [shown] = body["rejected_sample"]
        assert shown["id_number"] == masked and shown["line"] == rejected["line"]
        assert person.id_number not in json.dumps(body) and "987654" not in json.dumps(body)
