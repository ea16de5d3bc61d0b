"""Demo data for eligibility (SPEC §3, §4): departments, categories, policies, standards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from applicants.models import Region

from .models import Category, Department, Policy, Standard, StandardItem

DEPARTMENTS = [
    ("civil_affairs", "民政局"),
    ("medical_security", "医疗保障局"),
    ("education", "教育局"),
    ("housing", "住房和城乡建设局"),
    ("human_resources", "人力资源和社会保障局"),
    ("emergency", "应急管理局"),
    ("disabled_federation", "残疾人联合会"),
    ("justice", "司法局"),
    ("finance", "财政局"),
    ("public_security", "公安局"),
    ("natural_resources", "自然资源和规划局"),
    ("market_regulation", "市场监督管理局"),
    ("taxation", "税务局"),
    ("health", "卫生健康委员会"),
    ("veterans", "退役军人事务局"),
    ("trade_union", "总工会"),
    ("women_federation", "妇女联合会"),
]

CATEGORIES = [
    ("dibao", "最低生活保障对象（低保）"),
    ("tekun", "特困供养人员"),
    ("dibao_edge", "低保边缘家庭"),
    ("expenditure_hardship", "支出型困难家庭"),
    ("temporary", "临时救助对象"),
    ("orphan", "孤儿及事实无人抚养儿童"),
    ("child_in_hardship", "重点困境儿童"),
    ("severe_disability", "困难重度残疾人"),
    ("relative_poverty", "相对贫困对象"),
]

# code, name, department, benefit kind, categories, public text
POLICIES = [
    (
        "dibao_allowance",
        "低保金",
        "civil_affairs",
        "monthly_cash",
        ["dibao"],
        "家庭人均收入低于当地低保标准、财产状况符合规定的，按标准与家庭收入的差额按月发放。",
    ),
    (
        "tekun_support",
        "特困供养金",
        "civil_affairs",
        "monthly_cash",
        ["tekun"],
        "无劳动能力、无生活来源、无法定赡养抚养扶养义务人或其无履行能力的老年人、残疾人和未成年人，"
        "按月发放基本生活费。",
    ),
    (
        "tekun_care",
        "特困人员护理补贴",
        "civil_affairs",
        "monthly_cash",
        ["tekun"],
        "按生活自理能力（全自理、半护理、全护理）发放照料护理费用。",
    ),
    (
        "temporary_assistance",
        "临时救助",
        "civil_affairs",
        "one_off_cash",
        ["temporary", "expenditure_hardship", "dibao", "dibao_edge"],
        "因火灾、交通事故、突发重病等急难情形，或刚性支出突然增加导致基本生活暂时困难的，给予一次性救助。",
    ),
    (
        "medical_assistance",
        "医疗救助",
        "medical_security",
        "fee_reduction",
        [
            "dibao",
            "tekun",
            "dibao_edge",
            "expenditure_hardship",
            "orphan",
            "child_in_hardship",
            "severe_disability",
            "relative_poverty",
        ],
        "资助参加基本医疗保险，对基本医保、大病保险报销后的个人负担部分按比例救助。",
    ),
    (
        "education_assistance",
        "教育救助",
        "education",
        "yearly_cash",
        ["dibao", "tekun", "dibao_edge", "orphan", "child_in_hardship", "relative_poverty"],
        "对在校学生减免相关费用、发放助学金、安排勤工助学。",
    ),
    (
        "housing_assistance",
        "住房救助",
        "housing",
        "in_kind",
        ["dibao", "tekun", "dibao_edge"],
        "通过公共租赁住房、租赁补贴、农村危房改造等方式解决住房困难。",
    ),
    (
        "employment_assistance",
        "就业救助",
        "human_resources",
        "service",
        ["dibao", "dibao_edge", "relative_poverty"],
        "对有劳动能力的成员提供职业介绍、技能培训、公益性岗位安置和社保补贴。",
    ),
    (
        "disaster_relief",
        "受灾人员救助",
        "emergency",
        "in_kind",
        ["temporary", "dibao", "tekun"],
        "自然灾害发生后提供应急救助、过渡期生活救助和倒损住房恢复重建补助。",
    ),
    (
        "disability_subsidies",
        "残疾人两项补贴",
        "disabled_federation",
        "monthly_cash",
        ["severe_disability", "dibao", "tekun"],
        "困难残疾人生活补贴和重度残疾人护理补贴。",
    ),
    (
        "orphan_allowance",
        "孤儿基本生活费",
        "civil_affairs",
        "monthly_cash",
        ["orphan", "child_in_hardship"],
        "孤儿及事实无人抚养儿童按月发放基本生活费。",
    ),
    (
        "legal_aid",
        "法律援助",
        "justice",
        "service",
        ["dibao", "tekun", "dibao_edge", "orphan", "severe_disability"],
        "经济困难群众免费获得法律咨询、代理和刑事辩护。",
    ),
    (
        "winter_heating",
        "冬季取暖补贴",
        "civil_affairs",
        "yearly_cash",
        ["dibao", "tekun"],
        "低保、特困家庭冬季取暖一次性补贴（本地政策）。",
    ),
    (
        "charity_meal",
        "春风万家·助餐服务",
        "civil_affairs",
        "service",
        ["tekun", "severe_disability"],
        "社会组织为特困老人和重度残疾人提供助餐、助洁、助医服务（社会力量参与）。",
    ),
]

#: policies an enrollment pays itself (政策找人 does not refer a household to what it gets)
PAID_BY_ENROLLMENT = {
    "dibao_allowance": ["dibao", "dibao_single", "expenditure_hardship"],
    "tekun_support": ["tekun"],
    "tekun_care": ["tekun"],
    "temporary_assistance": ["temporary"],
    "orphan_allowance": ["orphan"],
    "disability_subsidies": ["severe_disability"],
}

OLD = dt.date(2019, 1, 1)  # the 650/470 generation (local parameter: date)
NEW = dt.date(2020, 7, 1)  # 787/588 from 2020-07-01 (SPEC §4)

CITY_STANDARDS = [
    # item, area, value, effective from
    (StandardItem.DIBAO, "urban", "650", OLD),
    (StandardItem.DIBAO, "rural", "470", OLD),
    (StandardItem.DIBAO, "urban", "787", NEW),
    (StandardItem.DIBAO, "rural", "588", NEW),
    (StandardItem.TEKUN_BASIC_MULTIPLE, "", "1.3", OLD),
    (StandardItem.CARE_FULL, "", "3297", OLD),
    (StandardItem.CARE_PARTIAL, "", "5495", OLD),
    (StandardItem.CARE_NONE, "", "10990", OLD),
    (StandardItem.EDGE_MULTIPLE, "", "1.5", OLD),
    (StandardItem.TEMPORARY_MIN_MULTIPLE, "", "3", OLD),
    (StandardItem.TEMPORARY_MAX_MULTIPLE, "", "12", OLD),
    (StandardItem.MIGRANT_MAX_MULTIPLE, "", "3", OLD),
    (StandardItem.MIGRANT_MIN_MONTHS, "", "3", OLD),
    (StandardItem.FINANCIAL_ASSET_MONTHS, "", "24", OLD),
    (StandardItem.MAX_HOUSES, "", "1", OLD),
    (StandardItem.MAX_VEHICLES, "", "0", OLD),
    (StandardItem.BUSINESS_ALLOWED, "", "0", OLD),
    (StandardItem.SUPPORTER_EXEMPTION_MULTIPLE, "", "2", OLD),
    (StandardItem.SINGLE_PERSON_MULTIPLE, "", "1.5", OLD),
    (StandardItem.WORK_REFUSAL_LIMIT, "", "3", OLD),
    (StandardItem.TEMPORARY_TOWNSHIP_LIMIT, "", "2000", OLD),  # local parameter, demo value
    (StandardItem.FRAUD_FINE_MIN_MULTIPLE, "", "1", OLD),  # SPEC §9: a fine of 1–3 times
    (StandardItem.FRAUD_FINE_MAX_MULTIPLE, "", "3", OLD),
    (StandardItem.ADULT_AGE, "", "18", OLD),
    (StandardItem.ELDERLY_AGE, "", "60", OLD),
    (StandardItem.ORPHAN_INSTITUTIONAL, "", "1900", OLD),  # SPEC §5 demo values
    (StandardItem.ORPHAN_DISPERSED, "", "1500", OLD),
    (StandardItem.CHILD_HARDSHIP_ALLOWANCE, "", "300", OLD),
    (StandardItem.DISABILITY_LIVING_ALLOWANCE, "", "100", OLD),
    (StandardItem.DISABILITY_CARE_ALLOWANCE, "", "100", OLD),
]
COUNTY_STANDARDS = [
    ("371003", StandardItem.RELATIVE_POVERTY_MULTIPLE, "", "1.2", OLD),  # 文登区 pilot
    ("371082", StandardItem.RELATIVE_POVERTY_MULTIPLE, "", "1.5", OLD),  # 荣成市 pilot
]


@transaction.atomic
def seed_catalog() -> None:
    departments = {}
    for code, name in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name}
        )
    categories = {}
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        categories[code], _ = Category.objects.update_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    for code, name, dept, kind, cats, text in POLICIES:
        policy, _ = Policy.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "department": departments[dept],
                "benefit_kind": kind,
                "description": text,
                "is_social_force": code == "charity_meal",
                "paid_by_enrollment": PAID_BY_ENROLLMENT.get(code, []),
            },
        )
        policy.categories.set([categories[c] for c in cats])


@transaction.atomic
def seed_standards() -> None:
    city = Region.objects.get(code="371000")
    rows = [(city, *row) for row in CITY_STANDARDS]
    rows += [(Region.objects.get(code=c), *row) for c, *row in COUNTY_STANDARDS]
    for region, item, area, value, since in rows:
        Standard.objects.get_or_create(
            item=item,
            region=region,
            area=area,
            effective_from=since,
            defaults={"value": Decimal(value), "note": "SPEC §4 demo"},
        )


def seed() -> None:
    seed_catalog()
    seed_standards()


def seed_cases() -> int:
    from .demo_cases import seed_cases as run

    return run()
