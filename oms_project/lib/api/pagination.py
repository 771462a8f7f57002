from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class StandardPagination(LimitOffsetPagination):
    """Limit/offset pages. Unlike DRF's default, a malformed `limit`/`offset` is refused with a clear
    error instead of being silently replaced by the default (a bot would page wrongly)."""

    default_limit = 100
    max_limit = 1000

    def _non_negative(self, request, name: str, minimum: int) -> int | None:  # noqa: ANN001
        raw = request.query_params.getlist(name)
        if not raw:
            return None
        if len(raw) > 1:
            raise ValidationError({name: [f"Give {name} once."]})
        try:
            value = int(raw[0])
        except (TypeError, ValueError):
            raise ValidationError({name: [f"{name} must be an integer."]}) from None
        if value < minimum:
            raise ValidationError({name: [f"{name} must be at least {minimum}."]})
        return value

    def get_limit(self, request):  # noqa: ANN001, ANN201
        limit = self._non_negative(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):  # noqa: ANN001, ANN201
        return self._non_negative(request, self.offset_query_param, 0) or 0

    def get_schema_operation_parameters(self, view):  # noqa: ANN001, ANN201
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: {"minimum": 1}, self.offset_query_param: {"minimum": 0}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = (
                    f"Items per page (default {self.default_limit}; larger than {self.max_limit} is capped)."
                )
        return parameters
