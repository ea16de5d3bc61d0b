"""The four categories issue 8 added (SPEC §5), each condition and its boundary, and
``result_for``: pure Python, no database. Parameters are SPEC §4's, plus the demo amounts of
SPEC §5 (孤儿 1900 / 1500, 重点困境儿童 300, 残疾人两项补贴 100 + 100)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from eligibility.rules import (
    MEMBER_POLICIES,
    POLICIES,
    Hardship,
    Member,
    RigidExpenditure,
    assess,
    result_for,
)
from eligibility.rules.engine import _result
from eligibility.rules.types import Result
from tests.eligibility.test_rules import RURAL, URBAN, home, params, person, result

D = Decimal
AMOUNTS = {
    "orphan_institutional": D("1900"),
    "orphan_dispersed": D("1500"),
    "child_hardship_allowance": D("300"),
    "disability_living_allowance": D("100"),
    "disability_care_allowance": D("100"),
}
CITY = params(URBAN, **AMOUNTS)
CITY_RURAL = params(RURAL, **AMOUNTS)
UNSET = params(URBAN)  # a region that has not set the new numbers


def child(age: int = 10, *situations: str, **kw) -> Member:
    return person("child", age, parent_situations=situations, **kw)


# --- 支出型困难家庭 ----------------------------------------------------------------------------


def test_spec_example_medical_household_is_ordinary_dibao_not_expenditure_type():
    # SPEC §5 worked example: 900 + 500 − 2400 / 12 = 1200 < 1574; without the deduction
    # 1400 < 1574 too, so the deduction is not what admits it
    household = home(
        person(income=900),
        person("spouse", income=500),
        rigid_expenditure=RigidExpenditure(medical=D("2400")),
    )
    assessment = assess(household, CITY)
    assert result(assessment, "dibao").monthly_amount == D("374.00")
    hardship = result(assessment, "expenditure_hardship")
    assert hardship.eligible is False
    assert "属一般低保家庭，不认定为支出型困难家庭" in hardship.reasons
    assert "expenditure_hardship" not in assessment.categories


@pytest.mark.parametrize(
    ("income", "eligible"),
    [("787.00", True), ("800.00", True), ("786.99", False)],
)
def test_expenditure_type_when_only_the_deduction_admits_it(income, eligible):
    # without the deduction the household must fail: income ≥ 787 × 1 (boundary at 787.00)
    household = home(person(income=income), rigid_expenditure=RigidExpenditure(medical=D("1200")))
    assessment = assess(household, CITY)
    dibao = result(assessment, "dibao")
    hardship = result(assessment, "expenditure_hardship")
    assert dibao.eligible is True
    assert hardship.eligible is eligible
    assert ("expenditure_hardship" in assessment.categories) is eligible
    if eligible:
        # paid as 低保: the same amount, once
        assert hardship.monthly_amount == dibao.monthly_amount
        assert hardship.monthly_amount == D(787) - D(income) + D(100)
        assert any("支出型困难家庭" in r for r in hardship.reasons)


def test_expenditure_type_pays_the_dibao_floor_when_dibao_does():
    floored = params(URBAN, dibao_floor=D("100"), **AMOUNTS)
    household = home(person(income="800"), rigid_expenditure=RigidExpenditure(medical=D("240")))
    assessment = assess(household, floored)
    assert result(assessment, "dibao").monthly_amount == D("100.00")  # gap 7.00, floor 100
    assert result(assessment, "expenditure_hardship").monthly_amount == D("100.00")


def test_no_expenditure_type_when_even_the_deduction_does_not_admit_the_household():
    household = home(person(income=2000), rigid_expenditure=RigidExpenditure(medical=D("1200")))
    hardship = result(assess(household, CITY), "expenditure_hardship")
    assert (hardship.eligible, hardship.monthly_amount) == (False, None)


# --- 孤儿及事实无人抚养儿童 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("situations", "arrangement", "eligible", "amount", "kind"),
    [
        (("dead", "dead"), "dispersed", True, "1500.00", "孤儿"),
        (("dead", "dead"), "institutional", True, "1900.00", "孤儿"),
        (("dead", "missing"), "dispersed", True, "1500.00", "孤儿"),
        (("missing", "missing"), "institutional", True, "1900.00", "孤儿"),
        (("imprisoned", "imprisoned"), "dispersed", True, "1500.00", "事实无人抚养"),
        (("dead", "imprisoned"), "dispersed", True, "1500.00", "事实无人抚养"),
        (("missing", "lost_contact"), "institutional", True, "1900.00", "事实无人抚养"),
        (("severe_disability", "serious_illness"), "dispersed", True, "1500.00", "事实无人抚养"),
        (("drug_rehabilitation", "deprived_of_liberty"), None, True, "1500.00", "事实无人抚养"),
        (("dead",), "dispersed", False, None, None),  # the other parent raises the child
        (("imprisoned",), "dispersed", False, None, None),
        ((), None, False, None, None),
    ],
)
def test_orphan_by_parents_situations(situations, arrangement, eligible, amount, kind):
    household = home(person(income=3000), child(10, *situations, care_arrangement=arrangement))
    orphan = result(assess(household, CITY), "orphan", 1)
    assert orphan.eligible is eligible
    assert orphan.monthly_amount == (None if amount is None else D(amount))
    if kind == "孤儿":
        assert "父母双方均死亡或宣告失踪，认定为孤儿" in orphan.reasons
    elif kind:
        assert "父母双方均无法履行抚养责任，认定为事实无人抚养儿童" in orphan.reasons


def test_orphan_without_a_care_arrangement_is_paid_as_dispersed_and_told_so():
    orphan = result(assess(home(person(income=3000), child(8, "dead", "dead")), CITY), "orphan", 1)
    assert orphan.monthly_amount == D("1500.00")
    assert "未填写供养方式，按社会散居计算" in orphan.reasons


@pytest.mark.parametrize(("age", "listed"), [(0, True), (17, True), (18, False), (40, False)])
def test_orphan_only_under_the_adult_age(age, listed):
    household = home(person(income=3000), child(age, "dead", "dead"))
    found = [r for r in assess(household, CITY).results if r.policy == "orphan"]
    assert [(r.member, r.eligible) for r in found] == ([(1, True)] if listed else [])
    assert (result_for("orphan", household, CITY, 1) is None) is not listed


def test_orphan_is_not_income_tested():
    household = home(person("sibling", 30, income=20000), person("applicant", 12))
    household = dataclasses.replace(
        household,
        members=(household.members[0], child(12, "dead", "dead", care_arrangement="dispersed")),
    )
    assert result(assess(household, CITY), "orphan", 1).eligible is True


def test_orphan_amount_not_set_in_the_region_is_not_eligible_and_says_why():
    household = home(person(income=3000), child(10, "dead", "dead", care_arrangement="dispersed"))
    orphan = result(assess(household, UNSET), "orphan", 1)
    assert (orphan.eligible, orphan.monthly_amount) == (False, None)
    assert "本地区未设定社会散居孤儿基本生活费标准，暂无法核定金额" in orphan.reasons


def test_orphan_and_tekun_are_both_eligible_and_the_reasons_say_which_pays_more():
    # a child alone (no working-capable parent in the household): 特困 1298.75 (全自理);
    # dispersed 1500 pays more, institutional 1900 too; 全护理 特困 1939.83 pays more than 1500
    alone = home(child(10, "dead", "dead", care_arrangement="dispersed"))
    assessment = assess(alone, CITY)
    tekun, orphan = result(assessment, "tekun", 0), result(assessment, "orphan", 0)
    assert (tekun.eligible, tekun.monthly_amount) == (True, D("1298.75"))
    assert (orphan.eligible, orphan.monthly_amount) == (True, D("1500.00"))
    assert orphan.reasons[-1] == (
        "该儿童同时符合特困供养条件（每月 1298.75 元）；两者不可兼得，由审批人选择其一，"
        "孤儿基本生活费较高（每月 1500.00 元）"
    )
    cared = home(child(10, "dead", "dead", care_arrangement="dispersed", self_care="none"))
    orphan = result(assess(cared, CITY), "orphan", 0)
    assert orphan.reasons[-1].endswith("特困供养金较高（每月 1939.83 元）")


# --- 重点困境儿童 -------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "listed"), [(17, True), (18, False)])
def test_child_in_a_dibao_household(age, listed):
    household = home(person(income=300), person("child", age))
    assessment = assess(household, CITY)
    assert result(assessment, "dibao").eligible is True
    found = [r for r in assessment.results if r.policy == "child_in_hardship"]
    if listed:
        assert [(r.member, r.eligible, r.monthly_amount) for r in found] == [(1, True, D("300.00"))]
        assert "家庭符合低保条件" in found[0].reasons
        assert "child_in_hardship" in assessment.categories
    else:
        assert found == []


def test_child_in_a_tekun_household():
    # the applicant's sibling aged 70 has no obligor in the household: 特困; the household
    # itself fails 低保 (5000 ≥ 787 × 3)
    household = home(person(income=5000), person("sibling", 70), person("child", 10))
    assessment = assess(household, CITY)
    assert result(assessment, "dibao").eligible is False
    assert result(assessment, "tekun", 1).eligible is True
    child_result = result(assessment, "child_in_hardship", 2)
    assert (child_result.eligible, child_result.monthly_amount) == (True, D("300.00"))
    assert "家庭中有成员符合特困人员条件" in child_result.reasons


@pytest.mark.parametrize(
    ("income", "condition", "eligible"),
    [
        ("2000.00", {"disability_grade": 4, "disability_type": "hearing"}, True),
        ("2000.00", {"serious_illness": True}, True),
        ("2360.99", {"disability_grade": 2, "disability_type": "physical"}, True),
        # per capita 2361 / 2 = 1180.50 is not below 1.5 × 787 = 1180.50
        ("2361.00", {"disability_grade": 2, "disability_type": "physical"}, False),
        ("2000.00", {}, False),
    ],
)
def test_child_with_a_disability_or_serious_illness_below_the_edge_line(
    income, condition, eligible
):
    household = home(person(income=income), person("child", 8, **condition))
    assessment = assess(household, CITY)
    assert result(assessment, "dibao").eligible is False  # 2000 ≥ 787 × 2
    assert result(assessment, "child_in_hardship", 1).eligible is eligible


def test_an_orphan_is_not_also_a_child_in_hardship():
    household = home(person(income=300), child(10, "dead", "dead"))
    assessment = assess(household, CITY)
    assert result(assessment, "orphan", 1).eligible is True
    child_result = result(assessment, "child_in_hardship", 1)
    assert child_result.eligible is False
    assert "不再认定为重点困境儿童" in child_result.reasons[0]


def test_child_allowance_not_set_in_the_region():
    child_result = result(assess(home(person(), person("child", 5)), UNSET), "child_in_hardship", 1)
    assert child_result.eligible is False
    assert "本地区未设定重点困境儿童生活补贴标准，暂无法核定金额" in child_result.reasons


# --- 困难重度残疾人 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "kind", "amount"),
    [
        (1, "visual", "200.00"),
        (2, "physical", "200.00"),
        (2, "hearing", "200.00"),
        (3, "intellectual", "100.00"),
        (3, "mental", "100.00"),
        (3, "physical", None),  # no result: not a severe disability
        (4, "intellectual", None),
    ],
)
def test_severe_disability_in_a_dibao_household_by_grade(grade, kind, amount):
    household = home(
        person(income=300), person("spouse", disability_grade=grade, disability_type=kind)
    )
    assessment = assess(household, CITY)
    found = [r for r in assessment.results if r.policy == "severe_disability"]
    if amount is None:
        assert found == []
        assert result_for("severe_disability", household, CITY, 1) is None
    else:
        assert [(r.member, r.eligible, r.monthly_amount) for r in found] == [(1, True, D(amount))]
        assert "severe_disability" in assessment.categories


def test_severe_disability_reasons_name_both_allowances():
    household = home(person(income=300, disability_grade=1, disability_type="physical"))
    disabled = result(assess(household, CITY), "severe_disability", 0)
    assert disabled.reasons[-1] == (
        "困难残疾人生活补贴每月 100.00 元 + 重度残疾人护理补贴每月 100.00 元 = 200.00 元"
    )


@pytest.mark.parametrize(
    ("income", "own", "eligible", "why"),
    [
        ("200.00", "0.00", True, "家庭符合低保条件"),
        # fails 低保 (1600 ≥ 1574); own income 0 < 787 and 800 per capita < 1180.50: 单人保
        ("1600.00", "0.00", True, "本人符合单人保条件，可单独纳入低保"),
        # own income 800 ≥ 787: no 单人保, but 800 per capita < 1180.50: 边缘
        ("800.00", "800.00", True, "家庭符合低保边缘家庭条件"),
        ("1561.00", "800.00", False, "家庭不符合低保或低保边缘家庭条件"),  # 1180.50 per capita
    ],
)
def test_severe_disability_needs_a_dibao_or_edge_household(income, own, eligible, why):
    household = home(
        person(income=income),
        person("spouse", income=own, disability_grade=2, disability_type="mental"),
    )
    disabled = result(assess(household, CITY), "severe_disability", 1)
    assert disabled.eligible is eligible
    assert why in disabled.reasons


def test_severe_disability_allowances_not_set_in_the_region():
    household = home(person(income=300, disability_grade=2, disability_type="physical"))
    disabled = result(assess(household, UNSET), "severe_disability", 0)
    assert (disabled.eligible, disabled.monthly_amount) == (False, None)
    assert "本地区未设定困难残疾人生活补贴标准，暂无法核定金额" in disabled.reasons
    only_living = params(URBAN, disability_living_allowance=D("100"))
    grade3 = home(person(income=300, disability_grade=3, disability_type="intellectual"))
    assert result(assess(grade3, only_living), "severe_disability", 0).monthly_amount == D("100.00")
    assert result(assess(household, only_living), "severe_disability", 0).eligible is False


# --- the migrant one-off and on_dibao ----------------------------------------------------------


@pytest.mark.parametrize(("on_dibao", "eligible"), [(False, True), (True, False)])
def test_migrant_one_off_is_refused_only_when_enrolled_in_dibao(on_dibao, eligible):
    hardship = Hardship("migrant_no_income", 3, on_dibao=on_dibao)
    assessment = assess(home(person(), area="rural", hardship=hardship), CITY_RURAL)
    temporary = result(assessment, "temporary")
    assert temporary.eligible is eligible
    assert result(assessment, "dibao").eligible is True
    advice = "按本次测算，家庭符合低保条件，建议同时申请低保"
    assert (advice in temporary.reasons) is eligible


def test_migrant_not_qualifying_for_dibao_gets_no_advice():
    hardship = Hardship("migrant_no_income", 4)
    temporary = result(assess(home(person(income=2000), hardship=hardship), CITY), "temporary")
    assert temporary.eligible is True
    assert not any("建议同时申请低保" in r for r in temporary.reasons)


# --- inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {"parent_situations": ("dead", "dead", "dead")},
        {"parent_situations": ("dead", "abroad")},
        {"parent_situations": ["dead", "dead"]},  # a tuple, so Member stays hashable
        {"care_arrangement": "foster"},
    ],
)
def test_bad_member_codes_are_refused(kw):
    with pytest.raises(ValueError):
        person("child", 5, **kw)


def test_the_new_member_inputs_default_to_nothing_declared():
    member = person("child", 5)
    assert (member.parent_situations, member.care_arrangement) == ((), None)
    assert Hardship("migrant_no_income").on_dibao is False


# --- result_for ---------------------------------------------------------------------------------

RICH = home(
    person(income=300, disability_grade=2, disability_type="physical"),
    person("spouse", 62, self_care="partial", serious_illness=True),
    child(9, "dead", "imprisoned", care_arrangement="institutional"),
    person("child", 15, disability_grade=3, disability_type="mental"),
    person("parent", 80),
    rigid_expenditure=RigidExpenditure(medical=D("3000")),
    hardship=Hardship("migrant_no_income", 5),
)


@pytest.mark.parametrize("region", [CITY, params(RURAL, relative="1.2", **AMOUNTS), UNSET])
@pytest.mark.parametrize("explain", [True, False])
def test_result_for_is_exactly_the_matching_entry_of_assess(region, explain):
    assessment = assess(RICH, region, explain=explain)
    listed = {(r.policy, r.member): r for r in assessment.results}
    for policy in POLICIES:
        indexes = range(len(RICH.members)) if policy in MEMBER_POLICIES else [None]
        for i in indexes:
            assert result_for(policy, RICH, region, i, explain=explain) == listed.get((policy, i))


def test_result_for_says_none_where_a_policy_does_not_apply():
    household = home(person(income=300), person("spouse", 40))
    assert result_for("dibao_single", household, CITY, 1) is None
    assert result_for("relative_poverty", household, CITY) is None  # not a pilot county
    assert result_for("child_in_hardship", household, CITY, 0) is None
    assert result_for("dibao", household, CITY).monthly_amount == D("1274.00")


@pytest.mark.parametrize(
    ("policy", "member"),
    [("tekun", None), ("dibao", 0), ("orphan", 5), ("pension", None)],
)
def test_result_for_refuses_a_wrong_call(policy, member):
    with pytest.raises(ValueError):
        result_for(policy, home(person()), CITY, member)


def test_the_batch_results_constructor_builds_ordinary_results():
    made = _result("dibao", True, None, D("487.00"), None, None, D("787.00"))
    assert made == Result("dibao", True, (), monthly_amount=D("487.00"), line=D("787.00"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.eligible = False
