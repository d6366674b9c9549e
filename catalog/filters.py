"""Browse facets as a django-filter FilterSet, applied inside selectors.

Facets are lenient: an unknown value is dropped rather than answered with an error page,
so an old shared link still lists something sensible.
"""

from decimal import Decimal

import django_filters
from django import forms

from catalog.models import Artifact, Category, Kind, Modality, PricingModel
from catalog.search_words import text_words, words_tsquery

SORT_CHOICES = [
    ("rank", "UnfragileRank"),
    ("name", "Name"),
    ("newest", "Newest"),
    ("price", "Input token price"),
]
DEFAULT_SORT = "rank"
# The price filter's limits, in US dollars per 1M input tokens (`pricing.LISTING_CURRENCY`).
PRICE_LIMITS = [
    ("0.5", "Up to $0.50"),
    ("1", "Up to $1"),
    ("5", "Up to $5"),
    ("15", "Up to $15"),
]


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Keeps the valid choices and silently drops the rest."""

    def clean(self, value):
        valid = {str(key) for key, _ in self.choices}
        return [item for item in (value or []) if item in valid]


class LenientMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = LenientMultipleChoiceField

    def __init__(self, *args, **kwargs):
        # django-filter adds DISTINCT in case the field spans a join; these never do (see
        # below), and DISTINCT over whole rows makes PostgreSQL sort the entire listing.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class FreeTextListField(forms.Field):
    """Any short strings (license ids are open-ended); an unknown one simply matches nothing."""

    widget = forms.CheckboxSelectMultiple
    MAX_VALUES = 20
    MAX_LENGTH = 100

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        return [str(item)[: self.MAX_LENGTH] for item in values if item][: self.MAX_VALUES]

    def validate(self, value):
        """Nothing to reject: see the class docstring."""


class FreeTextListFilter(django_filters.Filter):
    field_class = FreeTextListField


class LenientChoiceField(django_filters.fields.ChoiceField):
    def clean(self, value):
        valid = {str(key) for key, _ in self.choices}
        return value if value in valid else ""


class LenientChoiceFilter(django_filters.ChoiceFilter):
    field_class = LenientChoiceField


class CheckboxFilter(django_filters.Filter):
    """Ticked or not: an absent box means "don't filter", never "only without"."""

    field_class = forms.BooleanField


class ArtifactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Keywords")
    kind = LenientMultipleChoiceFilter(
        choices=Kind.choices, widget=forms.CheckboxSelectMultiple, label="Kind"
    )
    pricing = LenientMultipleChoiceFilter(
        field_name="pricing_model",
        choices=PricingModel.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Pricing",
    )
    free_tier = CheckboxFilter(
        method="filter_free_tier",
        label="Has a free tier",
    )
    price = LenientChoiceFilter(
        method="filter_price",
        choices=PRICE_LIMITS,
        empty_label="Any price",
        label="Price per 1M input tokens",
    )
    category = LenientMultipleChoiceFilter(
        method="filter_category", widget=forms.CheckboxSelectMultiple, label="Category"
    )
    input = LenientMultipleChoiceFilter(
        method="filter_inputs",
        choices=Modality.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Input",
    )
    output = LenientMultipleChoiceFilter(
        method="filter_outputs",
        choices=Modality.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Output",
    )
    license = FreeTextListFilter(method="filter_license", label="License")
    sort = LenientChoiceFilter(
        method="apply_sort",
        choices=SORT_CHOICES,
        empty_label=None,
        label="Sort by",
    )

    class Meta:
        model = Artifact
        fields: list[str] = []

    def __init__(self, *args, category_choices=(), category_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].extra["choices"] = list(category_choices)
        # {slug: id}: when given, the category filter names ids, whose sizes the planner
        # knows (it reads a big category in rank order, a small one by its members).
        self.category_ids = category_ids

    @property
    def chosen_sort(self) -> str:
        """The visitor's explicit sort, or "" (the caller then applies its default order)."""
        return self._cleaned().get("sort") or ""

    @property
    def narrows(self) -> bool:
        """Whether a filter (not the sort) has a valid value, so the listing is a subset."""
        cleaned = self._cleaned()
        return any(cleaned.get(name) for name in self.filters if name != "sort")

    def _cleaned(self) -> dict:
        self.form.is_valid()  # lenient fields: validation only fills cleaned_data
        return getattr(self.form, "cleaned_data", {})

    def filter_text(self, queryset, name, value):
        """Every word, or a word it begins ("transcrib"), through the search index: the
        listing's name, capabilities, summary, organization and categories."""
        words = text_words(value)[:10]
        if not words:
            return queryset
        return queryset.matching_document(words_tsquery(words, prefix_every=True))

    def filter_free_tier(self, queryset, name, value):
        return queryset.filter(has_free_tier=True) if value else queryset

    def filter_price(self, queryset, name, value):
        """Token-priced artifacts whose headline input rate is at most the limit; an artifact
        priced per image or per month has no such rate, so it is not "under $1"."""
        if not value:
            return queryset
        return queryset.filter(headline_token_price_per_million__lte=Decimal(value))

    # Every filter adds a condition or a subquery, never a join: facet counts
    # (catalog.facets.count_facets) rely on each artifact appearing once.
    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        members = Category.artifacts.through.objects
        if self.category_ids is None:
            matching = members.filter(category__slug__in=value)
        else:
            ids = [self.category_ids[slug] for slug in value if slug in self.category_ids]
            matching = members.filter(category_id__in=ids)
        return queryset.filter(pk__in=matching.values("artifact_id"))

    def filter_inputs(self, queryset, name, value):
        return queryset.filter(inputs__overlap=value) if value else queryset

    def filter_outputs(self, queryset, name, value):
        return queryset.filter(outputs__overlap=value) if value else queryset

    def filter_license(self, queryset, name, value):
        return queryset.filter(license__in=value) if value else queryset

    def apply_sort(self, queryset, name, value):
        if value == "name":
            return queryset.by_name()
        if value == "newest":
            return queryset.newest()
        if value == "price":
            return queryset.by_token_price()
        return queryset.by_rank()
