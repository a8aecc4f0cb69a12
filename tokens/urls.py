from django.urls import path

from . import views

app_name = "tokens"
urlpatterns = [
    path("profile/tokens/", views.token_list, name="list"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="revoke"),
]
