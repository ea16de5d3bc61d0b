"""The API's faster ModelSerializer (weijiuni.api.serializers, issue 15) gives DRF's output,
field for field, for every serializer that uses it, masked and unmasked."""

import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from applicants.api.serializers import HouseholdSerializer, MemberSerializer
from applicants.models import Application, Household, Person, User
from eligibility.api.enrollments import (
    AmountSerializer,
    EnrollmentListSerializer,
    EnrollmentSerializer,
)
from eligibility.api.reviews import ReviewSerializer
from eligibility.api.standards import StandardSerializer
from eligibility.api.verification import VerificationRequestSerializer
from eligibility.api.workflow import ApplicationSerializer
from eligibility.models import Enrollment, EnrollmentAmount, Review, Standard
from eligibility.verification.models import DataSource, SourceQuery, VerificationRequest
from payments.api import BatchSerializer, LineSerializer, ReceivableSerializer
from payments.models import Batch, Line, Receivable
from weijiuni.api.serializers import ModelSerializer

pytestmark = pytest.mark.django_db

SERIALIZERS = [
    (MemberSerializer, Person),
    (HouseholdSerializer, Household),
    (ApplicationSerializer, Application),
    (AmountSerializer, EnrollmentAmount),
    (EnrollmentSerializer, Enrollment),
    (EnrollmentListSerializer, Enrollment),
    (ReviewSerializer, Review),
    (VerificationRequestSerializer, VerificationRequest),
    (StandardSerializer, Standard),
    (BatchSerializer, Batch),
    (LineSerializer, Line),
    (ReceivableSerializer, Receivable),
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo once for the module: households, cases in every state, enrollments with
    their amounts, a year of payroll, reviews, a fraud with its receivable; inside a
    transaction rolled back at the module's end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", force=True, verbosity=0)
            # a verification request with its queries (the demo checks by bulk files)
            application = Application.objects.order_by("pk").first()
            request = VerificationRequest.objects.create(
                household=application.household,
                application=application,
                persons=list(application.household.members.values_list("id_number", flat=True)),
                requested_by=User.objects.get(username="caseworker"),
            )
            SourceQuery.objects.bulk_create(
                SourceQuery(request=request, source=source) for source in DataSource.objects.all()
            )
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize("unmasked", [True, False])
@pytest.mark.parametrize(("serializer_class", "model"), SERIALIZERS)
def test_rows_read_as_drf_reads_them(demo, serializer_class, model, unmasked):
    assert issubclass(serializer_class, ModelSerializer)
    request = Request(APIRequestFactory().get("/api/v1/"))
    rows = list(model.objects.order_by("-pk")[:15]) + list(model.objects.order_by("pk")[:15])
    assert rows, f"the demo has no {model.__name__}"
    for row in rows:
        serializer = serializer_class(context={"unmasked": unmasked, "request": request})
        fast = ModelSerializer.to_representation(serializer, row)
        plain = serializers.Serializer.to_representation(serializer, row)
        assert fast == plain
        assert list(fast) == list(plain)  # the same keys in the same order


@pytest.mark.parametrize(("serializer_class", "model"), SERIALIZERS)
def test_fields_built_once_are_the_fields_drf_builds(serializer_class, model):
    first, second = serializer_class(), serializer_class()

    def shape(fields):
        return {name: repr(field) for name, field in fields.items()}

    built = shape(serializers.ModelSerializer.get_fields(first))
    assert shape(first.fields) == built
    assert shape(second.fields) == built  # from the class's prototypes
    assert first.fields["id" if "id" in built else next(iter(built))] is not second.fields.get(
        "id" if "id" in built else next(iter(built))
    )  # each serializer has fields of its own (DRF binds them to it)
