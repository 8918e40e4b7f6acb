from django.urls import path

from antt.recognition import views_verify

app_name = "verify"
urlpatterns = [
    path("", views_verify.verify_form, name="verify-form"),
    # The QR code points to /verify/<code> (no trailing slash); both forms are accepted.
    path("<str:code>", views_verify.verify_code, name="certificate-verify"),
    path("<str:code>/", views_verify.verify_code),
]
