"""Ranking fixtures. (Celery runs tasks eagerly in every test, see tests/conftest.py; the
real-worker test opts out with the `real_worker` marker.)"""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client.force_login(user)
    return client
