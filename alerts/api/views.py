"""Alerts API: list (own alerts only), respond once, mark read, preferences."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import actor_for_request
from alerts import selectors, services
from oms_project.lib.api.fields import refuse_body_fields
from oms_project.lib.api.schema import error_responses

from .serializers import (
    AlertListFilterSerializer,
    AlertMarkAllReadOutputSerializer,
    AlertOutputSerializer,
    AlertPreferenceSerializer,
    AlertRespondInputSerializer,
    AlertSendTestInputSerializer,
)

_FILTERS = [AlertListFilterSerializer]


class AlertListApi(generics.ListAPIView):
    serializer_class = AlertOutputSerializer

    def get_queryset(self):  # noqa: ANN201
        filters = AlertListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.alert_list(user=self.request.user, **{k: v for k, v in filters.validated_data.items()})

    @extend_schema(parameters=_FILTERS)
    def get(self, request: Request, *args, **kwargs) -> Response:  # noqa: ANN002, ANN003
        return super().get(request, *args, **kwargs)


class UserAlertListApi(AlertListApi):
    """The same list under /users/{id}/alerts/; only one's own id exists (others answer 404)."""

    def get_queryset(self):  # noqa: ANN201
        if self.kwargs["user_id"] != self.request.user.pk:
            raise Http404
        return super().get_queryset()


class AlertDetailApi(generics.RetrieveAPIView):
    serializer_class = AlertOutputSerializer

    def get_object(self):  # noqa: ANN201
        return selectors.alert_get(user=self.request.user, alert_id=self.kwargs["alert_id"])


class AlertRespondApi(APIView):
    @extend_schema(
        request=AlertRespondInputSerializer,
        responses={200: AlertOutputSerializer, **error_responses({409: "Already answered, or expired"})},
    )
    def post(self, request: Request, alert_id: int) -> Response:
        data = AlertRespondInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_respond(
            user=request.user, alert_id=alert_id, action=data.validated_data["action"], actor=actor_for_request(request)
        )
        return Response(AlertOutputSerializer(alert).data)


class AlertMarkReadApi(APIView):
    @extend_schema(request=None, responses={200: AlertOutputSerializer})
    def put(self, request: Request, alert_id: int) -> Response:
        refuse_body_fields(request)
        alert = services.alert_mark_read(user=request.user, alert_id=alert_id)
        return Response(AlertOutputSerializer(alert).data)


class AlertMarkAllReadApi(APIView):
    @extend_schema(request=None, responses={200: AlertMarkAllReadOutputSerializer})
    def post(self, request: Request) -> Response:
        refuse_body_fields(request)
        return Response({"marked": services.alert_mark_all_read(user=request.user)})


class AlertPreferenceApi(APIView):
    @extend_schema(responses={200: AlertPreferenceSerializer})
    def get(self, request: Request) -> Response:
        return Response(AlertPreferenceSerializer(selectors.preference_get(user=request.user)).data)

    @extend_schema(request=AlertPreferenceSerializer, responses={200: AlertPreferenceSerializer})
    def put(self, request: Request) -> Response:
        data = AlertPreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        clear = ("quiet_start" in v and v["quiet_start"] is None) or ("quiet_end" in v and v["quiet_end"] is None)
        pref = services.preference_update(
            user=request.user,
            muted_types=v.get("muted_types"),
            min_level=v.get("min_level"),
            quiet_start=v.get("quiet_start"),
            quiet_end=v.get("quiet_end"),
            telegram_chat_id=v.get("telegram_chat_id"),
            clear_quiet_hours=clear,
        )
        return Response(AlertPreferenceSerializer(pref).data)


class AlertSendTestApi(APIView):
    """Raise a SYSTEM test alert to yourself (checks a bot's handlers end to end)."""

    @extend_schema(request=AlertSendTestInputSerializer, responses={201: AlertOutputSerializer})
    def post(self, request: Request) -> Response:
        data = AlertSendTestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_send_test(user=request.user, **data.validated_data)
        return Response(AlertOutputSerializer(alert).data, status=201)
