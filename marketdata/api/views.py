"""Instrument master, quotes and depth over HTTP (thin: parse, call a selector, render)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketdata import selectors

from .serializers import (
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


class MarketQuoteApi(APIView):
    @extend_schema(parameters=[MarketQuoteFilterSerializer], responses={200: MarketQuoteMapOutputSerializer})
    def get(self, request: Request) -> Response:
        # Accept ?instruments=A,B and Kite's repeated ?i=A&i=B.
        raw = [*request.query_params.getlist("instruments"), *request.query_params.getlist("i")]
        keys = [k for part in raw for k in part.split(",") if k.strip()]
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
