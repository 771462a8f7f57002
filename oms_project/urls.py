from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from oms_project import views
from portfolio.admin import legacy_admin_redirect

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("portfolio.api.urls")),
    path("", include("marketdata.api.urls")),
    path("", include("margin.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("risk.api.urls")),
    path("", include("housekeeping.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

urlpatterns = [
    # Moved to the portfolio app (#8): the old admin addresses keep working.
    re_path(r"^admin/orders/(?P<model>strategy|trade|position)/(?P<rest>.*)$", legacy_admin_redirect),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("marketdata.urls")),
    path("", include("orders.urls")),
    path("", include("portfolio.urls")),
    path("", include("margin.urls")),
    path("", include("alerts.urls")),
    path("", include("risk.urls")),
    path("", include("housekeeping.urls")),
]

handler404 = "oms_project.views.not_found"
handler500 = "oms_project.views.server_error"
