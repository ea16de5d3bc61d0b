"""Throughput of the rules engine on one core: ``python -m bench.rules [--households N]``.

Generates synthetic households in-process (seeded, so every run assesses the same ones), times
``assess(explain=False)`` over all of them (the batch path: re-evaluation and payroll need the
results and amounts, not the reasons' text; ``--explain`` times the text too), and times a bare
loop doing only the 低保 arithmetic (Σ income, compare with standard × members, subtract) on the
same inputs as a lower bound. The last line is
``rules households=N seconds=S bound_seconds=B ratio=R peak_mb=M``.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from decimal import Decimal

from eligibility.rules import (
    Assets,
    Hardship,
    Household,
    Member,
    Parameters,
    RigidExpenditure,
    Supporter,
    assess,
)

SEED = 20201215


def parameters(standard: str, relative: str | None) -> Parameters:
    """SPEC §4 numbers, from 2020-07-01; a real run gets them from the standards tables."""
    return Parameters(
        dibao_standard=Decimal(standard),
        dibao_standard_urban=Decimal("787"),
        tekun_basic_multiple=Decimal("1.3"),
        care_yearly={"full": Decimal(3297), "partial": Decimal(5495), "none": Decimal(10990)},
        edge_multiple=Decimal("1.5"),
        relative_poverty_multiple=None if relative is None else Decimal(relative),
        temporary_min_multiple=Decimal(3),
        temporary_max_multiple=Decimal(12),
        migrant_max_multiple=Decimal(3),
        migrant_min_months=3,
        financial_asset_months=Decimal(24),
        max_houses=1,
        max_vehicles=0,
        business_allowed=False,
        supporter_exemption_multiple=Decimal(2),
        single_person_multiple=Decimal("1.5"),
        dibao_floor=None,
        adult_age=18,
        elderly_age=60,
        orphan_institutional=Decimal(1900),
        orphan_dispersed=Decimal(1500),
        child_hardship_allowance=Decimal(300),
        disability_living_allowance=Decimal(100),
        disability_care_allowance=Decimal(100),
    )


#: (area, Parameters): 环翠 urban, 环翠 rural, 文登 rural (pilot 1.2), 荣成 urban (pilot 1.5)
REGIMES = [
    ("urban", parameters("787", None)),
    ("rural", parameters("588", None)),
    ("rural", parameters("588", "1.2")),
    ("urban", parameters("787", "1.5")),
]

RELATIVES = ["spouse", "child", "child", "parent", "grandchild", "grandparent", "sibling", "other"]
AGES = {
    "applicant": (18, 90),
    "spouse": (18, 90),
    "child": (0, 40),
    "parent": (40, 95),
    "grandchild": (0, 20),
    "grandparent": (60, 100),
    "sibling": (10, 70),
    "other": (0, 90),
}
DISABILITY_TYPES = ["physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"]


class Money:
    """Decimal yuan from whole fen, shared between equal values to keep the memory honest."""

    def __init__(self) -> None:
        self._cache: dict[int, Decimal] = {}

    def __call__(self, fen: int) -> Decimal:
        value = self._cache.get(fen)
        if value is None:
            value = self._cache[fen] = Decimal(fen).scaleb(-2)
        return value


def member(rng: random.Random, money: Money, relation: str) -> Member:
    low, high = AGES[relation]
    age = rng.randint(low, high)
    working = 18 <= age < 60
    income = 0
    if rng.random() < (0.75 if working else 0.35):
        income = rng.randint(0, 300_000 if working else 120_000)
    grade = kind = None
    if rng.random() < 0.12:
        grade, kind = rng.randint(1, 4), rng.choice(DISABILITY_TYPES)
    return Member(
        relation=relation,
        age=age,
        monthly_income=money(income),
        disability_grade=grade,
        disability_type=kind,
        serious_illness=rng.random() < 0.05,
        self_care=rng.choices(["full", "partial", "none"], [0.8, 0.12, 0.08])[0],
        in_school=(6 <= age <= 24) and rng.random() < 0.7,
    )


def household(rng: random.Random, money: Money) -> tuple[Household, Parameters]:
    area, params = rng.choice(REGIMES)
    size = rng.choices(range(1, 7), [0.25, 0.25, 0.2, 0.15, 0.1, 0.05])[0]
    relations = ["applicant"]
    for _ in range(size - 1):
        relation = rng.choice(RELATIVES)
        if relation == "spouse" and "spouse" in relations:
            relation = "child"
        relations.append(relation)
    members = tuple(member(rng, money, r) for r in relations)
    assets = Assets(
        financial=money(rng.choice([0, 0, rng.randint(0, 6_000_000)])),
        vehicles=1 if rng.random() < 0.08 else 0,
        houses=rng.choices([0, 1, 2], [0.3, 0.62, 0.08])[0],
        business_registered=rng.random() < 0.04,
    )
    rigid = RigidExpenditure()
    if rng.random() < 0.2:
        rigid = RigidExpenditure(
            medical=money(rng.randint(0, 5_000_000)),
            education=money(rng.choice([0, rng.randint(0, 1_000_000)])),
            rehabilitation=money(rng.choice([0, rng.randint(0, 500_000)])),
        )
    supporter = Supporter()
    if rng.random() < 0.2:
        supporter = Supporter(
            monthly_payment=money(rng.randint(0, 100_000)),
            household_per_capita_income=rng.choice([None, money(rng.randint(0, 500_000))]),
            able=rng.random() < 0.5,
        )
    hardship = None
    if rng.random() < 0.15:
        hardship = Hardship(
            type=rng.choice(["emergency", "expenditure", "migrant_no_income"]),
            months_without_income=rng.randint(0, 8),
            unemployment_insured=rng.random() < 0.3,
        )
    return Household(area, members, assets, rigid, supporter, hardship), params


def dibao_bound(cases: list[tuple[Household, Parameters]]) -> tuple[float, int]:
    """Only the 低保 arithmetic: Σ income, compare with standard × members, subtract."""
    eligible = 0
    start = time.perf_counter()
    for h, p in cases:
        total = Decimal(0)
        for m in h.members:
            total += m.monthly_income
        line = p.dibao_standard * len(h.members)
        if total < line:
            _amount = line - total
            eligible += 1
    return time.perf_counter() - start, eligible


def run_assess(
    cases: list[tuple[Household, Parameters]], *, explain: bool = False, cpu: dict | None = None
) -> tuple[float, int]:
    eligible = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for h, p in cases:
        if "dibao" in assess(h, p, explain=explain).categories:
            eligible += 1
    if cpu is not None:  # this process's CPU time: what the rate is on a machine others share
        cpu["seconds"] = time.process_time() - start_cpu
    return time.perf_counter() - start, eligible


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="write every result's reasons too (the pages' path; batches run without them)",
    )
    args = parser.parse_args(argv)
    n = args.households

    rng, money = random.Random(args.seed), Money()  # nosec B311  # reproducible benchmark data
    cases = [household(rng, money) for _ in range(n)]
    run_assess(
        cases[:1000], explain=args.explain
    )  # warm the Parameters cache and the interpreter's
    cpu: dict = {}
    seconds, on_dibao = run_assess(cases, explain=args.explain, cpu=cpu)
    bound, _ = dibao_bound(cases)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    members = sum(len(h.members) for h, _ in cases)
    print(f"members={members} dibao_eligible={on_dibao}")
    print(f"households_per_second={n / seconds:.0f}")
    print(f"households_per_cpu_second={n / max(cpu['seconds'], 1e-9):.0f} explain={args.explain}")
    print(
        f"rules households={n} seconds={seconds:.3f} bound_seconds={bound:.3f}"
        f" ratio={seconds / max(bound, 1e-9):.2f} peak_mb={peak_mb:.1f}"
    )


if __name__ == "__main__":
    main()
