"""POST /api/v1/broker/kite/postback/ - Kite's order postbacks (no session or API key: the
account is identified by user_id and proven by the SHA-256 checksum with its api_secret)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms_project.lib.api.fields import StrictCharField
from oms_project.lib.api.schema import error_responses
from orders.brokers.kite.errors import KitePostbackInvalid
from orders.brokers.kite.services import kite_postback_receive


# Kite's order postback (research/kite-api.md §4.1, kite-mocks postback.json). Only the fields the
# receiver needs are required: user_id finds the account, order_id + order_timestamp + checksum prove it
# (sha256(order_id + order_timestamp + api_secret)); the rest is the order's state as Kite reports it.
class KitePostbackInputSerializer(serializers.Serializer):
    """Kite's order update. Other fields of Kite's body (status, quantities, prices, ...) are read as sent.

    The one body that takes fields it does not name (not a `StrictInputSerializer`): Kite owns its shape
    and adds fields over time (kite-api.md §4.1: `meta`, `guid`, `market_protection`, ...); refusing them
    would drop real order updates. The checksum, not the field list, proves the body."""

    user_id = StrictCharField(max_length=32, help_text="Kite user id, e.g. AB1234")
    order_id = StrictCharField(max_length=64, help_text="Kite order id, e.g. 220303000308932")
    order_timestamp = StrictCharField(max_length=32, help_text='As Kite sends it, e.g. "2022-03-03 09:24:25"')
    checksum = StrictCharField(max_length=128, help_text="sha256(order_id + order_timestamp + api_secret), hex")
    status = StrictCharField(required=False, max_length=32, help_text="COMPLETE, CANCELLED, REJECTED, UPDATE, ...")


KITE_POSTBACK_ACK_SCHEMA = {
    "type": "object",
    "required": ["status", "applied"],
    "properties": {"status": {"type": "string", "enum": ["ok"]}, "applied": {"type": "boolean"}},
}


class KitePostbackReceiveApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="Kite order postback (called by Kite, not by users)",
        request=KitePostbackInputSerializer,
        responses={
            200: OpenApiResponse(response=KITE_POSTBACK_ACK_SCHEMA, description="Received (applied: state changed)"),
            **error_responses({403: "The checksum matches no Kite account (KITE_POSTBACK_CHECKSUM_INVALID)"}),
        },
        tags=["broker"],
    )
    def post(self, request: Request) -> Response:
        shape = KitePostbackInputSerializer(data=request.data)
        if not shape.is_valid():
            raise KitePostbackInvalid(details={"fields": shape.errors})
        applied = kite_postback_receive(payload=request.data)
        return Response({"status": "ok", "applied": applied})
