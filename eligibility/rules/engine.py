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

import threading
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    localcontext,
    setcontext,
)

from .money import FEN, quantize_yuan
from .types import (
    PARENT_GONE,
    SELF_CARE_LEVELS,
    Assessment,
    Household,
    Member,
    Obligor,
    Parameters,
    Result,
)

ZERO = Decimal(0)
ZERO_FEN = Decimal("0.00")
TWELVE = Decimal(12)

#: 34 significant digits (IEEE decimal128), errors raise: the engine's arithmetic, whatever the
#: caller's thread context is.
CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_THREAD = threading.local()


def _engine_context() -> Context:
    """This thread's copy of CONTEXT. :func:`assess` swaps it in and back with setcontext
    (a third of the cost of ``localcontext``, which copies a context on every call; that copy
    was a tenth of a batch's time). One copy per thread, so the flags it collects are not
    shared between threads."""
    try:
        return _THREAD.context
    except AttributeError:
        _THREAD.context = CONTEXT.copy()
        return _THREAD.context


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
    #: results without reasons (``explain=False``) that depend only on these Parameters and a
    #: few small keys, built once and shared: a Result is frozen, and building one costs more
    #: than the rule that decides it. Keys start with the policy code.
    quiet: dict[tuple, Result] = field(default_factory=dict, compare=False, repr=False)

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


_new = object.__new__
_RESULT_SET = tuple(getattr(Result, name).__set__ for name in Result.__slots__)
_ASSESSMENT_SET = tuple(getattr(Assessment, name).__set__ for name in Assessment.__slots__)


def _result(
    policy: str,
    eligible: bool,
    member: int | None,
    monthly_amount: Decimal | None,
    min_amount: Decimal | None,
    max_amount: Decimal | None,
    line: Decimal | None,
) -> Result:
    """``Result(policy, eligible, (), member, monthly_amount, min_amount, max_amount, line)``
    for the batch path: the same frozen object, its slots filled directly (a frozen dataclass's
    ``__init__`` goes through ``object.__setattr__`` per field and costs three times as much).
    Only for reason-less results; a test pins that it equals the ordinary constructor."""
    r = _new(Result)
    s = _RESULT_SET
    s[0](r, policy)
    s[1](r, eligible)
    s[2](r, ())
    s[3](r, member)
    s[4](r, monthly_amount)
    s[5](r, min_amount)
    s[6](r, max_amount)
    s[7](r, line)
    return r


def _quiet(lined: Lines, key: tuple, *args, **kwargs) -> Result:
    """The shared reason-less Result for ``key`` (see ``Lines.quiet``), built on first use
    as ``Result(*args, reasons=(), **kwargs)``; ``key`` must determine every argument."""
    r = lined.quiet.get(key)
    if r is None:
        policy, eligible = args
        r = lined.quiet[key] = Result(policy, eligible, (), **kwargs)
    return r


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


def _gross12(household: Household, exempt: bool) -> Decimal:
    """12 × (Σ members' income + counted supporter payment): counted income before the
    rigid-expenditure deduction (what 支出型 compares), exact."""
    supporter = household.supporter
    total = ZERO if exempt else supporter.monthly_payment
    for m in household.members:
        total += m.monthly_income
    return total * TWELVE


def _income12(household: Household, params: Parameters) -> Decimal:
    """12 × counted income, exact (see the module docstring)."""
    total = _gross12(household, supporter_exempt(household, params))
    total -= household.rigid_expenditure.total
    return total if total > ZERO else ZERO


def counted_income(household: Household, params: Parameters) -> Decimal:
    """Counted monthly income (计算收入, MZ-2021; SPEC §5): Σ members' monthly income + the
    counted supporter payment − the last 12 months' rigid expenditure / 12, floored at 0.

    Deducting rigid expenditure (medical after insurance, education at public rates,
    rehabilitation) is what admits expenditure-type poverty (支出型). Not rounded; exact except
    for the last digit of a non-terminating twelfth (the rules themselves compare twelfths).
    """
    return _income12(household, params) / TWELVE


def asset_test(
    household: Household, params: Parameters, *, explain: bool = True
) -> tuple[bool, tuple[str, ...]]:
    """Household assets within the local limits (MZ-2021; SPEC §4): financial assets ≤
    months × standard × members, houses ≤ max, counted vehicles ≤ max, no registered business
    unless allowed. Returns (passed, reasons): one reason per failure, or one that says it passed
    (no reasons with ``explain=False``).
    """
    assets, n = household.assets, len(household.members)
    limit = params.financial_limit_per_person * n
    if not explain:
        return (
            assets.financial <= limit
            and assets.houses <= params.max_houses
            and assets.vehicles <= params.max_vehicles
            and (params.business_allowed or not assets.business_registered)
        ), ()
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


# Why a member cannot work, as a small code (the text is written only when explaining):
CAPABLE, ELDERLY, MINOR, DISABLED, IN_SCHOOL = 0, 1, 2, 3, 4


def _incapacity_code(member: Member, params: Parameters) -> int:
    """:func:`incapacity` as a code: CAPABLE (0, falsy) or why not."""
    age = member.age
    if age >= params.elderly_age:
        return ELDERLY
    if age < params.adult_age:
        return MINOR
    grade, kind = member.disability_grade, member.disability_type
    if grade is not None and kind is not None:
        if (
            (kind in ("intellectual", "mental") and grade <= 3)
            or (kind in ("physical", "multiple") and grade <= 2)
            or (kind == "visual" and grade == 1)
        ):
            return DISABLED
    if member.in_school:
        return IN_SCHOOL
    return CAPABLE


def _incapacity_text(code: int, member: Member, params: Parameters) -> str | None:
    if code == ELDERLY:
        return f"年满 {params.elderly_age} 周岁，视为无劳动能力"
    if code == MINOR:
        return f"未满 {params.adult_age} 周岁"
    if code == DISABLED:
        grade, kind = member.disability_grade, member.disability_type
        return f"持{GRADE_LABELS[grade]}级{DISABILITY_LABELS[kind]}残疾证，无劳动能力"
    if code == IN_SCHOOL:
        return f"年满 {params.adult_age} 周岁仍在校就读，继续视同未成年人"
    return None


@dataclass(slots=True)
class Facts:
    """What every rule reads about one household, worked out once (see :func:`facts_of`).

    Read-only by convention (not ``frozen``: one is built per household on the hot path, and
    a frozen dataclass costs three times as much to build)."""

    size: int
    income12: Decimal  # 12 × counted monthly income, exact
    gross12: Decimal  # the same before the rigid-expenditure deduction (支出型)
    counted: Decimal  # counted monthly income, 2 places
    per_capita: Decimal  # per-capita counted monthly income, 2 places
    assets_pass: bool
    asset_reasons: tuple[str, ...]  # () when built with explain=False
    dibao_line: Decimal  # standard × members, exact
    dibao_eligible: bool
    incapacity_codes: tuple[int, ...]  # per member: CAPABLE (0) or why they cannot work
    lines: Lines
    explained: bool = True  # built with the reasons' text


def facts_of(household: Household, params: Parameters, *, explain: bool = True) -> Facts:
    """Counted income, assets and whether the household qualifies for 低保: the inputs of every
    other rule ("fails 低保" gates 单人保, 边缘 and relative poverty)."""
    lined = lines(params)
    members = household.members
    n = len(members)
    gross12 = _gross12(household, supporter_exempt(household, params))
    income12 = gross12 - household.rigid_expenditure.total
    if income12 < ZERO:
        income12 = ZERO
    passed, asset_reasons = asset_test(household, params, explain=explain)
    dibao_line = lined.standard * n
    return Facts(
        n,
        income12,
        gross12,
        quantize_yuan(income12 / TWELVE),
        quantize_yuan(income12 / (TWELVE * n)),
        passed,
        asset_reasons,
        dibao_line,
        passed and income12 < dibao_line * TWELVE,
        tuple([_incapacity_code(m, params) for m in members]),
        lined,
        explain,
    )


def _facts(household: Household, params: Parameters, facts: Facts | None, explain: bool) -> Facts:
    """``facts`` when given and good enough (with its text, if the text is wanted)."""
    if facts is None or (explain and not facts.explained):
        return facts_of(household, params, explain=explain)
    return facts


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


def _dibao_amount(f: Facts, params: Parameters) -> tuple[Decimal, bool]:
    """The 低保 amount of an eligible household (补差, raised to the floor when one is set),
    and whether the floor applied."""
    gap12 = f.dibao_line * TWELVE - f.income12
    floor = params.dibao_floor
    if floor is not None and gap12 < floor * TWELVE:
        return quantize_yuan(floor), True
    return quantize_yuan(gap12 / TWELVE), False


def dibao(
    household: Household,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result:
    """低保 (MZ-2021; SPEC §5): eligible when counted income < standard × members and assets
    pass. Amount = standard × members − counted income (补差), raised to the local floor when
    one is set, rounded half-up once."""
    f = _facts(household, params, facts, explain)
    lined, n = f.lines, f.size
    if not explain:
        if not f.dibao_eligible:
            return _quiet(lined, ("dibao", n), "dibao", False, line=quantize_yuan(f.dibao_line))
        return Result(
            "dibao",
            True,
            (),
            monthly_amount=_dibao_amount(f, params)[0],
            line=quantize_yuan(f.dibao_line),
        )
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
    gap = quantize_yuan((f.dibao_line * TWELVE - f.income12) / TWELVE)
    reasons.append(f"符合低保条件，按差额（低保标准 × 人数 − 家庭月计算收入）每月发放 {gap} 元")
    amount, floored = _dibao_amount(f, params)
    if floored:
        reasons.append(f"差额低于保底金额，按保底金额每月发放 {amount} 元")
    return Result("dibao", True, tuple(reasons), monthly_amount=amount, line=line)


def single_person_condition(member: Member) -> str | None:
    """Why a member may be enrolled alone (单人保, MZ-2021; SPEC §5): a disability certificate
    of grade 1–2 of any type or grade 3 intellectual/mental, or a serious illness. None if not."""
    if _severely_disabled(member):
        kind = DISABILITY_LABELS.get(member.disability_type or "", "")
        return f"持{GRADE_LABELS[member.disability_grade]}级{kind}残疾证"
    if member.serious_illness:
        return "患重特大疾病"
    return None


def _severely_disabled(member: Member) -> bool:
    """A disability certificate of grade 1–2 of any type, or grade 3 intellectual/mental
    (单人保 and 困难重度残疾人 read the same condition, SPEC §5)."""
    grade = member.disability_grade
    return grade is not None and (
        grade <= 2 or (grade == 3 and member.disability_type in ("intellectual", "mental"))
    )


def dibao_single(
    household: Household,
    index: int,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result | None:
    """单人保 for member ``index`` (MZ-2021; SPEC §5), or None when the member has no qualifying
    disability or illness. Eligible when the household fails 低保, its per-capita counted income
    is below the single-person multiple of the standard, assets pass, and the member's own
    income is below the standard. Assessed as a household of one: amount = standard − own
    income."""
    member = household.members[index]
    if not explain:
        if not (member.serious_illness or _severely_disabled(member)):
            return None
        f = _facts(household, params, facts, explain)
        lined = f.lines
        own = member.monthly_income
        if (
            f.dibao_eligible
            or not f.assets_pass
            or own >= lined.standard
            or not _per_capita_below(f, lined.single)
        ):
            return _quiet(
                lined,
                ("dibao_single", index),
                "dibao_single",
                False,
                member=index,
                line=lined.standard_q,
            )
        return Result(
            "dibao_single",
            True,
            (),
            member=index,
            monthly_amount=quantize_yuan(lined.standard - own),
            line=lined.standard_q,
        )
    condition = single_person_condition(member)
    if condition is None:
        return None
    f = _facts(household, params, facts, explain)
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


def _edge_eligible(f: Facts) -> bool:
    return not f.dibao_eligible and f.assets_pass and _per_capita_below(f, f.lines.edge)


def dibao_edge(
    household: Household,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result:
    """低保边缘家庭 (SPEC §5): fails 低保, per-capita counted income below the edge line
    (1.5 × standard), assets pass. No amount: the category opens the specialised assistance."""
    f = _facts(household, params, facts, explain)
    lined = f.lines
    if not explain:
        ok = _edge_eligible(f)
        return _quiet(lined, ("dibao_edge", ok), "dibao_edge", ok, line=lined.edge_q)
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
    household: Household,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result | None:
    """相对贫困 (SPEC §4–5), pilot counties only (None elsewhere): fails 低保, per-capita
    counted income below the county's multiple × standard, and assets pass (as for 边缘)."""
    if params.relative_poverty_multiple is None:
        return None
    f = _facts(household, params, facts, explain)
    lined = f.lines
    if lined.relative is None:
        return None
    if not explain:
        ok = not f.dibao_eligible and f.assets_pass and _per_capita_below(f, lined.relative)
        return _quiet(
            lined, ("relative_poverty", ok), "relative_poverty", ok, line=lined.relative_q
        )
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
    return _incapacity_text(_incapacity_code(member, params), member, params)


def no_work_capacity(member: Member, params: Parameters) -> bool:
    """True when :func:`incapacity` gives a reason."""
    return _incapacity_code(member, params) != CAPABLE


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
        codes = facts.incapacity_codes
    else:
        codes = tuple(_incapacity_code(m, params) for m in household.members)
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
        if codes[j] == CAPABLE:  # only a working-capable adult can support anyone
            found.append(Obligor(j, duty))
    return tuple(found)


#: (relation, parent duty applies) → the relations whose working-capable members must support
#: that member: SPOUSES ∪ CHILDREN, and PARENTS while the parents' duty lasts
_KIN = {
    (relation, duty): SPOUSES.get(relation, NOBODY)
    | CHILDREN.get(relation, NOBODY)
    | (PARENTS.get(relation, NOBODY) if duty else NOBODY)
    for relation in RELATION_LABELS
    for duty in (False, True)
}


def _has_kin_supporter(
    household: Household, index: int, params: Parameters, codes: tuple[int, ...] | list[int]
) -> bool:
    """Whether a working-capable spouse, parent (while the member counts as a minor) or adult
    child lives in the household: ``supporters_of`` without the outside supporter, as a bool."""
    members = household.members
    kin = _KIN[members[index].relation, _parent_duty_applies(members[index], params)]
    if not kin:
        return False
    for j, other in enumerate(members):
        if j != index and codes[j] == CAPABLE and other.relation in kin:
            return True
    return False


def tekun_for_member(
    household: Household,
    index: int,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result:
    """特困 for member ``index`` (特困人员认定办法; SPEC §5): no capacity to work, own income
    below the 低保 standard, assets pass, and nobody able to support them. Amount = basic
    standard + the care standard of their self-care level / 12, rounded half-up once."""
    f = _facts(household, params, facts, explain)
    lined = f.lines
    member = household.members[index]
    if not explain:
        if (
            f.incapacity_codes[index] == CAPABLE
            or member.monthly_income >= lined.standard
            or not f.assets_pass
            or (household.supporter.able and not supporter_exempt(household, params))
            or _has_kin_supporter(household, index, params, f.incapacity_codes)
        ):
            return _quiet(
                lined, ("tekun", index), "tekun", False, member=index, line=lined.standard_q
            )
        level = member.self_care
        return _quiet(
            lined,
            ("tekun", index, level),
            "tekun",
            True,
            member=index,
            monthly_amount=lined.tekun_amounts[level],
            line=lined.standard_q,
        )
    who = _who(index, member)
    ok = True
    reasons = []
    why = _incapacity_text(f.incapacity_codes[index], member, params)
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


def temporary(
    household: Household,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result:
    """临时救助 (社会救助暂行办法; 临时救助意见 2018; SPEC §5).

    emergency (急难, may be paid first and documented after: 先行救助) and expenditure (支出):
    eligible, between the min and max multiples of the local standard, set by the caseworker by
    severity. migrant_no_income: ≥ the minimum months without income, no unemployment
    insurance, and the household not currently enrolled in 低保 (``hardship.on_dibao``; SPEC §5:
    a household that would qualify but is not enrolled gets the one-off now and is advised to
    apply for 低保); a one-off of at most the migrant multiple of the **urban** standard (min 0.00).
    """
    hardship = household.hardship
    if not explain:
        lined = lines(params)
        if hardship is None:
            return _quiet(lined, ("temporary", None), "temporary", False)
        if hardship.type != "migrant_no_income":
            return _quiet(
                lined,
                ("temporary", "range"),
                "temporary",
                True,
                min_amount=lined.temporary_min,
                max_amount=lined.temporary_max,
            )
        ok = (
            hardship.months_without_income >= params.migrant_min_months
            and not hardship.unemployment_insured
            and not hardship.on_dibao
        )
        if not ok:
            return _quiet(lined, ("temporary", False), "temporary", False)
        return _quiet(
            lined,
            ("temporary", True),
            "temporary",
            True,
            min_amount=Decimal("0.00"),
            max_amount=lined.migrant_cap,
        )
    if hardship is None:
        return Result("temporary", False, ("未申报急难型或支出型临时困难",))
    f = _facts(household, params, facts, explain)
    lined = f.lines
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
    if hardship.on_dibao:
        ok = False
        reasons.append("家庭正在享受低保，由低保保障")
    else:
        reasons.append("家庭目前未纳入低保")
    if not ok:
        reasons.append("不符合外出务工人员临时救助条件")
        return Result("temporary", False, tuple(reasons))
    reasons.append(
        f"一次性救助，最高为城市低保标准 {_y(params.dibao_standard_urban)} 元的"
        f" {_n(params.migrant_max_multiple)} 倍 = {lined.migrant_cap} 元，同一次困难只救助一次"
    )
    if f.dibao_eligible:
        reasons.append("按本次测算，家庭符合低保条件，建议同时申请低保")
    return Result(
        "temporary",
        True,
        tuple(reasons),
        min_amount=Decimal("0.00"),
        max_amount=lined.migrant_cap,
    )


# --- 支出型困难家庭 ---------------------------------------------------------------------------


def expenditure_hardship(
    household: Household,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result:
    """支出型困难家庭 (SPEC §5): the household passes 低保 only because of the rigid-expenditure
    deduction — without it, its income would not be below standard × members. Enrolled and
    paid as 低保 (the amount is the 低保 amount), counted and reported as 支出型."""
    f = _facts(household, params, facts, explain)
    lined = f.lines
    line = quantize_yuan(f.dibao_line)
    ok = f.dibao_eligible and f.gross12 >= f.dibao_line * TWELVE
    if not explain:
        if not ok:
            return _quiet(
                lined, ("expenditure_hardship", f.size), "expenditure_hardship", False, line=line
            )
        return Result(
            "expenditure_hardship",
            True,
            (),
            monthly_amount=_dibao_amount(f, params)[0],
            line=line,
        )
    if not f.dibao_eligible:
        return Result(
            "expenditure_hardship",
            False,
            ("家庭不符合低保条件（扣除刚性支出后仍不低于低保标准，或财产不符合规定）",),
            line=line,
        )
    gross = quantize_yuan(f.gross12 / TWELVE)
    if not ok:
        return Result(
            "expenditure_hardship",
            False,
            (
                f"不扣除刚性支出，家庭月收入 {gross} 元已低于低保标准 {lined.standard_s} 元"
                f" × {f.size} 人 = {_y(f.dibao_line)} 元",
                "属一般低保家庭，不认定为支出型困难家庭",
            ),
            line=line,
        )
    amount, _floored = _dibao_amount(f, params)
    return Result(
        "expenditure_hardship",
        True,
        (
            f"不扣除刚性支出，家庭月收入 {gross} 元，不低于低保标准 {lined.standard_s} 元"
            f" × {f.size} 人 = {_y(f.dibao_line)} 元",
            f"扣除近 12 个月刚性支出后，家庭月计算收入 {f.counted} 元，低于该标准",
            "因刚性支出过大导致生活困难，认定为支出型困难家庭，按低保纳入保障",
            f"按低保金额每月发放 {amount} 元（与低保为同一笔，不重复发放）",
        ),
        monthly_amount=amount,
        line=line,
    )


# --- 孤儿、事实无人抚养儿童 --------------------------------------------------------------------

PARENT_LABELS = {
    "dead": "死亡",
    "missing": "宣告失踪",
    "severe_disability": "重度残疾（一、二级）",
    "serious_illness": "重病",
    "imprisoned": "服刑在押",
    "drug_rehabilitation": "强制隔离戒毒",
    "deprived_of_liberty": "被执行其他限制人身自由的措施",
    "lost_contact": "失联满 6 个月",
}
ARRANGEMENT_LABELS = {"institutional": "机构集中养育", "dispersed": "社会散居"}


def _orphan_kind(member: Member, params: Parameters) -> str | None:
    """ "orphan" (孤儿), "unsupported" (事实无人抚养) or None, from the child's age and the two
    parents' situations (民政部等《关于进一步加强事实无人抚养儿童保障工作的意见》2019)."""
    situations = member.parent_situations
    if member.age >= params.adult_age or len(situations) != 2:
        return None
    first, second = situations
    if first in PARENT_GONE and second in PARENT_GONE:
        return "orphan"
    # every code is either gone or unable (types.py checks), so two codes always qualify
    return "unsupported"


def _orphan_rate(member: Member, params: Parameters) -> tuple[str, Decimal | None]:
    """The care arrangement read (散居 when not said: the child lives in the household being
    assessed) and its monthly allowance, None when the region has not set it."""
    arrangement = member.care_arrangement or "dispersed"
    if arrangement == "institutional":
        return arrangement, params.orphan_institutional
    return arrangement, params.orphan_dispersed


def orphan(
    household: Household,
    index: int,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result | None:
    """孤儿及事实无人抚养儿童 for member ``index`` (SPEC §5), None when the member is not under
    the adult age. A child both of whose parents are dead or declared missing (孤儿), or both
    of whose parents are dead/missing or unable to raise them (重残, 重病, 服刑在押, 强制隔离
    戒毒, 其他限制人身自由, 失联满 6 个月) with at least one unable (事实无人抚养). Monthly basic
    living allowance by care arrangement (机构 / 散居). Not income-tested.

    Not combined with 特困 for the same child: both results may be eligible; the approver picks
    one and the reasons say which pays more (SPEC §5, the approver's choice)."""
    member = household.members[index]
    if member.age >= params.adult_age:
        return None
    kind = _orphan_kind(member, params)
    arrangement, rate = _orphan_rate(member, params)
    if not explain:
        lined = lines(params)
        if kind is None or rate is None:
            return _quiet(lined, ("orphan", index), "orphan", False, member=index)
        return _quiet(
            lined,
            ("orphan", index, arrangement),
            "orphan",
            True,
            member=index,
            monthly_amount=quantize_yuan(rate),
        )
    who = _who(index, member)
    situations = member.parent_situations
    said = "、".join(PARENT_LABELS[c] for c in situations)
    if kind is None:
        reasons = [
            f"{who}未满 {params.adult_age} 周岁",
            (
                f"申报的父母情况：{said}，需父母双方均为死亡、宣告失踪或无法履行抚养责任"
                if situations
                else "未申报父母死亡、失踪或无法履行抚养责任的情况"
            ),
            "不符合孤儿、事实无人抚养儿童认定条件",
        ]
        return Result("orphan", False, tuple(reasons), member=index)
    reasons = [
        f"{who}未满 {params.adult_age} 周岁，父母情况：{said}",
        "父母双方均死亡或宣告失踪，认定为孤儿"
        if kind == "orphan"
        else "父母双方均无法履行抚养责任，认定为事实无人抚养儿童",
    ]
    label = ARRANGEMENT_LABELS[arrangement]
    if rate is None:
        reasons.append(f"本地区未设定{label}孤儿基本生活费标准，暂无法核定金额")
        return Result("orphan", False, tuple(reasons), member=index)
    amount = quantize_yuan(rate)
    if member.care_arrangement is None:
        reasons.append("未填写供养方式，按社会散居计算")
    reasons.append(f"{label}，基本生活费每月 {amount} 元")
    f = _facts(household, params, facts, explain)
    tekun = tekun_for_member(household, index, params, f, explain=False)
    if tekun.eligible and tekun.monthly_amount is not None:
        if tekun.monthly_amount > amount:
            higher = f"特困供养金较高（每月 {tekun.monthly_amount} 元）"
        elif tekun.monthly_amount < amount:
            higher = f"孤儿基本生活费较高（每月 {amount} 元）"
        else:
            higher = "两者金额相同"
        reasons.append(
            f"该儿童同时符合特困供养条件（每月 {tekun.monthly_amount} 元）；两者不可兼得，"
            f"由审批人选择其一，{higher}"
        )
    return Result("orphan", True, tuple(reasons), member=index, monthly_amount=amount)


# --- 重点困境儿童 -----------------------------------------------------------------------------


def _any_tekun(household: Household, params: Parameters, f: Facts) -> bool:
    return any(
        tekun_for_member(household, j, params, f, explain=False).eligible for j in range(f.size)
    )


def child_in_hardship(
    household: Household,
    index: int,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
    _orphan: bool | None = None,
    _tekun_household: bool | None = None,
) -> Result | None:
    """重点困境儿童 for member ``index`` (SPEC §5), None when the member is not under the adult
    age. A child not already 孤儿/事实无人抚养 who lives in a 低保 household (the household is
    低保-eligible) or a 特困 household (some member is 特困-eligible), or who has a disability
    certificate or a serious illness in a household whose per-capita counted income is below
    the edge line (1.5 × standard). A monthly allowance on top of 低保.

    ``_orphan`` and ``_tekun_household`` let :func:`assess` pass what it already knows."""
    member = household.members[index]
    if member.age >= params.adult_age:
        return None
    f = _facts(household, params, facts, explain)
    lined = f.lines
    if _orphan is None:
        o = orphan(household, index, params, f, explain=False)
        _orphan = o is not None and o.eligible
    rate = params.child_hardship_allowance
    if _orphan:
        if not explain:
            return _quiet(
                lined, ("child_in_hardship", index), "child_in_hardship", False, member=index
            )
        return Result(
            "child_in_hardship",
            False,
            (
                f"{_who(index, member)}已符合孤儿、事实无人抚养儿童条件，由孤儿基本生活费保障，"
                "不再认定为重点困境儿童",
            ),
            member=index,
        )
    via = None  # why the child qualifies
    if f.dibao_eligible:
        via = "dibao"
    else:
        if _tekun_household is None:
            _tekun_household = _any_tekun(household, params, f)
        if _tekun_household:
            via = "tekun"
        elif (member.disability_grade is not None or member.serious_illness) and (
            _per_capita_below(f, lined.edge)
        ):
            via = "condition"
    if not explain:
        if via is None or rate is None:
            return _quiet(
                lined, ("child_in_hardship", index), "child_in_hardship", False, member=index
            )
        return _quiet(
            lined,
            ("child_in_hardship", index, True),
            "child_in_hardship",
            True,
            member=index,
            monthly_amount=quantize_yuan(rate),
        )
    reasons = [f"{_who(index, member)}未满 {params.adult_age} 周岁"]
    if via == "dibao":
        reasons.append("家庭符合低保条件")
    elif via == "tekun":
        reasons.append("家庭中有成员符合特困人员条件")
    else:
        if member.disability_grade is not None:
            kind = DISABILITY_LABELS.get(member.disability_type or "", "")
            condition = f"持{GRADE_LABELS[member.disability_grade]}级{kind}残疾证"
        elif member.serious_illness:
            condition = "患重特大疾病"
        else:
            condition = None
        below = _per_capita_below(f, lined.edge)
        reasons.append("家庭不符合低保条件，家中无特困人员")
        if condition is None:
            reasons.append("本人无残疾证，未患重特大疾病")
        else:
            reasons.append(
                f"本人{condition}，家庭人均月计算收入 {f.per_capita} 元，"
                f"{'低于' if below else '不低于'} {lined.edge_s}"
            )
    if via is None:
        reasons.append("不符合重点困境儿童认定条件")
        return Result("child_in_hardship", False, tuple(reasons), member=index)
    if rate is None:
        reasons.append("本地区未设定重点困境儿童生活补贴标准，暂无法核定金额")
        return Result("child_in_hardship", False, tuple(reasons), member=index)
    amount = quantize_yuan(rate)
    reasons.append(f"认定为重点困境儿童，每月发放生活补贴 {amount} 元（在低保之外另行发放）")
    return Result("child_in_hardship", True, tuple(reasons), member=index, monthly_amount=amount)


# --- 困难重度残疾人 ---------------------------------------------------------------------------


def _dibao_single_eligible(household: Household, index: int, params: Parameters, f: Facts):
    single = dibao_single(household, index, params, f, explain=False)
    return single is not None and single.eligible


def severe_disability(
    household: Household,
    index: int,
    params: Parameters,
    facts: Facts | None = None,
    *,
    explain: bool = True,
) -> Result | None:
    """困难重度残疾人 for member ``index`` (SPEC §5; 国务院《关于全面建立困难残疾人生活补贴和
    重度残疾人护理补贴制度的意见》2015), None unless the member holds a certificate of grade 1–2,
    or grade 3 intellectual/mental. Eligible in a 低保 household (the household, or this member
    alone by 单人保) or a 低保边缘 household: 困难残疾人生活补贴, plus 重度残疾人护理补贴 for
    grade 1–2; the amount is their sum."""
    member = household.members[index]
    if not _severely_disabled(member):
        return None
    f = _facts(household, params, facts, explain)
    lined = f.lines
    grade = member.disability_grade
    care_too = grade <= 2
    living, care = params.disability_living_allowance, params.disability_care_allowance
    unset = living is None or (care_too and care is None)
    if f.dibao_eligible:
        via = "dibao"
    elif _dibao_single_eligible(household, index, params, f):
        via = "dibao_single"
    elif _edge_eligible(f):
        via = "edge"
    else:
        via = None
    if not explain:
        if via is None or unset:
            return _quiet(
                lined, ("severe_disability", index), "severe_disability", False, member=index
            )
        amount = quantize_yuan(living + care) if care_too else quantize_yuan(living)
        return _quiet(
            lined,
            ("severe_disability", index, care_too),
            "severe_disability",
            True,
            member=index,
            monthly_amount=amount,
        )
    kind = DISABILITY_LABELS.get(member.disability_type or "", "")
    reasons = [f"{_who(index, member)}持{GRADE_LABELS[grade]}级{kind}残疾证"]
    if via == "dibao":
        reasons.append("家庭符合低保条件")
    elif via == "dibao_single":
        reasons.append("本人符合单人保条件，可单独纳入低保")
    elif via == "edge":
        reasons.append("家庭符合低保边缘家庭条件")
    else:
        reasons.append("家庭不符合低保或低保边缘家庭条件")
        reasons.append("不符合困难重度残疾人补贴条件")
        return Result("severe_disability", False, tuple(reasons), member=index)
    if unset:
        missing = "困难残疾人生活补贴" if living is None else "重度残疾人护理补贴"
        reasons.append(f"本地区未设定{missing}标准，暂无法核定金额")
        return Result("severe_disability", False, tuple(reasons), member=index)
    if care_too:
        amount = quantize_yuan(living + care)
        reasons.append(
            f"困难残疾人生活补贴每月 {_y(living)} 元 + 重度残疾人护理补贴每月 {_y(care)} 元"
            f" = {amount} 元"
        )
    else:
        amount = quantize_yuan(living)
        reasons.append(f"困难残疾人生活补贴每月 {amount} 元（三级残疾不享受重度残疾人护理补贴）")
    return Result("severe_disability", True, tuple(reasons), member=index, monthly_amount=amount)


# --- everything at once ------------------------------------------------------------------------


def assess(household: Household, params: Parameters, *, explain: bool = True) -> Assessment:
    """Every policy of SPEC §5 for one household, each with its reasons (SPEC §11).

    Results in order: dibao; dibao_single per qualifying member; dibao_edge; relative_poverty
    (pilot counties only); tekun per member; temporary; expenditure_hardship; orphan per member
    under the adult age; child_in_hardship per member under the adult age; severe_disability
    per member with a grade 1–2 (or 3 intellectual/mental) certificate. ``categories`` are the
    category codes of the eligible results, dibao_single counting as dibao.

    ``explain=False`` gives the same results, eligibility and amounts with no reasons (``()``,
    also for ``asset_reasons``), without writing any text: for batches (re-evaluation, payroll).
    """
    old = getcontext()
    setcontext(_engine_context())
    try:
        if not explain:
            return _assess_quiet(household, params)
        f = facts_of(household, params, explain=explain)
        members = household.members
        n = f.size
        results = [dibao(household, params, f, explain=explain)]
        for i in range(n):
            single = dibao_single(household, i, params, f, explain=explain)
            if single is not None:
                results.append(single)
        results.append(dibao_edge(household, params, f, explain=explain))
        if params.relative_poverty_multiple is not None:
            relative = relative_poverty(household, params, f, explain=explain)
            if relative is not None:
                results.append(relative)
        tekun_any = False
        for i in range(n):
            tekun = tekun_for_member(household, i, params, f, explain=explain)
            tekun_any = tekun_any or tekun.eligible
            results.append(tekun)
        results.append(temporary(household, params, f, explain=explain))
        results.append(expenditure_hardship(household, params, f, explain=explain))
        adult = params.adult_age
        minors = [i for i in range(n) if members[i].age < adult]
        if minors:
            orphans = {}
            for i in minors:
                o = orphan(household, i, params, f, explain=explain)
                orphans[i] = o.eligible
                results.append(o)
            for i in minors:
                results.append(
                    child_in_hardship(
                        household,
                        i,
                        params,
                        f,
                        explain=explain,
                        _orphan=orphans[i],
                        _tekun_household=tekun_any,
                    )
                )
        for i in range(n):
            if members[i].disability_grade is not None:
                disabled = severe_disability(household, i, params, f, explain=explain)
                if disabled is not None:
                    results.append(disabled)
    finally:
        setcontext(old)
    categories = frozenset(
        [("dibao" if r.policy in COUNTS_AS_DIBAO else r.policy) for r in results if r.eligible]
    )
    return Assessment(
        household_size=n,
        counted_income=f.counted,
        per_capita_income=f.per_capita,
        assets_pass=f.assets_pass,
        asset_reasons=f.asset_reasons,
        results=tuple(results),
        categories=categories,
    )


@dataclass(frozen=True, slots=True)
class _Size:
    """What :func:`_assess_quiet` compares a household of ``n`` members against under one
    Parameters, and its reason-less results that depend on nothing else: built once per
    (Parameters, n) and kept in ``Lines.quiet``."""

    financial_limit: Decimal  # financial assets allowed for n members
    dibao_line: Decimal  # standard × n, exact
    dibao12: Decimal  # 12 × that
    twelve_n: Decimal  # 12 × n, the per-capita divisor
    single12: Decimal  # the per-capita lines × 12 × n (compared with 12 × income)
    edge12: Decimal
    relative12: Decimal | None
    line_q: Decimal  # the 低保 line, 2 places
    dibao_no: Result
    edge: tuple[Result, Result]  # not eligible, eligible
    relative: tuple[Result, Result] | None
    expenditure_no: Result
    single_no: tuple[Result, ...]  # per member
    tekun_no: tuple[Result, ...]  # per member
    tekun_yes: tuple[dict[str, Result], ...]  # per member: self-care level → result
    orphan_no: tuple[Result, ...]  # per member
    child_no: tuple[Result, ...]  # per member
    child_yes: tuple[Result, ...] | None  # per member; None: the allowance is not set
    temporary_none: Result  # no hardship declared

    @classmethod
    def of(cls, lined: Lines, params: Parameters, n: int) -> _Size:
        twelve_n = TWELVE * n
        dibao_line = lined.standard * n
        line_q = quantize_yuan(dibao_line)
        rel = lined.relative
        return cls(
            financial_limit=lined.financial_per_person * n,
            dibao_line=dibao_line,
            dibao12=dibao_line * TWELVE,
            twelve_n=twelve_n,
            single12=lined.single * twelve_n,
            edge12=lined.edge * twelve_n,
            relative12=None if rel is None else rel * twelve_n,
            line_q=line_q,
            dibao_no=Result("dibao", False, (), line=line_q),
            edge=(
                Result("dibao_edge", False, (), line=lined.edge_q),
                Result("dibao_edge", True, (), line=lined.edge_q),
            ),
            relative=(
                None
                if rel is None or params.relative_poverty_multiple is None
                else (
                    Result("relative_poverty", False, (), line=lined.relative_q),
                    Result("relative_poverty", True, (), line=lined.relative_q),
                )
            ),
            expenditure_no=Result("expenditure_hardship", False, (), line=line_q),
            single_no=tuple(
                Result("dibao_single", False, (), member=i, line=lined.standard_q) for i in range(n)
            ),
            tekun_no=tuple(
                Result("tekun", False, (), member=i, line=lined.standard_q) for i in range(n)
            ),
            tekun_yes=tuple(
                {
                    level: Result(
                        "tekun",
                        True,
                        (),
                        member=i,
                        monthly_amount=amount,
                        line=lined.standard_q,
                    )
                    for level, amount in lined.tekun_amounts.items()
                }
                for i in range(n)
            ),
            orphan_no=tuple(Result("orphan", False, (), member=i) for i in range(n)),
            child_no=tuple(Result("child_in_hardship", False, (), member=i) for i in range(n)),
            child_yes=(
                None
                if params.child_hardship_allowance is None
                else tuple(
                    Result(
                        "child_in_hardship",
                        True,
                        (),
                        member=i,
                        monthly_amount=quantize_yuan(params.child_hardship_allowance),
                    )
                    for i in range(n)
                )
            ),
            temporary_none=Result("temporary", False, ()),
        )


def _assess_quiet(household: Household, params: Parameters) -> Assessment:
    """:func:`assess` with ``explain=False``: the same decisions as the rules above (their
    ``explain=False`` branches), worked out inline in one pass with no text, sharing the
    reason-less results of ``Lines.quiet``. This is the batch path (re-evaluation, payroll,
    ``bench.rules``: ≥ 100,000 households/s on one core); the Hypothesis properties in
    tests/eligibility/test_rules_properties.py pin it to the explained path and to
    :func:`result_for`, result by result. Runs under the engine's context (see assess)."""
    hit = _LINES.get(id(params))
    lined = hit[1] if hit is not None and hit[0] is params else lines(params)
    memo = lined.quiet
    members = household.members
    n = len(members)
    size = memo.get(n)
    if size is None:
        size = memo[n] = _Size.of(lined, params, n)
    supporter = household.supporter
    pay, able = supporter.monthly_payment, supporter.able
    if pay or able:  # else the supporter changes nothing: no payment, nobody able
        pci = supporter.household_per_capita_income
        exempt = pci is not None and pci < lined.exemption
        outside = able and not exempt
        total = ZERO if exempt else pay
    else:
        outside, total = False, ZERO
    for m in members:
        total += m.monthly_income
    gross12 = income12 = total * TWELVE
    rigid = household.rigid_expenditure
    if rigid.medical or rigid.education or rigid.rehabilitation:
        income12 = gross12 - (rigid.medical + rigid.education + rigid.rehabilitation)
        if income12 < ZERO:
            income12 = ZERO
    assets = household.assets
    assets_pass = (
        assets.financial <= size.financial_limit
        and assets.houses <= params.max_houses
        and assets.vehicles <= params.max_vehicles
        and (params.business_allowed or not assets.business_registered)
    )
    standard = lined.standard
    dibao12 = size.dibao12
    dibao_ok = assets_pass and income12 < dibao12
    categories = []

    # 低保, and 支出型 which is paid as 低保
    dibao_amount = None
    if dibao_ok:
        gap12 = dibao12 - income12
        floor = params.dibao_floor
        if floor is not None and gap12 < floor * TWELVE:
            dibao_amount = quantize_yuan(floor)
        else:
            dibao_amount = quantize_yuan(gap12 / TWELVE)
        results = [_result("dibao", True, None, dibao_amount, None, None, size.line_q)]
        categories.append("dibao")
    else:
        results = [size.dibao_no]

    # one pass over the members: why each cannot work (the codes of _incapacity_code, for
    # 特困 below), who is a minor (孤儿, 重点困境儿童), who is severely disabled (困难重度
    # 残疾人), and 单人保 (a serious illness, or a grade 1–2 / 3 intellectual-mental certificate)
    elderly, adult = params.elderly_age, params.adult_age
    codes = []
    minors = []
    singles = severe = None
    for i, m in enumerate(members):
        age, grade = m.age, m.disability_grade
        if age >= elderly:
            codes.append(ELDERLY)
        elif age < adult:
            codes.append(MINOR)
            minors.append(i)
        elif grade is not None or m.in_school:
            codes.append(_incapacity_code(m, params))
        else:
            codes.append(CAPABLE)
        if grade is not None and (
            grade <= 2 or (grade == 3 and m.disability_type in ("intellectual", "mental"))
        ):
            if severe is None:
                severe = []
            severe.append(i)
        elif not m.serious_illness:
            continue
        own = m.monthly_income
        if dibao_ok or not assets_pass or own >= standard or not income12 < size.single12:
            results.append(size.single_no[i])
        else:
            amount = quantize_yuan(standard - own)
            results.append(_result("dibao_single", True, i, amount, None, None, lined.standard_q))
            categories.append("dibao")
            if singles is None:
                singles = set()
            singles.add(i)

    # 边缘, relative poverty
    edge_ok = not dibao_ok and assets_pass and income12 < size.edge12
    results.append(size.edge[edge_ok])
    if edge_ok:
        categories.append("dibao_edge")
    if size.relative is not None:
        ok = not dibao_ok and assets_pass and income12 < size.relative12
        results.append(size.relative[ok])
        if ok:
            categories.append("relative_poverty")

    # 特困: no capacity to work, income, assets, nobody able to support
    tekun_any = False
    for i, m in enumerate(members):
        if (
            codes[i] == CAPABLE
            or m.monthly_income >= standard
            or not assets_pass
            or outside
            or _has_kin_supporter(household, i, params, codes)
        ):
            results.append(size.tekun_no[i])
        else:
            results.append(size.tekun_yes[i][m.self_care])
            tekun_any = True
    if tekun_any:
        categories.append("tekun")

    if household.hardship is None:
        results.append(size.temporary_none)
    else:
        temp = temporary(household, params, explain=False)
        results.append(temp)
        if temp.eligible:
            categories.append("temporary")

    if dibao_ok and gross12 >= dibao12:
        results.append(
            _result("expenditure_hardship", True, None, dibao_amount, None, None, size.line_q)
        )
        categories.append("expenditure_hardship")
    else:
        results.append(size.expenditure_no)

    # children
    if minors:
        orphans = []
        for i in minors:
            if members[i].parent_situations:
                o = orphan(household, i, params, explain=False)
                if o.eligible:
                    categories.append("orphan")
            else:
                o = size.orphan_no[i]
            orphans.append(o.eligible)
            results.append(o)
        child_yes = size.child_yes
        for i, is_orphan in zip(minors, orphans, strict=True):
            m = members[i]
            if (
                is_orphan
                or child_yes is None
                or not (
                    dibao_ok
                    or tekun_any
                    or (
                        (m.disability_grade is not None or m.serious_illness)
                        and income12 < size.edge12
                    )
                )
            ):
                results.append(size.child_no[i])
            else:
                results.append(child_yes[i])
                categories.append("child_in_hardship")

    # 困难重度残疾人
    living, care = params.disability_living_allowance, params.disability_care_allowance
    for i in severe or ():
        care_too = members[i].disability_grade <= 2
        if (
            living is None
            or (care_too and care is None)
            or not (dibao_ok or (singles is not None and i in singles) or edge_ok)
        ):
            results.append(
                _quiet(lined, ("severe_disability", i), "severe_disability", False, member=i)
            )
        else:
            amount = quantize_yuan(living + care) if care_too else quantize_yuan(living)
            results.append(
                _quiet(
                    lined,
                    ("severe_disability", i, care_too),
                    "severe_disability",
                    True,
                    member=i,
                    monthly_amount=amount,
                )
            )
            categories.append("severe_disability")

    a = _new(Assessment)
    s = _ASSESSMENT_SET
    s[0](a, n)
    if income12:
        counted = (income12 / TWELVE).quantize(FEN, ROUND_HALF_UP)
        s[1](a, counted)
        # one member: the per-capita figure is the same division
        s[2](a, counted if n == 1 else (income12 / size.twelve_n).quantize(FEN, ROUND_HALF_UP))
    else:
        s[1](a, ZERO_FEN)
        s[2](a, ZERO_FEN)
    s[3](a, assets_pass)
    s[4](a, ())
    s[5](a, tuple(results))
    s[6](a, frozenset(categories))
    return a


# --- one policy ---------------------------------------------------------------------------------

_HOUSEHOLD_RULES = {
    "dibao": dibao,
    "dibao_edge": dibao_edge,
    "relative_poverty": relative_poverty,
    "temporary": temporary,
    "expenditure_hardship": expenditure_hardship,
}
_MEMBER_RULES = {
    "dibao_single": dibao_single,
    "tekun": tekun_for_member,
    "orphan": orphan,
    "child_in_hardship": child_in_hardship,
    "severe_disability": severe_disability,
}


def result_for(
    policy: str,
    household: Household,
    params: Parameters,
    member: int | None = None,
    *,
    facts: Facts | None = None,
    explain: bool = True,
) -> Result | None:
    """Exactly one policy's result, equal to its entry in :func:`assess` (``member``: the index
    for per-member policies, required for them and refused for the others), or None where the
    policy does not apply (a member without a qualifying condition for 单人保 or 困难重度残疾人,
    an adult for 孤儿 and 重点困境儿童, relative poverty outside a pilot county). The one
    dispatcher the amount function, approval, reviews and payroll call."""
    if policy in _MEMBER_RULES:
        if member is None:
            raise ValueError(f"{policy} is assessed per member: say which")
        if not 0 <= member < len(household.members):
            raise ValueError(f"no member {member} in a household of {len(household.members)}")
        rule = _MEMBER_RULES[policy]
    elif policy in _HOUSEHOLD_RULES:
        if member is not None:
            raise ValueError(f"{policy} is assessed for the whole household, not per member")
        rule = _HOUSEHOLD_RULES[policy]
    else:
        raise ValueError(f"unknown policy {policy!r}")
    old = getcontext()
    setcontext(_engine_context())
    try:
        f = _facts(household, params, facts, explain)
        if member is None:
            return rule(household, params, f, explain=explain)
        return rule(household, member, params, f, explain=explain)
    finally:
        setcontext(old)
