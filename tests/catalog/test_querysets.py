"""Listing orders (`ArtifactQuerySet`): names sort as people read them, and each order a
browse page offers is read from its own index, not sorted from the whole catalog."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Artifact, Category
from catalog.selectors import category_list_with_counts
from tests.catalog.factories import ArtifactFactory, CategoryFactory

pytestmark = pytest.mark.django_db

# The demo's names that used to sort after "Z.ai": lower-case first letters.
NAMES = ["Z.ai: GLM 4.6V", "vLLM", "Whisper", "faster-whisper", "Aider"]
READ_ORDER = ["Aider", "faster-whisper", "vLLM", "Whisper", "Z.ai: GLM 4.6V"]


@pytest.fixture
def named():
    for name in NAMES:
        ArtifactFactory(name=name, slug=slugify(name), current_rank=50)
    # Created at one instant too, so the newest order ties down to the name.
    Artifact.objects.update(created_at=timezone.now())


def names(queryset) -> list[str]:
    return list(queryset.values_list("name", flat=True))


def test_by_name_ignores_case(named):
    assert names(Artifact.objects.published().by_name()) == READ_ORDER


def test_the_default_order_ignores_case_for_artifacts_and_categories(named):
    """Admin lists and any unordered read (`Meta.ordering` is `name_order()` too)."""
    assert names(Artifact.objects.all()) == READ_ORDER
    for name in NAMES:
        CategoryFactory(name=name, slug=slugify(name))
    assert names(Category.objects.all()) == READ_ORDER


def test_the_admin_lists_artifacts_as_people_read_them(admin_client, named):
    response = admin_client.get(reverse("admin:catalog_artifact_changelist"))
    assert [artifact.name for artifact in response.context["cl"].result_list] == READ_ORDER


def test_categories_of_one_size_list_by_name_ignoring_case(named):
    for artifact in Artifact.objects.all():
        category = CategoryFactory(name=artifact.name, slug=f"c-{artifact.slug}")
        artifact.categories.add(category)
    assert [category.name for category in category_list_with_counts()] == READ_ORDER


def test_browse_sorted_by_name_ignores_case(client, named):
    response = client.get(reverse("catalog:browse"), {"sort": "name"})
    shown = [artifact.name for artifact in response.context["result"].page.object_list]
    assert shown == READ_ORDER


def test_equal_ranks_and_dates_fall_back_to_the_name_ignoring_case(named):
    assert names(Artifact.objects.published().by_rank()) == READ_ORDER
    assert names(Artifact.objects.published().newest()) == READ_ORDER


@pytest.mark.parametrize(
    ("order", "index"),
    [
        (lambda artifacts: artifacts.by_name(), "artifact_name_order"),
        (lambda artifacts: artifacts.by_rank(), "artifact_rank_order"),
        (lambda artifacts: artifacts.newest(), "artifact_newest"),
    ],
    ids=["name", "rank", "newest"],
)
def test_each_listing_order_reads_its_index_in_order(named, order, index):
    # Forbid a sort: the plan can then only read rows in order from an index that has it.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = order(Artifact.objects.published())[:24].explain()
    assert f"Index Scan using {index}" in plan
    assert "Sort" not in plan


@pytest.mark.parametrize("sort", ["", "name", "newest", "price"])
@pytest.mark.parametrize("category", ["", "speech"])
@pytest.mark.parametrize("collected", [True, False])
def test_browse_pages_in_sequence_are_the_listing_in_its_order(
    sort, category, collected, monkeypatch
):
    """Each page finds its ids first and loads their cards after: read page by page, the
    listing is every artifact once, in the order one query over all of them gives, whether
    it is read in its order or (a small listing) collected first and then sorted."""
    from datetime import date
    from decimal import Decimal

    from django.http import QueryDict

    from catalog import selectors
    from catalog.models import Artifact
    from catalog.selectors import artifact_browse
    from tests.catalog.factories import ArtifactFactory, CategoryFactory, PricingPlanFactory

    monkeypatch.setattr(selectors, "_collecting_is_cheaper", lambda **_: collected)
    speech = CategoryFactory(name="Speech", slug="speech")
    for number in range(23):
        artifact = ArtifactFactory(
            name=f"{'ab'[number % 2]}rtifact {number:02}",
            current_rank=None if number % 5 == 0 else number % 7 * 10,
            released=date(2024, 1 + number % 12, 1) if number % 3 else None,
            categories=[speech] if number % 4 else [],
        )
        if number % 6 == 0:
            PricingPlanFactory(artifact=artifact, price=Decimal(number % 4), unit="1m_input_tokens")
    query = QueryDict(mutable=True)
    if sort:
        query["sort"] = sort
    if category:
        query["category"] = category
    paged = []
    number = 1
    while True:
        result = artifact_browse(data=query, page_number=str(number), per_page=4)
        paged += [artifact.pk for artifact in result.page.object_list]
        if not result.page.has_next():
            break
        number += 1
    listing = Artifact.objects.published()
    if category:
        listing = listing.filter(categories__slug=category)
    ordered = {
        "": listing.by_rank(),
        "name": listing.by_name(),
        "newest": listing.newest(),
        "price": listing.by_token_price(),
    }[sort]
    assert paged == list(ordered.values_list("pk", flat=True))
    assert len(paged) == (17 if category else 23)


@pytest.mark.parametrize(
    ("count", "through", "catalog", "collected"),
    [
        (2_216, 24, 841_708, True),  # a rare output at the full size: walking passes ~9,000
        (2_216, 24, 100_000, False),  # the same at 100,000: a walk passes ~1,100
        (625, 24, 100_000, True),  # a small category
        (17_679, 960, 841_708, False),  # the largest category, page 40: too many to collect
    ],
)
def test_a_listing_is_collected_first_when_walking_its_order_would_pass_more(
    count, through, catalog, collected, monkeypatch
):
    from catalog import selectors

    monkeypatch.setattr(selectors, "catalog_counts", lambda: {"model": catalog})
    assert selectors._collecting_is_cheaper(count=count, through=through) is collected
