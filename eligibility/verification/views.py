"""Pages of verification (the source health page) and the demo's simulated DCI sources."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import selectors
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
    from . import tasks

    transaction.on_commit(
        lambda: tasks.simulated_dci_reply.delay(source.code, transaction_id, numbers)
    )
    return JsonResponse(
        {
            "message": {
                "ack_status": "ACK",
                "timestamp": timezone.now().isoformat(),
                "correlation_id": transaction_id,
            }
        }
    )
