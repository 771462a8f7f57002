from django.urls import path

from . import views

urlpatterns: list = [
    path("strategies/<int:strategy_id>/reconcile-orders/", views.StrategyReconcileOrdersApi.as_view(),
         name="api-strategy-reconcile-orders"),
    path("strategies/<int:strategy_id>/cleanup-orphaned-orders/", views.StrategyCleanupOrphansApi.as_view(),
         name="api-strategy-cleanup-orphans"),
    path("strategies/<int:strategy_id>/orphaned-orders/", views.StrategyOrphansApi.as_view(),
         name="api-strategy-orphans"),
    path("strategies/<int:strategy_id>/snapshots/", views.StrategySnapshotsApi.as_view(), name="api-strategy-snapshots"),
    path("strategies/<int:strategy_id>/settings/", views.StrategySettingsApi.as_view(), name="api-strategy-settings"),
    path("admin/housekeeping/eod/", views.AdminEodApi.as_view(), name="api-housekeeping-eod"),
    path("admin/housekeeping/reconcile-all/", views.AdminReconcileAllApi.as_view(), name="api-housekeeping-reconcile"),
    path("admin/housekeeping/jobs/", views.AdminJobsApi.as_view(), name="api-housekeeping-jobs"),
    path("admin/housekeeping/jobs/<slug:name>/run/", views.AdminJobRunApi.as_view(), name="api-housekeeping-job-run"),
    path("admin/housekeeping/logs/", views.AdminLogsApi.as_view(), name="api-housekeeping-logs"),
    path("admin/housekeeping/mismatches/", views.MismatchListApi.as_view(), name="api-housekeeping-mismatches"),
    path("admin/housekeeping/mismatches/<int:mismatch_id>/adopt/", views.MismatchAdoptApi.as_view(),
         name="api-housekeeping-adopt"),
]  # fmt: skip
