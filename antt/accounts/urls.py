from django.urls import path

from antt.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("2fa/", views.two_factor_verify, name="2fa-verify"),
    path("2fa/setup/", views.two_factor_setup, name="2fa-setup"),
    path("2fa/recovery/", views.two_factor_recovery, name="2fa-recovery"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<str:username>/revoke/", views.token_revoke, name="token-revoke"),
]
