"""Factories for match-graph rows: intents and the raw events the aggregation reads."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from matchgraph.models import Intent, MatchEvent, MatchVia, SearchEvent
from tests.catalog.factories import ArtifactFactory


class IntentFactory(DjangoModelFactory[Intent]):
    class Meta:
        model = Intent
        django_get_or_create = ("text",)

    # Already normalized, as `matchgraph.normalize.normalize_intent` would leave it.
    text = factory.Sequence(lambda n: f"caption product photos {n}")


class SearchEventFactory(DjangoModelFactory[SearchEvent]):
    class Meta:
        model = SearchEvent

    intent = factory.SubFactory(IntentFactory)
    shown_artifact_ids = factory.LazyFunction(list)
    source_hash = factory.Sequence(lambda n: f"{n:032x}")
    network_hash = factory.LazyAttribute(lambda event: event.source_hash)
    created_at = factory.LazyFunction(timezone.now)


class MatchEventFactory(DjangoModelFactory[MatchEvent]):
    class Meta:
        model = MatchEvent

    intent = factory.SubFactory(IntentFactory)
    artifact = factory.SubFactory(ArtifactFactory)
    position = 1
    via = MatchVia.CLICK
    source_hash = factory.Sequence(lambda n: f"{n:032x}")
    network_hash = factory.LazyAttribute(lambda event: event.source_hash)
    created_at = factory.LazyFunction(timezone.now)
