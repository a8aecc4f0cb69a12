from django.urls import path

from . import views

app_name = "equity"

urlpatterns = [
    path("trusts/<int:trust_id>/equity/", views.trust_equity, name="trust"),
    path("trusts/<int:trust_id>/equity.csv", views.equity_csv, name="csv"),
    path("trusts/<int:trust_id>/equity/import/", views.breakdown_import, name="import"),
    path("trusts/<int:trust_id>/equity/import/commit/", views.breakdown_import_commit,
         name="import-commit"),
    path("regions/<int:region_id>/equity/", views.region_equity, name="region"),
]
