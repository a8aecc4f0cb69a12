"""The REST API (v1), its OpenAPI schema and docs, and the profile page for API tokens."""

from django.urls import include, path, register_converter
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from equity import api as equity_api
from measures import api as measures_api
from mhsip.api import IdConverter
from spc import api as spc_api
from wards import api as wards_api

register_converter(IdConverter, "id")

v1 = [
    path("regions/", wards_api.RegionListApi.as_view(), name="regions"),
    path("regions/<id:region_id>/", wards_api.RegionDetailApi.as_view(), name="region"),
    path("trusts/", wards_api.TrustListApi.as_view(), name="trusts"),
    path("trusts/<id:trust_id>/", wards_api.TrustDetailApi.as_view(), name="trust"),
    path("wards/", wards_api.WardListApi.as_view(), name="wards"),
    path("wards/<id:ward_id>/", wards_api.WardDetailApi.as_view(), name="ward"),
    path("measures/", measures_api.MeasureListApi.as_view(), name="measures"),
    path("measures/<str:code>/", measures_api.MeasureDetailApi.as_view(), name="measure"),
    path("programmes/", measures_api.ProgrammeListApi.as_view(), name="programmes"),
    path(
        "programmes/<id:programme_id>/",
        measures_api.ProgrammeDetailApi.as_view(),
        name="programme",
    ),
    path("returns/", measures_api.ReturnListApi.as_view(), name="returns"),
    path("returns/bulk/", measures_api.ReturnBulkApi.as_view(), name="returns-bulk"),
    path("returns/<id:return_id>/", measures_api.ReturnDetailApi.as_view(), name="return"),
    path("change-ideas/", measures_api.ChangeIdeaListApi.as_view(), name="change-ideas"),
    path(
        "change-ideas/<id:idea_id>/",
        measures_api.ChangeIdeaDetailApi.as_view(),
        name="change-idea",
    ),
    path(
        "change-ideas/<id:idea_id>/cycles/",
        measures_api.PdsaCycleListApi.as_view(),
        name="pdsa-cycles",
    ),
    path(
        "change-ideas/<id:idea_id>/cycles/<id:number>/",
        measures_api.PdsaCycleDetailApi.as_view(),
        name="pdsa-cycle",
    ),
    path("charts/", spc_api.ChartApi.as_view(), name="chart"),
    path("comparison/", spc_api.ComparisonApi.as_view(), name="comparison"),
    path("trusts/<id:trust_id>/equity/", equity_api.TrustEquityApi.as_view(), name="trust-equity"),
]

urlpatterns = [
    path("api/v1/", include((v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script (CSP).
    path(
        "api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"
    ),
    path("api/docs/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("tokens.urls")),
]
