"""Accounts: sign up, confirm the address, log in and out, reset the password by email."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from builders.models import Account
from tests.builders.conftest import make_user
from tests.clients import CommittingClient

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "username": "grace",
    "email": "grace@mail.example",
    "password1": "correct horse battery",
    "password2": "correct horse battery",
}


def link_in_last_email(pattern: str) -> str:
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_sign_up_logs_in_and_sends_a_confirmation_link(client):
    response = client.post(reverse("builders:sign-up"), SIGN_UP)
    assert response.status_code == 302
    user = get_user_model().objects.get(username="grace")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert mail.outbox[-1].to == ["grace@mail.example"]
    assert Account.objects.get(user=user).email_verified_at is None

    page = client.get(link_in_last_email(r"/accounts/verify/[^/\s]+/"))
    assert page.status_code == 200
    assert Account.objects.get(user=user).email_verified_at is not None


def test_sign_up_refuses_a_taken_address_with_a_400(client):
    make_user("first", email="grace@mail.example")
    response = client.post(reverse("builders:sign-up"), SIGN_UP)
    assert response.status_code == 400
    assert "log in instead" in response.content.decode()


def test_a_confirmation_link_expires(client, settings):
    client.post(reverse("builders:sign-up"), SIGN_UP)
    link = link_in_last_email(r"/accounts/verify/[^/\s]+/")
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(
        seconds=settings.BUILDERS_EMAIL_LINK_MAX_AGE + 1
    )
    with time_machine.travel(later):
        assert client.get(link).status_code == 400
    assert client.get(reverse("builders:verify-email", args=["forged:token"])).status_code == 400


def test_a_confirmation_link_for_an_old_address_does_nothing(client):
    client.post(reverse("builders:sign-up"), SIGN_UP)
    link = link_in_last_email(r"/accounts/verify/[^/\s]+/")
    get_user_model().objects.filter(username="grace").update(email="new@mail.example")
    assert client.get(link).status_code == 400


def test_log_in_and_log_out(client):
    make_user("ada")
    response = client.post(
        reverse("builders:login"), {"username": "ada", "password": "a-long-pass-phrase"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("builders:dashboard")
    assert "Log out" in client.get(reverse("builders:dashboard")).content.decode()
    client.post(reverse("builders:logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client):
    make_user("ada", email="ada@mail.example")
    client.post(reverse("builders:password-reset"), {"email": "ada@mail.example"})
    link = link_in_last_email(r"/accounts/reset/[^/\s]+/[^/\s]+/")
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another long phrase", "new_password2": "another long phrase"},
    )
    assert client.login(username="ada", password="another long phrase")


def test_the_header_says_log_in_or_names_the_account(client):
    assert ">Log in<" in client.get(reverse("builders:login")).content.decode()
    client.force_login(make_user("ada"))
    assert ">ada<" in client.get(reverse("builders:dashboard")).content.decode()


def test_verification_emails_are_rate_limited(client):
    from builders.ratelimit import EMAILS_PER_USER

    client.force_login(make_user("ada", verified=False))
    for _ in range(EMAILS_PER_USER.limit):
        client.post(reverse("builders:resend-verification"))
    response = client.post(reverse("builders:resend-verification"), follow=True)
    assert "Too many" in response.content.decode()
    assert len(mail.outbox) == EMAILS_PER_USER.limit


def test_a_confirmed_account_gets_no_new_link(client):
    client.force_login(make_user("ada"))
    response = client.post(reverse("builders:resend-verification"), follow=True)
    assert "confirmed already" in response.content.decode()
    assert not mail.outbox


def test_choosing_a_new_password_refuses_a_post_without_a_csrf_token():
    make_user("ada", email="ada@mail.example")
    client = CommittingClient(enforce_csrf_checks=True)
    page = client.get(reverse("builders:password-reset"))
    token = page.cookies["csrftoken"].value
    client.post(
        reverse("builders:password-reset"),
        {"email": "ada@mail.example", "csrfmiddlewaretoken": token},
    )
    link = link_in_last_email(r"/accounts/reset/[^/\s]+/[^/\s]+/")
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another long phrase", "new_password2": "another long phrase"},
    )
    assert response.status_code == 403
