import datetime

from django.urls import path, register_converter

from . import views, views_import, views_local, views_pdsa


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(value) from None  # Django turns this into a 404

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
    path("wards/<int:ward_id>/change-ideas/", views_pdsa.ward_change_ideas,
         name="ward-change-ideas"),
    path("wards/<int:ward_id>/change-ideas/new/", views_pdsa.change_idea_new,
         name="change-idea-new"),
    path("trusts/<int:trust_id>/change-ideas/", views_pdsa.trust_change_ideas,
         name="trust-change-ideas"),
    path("change-ideas/<int:idea_id>/", views_pdsa.change_idea_detail, name="change-idea"),
    path("change-ideas/<int:idea_id>/edit/", views_pdsa.change_idea_edit,
         name="change-idea-edit"),
    path("change-ideas/<int:idea_id>/cycles/new/", views_pdsa.pdsa_cycle_new,
         name="pdsa-cycle-new"),
    path("change-ideas/<int:idea_id>/cycles/<int:number>/", views_pdsa.pdsa_cycle_edit,
         name="pdsa-cycle-edit"),
    path("change-ideas/<int:idea_id>/cycles/<int:number>/close/", views_pdsa.pdsa_cycle_close,
         name="pdsa-cycle-close"),
    path("trusts/<int:trust_id>/measures/", views_local.local_measure_list,
         name="local-measures"),
    path("trusts/<int:trust_id>/measures/add/", views_local.local_measure_add,
         name="local-measure-add"),
    path("trusts/<int:trust_id>/measures/<slug:measure_code>/", views_local.local_measure_edit,
         name="local-measure-edit"),
    path("trusts/<int:trust_id>/measures/<slug:measure_code>/retire/",
         views_local.local_measure_retire_view, name="local-measure-retire"),
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
