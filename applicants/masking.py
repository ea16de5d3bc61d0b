"""What a reader may see of a person (SPEC §1, issue 14): the one masking module.

Pages (the ``privacy`` template filters), the API serializers, notices, documents and exports
ask here; nothing else decides what is masked.

Inside their scope the roles of ``UNMASKED_ROLES`` read personal data as it is. Everyone else
(the city supervisor; the department and the organization, whose scope holds no household)
reads it masked, and masked means it cannot be rebuilt:

- A masked ID keeps its first 4 and last 4 characters (``3710**********1234``). The 10 hidden
  digits are the county (2) and the birth date (8), so nothing that gives them back travels
  beside it: no birth date and no age — an age, even a band, changes on a birthday and so
  dates it to the day for whoever reads every day; a masked reader gets the decade of birth,
  which never changes — and no village code: a masked reader's place is the township.
- No per-member income, no household income, no health fact (disability, serious illness,
  self-care, labour capacity, a parent's situation), no address, and none of the free text
  staff write (survey findings, reasons, the rules engine's explanations), which quotes them.
- A search by ID number or by name is for unmasked readers only: for a masked reader it
  matches nothing, so trying endings or names one by one tells nothing.
- Original document scans are served to unmasked readers only.
- Every read of a person, masked or not, is written to the access log (``record_read``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from integrity.services import access_log_record

from .models import Role

#: roles that see personal data unmasked inside their scope (SPEC §1); the supervisor's
#: city-wide scope is for oversight, so it reads masked data.
UNMASKED_ROLES = frozenset(
    {Role.CITIZEN, Role.VILLAGE_ASSISTANT, Role.CASEWORKER, Role.APPROVER, Role.ADMIN}
)

#: a query that is (the end of) an ID number: digits, the last one possibly X
ID_LIKE = re.compile(r"^[0-9]{1,17}[0-9Xx]?$")


def sees_personal_data(user) -> bool:
    """Whether ``user`` reads personal data unmasked (inside the scope their queries allow)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or getattr(user, "role", None) in UNMASKED_ROLES)


# --- masking one value ---------------------------------------------------------------------


def mask_id_number(number: str | None) -> str:
    """``3710**********1234``: first 4 and last 4 kept (SPEC §1)."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str | None) -> str:
    """``张*明``: first and last character kept; two-character names keep the first."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str:
    """``138****5678``."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_account(account: str | None) -> str:
    """A bank account with its last 4 digits only (``************1234``)."""
    if not account:
        return ""
    return "*" * max(len(account) - 4, 4) + account[-4:]


def birth_decade(birth: dt.date | None) -> int | None:
    """The decade of birth (1950 for 1950–1959): what a masked reader gets instead of a date
    or an age; it never changes, so reading it daily dates nothing."""
    return None if birth is None else birth.year // 10 * 10


# --- a person, a household, an application -----------------------------------------------

#: fields masked in place for a masked reader
MASKED_PERSON_FIELDS = {
    "name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "bank_account": mask_account,
}
#: fields a masked reader never gets (null in the API, "—" on pages)
HIDDEN_PERSON_FIELDS = (
    "birth_date",
    "monthly_income",
    "disability_grade",
    "disability_type",
    "serious_illness",
    "self_care",
    "labour_capacity",
    "parent_situations",
    "care_arrangement",
    "status_reason",
)


def person_fields(values: Mapping[str, Any], *, unmasked: bool) -> dict[str, Any]:
    """A person's fields (a serializer's output, or the model's values) as the reader may see
    them; keys not present stay absent."""
    out = dict(values)
    if unmasked:
        return out
    for field, mask in MASKED_PERSON_FIELDS.items():
        if field in out:
            out[field] = mask(out[field])
    for field in HIDDEN_PERSON_FIELDS:
        if field in out:
            out[field] = None
    return out


class PersonView:
    """A member as a page shows it to the reader: masked values, ``None`` for what is hidden."""

    def __init__(self, person, *, unmasked: bool):
        self.pk = person.pk
        self.unmasked = unmasked
        shown = person_fields(
            {f: getattr(person, f) for f in (*MASKED_PERSON_FIELDS, *HIDDEN_PERSON_FIELDS)},
            unmasked=unmasked,
        )
        for field, value in shown.items():
            setattr(self, field, value)
        self.birth_decade = birth_decade(person.birth_date)
        self.relation_label = person.get_relation_display()
        self.sex_label = person.get_sex_display()
        self.status = person.status
        self.status_label = person.get_status_display()
        self.status_on = person.status_on
        self.in_school = person.in_school
        self.disability_label = (
            _("%(type)s %(grade)d级")
            % {"type": person.get_disability_type_display(), "grade": person.disability_grade}
            if unmasked and person.disability_grade
            else None
        )
        self.self_care_label = person.get_self_care_display() if unmasked else None


def place(village, *, unmasked: bool) -> str:
    """Where a household lives, as the reader may see it: township and village, or the
    township alone for a masked reader (the village code would give back the county)."""
    if village is None:
        return ""
    township = village.parent.name if village.parent_id else ""
    return f"{township} · {village.name}" if unmasked else township


def household_fields(values: Mapping[str, Any], *, unmasked: bool) -> dict[str, Any]:
    """A household's fields as the reader may see them: no address and no village when
    masked."""
    out = dict(values)
    if unmasked:
        return out
    for field in ("address",):
        if field in out:
            out[field] = ""
    for field in ("village", "village_name"):
        if field in out:
            out[field] = None
    return out


#: what of a frozen assessment's result a masked reader gets: the outcome, never the facts
RESULT_KEYS = ("policy", "eligible", "member", "monthly_amount", "min_amount", "max_amount")


def assessment_result(result: Mapping[str, Any] | None, *, unmasked: bool) -> dict | None:
    """A rules result (frozen or a preview) as the reader may see it. Masked: the household
    size, the categories and each result's policy, member index and amount — no counted or
    per-capita income, and no reasons (they quote each member's age, income and health)."""
    if result is None or unmasked:
        return None if result is None else dict(result)
    return {
        "household_size": result.get("household_size"),
        "counted_income": None,
        "per_capita_income": None,
        "categories": list(result.get("categories") or []),
        "results": [
            {key: r.get(key) for key in RESULT_KEYS} | {"reasons": []}
            for r in result.get("results") or []
        ],
    }


def free_text(text: str | None, *, unmasked: bool) -> str:
    """Text staff wrote about a household (findings, reasons, a reported change): it quotes
    names, incomes and illnesses, so a masked reader does not get it."""
    if unmasked:
        return text or ""
    return ""


#: keys of a changed row (the audit trail's before → after) that hold what staff or the public
#: wrote in their own words, or how to reach a person: a masked reader does not get them
FREE_TEXT_KEYS = frozenset(
    {
        "address",
        "reason",
        "reasons",
        "note",
        "findings",
        "description",
        "text",
        "answer",
        "content",
        "data",
        "objector_name",
        "objector_phone",
        "complainant_name",
        "complainant_phone",
    }
)


#: the keys of a changed row a masked reader gets (masked as above where they are a person's):
#: an allow-list, so a table tracked tomorrow, or a column added to one, shows nothing to a
#: masked reader until someone decides it may (a deny-list let a payee's name, a household's
#: village and a review's reported change through)
AUDIT_KEYS_FOR_MASKED = frozenset(
    {
        # who and what, by number or code
        "id",
        "household_id",
        "person_id",
        "user_id",
        "application_id",
        "assessment_id",
        "decision_id",
        "enrollment_id",
        "category_id",
        "policy_id",
        "department_id",
        "notice_id",
        "batch_id",
        "grant_id",
        "payee_id",
        "receivable_id",
        "reissue_of_id",
        "county_id",
        "township_id",
        "region_id",
        "parent_id",
        "assigned_to_id",
        # a person's masked identity (masked by ``person_fields``) and plain facts
        "name",
        "id_number",
        "phone",
        "bank_account",
        "masked_name",
        "relation",
        "sex",
        "status",
        "status_on",
        # the state of a case, an enrollment, a payment, a notice, a finding
        "state",
        "kind",
        "outcome",
        "purpose",
        "channel",
        "source",
        "reference",
        "policy_code",
        "category",
        "month",
        "start_month",
        "end_month",
        "effective_month",
        "exit_months",
        "monthly_amount",
        "amount",
        "due_amount",
        "withheld",
        "total",
        "total_amount",
        "balance",
        "fine_amount",
        "fine_multiple",
        "installment",
        "line_count",
        "held_count",
        "household_size",
        "closed_early",
        # regions and staff accounts
        "code",
        "level",
        "path",
        "area",
        "username",
        "role",
        "is_active",
        "is_staff",
        "is_superuser",
        "department_code",
        # standards (policy numbers, public)
        "item",
        "value",
        "effective_from",
    }
)
#: and every moment and actor (``…_at``, ``…_on``, ``…_by_id``)
AUDIT_KEY_SUFFIXES_FOR_MASKED = ("_at", "_on", "_by_id")


def audit_key_shown(key: str, *, unmasked: bool) -> bool:
    """Whether the audit trail shows the value of a changed row's ``key`` to the reader."""
    return unmasked or key in AUDIT_KEYS_FOR_MASKED or key.endswith(AUDIT_KEY_SUFFIXES_FOR_MASKED)


def audit_values(values: Mapping[str, Any], *, unmasked: bool) -> dict[str, Any]:
    """The values of a changed row as the audit trail shows them to the reader: a person's
    and a household's fields as above, and for a masked reader only the allow-listed keys
    (``AUDIT_KEYS_FOR_MASKED``); any other key is there with the value ``None``."""
    out = household_fields(person_fields(values, unmasked=unmasked), unmasked=unmasked)
    if not unmasked:
        for key in out:
            if key in FREE_TEXT_KEYS or not audit_key_shown(key, unmasked=False):
                out[key] = None
    return out


#: the keys of a logged query string (an export's or a search's filters, in the access log's
#: ``fields``) whose values a masked reader gets; others (``q``: a name or an ID number a
#: caseworker searched for, ``village``, …) show as ``***``
AUDIT_QUERY_KEYS_FOR_MASKED = frozenset(
    {
        "state",
        "status",
        "category",
        "overdue",
        "sort",
        "all",
        "page",
        "page_size",
        "kind",
        "action",
        "since",
        "until",
        "household",
        "user",
        "purpose",
        "stage",
        "month",
        "format",
    }
)


def audit_detail(detail: str | None, *, unmasked: bool) -> str:
    """An audit entry's detail as the reader may see it: for a masked reader, each part that
    is a logged query string (``a=1&q=…``) keeps the values of the allow-listed keys only."""
    if unmasked or not detail or "=" not in detail:
        return detail or ""
    from urllib.parse import parse_qsl, urlencode

    parts = []
    for part in detail.split(" · "):
        if "=" in part and " " not in part.strip():
            pairs = parse_qsl(part.strip(), keep_blank_values=True)
            part = urlencode(
                [(k, v if k in AUDIT_QUERY_KEYS_FOR_MASKED else "***") for k, v in pairs],
                safe="*",
            )
        parts.append(part)
    return " · ".join(parts)


#: categories whose name tells a member's illness or disability (单人保: a member seriously ill
#: or disabled; the disability allowances), published under a name that does not (SPEC §9:
#: a notice never shows illness or disability)
PUBLIC_CATEGORY = {"dibao_single": "dibao", "severe_disability": "special_allowance"}
PUBLIC_CATEGORY_LABELS = {"special_allowance": _("专项生活补贴")}


def public_category(code: str) -> str:
    """The category code as a public notice shows it."""
    return PUBLIC_CATEGORY.get(code, code)


def public_category_codes(published: str, codes) -> list[str]:
    """Every category code a published code stands for (the public search by category)."""
    return [c for c in codes if public_category(c) == published]


def notice_name(*, masked_name: str, full_name: str | None, reader_unmasked: bool) -> str:
    """The name a public notice shows (SPEC §9): masked on the internet page; the printed
    village noticeboard may carry the full name when the setting allows it and the printer is
    staff of the village's region (``reader_unmasked``)."""
    from django.conf import settings

    if full_name and reader_unmasked and settings.NOTICE_BOARD_FULL_NAME:
        return full_name
    return masked_name


# --- search and documents ------------------------------------------------------------------


def may_search_people(user) -> bool:
    """Search households by a member's ID number (full or its end) or name: unmasked readers
    only. For anyone else a search must match nothing, or it answers "is this ID/name here?"
    one guess at a time (a full ID from its masked form in a few dozen requests)."""
    return sees_personal_data(user)


def looks_like_id_number(query: str) -> bool:
    return bool(ID_LIKE.match(query))


def may_read_documents(user) -> bool:
    """Original scans (ID card, household register, income and medical papers) carry every
    fact unmasked: served to unmasked readers only, inside their scope."""
    return sees_personal_data(user)


# --- the access log ------------------------------------------------------------------------


def record_read(
    *,
    user,
    object_type: str,
    object_ids: Iterable[int],
    request=None,
    channel: str = "page",
    fields: str | None = None,
) -> bool:
    """Write the access log for a read of personal data, masked or not, and return whether
    the reader saw it unmasked (so a view asks once and logs what it shows)."""
    unmasked = sees_personal_data(user)
    ids = [pk for pk in object_ids if pk is not None]
    if ids and getattr(user, "is_authenticated", False):
        extra = {"fields": fields} if fields else {}
        access_log_record(
            user=user,
            object_type=object_type,
            object_ids=ids,
            request=request,
            channel=channel,
            masked=not unmasked,
            **extra,
        )
    return unmasked


# --- the hub: what a service provider reads (SPEC §10, issue 12) ---------------------------


def for_provider(text: str | None, *, unmasked: bool, provider: bool) -> str:
    """Free text a household consented to pass to the organization serving it (a need's
    details, a 12349 request's words): read by unmasked readers and by the provider the need
    or request was given to — it is the work order — and by no other masked reader (an
    organization merely browsing open needs, the supervisor). Names and phones stay masked
    for the provider all the same (``person_fields``): the hub or the village assistant
    makes the contact."""
    if unmasked or provider:
        return text or ""
    return ""
