"""Demo data for the hub (SPEC §10, §12): the 17 departments' 74 shared information resources,
service kinds, 12349 windows, points rates and benefits, social organizations with projects,
needs (one already taken by the demo ``organization`` account), deliveries earning 海贝分,
12349 requests, referrals waiting for the demo ``department`` account (医保局), and
grassroots staff with their training. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from applicants.models import Person, Region, User
from eligibility.models import Department, Enrollment, Referral
from eligibility.services import referrals as referral_service

from .models import (
    Attendance,
    Benefit,
    InformationResource,
    Need,
    OrganizationAccount,
    PointsRate,
    Project,
    ServiceKind,
    ServiceRequest,
    ServiceWindow,
    SocialOrganization,
    StaffMember,
    TrainingSession,
)
from .services import hotline, organizations

F = InformationResource.Frequency
C = InformationResource.Channel

#: department → [(name, items, frequency, channel)]: 74 resources (SPEC §3: 17 departments
#: share 74 information resources through the hub)
RESOURCES: dict[str, list[tuple[str, str, str, str]]] = {
    "civil_affairs": [
        ("低保对象信息", "姓名、身份证号、保障人数、月保障金、起止时间", F.DAILY, C.API),
        ("特困供养人员信息", "姓名、身份证号、供养方式、自理能力、供养金", F.DAILY, C.API),
        ("临时救助记录", "姓名、身份证号、困难类型、救助金额、救助日期", F.DAILY, C.API),
        ("婚姻登记信息", "双方姓名、身份证号、登记类型、登记日期", F.REALTIME, C.QUERY),
        ("殡葬火化信息", "姓名、身份证号、死亡日期、火化日期", F.DAILY, C.FILE),
        ("社会组织登记信息", "名称、统一社会信用代码、类型、评估等级", F.MONTHLY, C.FILE),
        ("养老服务补贴发放", "姓名、身份证号、补贴类型、金额", F.MONTHLY, C.FILE),
    ],
    "medical_security": [
        ("基本医保参保信息", "姓名、身份证号、参保类型、参保状态", F.DAILY, C.API),
        (
            "医疗费用结算信息",
            "姓名、身份证号、就诊日期、总费用、基本医保支付、个人负担",
            F.DAILY,
            C.API,
        ),
        ("医疗救助记录", "姓名、身份证号、救助金额、救助日期", F.DAILY, C.API),
        ("大病保险报销信息", "姓名、身份证号、报销金额、报销日期", F.MONTHLY, C.FILE),
        ("门诊慢特病认定", "姓名、身份证号、病种、认定日期", F.MONTHLY, C.FILE),
    ],
    "education": [
        ("在校学生学籍信息", "姓名、身份证号、学校、学段、在校状态", F.QUARTERLY, C.FILE),
        ("学生资助发放记录", "姓名、身份证号、资助项目、金额", F.QUARTERLY, C.FILE),
        ("残疾儿童送教上门", "姓名、身份证号、残疾类别、送教学校", F.YEARLY, C.FILE),
        ("学前教育资助", "姓名、身份证号、幼儿园、资助金额", F.YEARLY, C.FILE),
    ],
    "housing": [
        ("公租房保障信息", "姓名、身份证号、保障方式、房屋地址", F.MONTHLY, C.FILE),
        ("住房租赁补贴发放", "姓名、身份证号、补贴金额、发放月份", F.MONTHLY, C.FILE),
        ("农村危房改造", "户主姓名、身份证号、改造方式、补助金额", F.QUARTERLY, C.FILE),
        ("商品房网签备案", "买受人姓名、身份证号、房屋坐落、面积、成交价", F.DAILY, C.QUERY),
    ],
    "human_resources": [
        ("社会保险参保缴费", "姓名、身份证号、险种、缴费基数、缴费月份", F.MONTHLY, C.API),
        ("养老金领取信息", "姓名、身份证号、月养老金、领取状态", F.MONTHLY, C.API),
        ("失业登记信息", "姓名、身份证号、失业登记日期", F.DAILY, C.QUERY),
        ("失业保险金领取", "姓名、身份证号、领取金额、领取期限", F.MONTHLY, C.FILE),
        ("就业登记信息", "姓名、身份证号、用工单位、就业日期", F.DAILY, C.QUERY),
        ("公益性岗位安置", "姓名、身份证号、岗位、岗位补贴", F.MONTHLY, C.FILE),
    ],
    "emergency": [
        ("受灾人员救助", "姓名、身份证号、灾害类型、救助内容", F.ON_REQUEST, C.FILE),
        ("灾情统计信息", "区域、灾害类型、受灾人口、损失", F.ON_REQUEST, C.FILE),
        ("倒损房屋恢复重建", "户主姓名、身份证号、倒损程度、补助金额", F.QUARTERLY, C.FILE),
        ("生产安全事故伤亡", "姓名、身份证号、事故日期、伤亡情况", F.ON_REQUEST, C.QUERY),
    ],
    "disabled_federation": [
        ("残疾人证信息", "姓名、身份证号、残疾类别、残疾等级、发证日期", F.DAILY, C.API),
        ("残疾人两项补贴发放", "姓名、身份证号、补贴类型、金额", F.MONTHLY, C.FILE),
        ("残疾人康复服务", "姓名、身份证号、康复项目、服务机构", F.QUARTERLY, C.FILE),
        ("残疾人就业信息", "姓名、身份证号、就业形式", F.YEARLY, C.FILE),
    ],
    "justice": [
        ("法律援助案件", "受援人姓名、身份证号、案件类型、办结日期", F.MONTHLY, C.FILE),
        ("社区矫正人员", "姓名、身份证号、矫正期限", F.MONTHLY, C.QUERY),
        ("刑满释放人员安置帮教", "姓名、身份证号、释放日期、帮教情况", F.MONTHLY, C.QUERY),
        ("人民调解信息", "当事人、纠纷类型、调解结果", F.QUARTERLY, C.FILE),
    ],
    "finance": [
        ("救助资金拨付", "资金项目、区县、金额、拨付日期", F.MONTHLY, C.FILE),
        ("财政供养人员", "姓名、身份证号、单位", F.MONTHLY, C.QUERY),
        ("惠民惠农补贴一卡通发放", "姓名、身份证号、补贴项目、金额、账号", F.MONTHLY, C.FILE),
    ],
    "public_security": [
        ("户籍人口信息", "姓名、身份证号、户籍地址、户内关系", F.REALTIME, C.API),
        ("死亡注销信息", "姓名、身份证号、注销日期", F.DAILY, C.API),
        ("机动车登记信息", "所有人姓名、身份证号、车辆类型、登记日期", F.DAILY, C.API),
        ("流动人口居住登记", "姓名、身份证号、居住地址", F.DAILY, C.QUERY),
        ("被羁押、强制隔离戒毒人员", "姓名、身份证号、起止日期", F.DAILY, C.QUERY),
    ],
    "natural_resources": [
        ("不动产登记信息", "权利人姓名、身份证号、坐落、面积、用途", F.DAILY, C.API),
        ("土地承包经营权", "承包方姓名、身份证号、承包面积", F.YEARLY, C.FILE),
        ("宅基地使用权", "权利人姓名、身份证号、宗地面积", F.YEARLY, C.FILE),
        ("海域使用权", "权利人、海域面积、用途", F.YEARLY, C.FILE),
    ],
    "market_regulation": [
        ("市场主体登记", "名称、统一社会信用代码、法定代表人、身份证号", F.DAILY, C.API),
        ("个体工商户登记", "经营者姓名、身份证号、经营范围", F.DAILY, C.API),
        ("股东出资信息", "股东姓名、身份证号、出资额", F.MONTHLY, C.QUERY),
        ("行政处罚信息", "当事人、处罚事由、处罚日期", F.WEEKLY, C.FILE),
    ],
    "taxation": [
        ("个人所得税纳税信息", "姓名、身份证号、所得项目、应纳税所得额", F.MONTHLY, C.QUERY),
        ("企业纳税信息", "纳税人名称、统一社会信用代码、税额", F.MONTHLY, C.QUERY),
        ("车船税缴纳信息", "姓名、身份证号、车船类型", F.YEARLY, C.FILE),
        ("房产交易契税", "纳税人姓名、身份证号、房屋坐落、计税价格", F.DAILY, C.QUERY),
    ],
    "health": [
        ("出生医学证明", "新生儿姓名、母亲姓名、身份证号、出生日期", F.DAILY, C.API),
        ("死亡医学证明", "姓名、身份证号、死亡日期、死亡原因", F.DAILY, C.API),
        ("重特大疾病诊断", "姓名、身份证号、病种、诊断日期", F.MONTHLY, C.QUERY),
        ("计划生育特别扶助", "姓名、身份证号、扶助类型、金额", F.YEARLY, C.FILE),
        ("家庭医生签约", "姓名、身份证号、签约机构", F.MONTHLY, C.FILE),
        ("严重精神障碍患者管理", "姓名、身份证号、管理状态", F.MONTHLY, C.QUERY),
    ],
    "veterans": [
        ("优抚对象信息", "姓名、身份证号、优抚类别、抚恤金额", F.MONTHLY, C.FILE),
        ("退役军人安置", "姓名、身份证号、安置方式", F.QUARTERLY, C.FILE),
        ("抚恤补助发放", "姓名、身份证号、补助金额", F.MONTHLY, C.FILE),
    ],
    "trade_union": [
        ("困难职工档案", "姓名、身份证号、困难类型、建档日期", F.QUARTERLY, C.FILE),
        ("职工医疗互助", "姓名、身份证号、互助金额", F.QUARTERLY, C.FILE),
        ("金秋助学", "学生姓名、身份证号、资助金额", F.YEARLY, C.FILE),
        ("送温暖慰问", "姓名、身份证号、慰问金额", F.YEARLY, C.FILE),
    ],
    "women_federation": [
        ("困难妇女儿童信息", "姓名、身份证号、困难类型", F.QUARTERLY, C.FILE),
        ("单亲困难母亲救助", "姓名、身份证号、救助金额", F.YEARLY, C.FILE),
        ("妇女创业担保贷款", "姓名、身份证号、贷款金额", F.QUARTERLY, C.QUERY),
    ],
}

SERVICE_KINDS = [
    ("meal_aid", "助餐", "春风万家"),
    ("cleaning", "助洁", "春风万家"),
    ("medical_escort", "助医", "春风万家"),
    ("companionship", "精神慰藉", ""),
    ("tutoring", "学业辅导", ""),
    ("repair", "居家维修", ""),
]
WINDOWS = [
    ("daily_life", "生活服务", 48),
    ("emergency", "急难救助", 2),
    ("purchased", "政府购买服务", 72),
]
#: 海贝分 per delivery (by kind) and per completed project (local parameters, demo values)
SINCE = dt.date(2020, 7, 1)
DELIVERY_POINTS = {
    "meal_aid": 5,
    "cleaning": 10,
    "medical_escort": 15,
    "companionship": 8,
    "tutoring": 8,
    "repair": 10,
}
PROJECT_POINTS = 200
BENEFITS = [
    ("爱心超市购物券（50元）", "可在各镇街爱心超市使用", 100, None),
    ("社会组织年度评估加分", "社会组织等级评估加1分", 500, None),
    ("优先承接政府购买服务项目", "同等条件下优先", 1000, 10),
    ("志愿者意外保险一年", "为本组织志愿者投保", 300, 50),
]

#: name, credit code, kind, registered in (region code), grade, phone, demo account
ORGANIZATIONS = [
    ("威海市慈善总会", "51371000MJD000001A", "social_group", "371000", 5, "0631-5200001", True),
    (
        "环翠区春风社会工作服务中心",
        "52371002MJD000002B",
        "service_agency",
        "371002",
        4,
        "0631-5200002",
        False,
    ),
    ("文登区爱心志愿者协会", "51371003MJD000003C", "volunteer", "371003", 3, "0631-8400003", False),
    (
        "荣成市颐养助老服务中心",
        "52371082MJD000004D",
        "service_agency",
        "371082",
        4,
        "0631-7500004",
        False,
    ),
    (
        "乳山市红帆公益基金会",
        "53371083MJD000005E",
        "foundation",
        "371083",
        None,
        "0631-6600005",
        False,
    ),
]
#: organization index, name, funding, capacity, area code, kinds, description
PROJECTS = [
    (
        0,
        "春风万家·张村镇助老助餐",
        "120000.00",
        40,
        "371002001",
        ["meal_aid", "cleaning", "medical_escort"],
        "为张村镇特困、低保老人提供每日助餐、每周助洁、每月陪同就医。",
    ),
    (
        0,
        "慈善助学·圆梦行动",
        "300000.00",
        100,
        "371000",
        ["tutoring"],
        "为全市低保、特困家庭在校学生提供学业辅导和助学金。",
    ),
    (
        1,
        "环翠区困境老人居家照护",
        "80000.00",
        30,
        "371002",
        ["cleaning", "companionship", "repair"],
        "居家清洁、精神慰藉和小修小补。",
    ),
    (2, "文登区银龄助医", "50000.00", 25, "371003", ["medical_escort"], "陪同就医、代取药品。"),
    (3, "荣成市幸福食堂", "150000.00", 60, "371082", ["meal_aid"], "社区长者食堂与送餐上门。"),
    (
        4,
        "乳山市红帆助残",
        "60000.00",
        20,
        "371083",
        ["companionship", "repair"],
        "重度残疾人家庭走访与居家改造。",
    ),
]

#: name, kind, region code, demo account
STAFF = [
    ("张村镇经办人", "township", "371002001", "caseworker"),
    ("羊亭镇经办人", "township", "371002002", "caseworker2"),
    ("张村镇东村协理员", "village_assistant", "371002001002", "village"),
    ("刘海燕", "township", "371003001", None),
    ("王建国", "village_assistant", "371003002001", None),
    ("陈秀梅", "township", "371082001", None),
    ("孙志强", "village_assistant", "371082002002", None),
    ("赵丽娟", "township", "371083002", None),
]
TRAININGS = [
    ("社会救助政策与审核确认办法解读", dt.date(2020, 9, 16), "6.0", "威海市民政局", "371000"),
    ("家庭经济状况核对系统操作", dt.date(2020, 10, 22), "4.0", "威海市民政局", "371000"),
    ("入户调查与困难群众走访", dt.date(2020, 11, 12), "3.0", "环翠区民政局", "371002"),
]


@transaction.atomic
def seed_catalog() -> None:
    """Resources, service kinds, windows, points rates and benefits."""
    departments = {d.code: d for d in Department.objects.all()}
    civil = departments.get("civil_affairs")
    for dept_code, rows in RESOURCES.items():
        dept = departments.get(dept_code)
        if dept is None:
            continue
        for n, (name, items, frequency, channel) in enumerate(rows, start=1):
            resource, _ = InformationResource.objects.update_or_create(
                code=f"{dept_code}-{n:02d}",
                defaults={
                    "name": name,
                    "department": dept,
                    "items": items,
                    "frequency": frequency,
                    "channel": channel,
                    "updated_on": dt.date(2020, 12, 1),
                },
            )
            # everything goes to 民政 (the hub's main reader); resources that say who is
            # ill, disabled or poor go to the departments that run a policy for them
            receivers = [civil] if civil and dept != civil else []
            if dept_code == "civil_affairs":
                receivers = [d for c, d in departments.items() if c != "civil_affairs"]
            resource.shared_with.set([d for d in receivers if d is not None])
    for order, (code, name, programme) in enumerate(SERVICE_KINDS):
        ServiceKind.objects.update_or_create(
            code=code, defaults={"name": name, "programme": programme, "order": order}
        )
    for order, (code, name, hours) in enumerate(WINDOWS):
        ServiceWindow.objects.update_or_create(
            code=code, defaults={"name": name, "response_hours": hours, "order": order}
        )
    kinds = {k.code: k for k in ServiceKind.objects.all()}
    for code, points in DELIVERY_POINTS.items():
        PointsRate.objects.get_or_create(
            event="delivery",
            service_kind=kinds[code],
            effective_from=SINCE,
            defaults={"points": points},
        )
    PointsRate.objects.get_or_create(
        event="project",
        service_kind=None,
        effective_from=SINCE,
        defaults={"points": PROJECT_POINTS},
    )
    for name, text, points, stock in BENEFITS:
        Benefit.objects.get_or_create(
            name=name, defaults={"description": text, "points": points, "stock": stock}
        )


def seed_organizations() -> list[SocialOrganization]:
    orgs = []
    account = User.objects.filter(username="organization").first()
    for name, code, kind, region, grade, phone, demo in ORGANIZATIONS:
        org, _ = SocialOrganization.objects.update_or_create(
            credit_code=code,
            defaults={
                "name": name,
                "kind": kind,
                "region": Region.objects.get(code=region),
                "evaluation_grade": grade,
                "contact_phone": phone,
            },
        )
        orgs.append(org)
        if demo and account is not None:
            OrganizationAccount.objects.update_or_create(
                user=account, defaults={"organization": org}
            )
    admin = User.objects.filter(username="admin").first()
    kinds = {k.code: k for k in ServiceKind.objects.all()}
    for index, name, funding, capacity, area, codes, text in PROJECTS:
        if Project.objects.filter(organization=orgs[index], name=name).exists():
            continue
        organizations.project_publish(
            organization=orgs[index],
            by=admin,
            name=name,
            description=text,
            funding=Decimal(funding),
            capacity=capacity,
            area=Region.objects.get(code=area),
            service_kinds=[kinds[c] for c in codes],
            starts_on=dt.date(2020, 9, 1),
        )
    return orgs


def seed_needs(orgs: list[SocialOrganization]) -> None:
    """Needs in 张村镇 recorded by the township with consent: meals and cleaning for members of
    enrolled households; the first is taken by the demo organization's project and served
    twice; two stay open, matching that project (for the organization to take)."""
    if Need.objects.exists():
        return
    caseworker = User.objects.filter(username="caseworker").first()
    admin = User.objects.filter(username="admin").first()
    if caseworker is None:
        return
    kinds = {k.code: k for k in ServiceKind.objects.all()}
    enrollments = list(
        Enrollment.objects.filter(
            status="active", household__village__path__startswith=caseworker.region.path
        )
        .select_related("household__village")
        .order_by("household_id", "id")
    )
    seen, picked = set(), []
    for e in enrollments:
        if e.household_id not in seen:
            seen.add(e.household_id)
            picked.append(e)
    plan = [
        ("meal_aid", "独居，做饭不便"),
        ("cleaning", "行动不便，需每周清洁"),
        ("medical_escort", "每月复诊需人陪同"),
        ("meal_aid", ""),
    ]
    needs = []
    for e, (kind, detail) in zip(picked, plan, strict=False):
        person = e.person or e.household.members.filter(status="living").order_by("id").first()
        needs.append(
            organizations.need_record(
                household=e.household,
                person=person,
                service_kind=kinds[kind],
                by=caseworker,
                consent=True,
                consent_channel="written",
                detail=detail,
                enrollment=e,
            )
        )
    project = Project.objects.filter(organization=orgs[0], area__code="371002001").first()
    if not needs or project is None:
        return
    served = organizations.need_take(need=needs[0], project=project, by=admin)
    organizations.delivery_record(
        need=served, by=admin, delivered_on=timezone.localdate(), note="午餐送餐上门"
    )
    if len(needs) > 1:  # taken, not yet served: the demo organization's next visit
        organizations.need_take(need=needs[1], project=project, by=admin)


def seed_requests(orgs: list[SocialOrganization]) -> None:
    if ServiceRequest.objects.exists():
        return
    caseworker = User.objects.filter(username="caseworker").first()
    citizen = User.objects.filter(username="citizen").first()
    windows = {w.code: w for w in ServiceWindow.objects.all()}
    kinds = {k.code: k for k in ServiceKind.objects.all()}
    village = Region.objects.filter(code="371002001002").first()
    if caseworker is None or village is None:
        return
    calls = [
        ("daily_life", "cleaning", "孙桂兰", "13906311234", "老人独居，希望每周上门打扫卫生。"),
        ("emergency", None, "李明", "13806315678", "家中失火，急需临时住所和生活用品。"),
        ("purchased", "medical_escort", "周玉英", "13706319012", "需陪同到区医院复诊。"),
    ]
    made = [
        hotline.request_by_phone(
            by=caseworker,
            window=windows[w],
            region=village,
            caller_name=name,
            caller_phone=phone,
            description=text,
            service_kind=kinds.get(k) if k else None,
        )
        for w, k, name, phone, text in calls
    ]
    hotline.request_assign(request=made[0], provider=orgs[0], by=caseworker)
    hotline.request_assign(request=made[2], provider=orgs[0], by=caseworker)
    hotline.request_complete(request=made[2], by=caseworker, note="已陪同就医，取药送回家中。")
    hotline.request_rate(request=made[2], by=caseworker, rating=5, comment="回访满意")
    if citizen is not None and Person.objects.filter(user=citizen).exists():
        hotline.request_online(
            by=citizen,
            window=windows["daily_life"],
            description="想了解助餐服务怎么申请。",
            phone="13906310000",
            service_kind=kinds["meal_aid"],
        )


def seed_referrals() -> int:
    """Referrals for enrollments made before the hub existed (a fresh demo makes them at
    approval); one referral to 医保局 accepted with a benefit recorded, the rest waiting."""
    made = 0
    households = (
        Enrollment.objects.filter(status="active")
        .exclude(household__referrals__isnull=False)
        .values_list("household_id", flat=True)
        .distinct()
    )
    for household_id in list(households):
        rows = list(
            Enrollment.objects.filter(household_id=household_id, status="active").select_related(
                "household", "category"
            )
        )
        with transaction.atomic():
            made += len(referral_service.referrals_for_enrollments(enrollments=rows))
    officer = User.objects.filter(username="department").first()
    pending = Referral.objects.filter(
        department__code="medical_security", status="pending"
    ).order_by("id")
    if (
        officer is not None
        and not Referral.objects.filter(
            department__code="medical_security", status="accepted"
        ).exists()
    ):
        first = pending.first()
        if first is not None:
            referral_service.referral_benefit_record(
                referral=first,
                by=officer,
                given_on=timezone.localdate(),
                description="资助参加城乡居民基本医疗保险（个人缴费部分全额资助）",
                amount=Decimal("280.00"),
            )
    return made


def seed_staff() -> None:
    for name, kind, region, username in STAFF:
        user = User.objects.filter(username=username).first() if username else None
        StaffMember.objects.update_or_create(
            name=name,
            region=Region.objects.get(code=region),
            defaults={"kind": kind, "user": user, "started_on": dt.date(2019, 3, 1)},
        )
    staff = list(StaffMember.objects.order_by("id"))
    for n, (title, held_on, hours, organizer, region) in enumerate(TRAININGS):
        session, _ = TrainingSession.objects.get_or_create(
            title=title,
            held_on=held_on,
            defaults={
                "hours": Decimal(hours),
                "organizer": organizer,
                "region": Region.objects.get(code=region),
            },
        )
        attendees = staff if session.region.code == "371000" else staff[:3]
        for member in attendees[: len(attendees) - n]:
            Attendance.objects.get_or_create(session=session, staff=member)


def seed() -> None:
    seed_catalog()
    with transaction.atomic():
        orgs = seed_organizations()
    seed_referrals()
    with transaction.atomic():
        seed_needs(orgs)
    with transaction.atomic():
        seed_requests(orgs)
    with transaction.atomic():
        seed_staff()
