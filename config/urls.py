from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import home, views
from organization import views as organization_views

admin.site.site_header = _("Madoguchi administration")
admin.site.site_title = _("Madoguchi")
admin.site.index_title = _("Master data")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", organization_views.privacy, name="privacy"),
    path("accessibility/", organization_views.accessibility, name="accessibility"),
    path("site/logo", organization_views.site_logo, name="site_logo"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/setup/", organization_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", organization_views.two_factor_verify, name="two_factor_verify"),
    # The staff home keeps its name "organization:staff_home" (templates, the login
    # redirect); the view lives in config because it reads every app.
    path("staff/", include(([path("", home.staff_home, name="staff_home")], "organization"))),
    path("", include("reservations.urls")),
    path("notices/", include("notices.urls")),
    path("complaints/", include("complaints.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

# Uploaded and generated files (letter PDFs with names and addresses, import uploads) are
# never served by their path, not even with DEBUG on (a trial with real records): each
# reaches its reader through a view that checks who asks (the letters' parts, the logo).
