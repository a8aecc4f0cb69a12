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
