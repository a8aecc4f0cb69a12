from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password-done")),
        name="password",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password-done"),
    path(
        "reset/",
        auth_views.PasswordResetView.as_view(success_url=reverse_lazy("accounts:reset-sent")),
        name="reset",
    ),
    path("reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="reset-sent"),
    path(
        "reset/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(success_url=reverse_lazy("accounts:reset-done")),
        name="reset-confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="reset-done"),
]
