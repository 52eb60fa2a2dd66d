from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("list/", views.project_list, name="project-list"),
    path("new/", views.project_create, name="project-create"),
    path("<str:code>/", views.project_detail, name="project-detail"),
    path("<str:code>/edit/", views.project_edit, name="project-edit"),
    path("<str:code>/transition/", views.project_transition, name="project-transition"),
    path("<str:code>/kpis/new/", views.kpi_create, name="kpi-create"),
    path("<str:code>/kpis/<int:pk>/edit/", views.kpi_edit, name="kpi-edit"),
    path("<str:code>/kpis/<int:pk>/measure/", views.kpi_measure, name="kpi-measure"),
    path("<str:code>/milestones/new/", views.milestone_create, name="milestone-create"),
    path("<str:code>/milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("<str:code>/milestones/<int:pk>/edit/", views.milestone_edit, name="milestone-edit"),
    path("<str:code>/milestones/<int:pk>/status/", views.milestone_status, name="milestone-status"),
    path("<str:code>/risks/new/", views.risk_create, name="risk-create"),
    path("<str:code>/risks/<int:pk>/edit/", views.risk_edit, name="risk-edit"),
    path("<str:code>/events/new/", views.public_event_create, name="public-event-create"),
    path("<str:code>/events/<int:pk>/edit/", views.public_event_edit, name="public-event-edit"),
]
