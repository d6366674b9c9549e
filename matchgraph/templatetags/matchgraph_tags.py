"""Match-graph data on pages owned by lower apps (the artifact page lives in catalog)."""

from django import template

from matchgraph import links, selectors
from matchgraph.impressions import impression_signer
from matchgraph.impressions import impression_token as signed_impression

register = template.Library()


@register.simple_tag(takes_context=True)
def impression_token(context, query, artifact_id, position):
    """The proof, carried by a result's links, that this visitor was shown it for `query`.
    The signer is made once per page."""
    request = context["request"]
    signers = context.render_context.setdefault(impression_token, {})
    if query not in signers:
        signers[query] = impression_signer(request, query)
    return signed_impression(
        request, query=query, artifact_id=artifact_id, position=position, signer=signers[query]
    )


@register.simple_tag
def artifact_neighbours(artifact):
    """`.related` and `.alternatives` for the artifact page, computed together."""
    return selectors.artifact_neighbours(artifact=artifact)


@register.simple_tag
def confirmed_confidence(capability, evidence):
    """The curated confidence, raised by search evidence (`selectors.confirmed_confidence`)."""
    found = evidence.get(capability.pk) if evidence else None
    return selectors.confirmed_confidence(confidence=capability.confidence, evidence=found)


@register.simple_tag
def artifact_match_evidence(artifact):
    """The artifact page's `.capabilities` evidence ({capability_id: evidence}) and its
    prefilled `.search_url`, in one query."""
    found = selectors.artifact_match_evidence(artifact=artifact)
    return {
        "capabilities": found.capabilities,
        "search_url": links.match_graph_search_url([_search_term(artifact, found.top_intent)]),
    }


def _search_term(artifact, top_intent: str | None) -> str:
    first = next(iter(artifact.capabilities.all()), None)
    return links.search_term(
        top_intent=top_intent,
        first_capability=first.title if first else None,
        kind_label=artifact.get_kind_display(),
    )
