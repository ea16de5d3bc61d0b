"""Standards over time (SPEC §4): chosen by date, county over city, never rewritten."""

import datetime as dt
from decimal import Decimal

import pytest

from applicants.models import Region
from eligibility.errors import EligibilityError, StandardsMissing
from eligibility.models import Standard, StandardItem
from eligibility.selectors import standards_in_force
from eligibility.services import standard_add

pytestmark = pytest.mark.django_db


def region(code):
    return Region.objects.get(code=code)


@pytest.mark.parametrize(
    ("day", "area", "dibao", "tekun_basic"),
    [
        (dt.date(2020, 6, 30), "urban", "650.00", "845.00"),
        (dt.date(2020, 6, 30), "rural", "470.00", "611.00"),
        (dt.date(2020, 7, 1), "urban", "787.00", "1024.00"),
        (dt.date(2020, 7, 1), "rural", "588.00", "765.00"),
    ],
)
def test_standard_is_chosen_by_date_with_the_boundary_day_right(
    catalog, day, area, dibao, tekun_basic
):
    standards = standards_in_force(region=region("371002"), area=area, on=day)
    assert standards.parameters.dibao_standard == Decimal(dibao)
    assert standards.parameters.tekun_basic == Decimal(tekun_basic)


@pytest.mark.parametrize(
    ("day", "ratio"), [(dt.date(2020, 6, 30), "1.38"), (dt.date(2021, 1, 15), "1.34")]
)
def test_urban_rural_ratio_is_derived(catalog, day, ratio):
    standards = standards_in_force(region=region("371002"), area="urban", on=day)
    assert standards.urban_rural_ratio == Decimal(ratio)


def test_pilot_counties_have_their_relative_poverty_multiple(catalog):
    on = dt.date(2021, 1, 15)
    wendeng = standards_in_force(region=region("371003"), area="rural", on=on).parameters
    rongcheng = standards_in_force(region=region("371082"), area="rural", on=on).parameters
    huancui = standards_in_force(region=region("371002"), area="rural", on=on).parameters
    assert wendeng.relative_poverty_multiple == Decimal("1.2")
    assert rongcheng.relative_poverty_multiple == Decimal("1.5")
    assert huancui.relative_poverty_multiple is None


def test_county_standard_beats_city_standard(catalog, accounts):
    standard_add(
        item=StandardItem.DIBAO,
        region=region("371083"),
        area="rural",
        value=Decimal("600"),
        effective_from=dt.date(2021, 1, 1),
        by=accounts["admin"],
    )
    on = dt.date(2021, 1, 15)
    assert standards_in_force(
        region=region("371083001002"), area="rural", on=on
    ).parameters.dibao_standard == Decimal("600")
    assert standards_in_force(
        region=region("371002"), area="rural", on=on
    ).parameters.dibao_standard == Decimal("588")


def test_a_new_version_keeps_the_old_one(catalog, accounts):
    before = Standard.objects.count()
    standard_add(
        item=StandardItem.DIBAO,
        region=region("371000"),
        area="urban",
        value=Decimal("850"),
        effective_from=dt.date(2022, 1, 1),
        by=accounts["admin"],
    )
    assert Standard.objects.count() == before + 1
    assert (
        standards_in_force(
            region=region("371002"), area="urban", on=dt.date(2021, 12, 31)
        ).parameters.dibao_standard
        == 787
    )
    assert (
        standards_in_force(
            region=region("371002"), area="urban", on=dt.date(2022, 1, 1)
        ).parameters.dibao_standard
        == 850
    )


def test_second_version_on_the_same_day_is_refused(catalog, accounts):
    with pytest.raises(EligibilityError, match="该日期已有"):
        standard_add(
            item=StandardItem.DIBAO,
            region=region("371000"),
            area="urban",
            value=Decimal("800"),
            effective_from=dt.date(2020, 7, 1),
            by=accounts["admin"],
        )


def test_area_on_an_item_without_one_is_refused(catalog, accounts):
    with pytest.raises(EligibilityError, match="不区分城乡"):
        standard_add(
            item=StandardItem.EDGE_MULTIPLE,
            region=region("371000"),
            area="urban",
            value=Decimal("1.6"),
            effective_from=dt.date(2022, 1, 1),
            by=accounts["admin"],
        )


def test_standard_for_a_township_is_refused(catalog, accounts):
    with pytest.raises(EligibilityError, match="市或县"):
        standard_add(
            item=StandardItem.DIBAO,
            region=region("371002001"),
            area="urban",
            value=Decimal("800"),
            effective_from=dt.date(2022, 1, 1),
            by=accounts["admin"],
        )


def test_date_before_any_standard_is_refused(catalog):
    with pytest.raises(StandardsMissing):
        standards_in_force(region=region("371002"), area="urban", on=dt.date(2018, 12, 31))


def test_admin_offers_no_edit_of_a_saved_standard(client, catalog, accounts):
    client.force_login(accounts["admin"])
    standard = Standard.objects.first()
    page = client.get(f"/admin/eligibility/standard/{standard.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_admin_adds_a_version_and_shows_history(client, catalog, accounts):
    client.force_login(accounts["admin"])
    response = client.post(
        "/admin/eligibility/standard/add/",
        {
            "item": "dibao",
            "region": region("371000").pk,
            "area": "urban",
            "value": "850.00",
            "effective_from": "2022-01-01",
            "note": "2022年调标",
        },
    )
    assert response.status_code == 302
    new = Standard.objects.get(effective_from=dt.date(2022, 1, 1))
    assert new.created_by == accounts["admin"]
    listing = client.get("/admin/eligibility/standard/?item=dibao").content.decode()
    assert "850.00" in listing and "787.00" in listing


def test_admin_shows_a_clear_error_for_a_duplicate_day(client, catalog, accounts):
    client.force_login(accounts["admin"])
    response = client.post(
        "/admin/eligibility/standard/add/",
        {
            "item": "dibao",
            "region": region("371000").pk,
            "area": "urban",
            "value": "800.00",
            "effective_from": "2020-07-01",
        },
    )
    assert response.status_code == 200
    assert "该日期已有这一项标准" in response.content.decode()


# --- issue 8: the four categories' amounts --------------------------------------------------

NEW_ITEMS = {
    "orphan_institutional": Decimal("1900.00"),
    "orphan_dispersed": Decimal("1500.00"),
    "child_hardship_allowance": Decimal("300.00"),
    "disability_living_allowance": Decimal("100.00"),
    "disability_care_allowance": Decimal("100.00"),
}


def test_the_new_category_amounts_are_read_from_the_demo_standards(catalog):
    params = standards_in_force(
        region=region("371082"), area="rural", on=dt.date(2021, 1, 15)
    ).parameters
    assert {k: getattr(params, k) for k in NEW_ITEMS} == NEW_ITEMS


def test_a_region_without_the_new_amounts_gets_none_not_an_error(catalog):
    Standard.objects.filter(item__in=list(NEW_ITEMS)).delete()
    params = standards_in_force(
        region=region("371002"), area="urban", on=dt.date(2021, 1, 15)
    ).parameters
    assert all(getattr(params, k) is None for k in NEW_ITEMS)


def test_parameters_frozen_before_the_new_items_still_load(catalog):
    from eligibility.rules.frozen import parameters_from_json, parameters_to_json

    params = standards_in_force(
        region=region("371002"), area="urban", on=dt.date(2021, 1, 15)
    ).parameters
    frozen = parameters_to_json(params)
    assert parameters_from_json(frozen) == params
    old = {k: v for k, v in frozen.items() if k not in NEW_ITEMS}
    replayed = parameters_from_json(old)
    assert all(getattr(replayed, k) is None for k in NEW_ITEMS)
    assert replayed.dibao_standard == Decimal("787.00")
