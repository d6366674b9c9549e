"""The one place search relevance is defined.

    relevance = TEXT   × text_match / best   (0–1: ts_rank_cd over the weighted document,
                                              name A > capability title B > summary C > D,
                                              relative to the best text match of the query)
              + RANK   × current_rank / 100   (0–1: UnfragileRank, 0 while unranked)
              + MATCH  × w / (w + MATCH_HALF) (0–1: match-graph weight of this artifact for
                                              this very intent; MATCH_HALF is the weight at
                                              which the term reaches one half)

Text dominates, so a relevant artifact beats a popular but unrelated one; rank and match
feedback decide between artifacts that fit the words about as well. The text term is relative
to the best match because ts_rank_cd's absolute values are small and shrink with every extra
query word (two words far apart score ~0.03–0.1), so on an absolute scale the rank term would
outweigh text for most multi-word queries.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, FloatField, Max, OuterRef, QuerySet, Subquery, Value, Window
from django.db.models.functions import Cast, Coalesce, NullIf

TEXT = 0.65
RANK = 0.15
MATCH = 0.20
MATCH_HALF = 3.0

# ts_rank weights for D, C, B, A (PostgreSQL's order).
DOCUMENT_WEIGHTS = [0.1, 0.3, 0.6, 1.0]
# Normalization 1|32: divide by log(document length), then map rank into 0..1.
RANK_NORMALIZATION = 1 | 32


def annotate_relevance(
    queryset: QuerySet, *, query: SearchQuery, intent_edges: QuerySet | None
) -> QuerySet:
    """Annotate `text_match`, `match_weight` and the combined `relevance` on artifacts."""
    text_match = SearchRank(
        F("search_vector"),
        query,
        weights=DOCUMENT_WEIGHTS,
        normalization=Value(RANK_NORMALIZATION),
        cover_density=True,
    )
    if intent_edges is not None:
        match_weight = Coalesce(
            Subquery(intent_edges.filter(artifact_id=OuterRef("pk")).values("weight")[:1]),
            Value(0.0),
            output_field=FloatField(),
        )
    else:
        match_weight = Value(0.0, output_field=FloatField())
    rank = Coalesce(Cast("current_rank", FloatField()), Value(0.0)) / Value(100.0)
    # The best text match among the matches (the window runs after WHERE, before LIMIT).
    best = NullIf(Window(Max(F("text_match"))), Value(0.0))
    return queryset.annotate(text_match=text_match, match_weight=match_weight).annotate(
        relevance=Value(TEXT) * Coalesce(F("text_match") / best, Value(0.0))
        + Value(RANK) * rank
        + Value(MATCH) * F("match_weight") / (F("match_weight") + Value(MATCH_HALF))
    )
