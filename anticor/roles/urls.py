from django.urls import path

from anticor.roles import views

app_name = "roles"

urlpatterns = [
    path("", views.role_change_log, name="log"),
    path("export/", views.role_change_export, name="export"),
    path("requests/", views.role_requests, name="requests"),
    path("requests/<int:pk>/decide/", views.role_change_decide, name="decide"),
]
