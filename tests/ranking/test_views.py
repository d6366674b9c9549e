"""The "how ranking works" page."""

import pytest
from django.urls import reverse

from ranking import services
from ranking.signals import SIGNALS
from tests.catalog.factories import ArtifactFactory, SignalsFactory
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

URL = reverse("ranking:how-it-works")


def test_how_it_works_explains_the_formula_with_the_current_weights(client):
    artifact = ArtifactFactory()
    SignalsFactory(artifact=artifact)
    services.rank_recompute_all(now=FROZEN_NOW)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert URL == "/ranking/"
    for text in [
        "How UnfragileRank works",
        "unknown, not zero",
        "same kind",
        "halves every 180 days",
        "<strong>35%</strong>",
        "<strong>25%</strong>",
        "top 20%",
        "What never counts",
        "1 artifact ranked",
    ]:
        assert text in html, text
    for signal in SIGNALS:  # named from the registry, for what each measures
        assert f'<th scope="row">{signal.name}</th>' in html, signal.name
    assert "Quality" not in html


def test_how_it_works_before_any_run_shows_the_default_weights(client):
    html = client.get(URL).content.decode()
    assert "defaults" in html
    assert "No ranking has been computed yet." in html


def test_how_it_works_query_count_is_bounded(client, django_assert_max_num_queries):
    """Current run with its weights, and rising stars: not a query per signal."""
    services.rank_recompute_all(now=FROZEN_NOW)
    with django_assert_max_num_queries(3):
        assert client.get(URL).status_code == 200


def test_how_it_works_refuses_post(client):
    assert client.post(URL).status_code == 405
