from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("export/<str:fmt>/", views.case_export, name="case-export"),
    path("new/", views.case_create, name="case-create"),
    path("assign/", views.case_assign_bulk, name="case-assign-bulk"),
    path("import/", views.case_import, name="case-import"),
    path("import/template.xlsx", views.case_import_template, name="case-import-template"),
    path("root-causes/", views.root_cause_list, name="root-cause-list"),
    path("root-causes/new/", views.root_cause_form, name="root-cause-create"),
    path("root-causes/<int:pk>/", views.root_cause_detail, name="root-cause-detail"),
    path("root-causes/<int:pk>/edit/", views.root_cause_form, name="root-cause-edit"),
    path("root-causes/<int:pk>/transition/", views.root_cause_transition, name="root-cause-transition"),
    path("root-causes/<int:pk>/link/", views.root_cause_link, name="root-cause-link"),
    path("recommendations/", views.recommendation_list, name="recommendation-list"),
    path("recommendations/new/", views.recommendation_form, name="recommendation-create"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation-detail"),
    path("recommendations/<int:pk>/edit/", views.recommendation_form, name="recommendation-edit"),
    path("recommendations/<int:pk>/transition/", views.recommendation_transition, name="recommendation-transition"),
    path("<str:number>/", views.case_detail, name="case-detail"),
    path("<str:number>/edit/", views.case_edit, name="case-edit"),
    path("<str:number>/transition/", views.case_transition, name="case-transition"),
    path("<str:number>/archive/", views.case_archive, name="case-archive"),
    path("<str:number>/assign/", views.case_assign, name="case-assign"),
]
