"""Shared set-up of the verification tests: the demo sources, a case waiting for verification,
and answers written the way a source writes them."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from applicants.models import Application
from tests.factories import id_number_for

APPLICANT = id_number_for(301, birth=dt.date(1960, 3, 2), male=False)
SPOUSE = id_number_for(302, birth=dt.date(1958, 7, 9))


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def case_waiting_for_verification(caseworker, *, signers=None, financial="1000.00"):
    """A two-person 张村镇 case, accepted and verifying; both adults signed unless told."""
    cw = api(caseworker)
    body = {
        "village": "371002001002",
        "members": [
            {
                "relation": "applicant",
                "name": "孙丽",
                "id_number": APPLICANT,
                "monthly_income": "100.00",
            },
            {"relation": "spouse", "name": "王强", "id_number": SPOUSE, "monthly_income": "0"},
        ],
        "assets": {"financial": financial, "houses": 1},
    }
    created = cw.post("/api/v1/applications/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    signers = [APPLICANT, SPOUSE] if signers is None else signers
    for action, payload in (("submit", {"signers": signers}), ("accept", {}), ("verify", {})):
        response = cw.post(f"/api/v1/applications/{pk}/{action}/", payload, format="json")
        assert response.status_code == 200, (action, response.content)
    return Application.objects.get(pk=pk)


def records(source_code: str, rows: list[tuple[str, str, str]], reference: str = ""):
    """Put synthetic records (id number, item, value) at a simulated source."""
    from decimal import Decimal

    from eligibility.verification.models import DataItem, DataSource, SourceRecord

    source = DataSource.objects.get(code=source_code)
    SourceRecord.objects.bulk_create(
        SourceRecord(
            source=source,
            id_number=number,
            item=DataItem.objects.get(code=item),
            value=Decimal(value),
            reference=reference or f"r{n}",
        )
        for n, (number, item, value) in enumerate(rows)
    )
