"""/api/v1/member-changes/: a member died, moved out or joined, with reason and date."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from applicants.models import Household, Person
from eligibility.services import members


class MemberRemoveSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=[Person.Status.DECEASED, Person.Status.MOVED_OUT])
    on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class MemberJoinSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1)
    on = serializers.DateField()
    reason = serializers.CharField(max_length=200)
    member = serializers.DictField()


class MemberChangeResultSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    status = serializers.CharField()
    review = serializers.IntegerField(allow_null=True)


class MemberChangeViewSet(viewsets.ViewSet):
    """Record a death or a move-out (``create``) or a new member (``join``)."""

    @extend_schema(request=MemberRemoveSerializer, responses={201: MemberChangeResultSerializer})
    def create(self, request):
        payload = MemberRemoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        person = Person.objects.for_user(request.user).filter(pk=data["person"]).first()
        if person is None:
            raise Http404
        review = members.member_remove(
            person=person,
            by=request.user,
            status=data["status"],
            on=data["on"],
            reason=data["reason"],
        )
        person.refresh_from_db()
        body = {"person": person.pk, "status": person.status, "review": review and review.pk}
        return Response(MemberChangeResultSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberJoinSerializer, responses={201: MemberChangeResultSerializer})
    def join(self, request):
        payload = MemberJoinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = Household.objects.for_user(request.user).filter(pk=data["household"]).first()
        if household is None:
            raise Http404
        person = members.member_add(
            household=household,
            by=request.user,
            data=data["member"],
            on=data["on"],
            reason=data["reason"],
        )
        review = household.reviews.filter(status="open", kind="change").first()
        body = {"person": person.pk, "status": person.status, "review": review and review.pk}
        return Response(MemberChangeResultSerializer(body).data, status=status.HTTP_201_CREATED)
