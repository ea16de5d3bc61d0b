"""The last step of a drill-down: a township's households (masked outside the reader's scope)."""

from __future__ import annotations

from applicants.models import Region
from eligibility.models import Category, Enrollment
from eligibility.selectors import household_export_list


def township_households(*, user, township: Region, category: str = ""):
    """The township's households in the reader's scope, newest first; with ``category``, those
    with an active enrollment in it (the figure "在保" counts). Each row carries its applicant's
    name and ID number, which the caller masks (``applicants.masking``) and logs."""
    qs = household_export_list(user=user).filter(village__parent=township)
    if category:
        qs = qs.filter(
            pk__in=Enrollment.objects.filter(
                status=Enrollment.Status.ACTIVE, category__code=category
            ).values("household_id")
        )
    return qs


def category_choices() -> list[tuple[str, str]]:
    return list(Category.objects.order_by("order", "code").values_list("code", "name"))
