"""A whole aggregation run pinned: a seeded, varied event log (repeats, bursts, caps,
networks, merged and hidden intents, comparisons, unproven and automated choices) gives
exactly the graph recorded in `aggregation_snapshot.json`, which was written by the SQL
before its fragments were shared. A change to the aggregation that means to change results
rewrites the file (`UPDATE_AGGREGATION_SNAPSHOT=1`) and says why in its commit."""

import datetime as dt
import json
import os
import random
from pathlib import Path

import pytest

from catalog.models import Artifact, Capability
from matchgraph.aggregation import match_graph_aggregate
from matchgraph.models import (
    AggregationRun,
    ArtifactMatchStats,
    CapabilityMatchStats,
    CoMatch,
    ComparisonEvent,
    Intent,
    IntentArtifactEdge,
    IntentCapabilityEdge,
    IntentRelation,
    MatchEvidence,
    MatchVia,
)
from matchgraph.services import intents_merge, intents_set_hidden
from tests.catalog.factories import ArtifactFactory, CapabilityFactory
from tests.conftest import FROZEN_NOW
from tests.matchgraph.factories import IntentFactory, MatchEventFactory, SearchEventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

SNAPSHOT = Path(__file__).with_name("aggregation_snapshot.json")
INTENTS = [
    "caption photos",
    "caption product photos",
    "transcribe speech",
    "speech to text",
    "translate text",
    "summarize documents",
    "detect objects",
    "spam casino giveaway",
]
CAPABILITIES = {
    "Caption Studio": ["Caption product photos", "Describe images"],
    "Whisper": ["Transcribe speech", "Translate speech to text"],
    "Summit": ["Summarize documents", "Translate text"],
    "Yolo": ["Detect objects in photos"],
    "Babel": ["Translate text", "Transcribe speech"],
    "Lens": ["Caption photos", "Detect objects"],
}


def event_log(rng: random.Random) -> None:
    """Artifacts, intents and a few hundred events spread over 200 days, from a seed."""
    artifacts = []
    for name, titles in CAPABILITIES.items():
        artifact = ArtifactFactory(name=name, slug=name.lower().replace(" ", "-"))
        for position, title in enumerate(titles):
            CapabilityFactory(artifact=artifact, title=title, position=position)
        artifacts.append(artifact)
    intents = [IntentFactory(text=text) for text in INTENTS]
    sources = [f"{n:032x}" for n in range(40)]
    networks = [f"net{n:029x}" for n in range(12)]

    def moment() -> dt.datetime:
        days = rng.choice([0, 0, 1, 2, 5, 29, 31, 90, 200])
        return FROZEN_NOW - dt.timedelta(days=days, minutes=rng.randrange(0, 24 * 60))

    for _ in range(400):
        source = rng.choice(sources)
        MatchEventFactory(
            intent=rng.choice(intents),
            artifact=rng.choice(artifacts),
            position=rng.choice([None, 1, 2, 3, 5, 8, 20]),
            via=rng.choice([MatchVia.CLICK, MatchVia.CLICK, MatchVia.FITS, MatchVia.COMPARE]),
            evidence=rng.choice(
                [MatchEvidence.SHOWN] * 8 + [MatchEvidence.UNPROVEN] + ["automated"]
            ),
            source_hash=source,
            network_hash=rng.choice([source, "", *networks]),
            created_at=moment(),
        )
    # A burst: thirty clients choosing one artifact within the same hour.
    burst_at = FROZEN_NOW - dt.timedelta(days=3, hours=2)
    for n in range(30):
        MatchEventFactory(
            intent=intents[0], artifact=artifacts[0], source_hash=f"burst{n:027x}",
            network_hash=f"burst{n:027x}", created_at=burst_at + dt.timedelta(minutes=n),
        )  # fmt: skip
    # One client choosing every artifact for one intent in a day: past the per-client cap.
    for artifact in artifacts:
        MatchEventFactory(
            intent=intents[2], artifact=artifact, source_hash="greedy", network_hash="greedy",
            created_at=FROZEN_NOW - dt.timedelta(hours=5),
        )  # fmt: skip
    for _ in range(300):
        source = rng.choice(sources)
        SearchEventFactory(
            intent=rng.choice(intents),
            shown_artifact_ids=[a.pk for a in rng.sample(artifacts, rng.randint(0, 4))],
            source_hash=source,
            network_hash=rng.choice([source, "", *networks]),
            created_at=moment(),
        )
    for _ in range(80):
        source = rng.choice(sources)
        ComparisonEvent.objects.create(
            artifact_ids=sorted(a.pk for a in rng.sample(artifacts, rng.randint(2, 4))),
            source_hash=source,
            network_hash=rng.choice([source, "", *networks]),
            created_at=moment(),
        )
    intents_merge(duplicates=[intents[1]], into=intents[0])
    intents_set_hidden(intent_ids=[intents[5].pk], hidden=True)


def graph() -> dict[str, list]:
    """Every table the run writes, as sorted plain rows (weights to 9 places)."""
    slug = dict(Artifact.objects.values_list("pk", "slug"))
    text = dict(Intent.objects.values_list("pk", "text"))
    capability = {
        pk: f"{slug[artifact_id]}: {title}"
        for pk, artifact_id, title in Capability.objects.values_list("pk", "artifact_id", "title")
    }

    def rows(queryset, *columns, **named):
        out = []
        for values in queryset.values_list(*columns):
            row = []
            for column, value in zip(columns, values, strict=True):
                if column in named:
                    value = named[column][value]
                elif isinstance(value, float):
                    value = round(value, 9)
                elif isinstance(value, dt.datetime):
                    value = value.isoformat()
                row.append(value)
            out.append(row)
        return sorted(out, key=json.dumps)

    return {
        "artifact_edges": rows(
            IntentArtifactEdge.objects, "intent_id", "artifact_id", "matches", "impressions",
            "weight", "last_matched_at", intent_id=text, artifact_id=slug,
        ),
        "capability_edges": rows(
            IntentCapabilityEdge.objects, "intent_id", "capability_id", "matches", "weight",
            intent_id=text, capability_id=capability,
        ),
        "comatches": rows(
            CoMatch.objects, "artifact_id", "other_id", "shared_intents", "weight",
            artifact_id=slug, other_id=slug,
        ),
        "artifact_stats": rows(
            ArtifactMatchStats.objects, "artifact_id", "matches_total", "matches_30d",
            "impressions", "shown_clients", "distinct_intents", "distinct_clients",
            "weighted_matches", artifact_id=slug,
        ),
        "capability_stats": rows(
            CapabilityMatchStats.objects, "capability_id", "matches", "distinct_intents",
            "distinct_clients", capability_id=capability,
        ),
        "relations": rows(
            IntentRelation.objects, "intent_id", "related_id", "shared_artifacts", "strength",
            intent_id=text, related_id=text,
        ),
        "intents": rows(
            Intent.objects, "text", "search_count", "match_count", "client_count", "is_public"
        ),
        "times_matched": rows(Artifact.objects, "slug", "times_matched", "times_matched_30d"),
        "run": rows(AggregationRun.objects, "choices_read", "choices_counted", "discarded"),
    }  # fmt: skip


def test_a_seeded_event_log_aggregates_to_the_recorded_graph():
    event_log(random.Random(21))
    match_graph_aggregate(now=FROZEN_NOW)
    found = graph()
    if os.environ.get("UPDATE_AGGREGATION_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert found["run"] == expected["run"]
    for table in expected:
        assert found[table] == expected[table], table
    assert sum(len(found[table]) for table in ("artifact_edges", "comatches", "relations")) > 40
