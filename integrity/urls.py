from django.urls import path

from integrity import views

app_name = "integrity"

urlpatterns = [
    path("", views.employee_list, name="employee-list"),
    path("new/", views.employee_create, name="employee-create"),
    path("summary/", views.summary, name="summary"),
    path("e/<str:personnel_number>/", views.employee_detail, name="employee-detail"),
    path("e/<str:personnel_number>/edit/", views.employee_edit, name="employee-edit"),
    path("e/<str:personnel_number>/discipline/new/", views.discipline_create, name="discipline-create"),
    path("e/<str:personnel_number>/convictions/new/", views.conviction_create, name="conviction-create"),
    path("discipline/", views.discipline_list, name="discipline-list"),
    path("discipline/<int:pk>/", views.discipline_detail, name="discipline-detail"),
    path("discipline/<int:pk>/edit/", views.discipline_edit, name="discipline-edit"),
    path("discipline/<int:pk>/transition/", views.discipline_transition, name="discipline-transition"),
    path("checks/", views.check_list, name="check-list"),
    path("checks/new/", views.check_create, name="check-create"),
    path("checks/<int:pk>/", views.check_detail, name="check-detail"),
    path("checks/<int:pk>/edit/", views.check_edit, name="check-edit"),
    path("checks/<int:pk>/<slug:step>/", views.check_step, name="check-step"),
]
