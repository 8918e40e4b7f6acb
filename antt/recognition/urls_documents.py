from django.urls import path

from antt.recognition import views_documents

app_name = "documents"
urlpatterns = [
    path("<int:pk>/", views_documents.document_download, name="document-download"),
]
