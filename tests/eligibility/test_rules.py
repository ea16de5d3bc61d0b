"""The rules engine against every number of SPEC §4 and every worked example of SPEC §5.

Pure Python: no database, no Django. Parameters are built here from the SPEC's numbers, as the
standards tables would supply them.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from decimal import ROUND_DOWN, Decimal, localcontext
from pathlib import Path

import pytest

from eligibility.rules import (
    Assets,
    Hardship,
    Household,
    Member,
    Parameters,
    RigidExpenditure,
    Supporter,
    assess,
    asset_test,
    care_level,
    ceil_yuan,
    counted_income,
    no_work_capacity,
    quantize_yuan,
    ratio2,
    supporters_of,
)
from eligibility.rules.engine import CHILDREN, PARENTS, SPOUSES

D = Decimal
URBAN, RURAL = D("787"), D("588")
URBAN_2019, RURAL_2019 = D("650"), D("470")


def params(
    standard: Decimal = URBAN,
    *,
    urban: Decimal | None = None,
    relative: str | None = None,
    **overrides,
) -> Parameters:
    """The SPEC §4 numbers in force from 2020-07-01 for one area (环翠 unless told)."""
    values = {
        "dibao_standard": standard,
        "dibao_standard_urban": urban if urban is not None else URBAN,
        "tekun_basic_multiple": D("1.3"),
        "care_yearly": {"full": D("3297"), "partial": D("5495"), "none": D("10990")},
        "edge_multiple": D("1.5"),
        "relative_poverty_multiple": None if relative is None else D(relative),
        "temporary_min_multiple": D("3"),
        "temporary_max_multiple": D("12"),
        "migrant_max_multiple": D("3"),
        "migrant_min_months": 3,
        "financial_asset_months": D("24"),
        "max_houses": 1,
        "max_vehicles": 0,
        "business_allowed": False,
        "supporter_exemption_multiple": D("2"),
        "single_person_multiple": D("1.5"),
        "dibao_floor": None,
        "adult_age": 18,
        "elderly_age": 60,
    }
    values.update(overrides)
    return Parameters(**values)


HUANCUI_URBAN = params(URBAN)
RUSHAN_RURAL = params(RURAL)
WENDENG_RURAL = params(RURAL, relative="1.2")
RONGCHENG_RURAL = params(RURAL, relative="1.5")


def person(relation: str = "applicant", age: int = 40, income: str | int = 0, **kw) -> Member:
    return Member(relation=relation, age=age, monthly_income=D(income), **kw)


def home(*members: Member, area: str = "urban", **kw) -> Household:
    return Household(area=area, members=members, **kw)


def result(assessment, policy: str, member: int | None = None):
    found = [r for r in assessment.results if r.policy == policy and r.member == member]
    assert len(found) == 1, f"expected one {policy} result for member {member}: {found}"
    return found[0]


def has_result(assessment, policy: str, member: int | None = None) -> bool:
    return any(r.policy == policy and r.member == member for r in assessment.results)


# --- SPEC §4: the standards and what is derived from them ------------------------------------


@pytest.mark.parametrize(
    ("urban", "rural", "ratio"),
    [(URBAN, RURAL, D("1.34")), (URBAN_2019, RURAL_2019, D("1.38"))],
)
def test_urban_rural_ratio_is_shown_to_two_places(urban, rural, ratio):
    assert ratio2(urban, rural) == ratio
    assert str(ratio2(urban, rural)) == str(ratio)


@pytest.mark.parametrize(
    ("standard", "basic"),
    [(URBAN, "1024.00"), (RURAL, "765.00"), (URBAN_2019, "845.00"), (RURAL_2019, "611.00")],
)
def test_tekun_basic_standard_is_1_3_times_dibao_rounded_up_to_the_yuan(standard, basic):
    assert str(params(standard).tekun_basic) == basic


@pytest.mark.parametrize(
    ("standard", "self_care", "amount"),
    [
        (URBAN, "full", "1298.75"),  # 1024 + 3297 / 12
        (URBAN, "partial", "1481.92"),  # 1024 + 5495 / 12 = 1481.9166…
        (URBAN, "none", "1939.83"),  # 1024 + 10990 / 12 = 1939.8333…
        (RURAL, "full", "1039.75"),  # 765 + 274.75
        (RURAL, "partial", "1222.92"),
        (RURAL, "none", "1680.83"),
    ],
)
def test_tekun_amount_is_basic_plus_care_standard_over_twelve(standard, self_care, amount):
    orphan = home(
        person(age=10, self_care=self_care), area="urban" if standard == URBAN else "rural"
    )
    tekun = result(assess(orphan, params(standard)), "tekun", 0)
    assert (tekun.eligible, str(tekun.monthly_amount)) == (True, amount)


@pytest.mark.parametrize(("standard", "line"), [(URBAN, "1180.50"), (RURAL, "882.00")])
def test_edge_line_is_1_5_times_standard(standard, line):
    assert quantize_yuan(params(standard).edge_line) == D(line)


@pytest.mark.parametrize(("multiple", "line"), [("1.2", "705.60"), ("1.5", "882.00")])
def test_relative_poverty_line_is_the_pilot_county_multiple_of_standard(multiple, line):
    assert quantize_yuan(params(RURAL, relative=multiple).relative_poverty_line) == D(line)


def test_counties_outside_the_pilot_have_no_relative_poverty_line():
    assert HUANCUI_URBAN.relative_poverty_line is None


@pytest.mark.parametrize(
    ("standard", "low", "high"), [(RURAL, "1764.00", "7056.00"), (URBAN, "2361.00", "9444.00")]
)
def test_temporary_range_is_3_to_12_times_local_standard(standard, low, high):
    assert tuple(map(quantize_yuan, params(standard).temporary_range)) == (D(low), D(high))


def test_migrant_cap_is_three_times_the_urban_standard_even_in_a_rural_area():
    assert quantize_yuan(RUSHAN_RURAL.migrant_cap) == D("2361.00")


def test_financial_asset_limit_is_24_months_of_standard_per_person():
    assert HUANCUI_URBAN.financial_limit_per_person == D("18888")


def test_supporter_exemption_line_is_twice_the_standard():
    assert HUANCUI_URBAN.supporter_exemption_line == D("1574")


def test_parameters_carry_no_policy_defaults():
    # the only default is None, "not set in this region" (the four categories of issue 8,
    # so that Parameters frozen before them still load): never a policy number
    fields = dataclasses.fields(Parameters)
    assert all(f.default in (dataclasses.MISSING, None) for f in fields)
    assert all(f.default_factory is dataclasses.MISSING for f in fields)


# --- money --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("0.005", "0.01"), ("2.675", "2.68"), ("2.6749", "2.67"), ("487", "487.00")],
)
def test_quantize_yuan_rounds_half_up_to_the_fen(value, rounded):
    assert str(quantize_yuan(D(value))) == rounded


@pytest.mark.parametrize(
    ("value", "rounded"), [("1023.1", "1024.00"), ("1023.001", "1024.00"), ("1024", "1024.00")]
)
def test_ceil_yuan_rounds_up_to_the_whole_yuan_with_two_places(value, rounded):
    assert str(ceil_yuan(D(value))) == rounded


# --- SPEC §5 worked examples (2021-01-15) ------------------------------------------------------


def test_huancui_one_person_income_300_gets_dibao_487():
    dibao = result(assess(home(person(income=300)), HUANCUI_URBAN), "dibao")
    assert (dibao.eligible, dibao.monthly_amount) == (True, D("487.00"))


def test_rushan_rural_three_persons_get_dibao_1164():
    household = home(
        person(income=400), person("spouse", income=200), person("child", 12), area="rural"
    )
    dibao = result(assess(household, RUSHAN_RURAL), "dibao")
    assert (dibao.eligible, dibao.monthly_amount, dibao.line) == (
        True,
        D("1164.00"),
        D("1764.00"),
    )


def test_person_aged_62_alone_without_supporter_gets_tekun_1298_75():
    tekun = result(assess(home(person(age=62, income=300)), HUANCUI_URBAN), "tekun", 0)
    assert (tekun.eligible, tekun.monthly_amount) == (True, D("1298.75"))


def test_person_aged_62_alone_is_also_eligible_for_dibao_487():
    assessment = assess(home(person(age=62, income=300)), HUANCUI_URBAN)
    assert result(assessment, "dibao").monthly_amount == D("487.00")
    assert assessment.categories == {"dibao", "tekun"}


def test_medical_expenditure_is_deducted_over_twelve_months():
    household = home(
        person(income=900),
        person("spouse", income=500),
        rigid_expenditure=RigidExpenditure(medical=D("2400")),
    )
    assessment = assess(household, HUANCUI_URBAN)
    assert assessment.counted_income == D("1200.00")
    assert result(assessment, "dibao").monthly_amount == D("374.00")


def test_wendeng_rural_income_650_is_not_dibao():
    dibao = result(assess(home(person(income=650), area="rural"), WENDENG_RURAL), "dibao")
    assert (dibao.eligible, dibao.monthly_amount) == (False, None)


def test_wendeng_rural_income_650_is_relatively_poor_below_705_60():
    assessment = assess(home(person(income=650), area="rural"), WENDENG_RURAL)
    relative = result(assessment, "relative_poverty")
    assert (relative.eligible, relative.line) == (True, D("705.60"))


def test_wendeng_rural_income_650_is_a_dibao_edge_household_below_882():
    edge = result(assess(home(person(income=650), area="rural"), WENDENG_RURAL), "dibao_edge")
    assert (edge.eligible, edge.line) == (True, D("882.00"))


def test_rongcheng_rural_expenditure_hardship_gets_temporary_1764_to_7056():
    household = home(person(income=2000), area="rural", hardship=Hardship("expenditure"))
    temporary = result(assess(household, RONGCHENG_RURAL), "temporary")
    assert (temporary.eligible, temporary.min_amount, temporary.max_amount) == (
        True,
        D("1764.00"),
        D("7056.00"),
    )


# --- counted income ------------------------------------------------------------------------


def test_supporter_payment_counts_as_income():
    household = home(person(income=300), supporter=Supporter(monthly_payment=D("200")))
    assert counted_income(household, HUANCUI_URBAN) == D("500")


def test_supporter_whose_household_is_below_twice_standard_counts_as_paying_nothing():
    supporter = Supporter(monthly_payment=D("200"), household_per_capita_income=D("1573.99"))
    household = home(person(income=300), supporter=supporter)
    assert counted_income(household, HUANCUI_URBAN) == D("300")


def test_supporter_at_exactly_twice_standard_is_not_exempt():
    supporter = Supporter(monthly_payment=D("200"), household_per_capita_income=D("1574"))
    household = home(person(income=300), supporter=supporter)
    assert counted_income(household, HUANCUI_URBAN) == D("500")


def test_supporter_of_unknown_income_is_not_exempt():
    household = home(person(income=300), supporter=Supporter(monthly_payment=D("200")))
    assert counted_income(household, HUANCUI_URBAN) == D("500")


def test_exempt_supporter_is_named_in_the_dibao_reasons():
    supporter = Supporter(monthly_payment=D("200"), household_per_capita_income=D("1000"))
    dibao = result(assess(home(person(income=300), supporter=supporter), HUANCUI_URBAN), "dibao")
    assert any("1574.00" in r and "不计入收入" in r for r in dibao.reasons)


def test_rigid_expenditure_above_income_floors_counted_income_at_zero():
    household = home(person(income=100), rigid_expenditure=RigidExpenditure(medical=D("24000")))
    assessment = assess(household, HUANCUI_URBAN)
    assert assessment.counted_income == D("0.00")
    assert result(assessment, "dibao").monthly_amount == D("787.00")


def test_education_and_rehabilitation_are_deducted_with_medical():
    rigid = RigidExpenditure(medical=D("1200"), education=D("1200"), rehabilitation=D("1200"))
    household = home(person(income=600), rigid_expenditure=rigid)
    assert counted_income(household, HUANCUI_URBAN) == D("300")


def test_income_equal_to_the_line_after_deduction_is_not_below_it():
    household = home(person(income=795), rigid_expenditure=RigidExpenditure(medical=D("96")))
    assert result(assess(household, HUANCUI_URBAN), "dibao").eligible is False


def test_amounts_are_rounded_once_at_the_end():
    # counted income 299.995 would show as 300.00; the gap 487.005 rounds to 487.01
    household = home(person(income=300), rigid_expenditure=RigidExpenditure(medical=D("0.06")))
    assessment = assess(household, HUANCUI_URBAN)
    assert result(assessment, "dibao").monthly_amount == D("487.01")


def test_per_capita_income_is_rounded_half_up_to_two_places():
    household = home(person(income=1000), person("spouse", income=0), person("child", 5))
    assert assess(household, HUANCUI_URBAN).per_capita_income == D("333.33")


# --- assets --------------------------------------------------------------------------------


def test_financial_assets_at_the_limit_pass():
    household = home(person(), assets=Assets(financial=D("18888.00")))
    assert asset_test(household, HUANCUI_URBAN)[0] is True


def test_financial_assets_over_24_months_of_standard_fail():
    household = home(person(), assets=Assets(financial=D("18888.01")))
    passed, reasons = asset_test(household, HUANCUI_URBAN)
    assert passed is False
    assert reasons == (
        "家庭金融资产 18888.01 元，超过上限 24 × 低保标准 787.00 元 × 1 人 = 18888.00 元",
    )


def test_financial_asset_limit_grows_with_the_household():
    household = home(person(), person("spouse"), assets=Assets(financial=D("30000")))
    assert asset_test(household, HUANCUI_URBAN)[0] is True


def test_a_second_house_fails_the_asset_test():
    assert asset_test(home(person(), assets=Assets(houses=2)), HUANCUI_URBAN)[0] is False


def test_one_house_passes_the_asset_test():
    assert asset_test(home(person(), assets=Assets(houses=1)), HUANCUI_URBAN)[0] is True


def test_a_counted_vehicle_fails_the_asset_test():
    assert asset_test(home(person(), assets=Assets(vehicles=1)), HUANCUI_URBAN)[0] is False


def test_a_registered_business_fails_the_asset_test():
    household = home(person(), assets=Assets(business_registered=True))
    assert asset_test(household, HUANCUI_URBAN)[0] is False


def test_a_registered_business_passes_where_the_local_parameter_allows_it():
    household = home(person(), assets=Assets(business_registered=True))
    assert asset_test(household, params(business_allowed=True))[0] is True


def test_each_asset_failure_gives_its_own_reason():
    assets = Assets(financial=D("99999"), vehicles=1, houses=3, business_registered=True)
    passed, reasons = asset_test(home(person(), assets=assets), HUANCUI_URBAN)
    assert (passed, len(reasons)) == (False, 4)


def test_failed_assets_bar_dibao_even_without_income():
    assessment = assess(home(person(), assets=Assets(houses=2)), HUANCUI_URBAN)
    assert (assessment.assets_pass, result(assessment, "dibao").eligible) == (False, False)


# --- 低保 ------------------------------------------------------------------------------------


def test_dibao_reason_names_the_income_and_the_line():
    dibao = result(assess(home(person(income=300)), HUANCUI_URBAN), "dibao")
    assert "家庭月计算收入 300.00 元，低于低保标准 787.00 元 × 1 人 = 787.00 元" in dibao.reasons


def test_dibao_floor_raises_a_small_gap():
    dibao = result(assess(home(person(income=780)), params(dibao_floor=D("50"))), "dibao")
    assert dibao.monthly_amount == D("50.00")


def test_dibao_floor_leaves_a_larger_gap_alone():
    dibao = result(assess(home(person(income=300)), params(dibao_floor=D("50"))), "dibao")
    assert dibao.monthly_amount == D("487.00")


def test_income_at_the_line_is_not_dibao():
    assert result(assess(home(person(income=787)), HUANCUI_URBAN), "dibao").eligible is False


# --- 单人保 ----------------------------------------------------------------------------------


def _over_the_line_with(member: Member) -> Household:
    """Two persons, counted 1600 + own ≥ 1574 (fails 低保), per capita < 1180.50."""
    return home(person(income=1600), member)


def test_grade_two_disabled_member_of_a_household_over_the_line_gets_single_person_dibao():
    disabled = person("spouse", income=100, disability_grade=2, disability_type="physical")
    single = result(assess(_over_the_line_with(disabled), HUANCUI_URBAN), "dibao_single", 1)
    assert (single.eligible, single.monthly_amount) == (True, D("687.00"))


def test_grade_three_intellectual_disability_qualifies_for_single_person_dibao():
    disabled = person("child", 20, disability_grade=3, disability_type="intellectual")
    single = result(assess(_over_the_line_with(disabled), HUANCUI_URBAN), "dibao_single", 1)
    assert (single.eligible, single.monthly_amount) == (True, D("787.00"))


def test_grade_three_physical_disability_gives_no_single_person_result():
    disabled = person("child", 20, disability_grade=3, disability_type="physical")
    assert not has_result(assess(_over_the_line_with(disabled), HUANCUI_URBAN), "dibao_single", 1)


def test_serious_illness_qualifies_for_single_person_dibao():
    ill = person("spouse", income=50, serious_illness=True)
    single = result(assess(_over_the_line_with(ill), HUANCUI_URBAN), "dibao_single", 1)
    assert (single.eligible, single.monthly_amount) == (True, D("737.00"))


def test_single_person_dibao_needs_household_per_capita_below_1_5_times_standard():
    household = home(person(income=2361), person("spouse", serious_illness=True))
    assert result(assess(household, HUANCUI_URBAN), "dibao_single", 1).eligible is False


def test_single_person_dibao_needs_own_income_below_standard():
    household = home(person(income=800), person("spouse", income=800, serious_illness=True))
    assert result(assess(household, HUANCUI_URBAN), "dibao_single", 1).eligible is False


def test_single_person_dibao_needs_assets_to_pass():
    household = home(
        person(income=1600), person("spouse", serious_illness=True), assets=Assets(houses=2)
    )
    assert result(assess(household, HUANCUI_URBAN), "dibao_single", 1).eligible is False


def test_single_person_dibao_is_not_offered_when_the_household_gets_dibao():
    household = home(person(income=300), person("spouse", serious_illness=True))
    assert result(assess(household, HUANCUI_URBAN), "dibao_single", 1).eligible is False


def test_single_person_dibao_puts_the_household_in_the_dibao_category():
    ill = person("spouse", serious_illness=True)
    assert "dibao" in assess(_over_the_line_with(ill), HUANCUI_URBAN).categories


# --- 低保边缘 and relative poverty -------------------------------------------------------------


def test_a_dibao_household_is_not_a_dibao_edge_household():
    assert result(assess(home(person(income=300)), HUANCUI_URBAN), "dibao_edge").eligible is False


def test_dibao_edge_needs_assets_to_pass():
    household = home(person(income=1000), assets=Assets(vehicles=1))
    assert result(assess(household, HUANCUI_URBAN), "dibao_edge").eligible is False


def test_per_capita_income_at_the_edge_line_is_not_dibao_edge():
    household = home(person(income=882), area="rural")
    assert result(assess(household, RUSHAN_RURAL), "dibao_edge").eligible is False


def test_relative_poverty_is_assessed_only_in_pilot_counties():
    assert not has_result(assess(home(person(income=650)), HUANCUI_URBAN), "relative_poverty")


def test_a_dibao_household_is_not_relatively_poor():
    household = home(person(income=300), area="rural")
    assert result(assess(household, WENDENG_RURAL), "relative_poverty").eligible is False


def test_rongcheng_relative_poverty_line_is_1_5_times_standard():
    household = home(person(income=800), area="rural")
    relative = result(assess(household, RONGCHENG_RURAL), "relative_poverty")
    assert (relative.eligible, relative.line) == (True, D("882.00"))


# --- 特困 ------------------------------------------------------------------------------------


def test_person_aged_70_with_a_working_child_at_home_is_not_tekun():
    household = home(person(age=70), person("child", 40, income=3000))
    tekun = result(assess(household, HUANCUI_URBAN), "tekun", 0)
    assert tekun.eligible is False
    assert any("成年子女" in r and "赡养" in r for r in tekun.reasons)


def test_orphan_aged_10_alone_is_tekun():
    tekun = result(assess(home(person(age=10)), HUANCUI_URBAN), "tekun", 0)
    assert (tekun.eligible, tekun.monthly_amount) == (True, D("1298.75"))


def test_working_age_adult_is_not_tekun():
    assert result(assess(home(person(age=40)), HUANCUI_URBAN), "tekun", 0).eligible is False


def test_tekun_needs_own_income_below_standard():
    household = home(person(age=70, income=787))
    assert result(assess(household, HUANCUI_URBAN), "tekun", 0).eligible is False


def test_tekun_needs_assets_to_pass():
    household = home(person(age=70), assets=Assets(houses=2))
    assert result(assess(household, HUANCUI_URBAN), "tekun", 0).eligible is False


def test_an_able_outside_supporter_bars_tekun():
    household = home(person(age=70), supporter=Supporter(able=True))
    assert result(assess(household, HUANCUI_URBAN), "tekun", 0).eligible is False


def test_an_exempt_outside_supporter_does_not_bar_tekun():
    supporter = Supporter(able=True, household_per_capita_income=D("1000"))
    household = home(person(age=70), supporter=supporter)
    assert result(assess(household, HUANCUI_URBAN), "tekun", 0).eligible is True


def test_a_working_spouse_bars_tekun_for_a_disabled_member():
    household = home(
        person(income=2000), person("spouse", disability_grade=1, disability_type="physical")
    )
    assert result(assess(household, HUANCUI_URBAN), "tekun", 1).eligible is False


def test_a_working_parent_bars_tekun_for_a_minor():
    household = home(person(income=3000), person("child", 8))
    assert result(assess(household, HUANCUI_URBAN), "tekun", 1).eligible is False


def test_a_working_parent_bars_tekun_for_an_adult_still_in_school():
    household = home(person(income=3000), person("child", 19, in_school=True))
    assert result(assess(household, HUANCUI_URBAN), "tekun", 1).eligible is False


def test_an_adult_orphan_in_school_keeps_tekun():
    tekun = result(assess(home(person(age=19, in_school=True)), HUANCUI_URBAN), "tekun", 0)
    assert tekun.eligible is True


def test_a_parent_does_not_bar_tekun_for_a_severely_disabled_adult_child():
    # SPEC §5: a parent supports a member only while the member is a minor (or in school)
    household = home(
        person("parent", 55, income=3000),
        person("applicant", 30, disability_grade=1, disability_type="intellectual"),
    )
    assert result(assess(household, HUANCUI_URBAN), "tekun", 1).eligible is True


def test_an_elderly_couple_are_both_tekun():
    household = home(person(age=70), person("spouse", 68))
    assessment = assess(household, HUANCUI_URBAN)
    assert [result(assessment, "tekun", i).eligible for i in (0, 1)] == [True, True]


def test_a_working_sibling_does_not_bar_tekun():
    household = home(person(age=10), person("sibling", 30, income=3000))
    assert result(assess(household, HUANCUI_URBAN), "tekun", 0).eligible is True


def test_a_working_child_member_supports_a_minor_grandchild():
    household = home(person(age=65), person("child", 35, income=3000), person("grandchild", 6))
    assert supporters_of(household, 2, HUANCUI_URBAN)[0].member == 1


def test_a_working_parent_member_supports_a_grandparent():
    household = home(person(age=35), person("parent", 58, income=2000), person("grandparent", 85))
    obligors = supporters_of(household, 2, HUANCUI_URBAN)
    assert [(o.member, o.duty) for o in obligors] == [(1, "child")]


def test_an_elderly_child_does_not_count_as_a_supporter():
    household = home(person(age=62), person("parent", 88))
    assert supporters_of(household, 1, HUANCUI_URBAN) == ()


def test_kinship_maps_are_each_others_inverse():
    pairs = {(kid, parent) for kid, parents in PARENTS.items() for parent in parents}
    inverse = {(kid, parent) for parent, kids in CHILDREN.items() for kid in kids}
    assert pairs == inverse
    assert all(r in SPOUSES[s] for r, spouses in SPOUSES.items() for s in spouses)


@pytest.mark.parametrize(("age", "expected"), [(17, True), (18, False), (59, False), (60, True)])
def test_work_capacity_by_age(age, expected):
    assert no_work_capacity(person(age=age), HUANCUI_URBAN) is expected


@pytest.mark.parametrize(
    ("kind", "grade", "expected"),
    [
        ("intellectual", 3, True),
        ("mental", 3, True),
        ("intellectual", 4, False),
        ("physical", 2, True),
        ("physical", 3, False),
        ("visual", 1, True),
        ("visual", 2, False),
        ("hearing", 1, False),
        ("speech", 1, False),
        ("multiple", 2, True),
        ("multiple", 3, False),
    ],
)
def test_work_capacity_by_disability(kind, grade, expected):
    member = person(disability_grade=grade, disability_type=kind)
    assert no_work_capacity(member, HUANCUI_URBAN) is expected


@pytest.mark.parametrize(
    ("failed", "level"),
    [(0, "full"), (1, "partial"), (3, "partial"), (4, "none"), (6, "none")],
)
def test_care_level_from_failed_daily_activities(failed, level):
    assert care_level(failed) == level


@pytest.mark.parametrize("failed", [-1, 7])
def test_care_level_refuses_impossible_counts(failed):
    with pytest.raises(ValueError):
        care_level(failed)


# --- 临时救助 -------------------------------------------------------------------------------


def test_no_hardship_gives_one_ineligible_temporary_result():
    assessment = assess(home(person()), HUANCUI_URBAN)
    temporary = result(assessment, "temporary")
    assert (temporary.eligible, temporary.min_amount, len(temporary.reasons)) == (False, None, 1)


def test_emergency_hardship_may_be_paid_first():
    household = home(person(income=5000), hardship=Hardship("emergency"))
    temporary = result(assess(household, HUANCUI_URBAN), "temporary")
    assert temporary.eligible is True
    assert any("先行救助" in r for r in temporary.reasons)


def test_migrant_without_income_for_three_months_gets_up_to_3_times_urban_standard():
    household = home(person(), area="rural", hardship=Hardship("migrant_no_income", 3))
    household = dataclasses.replace(household, assets=Assets(houses=2))  # fails 低保 on assets
    temporary = result(assess(household, RUSHAN_RURAL), "temporary")
    assert (temporary.eligible, temporary.min_amount, temporary.max_amount) == (
        True,
        D("0.00"),
        D("2361.00"),
    )


def test_migrant_without_income_for_two_months_is_not_yet_eligible():
    household = home(person(income=2000), hardship=Hardship("migrant_no_income", 2))
    assert result(assess(household, HUANCUI_URBAN), "temporary").eligible is False


def test_migrant_with_unemployment_insurance_is_not_eligible():
    hardship = Hardship("migrant_no_income", 4, unemployment_insured=True)
    household = home(person(income=2000), hardship=hardship)
    assert result(assess(household, HUANCUI_URBAN), "temporary").eligible is False


def test_migrant_whose_household_is_enrolled_in_dibao_is_not_eligible():
    # SPEC §5 (clarified): "not on 低保" means not currently enrolled
    household = home(person(), hardship=Hardship("migrant_no_income", 4, on_dibao=True))
    temporary = result(assess(household, HUANCUI_URBAN), "temporary")
    assert temporary.eligible is False
    assert "家庭正在享受低保，由低保保障" in temporary.reasons


def test_migrant_who_would_qualify_for_dibao_but_is_not_enrolled_gets_the_one_off():
    household = home(person(), hardship=Hardship("migrant_no_income", 4))
    assessment = assess(household, HUANCUI_URBAN)
    temporary = result(assessment, "temporary")
    assert (temporary.eligible, temporary.max_amount) == (True, D("2361.00"))
    assert result(assessment, "dibao").eligible is True
    assert temporary.reasons[-1] == "按本次测算，家庭符合低保条件，建议同时申请低保"


# --- the assessment as a whole ---------------------------------------------------------------


def test_results_come_in_spec_order():
    household = home(
        person(income=1600),
        person("spouse", 50, serious_illness=True),
        person("child", 12),
        area="rural",
        hardship=Hardship("emergency"),
    )
    order = [(r.policy, r.member) for r in assess(household, WENDENG_RURAL).results]
    assert order == [
        ("dibao", None),
        ("dibao_single", 1),
        ("dibao_edge", None),
        ("relative_poverty", None),
        ("tekun", 0),
        ("tekun", 1),
        ("tekun", 2),
        ("temporary", None),
        # the four categories of issue 8 come after, so the order above never moves
        ("expenditure_hardship", None),
        ("orphan", 2),
        ("child_in_hardship", 2),
    ]


def test_categories_are_the_eligible_policies():
    household = home(person(income=650), area="rural", hardship=Hardship("expenditure"))
    categories = assess(household, WENDENG_RURAL).categories
    assert categories == {"dibao_edge", "relative_poverty", "temporary"}


def test_every_result_gives_reasons():
    household = home(person(income=650), person("child", 3), hardship=Hardship("emergency"))
    assert all(r.reasons for r in assess(household, WENDENG_RURAL).results)


def test_assess_does_not_depend_on_the_callers_decimal_context():
    household = home(
        person(income="333.33"), rigid_expenditure=RigidExpenditure(medical=D("1000.01"))
    )
    expected = assess(household, HUANCUI_URBAN)
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, ROUND_DOWN
        assert assess(household, HUANCUI_URBAN) == expected


# --- inputs the rules refuse, and what they must not touch ------------------------------------


def test_a_household_without_members_is_refused():
    with pytest.raises(ValueError):
        Household(area="urban", members=())


def test_an_unknown_relation_is_refused():
    with pytest.raises(ValueError):
        person("cousin")


def test_negative_income_is_refused():
    with pytest.raises(ValueError):
        person(income=-1)


def test_an_unknown_hardship_type_is_refused():
    with pytest.raises(ValueError):
        Hardship("flood")


def test_the_rules_import_without_django():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys, eligibility.rules; sys.exit(any(m.startswith('django') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0  # noqa: S603


def test_a_raise_that_ends_household_dibao_can_open_single_person_dibao():
    # SPEC §5's own cliff: 单人保 is for households that fail 低保
    before = home(person(income=1500), person("spouse", serious_illness=True))
    after = home(person(income=1600), person("spouse", serious_illness=True))
    assert result(assess(before, HUANCUI_URBAN), "dibao").monthly_amount == D("74.00")
    assert result(assess(after, HUANCUI_URBAN), "dibao_single", 1).monthly_amount == D("787.00")
