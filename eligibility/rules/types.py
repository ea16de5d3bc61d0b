"""The rules engine's inputs and outputs: plain frozen dataclasses, money in ``Decimal``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from .money import ceil_yuan


@dataclass(frozen=True)
class Parameters:
    """Every policy number in force for one region, area and date (SPEC §4).

    Supplied by the caller from the standards tables; the rules hold no numbers of their own.
    """

    dibao_standard: Decimal  # local monthly 低保 standard for this area (yuan/person/month)
    dibao_standard_urban: Decimal  # the county's urban standard (migrant one-off cap)
    tekun_basic_multiple: Decimal  # 1.3
    care_yearly: Mapping[str, Decimal]  # "full" 全自理, "partial" 半护理, "none" 全护理 (yuan/year)
    edge_multiple: Decimal  # 1.5
    relative_poverty_multiple: Decimal | None  # pilot counties only
    temporary_min_multiple: Decimal  # 3
    temporary_max_multiple: Decimal  # 12
    migrant_max_multiple: Decimal  # 3 (× urban standard)
    migrant_min_months: int  # 3
    financial_asset_months: Decimal  # 24 (× monthly standard, per person)
    max_houses: int  # 1
    max_vehicles: int  # 0
    business_allowed: bool  # False
    supporter_exemption_multiple: Decimal  # 2
    single_person_multiple: Decimal  # 1.5
    dibao_floor: Decimal | None = None
    adult_age: int = 18
    elderly_age: int = 60

    # Derived figures, computed once per Parameters (they are used for every household).
    @cached_property
    def tekun_basic(self) -> Decimal:
        """特困 basic living standard: multiple × 低保 standard, rounded up to whole yuan."""
        return ceil_yuan(self.tekun_basic_multiple * self.dibao_standard)

    @cached_property
    def edge_line(self) -> Decimal:
        return self.edge_multiple * self.dibao_standard

    @cached_property
    def relative_poverty_line(self) -> Decimal | None:
        if self.relative_poverty_multiple is None:
            return None
        return self.relative_poverty_multiple * self.dibao_standard

    @cached_property
    def temporary_range(self) -> tuple[Decimal, Decimal]:
        return (
            self.temporary_min_multiple * self.dibao_standard,
            self.temporary_max_multiple * self.dibao_standard,
        )

    @cached_property
    def migrant_cap(self) -> Decimal:
        return self.migrant_max_multiple * self.dibao_standard_urban

    @cached_property
    def financial_limit_per_person(self) -> Decimal:
        return self.financial_asset_months * self.dibao_standard

    @cached_property
    def supporter_exemption_line(self) -> Decimal:
        return self.supporter_exemption_multiple * self.dibao_standard

    @cached_property
    def single_person_line(self) -> Decimal:
        return self.single_person_multiple * self.dibao_standard


@dataclass(frozen=True, slots=True)
class Member:
    relation: str  # relation to the applicant: applicant, spouse, child, parent, grandchild, …
    age: int  # full years on the assessment date
    monthly_income: Decimal
    disability_grade: int | None = None  # 1–4
    disability_type: str | None = None  # physical, visual, hearing, speech, intellectual, …
    serious_illness: bool = False
    self_care: str = "full"  # full 全自理 / partial 半护理 / none 全护理
    in_school: bool = False


@dataclass(frozen=True, slots=True)
class Assets:
    financial: Decimal = Decimal("0")
    vehicles: int = 0  # vehicles that count (not a disability vehicle, motorcycle or e-bike)
    houses: int = 0
    business_registered: bool = False


@dataclass(frozen=True, slots=True)
class RigidExpenditure:
    """Necessary spending of the last 12 months (medical after insurance, education at public
    rates, rehabilitation)."""

    medical: Decimal = Decimal("0")
    education: Decimal = Decimal("0")
    rehabilitation: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class Supporter:
    """The outside supporter (赡养/抚养/扶养 obligor living elsewhere)."""

    monthly_payment: Decimal = Decimal("0")
    household_per_capita_income: Decimal | None = None
    able: bool = False


@dataclass(frozen=True, slots=True)
class Hardship:
    type: str  # emergency | expenditure | migrant_no_income
    months_without_income: int = 0
    unemployment_insured: bool = False


@dataclass(frozen=True, slots=True)
class Household:
    area: str  # urban | rural
    members: tuple[Member, ...]
    assets: Assets = field(default_factory=Assets)
    rigid_expenditure: RigidExpenditure = field(default_factory=RigidExpenditure)
    supporter: Supporter = field(default_factory=Supporter)
    hardship: Hardship | None = None


@dataclass(frozen=True, slots=True)
class Result:
    policy: str  # dibao, dibao_single, dibao_edge, relative_poverty, tekun, temporary
    eligible: bool
    reasons: tuple[str, ...]
    member: int | None = None
    monthly_amount: Decimal | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    line: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    household_size: int
    counted_income: Decimal
    per_capita_income: Decimal
    assets_pass: bool
    asset_reasons: tuple[str, ...]
    results: tuple[Result, ...]
    categories: frozenset[str]
