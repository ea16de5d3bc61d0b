"""The rules of SPEC §5 as pure functions: no Django, no I/O, ``Decimal`` exact until the one
final rounding of each amount.

Sources: 民政部《最低生活保障审核确认办法》(2021, "MZ-2021") for 低保, 单人保 and the counting of
income and assets; 《特困人员认定办法》(2021) for 特困 (no capacity to work, obligors, self-care);
《社会救助暂行办法》(2014) and 民政部 财政部《关于进一步加强和改进临时救助工作的意见》(2018) for
临时救助 and 先行救助; local parameters and pilots as SPEC §4.

Exactness: rigid expenditure is spread over 12 months, and 1/12 is not a finite decimal, so the
engine carries the household's income as **twelfths** (12 × counted income, exact) and compares
``12 × income < 12 × line`` instead of dividing; the only division is the one just before the
final half-up rounding. Per-capita tests multiply the line by the household size for the same
reason. :func:`assess` runs under its own decimal context, so the caller's context (precision,
rounding) cannot change a result.

Reasons are plain Chinese a caseworker can read back to a citizen, and name the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from .money import quantize_yuan
from .types import SELF_CARE_LEVELS, Assessment, Household, Member, Obligor, Parameters, Result

ZERO = Decimal(0)
TWELVE = Decimal(12)

#: 34 significant digits (IEEE decimal128), errors raise: the engine's arithmetic, whatever the
#: caller's thread context is.
CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)

RELATION_LABELS = {
    "applicant": "申请人",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "grandparent": "祖父母",
    "sibling": "兄弟姐妹",
    "other": "其他成员",
}
DISABILITY_LABELS = {
    "physical": "肢体",
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}
GRADE_LABELS = {1: "一", 2: "二", 3: "三", 4: "四"}
CARE_LABELS = {"full": "全自理", "partial": "半护理", "none": "全护理"}
DUTY_LABELS = {"spouse": "配偶", "parent": "父母", "child": "成年子女"}
DUTY_KINDS = {"spouse": "扶养", "parent": "抚养", "child": "赡养"}
COUNTS_AS_DIBAO = frozenset({"dibao", "dibao_single"})

# Kinship between members, derived from each one's relation to the applicant (SPEC §5 names
# spouse, parent and child). The household file only records relations to the applicant, so:
#   applicant ↔ spouse are spouses (no other pair is: two "parent" members may or may not be
#   married to each other, and the file cannot tell);
#   a child's parents are the applicant and the spouse (step-children included);
#   the applicant's and a sibling's parents are the "parent" members;
#   a "parent"'s parents are the "grandparent" members;
#   a grandchild's parents are the "child" members (which child cannot be told, so any).
# CHILDREN is the exact inverse of PARENTS; a test pins that.
SPOUSES: dict[str, frozenset[str]] = {
    "applicant": frozenset({"spouse"}),
    "spouse": frozenset({"applicant"}),
}
PARENTS: dict[str, frozenset[str]] = {
    "applicant": frozenset({"parent"}),
    "sibling": frozenset({"parent"}),
    "child": frozenset({"applicant", "spouse"}),
    "grandchild": frozenset({"child"}),
    "parent": frozenset({"grandparent"}),
}
CHILDREN: dict[str, frozenset[str]] = {
    "applicant": frozenset({"child"}),
    "spouse": frozenset({"child"}),
    "parent": frozenset({"applicant", "sibling"}),
    "grandparent": frozenset({"parent"}),
    "child": frozenset({"grandchild"}),
}
NOBODY: frozenset[str] = frozenset()


def _y(x: Decimal) -> str:
    """A money figure as read out: half-up to 2 places."""
    return str(quantize_yuan(x))


def _n(x: Decimal) -> str:
    """A multiple as read out, without trailing zeros: 1.50 → "1.5", 24 → "24"."""
    return format(x.normalize(), "f")


def _who(index: int, member: Member) -> str:
    return f"成员 {index + 1}（{RELATION_LABELS[member.relation]}，{member.age} 岁）"


# --- what depends only on the Parameters, worked out once per Parameters ----------------------


@dataclass(frozen=True, slots=True)
class Lines:
    """Every figure of one ``Parameters`` the rules compare against, exact, with its 2-place
    form for results and its text for reasons. Built once per Parameters (see :func:`lines`)."""

    standard: Decimal
    standard_q: Decimal
    standard_s: str
    edge: Decimal
    edge_q: Decimal
    edge_s: str
    relative: Decimal | None
    relative_q: Decimal | None
    relative_s: str
    single: Decimal
    single_s: str
    exemption: Decimal
    exemption_s: str
    financial_per_person: Decimal
    tekun_basic: Decimal
    tekun_amounts: dict[str, Decimal]  # self-care level → monthly 特困 amount, 2 places
    tekun_reasons: dict[str, str]
    temporary_min: Decimal
    temporary_max: Decimal
    migrant_cap: Decimal

    @classmethod
    def of(cls, p: Parameters) -> Lines:
        standard = p.dibao_standard
        edge = p.edge_line
        relative = p.relative_poverty_line
        basic = p.tekun_basic
        amounts, reasons = {}, {}
        for level in SELF_CARE_LEVELS:
            care = p.care_yearly[level]
            # one division, one rounding: (12 × basic + care) / 12
            amounts[level] = quantize_yuan((basic * TWELVE + care) / TWELVE)
            reasons[level] = (
                f"特困供养金 = 基本生活标准 {basic} 元 + {CARE_LABELS[level]}照料护理标准"
                f" {_y(care)} 元 ÷ 12 = 每月 {amounts[level]} 元"
            )
        low, high = p.temporary_range
        return cls(
            standard=standard,
            standard_q=quantize_yuan(standard),
            standard_s=_y(standard),
            edge=edge,
            edge_q=quantize_yuan(edge),
            edge_s=f"{_n(p.edge_multiple)} × {_y(standard)} 元 = {_y(edge)} 元",
            relative=relative,
            relative_q=None if relative is None else quantize_yuan(relative),
            relative_s=(
                ""
                if relative is None or p.relative_poverty_multiple is None
                else f"{_n(p.relative_poverty_multiple)} × {_y(standard)} 元 = {_y(relative)} 元"
            ),
            single=p.single_person_line,
            single_s=(
                f"{_n(p.single_person_multiple)} × {_y(standard)} 元"
                f" = {_y(p.single_person_line)} 元"
            ),
            exemption=p.supporter_exemption_line,
            exemption_s=(
                f"{_n(p.supporter_exemption_multiple)} × 低保标准 {_y(standard)} 元"
                f" = {_y(p.supporter_exemption_line)} 元"
            ),
            financial_per_person=p.financial_limit_per_person,
            tekun_basic=basic,
            tekun_amounts=amounts,
            tekun_reasons=reasons,
            temporary_min=quantize_yuan(low),
            temporary_max=quantize_yuan(high),
            migrant_cap=quantize_yuan(p.migrant_cap),
        )


#: id(params) → (params, lines). Holding ``params`` keeps its id from being reused; bounded.
_LINES: dict[int, tuple[Parameters, Lines]] = {}
_LINES_MAX = 64


def lines(params: Parameters) -> Lines:
    """The :class:`Lines` of ``params``, built once per Parameters object: a batch (payroll,
    review, the benchmark) assesses thousands of households under the same few Parameters.
    Keyed on identity: Parameters are frozen (do not change ``care_yearly`` after building
    one) and, holding that dict, do not hash."""
    hit = _LINES.get(id(params))
    if hit is not None and hit[0] is params:
        return hit[1]
    with localcontext(CONTEXT):
        built = Lines.of(params)
    if len(_LINES) >= _LINES_MAX:
        _LINES.clear()
    _LINES[id(params)] = (params, built)
    return built


# --- the household's figures every rule reads --------------------------------------------------


def supporter_exempt(household: Household, params: Parameters) -> bool:
    """The outside supporter counts as paying nothing, and as unable to support, when their own
    household's per-capita income is below the exemption multiple of the standard (SPEC §4)."""
    income = household.supporter.household_per_capita_income
    return income is not None and income < params.supporter_exemption_line


def counted_supporter_payment(household: Household, params: Parameters) -> Decimal:
    """The supporter's monthly payment as counted income: 0 when exempt (SPEC §4)."""
    if supporter_exempt(household, params):
        return ZERO
    return household.supporter.monthly_payment


def _income12(household: Household, params: Parameters) -> Decimal:
    """12 × counted income, exact (see the module docstring)."""
    total = counted_supporter_payment(household, params)
    for m in household.members:
        total += m.monthly_income
    total = total * TWELVE - household.rigid_expenditure.total
    return total if total > ZERO else ZERO


def counted_income(household: Household, params: Parameters) -> Decimal:
    """Counted monthly income (计算收入, MZ-2021; SPEC §5): Σ members' monthly income + the
    counted supporter payment − the last 12 months' rigid expenditure / 12, floored at 0.

    Deducting rigid expenditure (medical after insurance, education at public rates,
    rehabilitation) is what admits expenditure-type poverty (支出型). Not rounded; exact except
    for the last digit of a non-terminating twelfth (the rules themselves compare twelfths).
    """
    return _income12(household, params) / TWELVE


def asset_test(household: Household, params: Parameters) -> tuple[bool, tuple[str, ...]]:
    """Household assets within the local limits (MZ-2021; SPEC §4): financial assets ≤
    months × standard × members, houses ≤ max, counted vehicles ≤ max, no registered business
    unless allowed. Returns (passed, reasons): one reason per failure, or one that says it passed.
    """
    assets, n = household.assets, len(household.members)
    limit = params.financial_limit_per_person * n
    failures = []
    if assets.financial > limit:
        failures.append(
            f"家庭金融资产 {_y(assets.financial)} 元，超过上限 {_n(params.financial_asset_months)}"
            f" × 低保标准 {_y(params.dibao_standard)} 元 × {n} 人 = {_y(limit)} 元"
        )
    if assets.houses > params.max_houses:
        failures.append(f"家庭有住房 {assets.houses} 套，超过 {params.max_houses} 套的限额")
    if assets.vehicles > params.max_vehicles:
        failures.append(
            f"家庭有机动车 {assets.vehicles} 辆（残疾人功能性补助车、摩托车、电动自行车不计），"
            + (
                "按规定不得拥有"
                if params.max_vehicles == 0
                else f"超过 {params.max_vehicles} 辆的限额"
            )
        )
    if assets.business_registered and not params.business_allowed:
        failures.append("家庭成员登记有经营主体（个体工商户、企业等），按规定不符合条件")
    if failures:
        return False, tuple(failures)
    return True, (
        f"家庭财产符合规定：金融资产 {_y(assets.financial)} 元，未超过 {_y(limit)} 元；"
        f"住房 {assets.houses} 套；计入的机动车 {assets.vehicles} 辆",
    )


@dataclass(frozen=True, slots=True)
class Facts:
    """What every rule reads about one household, worked out once (see :func:`facts_of`)."""

    size: int
    income12: Decimal  # 12 × counted monthly income, exact
    counted: Decimal  # counted monthly income, 2 places
    per_capita: Decimal  # per-capita counted monthly income, 2 places
    assets_pass: bool
    asset_reasons: tuple[str, ...]
    dibao_line: Decimal  # standard × members, exact
    dibao_eligible: bool
    incapacities: tuple[str | None, ...]  # per member: why they cannot work, or None
    lines: Lines


def facts_of(household: Household, params: Parameters) -> Facts:
    """Counted income, assets and whether the household qualifies for 低保: the inputs of every
    other rule ("fails 低保" gates 单人保, 边缘, relative poverty and the migrant one-off)."""
    lined = lines(params)
    n = len(household.members)
    income12 = _income12(household, params)
    passed, asset_reasons = asset_test(household, params)
    dibao_line = lined.standard * n
    return Facts(
        size=n,
        income12=income12,
        counted=quantize_yuan(income12 / TWELVE),
        per_capita=quantize_yuan(income12 / (TWELVE * n)),
        assets_pass=passed,
        asset_reasons=asset_reasons,
        dibao_line=dibao_line,
        dibao_eligible=passed and income12 < dibao_line * TWELVE,
        incapacities=tuple(incapacity(m, params) for m in household.members),
        lines=lined,
    )


def _per_capita_below(f: Facts, line: Decimal) -> bool:
    """Per-capita counted income < ``line``, compared exactly (no division)."""
    return f.income12 < line * TWELVE * f.size


# --- 低保 and what hangs on it ---------------------------------------------------------------


def _income_reasons(household: Household, params: Parameters, f: Facts) -> list[str]:
    """How the counted income was reached, when it is more than one member's income."""
    reasons = []
    supporter, rigid = household.supporter, household.rigid_expenditure.total
    if f.size > 1 or supporter.monthly_payment > ZERO or rigid > ZERO:
        total = sum((m.monthly_income for m in household.members), ZERO)
        reasons.append(f"家庭成员月收入合计 {_y(total)} 元")
    if supporter.monthly_payment > ZERO:
        if supporter_exempt(household, params):
            reasons.append(
                f"赡养（抚养、扶养）义务人家庭人均收入 "
                f"{_y(supporter.household_per_capita_income or ZERO)} 元，低于"
                f" {f.lines.exemption_s}，其每月给付的 {_y(supporter.monthly_payment)} 元不计入收入"
            )
        else:
            reasons.append(f"计入赡养（抚养、扶养）费每月 {_y(supporter.monthly_payment)} 元")
    if rigid > ZERO:
        r = household.rigid_expenditure
        reasons.append(
            f"近 12 个月刚性支出 {_y(rigid)} 元（医疗 {_y(r.medical)} 元、"
            f"教育 {_y(r.education)} 元、康复 {_y(r.rehabilitation)} 元），"
            f"每月扣除 {_y(rigid)} ÷ 12 = {_y(rigid / TWELVE)} 元"
        )
        if f.income12 == ZERO:
            reasons.append("扣除后不足 0 元，按 0 元计算")
    return reasons


def dibao(household: Household, params: Parameters, facts: Facts | None = None) -> Result:
    """低保 (MZ-2021; SPEC §5): eligible when counted income < standard × members and assets
    pass. Amount = standard × members − counted income (补差), raised to the local floor when
    one is set, rounded half-up once."""
    f = facts or facts_of(household, params)
    lined, n = f.lines, f.size
    below = f.income12 < f.dibao_line * TWELVE
    reasons = _income_reasons(household, params, f)
    reasons.append(
        f"家庭月计算收入 {f.counted} 元，{'低于' if below else '不低于'}低保标准"
        f" {lined.standard_s} 元 × {n} 人 = {_y(f.dibao_line)} 元"
    )
    reasons.extend(f.asset_reasons)
    line = quantize_yuan(f.dibao_line)
    if not f.dibao_eligible:
        reasons.append("不符合低保条件")
        return Result("dibao", False, tuple(reasons), line=line)
    gap12 = f.dibao_line * TWELVE - f.income12
    amount = quantize_yuan(gap12 / TWELVE)
    reasons.append(f"符合低保条件，按差额（低保标准 × 人数 − 家庭月计算收入）每月发放 {amount} 元")
    floor = params.dibao_floor
    if floor is not None and gap12 < floor * TWELVE:
        amount = quantize_yuan(floor)
        reasons.append(f"差额低于保底金额，按保底金额每月发放 {amount} 元")
    return Result("dibao", True, tuple(reasons), monthly_amount=amount, line=line)


def single_person_condition(member: Member) -> str | None:
    """Why a member may be enrolled alone (单人保, MZ-2021; SPEC §5): a disability certificate
    of grade 1–2 of any type or grade 3 intellectual/mental, or a serious illness. None if not."""
    grade = member.disability_grade
    if grade is not None and (
        grade <= 2 or (grade == 3 and member.disability_type in ("intellectual", "mental"))
    ):
        kind = DISABILITY_LABELS.get(member.disability_type or "", "")
        return f"持{GRADE_LABELS[grade]}级{kind}残疾证"
    if member.serious_illness:
        return "患重特大疾病"
    return None


def dibao_single(
    household: Household, index: int, params: Parameters, facts: Facts | None = None
) -> Result | None:
    """单人保 for member ``index`` (MZ-2021; SPEC §5), or None when the member has no qualifying
    disability or illness. Eligible when the household fails 低保, its per-capita counted income
    is below the single-person multiple of the standard, assets pass, and the member's own
    income is below the standard. Assessed as a household of one: amount = standard − own
    income."""
    member = household.members[index]
    condition = single_person_condition(member)
    if condition is None:
        return None
    f = facts or facts_of(household, params)
    lined = f.lines
    line = lined.standard_q
    head = f"{_who(index, member)}{condition}"
    if f.dibao_eligible:
        return Result(
            "dibao_single",
            False,
            (head, "全家已符合低保条件，按户保障，无需单人保"),
            member=index,
            line=line,
        )
    ok = f.assets_pass
    reasons = [head, "家庭整体不符合低保条件"]
    if _per_capita_below(f, lined.single):
        reasons.append(f"家庭人均月计算收入 {f.per_capita} 元，低于 {lined.single_s}")
    else:
        ok = False
        reasons.append(f"家庭人均月计算收入 {f.per_capita} 元，不低于 {lined.single_s}")
    reasons.extend(f.asset_reasons)
    own = member.monthly_income
    if own < lined.standard:
        reasons.append(f"本人月收入 {_y(own)} 元，低于低保标准 {lined.standard_s} 元")
    else:
        ok = False
        reasons.append(f"本人月收入 {_y(own)} 元，不低于低保标准 {lined.standard_s} 元")
    if not ok:
        reasons.append("不符合单人保条件")
        return Result("dibao_single", False, tuple(reasons), member=index, line=line)
    amount = quantize_yuan(lined.standard - own)
    reasons.append(
        f"可单独纳入低保（按单人户），每月发放 {lined.standard_s} − {_y(own)} = {amount} 元"
    )
    return Result(
        "dibao_single", True, tuple(reasons), member=index, monthly_amount=amount, line=line
    )


def dibao_edge(household: Household, params: Parameters, facts: Facts | None = None) -> Result:
    """低保边缘家庭 (SPEC §5): fails 低保, per-capita counted income below the edge line
    (1.5 × standard), assets pass. No amount: the category opens the specialised assistance."""
    f = facts or facts_of(household, params)
    lined = f.lines
    if f.dibao_eligible:
        return Result(
            "dibao_edge",
            False,
            ("家庭已符合低保条件，不再认定为低保边缘家庭",),
            line=lined.edge_q,
        )
    below = _per_capita_below(f, lined.edge)
    reasons = [
        "家庭不符合低保条件",
        f"家庭人均月计算收入 {f.per_capita} 元，{'低于' if below else '不低于'}低保边缘线"
        f" {lined.edge_s}",
        *f.asset_reasons,
    ]
    ok = below and f.assets_pass
    reasons.append("认定为低保边缘家庭" if ok else "不符合低保边缘家庭条件")
    return Result("dibao_edge", ok, tuple(reasons), line=lined.edge_q)


def relative_poverty(
    household: Household, params: Parameters, facts: Facts | None = None
) -> Result | None:
    """相对贫困 (SPEC §4–5), pilot counties only (None elsewhere): fails 低保, per-capita
    counted income below the county's multiple × standard, and assets pass (as for 边缘)."""
    f = facts or facts_of(household, params)
    lined = f.lines
    if lined.relative is None:
        return None
    if f.dibao_eligible:
        return Result(
            "relative_poverty",
            False,
            ("家庭已符合低保条件，不再认定为相对贫困对象",),
            line=lined.relative_q,
        )
    below = _per_capita_below(f, lined.relative)
    reasons = [
        "家庭不符合低保条件",
        f"家庭人均月计算收入 {f.per_capita} 元，{'低于' if below else '不低于'}相对贫困线"
        f" {lined.relative_s}",
        *f.asset_reasons,
    ]
    ok = below and f.assets_pass
    reasons.append("认定为相对贫困对象" if ok else "不符合相对贫困认定条件")
    return Result("relative_poverty", ok, tuple(reasons), line=lined.relative_q)


# --- 特困 -----------------------------------------------------------------------------------


def care_level(failed_activities: int) -> str:
    """Self-care level from the six daily activities (eating, dressing, getting in and out of
    bed, toilet, walking indoors, bathing; 特困人员认定办法): none failed = "full" 全自理,
    1–3 failed = "partial" 半护理, 4 or more = "none" 全护理."""
    if not 0 <= failed_activities <= 6:
        raise ValueError(f"failed_activities must be 0–6, got {failed_activities}")
    if failed_activities == 0:
        return "full"
    return "partial" if failed_activities <= 3 else "none"


def incapacity(member: Member, params: Parameters) -> str | None:
    """Why a member has no capacity to work (无劳动能力, 特困人员认定办法; SPEC §5), or None.

    Age ≥ elderly age; under the adult age; an adult still in school (SPEC: "a minor keeps it
    until 18, longer while in school"); disability grade 1–3 intellectual or mental, 1–2
    physical, 1 visual — and 1–2 multiple disability, read like physical. Hearing and speech
    disability, or a grade without a type, do not count.
    """
    age = member.age
    if age >= params.elderly_age:
        return f"年满 {params.elderly_age} 周岁，视为无劳动能力"
    if age < params.adult_age:
        return f"未满 {params.adult_age} 周岁"
    grade, kind = member.disability_grade, member.disability_type
    if grade is not None and kind is not None:
        severe = (
            (kind in ("intellectual", "mental") and grade <= 3)
            or (kind in ("physical", "multiple") and grade <= 2)
            or (kind == "visual" and grade == 1)
        )
        if severe:
            return f"持{GRADE_LABELS[grade]}级{DISABILITY_LABELS[kind]}残疾证，无劳动能力"
    if member.in_school:
        return f"年满 {params.adult_age} 周岁仍在校就读，继续视同未成年人"
    return None


def no_work_capacity(member: Member, params: Parameters) -> bool:
    """True when :func:`incapacity` gives a reason."""
    return incapacity(member, params) is not None


def _can_support(member: Member, params: Parameters) -> bool:
    """A working-capable adult: adult age to below elderly age, and not without capacity."""
    return incapacity(member, params) is None


def _parent_duty_applies(member: Member, params: Parameters) -> bool:
    """Parents support a minor, and an adult kept as a minor while in school (SPEC §5: 特困
    "longer while in school"; 民法典 art. 1067, 不能独立生活的成年子女)."""
    return member.age < params.adult_age or (member.in_school and member.age < params.elderly_age)


def supporters_of(
    household: Household, index: int, params: Parameters, facts: Facts | None = None
) -> tuple[Obligor, ...]:
    """Who is able to support member ``index`` (有履行能力的法定义务人, 特困人员认定办法; SPEC
    §5): the request's outside supporter when able and not exempt, and the household's working-
    capable adults who are the member's spouse, parent (while the member is a minor or an adult
    still in school) or adult child. Kinship comes from the relation maps above."""
    found: list[Obligor] = []
    if household.supporter.able and not supporter_exempt(household, params):
        found.append(Obligor(None, "outside"))
    member = household.members[index]
    spouses = SPOUSES.get(member.relation, NOBODY)
    parents = (
        PARENTS.get(member.relation, NOBODY) if _parent_duty_applies(member, params) else NOBODY
    )
    children = CHILDREN.get(member.relation, NOBODY)
    if not (spouses or parents or children):
        return tuple(found)
    if facts is not None:
        capable = [why is None for why in facts.incapacities]
    else:
        capable = [_can_support(m, params) for m in household.members]
    for j, other in enumerate(household.members):
        if j == index:
            continue
        relation = other.relation
        if relation in spouses:
            duty = "spouse"
        elif relation in parents:
            duty = "parent"
        elif relation in children:
            duty = "child"
        else:
            continue
        if capable[j]:  # only a working-capable adult can support anyone
            found.append(Obligor(j, duty))
    return tuple(found)


def tekun_for_member(
    household: Household, index: int, params: Parameters, facts: Facts | None = None
) -> Result:
    """特困 for member ``index`` (特困人员认定办法; SPEC §5): no capacity to work, own income
    below the 低保 standard, assets pass, and nobody able to support them. Amount = basic
    standard + the care standard of their self-care level / 12, rounded half-up once."""
    f = facts or facts_of(household, params)
    lined = f.lines
    member = household.members[index]
    who = _who(index, member)
    ok = True
    reasons = []
    why = f.incapacities[index]
    if why is None:
        ok = False
        reasons.append(f"{who}有劳动能力")
    else:
        reasons.append(f"{who}{why}")
    own = member.monthly_income
    if own < lined.standard:
        reasons.append(f"本人月收入 {_y(own)} 元，低于低保标准 {lined.standard_s} 元")
    else:
        ok = False
        reasons.append(f"本人月收入 {_y(own)} 元，不低于低保标准 {lined.standard_s} 元")
    if not f.assets_pass:
        ok = False
    reasons.extend(f.asset_reasons)
    obligors = supporters_of(household, index, params, f)
    if obligors:
        ok = False
        for o in obligors:
            if o.member is None:
                reasons.append("家庭外的赡养（抚养、扶养）义务人有履行义务的能力")
            else:
                other = household.members[o.member]
                reasons.append(
                    f"{_who(o.member, other)}是其{DUTY_LABELS[o.duty]}，有劳动能力，"
                    f"负有{DUTY_KINDS[o.duty]}义务"
                )
    else:
        if household.supporter.able and supporter_exempt(household, params):
            reasons.append(f"家庭外义务人家庭人均收入低于 {lined.exemption_s}，视为无履行义务能力")
        reasons.append("无有履行义务能力的赡养、抚养、扶养义务人")
    if not ok:
        reasons.append("不符合特困人员认定条件")
        return Result("tekun", False, tuple(reasons), member=index, line=lined.standard_q)
    reasons.append(lined.tekun_reasons[member.self_care])
    return Result(
        "tekun",
        True,
        tuple(reasons),
        member=index,
        monthly_amount=lined.tekun_amounts[member.self_care],
        line=lined.standard_q,
    )


# --- 临时救助 -------------------------------------------------------------------------------


def temporary(household: Household, params: Parameters, facts: Facts | None = None) -> Result:
    """临时救助 (社会救助暂行办法; 临时救助意见 2018; SPEC §5).

    emergency (急难, may be paid first and documented after: 先行救助) and expenditure (支出):
    eligible, between the min and max multiples of the local standard, set by the caseworker by
    severity. migrant_no_income: ≥ the minimum months without income, no unemployment
    insurance, and the household not eligible for 低保 in this assessment ("not on 低保"); a
    one-off of at most the migrant multiple of the **urban** standard (min 0.00).
    """
    f = facts or facts_of(household, params)
    lined = f.lines
    hardship = household.hardship
    if hardship is None:
        return Result("temporary", False, ("未申报急难型或支出型临时困难",))
    if hardship.type != "migrant_no_income":
        kind = (
            "急难型临时困难（意外事故、火灾、突发重病等），可先行救助，事后补齐材料"
            if hardship.type == "emergency"
            else "支出型临时困难"
        )
        return Result(
            "temporary",
            True,
            (
                kind,
                f"救助金额为当地低保标准 {lined.standard_s} 元的"
                f" {_n(params.temporary_min_multiple)}–{_n(params.temporary_max_multiple)} 倍，"
                f"即 {lined.temporary_min}–{lined.temporary_max} 元，由经办人按困难程度确定",
            ),
            min_amount=lined.temporary_min,
            max_amount=lined.temporary_max,
        )
    ok = True
    months, need = hardship.months_without_income, params.migrant_min_months
    if months >= need:
        reasons = [f"外出务工人员连续 {months} 个月无收入，达到 {need} 个月"]
    else:
        ok = False
        reasons = [f"外出务工人员连续无收入 {months} 个月，不足 {need} 个月"]
    if hardship.unemployment_insured:
        ok = False
        reasons.append("正在享受失业保险待遇，由失业保险保障")
    else:
        reasons.append("未享受失业保险待遇")
    if f.dibao_eligible:
        ok = False
        reasons.append("家庭符合低保条件，应纳入低保")
    else:
        reasons.append("家庭不符合低保条件")
    if not ok:
        reasons.append("不符合外出务工人员临时救助条件")
        return Result("temporary", False, tuple(reasons))
    reasons.append(
        f"一次性救助，最高为城市低保标准 {_y(params.dibao_standard_urban)} 元的"
        f" {_n(params.migrant_max_multiple)} 倍 = {lined.migrant_cap} 元，同一次困难只救助一次"
    )
    return Result(
        "temporary",
        True,
        tuple(reasons),
        min_amount=Decimal("0.00"),
        max_amount=lined.migrant_cap,
    )


# --- everything at once ------------------------------------------------------------------------


def assess(household: Household, params: Parameters) -> Assessment:
    """Every policy of SPEC §5 for one household, each with its reasons (SPEC §11).

    Results in order: dibao; dibao_single per qualifying member; dibao_edge; relative_poverty
    (pilot counties only); tekun per member; temporary. ``categories`` are the category codes of
    the eligible results, dibao_single counting as dibao.
    """
    with localcontext(CONTEXT):
        f = facts_of(household, params)
        results = [dibao(household, params, f)]
        members = household.members
        for i in range(len(members)):
            single = dibao_single(household, i, params, f)
            if single is not None:
                results.append(single)
        results.append(dibao_edge(household, params, f))
        relative = relative_poverty(household, params, f)
        if relative is not None:
            results.append(relative)
        for i in range(len(members)):
            results.append(tekun_for_member(household, i, params, f))
        results.append(temporary(household, params, f))
    categories = frozenset(
        "dibao" if r.policy in COUNTS_AS_DIBAO else r.policy for r in results if r.eligible
    )
    return Assessment(
        household_size=f.size,
        counted_income=f.counted,
        per_capita_income=f.per_capita,
        assets_pass=f.assets_pass,
        asset_reasons=f.asset_reasons,
        results=tuple(results),
        categories=categories,
    )
