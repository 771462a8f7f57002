"""Instrument master, quotes and depth over HTTP (thin: parse, call a selector, render)."""

import re

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketdata import selectors
from marketdata.errors import InvalidInstrumentKey
from oms_project.lib.api.schema import error_responses

from .serializers import (
    INSTRUMENT_KEY_PATTERN,
    InstrumentListFilterSerializer,
    InstrumentOutputSerializer,
    MarketDepthOutputSerializer,
    MarketQuoteFilterSerializer,
    MarketQuoteMapOutputSerializer,
)


@extend_schema(parameters=[InstrumentListFilterSerializer])
class InstrumentListApi(generics.ListAPIView):
    serializer_class = InstrumentOutputSerializer

    def get_queryset(self):  # noqa: ANN201
        filters = InstrumentListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.instrument_search(**filters.validated_data)


class InstrumentDetailApi(generics.RetrieveAPIView):
    serializer_class = InstrumentOutputSerializer

    def get_object(self):  # noqa: ANN201
        return selectors.instrument_get(self.kwargs["instrument_token"])


def _raise_for_bad_key(values: list[str]) -> None:
    """A malformed key keeps its own error code (INVALID_INSTRUMENT_KEY) and names the key."""
    if len(values) != 1:
        return
    for key in values[0].split(","):
        if not re.fullmatch(INSTRUMENT_KEY_PATTERN, key):
            raise InvalidInstrumentKey(details={"key": key})


class MarketQuoteApi(APIView):
    @extend_schema(
        parameters=[MarketQuoteFilterSerializer],
        responses={200: MarketQuoteMapOutputSerializer, **error_responses({404: "Unknown instrument keys"})},
    )
    def get(self, request: Request) -> Response:
        # ?instruments=A,B (documented), or Kite's repeated ?i=A&i=B (checked key by key by the selector).
        kite_form = request.query_params.getlist("i")
        if kite_form and "instruments" not in request.query_params:
            keys = [k for k in kite_form if k.strip()]
        else:
            filters = MarketQuoteFilterSerializer(data=request.query_params)
            if not filters.is_valid():
                _raise_for_bad_key(request.query_params.getlist("instruments"))
                raise ValidationError(filters.errors)
            keys = filters.validated_data["instruments"].split(",")
        if not keys:
            MarketQuoteFilterSerializer(data={}).is_valid(raise_exception=True)
        instruments = selectors.instruments_by_keys(keys)
        quotes = selectors.quotes_for(instruments.values())
        data = {key: selectors.quote_as_dict(inst, quotes[inst.instrument_token]) for key, inst in instruments.items()}
        return Response({"data": data})


class MarketDepthApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("instrument_token", int, OpenApiParameter.PATH)],
        responses={200: MarketDepthOutputSerializer},
    )
    def get(self, request: Request, instrument_token: int) -> Response:
        instrument = selectors.instrument_get(instrument_token)
        quote = selectors.quote_for(instrument)
        return Response(
            {
                "instrument_token": instrument.instrument_token,
                "exchange": instrument.exchange,
                "tradingsymbol": instrument.tradingsymbol,
                "timestamp": quote.timestamp.isoformat(),
                "last_price": str(quote.last_price),
                **selectors.depth_as_dict(quote),
            }
        )
