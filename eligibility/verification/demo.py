"""Demo verification data (SPEC §7, §12): the 96 items, 30 banks, 54 insurers, the provident
fund centre, the departments and units as sources — most answering over loopback HTTP in the
DCI pattern, some by batch files (CSV or JSON, UTF-8 or GBK) — and synthetic records for the
demo households, some of which conceal assets on purpose. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from applicants.models import Application, Household, Person

from ..models import Department
from . import catalog
from .models import DataItem, DataSource, SourceRecord

#: the demo's stopped source (its answers never come: "no answer" in every report)
STOPPED_SOURCE = "bank-30"
#: the demo's source whose result files carry bad rows on purpose (rejected, listed)
BAD_ROWS_SOURCE = "bank-01"


def _file(fmt: str = "csv", encoding: str = "utf-8", **extra) -> dict:
    return {"format": fmt, "encoding": encoding, "simulated": True, "answer_seconds": 10, **extra}


def _http(code: str, **extra) -> dict:
    return {"url": f"/sim/dci/{code}/search", "timeout": 5, "simulated": True, **extra}


def source_plan() -> list[tuple[str, str, str, str | None, list[str], str, dict]]:
    """(code, name, kind, department, items, adapter, config) for every demo source."""
    plan = []
    for i, name in enumerate(catalog.BANKS, start=1):
        code = f"bank-{i:02d}"
        if i <= 10:  # the big banks exchange batch files; every other one in GBK, some JSON
            config = _file(
                fmt="json" if i % 4 == 0 else "csv",
                encoding="gbk" if i % 2 else "utf-8",
                bad_rows=code == BAD_ROWS_SOURCE,
            )
            plan.append((code, name, "bank", None, catalog.BANK_ITEMS, "file", config))
        else:
            config = _http(code, stopped=code == STOPPED_SOURCE)
            plan.append((code, name, "bank", None, catalog.BANK_ITEMS, "http", config))
    for i, name in enumerate(catalog.INSURERS, start=1):
        code = f"insurer-{i:02d}"
        plan.append((code, name, "insurer", None, catalog.INSURER_ITEMS, "http", _http(code)))
    for code, name, kind, dept, items in catalog.AGENCIES:
        if code in ("provident_fund", "securities"):
            plan.append((code, name, kind, dept, items, "file", _file()))
        else:
            plan.append((code, name, kind, dept, items, "http", _http(code)))
    return plan


@transaction.atomic
def seed_sources() -> int:
    items = {}
    for order, (code, name, counts_as) in enumerate(catalog.ITEMS, start=1):
        items[code], _ = DataItem.objects.update_or_create(
            code=code, defaults={"name": name, "counts_as": counts_as, "order": order}
        )
    departments = {d.code: d for d in Department.objects.all()}
    for code, name, kind, dept, item_codes, adapter, config in source_plan():
        source, created = DataSource.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "department": departments.get(dept) if dept else None,
                "adapter": adapter,
                "config": config,
            },
        )
        if created:
            source.items.set([items[c] for c in item_codes])
    return DataSource.objects.count()


def _age(person: Person, on: dt.date) -> int:
    b = person.birth_date
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def concealing_households() -> set[int]:
    """Every fifth demo household, and every demo case waiting for verification (核对调查中),
    hide a deposit far above the limit (the demo of SPEC §7's headline)."""
    ids = list(Household.objects.order_by("id").values_list("id", flat=True))
    chosen = {pk for n, pk in enumerate(ids) if n % 5 == 2}
    chosen |= set(
        Application.objects.filter(state="verifying").values_list("household_id", flat=True)
    )
    return chosen


@transaction.atomic
def seed_records() -> int:
    """Synthetic records of every living demo person at the simulated sources. Idempotent."""
    if SourceRecord.objects.exists():
        return 0
    sources = {s.code: s for s in DataSource.objects.all()}
    items = {i.code: i for i in DataItem.objects.all()}
    banks = [s for c, s in sorted(sources.items()) if c.startswith("bank-")]
    insurers = [s for c, s in sorted(sources.items()) if c.startswith("insurer-")]
    hide = concealing_households()
    on = dt.date.today()  # noqa: DTZ011 - a person's age for synthetic data, no time zone
    rows: list[SourceRecord] = []

    def add(source, item, value, ref=""):
        rows.append(
            SourceRecord(
                source=source,
                id_number=p.id_number,
                item=items[item],
                value=Decimal(value),
                reference=ref,
            )
        )

    for p in Person.objects.filter(status="living").order_by("id"):
        rng = random.Random(p.id_number)  # noqa: S311  # nosec B311 - synthetic demo data
        age = _age(p, on)
        add(sources["police_hukou"], "hukou", 1)
        if age >= 18:
            add(
                rng.choice(banks),
                "deposit_demand",
                rng.randint(100, 3000),
                f"62{rng.randint(10**8, 10**9)}",
            )
            if p.monthly_income > 0:
                add(sources["hrss"], "wage_contribution_base", p.monthly_income)
        if age >= 60:
            add(sources["hrss"], "pension_resident", rng.choice((150, 168, 180)))
        if p.relation == "applicant":
            add(
                sources["real_estate"],
                "house_residential",
                1,
                f"鲁(2018)威海市不动产权第{rng.randint(10**6, 10**7)}号",
            )
        if rng.random() < 0.1 and insurers:
            add(rng.choice(insurers), "insurance_cash_value", rng.randint(500, 5000), "保单")
        if rng.random() < 0.05:
            add(sources["provident_fund"], "provident_balance", rng.randint(1000, 8000))
        if p.household_id in hide and p.relation == "applicant":
            # concealed: a large time deposit at one bank and a wealth product at another
            add(banks[2], "deposit_time", rng.randint(120, 200) * 1000, "定期存单")
            add(banks[15], "wealth_management", rng.randint(20, 60) * 1000, "理财")
    SourceRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def seed() -> None:
    seed_sources()
    seed_records()
