from django.urls import path

from antt.records import views

app_name = "records"
urlpatterns = [
    path("<str:code>/incidents/", views.incident_list, name="incident-list"),
    path("<str:code>/incidents/<int:pk>/void/", views.incident_void, name="incident-void"),
    path("<str:code>/incidents/<int:pk>/flags/", views.incident_flags, name="incident-flags"),
    path("<str:code>/<int:year>/facts/", views.facts_edit, name="facts-edit"),
    path("<str:code>/<int:year>/discipline/", views.discipline_list, name="discipline-list"),
    path(
        "<str:code>/<int:year>/discipline/<int:pk>/void/",
        views.discipline_void,
        name="discipline-void",
    ),
    path("<str:code>/<int:year>/judgements/", views.judgement_list, name="judgement-list"),
]
