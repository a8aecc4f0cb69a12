from django.urls import path

from . import views

# Not namespaced: `home`, `healthz` and `audit` are the site's own names.
urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("trusts/", views.switch, name="switch"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", views.audit_log, name="audit"),
]
