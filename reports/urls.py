from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("trusts/<int:trust_id>/board-packs/", views.trust_packs, name="trust-packs"),
    path("regions/<int:region_id>/board-packs/", views.region_packs, name="region-packs"),
    path("board-packs/<int:pack_id>/", views.pack, name="pack"),
    path("board-packs/<int:pack_id>/pack.<str:fmt>", views.pack_file, name="pack-file"),
    path("trusts/<int:trust_id>/reminders/", views.schedule, name="schedule"),
    path("trusts/<int:trust_id>/messages/", views.sent_messages, name="messages"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
