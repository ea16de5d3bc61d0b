"""The rules of SPEC §5 as pure functions (MZ-2021, 特困人员认定办法 2021, 社会救助暂行办法 2014,
民政部 财政部 临时救助意见 2018). No Django, no I/O; ``Decimal`` exact until the final rounding.

Reasons are plain Chinese a caseworker can read back to a citizen, naming the numbers.
"""

from __future__ import annotations

from decimal import Decimal

from .money import quantize_yuan
from .types import Assessment, Household, Member, Parameters, Result

ZERO = Decimal("0")
TWELVE = Decimal("12")
CARE_LABELS = {"full": "全自理", "partial": "半护理", "none": "全护理"}


def _y(x: Decimal) -> str:
    """A money figure as a caseworker reads it: 2 places."""
    return f"{quantize_yuan(x)}"


def care_level(failed_activities: int) -> str:
    """Self-care level from the six daily activities: all done = 全自理, 1–3 failed = 半护理,
    4 or more failed = 全护理 (特困人员认定办法)."""
    if failed_activities <= 0:
        return "full"
    return "partial" if failed_activities <= 3 else "none"


def counted_income(household: Household, params: Parameters) -> Decimal:
    """Σ members' income + counted supporter payment − rigid expenditure / 12, floored at 0.

    A supporter whose own household per-capita income is below the exemption multiple of the
    standard counts as paying nothing (SPEC §4).
    """
    total = sum((m.monthly_income for m in household.members), ZERO)
    total += counted_supporter_payment(household, params)
    rigid = household.rigid_expenditure
    total -= (rigid.medical + rigid.education + rigid.rehabilitation) / TWELVE
    return total if total > ZERO else ZERO


def supporter_exempt(household: Household, params: Parameters) -> bool:
    income = household.supporter.household_per_capita_income
    return income is not None and income < params.supporter_exemption_line


def counted_supporter_payment(household: Household, params: Parameters) -> Decimal:
    return ZERO if supporter_exempt(household, params) else household.supporter.monthly_payment


def asset_test(household: Household, params: Parameters) -> tuple[bool, tuple[str, ...]]:
    """Financial assets ≤ months × standard per person; houses, vehicles, business (SPEC §4)."""
    assets, n = household.assets, len(household.members)
    failures = []
    limit = params.financial_limit_per_person * n
    if assets.financial > limit:
        failures.append(
            f"家庭金融资产 {_y(assets.financial)} 元，超过上限 {_y(limit)} 元"
            f"（每人 {params.financial_asset_months} 个月低保标准 × {n} 人）"
        )
    if assets.houses > params.max_houses:
        failures.append(f"家庭拥有住房 {assets.houses} 套，超过 {params.max_houses} 套")
    if assets.vehicles > params.max_vehicles:
        failures.append(
            f"家庭拥有机动车 {assets.vehicles} 辆（残疾人代步车、摩托车、电动自行车除外），"
            f"超过 {params.max_vehicles} 辆"
        )
    if assets.business_registered and not params.business_allowed:
        failures.append("家庭成员登记有经营主体")
    return (not failures, tuple(failures))


def no_work_capacity(member: Member, params: Parameters) -> bool:
    """特困's "no capacity to work": elderly, minor (or still in school), or severely disabled
    (grade 1–3 intellectual/mental, 1–2 physical, 1 visual; multiple disability 1–2)."""
    if member.age >= params.elderly_age or member.age < params.adult_age:
        return True
    if member.in_school:
        return True
    grade, kind = member.disability_grade, member.disability_type
    if grade is None or kind is None:
        return False
    if kind in ("intellectual", "mental"):
        return grade <= 3
    if kind in ("physical", "multiple"):
        return grade <= 2
    if kind == "visual":
        return grade == 1
    return False


def _is_working_adult(member: Member, params: Parameters) -> bool:
    return params.adult_age <= member.age < params.elderly_age and not no_work_capacity(
        member, params
    )


def _spouses(relation: str) -> set[str]:
    return {"applicant": {"spouse"}, "spouse": {"applicant"}}.get(relation, set())


def _parents(relation: str) -> set[str]:
    """Relations (to the applicant) of the parents of a member with this relation.

    applicant ← parent; child ← applicant, spouse; grandchild ← child; parent ← grandparent;
    sibling ← parent. Others have no parent in the household that we can tell.
    """
    return {
        "applicant": {"parent"},
        "sibling": {"parent"},
        "child": {"applicant", "spouse"},
        "grandchild": {"child"},
        "parent": {"grandparent"},
    }.get(relation, set())


def _children(relation: str) -> set[str]:
    return {
        "applicant": {"child"},
        "spouse": {"child"},
        "parent": {"applicant", "sibling"},
        "grandparent": {"parent"},
        "child": {"grandchild"},
    }.get(relation, set())


def supporters_of(household: Household, index: int, params: Parameters) -> list[str]:
    """Who is able to support member ``index`` (特困: "no supporter able to support").

    The outside supporter when able and not exempt, and the household's working-capable adults
    who are the member's spouse, parent (while the member is a minor) or adult child.
    """
    member = household.members[index]
    found = []
    if household.supporter.able and not supporter_exempt(household, params):
        found.append("家庭外赡养（抚养、扶养）义务人有履行能力")
    spouses, parents, children = (
        _spouses(member.relation),
        _parents(member.relation) if member.age < params.adult_age else set(),
        _children(member.relation),
    )
    for j, other in enumerate(household.members):
        if j == index or not _is_working_adult(other, params):
            continue
        if other.relation in spouses:
            found.append(f"配偶（成员 {j + 1}）有劳动能力")
        elif other.relation in parents:
            found.append(f"父母（成员 {j + 1}）有劳动能力")
        elif other.relation in children:
            found.append(f"成年子女（成员 {j + 1}）有劳动能力")
    return found


def assess(household: Household, params: Parameters) -> Assessment:
    """Every policy of SPEC §5 that applies to the household, each with its reasons."""
    n = len(household.members)
    standard = params.dibao_standard
    income = counted_income(household, params)
    per_capita = income / n
    assets_ok, asset_reasons = asset_test(household, params)
    results: list[Result] = []

    # 低保: counted income below standard × members, assets pass; amount = the gap (补差).
    line = standard * n
    income_reason = (
        f"家庭月计算收入 {_y(income)} 元"
        f"{'低于' if income < line else '不低于'}低保标准 {_y(standard)} 元 × {n} 人"
        f" = {_y(line)} 元"
    )
    rigid = household.rigid_expenditure
    rigid_total = rigid.medical + rigid.education + rigid.rehabilitation
    extra = []
    if rigid_total > ZERO:
        extra.append(
            f"已扣除近12个月刚性支出 {_y(rigid_total)} 元的月均 {_y(rigid_total / TWELVE)} 元"
        )
    if household.supporter.monthly_payment > ZERO:
        if supporter_exempt(household, params):
            extra.append("赡养人家庭人均收入低于豁免线，赡养费按0计算")
        else:
            extra.append(f"计入赡养费 {_y(household.supporter.monthly_payment)} 元")
    dibao_ok = income < line and assets_ok
    if dibao_ok:
        amount = line - income
        if params.dibao_floor is not None and amount < params.dibao_floor:
            amount = params.dibao_floor
        results.append(
            Result(
                "dibao",
                True,
                (income_reason, *extra, f"每月补差 {_y(amount)} 元"),
                monthly_amount=quantize_yuan(amount),
                line=quantize_yuan(line),
            )
        )
    else:
        results.append(
            Result(
                "dibao", False, (income_reason, *extra, *asset_reasons), line=quantize_yuan(line)
            )
        )

    # 单人保: a seriously disabled or ill member of a household that fails 低保.
    single_line = params.single_person_line
    for i, m in enumerate(household.members):
        severe = (m.disability_grade is not None and m.disability_grade <= 2) or (
            m.disability_grade == 3 and m.disability_type in ("intellectual", "mental")
        )
        if not (severe or m.serious_illness):
            continue
        who = "重病" if m.serious_illness and not severe else f"{m.disability_grade}级残疾"
        if dibao_ok:
            results.append(Result("dibao_single", False, ("全家已符合低保，无需单人保",), member=i))
            continue
        reasons = [f"成员 {i + 1} 为{who}人员"]
        ok = assets_ok
        reasons.extend(asset_reasons)
        if per_capita < single_line:
            reasons.append(f"家庭人均计算收入 {_y(per_capita)} 元，低于 {_y(single_line)} 元")
        else:
            ok = False
            reasons.append(f"家庭人均计算收入 {_y(per_capita)} 元，不低于 {_y(single_line)} 元")
        if m.monthly_income < standard:
            reasons.append(f"本人月收入 {_y(m.monthly_income)} 元，低于低保标准 {_y(standard)} 元")
        else:
            ok = False
            reasons.append(f"本人月收入 {_y(m.monthly_income)} 元，不低于低保标准")
        if ok:
            amount = standard - m.monthly_income
            reasons.append(f"按单人户每月补差 {_y(amount)} 元")
            results.append(
                Result(
                    "dibao_single",
                    True,
                    tuple(reasons),
                    member=i,
                    monthly_amount=quantize_yuan(amount),
                )
            )
        else:
            results.append(Result("dibao_single", False, tuple(reasons), member=i))

    # 低保边缘: fails 低保, per-capita income below the edge line, assets pass.
    edge = params.edge_line
    edge_reason = (
        f"家庭人均计算收入 {_y(per_capita)} 元"
        f"{'低于' if per_capita < edge else '不低于'}低保边缘线 {_y(edge)} 元"
    )
    if dibao_ok:
        results.append(Result("dibao_edge", False, ("已符合低保",), line=quantize_yuan(edge)))
    else:
        results.append(
            Result(
                "dibao_edge",
                per_capita < edge and assets_ok,
                (edge_reason, *asset_reasons),
                line=quantize_yuan(edge),
            )
        )

    # Relative poverty: pilot counties only.
    rp_line = params.relative_poverty_line
    if rp_line is not None:
        if dibao_ok:
            results.append(
                Result("relative_poverty", False, ("已符合低保",), line=quantize_yuan(rp_line))
            )
        else:
            reason = (
                f"家庭人均计算收入 {_y(per_capita)} 元"
                f"{'低于' if per_capita < rp_line else '不低于'}相对贫困线 {_y(rp_line)} 元"
            )
            results.append(
                Result(
                    "relative_poverty",
                    per_capita < rp_line and assets_ok,
                    (reason, *asset_reasons),
                    line=quantize_yuan(rp_line),
                )
            )

    # 特困, per member.
    tekun_any = False
    for i, m in enumerate(household.members):
        reasons = []
        ok = True
        if no_work_capacity(m, params):
            reasons.append(_capacity_reason(m, params))
        else:
            ok = False
            reasons.append(f"成员 {i + 1} 有劳动能力")
        if m.monthly_income < standard:
            reasons.append(f"本人月收入 {_y(m.monthly_income)} 元，低于低保标准 {_y(standard)} 元")
        else:
            ok = False
            reasons.append(
                f"本人月收入 {_y(m.monthly_income)} 元，不低于低保标准 {_y(standard)} 元"
            )
        if not assets_ok:
            ok = False
            reasons.extend(asset_reasons)
        supporters = supporters_of(household, i, params)
        if supporters:
            ok = False
            reasons.extend(supporters)
        else:
            reasons.append("无有履行能力的赡养、抚养、扶养义务人")
        if ok:
            care = params.care_yearly[m.self_care]
            amount = params.tekun_basic + care / TWELVE
            reasons.append(
                f"基本生活标准 {_y(params.tekun_basic)} 元 + {CARE_LABELS[m.self_care]}照料护理标准"
                f" {_y(care)} 元 ÷ 12 = {_y(amount)} 元/月"
            )
            tekun_any = True
            results.append(
                Result(
                    "tekun", True, tuple(reasons), member=i, monthly_amount=quantize_yuan(amount)
                )
            )
        else:
            results.append(Result("tekun", False, tuple(reasons), member=i))

    results.append(_temporary(household, params, dibao_ok))

    categories = {r.policy for r in results if r.eligible}
    if "dibao_single" in categories:
        categories.discard("dibao_single")
        categories.add("dibao")
    del tekun_any
    return Assessment(
        household_size=n,
        counted_income=quantize_yuan(income),
        per_capita_income=quantize_yuan(per_capita),
        assets_pass=assets_ok,
        asset_reasons=asset_reasons,
        results=tuple(results),
        categories=frozenset(categories),
    )


def _capacity_reason(m: Member, params: Parameters) -> str:
    if m.age >= params.elderly_age:
        return f"年满 {params.elderly_age} 周岁（{m.age} 岁），无劳动能力"
    if m.age < params.adult_age:
        return f"未满 {params.adult_age} 周岁（{m.age} 岁）"
    if m.in_school:
        return "成年后仍在校就读"
    return f"{m.disability_grade}级残疾，无劳动能力"


def _temporary(household: Household, params: Parameters, dibao_ok: bool) -> Result:
    """临时救助: 3–12 × the local standard by severity; a migrant's one-off at most 3 × urban."""
    hardship = household.hardship
    if hardship is None:
        return Result("temporary", False, ("未申报急难型或支出型临时困难",))
    if hardship.type in ("emergency", "expenditure"):
        low, high = params.temporary_range
        kind = "急难型（可先行救助，事后补充材料）" if hardship.type == "emergency" else "支出型"
        return Result(
            "temporary",
            True,
            (
                f"{kind}临时困难，救助金额为当地低保标准 {_y(params.dibao_standard)} 元的"
                f" {params.temporary_min_multiple}–{params.temporary_max_multiple} 倍，"
                "由经办人按困难程度确定",
            ),
            min_amount=quantize_yuan(low),
            max_amount=quantize_yuan(high),
        )
    if hardship.type == "migrant_no_income":
        reasons, ok = [], True
        if hardship.months_without_income >= params.migrant_min_months:
            reasons.append(f"连续 {hardship.months_without_income} 个月无收入")
        else:
            ok = False
            reasons.append(
                f"连续无收入 {hardship.months_without_income} 个月，"
                f"不足 {params.migrant_min_months} 个月"
            )
        if hardship.unemployment_insured:
            ok = False
            reasons.append("正在领取失业保险金")
        if dibao_ok:
            ok = False
            reasons.append("家庭符合低保，应申请低保")
        if not ok:
            return Result("temporary", False, tuple(reasons))
        cap = params.migrant_cap
        reasons.append(
            f"一次性救助，最高为城市低保标准 {_y(params.dibao_standard_urban)} 元的"
            f" {params.migrant_max_multiple} 倍 = {_y(cap)} 元"
        )
        return Result(
            "temporary",
            True,
            tuple(reasons),
            min_amount=Decimal("0.00"),
            max_amount=quantize_yuan(cap),
        )
    return Result("temporary", False, (f"未知的困难类型 {hardship.type}",))
