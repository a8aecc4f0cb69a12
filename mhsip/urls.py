from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "MHSIP measurement admin"
admin.site.site_title = "MHSIP admin"
handler403 = "mhsip.errors.permission_denied"
handler404 = "mhsip.errors.page_not_found"
handler500 = "mhsip.errors.server_error"

urlpatterns = [
    path("", include("audit.urls")),  # the home page, /healthz, /audit/
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("spc.urls")),
    path("", include("reports.urls")),  # board packs, reminder times, emails sent, unsubscribe
    path("admin/", admin.site.urls),
    path("", include("measures.urls")),
    path("", include("equity.urls")),
    path("", include("mhsip.api_urls")),  # /api/v1/, /api/schema/, /api/docs/, /profile/tokens/
]
