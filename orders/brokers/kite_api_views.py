"""POST /api/v1/broker/kite/postback/ - Kite's order postbacks (no session or API key: the
account is identified by user_id and proven by the SHA-256 checksum with its api_secret)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.brokers.kite.services import kite_postback_receive


class KitePostbackReceiveApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="Kite order postback (called by Kite, not by users)",
        request=inline_serializer("KitePostbackInputSerializer", {"order_id": serializers.CharField()}),
        responses={200: OpenApiResponse(description='{"status": "ok", "applied": true|false}')},
        tags=["broker"],
    )
    def post(self, request: Request) -> Response:
        applied = kite_postback_receive(payload=request.data)
        return Response({"status": "ok", "applied": applied})
