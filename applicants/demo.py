"""Demo data for applicants (SPEC §2, §12): regions, accounts, households. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from .idnumber import with_check_digit
from .models import Household, Person, Region, Role, User

DEMO_PASSWORD = "Weijiuni-demo-2020"  # noqa: S105  # nosec B105  # SPEC §12, demo mode only

CITY = ("371000", "威海市")
#: county code, name, GB/T 2260 or internal, [(township, is_street)]
COUNTIES = [
    ("371002", "环翠区", [("张村镇", False), ("羊亭镇", False), ("孙家疃街道", True)]),
    ("371003", "文登区", [("龙山街道", True), ("米山镇", False), ("大水泊镇", False)]),
    ("371082", "荣成市", [("崖头街道", True), ("成山镇", False), ("人和镇", False)]),
    ("371083", "乳山市", [("城区街道", True), ("夏村镇", False), ("海阳所镇", False)]),
    # Functional zones: internal codes (SPEC §2).
    ("371091", "火炬高技术产业开发区", [("田和街道", True), ("初村镇", False)]),
    ("371092", "经济技术开发区", [("皇冠街道", True), ("桥头镇", False)]),
    ("371093", "临港经济技术开发区", [("草庙子镇", False), ("汪疃镇", False)]),
]
VILLAGE_NAMES_RURAL = ["东村", "西村", "南庄", "北庄"]
VILLAGE_NAMES_URBAN = ["社区居委会", "新城社区", "和平社区"]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董"
SURNAMES += "萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文德志海云飞鹏庆福春梅"

ACCOUNTS = [
    # username, display name, role, region code, department code
    ("admin", "系统管理员", Role.ADMIN, None, ""),
    ("caseworker", "张村镇经办人", Role.CASEWORKER, "371002001", ""),
    ("approver", "环翠区审批人", Role.APPROVER, "371002", ""),
    # a second county approver: a payroll batch is approved by someone other than its maker
    ("approver2", "环翠区审批人（二）", Role.APPROVER, "371002", ""),
    ("supervisor", "市级督导", Role.SUPERVISOR, "371000", ""),
    ("department", "医保局经办人", Role.DEPARTMENT, None, "medical_security"),
    ("organization", "威海市慈善总会", Role.ORGANIZATION, None, ""),
    ("village", "张村镇东村协理员", Role.VILLAGE_ASSISTANT, "371002001002", ""),
    ("caseworker2", "羊亭镇经办人", Role.CASEWORKER, "371002002", ""),
    ("citizen", "王秀英", Role.CITIZEN, None, ""),
]


def _region(code, name, level, parent, area="") -> Region:
    path = f"{parent.path if parent else ''}{code}/"
    region, _ = Region.objects.update_or_create(
        code=code,
        defaults={"name": name, "level": level, "parent": parent, "area": area, "path": path},
    )
    return region


def seed_regions() -> list[Region]:
    """City, counties, townships (county code + 3 digits), villages (+3 digits)."""
    city = _region(CITY[0], CITY[1], Region.Level.CITY, None)
    villages = []
    for county_code, county_name, townships in COUNTIES:
        county = _region(county_code, county_name, Region.Level.COUNTY, city)
        for t, (township_name, is_street) in enumerate(townships, start=1):
            township = _region(
                f"{county_code}{t:03d}", township_name, Region.Level.TOWNSHIP, county
            )
            names = VILLAGE_NAMES_URBAN if is_street else VILLAGE_NAMES_RURAL
            for v, suffix in enumerate(names, start=1):
                # A town has one urban neighbourhood (its seat), the rest rural villages.
                area = "urban" if is_street or v == 1 else "rural"
                label = suffix if is_street else ("镇区社区" if v == 1 else suffix)
                villages.append(
                    _region(
                        f"{township.code}{v:03d}",
                        f"{township_name.removesuffix('街道').removesuffix('镇')}{label}",
                        Region.Level.VILLAGE,
                        township,
                        area,
                    )
                )
    return villages


def seed_accounts() -> dict[str, User]:
    users = {}
    for username, display, role, region_code, dept in ACCOUNTS:
        region = Region.objects.get(code=region_code) if region_code else None
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": display,
                "role": role,
                "region": region,
                "department_code": dept,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    return users


def _name(rng: random.Random, surname: str | None = None) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return (surname or rng.choice(SURNAMES)) + given


def _id_number(county_code: str, birth: dt.date, serial: int, male: bool) -> str:
    seq = serial % 500 * 2 + (1 if male else 0)
    return with_check_digit(f"{county_code}{birth:%Y%m%d}{seq:03d}")


def _households_plan(villages: list[Region], count: int, seed: int = 2020):
    """Deterministic households: same seed, same data (so seeding twice changes nothing)."""
    rng = random.Random(seed)  # nosec B311  # reproducible demo data, not a secret
    plans = []
    for n in range(count):
        village = villages[n % len(villages)]
        county = village.county_code
        if county not in {"371002", "371003", "371082", "371083"}:
            county = "371002"  # zones' residents hold ID numbers of 环翠区
        size = rng.choices([1, 2, 3, 4, 5], weights=[30, 25, 25, 15, 5])[0]
        surname = rng.choice(SURNAMES)
        head_age = rng.randint(25, 85)
        members = []
        for i in range(size):
            if i == 0:
                relation, age = "applicant", head_age
            elif i == 1 and size > 1:
                relation, age = "spouse", max(20, head_age + rng.randint(-5, 5))
            elif head_age > 70 and i == size - 1:
                relation, age = "child", head_age - rng.randint(22, 35)
            else:
                relation, age = "child", max(0, head_age - rng.randint(20, 40))
            male = (
                (i == 0) == (n % 2 == 0)
                if relation in ("applicant", "spouse")
                else rng.random() < 0.5
            )
            birth = dt.date(2020 - age, rng.randint(1, 12), rng.randint(1, 28))
            disabled = rng.random() < 0.08
            members.append(
                {
                    "relation": relation,
                    "name": _name(rng, surname if relation == "child" else None),
                    "id_number": _id_number(county, birth, n * 7 + i, male),
                    "birth_date": birth,
                    "sex": "M" if male else "F",
                    "monthly_income": Decimal(rng.choice([0, 0, 200, 350, 500, 800, 1200, 2000])),
                    "disability_grade": rng.randint(1, 4) if disabled else None,
                    "disability_type": rng.choice(["physical", "intellectual", "visual", "mental"])
                    if disabled
                    else "",
                    "serious_illness": rng.random() < 0.05,
                    "self_care": rng.choice(["full"] * 8 + ["partial", "none"])
                    if age >= 60
                    else "full",
                    "in_school": 6 <= age <= 22 and relation == "child",
                    "phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                    "bank_name": rng.choice(["威海市商业银行", "中国农业银行", "中国建设银行"]),
                    "bank_account": f"6217{rng.randint(10**11, 10**12 - 1)}",
                }
            )
        plans.append((village, f"{village.name}{rng.randint(1, 120)}号", members))
    return plans


@transaction.atomic
def seed_households(count: int = 360) -> int:
    """Create the demo households that do not exist yet; returns how many were created."""
    villages = list(Region.objects.filter(level=Region.Level.VILLAGE).order_by("code"))
    plans = _households_plan(villages, count)
    existing = set(Person.objects.values_list("id_number", flat=True))
    created = 0
    for village, address, members in plans:
        if members[0]["id_number"] in existing:
            continue
        household = Household.objects.create(village=village, address=address)
        Person.objects.bulk_create(Person(household=household, **m) for m in members)
        created += 1
    _link_citizen()
    return created


def _link_citizen() -> None:
    """The demo citizen account is the applicant of the first household of 张村镇东村."""
    citizen = User.objects.get(username="citizen")
    applicant = (
        Person.objects.filter(household__village__code="371002001002", relation="applicant")
        .order_by("household_id")
        .first()
    )
    if applicant and applicant.user_id != citizen.pk:
        Person.objects.filter(user=citizen).update(user=None)
        applicant.user = citizen
        applicant.save(update_fields=["user"])
        citizen.first_name = applicant.name
        citizen.save(update_fields=["first_name"])


def seed() -> None:
    seed_regions()
    seed_accounts()
    seed_households()
