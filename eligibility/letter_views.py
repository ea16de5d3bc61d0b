"""A case's documents as an A4 page to print and as a PDF (文书, issue 13); each generation is
written to the audit trail. Outside the user's scope, or before the step: 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from applicants import masking
from applicants.models import Application, Role
from applicants.selectors import sees_personal_data

from . import letters, selectors

#: who may print a case's documents: its staff in scope, and the household itself
LETTER_ROLES = {
    Role.CASEWORKER,
    Role.APPROVER,
    Role.VILLAGE_ASSISTANT,
    Role.SUPERVISOR,
    Role.ADMIN,
    Role.CITIZEN,
}


def _letter(request, pk: int, kind: str):
    user = request.user
    if not (user.is_superuser or user.role in LETTER_ROLES) or kind not in letters.KINDS:
        raise Http404
    try:
        application = (
            selectors.application_list(user=user, with_history=False)
            .prefetch_related("household__members")
            .get(pk=pk)
        )
        return letters.letter_build(application, kind, unmasked=sees_personal_data(user))
    except (Application.DoesNotExist, letters.LetterUnavailable) as exc:
        raise Http404 from exc


def _log(request, pk: int, kind: str, channel: str) -> None:
    masking.record_read(  # every letter made, masked or not, is in the audit trail
        user=request.user,
        object_type="application",
        object_ids=[pk],
        request=request,
        channel=channel,
        fields=f"letter:{kind}",
    )


@login_required
def letter_page(request, pk: int, kind: str):
    letter = _letter(request, pk, kind)
    _log(request, pk, kind, "print")
    return render(request, "eligibility/letter.html", {"letter": letter, "pk": pk})


@login_required
def letter_pdf(request, pk: int, kind: str):
    letter = _letter(request, pk, kind)
    _log(request, pk, kind, "pdf")
    response = HttpResponse(letters.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    return response
