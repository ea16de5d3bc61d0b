"""The rules engine's inputs and outputs (SPEC §5, §11): frozen slotted dataclasses, money in
``Decimal``. Construction checks codes and signs, so a rule never meets an unknown value.

Every policy number lives in :class:`Parameters`, built by the caller from the standards
tables (SPEC §4: "editable data, never a literal in code"); nothing here has a policy default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .money import ceil_yuan

#: relation to the applicant (与申请人关系), the household file's codes
RELATIONS = frozenset(
    {"applicant", "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other"}
)
#: disability certificate types (残疾类别)
DISABILITY_TYPES = frozenset(
    {"physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"}
)
#: self-care levels (自理能力): 全自理, 半护理, 全护理 — also the keys of ``care_yearly``
SELF_CARE_LEVELS = ("full", "partial", "none")
AREAS = frozenset({"urban", "rural"})
HARDSHIP_TYPES = frozenset({"emergency", "expenditure", "migrant_no_income"})
#: a parent's situation, as declared for a child (孤儿、事实无人抚养儿童, SPEC §5): dead 死亡,
#: missing 宣告失踪, and the six that leave a living parent unable to raise the child
PARENT_GONE = frozenset({"dead", "missing"})
PARENT_UNABLE = frozenset(
    {
        "severe_disability",  # 重残 (grade 1–2)
        "serious_illness",  # 重病
        "imprisoned",  # 服刑在押
        "drug_rehabilitation",  # 强制隔离戒毒
        "deprived_of_liberty",  # 被执行其他限制人身自由的措施
        "lost_contact",  # 失联满 6 个月
    }
)
PARENT_SITUATIONS = PARENT_GONE | PARENT_UNABLE
#: where an orphan is cared for (供养方式): 机构集中养育 or 社会散居
CARE_ARRANGEMENTS = frozenset({"institutional", "dispersed"})
#: policy codes of the results (SPEC §3 and §11), in the order :func:`assess` lists them
POLICIES = (
    "dibao",
    "dibao_single",
    "dibao_edge",
    "relative_poverty",
    "tekun",
    "temporary",
    "expenditure_hardship",
    "orphan",
    "child_in_hardship",
    "severe_disability",
)
#: policies with one result per member (the result's ``member`` is set)
MEMBER_POLICIES = frozenset(
    {"dibao_single", "tekun", "orphan", "child_in_hardship", "severe_disability"}
)
#: category codes an assessment can put a household in (``dibao_single`` counts as ``dibao``)
CATEGORIES = frozenset(
    {
        "dibao",
        "tekun",
        "dibao_edge",
        "relative_poverty",
        "temporary",
        "expenditure_hardship",
        "orphan",
        "child_in_hardship",
        "severe_disability",
    }
)


def _not_negative(owner: str, **values: Decimal | int | None) -> None:
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{owner}.{name} must not be negative, got {value}")


@dataclass(frozen=True, slots=True)
class Parameters:
    """Every policy number in force for one region, area and date (SPEC §4).

    Multiples are applied to ``dibao_standard`` (the local monthly 低保 standard of the area)
    unless said otherwise. The derived lines below are exact products; only ``tekun_basic``
    is rounded, because SPEC §4 defines it rounded up to the whole yuan.
    """

    dibao_standard: Decimal  # yuan/person/month, this area (urban or rural)
    dibao_standard_urban: Decimal  # the county's urban standard: the migrant one-off cap
    tekun_basic_multiple: Decimal  # 特困 basic living standard = multiple × standard, ceil yuan
    care_yearly: Mapping[str, Decimal]  # 特困 care standard per year: full / partial / none
    edge_multiple: Decimal  # 低保边缘 line
    relative_poverty_multiple: Decimal | None  # None: not a relative-poverty pilot county
    temporary_min_multiple: Decimal  # 临时救助 range, × local standard
    temporary_max_multiple: Decimal
    migrant_max_multiple: Decimal  # × urban standard
    migrant_min_months: int  # consecutive months without income
    financial_asset_months: Decimal  # per-person financial assets ≤ months × standard
    max_houses: int
    max_vehicles: int  # vehicles that count (not disability vehicles, motorcycles, e-bikes)
    business_allowed: bool  # may a member have a registered business
    supporter_exemption_multiple: Decimal  # supporter below multiple × standard pays nothing
    single_person_multiple: Decimal  # 单人保: household per-capita below multiple × standard
    dibao_floor: Decimal | None  # minimum 低保 payment (保底), None when not set
    adult_age: int  # 18
    elderly_age: int  # 60
    # The four categories added with issue 8 (SPEC §5). None: the region has not set the
    # number, and the rule then says so instead of paying (the defaults keep every Parameters
    # built before these existed, and every frozen copy of one, valid).
    orphan_institutional: Decimal | None = None  # 孤儿基本生活费, 机构养育, yuan/month
    orphan_dispersed: Decimal | None = None  # 孤儿基本生活费, 社会散居, yuan/month
    child_hardship_allowance: Decimal | None = None  # 重点困境儿童生活补贴, yuan/month
    disability_living_allowance: Decimal | None = None  # 困难残疾人生活补贴, yuan/month
    disability_care_allowance: Decimal | None = None  # 重度残疾人护理补贴, yuan/month

    def __post_init__(self) -> None:
        if self.dibao_standard <= 0 or self.dibao_standard_urban <= 0:
            raise ValueError("低保 standards must be positive")
        missing = [k for k in SELF_CARE_LEVELS if k not in self.care_yearly]
        if missing:
            raise ValueError(f"care_yearly lacks {', '.join(missing)}")
        _not_negative(
            "Parameters",
            tekun_basic_multiple=self.tekun_basic_multiple,
            edge_multiple=self.edge_multiple,
            relative_poverty_multiple=self.relative_poverty_multiple,
            temporary_min_multiple=self.temporary_min_multiple,
            migrant_max_multiple=self.migrant_max_multiple,
            migrant_min_months=self.migrant_min_months,
            financial_asset_months=self.financial_asset_months,
            max_houses=self.max_houses,
            max_vehicles=self.max_vehicles,
            supporter_exemption_multiple=self.supporter_exemption_multiple,
            single_person_multiple=self.single_person_multiple,
            dibao_floor=self.dibao_floor,
            orphan_institutional=self.orphan_institutional,
            orphan_dispersed=self.orphan_dispersed,
            child_hardship_allowance=self.child_hardship_allowance,
            disability_living_allowance=self.disability_living_allowance,
            disability_care_allowance=self.disability_care_allowance,
            **{f"care_yearly[{k}]": self.care_yearly[k] for k in SELF_CARE_LEVELS},
        )
        if self.temporary_min_multiple > self.temporary_max_multiple:
            raise ValueError("temporary_min_multiple exceeds temporary_max_multiple")
        if not 0 < self.adult_age < self.elderly_age:
            raise ValueError("expected 0 < adult_age < elderly_age")

    @property
    def tekun_basic(self) -> Decimal:
        """特困 basic living standard: multiple × 低保 standard rounded up to the whole yuan
        (SPEC §4: 1.3 × 787 = 1023.1 → 1024.00)."""
        return ceil_yuan(self.tekun_basic_multiple * self.dibao_standard)

    @property
    def edge_line(self) -> Decimal:
        """低保边缘 per-capita line (SPEC §4: 1.5 × standard)."""
        return self.edge_multiple * self.dibao_standard

    @property
    def relative_poverty_line(self) -> Decimal | None:
        """Relative-poverty per-capita line, pilot counties only (SPEC §4: 文登 1.2 ×)."""
        if self.relative_poverty_multiple is None:
            return None
        return self.relative_poverty_multiple * self.dibao_standard

    @property
    def temporary_range(self) -> tuple[Decimal, Decimal]:
        """临时救助 amount range for emergency and expenditure hardship (SPEC §4: 3–12 ×)."""
        return (
            self.temporary_min_multiple * self.dibao_standard,
            self.temporary_max_multiple * self.dibao_standard,
        )

    @property
    def migrant_cap(self) -> Decimal:
        """Migrant worker one-off maximum, on the **urban** standard (SPEC §4: 3 ×)."""
        return self.migrant_max_multiple * self.dibao_standard_urban

    @property
    def financial_limit_per_person(self) -> Decimal:
        """Financial assets allowed per household member (SPEC §4: 24 × standard)."""
        return self.financial_asset_months * self.dibao_standard

    @property
    def supporter_exemption_line(self) -> Decimal:
        """A supporter whose household per-capita income is below this pays nothing (§4)."""
        return self.supporter_exemption_multiple * self.dibao_standard

    @property
    def single_person_line(self) -> Decimal:
        """单人保: the household's per-capita counted income must be below this (§5)."""
        return self.single_person_multiple * self.dibao_standard


@dataclass(frozen=True, slots=True)
class Member:
    """One household member (家庭成员) as the rules see them on the assessment date."""

    relation: str  # relation to the applicant, one of RELATIONS
    age: int  # full years on the assessment date (the caller computes it)
    monthly_income: Decimal
    disability_grade: int | None = None  # 1 (most severe) – 4
    disability_type: str | None = None  # one of DISABILITY_TYPES
    serious_illness: bool = False  # 重特大疾病
    self_care: str = "full"  # full 全自理 / partial 半护理 / none 全护理
    in_school: bool = False  # in full-time education
    #: for a child: each parent's situation, 0–2 codes of PARENT_SITUATIONS (孤儿 and 事实无人
    #: 抚养 read them); a parent who raises the child is simply not listed
    parent_situations: tuple[str, ...] = ()
    care_arrangement: str | None = None  # for an orphan: institutional | dispersed

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}")
        if self.self_care not in SELF_CARE_LEVELS:
            raise ValueError(f"unknown self_care {self.self_care!r}")
        if self.disability_grade is not None and not 1 <= self.disability_grade <= 4:
            raise ValueError(f"disability_grade must be 1–4, got {self.disability_grade}")
        if self.disability_type is not None and self.disability_type not in DISABILITY_TYPES:
            raise ValueError(f"unknown disability_type {self.disability_type!r}")
        _not_negative("Member", age=self.age, monthly_income=self.monthly_income)
        if self.parent_situations:
            if not isinstance(self.parent_situations, tuple) or len(self.parent_situations) > 2:
                raise ValueError("parent_situations is a tuple of at most 2 codes")
            unknown = [c for c in self.parent_situations if c not in PARENT_SITUATIONS]
            if unknown:
                raise ValueError(f"unknown parent_situations {unknown!r}")
        if self.care_arrangement is not None and self.care_arrangement not in CARE_ARRANGEMENTS:
            raise ValueError(f"unknown care_arrangement {self.care_arrangement!r}")


@dataclass(frozen=True, slots=True)
class Assets:
    """The household's assets (家庭财产) as declared and verified."""

    financial: Decimal = Decimal(0)  # deposits, securities, insurance cash value …
    vehicles: int = 0  # that count: not a disability vehicle, motorcycle or e-bike
    houses: int = 0
    business_registered: bool = False  # a member has a registered business (经营主体)

    def __post_init__(self) -> None:
        _not_negative(
            "Assets", financial=self.financial, vehicles=self.vehicles, houses=self.houses
        )


@dataclass(frozen=True, slots=True)
class RigidExpenditure:
    """Necessary spending of the last 12 months (刚性支出): medical after insurance,
    education at public rates, rehabilitation (SPEC §5)."""

    medical: Decimal = Decimal(0)
    education: Decimal = Decimal(0)
    rehabilitation: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        _not_negative(
            "RigidExpenditure",
            medical=self.medical,
            education=self.education,
            rehabilitation=self.rehabilitation,
        )

    @property
    def total(self) -> Decimal:
        return self.medical + self.education + self.rehabilitation


@dataclass(frozen=True, slots=True)
class Supporter:
    """The supporter living elsewhere (赡养、抚养、扶养义务人) named in the request."""

    monthly_payment: Decimal = Decimal(0)
    household_per_capita_income: Decimal | None = None  # None: not known, no exemption
    able: bool = False  # has the capacity to support (有履行能力)

    def __post_init__(self) -> None:
        _not_negative(
            "Supporter",
            monthly_payment=self.monthly_payment,
            household_per_capita_income=self.household_per_capita_income,
        )


@dataclass(frozen=True, slots=True)
class Hardship:
    """A declared hardship for 临时救助 (SPEC §5)."""

    type: str  # emergency 急难 | expenditure 支出 | migrant_no_income 农民工无收入
    months_without_income: int = 0
    unemployment_insured: bool = False  # receiving unemployment insurance
    #: the household is currently enrolled in 低保 (SPEC §5: "not on 低保" bars the migrant
    #: one-off only then; would-qualify-but-not-enrolled still gets it, and is told to apply)
    on_dibao: bool = False

    def __post_init__(self) -> None:
        if self.type not in HARDSHIP_TYPES:
            raise ValueError(f"unknown hardship type {self.type!r}")
        _not_negative("Hardship", months_without_income=self.months_without_income)


@dataclass(frozen=True, slots=True)
class Household:
    """The household (共同生活的家庭成员) being assessed, with what it declared."""

    area: str  # urban | rural: which standard the caller put in Parameters
    members: tuple[Member, ...]
    assets: Assets = Assets()
    rigid_expenditure: RigidExpenditure = RigidExpenditure()
    supporter: Supporter = Supporter()
    hardship: Hardship | None = None

    def __post_init__(self) -> None:
        if self.area not in AREAS:
            raise ValueError(f"unknown area {self.area!r}")
        if not self.members:
            raise ValueError("a household has at least one member")


@dataclass(frozen=True, slots=True)
class Obligor:
    """Someone able to support a member (有履行能力的法定义务人), which bars 特困."""

    member: int | None  # index into the household's members; None = the outside supporter
    duty: str  # spouse 扶养 | parent 抚养 | child 赡养 | outside


@dataclass(frozen=True, slots=True)
class Result:
    """One policy's outcome, with its reasons in words a caseworker reads to the citizen."""

    policy: str  # one of POLICIES
    eligible: bool
    reasons: tuple[str, ...]
    member: int | None = None  # per-member policies (MEMBER_POLICIES): index into members
    monthly_amount: Decimal | None = None  # the monthly-cash policies, when eligible
    min_amount: Decimal | None = None  # temporary, when eligible
    max_amount: Decimal | None = None
    line: Decimal | None = None  # the threshold compared against, 2 places


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the rules say about one household under one set of Parameters."""

    household_size: int
    counted_income: Decimal  # monthly, 2 places
    per_capita_income: Decimal  # monthly, 2 places
    assets_pass: bool
    asset_reasons: tuple[str, ...]
    results: tuple[Result, ...]
    categories: frozenset[str]  # subset of CATEGORIES
