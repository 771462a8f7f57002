from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from oms_project.lib.api.fields import refuse_body_fields

from .serializers import (
    ApiKeyCreatedOutputSerializer,
    ApiKeyCreateInputSerializer,
    ApiKeyOutputSerializer,
    TradingAccountOutputSerializer,
)


class AccountListApi(generics.ListAPIView):
    serializer_class = TradingAccountOutputSerializer

    def get_queryset(self):  # noqa: ANN201
        return selectors.account_list(user=self.request.user)


class AccountDetailApi(generics.RetrieveAPIView):
    serializer_class = TradingAccountOutputSerializer

    def get_object(self):  # noqa: ANN201
        return selectors.account_get(user=self.request.user, account_id=self.kwargs["account_id"])


class ApiKeyListCreateApi(generics.ListAPIView):
    serializer_class = ApiKeyOutputSerializer

    def get_queryset(self):  # noqa: ANN201
        return selectors.api_key_list(user=self.request.user)

    @extend_schema(request=ApiKeyCreateInputSerializer, responses={201: ApiKeyCreatedOutputSerializer})
    def post(self, request: Request) -> Response:
        data = ApiKeyCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key, raw_key = services.api_key_create(user=request.user, name=data.validated_data["name"])
        api_key.key = raw_key
        return Response(ApiKeyCreatedOutputSerializer(api_key).data, status=status.HTTP_201_CREATED)


class ApiKeyRevokeApi(APIView):
    @extend_schema(request=None, responses={200: ApiKeyOutputSerializer})
    def delete(self, request: Request, key_id: str) -> Response:
        refuse_body_fields(request)
        api_key = services.api_key_revoke(user=request.user, key_id=key_id)
        return Response(ApiKeyOutputSerializer(api_key).data)
