"""Small named filters that selectors combine."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import F, Lookup, Prefetch
from django.db.models.functions import Lower

from catalog.search_words import document_query


def name_order() -> Lower:
    """Names in the order people read them, case aside: "faster-whisper" and "vLLM" among the
    f's and v's, not after "Z.ai". For every list a person reads in name order (artifacts,
    categories; the models' default ordering); the listing indexes (`Artifact.Meta`) use it."""
    return Lower("name")


class IsAnyOf(Lookup):
    """`lhs = ANY(rhs)`: rhs an array, such as an ArraySubquery (computed once, first)."""

    lookup_name = "is_any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


class ArtifactQuerySet(models.QuerySet):
    def collected_first(self):
        """The same artifacts in the same order, found first (all of them) and only then
        sorted. For a listing of a few rare matches, which the planner, taking them to be
        spread evenly over the order, might otherwise look for by walking the order's index
        through most of the catalog."""
        members = ArraySubquery(self.order_by().values("pk"))
        return self.model.objects.filter(IsAnyOf(F("pk"), members)).order_by(*self.query.order_by)

    def published(self):
        return self.filter(is_published=True)

    def matching_document(self, tsquery: str):
        """Artifacts whose search document matches a raw tsquery (`search_words`)."""
        return self.filter(search_vector=document_query(tsquery))

    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def in_category(self, category_slug: str):
        return self.filter(categories__slug=category_slug)

    def by_rank(self):
        # Unranked artifacts go last, not first: NULL is unknown, not "best".
        return self.order_by(F("current_rank").desc(nulls_last=True), name_order())

    def by_token_price(self):
        """Token-priced artifacts first, the cheapest headline input rate per 1M tokens
        first; then every other artifact (priced per image, per month, or not at all) by
        rank. Prices in different units are never put in one order."""
        return self.order_by(
            F("headline_token_price_per_million").asc(nulls_last=True),
            F("current_rank").desc(nulls_last=True),
            name_order(),
        )

    def newest(self):
        return self.order_by(F("released").desc(nulls_last=True), "-created_at", name_order())

    def by_name(self):
        return self.order_by(name_order(), "id")

    def for_search_results(self):
        """What a search result shows: no categories; plans for the headline price."""
        from catalog.models import PricingPlan

        return self.only(
            "id",
            "slug",
            "name",
            "kind",
            "pricing_model",
            "free_tier",
            "has_free_tier",
            "headline_token_price_per_million",
            "current_rank",
            "summary",
            "times_matched",
        ).prefetch_related(
            Prefetch("plans", queryset=PricingPlan.objects.order_by("position", "id"))
        )

    def for_cards(self):
        """What an artifact card shows: categories and plans (for the starting price)."""
        from catalog.models import Category, PricingPlan

        return self.prefetch_related(
            Prefetch("categories", queryset=Category.objects.only("id", "name", "slug")),
            Prefetch("plans", queryset=PricingPlan.objects.order_by("position", "id")),
        ).without_page_text()

    def without_page_text(self):
        """Leave out what only the artifact's own page shows (long text, details) and what no
        page shows (the search document, the import hash)."""
        return self.defer(
            "about",
            "best_for",
            "limitations",
            "requirements",
            "details",
            "extra",
            "search_vector",
            "search_field_lengths",
            "import_hash",
        )


# What a visitor means by "open source", "runs locally", "hosted" and "free", decided once
# from the stored licence, kind and pricing (search's constraints and any later facet use
# these). A licence counts as open when it names a licence that lets anyone run the code or
# weights themselves: SPDX families and the open-weights model licences.
OPEN_LICENCE_PATTERN = (
    r"^\s*(MIT|Apache|BSD|GPL|AGPL|LGPL|MPL|CC0|CC-BY(?!-N[CD])|ODC|PostgreSQL|Unlicense|ISC|"
    r"EPL|Zlib|OpenRAIL|CreativeML|Llama|Gemma|Qwen)"
)
HOSTED_PRICING = ("paid", "freemium", "contact")
FREE_PRICING = ("free", "open_source")


def open_source_condition() -> models.Q:
    return models.Q(pricing_model="open_source") | models.Q(license__iregex=OPEN_LICENCE_PATTERN)


def runs_locally_condition() -> models.Q:
    """Code or weights a visitor can run on their own machine; a cloud API never is, nor is
    material about a task (a dataset, course, paper or prompt runs nothing)."""
    from catalog.models import REFERENCE_KINDS

    free_desktop_app = models.Q(kind="app", pricing_model="free")
    not_runnable = models.Q(kind__in=("api", *REFERENCE_KINDS))
    return ~not_runnable & (open_source_condition() | free_desktop_app)


def hosted_condition() -> models.Q:
    """Offered as a service someone else runs: an API, or anything sold by plan (a hosted
    model, a cloud edition, a web app)."""
    return models.Q(kind="api") | models.Q(pricing_model__in=HOSTED_PRICING)


def api_condition() -> models.Q:
    """Called over the network: an API listing, or a model someone hosts and sells access to."""
    return models.Q(kind="api") | models.Q(kind="model", pricing_model__in=HOSTED_PRICING)


def free_condition() -> models.Q:
    return models.Q(free_tier=True) | models.Q(pricing_model__in=FREE_PRICING)
