"""Funds API: thin views — resolve the caller's account (someone else's answers 404), call one
service or selector, render."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import account_get, account_resolve
from oms_project.lib.api.schema import error_responses
from portfolio import selectors, services

from .serializers import (
    FundsOutputSerializer,
    FundsPayInInputSerializer,
    FundsPayOutInputSerializer,
    LedgerEntryOutputSerializer,
    LedgerFilterSerializer,
)

FUNDS_WRITE_ERRORS = error_responses(
    {409: "Not a paper account (FUNDS_PAPER_ONLY), the account is disabled, or too little cash to pay out"}
)


def actor_of(request: Request) -> str:
    prefix = getattr(request.auth, "prefix", None)
    return f"api_key:{prefix}" if prefix else f"user:{request.user.pk}"


def _funds_response(account: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(FundsOutputSerializer(selectors.funds_for(account).as_dict()).data, status=code)


class FundsApi(APIView):
    """The account's cash, opening balance, pay-ins/outs and realised P&L."""

    @extend_schema(responses={200: FundsOutputSerializer})
    def get(self, request: Request, account_id: int) -> Response:
        return _funds_response(account_get(user=request.user, account_id=account_id))


class FundsPayInApi(APIView):
    @extend_schema(request=FundsPayInInputSerializer, responses={201: FundsOutputSerializer, **FUNDS_WRITE_ERRORS})
    def post(self, request: Request, account_id: int) -> Response:
        """Add cash to a paper account; answers the account's funds after it."""
        data = FundsPayInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_resolve(user=request.user, account_id=account_id)
        services.funds_pay_in(account=account, amount=data.validated_data["amount"], actor=actor_of(request))
        return _funds_response(account, status.HTTP_201_CREATED)


class FundsPayOutApi(APIView):
    @extend_schema(request=FundsPayOutInputSerializer, responses={201: FundsOutputSerializer, **FUNDS_WRITE_ERRORS})
    def post(self, request: Request, account_id: int) -> Response:
        """Withdraw cash from a paper account (at most its cash); answers the account's funds after it."""
        data = FundsPayOutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_resolve(user=request.user, account_id=account_id)
        services.funds_pay_out(account=account, amount=data.validated_data["amount"], actor=actor_of(request))
        return _funds_response(account, status.HTTP_201_CREATED)


class LedgerListApi(generics.ListAPIView):
    """The account's ledger, newest first: pay-ins/outs, realised P&L per trade, charges, M2M, adjustments."""

    serializer_class = LedgerEntryOutputSerializer

    @extend_schema(parameters=[LedgerFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # noqa: ANN201
        f = LedgerFilterSerializer(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        account = account_get(user=self.request.user, account_id=self.kwargs["account_id"])
        return selectors.ledger_for(account=account, kind=f.validated_data.get("kind"))
