from django.urls import path

from . import views

urlpatterns: list = [
    path("health/ready", views.health_ready, name="health-ready"),
    path("metrics", views.metrics_view, name="metrics"),
    path("housekeeping/", views.panel, name="housekeeping-panel"),
    path("housekeeping/run/<slug:name>/", views.run_now, name="housekeeping-run"),
    path("housekeeping/orphans/", views.orphan_list, name="housekeeping-orphans"),
    path("housekeeping/orphans/<int:order_id>/<slug:action>/", views.orphan_action, name="housekeeping-orphan-action"),
    path("housekeeping/mismatches/", views.mismatch_list, name="housekeeping-mismatches"),
    path("housekeeping/mismatches/<int:mismatch_id>/adopt/", views.mismatch_adopt, name="housekeeping-adopt"),
    path("housekeeping/archive/", views.archive_page, name="housekeeping-archive"),
    path("housekeeping/eod/", views.eod_page, name="housekeeping-eod"),
    path("housekeeping/eod.csv", views.eod_csv, name="housekeeping-eod-csv"),
    path("housekeeping/audit.csv", views.audit_csv, name="housekeeping-audit-csv"),
    path("strategies/settings/", views.strategy_settings, name="strategy-settings"),
]
