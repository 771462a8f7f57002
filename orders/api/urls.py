from django.urls import include, path

from . import algos, completion, execution, views
from .square_off import SquareOffAllApi

urlpatterns: list = [
    path("broker/kite/", include("orders.brokers.kite_api_urls")),
    path("orders/", views.OrderListCreateApi.as_view(), name="api-order-list"),
    path("orders/preview/", views.OrderPreviewApi.as_view(), name="api-order-preview"),
    path("orders/analyze-execution/", execution.AnalyzeExecutionApi.as_view(), name="api-order-analyze-execution"),
    path("orders/validate-spread/", execution.ValidateSpreadApi.as_view(), name="api-order-validate-spread"),
    path("orders/estimate-impact/", execution.EstimateImpactApi.as_view(), name="api-order-estimate-impact"),
    path("analytics/slippage/", execution.SlippageSummaryApi.as_view(), name="api-analytics-slippage"),
    path("orders/twap/", algos.TwapStartApi.as_view(), name="api-order-twap"),
    path("orders/iceberg/", algos.IcebergStartApi.as_view(), name="api-order-iceberg"),
    path("orders/depth-split/", algos.DepthSplitStartApi.as_view(), name="api-order-depth-split"),
    path("executions/", algos.ExecutionListApi.as_view(), name="api-execution-list"),
    path("executions/<int:execution_id>/", algos.ExecutionDetailApi.as_view(), name="api-execution-detail"),
    path("executions/<int:execution_id>/pause/", algos.ExecutionPauseApi.as_view(), name="api-execution-pause"),
    path("executions/<int:execution_id>/resume/", algos.ExecutionResumeApi.as_view(), name="api-execution-resume"),
    path("executions/<int:execution_id>/cancel/", algos.ExecutionCancelApi.as_view(), name="api-execution-cancel"),
    path("orders/preferences/", views.OrderPreferencesApi.as_view(), name="api-order-preferences"),
    path("orders/cancel-all/", views.OrderCancelAllApi.as_view(), name="api-order-cancel-all"),
    path("orders/metrics/summary/", views.OrderMetricsSummaryApi.as_view(), name="api-order-metrics"),
    path("orders/positions/current/", views.PositionCurrentApi.as_view(), name="api-position-current"),
    path("orders/<int:order_id>/", views.OrderDetailApi.as_view(), name="api-order-detail"),
    path("orders/<int:order_id>/history/", views.OrderHistoryApi.as_view(), name="api-order-history"),
    path("orders/<int:order_id>/approve/", views.OrderApproveApi.as_view(), name="api-order-approve"),
    path("orders/<int:order_id>/completion/", completion.OrderCompletionApi.as_view(), name="api-order-completion"),
    path("trades/", views.TradeListApi.as_view(), name="api-trade-list"),
    path("positions/", views.PositionListApi.as_view(), name="api-position-list"),
    path("positions/<int:position_id>/exit/", views.PositionExitApi.as_view(), name="api-position-exit"),
    path("strategies/", views.StrategyListCreateApi.as_view(), name="api-strategy-list"),
    path("strategies/presets/", views.StrategyPresetsApi.as_view(), name="api-strategy-presets"),
    path("strategies/square-off-all/", SquareOffAllApi.as_view(), name="api-strategy-square-off-all"),
    path("strategies/<int:strategy_id>/", views.StrategyDetailApi.as_view(), name="api-strategy-detail"),
]
