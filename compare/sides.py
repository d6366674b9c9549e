"""One artifact as a comparison shows it: its row, capabilities, plans and categories loaded
in a fixed number of queries, turned into a plain `Side`."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import BooleanField, ExpressionWrapper, Prefetch

from catalog.models import Artifact, Capability, Category, PricingPlan, kind_plural
from catalog.pricing import headline_price
from catalog.querysets import name_order, open_source_condition, runs_locally_condition
from compare.types import SIGNAL_KEYS, CapabilityItem, IntentEvidence, Side, SignalValue
from matchgraph import links
from matchgraph.selectors import CapabilityEvidence, confirmed_confidence
from ranking.models import RankScore
from ranking.scoring import round_half_up

PAGE_TEXT_NOT_COMPARED = (
    "about",
    "limitations",
    "requirements",
    "extra",
    "search_vector",
    "search_field_lengths",
    "import_hash",
)


def artifacts_for_sides(ids: list[int]) -> dict[int, Artifact]:
    """Four queries: the artifacts, then their capabilities, plans and categories."""
    queryset = (
        Artifact.objects.filter(pk__in=ids)
        # The long page text stays behind; what the artifact is for and its details are shown.
        .defer(*PAGE_TEXT_NOT_COMPARED)
        .annotate(
            # The catalog's own rules, read in the same query.
            open_licence=ExpressionWrapper(open_source_condition(), output_field=BooleanField()),
            runs_locally=ExpressionWrapper(runs_locally_condition(), output_field=BooleanField()),
        )
        .prefetch_related(
            Prefetch(
                "capabilities",
                queryset=Capability.objects.order_by("position", "id").defer("search_vector"),
            ),
            Prefetch("plans", queryset=PricingPlan.objects.order_by("position", "id")),
            Prefetch(
                "categories", queryset=Category.objects.order_by(name_order()).only("id", "name")
            ),
        )
    )
    return {artifact.pk: artifact for artifact in queryset}


def signal_values(score: RankScore | None) -> tuple[SignalValue, ...]:
    if score is None:
        return tuple(SignalValue(key) for key in SIGNAL_KEYS)
    values = []
    for key in SIGNAL_KEYS:
        raw = getattr(score, key)
        values.append(
            SignalValue(
                key,
                score=None if raw is None else round_half_up(raw),
                badge=bool(getattr(score, f"{key}_badge")),
            )
        )
    return tuple(values)


def capability_item(capability: Capability, evidence: CapabilityEvidence | None) -> CapabilityItem:
    return CapabilityItem(
        id=capability.pk,
        title=capability.title,
        description=capability.description,
        unique_angle=capability.unique_angle,
        vs_alternatives=capability.vs_alternatives,
        confidence=capability.confidence,
        level=confirmed_confidence(confidence=capability.confidence, evidence=evidence),
        searches=evidence.distinct_intents if evidence else 0,
        searchers=evidence.distinct_clients if evidence else 0,
    )


def side_from_artifact(
    artifact: Artifact,
    *,
    score: RankScore | None,
    evidence: dict[int, CapabilityEvidence],
    intents: list[IntentEvidence],
) -> Side:
    return Side(
        id=artifact.pk,
        slug=artifact.slug,
        name=artifact.name,
        url=artifact.get_absolute_url(),
        kind=artifact.kind,
        kind_label=artifact.get_kind_display(),
        kind_plural=kind_plural(artifact.kind),
        organization=artifact.organization,
        summary=artifact.summary,
        # The current run's rank; without a score row, the denormalized one (normally None).
        rank=score.rank if score is not None else artifact.current_rank,
        signals=signal_values(score),
        pricing_model=artifact.pricing_model,
        pricing_label=artifact.get_pricing_model_display() if artifact.pricing_model else "",
        free_tier=artifact.free_tier,
        price=headline_price(artifact.plans.all()),
        license=artifact.license,
        inputs=tuple(artifact.inputs),
        outputs=tuple(artifact.outputs),
        categories=tuple(category.name for category in artifact.categories.all()),
        best_for=tuple(artifact.best_for),
        details=tuple((key, value) for key, value in artifact.details),
        open_licence=artifact.open_licence if artifact.license else None,
        runs_locally=artifact.runs_locally,
        capabilities=tuple(
            capability_item(capability, evidence.get(capability.pk))
            for capability in artifact.capabilities.all()
        ),
        times_matched=artifact.times_matched,
        times_matched_30d=artifact.times_matched_30d,
        top_intents=tuple(intents),
        updated=artifact.updated,
    )


def match_graph_search_url(sides: Sequence[Side]) -> str:
    """Search prefilled from every side, by the match graph's rule, from data already read."""
    return links.match_graph_search_url(
        links.search_term(
            top_intent=side.top_intents[0].text if side.top_intents else None,
            first_capability=side.capabilities[0].title if side.capabilities else None,
            kind_label=side.kind_label,
        )
        for side in sides
    )
