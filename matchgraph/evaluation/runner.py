"""Runs the labelled queries through the real `/search/` view and through BM25 on the same
catalog, and scores both. The search view is called with Django's test client and the
live-search header, so the benchmark records no intents or search events."""

import json
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template import Template
from django.test import Client
from django.test.utils import instrumented_test_render, override_settings
from django.urls import reverse

from catalog.models import Artifact
from matchgraph.evaluation.bm25 import bm25_for_catalog
from matchgraph.evaluation.metrics import METRICS, aggregate, query_metrics
from matchgraph.views import LIVE_HEADER

# The classes of the demo and real-data sets; a query file may name its own ("classes").
CLASSES = ("plain", "abbreviation", "paraphrase", "typo")
SYSTEMS = ("unfragile", "bm25")
GRADES = (1, 2)
# Results read per query from each system: the first search page, enough for @10 and MRR.
DEPTH = 24
DEFAULT_QUERIES = Path(__file__).resolve().parent / "queries.json"
INTENT_QUERIES = Path(__file__).resolve().parent / "intent_queries.json"
PYPI_QUERIES = Path(__file__).resolve().parent / "pypi_queries.json"


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    query_class: str
    relevant: dict[str, int]


@dataclass(frozen=True)
class QueryOutcome:
    query: LabelledQuery
    rankings: dict[str, list[str]]  # system -> slugs, best first
    metrics: dict[str, dict[str, float]]  # system -> metric -> value


@dataclass(frozen=True)
class EvaluationReport:
    outcomes: list[QueryOutcome]
    summary: dict[str, dict[str, dict[str, float]]]  # system -> class or "overall" -> metric
    unknown_slugs: list[str]  # labelled slugs not among the published artifacts
    classes: tuple[str, ...] = CLASSES

    @property
    def rows(self) -> list[str]:
        return [*self.classes, "overall"]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.classes, 0)
        for outcome in self.outcomes:
            counts[outcome.query.query_class] += 1
        return {**counts, "overall": len(self.outcomes)}

    def delta(self) -> dict[str, dict[str, float]]:
        """unfragile − bm25, per row and metric."""
        ours, theirs = self.summary["unfragile"], self.summary["bm25"]
        return {
            row: {metric: ours[row][metric] - theirs[row][metric] for metric in METRICS}
            for row in self.rows
        }

    def failures(self, *, below: float = 0.5, system: str = "unfragile") -> list[QueryOutcome]:
        return [outcome for outcome in self.outcomes if outcome.metrics[system]["ndcg@10"] < below]

    def irrelevant_first(self, system: str = "unfragile") -> list[QueryOutcome]:
        """Queries whose first result is not labelled relevant (or that found nothing)."""
        return [
            outcome
            for outcome in self.outcomes
            if not outcome.rankings[system]
            or outcome.rankings[system][0] not in outcome.query.relevant
        ]

    def as_json(self) -> dict:
        return {
            "queries": self.counts(),
            "depth": DEPTH,
            "metrics": list(METRICS),
            "systems": self.summary,
            "delta": self.delta(),
            "irrelevant_first": {
                system: [outcome.query.text for outcome in self.irrelevant_first(system)]
                for system in SYSTEMS
            },
            "unknown_slugs": self.unknown_slugs,
            "per_query": [
                {
                    "query": outcome.query.text,
                    "class": outcome.query.query_class,
                    **{
                        system: {**outcome.metrics[system], "top": outcome.rankings[system][:10]}
                        for system in SYSTEMS
                    },
                }
                for outcome in self.outcomes
            ],
        }


def load_queries(path: Path = DEFAULT_QUERIES) -> list[LabelledQuery]:
    """Read and check a query file: `{"classes": [...], "queries": [{"query", "class",
    "relevant"}, ...]}` (`classes` defaults to CLASSES; a bare list of queries is accepted
    too)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data["queries"] if isinstance(data, dict) else data
    classes = tuple(data.get("classes", CLASSES)) if isinstance(data, dict) else CLASSES
    queries = []
    for number, item in enumerate(items, start=1):
        text, query_class, relevant = item.get("query"), item.get("class"), item.get("relevant")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"query {number}: 'query' must be a non-empty string")
        if query_class not in classes:
            raise ValueError(f"query {number} ({text!r}): class must be one of {classes}")
        if not isinstance(relevant, dict) or not relevant:
            raise ValueError(f"query {number} ({text!r}): 'relevant' must be a non-empty object")
        if any(grade not in GRADES for grade in relevant.values()):
            raise ValueError(f"query {number} ({text!r}): grades must be 1 or 2")
        queries.append(LabelledQuery(text=text, query_class=query_class, relevant=dict(relevant)))
    return queries


def evaluation_run(*, queries: Sequence[LabelledQuery]) -> EvaluationReport:
    """Search every query with both systems and score them per class and overall."""
    classes = query_classes(queries)
    bm25 = bm25_for_catalog()
    published = set(Artifact.objects.published().values_list("slug", flat=True))
    outcomes = []
    with _search_client() as client:
        for query in queries:
            rankings = {
                "unfragile": _unfragile_ranking(client, query.text),
                "bm25": bm25.rank(query.text, limit=DEPTH),
            }
            metrics = {
                system: query_metrics(ranking, query.relevant)
                for system, ranking in rankings.items()
            }
            outcomes.append(QueryOutcome(query=query, rankings=rankings, metrics=metrics))
    summary = {
        system: aggregate(
            ((outcome.query.query_class, outcome.metrics[system]) for outcome in outcomes),
            classes=classes,
        )
        for system in SYSTEMS
    }
    unknown = sorted({slug for query in queries for slug in query.relevant} - published)
    return EvaluationReport(
        outcomes=outcomes, summary=summary, unknown_slugs=unknown, classes=classes
    )


def query_classes(queries: Sequence[LabelledQuery]) -> tuple[str, ...]:
    """The classes the queries use: in CLASSES' order for those, else as first seen."""
    seen = tuple(dict.fromkeys(query.query_class for query in queries))
    if set(seen) <= set(CLASSES):
        return tuple(name for name in CLASSES if name in seen)
    return seen


def _unfragile_ranking(client: Client, text: str) -> list[str]:
    response = client.get(reverse("matchgraph:search"), {"q": text})
    if response.status_code != 200 or response.context is None:
        return []
    return [item.artifact.slug for item in response.context["results"].items][:DEPTH]


@contextmanager
def _search_client() -> Iterator[Client]:
    """A test client whose responses carry the template context, also outside the test
    runner: Django records contexts only while template rendering is instrumented, which
    `setup_test_environment()` does for tests (left as it is when already on)."""
    original = Template._render
    instrument = original is not instrumented_test_render
    if instrument:
        Template._render = instrumented_test_render
    try:
        with (
            override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]),
            warnings.catch_warnings(),
        ):
            # WhiteNoise warns when static files were never collected; search does not care.
            warnings.filterwarnings("ignore", "No directory at", UserWarning)
            yield Client(headers={LIVE_HEADER: "1"})
    finally:
        if instrument:
            Template._render = original
