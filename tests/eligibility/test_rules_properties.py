"""Properties of the rules engine over generated households (Hypothesis; no Django).

The deliberate exceptions to monotonicity: 单人保 exists only for a household that fails 低保,
so a raise that ends household 低保 can open it; and a raise can turn a 低保 household into a
支出型 one (no longer admitted without the deduction), paid the — lower — 低保 amount (SPEC §5).
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_DOWN, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.rules import (
    MEMBER_POLICIES,
    PARENT_SITUATIONS,
    POLICIES,
    Assets,
    Hardship,
    Household,
    Member,
    Parameters,
    RigidExpenditure,
    Supporter,
    assess,
    result_for,
)
from eligibility.rules.engine import _LINES

D = Decimal
ZERO = D(0)
#: no example database: the tests leave nothing behind in the checkout
PROPERTY = settings(max_examples=200, database=None, deadline=None)


#: the four issue-8 category amounts: SPEC §5's demo values, or a region that set none
CATEGORY_AMOUNTS = [
    {
        "orphan_institutional": D("1900"),
        "orphan_dispersed": D("1500"),
        "child_hardship_allowance": D("300"),
        "disability_living_allowance": D("100"),
        "disability_care_allowance": D("100"),
    },
    {},
    {"orphan_dispersed": D("1200.50"), "disability_living_allowance": D("80")},
]


def params(
    standard: str, relative: str | None, floor: str | None, amounts: dict | None = None
) -> Parameters:
    """SPEC §4 numbers (2019 and 2020 standards, pilot and non-pilot counties)."""
    return Parameters(
        **(amounts or {}),
        dibao_standard=D(standard),
        dibao_standard_urban=D("787"),
        tekun_basic_multiple=D("1.3"),
        care_yearly={"full": D("3297"), "partial": D("5495"), "none": D("10990")},
        edge_multiple=D("1.5"),
        relative_poverty_multiple=None if relative is None else D(relative),
        temporary_min_multiple=D("3"),
        temporary_max_multiple=D("12"),
        migrant_max_multiple=D("3"),
        migrant_min_months=3,
        financial_asset_months=D("24"),
        max_houses=1,
        max_vehicles=0,
        business_allowed=False,
        supporter_exemption_multiple=D("2"),
        single_person_multiple=D("1.5"),
        dibao_floor=None if floor is None else D(floor),
        adult_age=18,
        elderly_age=60,
    )


def money(max_yuan: int) -> st.SearchStrategy[Decimal]:
    """Whole fen from 0 to ``max_yuan``, as the API accepts them (2 places)."""
    return st.integers(0, max_yuan * 100).map(lambda fen: D(fen).scaleb(-2))


parameters = st.builds(
    params,
    standard=st.sampled_from(["787", "588", "650", "470"]),
    relative=st.sampled_from([None, "1.2", "1.5"]),
    floor=st.sampled_from([None, "50", "100"]),
    amounts=st.sampled_from(CATEGORY_AMOUNTS),
)
parameters_without_floor = st.builds(
    params,
    standard=st.sampled_from(["787", "588", "650", "470"]),
    relative=st.sampled_from([None, "1.2", "1.5"]),
    floor=st.none(),
)

disabilities = st.one_of(
    st.tuples(st.none(), st.none()),
    st.tuples(
        st.integers(1, 4),
        st.sampled_from(
            ["physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"]
        ),
    ),
)


@st.composite
def members(draw, relation=None) -> Member:
    grade, kind = draw(disabilities)
    return Member(
        relation=draw(
            st.sampled_from(
                ["spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other"]
            )
        )
        if relation is None
        else relation,
        age=draw(st.integers(0, 100)),
        monthly_income=draw(st.one_of(st.just(ZERO), money(4000))),
        disability_grade=grade,
        disability_type=kind,
        serious_illness=draw(st.booleans()),
        self_care=draw(st.sampled_from(["full", "partial", "none"])),
        in_school=draw(st.booleans()),
        parent_situations=tuple(
            draw(st.lists(st.sampled_from(sorted(PARENT_SITUATIONS)), max_size=2))
        ),
        care_arrangement=draw(st.sampled_from([None, "institutional", "dispersed"])),
    )


@st.composite
def households(draw) -> Household:
    applicant = draw(members("applicant"))
    others = draw(st.lists(members(), max_size=5))
    return Household(
        area=draw(st.sampled_from(["urban", "rural"])),
        members=(applicant, *others),
        assets=Assets(
            financial=draw(st.one_of(st.just(ZERO), money(60000))),
            vehicles=draw(st.sampled_from([0, 0, 0, 1])),
            houses=draw(st.sampled_from([0, 1, 1, 2])),
            business_registered=draw(st.sampled_from([False, False, False, True])),
        ),
        rigid_expenditure=RigidExpenditure(
            medical=draw(st.one_of(st.just(ZERO), money(50000))),
            education=draw(st.one_of(st.just(ZERO), money(10000))),
            rehabilitation=draw(st.one_of(st.just(ZERO), money(5000))),
        ),
        supporter=Supporter(
            monthly_payment=draw(st.one_of(st.just(ZERO), money(1000))),
            household_per_capita_income=draw(st.one_of(st.none(), money(5000))),
            able=draw(st.booleans()),
        ),
        hardship=draw(
            st.one_of(
                st.none(),
                st.builds(
                    Hardship,
                    type=st.sampled_from(["emergency", "expenditure", "migrant_no_income"]),
                    months_without_income=st.integers(0, 8),
                    unemployment_insured=st.booleans(),
                    on_dibao=st.booleans(),
                ),
            )
        ),
    )


def by_key(assessment):
    return {(r.policy, r.member): r for r in assessment.results}


def amounts(r) -> tuple[Decimal, Decimal, Decimal]:
    """(monthly, min, max) of a result, 0 when not eligible or not paid that way."""
    if not r.eligible:
        return ZERO, ZERO, ZERO
    return r.monthly_amount or ZERO, r.min_amount or ZERO, r.max_amount or ZERO


def dibao_of(assessment):
    return next(r for r in assessment.results if r.policy == "dibao")


def half_up(x: Fraction) -> Decimal:
    """An exact fraction ≥ 0 rounded half-up to the fen: the oracle's only rounding."""
    fen = (x * 100 + Fraction(1, 2)).__floor__()
    return D(fen).scaleb(-2)


# --- the properties ----------------------------------------------------------------------------


@PROPERTY
@given(households(), parameters_without_floor)
def test_dibao_amount_is_never_negative_nor_above_standard_times_members(household, p):
    dibao = dibao_of(assess(household, p))
    if dibao.eligible:
        assert ZERO <= dibao.monthly_amount <= p.dibao_standard * len(household.members)


@PROPERTY
@given(households(), parameters, st.data())
def test_raising_a_members_income_never_raises_any_amount(household, p, data):
    index = data.draw(st.integers(0, len(household.members) - 1))
    raise_by = data.draw(money(3000).filter(lambda x: x > 0))
    member = household.members[index]
    richer = dataclasses.replace(member, monthly_income=member.monthly_income + raise_by)
    raised = dataclasses.replace(
        household,
        members=household.members[:index] + (richer,) + household.members[index + 1 :],
    )
    before, after = assess(household, p), assess(raised, p)
    # 单人保 and the migrant one-off are for households that fail 低保: a raise that ends
    # household 低保 may open them (the policy's own cliff, see the module docstring)
    ended_dibao = dibao_of(before).eligible and not dibao_of(after).eligible
    old = by_key(before)
    for key, r in by_key(after).items():
        if ended_dibao and key[0] in ("dibao_single", "temporary"):
            continue
        if key[0] == "expenditure_hardship":
            # 支出型 is paid as 低保: compare with what 低保 paid before the raise
            previous = amounts(old[("dibao", None)])
        else:
            previous = amounts(old[key]) if key in old else (ZERO, ZERO, ZERO)
        assert all(a <= b for a, b in zip(amounts(r), previous, strict=True)), key


@PROPERTY
@given(households(), parameters, members())
def test_adding_a_member_without_income_never_lowers_the_dibao_amount(household, p, newcomer):
    newcomer = dataclasses.replace(newcomer, monthly_income=ZERO)
    larger = dataclasses.replace(household, members=(*household.members, newcomer))
    before, after = dibao_of(assess(household, p)), dibao_of(assess(larger, p))
    assert amounts(after)[0] >= amounts(before)[0]


@PROPERTY
@given(households(), parameters)
def test_every_amount_has_exactly_two_decimal_places(household, p):
    assessment = assess(household, p)
    figures = [assessment.counted_income, assessment.per_capita_income]
    for r in assessment.results:
        figures += [r.monthly_amount, r.min_amount, r.max_amount, r.line]
    assert all(f.as_tuple().exponent == -2 for f in figures if f is not None)


@PROPERTY
@given(households(), parameters)
def test_assessment_is_deterministic(household, p):
    first = assess(household, p)
    _LINES.clear()  # and without the per-Parameters figures already worked out
    assert assess(household, p) == first
    with localcontext() as ctx:  # and whatever the caller's decimal context
        ctx.prec, ctx.rounding = 6, ROUND_DOWN
        assert assess(household, p) == first


@PROPERTY
@given(households(), parameters)
def test_dibao_agrees_with_an_exact_rational_oracle(household, p):
    """Counted income and the 低保 amount computed with fractions, rounded once."""
    supporter = household.supporter
    exempt = (
        supporter.household_per_capita_income is not None
        and supporter.household_per_capita_income < 2 * p.dibao_standard
    )
    rigid = household.rigid_expenditure
    counted = (
        sum(Fraction(m.monthly_income) for m in household.members)
        + (0 if exempt else Fraction(supporter.monthly_payment))
        - Fraction(rigid.medical + rigid.education + rigid.rehabilitation) / 12
    )
    counted = max(counted, Fraction(0))
    line = Fraction(p.dibao_standard) * len(household.members)
    assessment = assess(household, p)
    dibao = dibao_of(assessment)
    assert assessment.counted_income == half_up(counted)
    assert dibao.eligible == (counted < line and assessment.assets_pass)
    if dibao.eligible:
        floor = Fraction(p.dibao_floor) if p.dibao_floor is not None else Fraction(0)
        assert dibao.monthly_amount == half_up(max(line - counted, floor))


@PROPERTY
@given(households(), parameters)
def test_a_dibao_household_is_in_no_category_reserved_for_those_who_fail_dibao(household, p):
    assessment = assess(household, p)
    if dibao_of(assessment).eligible:
        gated = {"dibao_single", "dibao_edge", "relative_poverty"}
        assert not any(r.eligible for r in assessment.results if r.policy in gated)


@PROPERTY
@given(households(), parameters)
def test_categories_are_exactly_the_eligible_policies(household, p):
    assessment = assess(household, p)
    expected = {
        "dibao" if r.policy == "dibao_single" else r.policy
        for r in assessment.results
        if r.eligible
    }
    assert assessment.categories == expected


@PROPERTY
@given(households(), parameters)
def test_every_member_gets_one_tekun_result_in_order(household, p):
    tekun = [r.member for r in assess(household, p).results if r.policy == "tekun"]
    assert tekun == list(range(len(household.members)))


@PROPERTY
@given(households(), parameters)
def test_explain_false_is_explain_true_without_the_reasons(household, p):
    told, quiet = assess(household, p), assess(household, p, explain=False)
    assert quiet.results == tuple(dataclasses.replace(r, reasons=()) for r in told.results)
    assert (quiet.household_size, quiet.counted_income, quiet.per_capita_income) == (
        told.household_size,
        told.counted_income,
        told.per_capita_income,
    )
    assert (quiet.assets_pass, quiet.categories) == (told.assets_pass, told.categories)
    assert quiet.asset_reasons == ()
    assert all(r.reasons for r in told.results)


@PROPERTY
@given(households(), parameters, st.booleans())
def test_result_for_equals_the_matching_entry_of_assess_for_every_policy(household, p, explain):
    listed = {(r.policy, r.member): r for r in assess(household, p, explain=explain).results}
    for policy in POLICIES:
        indexes = range(len(household.members)) if policy in MEMBER_POLICIES else [None]
        for i in indexes:
            assert result_for(policy, household, p, i, explain=explain) == listed.get((policy, i))


@PROPERTY
@given(households(), parameters)
def test_new_category_amounts_are_never_negative_and_follow_their_rules(household, p):
    assessment = assess(household, p)
    dibao = dibao_of(assessment)
    for r in assessment.results:
        if r.policy not in (
            "expenditure_hardship",
            "orphan",
            "child_in_hardship",
            "severe_disability",
        ):
            continue
        assert (r.monthly_amount is not None) is r.eligible
        if not r.eligible:
            continue
        assert r.monthly_amount >= ZERO
        if r.policy == "expenditure_hardship":
            assert r.monthly_amount == dibao.monthly_amount  # paid as 低保, once
        elif r.policy == "orphan":
            assert r.monthly_amount in (p.orphan_institutional, p.orphan_dispersed)
            assert household.members[r.member].age < p.adult_age
        elif r.policy == "child_in_hardship":
            assert r.monthly_amount == p.child_hardship_allowance
            orphan = by_key(assessment)[("orphan", r.member)]
            assert not orphan.eligible  # never both
        else:
            living, care = p.disability_living_allowance, p.disability_care_allowance
            grade = household.members[r.member].disability_grade
            assert r.monthly_amount == (living + care if grade <= 2 else living)
