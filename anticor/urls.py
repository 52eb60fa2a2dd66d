"""Root URL configuration. Every route requires login (LoginRequiredMiddleware) except login itself,
the language switch on the login page, ``/health/`` (load balancers) and the static files."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from anticor import views
from anticor.forms import LoginForm
from anticor.health import health

admin.site.site_header = "Anticor"
admin.site.site_title = "Anticor"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("reference/", views.reference_index, name="reference-index"),
    path("reference/<slug:kind>/", views.reference_list, name="reference-list"),
    path("history/<str:app_label>/<str:model_name>/<str:pk>/", views.history, name="history"),
    path("audit/access-log/", views.access_log, name="access-log"),
    path("roles/", include("anticor.roles.urls")),
    path("cases/", include("cases.urls")),
    path("projects/", include("projects.urls")),
    path("integrity/", include("integrity.urls")),
    path("indicators/", include("anticor.indicators.urls")),
    path("api/v1/", include("anticor.api.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "anticor.views.not_found"
handler500 = "anticor.views.server_error"
