"""The floor endpoint: DRF view, our API-key authentication (one indexed key lookup, with its user), one
31-column INSERT, a small JSON answer. No validation beyond DRF's JSON parse, no audit, no broker."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiKeyAuthentication

from .models import FloorOrder


class FloorOrderApi(APIView):
    authentication_classes = [ApiKeyAuthentication]

    def post(self, request: Request) -> Response:
        d = request.data
        now = timezone.now()
        o = FloorOrder.objects.create(
            user=request.user,
            account_id_ref=int(d.get("account_id") or 0),
            exchange="NFO",
            tradingsymbol="FLOOR",
            instrument_token=int(d["instrument_token"]),
            transaction_type=d["transaction_type"],
            product=d["product"],
            order_type=d["order_type"],
            quantity=int(d["quantity"]),
            pending_quantity=int(d["quantity"]),
            price=Decimal(str(d["price"])),
            client_order_id=d.get("client_order_id"),
            payload_hash=hashlib.sha256(repr(sorted(d.items())).encode()).hexdigest(),
            tag="fl" + now.strftime("%H%M%S%f"),
            created_at=now,
            updated_at=now,
        )
        return Response({"id": o.pk, "status": o.status, "quantity": o.quantity, "price": str(o.price)}, status=201)
