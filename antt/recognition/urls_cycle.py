from django.urls import path

from antt.recognition import views_cycle as views

app_name = "cycle"
urlpatterns = [
    path("", views.cycle_home, name="cycle-home"),
    path("<int:year>/", views.registration_list, name="registration-list"),
    path("<int:year>/register/", views.registration_create, name="registration-create"),
    path("<int:year>/register-commune/", views.registration_bulk, name="registration-bulk"),
    path("<int:year>/decide/", views.decision_create, name="decision-create"),
    path("registration/<int:pk>/", views.registration_detail, name="registration-detail"),
    path("registration/<int:pk>/assess/", views.registration_assess, name="registration-assess"),
    path("registration/<int:pk>/submit/", views.registration_submit, name="registration-submit"),
    path("registration/<int:pk>/return/", views.registration_return, name="registration-return"),
    path(
        "registration/<int:pk>/appraise/",
        views.registration_appraise,
        name="registration-appraise",
    ),
    path(
        "registration/<int:pk>/documents/",
        views.registration_upload,
        name="registration-upload",
    ),
    path(
        "registration/<int:pk>/generate/",
        views.registration_generate,
        name="registration-generate",
    ),
    path("decision/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decision/<int:pk>/certify/", views.decision_certify, name="decision-certify"),
    path("decision/<int:pk>/annul/", views.decision_annul, name="decision-annul"),
    path("decision/<int:pk>/documents/", views.decision_documents, name="decision-documents"),
]
