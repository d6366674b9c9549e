"""Small named filters that selectors combine."""

from django.db import models
from django.db.models import F, Prefetch


class ArtifactQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def in_category(self, category_slug: str):
        return self.filter(categories__slug=category_slug)

    def by_rank(self):
        # Unranked artifacts go last, not first: NULL is unknown, not "best".
        return self.order_by(F("current_rank").desc(nulls_last=True), "name")

    def newest(self):
        return self.order_by(F("released").desc(nulls_last=True), "-created_at", "name")

    def for_search_results(self):
        """What a search result shows: no categories or prices, so one query."""
        return self.only(
            "id",
            "slug",
            "name",
            "kind",
            "pricing_model",
            "free_tier",
            "current_rank",
            "summary",
            "times_matched",
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
            "import_hash",
        )
