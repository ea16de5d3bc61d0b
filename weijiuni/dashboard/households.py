"""The last step of a drill-down: a township's households (masked outside the reader's scope)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from applicants.models import Household, Region
from eligibility.models import Category, Enrollment
from eligibility.selectors import household_export_list


def township_households(*, user, township: Region, category: str = ""):
    """The ids of the township's households in the reader's scope, newest first; with
    ``category``, those with an active enrollment in it (the figure "在保" counts). A page of
    them is then read with :func:`households_rows` (counting and paging a township of 80,000
    households with every row's applicant and size took a second)."""
    qs = Household.objects.for_user(user).filter(village__parent=township)
    if category:
        # per household, one probe of the enrollments' household index (an IN over every
        # active enrollment of the category read the city's million)
        qs = qs.filter(
            Exists(
                Enrollment.objects.filter(
                    household_id=OuterRef("pk"),
                    status=Enrollment.Status.ACTIVE,
                    category__code=category,
                )
            )
        )
    return qs.order_by("-id").values_list("pk", flat=True)


def households_rows(*, user, ids: list[int]) -> list:
    """One page of households in the order of ``ids``, each with its applicant's name and ID
    number (the caller masks them through ``applicants.masking`` and logs the read) and size."""
    found = {h.pk: h for h in household_export_list(user=user).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def category_choices() -> list[tuple[str, str]]:
    return list(Category.objects.order_by("order", "code").values_list("code", "name"))
