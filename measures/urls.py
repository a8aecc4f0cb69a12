import datetime

from django.urls import path, register_converter

from mhsip.weeks import date_range_error

from . import views, views_import


class IsoDateConverter:
    """A day in the programme's range (mhsip.weeks); any other (0001-01-01, 9999-12-27, not a
    day) is a 404, as Django answers a converter's ValueError."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(value) from None
        if date_range_error(day):
            raise ValueError(value)
        return day

    def to_url(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)


register_converter(IsoDateConverter, "isodate")

app_name = "measures"
urlpatterns = [
    path("wards/<int:ward_id>/returns/", views.ward_returns, name="ward-returns"),
    path(
        "wards/<int:ward_id>/returns/<isodate:week_start>/",
        views.weekly_entry,
        name="weekly-entry",
    ),
    path(
        "wards/<int:ward_id>/returns.<str:file_format>",
        views.ward_export,
        name="ward-export",
    ),
    path(
        "trusts/<int:trust_id>/returns.<str:file_format>",
        views.trust_export,
        name="trust-export",
    ),
    path(
        "wards/<int:ward_id>/incidents.<str:file_format>",
        views.ward_incidents_export,
        name="ward-incidents-export",
    ),
    path(
        "trusts/<int:trust_id>/incidents.<str:file_format>",
        views.trust_incidents_export,
        name="trust-incidents-export",
    ),
    path(
        "trusts/<int:trust_id>/completeness/",
        views.trust_completeness,
        name="trust-completeness",
    ),
    path(
        "regions/<int:region_id>/completeness/",
        views.region_completeness,
        name="region-completeness",
    ),
    path("imports/", views_import.return_import, name="import"),
    path(
        "imports/template.<str:file_format>",
        views_import.return_import_template,
        name="import-template",
    ),
    path("imports/<int:upload_id>/", views_import.return_import_preview, name="import-preview"),
    path(
        "imports/<int:upload_id>/cancel/",
        views_import.return_import_cancel,
        name="import-cancel",
    ),
]
