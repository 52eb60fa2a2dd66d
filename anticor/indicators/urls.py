from django.urls import path

from anticor.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("d/<str:code>/", views.dashboard, name="department-dashboard"),
    path("recompute/", views.recompute, name="recompute"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("collegium/", views.collegium, name="collegium"),
    path("collegium/report.xlsx", views.collegium_xlsx, name="collegium-xlsx"),
    path("collegium/approve/", views.collegium_approve, name="collegium-approve"),
]
