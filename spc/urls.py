from django.urls import path

from . import views

app_name = "spc"

urlpatterns = [
    path(
        "wards/<int:ward_id>/charts/<slug:measure_code>/settings/",
        views.chart_settings,
        name="chart-settings",
    ),
    path(
        "wards/<int:ward_id>/charts/<slug:measure_code>/breaks/",
        views.phase_break_add,
        name="phase-break-add",
    ),
    path(
        "wards/<int:ward_id>/charts/<slug:measure_code>/breaks/<int:break_id>/delete/",
        views.phase_break_delete,
        name="phase-break-delete",
    ),
]

urlpatterns += [
    path("wards/<int:ward_id>/", views.ward_dashboard, name="ward-dashboard"),
    path("trusts/<int:trust_id>/", views.trust_matrix, name="trust-matrix"),
    path("trusts/<int:trust_id>/charts/", views.trust_charts, name="trust-charts"),
    path("regions/<int:region_id>/", views.region_compare, name="region-compare"),
    path(
        "charts/<str:scope>/<int:scope_id>/<slug:measure_code>.csv",
        views.chart_csv,
        name="chart-csv",
    ),
]
