"""The verdict as a pure function: crafted sides, no database rows."""

from decimal import Decimal

from compare.overlap import capability_overlap
from compare.types import (
    SIGNAL_KEYS,
    CapabilityItem,
    IntentEvidence,
    Price,
    SharedSearches,
    Side,
    SignalValue,
)
from compare.verdict import comparison_verdict, grid_verdict, join_words, pair_verdict


def side(name, *, rank=None, signals=None, badges=(), **fields) -> Side:
    signals = signals or {}
    return Side(
        name=name,
        slug=name.lower().replace(" ", "-"),
        kind=fields.pop("kind", "model"),
        kind_label=fields.pop("kind_label", "Model"),
        kind_plural=fields.pop("kind_plural", "models"),
        rank=rank,
        signals=tuple(
            SignalValue(key, score=signals.get(key), badge=key in badges) for key in SIGNAL_KEYS
        ),
        **fields,
    )


FULL = {"adoption": 60, "quality": 60, "ecosystem": 60, "freshness": 60}


def test_join_words():
    assert join_words([]) == ""
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"


def test_tie_says_level_and_names_no_leader():
    verdict = pair_verdict(
        side("Alpha", rank=47, signals=FULL), side("Beta", rank=47, signals=FULL)
    )
    assert verdict.headline == "Alpha and Beta are level at 47/100 among models."
    assert verdict.leader_slug is None
    assert "within 5 points of each other" in verdict.points[0]
    assert not verdict.thin


def test_a_small_gap_is_too_close_to_call():
    verdict = pair_verdict(
        side("Alpha", rank=50, signals=FULL), side("Beta", rank=48, signals=FULL)
    )
    assert verdict.headline.startswith(
        "Alpha is just ahead at 50/100 among models, against 48/100 for Beta"
    )
    assert "a gap of 2 points is too close to call" in verdict.headline
    assert verdict.leader_slug is None


def test_clear_leader_with_margin_words():
    wide = pair_verdict(side("Flux", rank=58), side("Ernie", rank=23))
    assert wide.headline == (
        "Flux ranks higher at 58/100 among models, against 23/100 for Ernie: a wide lead of 35 "
        "points."
    )
    assert wide.leader_slug == "flux"
    modest = pair_verdict(side("Flux", rank=30), side("Ernie", rank=36))
    assert modest.headline.endswith("a modest lead of 6 points.")
    assert modest.leader_slug == "ernie"


def test_signals_split_between_the_two_names_each_with_numbers():
    flux = side("Flux", rank=58, signals={"adoption": 40, "quality": 90, "ecosystem": 30})
    vit = side("ViT", rank=51, signals={"adoption": 81, "quality": 52, "ecosystem": 77})
    verdict = pair_verdict(flux, vit)
    assert verdict.points[0] == (
        "ViT is ahead on adoption (81 vs 40) and connections (77 vs 30), "
        "while Flux is stronger on documentation (90 vs 52)."
    )


def test_one_sided_lead_says_the_other_leads_on_nothing():
    strong = side("Strong", rank=80, signals={"adoption": 90, "quality": 88, "freshness": 60})
    weak = side("Weak", rank=20, signals={"adoption": 10, "quality": 30, "freshness": 58})
    verdict = pair_verdict(weak, strong)
    assert verdict.points[0] == (
        "Strong is ahead on adoption (90 vs 10) and documentation (88 vs 30); "
        "Weak leads on no signal by 5 points or more."
    )
    assert verdict.leader_slug == "strong"


def test_missing_data_is_named_and_makes_the_verdict_thin():
    known = side("Known", rank=40, signals={"adoption": 50})
    unknown = side("Mystery")
    verdict = pair_verdict(known, unknown)
    assert verdict.headline == (
        "Known ranks 40/100 among models; Mystery is not ranked yet, so their overall scores "
        "cannot be compared."
    )
    assert verdict.thin
    assert "Mystery is not ranked yet" in verdict.thin_reasons
    assert "only 0 signals are known for both" in verdict.thin_reasons
    assert any(
        point.startswith("Mystery has no known adoption score, so that signal is left out")
        for point in verdict.points
    )


def test_nothing_known_at_all():
    verdict = pair_verdict(side("One"), side("Two"))
    assert verdict.headline == (
        "Neither One nor Two is ranked yet, so there is no overall score to compare."
    )
    assert verdict.thin_reasons[0] == "neither is ranked yet"
    assert (
        "Neither has been chosen in a search yet, so the match graph cannot say which fits real "
        "needs better."
    ) in verdict.points


def test_free_tier_on_one_side_only():
    free = side("Free One", rank=50, signals=FULL, free_tier=True)
    paid = side("Paid One", rank=50, signals=FULL, free_tier=False)
    assert (
        "Free One has a free tier and Paid One does not, so Free One costs nothing to try."
        in pair_verdict(paid, free).points
    )
    unknown = side("Unknown One", rank=50, signals=FULL, free_tier=None)
    assert (
        "Free One has a free tier; whether Unknown One has one is unknown."
        in pair_verdict(free, unknown).points
    )
    both = pair_verdict(free, side("Other", rank=50, signals=FULL, free_tier=True))
    assert "Both have a free tier." in both.points


def test_pricing_models_and_prices():
    token = Price(Decimal("0.00000042"), "USD", "prompt token")
    cheaper = Price(Decimal("0.0000001"), "USD", "Prompt tokens ")  # same unit, other spelling
    image = Price(Decimal("0.04"), "USD", "image")
    a = side("Ernie", rank=20, pricing_model="paid", price=token)
    b = side("Llama", rank=30, pricing_model="open_source", price=cheaper)
    points = pair_verdict(a, b).points
    assert "Ernie is paid, while Llama is open source." in points
    assert "Llama starts cheaper: $0.10 against $0.42 per 1M input tokens, 4× less." in points
    different = pair_verdict(a, side("Flux", rank=30, price=image)).points
    assert (
        "Their starting prices are in different units (per 1M input tokens for Ernie, per "
        "image for Flux), so neither is simply cheaper."
    ) in different
    one = pair_verdict(a, side("Flux", rank=30)).points
    assert "Only Ernie lists a price, from $0.42 per 1M input tokens; Flux lists none." in one


def _tokens(input_rate, output_rate):
    return Price(Decimal(input_rate), "USD", "prompt token", output=Decimal(output_rate))


def test_two_token_apis_compare_input_and_output_per_million():
    ernie = side("Ernie", rank=20, price=_tokens("0.00000042", "0.00000125"))
    gpt = side("GPT-4o", rank=30, price=_tokens("0.0000025", "0.00001"))
    assert (
        "Ernie starts cheaper: $0.42 / $1.25 against $2.50 / $10.00 per 1M tokens "
        "(input / output), 6× less."
    ) in pair_verdict(gpt, ernie).points
    twin = side("Twin", rank=20, price=_tokens("0.0000025", "0.00001"))
    assert (
        "Both start at $2.50 / $10.00 per 1M tokens (input / output)."
        in pair_verdict(gpt, twin).points
    )
    odd = side("Odd", rank=20, price=_tokens("0.0000001", "0.00002"))
    mixed = pair_verdict(ernie, odd).points
    assert (
        "Odd is cheaper on input and Ernie on output (Ernie $0.42 / $1.25, Odd $0.10 / $20.00 "
        "per 1M tokens, input / output), so which costs less depends on how much text goes "
        "each way."
    ) in mixed
    assert not any("starts cheaper" in point for point in mixed)


def test_grid_names_the_lowest_price_only_within_one_family():
    ernie = side("Ernie", rank=20, price=_tokens("0.00000042", "0.00000125"))
    gpt = side("GPT-4o", rank=30, price=_tokens("0.0000025", "0.00001"))
    llama = side("Llama", rank=25, price=_tokens("0.00000015", "0.0000006"))
    points = grid_verdict([ernie, gpt, llama]).points
    assert "Lowest starting price: Llama, $0.15 / $0.60 per 1M tokens (input / output)." in points
    flux = side("Flux", rank=40, price=Price(Decimal("0.04"), "USD", "image"))
    mixed = grid_verdict([ernie, gpt, flux]).points
    assert not any(point.startswith("Lowest starting price") for point in mixed)


def test_match_evidence_quotes_intents_and_counts():
    chosen = side(
        "Chosen",
        rank=50,
        signals=FULL,
        times_matched=12,
        top_intents=(IntentEvidence("caption product photos", 7), IntentEvidence("alt text", 3)),
    )
    never = side("Never", rank=50, signals=FULL)
    verdict = pair_verdict(
        chosen, never, shared=SharedSearches(count=2, examples=("caption product photos",))
    )
    assert (
        "Searchers chose Chosen 12 times, for intents like “caption product photos” and “alt text”."
        in verdict.points
    )
    assert "Never has not been chosen in a search yet." in verdict.points
    assert (
        "Both were chosen for 2 of the same searches, such as “caption product photos”: for those "
        "needs they are real alternatives."
    ) in verdict.points


def test_cross_kind_pairs_explain_the_percentiles():
    model = side("Ernie", rank=20, signals=FULL)
    repository = side("sdnext", rank=51, signals=FULL, kind="repository", kind_label="Repository")
    api = side("Some API", rank=40, signals=FULL, kind="api", kind_label="API")
    points = pair_verdict(model, repository).points
    assert any(
        p.startswith("Ernie is a model and sdnext is a repository: each signal is a percentile")
        for p in points
    )
    assert any(
        "Ernie is a model and Some API is an API" in p for p in pair_verdict(model, api).points
    )


def test_badges_are_named_with_the_kind():
    verdict = pair_verdict(
        side("Flux", rank=60, signals=FULL, badges=("adoption", "quality")),
        side("Other", rank=50, signals=FULL),
    )
    assert "Flux is in the top tier of models for adoption and documentation." in (verdict.points)


def test_every_number_in_a_pair_verdict_comes_from_the_sides():
    """No sentence may carry a number the sides do not hold (or derive: gaps and ratios)."""
    import re

    a = side("Alpha", rank=58, signals={"adoption": 81, "quality": 40}, times_matched=9)
    b = side("Beta", rank=23, signals={"adoption": 20, "quality": 70})
    verdict = pair_verdict(a, b)
    allowed = {"58", "23", "35", "81", "20", "40", "70", "9", "100", "1", "5", "0"}
    for sentence in (verdict.headline, *verdict.points):
        assert set(re.findall(r"\d+", sentence)) <= allowed, sentence


def test_grid_summary():
    sides = [
        side("A", rank=70, signals={"adoption": 90}, free_tier=True, times_matched=4),
        side("B", rank=40, signals={"adoption": 30}, free_tier=None),
        side("C", signals={"adoption": 90}),
    ]
    verdict = grid_verdict(sides)
    assert verdict.headline == "Among models: A ranks highest at 70/100; B is lowest at 40/100."
    assert verdict.leader_slug == "a"
    assert "Not ranked yet: C." in verdict.points
    assert "Leaders by signal — adoption: A and C (90)." in verdict.points
    assert "With a free tier: A." in verdict.points
    assert "Free tier unknown: B and C." in verdict.points
    assert "Chosen most often by searchers: A (4 times)." in verdict.points
    assert not verdict.thin


def test_grid_with_too_few_ranked_is_thin():
    verdict = comparison_verdict([side("A", rank=10), side("B"), side("C")])
    assert verdict.headline == "Only A is ranked (10/100 among models)."
    assert verdict.thin


# --- Different jobs, different kinds -------------------------------------------------------------


def capabilities(*titles, start=1):
    return tuple(CapabilityItem(id=start + n, title=title) for n, title in enumerate(titles))


def test_a_pair_with_no_common_capability_does_different_jobs_and_has_no_lead():
    vision = side(
        "Ernie",
        rank=20,
        signals=FULL,
        best_for=("Writing detailed image descriptions and alt text",),
        capabilities=capabilities("Caption images in natural language"),
        free_tier=False,
        outputs=("text",),
    )
    generator = side(
        "Flux",
        rank=59,
        signals={**FULL, "adoption": 99},
        capabilities=capabilities("Generate images from text prompts", start=10),
        free_tier=True,
        outputs=("image",),
    )
    overlap = capability_overlap(vision.capabilities, generator.capabilities)
    verdict = pair_verdict(vision, generator, overlap=overlap)
    assert verdict.headline == (
        "These do different jobs: Ernie is for “Writing detailed image descriptions and alt "
        "text”, and Flux is for “Generate images from text prompts”."
    )
    assert verdict.leader_slug is None
    assert not any("lead" in point or "ahead" in point for point in verdict.points)
    assert "Ernie has no free tier." in verdict.points
    assert "Flux has a free tier." in verdict.points


def test_a_shared_capability_or_shared_searches_keep_the_usual_verdict():
    a = side("Alpha", rank=70, capabilities=capabilities("Caption product photos"))
    b = side("Beta", rank=30, capabilities=capabilities("Caption product photos", start=10))
    overlap = capability_overlap(a.capabilities, b.capabilities)
    assert "lead of 40 points" in pair_verdict(a, b, overlap=overlap).headline
    c = side("Gamma", rank=30, capabilities=capabilities("Draw pictures", start=20))
    shared = SharedSearches(count=2, examples=("photos",))
    assert (
        "lead of 40 points"
        in (
            pair_verdict(
                a, c, overlap=capability_overlap(a.capabilities, c.capabilities), shared=shared
            )
        ).headline
    )


def test_without_capabilities_on_both_sides_there_is_no_different_jobs_claim():
    a = side("Alpha", rank=70, outputs=("text",))
    b = side("Beta", rank=30, capabilities=capabilities("Draw"), outputs=("image",))
    assert "lead of" in pair_verdict(a, b, overlap=capability_overlap((), b.capabilities)).headline


def test_titles_worded_apart_but_making_the_same_output_still_compete():
    """Two transcribers whose capability titles share no word."""
    a = side("Whisper", rank=76, capabilities=capabilities("Speech recognition"), outputs=("text",))
    b = side(
        "whisper.cpp",
        rank=42,
        capabilities=capabilities("Offline transcription", start=10),
        outputs=("text", "structured"),
    )
    verdict = pair_verdict(a, b, overlap=capability_overlap(a.capabilities, b.capabilities))
    assert "lead of 34 points" in verdict.headline


def test_ranks_of_different_kinds_are_never_compared():
    model = side("Whisper", rank=90, signals={**FULL, "adoption": 99})
    repository = side(
        "sdnext",
        rank=40,
        signals=FULL,
        kind="repository",
        kind_label="Repository",
        kind_plural="repositories",
    )
    verdict = pair_verdict(model, repository)
    assert verdict.headline == (
        "Whisper ranks 90/100 among models and sdnext 40/100 among repositories: they are "
        "ranked within different kinds, so their ranks do not compare."
    )
    assert verdict.leader_slug is None
    assert not any("ahead on" in point for point in verdict.points)


def test_a_grid_of_mixed_kinds_compares_ranks_only_within_each_kind():
    repository = {"kind": "repository", "kind_label": "Repository", "kind_plural": "repositories"}
    sides = [
        side("Whisper", rank=95, signals={"adoption": 99}),
        side("whisper.cpp", rank=70, signals={"adoption": 80}, **repository),
        side("faster-whisper", rank=50, signals={"adoption": 60}, **repository),
    ]
    verdict = grid_verdict(sides)
    assert verdict.headline == (
        "These are ranked within different kinds (models and repositories), so a rank compares "
        "only with others of its kind."
    )
    assert "Whisper ranks highest" not in " ".join([verdict.headline, *verdict.points])
    assert verdict.leader_slug is None
    assert "Whisper ranks 95/100 among models." in verdict.points
    assert (
        "Among repositories: whisper.cpp ranks highest at 70/100; faster-whisper is lowest at "
        "50/100." in verdict.points
    )
    assert "Leaders by signal among repositories — adoption: whisper.cpp (80)." in verdict.points
    assert not any("adoption: Whisper" in point for point in verdict.points)
