from django.urls import path

from samraad.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.verify, name="verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/recovery-codes/", views.new_recovery_codes, name="new_recovery_codes"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("staff/", views.start, name="start"),
    path("staff/organisations/<uuid:organisation_id>/", views.organisation_detail, name="organisation_detail"),
]
