"""factory-boy factories shared by the tests of every app."""

import datetime as dt
from decimal import Decimal

import factory

from applicants.idnumber import with_check_digit
from applicants.models import Household, Person, Region, Role, User


def id_number_for(
    n: int, *, birth: dt.date = dt.date(1980, 5, 17), county: str = "371002", male: bool = True
) -> str:
    seq = (n % 499) * 2 + (1 if male else 0)
    return with_check_digit(f"{county}{birth:%Y%m%d}{seq:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CASEWORKER
    password = factory.PostGenerationMethodCall("set_password", "Correct-horse-battery-9")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.LazyFunction(lambda: Region.objects.get(code="371002001002"))
    address = factory.Sequence(lambda n: f"测试路{n}号")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    relation = Person.Relation.APPLICANT
    name = factory.Sequence(lambda n: f"测试{n}号")
    birth_date = dt.date(1980, 5, 17)
    id_number = factory.Sequence(lambda n: id_number_for(n + 1000, birth=dt.date(1980, 5, 17)))
    sex = "M"
    monthly_income = Decimal("300.00")
