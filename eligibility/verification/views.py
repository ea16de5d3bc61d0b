"""Pages of verification (the source health page) and the demo's simulated DCI sources."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from applicants.errors import DomainError
from applicants.models import Role

from . import selectors, services
from .models import BulkVerification, DataSource, ResultFile

MAX_SEARCH_BYTES = 1024 * 1024


@login_required
def source_health(request):
    """数据来源运行状况: last answer, failure rate, pending queries, recent result files."""
    if not selectors.can_see_sources(request.user):
        raise Http404
    return render(
        request,
        "eligibility/verification_sources.html",
        {
            "sources": selectors.source_health(),
            "files": ResultFile.objects.select_related("source")[:20],
            "runs": BulkVerification.objects.all()[:10],
        },
    )


@login_required
@require_POST
def dispute(request, pk: int):
    """The citizen disputes a report of their own household (申请复查): verified again."""
    verification_request = selectors.request_list(user=request.user).filter(pk=pk).first()
    report = getattr(verification_request, "report", None) if verification_request else None
    if report is None or request.user.role != Role.CITIZEN:
        raise Http404
    try:
        services.report_dispute(report=report, by=request.user, text=request.POST.get("text", ""))
        messages.success(request, _("异议已提交，将重新核对。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    target = verification_request.application_id
    return redirect("application_status", pk=target) if target else redirect("my_household")


@csrf_exempt  # a machine endpoint of a simulated bank: no session, no form
@require_POST
def simulated_search(request, code: str):
    """A simulated source's DCI ``search``: acknowledge at once, answer later on the callback.
    Served only when ``VERIFICATION_SIMULATED_SOURCES`` is on (the demo)."""
    if not settings.VERIFICATION_SIMULATED_SOURCES:
        raise Http404
    source = DataSource.objects.filter(code=code, adapter=DataSource.Adapter.HTTP).first()
    if source is None or not (source.config or {}).get("simulated"):
        raise Http404
    if (source.config or {}).get("stopped"):
        return JsonResponse({"message": {"ack_status": "ERR"}}, status=503)
    if len(request.body) > MAX_SEARCH_BYTES:
        return JsonResponse({"message": {"ack_status": "NACK"}}, status=413)
    try:
        message = json.loads(request.body)["message"]
        transaction_id = str(message["transaction_id"])[:64]
        numbers = [
            str(r["search_criteria"]["query"]["value"])[:18] for r in message["search_request"]
        ]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"message": {"ack_status": "NACK"}}, status=400)
    from . import simulator

    transaction.on_commit(lambda: simulator.reply_soon(source.code, transaction_id, numbers))
    return JsonResponse(
        {
            "message": {
                "ack_status": "ACK",
                "timestamp": timezone.now().isoformat(),
                "correlation_id": transaction_id,
            }
        }
    )
