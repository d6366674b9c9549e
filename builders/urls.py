from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from builders import views
from builders.forms import QueuedPasswordResetForm

app_name = "builders"

# Django's own auth views, with our templates and our namespace's URL names.
_reset_done = reverse_lazy("builders:password-reset-done")
_reset_complete = reverse_lazy("builders:password-reset-complete")

urlpatterns = [
    path("accounts/signup/", views.sign_up, name="sign-up"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="builders/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            template_name="builders/password_reset_form.html",
            email_template_name="builders/email/password_reset.txt",
            subject_template_name="builders/email/password_reset_subject.txt",
            success_url=_reset_done,
        ),
        name="password-reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="builders/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="builders/password_reset_confirm.html", success_url=_reset_complete
        ),
        name="password-reset-confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="builders/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify-email"),
    path("accounts/verify-again/", views.resend_verification, name="resend-verification"),
    path("claim/<slug:slug>/", views.claim, name="claim"),
    path("claim/check/<int:claim_id>/", views.claim_check, name="claim-check"),
    path("claim/confirm/<str:token>/", views.claim_confirm, name="claim-confirm"),
    path("correct/<slug:slug>/", views.correction_suggest, name="correction"),
    path(
        "builder/corrections/<int:correction_id>/<str:decision>/",
        views.correction_decide,
        name="correction-decide",
    ),
    path("submit/", views.submit, name="submit"),
    path("builder/", views.dashboard, name="dashboard"),
    path("builder/<slug:slug>/", views.artifact_analytics, name="analytics"),
    path("builder/<slug:slug>/edit/", views.listing_edit, name="listing-edit"),
    path(
        "builder/<slug:slug>/edit/capabilities/",
        views.listing_capabilities,
        name="listing-capabilities",
    ),
    path("builder/<slug:slug>/edit/prices/", views.listing_prices, name="listing-prices"),
    path("builder/<slug:slug>/<str:table>.csv", views.analytics_export, name="analytics-export"),
]
