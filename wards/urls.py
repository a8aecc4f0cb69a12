from django.urls import path

from . import views

app_name = "wards"
urlpatterns = [
    path("trusts/<int:trust_id>/members/", views.trust_members, name="trust-members"),
]
