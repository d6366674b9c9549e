"""Counts derived from the whole catalog are cached, yet never stale once a write finishes:
saves and deletes through the ORM, curator bulk actions and imports all change the listing
version the cached figures are keyed by."""

import pytest
from django.urls import reverse

from catalog import services
from catalog.selectors import catalog_counts, category_list_with_counts
from tests.catalog.factories import ArtifactFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def kind_chips(client) -> dict[str, int]:
    html = client.get(reverse("catalog:home")).content.decode()
    chips = html.split('aria-label="Browse by kind"')[1].split("</ul>")[0]
    return {
        label.split("?kind=")[1].split('"')[0]: int(label.split('class="count">')[1].split("<")[0])
        for label in chips.split("<li>")[1:]
    }


def test_counts_are_read_once_per_catalog_change(django_assert_num_queries):
    ArtifactFactory(kind="model")
    catalog_counts()
    with django_assert_num_queries(0):
        assert catalog_counts() == {"model": 1}
    ArtifactFactory(kind="model")
    with django_assert_num_queries(1):
        assert catalog_counts() == {"model": 2}


def test_home_counts_follow_saves_deletes_and_unpublishing(client):
    first = ArtifactFactory(kind="tool")
    second = ArtifactFactory(kind="tool")
    assert kind_chips(client) == {"tool": 2}
    services.artifacts_set_published(artifact_ids=[first.pk], published=False)
    assert kind_chips(client) == {"tool": 1}
    second.delete()
    assert kind_chips(client) == {}


def test_category_counts_follow_category_changes():
    speech = CategoryFactory(name="Speech", slug="speech")
    vision = CategoryFactory(name="Vision", slug="vision")
    artifact = ArtifactFactory(categories=[speech])
    assert [(c.slug, c.artifact_count) for c in category_list_with_counts()] == [("speech", 1)]
    services.artifacts_assign_category(artifact_ids=[artifact.pk], category=vision, replace=True)
    assert [(c.slug, c.artifact_count) for c in category_list_with_counts()] == [("vision", 1)]
    artifact.categories.add(speech)
    assert {c.slug for c in category_list_with_counts()} == {"speech", "vision"}


def test_browse_facet_totals_follow_a_new_artifact(client):
    ArtifactFactory(kind="model", license="MIT")

    def license_count() -> int:
        facets = client.get(reverse("catalog:browse") + "?kind=model").context["result"].facets
        options = {o.value: o.count for f in facets if f.name == "license" for o in f.options}
        return options.get("MIT", 0)

    assert license_count() == 1
    ArtifactFactory(kind="model", license="MIT")
    assert license_count() == 2


class TestCountingByAWorker:
    """With a worker, a write queues one count of the new figures after it commits."""

    @pytest.fixture
    def queued(self, monkeypatch):
        from catalog.tasks import count_listing_figures
        from config.celery import app

        monkeypatch.setitem(app.conf, "task_always_eager", False)
        sent: list[dict] = []
        # The broker's edge only: what would be sent, and when.
        monkeypatch.setattr(
            count_listing_figures, "apply_async", lambda **options: sent.append(options)
        )
        return sent

    def test_a_burst_of_writes_queues_one_count(self, queued, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            ArtifactFactory(kind="model")
        with django_capture_on_commit_callbacks(execute=True):
            ArtifactFactory(kind="model")
        assert len(queued) == 1
        assert queued[0]["countdown"] > 0

    def test_the_count_leaves_the_figures_ready_and_frees_the_queue(
        self, queued, django_capture_on_commit_callbacks, django_assert_num_queries
    ):
        from catalog.tasks import count_listing_figures

        with django_capture_on_commit_callbacks(execute=True):
            ArtifactFactory(kind="model", categories=[CategoryFactory(name="Speech")])
        count_listing_figures()
        with django_assert_num_queries(0):
            assert catalog_counts() == {"model": 1}
            assert [category.artifact_count for category in category_list_with_counts()] == [1]
        with django_capture_on_commit_callbacks(execute=True):
            ArtifactFactory(kind="tool")
        assert len(queued) == 2

    def test_without_a_worker_nothing_is_queued(self, django_capture_on_commit_callbacks):
        from django.core.cache import cache

        from catalog.derived import COUNTING_QUEUED_KEY

        with django_capture_on_commit_callbacks(execute=True):
            ArtifactFactory(kind="model")
        assert cache.get(COUNTING_QUEUED_KEY) is None


def mixed_catalog() -> None:
    """Kinds, licenses, modalities and categories that overlap in several ways."""
    speech = CategoryFactory(name="Speech", slug="speech")
    vision = CategoryFactory(name="Vision", slug="vision")
    ArtifactFactory(kind="model", license="MIT", inputs=["audio"], categories=[speech])
    ArtifactFactory(kind="model", license="", inputs=["image", "text"], categories=[vision])
    ArtifactFactory(
        kind="tool", license="MIT", pricing_model="paid", outputs=["audio", "text"],
        categories=[speech, vision],
    )  # fmt: skip
    ArtifactFactory(kind="dataset", license="Apache-2.0", inputs=[], outputs=[])
    ArtifactFactory(kind="tool", license="MIT", categories=[speech], is_published=False)


def browse_figures(query: str):
    from django.http import QueryDict

    from catalog.selectors import artifact_browse

    result = artifact_browse(data=QueryDict(query), page_number=None, per_page=24)
    return result.total, result.facets


def test_single_filter_figures_counted_at_once_equal_those_counted_on_demand():
    """`listing_figures_warm` counts every one-value listing in two passes; each must equal
    what browsing that listing would count by itself."""
    from django.core.cache import cache
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from catalog.selectors import artifact_browse, listing_figures_warm

    mixed_catalog()
    variants = [
        ("kind", "model"), ("kind", "tool"), ("kind", "dataset"), ("license", "MIT"),
        ("license", "Apache-2.0"), ("pricing", "paid"), ("pricing", "open_source"),
        ("input", "audio"), ("input", "text"), ("output", "audio"), ("category", "speech"),
        ("category", "vision"),
    ]  # fmt: skip

    def browsed(facet: str, value: str):
        data = QueryDict(mutable=True)
        data.setlist(facet, [value])
        result = artifact_browse(data=data, page_number=None, per_page=24)
        return result.total, result.facets

    def queries_of_browsing(facet: str, value: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            browsed(facet, value)
        return len(captured)

    cache.clear()
    on_demand = {variant: browsed(*variant) for variant in variants}
    cache.clear()
    listing_figures_warm()
    counted_at_once = {variant: browsed(*variant) for variant in variants}

    assert counted_at_once == on_demand
    listing_figures_warm()  # the browsing above counted nothing: the facets were all kept
    with_figures = queries_of_browsing("category", "vision")
    cache.clear()
    assert queries_of_browsing("category", "vision") >= with_figures + 2  # total and facets
    assert on_demand["category", "speech"][0] == 2  # the unpublished one is not counted


@pytest.mark.parametrize(
    ("query", "passes"),
    [
        ("kind=model&license=MIT", 1),
        ("category=speech&input=audio", 1),
        # Two kinds are not a one-value listing: "kind=tool&kind=model" is counted once too.
        ("kind=tool&kind=model&output=text", 2),
        # Three ways: its own pass, and one for each two-way listing without one of them.
        ("license=MIT&category=vision&pricing=paid", 4),
    ],
)
def test_a_listing_filtered_several_ways_counts_only_what_its_smaller_listings_lack(query, passes):
    """A ticked facet's counts are those of the listing without it (kept, or counted and
    kept on the way), so with the one-filter listings counted, a listing filtered two ways
    costs one pass: its other facets and its total together. The figures equal a count of
    everything from scratch (search's path, which keeps nothing)."""
    from django.core.cache import cache
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Artifact
    from catalog.selectors import artifact_browse, listing_figures_warm

    mixed_catalog()
    published = Artifact.objects.published()
    scratch = artifact_browse(data=QueryDict(query), page_number=None, per_page=24, base=published)
    cache.clear()
    cold = browse_figures(query)
    assert cold == (scratch.total, scratch.facets)
    assert cold[0] >= 1

    cache.clear()
    listing_figures_warm()
    with CaptureQueriesContext(connection) as captured:
        assert browse_figures(query) == cold
    counting = [q["sql"] for q in captured if "WITH m AS MATERIALIZED" in q["sql"]]
    assert len(counting) == passes
    assert "'total'" in counting[0]
    assert not [q for q in captured if q["sql"].lstrip().startswith("SELECT COUNT(*)")]


def test_a_repeated_modality_counts_once_in_every_count():
    from django.core.cache import cache

    from catalog.selectors import listing_figures_warm

    ArtifactFactory(kind="model", inputs=["text", "text"], outputs=["audio"])

    def input_counts(query: str) -> dict[str, int]:
        _, facets = browse_figures(query)
        found = next(facet for facet in facets if facet.name == "input")
        return {option.value: option.count for option in found.options}

    cache.clear()
    assert input_counts("") == {"text": 1}
    assert input_counts("output=audio") == {"text": 1}
    cache.clear()
    listing_figures_warm()  # the one-filter listings from the pair counts
    assert input_counts("output=audio") == {"text": 1}


@pytest.mark.parametrize(
    "query",
    [
        "category=speech&input=audio",
        "kind=model&license=MIT",
        "input=text&output=audio",
        "license=Apache-2.0&pricing=open_source",
    ],
)
def test_large_two_filter_listings_are_counted_by_the_job_exactly_as_on_demand(query, monkeypatch):
    """A listing filtered two ways with enough artifacts is counted by `listing_figures_warm`
    (one pass for all of them): browsing it counts nothing, and shows what counting it on
    the visit would."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog import selectors

    mixed_catalog()
    cache.clear()
    on_demand = browse_figures(query)
    assert on_demand[0] >= 1

    monkeypatch.setattr(selectors, "TWO_FILTER_LISTINGS_COUNTED_FROM", 1)
    cache.clear()
    selectors.listing_figures_warm()
    with CaptureQueriesContext(connection) as captured:
        assert browse_figures(query) == on_demand
    assert not [q for q in captured if "WITH m AS MATERIALIZED" in q["sql"]]
    assert not [q for q in captured if q["sql"].lstrip().startswith("SELECT COUNT(*)")]


def test_small_two_filter_listings_are_left_to_their_first_visit(monkeypatch):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog import selectors

    mixed_catalog()
    monkeypatch.setattr(selectors, "TWO_FILTER_LISTINGS_COUNTED_FROM", 10_000)
    cache.clear()
    selectors.listing_figures_warm()
    with CaptureQueriesContext(connection) as captured:
        browse_figures("category=speech&input=audio")
    assert len([q for q in captured if "WITH m AS MATERIALIZED" in q["sql"]]) == 1


def test_figures_counted_while_a_write_lands_are_not_kept_as_current(monkeypatch):
    """The job keeps what it counted under the listing version it began with: a write that
    changes the listing during the count leaves those figures under a version no one reads,
    so the next visit counts the catalog as it now is."""
    from django.core.cache import cache

    from catalog import selectors

    mixed_catalog()
    cache.clear()
    counted_before_the_write = selectors.count_single_filter_facets

    def count_then_a_write_lands():
        counted = counted_before_the_write()
        ArtifactFactory(kind="dataset", license="MIT")
        return counted

    monkeypatch.setattr(selectors, "count_single_filter_facets", count_then_a_write_lands)
    selectors.listing_figures_warm()
    total, _ = browse_figures("license=MIT")
    assert total == 3  # two published before, one written during the count
