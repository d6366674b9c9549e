"""A rank nobody can farm, end to end: scripted requests through the real views, then the
aggregation and the rank computation, next to genuine visitors who still move both.
(`benchmarks/farming_simulation.py` runs the same attacks at full size on the demo.)"""

import re

import pytest
from django.test import TestCase
from django.urls import reverse

from catalog.models import Artifact
from catalog.search_index import artifacts_refresh_search
from matchgraph.aggregation import match_graph_aggregate
from ranking import services
from tests.catalog.factories import ArtifactFactory, CapabilityFactory, SignalsFactory
from tests.clients import CommittingClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

QUERY = "generate images"
TOKEN = re.compile(r'href="/search/open/([-\w]+)/\?[^"]*"[^>]*data-token="([^"]+)"')


@pytest.fixture
def catalog():
    """Six image APIs with different adoption; the target is the least adopted."""
    made = []
    for index in range(6):
        artifact = ArtifactFactory(
            name=f"Image API {index}",
            slug=f"image-api-{index}",
            kind="api",
            organization=f"org {index}",
            summary="Generate images from a text prompt",
        )
        CapabilityFactory(artifact=artifact, title="Generate images from text")
        SignalsFactory(artifact=artifact, stars=100 * (index + 1), downloads_30d=1000 * (index + 1))
        made.append(artifact)
    artifacts_refresh_search()
    refresh()
    return made


def refresh() -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        match_graph_aggregate()
        services.rank_recompute_all()


def standing(artifact) -> tuple[int, int]:
    artifact = Artifact.objects.get(pk=artifact.pk)
    return artifact.times_matched, artifact.current_rank


def visit(address: str, agent: str, target, *, fits: bool = False) -> None:
    client = CommittingClient(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    html = client.get(reverse("matchgraph:search"), {"q": QUERY}).content.decode()
    token = dict(TOKEN.findall(html)).get(target.slug, "")
    assert token, "the target is shown for the query"
    if fits:
        client.post(reverse("matchgraph:fits", args=[target.slug]), {"q": QUERY, "t": token})
    else:
        client.get(reverse("matchgraph:open", args=[target.slug]), {"q": QUERY, "t": token})


def baseline(catalog):
    """Genuine traffic first: three distinct visitors choose each of the others."""
    for index, artifact in enumerate(catalog[1:]):
        for person in range(3):
            visit(f"10.{index}.{person}.1", "Mozilla/5.0 Firefox/140.0", artifact)
    refresh()


def test_one_address_with_new_user_agents_moves_nothing(catalog):
    target = catalog[0]
    baseline(catalog)
    before = standing(target)
    for number in range(40):
        agent = f"Mozilla/5.0 Chrome/{120 + number}.0"
        visit("203.0.113.9", agent, target, fits=number % 4 == 0)
        CommittingClient(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=agent).get(
            reverse("matchgraph:open", args=[target.slug]), {"q": QUERY, "pos": 9999}
        )
    refresh()
    times_matched, rank = standing(target)
    assert times_matched <= before[0] + 1
    assert rank == before[1]


def test_fifty_addresses_in_one_slash_24_move_no_rank(catalog):
    target = catalog[0]
    baseline(catalog)
    before = standing(target)
    for host in range(1, 51):
        visit(f"198.51.100.{host}", f"Mozilla/5.0 Safari/{host}", target, fits=True)
    refresh()
    assert standing(target)[1] == before[1]


def test_genuine_visitors_from_distinct_networks_move_both(catalog):
    target = catalog[0]
    baseline(catalog)
    before = standing(target)
    for person in range(12):
        visit(f"172.16.{person}.20", "Mozilla/5.0 Firefox/140.0", target)
    refresh()
    times_matched, rank = standing(target)
    assert times_matched == before[0] + 12
    assert rank > before[1]
