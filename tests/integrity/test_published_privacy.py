"""Nothing published shows an ID number, an address, an illness or a disability (SPEC §9, §1;
issue 11 item 2): every public page and public API answer over the demo, crawled without
logging in."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from applicants.models import Household, Person, Region
from integrity.models import Complaint, Objection, PublicNotice

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
#: what a disability, an illness or a care need reads like on a page
HEALTH_WORDS = ("肢体", "视力", "听力", "言语", "智力", "精神", "多重", "重病", "半护理", "全护理")


@pytest.fixture
def demo(accounts):
    """The demo as seed_demo makes it, smaller: households, cases in every state (notices
    running and decided), objections, complaints, refused attempts."""
    from applicants import demo as applicants_demo
    from eligibility import demo as eligibility_demo
    from eligibility.demo_cases import seed_cases
    from weijiuni.oversight import demo as oversight_demo

    applicants_demo.seed_households(count=120)
    eligibility_demo.seed()
    seed_cases(limit=60)
    oversight_demo.seed()
    assert PublicNotice.objects.filter(outcome="").exists()
    assert PublicNotice.objects.filter(outcome="approved").exists()
    assert Objection.objects.exists() and Complaint.objects.exists()


def _public_urls() -> list[str]:
    urls = ["/notices/", "/notices/?stage=result", "/complaints/new/", "/answers/"]
    for region in Region.objects.order_by("path"):
        for stage in ("open", "result"):
            urls.append(f"/notices/?region={region.code}&stage={stage}")
            urls.append(f"/api/v1/public-notices/?region={region.code}&stage={stage}")
            if region.level in ("village", "township"):
                urls.append(f"/notices/print/?region={region.code}&stage={stage}")
    for ref in PublicNotice.objects.values_list("reference", flat=True):
        urls += [f"/notices/{ref}/object/", f"/api/v1/public-notices/{ref}/"]
    for ref in Objection.objects.values_list("reference", flat=True):
        urls += [f"/answers/?reference={ref}", f"/api/v1/objections/{ref}/"]
    for ref in Complaint.objects.values_list("reference", flat=True):
        urls += [f"/answers/?reference={ref}", f"/api/v1/complaints/{ref}/"]
    return urls


def test_no_public_page_or_api_answer_shows_id_address_illness_or_disability(demo):
    people = list(Person.objects.values_list("name", "id_number"))
    addresses = [a for a in Household.objects.values_list("address", flat=True) if a]
    objectors = [
        v
        for pair in Objection.objects.values_list("objector_name", "objector_phone")
        for v in pair
        if v
    ]
    page, api = Client(), APIClient()
    crawled = 0
    for url in _public_urls():
        client = api if url.startswith("/api/") else page
        cache.clear()  # the anonymous throttle counts a crawler as one visitor
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        text = response.content.decode()
        crawled += 1
        assert not ID_NUMBER.search(text), url
        assert not PHONE.search(text), url
        for word in HEALTH_WORDS:
            assert word not in text, (url, word)
        for address in addresses:
            assert address not in text, (url, address)
        for value in objectors:
            assert value not in text, (url, value)
        for name, id_number in people:
            assert id_number not in text, url
            if len(name) >= 2:
                assert name not in text, (url, name)
    assert crawled > 100
    _only_notice_columns()


def _only_notice_columns() -> None:
    """The public notice API carries only the columns a notice may show, the name masked."""
    rows = APIClient().get("/api/v1/public-notices/", {"stage": "result"}).json()["results"]
    assert rows
    allowed = {
        "reference",
        "name",
        "household_size",
        "category",
        "category_label",
        "monthly_amount",
        "purpose",
        "township",
        "village",
        "region_code",
        "opened_at",
        "closes_on",
        "closed_early",
        "outcome",
        "decided_on",
        "stage",
    }
    for row in rows:
        assert set(row) == allowed
        assert "*" in row["name"]
