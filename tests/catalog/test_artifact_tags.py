"""An artifact's tag line (kind, pricing, free tier, rank) is one partial: its card on the
home page and its search result read the same."""

import re

import pytest
from django.urls import reverse

from catalog.models import Artifact
from catalog.search_index import artifacts_refresh_search
from tests.catalog.factories import ArtifactFactory

pytestmark = pytest.mark.django_db


def tag_line(html: str, *, after: str) -> str:
    """The first `card-meta` paragraph after `after`, whitespace folded."""
    block = html.split(after, 1)[1]
    line = re.search(r'<p class="card-meta">(.*?)</p>', block, flags=re.S).group(1)
    return " ".join(line.split())


def test_the_card_and_the_search_result_show_the_same_tags(client):
    artifact = ArtifactFactory(
        name="Lumen Transcriber", kind="tool", pricing_model="freemium", free_tier=True
    )
    Artifact.objects.filter(pk=artifact.pk).update(current_rank=87)
    artifacts_refresh_search()

    home = client.get(reverse("catalog:home")).content.decode()
    search = client.get(reverse("matchgraph:search"), {"q": "lumen"}).content.decode()

    on_card = tag_line(home, after='id="card-lumen-transcriber"')
    in_search = tag_line(search, after=">Lumen Transcriber</a></h3>")
    assert on_card == in_search
    assert '<span class="tag tag-kind">Tool</span>' in on_card
    assert '<span class="tag tag-good">Free tier</span>' in on_card
    assert '<strong>87</strong>/100 <span class="rank-scope">among tools</span>' in on_card
