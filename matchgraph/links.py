"""Addresses into the match graph's search, built by one rule for every page that offers one
(the artifact page's tag, the comparison pages)."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.http import urlencode

from matchgraph.normalize import MAX_QUERY_CHARS


def search_term(*, top_intent: str | None, first_capability: str | None, kind_label: str) -> str:
    """What one artifact adds to a prefilled search: the search it was chosen for most, else
    its first capability, else its kind."""
    return top_intent or first_capability or kind_label


def match_graph_search_url(terms: Iterable[str]) -> str:
    """The search page prefilled with these terms, cut to the longest query search reads."""
    query = " ".join(terms)[:MAX_QUERY_CHARS]
    return f"{reverse('matchgraph:search')}?{urlencode({'q': query})}"
