"""Search with query understanding, end to end: constraints as filters and preferences,
their chips on the page, the direction of an X-to-Y task, a reason on every result, the
constraint vocabulary curators edit in the admin, bad input and the page's query count."""

import html
import importlib
import io
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import ConstraintTerm, SynonymGroup
from matchgraph.search import artifact_search
from matchgraph.search.plan import search_plan
from matchgraph.search.relevance import PREFER
from matchgraph.search.vocabulary import vocabulary_rebuild
from matchgraph.services import search_terms_changed
from tests.catalog.factories import ArtifactFactory, PricingPlanFactory

pytestmark = pytest.mark.django_db

SYNONYMS_SEED = importlib.import_module("matchgraph.migrations.0004_seed_synonyms")
CONSTRAINTS_SEED = importlib.import_module(
    "matchgraph.migrations.0009_seed_constraints_and_directions"
)
PAGE_HEADING = "<h1>Search by what you want to do</h1>"


def search(query: str):
    data = QueryDict(mutable=True)
    data["q"] = query
    return artifact_search(raw_query=query, data=data, page_number=None, per_page=24)


def names(results) -> list[str]:
    return [item.artifact.name for item in results.items]


def chip(results, key: str):
    return next(c for c in results.chips if c.constraint.key == key)


def page(client, query: str) -> str:
    response = client.get(reverse("matchgraph:search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


CHIP_LINK = re.compile(
    r'<a href="(?P<href>[^"]+)"[^>]*class="chip-remove" aria-label="Remove “(?P<label>[^”]+)”"'
)


def chip_links(page_html: str) -> dict[str, str]:
    """Each chip's label and where its × goes."""
    return {
        html.unescape(found["label"]): html.unescape(found["href"])
        for found in CHIP_LINK.finditer(page_html)
    }


def q_of(href: str) -> str:
    (value,) = parse_qs(urlsplit(href).query, keep_blank_values=True)["q"]
    return value


def seed_constraints():
    """The constraint vocabulary as the data migration seeds it. A browser test's flush can
    leave the table empty with --reuse-db; seeding again is idempotent."""
    CONSTRAINTS_SEED.seed(apps, None)
    search_terms_changed()


def seed_synonyms_and_constraints():
    """Both seeds, in migration order: 0009 gives the seeded groups their directions."""
    SYNONYMS_SEED.seed(apps, None)
    seed_constraints()


@pytest.fixture
def constraints():
    seed_constraints()


# --- (a) A filtering constraint -------------------------------------------------------------


@pytest.fixture
def speech(constraints):
    """A paid cloud API and an open-source repository that both do speech recognition."""
    cloud = ArtifactFactory(
        name="Cloud Speech API",
        kind="api",
        pricing_model="paid",
        free_tier=False,
        summary="Speech recognition for meetings, billed per minute.",
        current_rank=90,
    )
    local = ArtifactFactory(
        name="Whisperer",
        kind="repository",
        pricing_model="open_source",
        summary="Speech recognition for meetings, on your own machine.",
        current_rank=40,
    )
    artifacts_refresh_search()
    vocabulary_rebuild()
    return {"cloud": cloud, "local": local}


def misses(results, name: str) -> tuple[str, ...]:
    return next(item.misses for item in results.items if item.artifact.name == name)


def test_a_strong_constraint_puts_what_meets_it_first_and_marks_the_rest(speech):
    # By rank alone the cloud API (90) comes before the repository (40).
    assert names(search("speech recognition")) == ["Cloud Speech API", "Whisperer"]

    results = search("speech recognition locally")

    assert names(results) == ["Whisperer", "Cloud Speech API"]
    assert misses(results, "Whisperer") == ()
    assert misses(results, "Cloud Speech API") == ("runs locally",)
    assert results.items[1].starts_misses and not results.items[0].starts_misses
    assert results.plan.words == ["speech", "recognition"]
    (only,) = results.chips
    assert only.constraint.key == "runs_locally"
    assert not only.met_by_none
    assert ("constraint", "runs locally") in {
        (reason.kind, reason.label) for reason in results.items[0].reasons
    }


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("speech recognition open source", "Whisperer"),
        ("speech recognition self-hosted", "Whisperer"),
        ("speech recognition on my laptop", "Whisperer"),
        ("speech recognition api", "Cloud Speech API"),
        ("speech recognition saas", "Cloud Speech API"),
        ("speech recognition library", "Whisperer"),
    ],
)
def test_each_strong_constraint_puts_its_side_first(speech, query, kept):
    results = search(query)
    assert names(results)[0] == kept
    assert misses(results, kept) == ()
    assert all(item.misses for item in results.items[1:])


def test_a_filter_nothing_meets_orders_instead_and_says_so(speech, client):
    speech["local"].delete()
    artifacts_refresh_search()

    results = search("speech recognition locally")

    assert names(results) == ["Cloud Speech API"]  # still shown
    assert chip(results, "runs_locally").met_by_none
    page_html = page(client, "speech recognition locally")
    assert 'class="chip chip-unmet"' in page_html
    assert "(no result meets it)" in page_html
    assert "Cloud Speech API" in page_html


def test_an_unmet_filter_ranks_what_meets_the_others_first(speech):
    """ "dataset" is met by nothing: the filter is dropped and the order kept by text."""
    results = search("speech recognition dataset")
    assert set(names(results)) == {"Cloud Speech API", "Whisperer"}
    assert chip(results, "kind:dataset").met_by_none


def test_the_order_constraints_are_typed_in_does_not_change_the_results(speech):
    one_way = search("speech recognition locally api")
    other_way = search("speech recognition api locally")
    assert set(names(one_way)) == set(names(other_way))
    assert {(c.constraint.key, c.met_by_none) for c in one_way.chips} == {
        (c.constraint.key, c.met_by_none) for c in other_way.chips
    }


def test_constraints_only_that_nothing_meets_together_still_fall_back(speech):
    with_task = search("speech recognition open source api")
    assert with_task.total > 0  # the task query falls back
    results = search("open source api")
    assert results.total > 0


def test_a_constraint_only_query_lists_what_meets_it(speech):
    results = search("open source")
    assert names(results) == ["Whisperer"]
    assert not results.plan.has_task
    assert results.items[0].reasons  # "Meets open source"


# --- (b) A preference -----------------------------------------------------------------------


@pytest.fixture
def ocr(constraints):
    """Three OCR listings alike but for their price. By name, the free one would come last."""
    dear = ArtifactFactory(
        name="Alpha OCR", pricing_model="paid", free_tier=False, summary="Reads scanned pages."
    )
    PricingPlanFactory(artifact=dear, price=Decimal("0.0100"), unit="page")
    cheaper = ArtifactFactory(
        name="Beta OCR", pricing_model="paid", free_tier=False, summary="Reads scanned pages."
    )
    PricingPlanFactory(artifact=cheaper, price=Decimal("0.0010"), unit="page")
    ArtifactFactory(
        name="Zeta OCR", pricing_model="freemium", free_tier=True, summary="Reads scanned pages."
    )
    artifacts_refresh_search()
    vocabulary_rebuild()


def test_cheap_reorders_free_tier_first_without_removing_any(ocr):
    assert names(search("ocr scanned pages")) == ["Alpha OCR", "Beta OCR", "Zeta OCR"]

    results = search("cheap ocr scanned pages")

    assert names(results) == ["Zeta OCR", "Beta OCR", "Alpha OCR"]
    assert not chip(results, "cheap").constraint.is_strong
    assert not chip(results, "cheap").met_by_none
    free = results.items[0]
    assert ("constraint", "cheapest first") in {(r.kind, r.label) for r in free.reasons}


def test_a_preference_no_result_meets_still_shows_them_all(ocr):
    results = search("ocr scanned pages in german")
    assert len(results.items) == 3
    assert not chip(results, "language:german").constraint.is_strong


# --- (c) Chips ------------------------------------------------------------------------------


@pytest.fixture
def chips_catalog(speech):
    ArtifactFactory(
        name="Meeting Corpus",
        kind="dataset",
        pricing_model="free",
        summary="Recorded meetings with speech recognition transcripts.",
    )
    artifacts_refresh_search()
    vocabulary_rebuild()


@pytest.mark.parametrize(
    ("query", "label", "without"),
    [
        ("speech recognition locally", "runs locally", "speech recognition"),
        ("speech recognition on my laptop", "runs locally", "speech recognition"),
        ("open source speech recognition", "open source", "speech recognition"),
        ("speech recognition api", "API or hosted", "speech recognition"),
        ("speech recognition dataset", "kind: Dataset", "speech recognition"),
        ("speech recognition locally api", "API or hosted", "speech recognition locally"),
        ("speech recognition locally api", "runs locally", "speech recognition api"),
    ],
)
def test_each_constraint_is_a_chip_whose_cross_searches_without_it(
    client, chips_catalog, query, label, without
):
    links = chip_links(page(client, query))
    assert label in links
    assert urlsplit(links[label]).path == reverse("matchgraph:search")
    assert q_of(links[label]) == without


def test_the_task_is_shown_next_to_the_chips(client, chips_catalog):
    page_html = page(client, "speech recognition api")
    assert '<li class="chip chip-task">speech recognition</li>' in page_html


def test_following_a_chips_cross_drops_that_chip_only(client, chips_catalog):
    page_html = page(client, "open source speech recognition on my laptop dataset")
    links = chip_links(page_html)
    assert set(links) == {"open source", "runs locally", "kind: Dataset"}

    after = client.get(links["kind: Dataset"])

    assert after.status_code == 200
    remaining = chip_links(after.content.decode())
    assert set(remaining) == {"open source", "runs locally"}
    assert after.context["results"].plan.raw == "speech recognition open source on my laptop"


def test_the_last_chips_cross_leaves_the_plain_search(client, chips_catalog):
    links = chip_links(page(client, "speech recognition api"))
    after = client.get(links["API or hosted"])
    assert chip_links(after.content.decode()) == {}
    assert 'class="understood"' not in after.content.decode()
    assert set(names(after.context["results"])) == {
        "Cloud Speech API",
        "Whisperer",
        "Meeting Corpus",
    }


def test_a_chip_of_a_constraint_only_query_leaves_the_other_constraint(client, chips_catalog):
    links = chip_links(page(client, "open source api"))
    assert q_of(links["open source"]) == "api"
    assert q_of(links["API or hosted"]) == "open source"


# --- (d) Direction ------------------------------------------------------------------------


TTS = ["Narrator", "Voxa"]
STT = ["Speech Text Scribe", "Speech Text Studio"]
SAYS = {
    # Both directions say "text" and "speech"; only their inputs and outputs differ.
    "by-modalities": {
        "tts": ("Lifelike speech, in many voices, from any text.", ["text"], ["audio"]),
        "stt": ("Recorded speech, and the text of it, for meetings.", ["audio"], ["text"]),
    },
    # The real PyPI case: no modalities at all, only how the summaries say it.
    "by-words": {
        "tts": ("Offline text-to-speech for Python; turns text into speech.", [], []),
        "stt": ("Speech-to-text for Python: speech recognition with text output.", [], []),
    },
}


@pytest.fixture(
    params=[
        ("by-modalities", False),
        ("by-modalities", True),
        ("by-words", False),
        ("by-words", True),
    ],
    ids=["modalities", "modalities-seeded-synonyms", "words", "words-seeded-synonyms"],
)
def directions(request, constraints):
    """Speech synthesisers and transcribers. The transcribers are better established and
    say both words in their names, so only the direction can put the synthesisers first."""
    how, with_synonyms = request.param
    if with_synonyms:
        seed_synonyms_and_constraints()
    else:
        SynonymGroup.objects.all().delete()  # 0009 seeded three directional groups
        search_terms_changed()
    for names_, side, rank in [(TTS, "tts", 20), (STT, "stt", 95)]:
        summary, inputs, outputs = SAYS[how][side]
        for name in names_:
            ArtifactFactory(
                name=name,
                kind="repository",
                inputs=inputs,
                outputs=outputs,
                summary=summary,
                current_rank=rank,
            )
    artifacts_refresh_search()
    vocabulary_rebuild()
    return how


def assert_all_before(order: list[str], first: list[str], then: list[str]):
    assert set(first) | set(then) <= set(order), order
    assert max(order.index(name) for name in first) < min(order.index(name) for name in then)


def test_text_to_speech_ranks_every_synthesiser_above_every_transcriber(directions):
    results = search("text to speech")
    assert (results.plan.direction.source, results.plan.direction.target) == ("text", "audio")
    assert_all_before(names(results), TTS, STT)
    for item in results.items:
        does = item.artifact.name in TTS
        assert item.score.does_task is does
        assert item.score.does_reverse is not does


def test_speech_to_text_ranks_every_transcriber_above_every_synthesiser(directions):
    results = search("speech to text")
    assert (results.plan.direction.source, results.plan.direction.target) == ("audio", "text")
    assert_all_before(names(results), STT, TTS)


@pytest.mark.parametrize("query", ["text-to-speech", "Text To Speech", "text into speech"])
def test_the_direction_holds_however_it_is_written(directions, query):
    assert_all_before(names(search(query)), TTS, STT)


def test_a_result_that_does_the_task_says_so(directions):
    results = search("text to speech")
    for item in results.items:
        kinds = {reason.kind for reason in item.reasons}
        assert ("direction" in kinds) is (item.artifact.name in TTS)


def test_the_direction_survives_a_constraint(directions):
    results = search("text to speech open source")
    assert chip(results, "open_source")
    assert_all_before(names(results), TTS, STT)


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("text to speech", True),
        ("text-to-speech", True),
        ("Text to Speech", True),
        ("TEXT-TO-SPEECH", True),
        ("texts to speech", True),
        ("text into speech", True),
        ("text2speech", True),
        ("Offline text_to_speech engine.", True),
        ("text and speech", False),
        ("speech to text", False),
        ("context to speech", False),
        ("text to speechify", False),
    ],
)
def test_the_task_pattern_in_postgresql(text, matches):
    pattern = search_plan("text to speech").task_pattern
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s ~* %s", [text, pattern])
        assert cursor.fetchone()[0] is matches


def test_the_reverse_pattern_in_postgresql():
    reverse_pattern = search_plan("text to speech").reverse_pattern
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s ~* %s, %s ~* %s",
            ["Speech-to-text for Python", reverse_pattern, "Text-to-speech", reverse_pattern],
        )
        assert cursor.fetchone() == (True, False)


# --- (e) Every result has a reason, on the demo catalog ------------------------------------


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    seed_synonyms_and_constraints()
    artifacts_refresh_search()
    vocabulary_rebuild()


DEMO_QUERIES = [
    "transcribe meetings",
    "transcribe meetings locally",
    "speech to text",
    "text to speech",
    "image to text",
    "audio to text",
    "open source",
    "dataset",
    "api",
    "open source api",
    "free",
    "cheap image generation",
    "llm on my laptop",
    "small llm",
    "7b model",
    "german speech recognition",
    "vector database",
    "qdrant",
    "whisper",
    "stable difusion",
    "trasncribe audio",
    "caption spreadsheet zebra",
    "whisper spreadsheet",
    "course",
    "attention paper",
    "rag library",
    "embeddings api",
    "ocr",
    "fine tune llm cheaply",
    "self-hosted chat",
    "speech recognition api",
    "captions to train a model",
]

RESULT = re.compile(
    r'<li class="search-result(.*?)</li>\s*(?=<li class="search-result|</ol>)', re.S
)
REASONS = re.compile(r'<ul class="match-reasons"[^>]*>(.*?)</ul>', re.S)
REASON = re.compile(r'<li class="match-reason reason-(\w+)">(\w[^<]*) <em>([^<]+)</em></li>')


def test_every_result_has_a_reason(demo):
    reached = set()
    for query in DEMO_QUERIES:
        results = search(query)
        for item in results.items:
            assert item.reasons, (query, item.artifact.name)
            for reason in item.reasons:
                assert reason.text and reason.label.strip(), (query, item.artifact.name, reason)
        reached.add("results" if results.items else "none")
        reached.update(("broadened",) if results.broadened else ())
        reached.update(("corrected",) if results.correction else ())
        reached.update(("constraints-only",) if results.chips and not results.plan.words else ())
        reached.update(reason.kind for item in results.items for reason in item.reasons)
    # The queries reach the different ways a result gets on the page.
    assert {"results", "broadened", "corrected", "constraints-only"} <= reached
    assert {"direction", "field", "constraint", "similar"} <= reached


def test_every_rendered_result_shows_its_reasons(client, demo):
    for query in DEMO_QUERIES:
        page_html = page(client, query)
        shown = page_html.count('<li class="search-result')
        rendered = RESULT.findall(page_html)
        assert len(rendered) == shown, query
        for result_html in rendered:
            (reasons_html,) = REASONS.findall(result_html)
            assert REASON.search(reasons_html), (query, result_html[:200])
            assert "<em></em>" not in reasons_html, query


def test_a_lone_name_brings_its_neighbours_with_a_reason(demo):
    results = search("qdrant")
    assert names(results)[0] == "Qdrant"
    neighbours = results.items[1:]
    assert neighbours
    for item in neighbours:
        assert [(reason.kind, reason.label) for reason in item.reasons] == [("similar", "Qdrant")]


def test_demo_constraints_mean_what_they_say(demo):
    local = search("transcribe meetings locally")
    assert local.items and not chip(local, "runs_locally").met_by_none
    meeting = [item.artifact.name for item in local.items if not item.misses]
    assert "OpenAI Speech to Text API" not in meeting
    assert {"Whisper", "whisper.cpp", "faster-whisper"} <= set(meeting)
    assert names(local).index("OpenAI Speech to Text API") > len(meeting) - 1
    api = search("speech recognition api")
    assert "OpenAI Speech to Text API" in names(api)[:3]
    first = [item for item in api.items if not item.misses]
    assert "whisper.cpp" not in [item.artifact.name for item in first]
    for item in first:
        assert ("constraint", "API or hosted") in {(r.kind, r.label) for r in item.reasons}
    datasets = search("dataset").items
    kinds = [item.artifact.kind for item in datasets]
    assert kinds[: kinds.count("dataset")] == ["dataset"] * kinds.count("dataset")


# --- (f) Curators edit the vocabulary in the admin ------------------------------------------


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client.force_login(user)
    return client


def constraint_term_form(**fields) -> dict:
    return {"phrase": "", "constraint": "", "value": "", "is_active": "on", **fields}


def test_a_phrase_added_in_the_admin_is_understood_at_once(curator_client, speech):
    before = search("speech recognition air gapped")  # the vocabulary is now cached
    assert before.chips == ()
    assert "gapped" in before.plan.words

    response = curator_client.post(
        reverse("admin:matchgraph_constraintterm_add"),
        constraint_term_form(phrase="air gapped", constraint="runs_locally", is_strong="on"),
    )

    assert response.status_code == 302
    results = search("speech recognition air-gapped")
    assert results.plan.words == ["speech", "recognition"]
    assert [c.constraint.label for c in results.chips] == ["runs locally"]
    assert names(results) == ["Whisperer", "Cloud Speech API"]


def test_turning_is_strong_off_in_the_admin_makes_it_a_preference(curator_client, speech):
    term = ConstraintTerm.objects.create(phrase="air gapped", constraint="runs_locally")
    search_terms_changed()
    strong = search("speech recognition air gapped")
    assert names(strong) == ["Whisperer", "Cloud Speech API"]
    assert misses(strong, "Cloud Speech API") == ("runs locally",)

    response = curator_client.post(
        reverse("admin:matchgraph_constraintterm_change", args=[term.pk]),
        constraint_term_form(phrase="air gapped", constraint="runs_locally"),  # is_strong off
    )

    assert response.status_code == 302
    results = search("speech recognition air gapped")
    # Both shown; the one that runs locally moves up by the weight of a preference.
    assert set(names(results)) == {"Whisperer", "Cloud Speech API"}
    assert not chip(results, "runs_locally").constraint.is_strong
    plain = search("speech recognition")
    for artifact, bonus in [(speech["local"], PREFER), (speech["cloud"], 0.0)]:
        gained = (
            results.result(artifact.pk).score.relevance - plain.result(artifact.pk).score.relevance
        )
        assert gained == pytest.approx(bonus)
    assert ("constraint", "runs locally") in {
        (reason.kind, reason.label) for reason in results.reasons_of(speech["local"].pk)
    }


def test_deactivating_a_phrase_in_the_admin_makes_it_task_words_again(curator_client, speech):
    term = ConstraintTerm.objects.get(phrase="on my laptop")
    assert search("speech recognition on my laptop").chips

    curator_client.post(
        reverse("admin:matchgraph_constraintterm_change", args=[term.pk]),
        constraint_term_form(phrase="on my laptop", constraint="runs_locally", is_strong="on")
        | {"is_active": ""},
    )

    results = search("speech recognition on my laptop")
    assert results.chips == ()
    assert "laptop" in results.plan.words


# --- (g) Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("speech " * 2_000, id="long-repeated-word"),
        pytest.param("locally " * 1_000, id="long-repeated-constraint"),
        pytest.param("open source api " * 300, id="long-constraints-only"),
        pytest.param("text to " * 500 + "speech", id="long-x-to-y"),
        pytest.param("7b " * 1_000, id="many-sizes"),
        pytest.param("x" * 10_000, id="one-long-word"),
        pytest.param("?!…—,.;:'\"%_\\&|<->*()[]{}", id="only-punctuation"),
        pytest.param("speech\x00recognition locally", id="nul"),
        pytest.param("\x00", id="only-nul"),
        pytest.param("open source", id="constraint-only"),
        pytest.param("on my laptop", id="constraint-only-stop-words"),
        pytest.param("7b", id="size-only"),
        pytest.param("cheap german small", id="preferences-only"),
        pytest.param("9999.99b llm", id="big-size"),
        pytest.param("text to speech to text to image", id="chained-directions"),
        pytest.param(r"\m\M.*(to|into) ^$ text to speech", id="regex-syntax"),
    ],
)
def test_bad_input_answers_with_a_page_never_a_5xx(client, speech, query):
    response = client.get(reverse("matchgraph:search"), {"q": query})
    assert response.status_code < 500
    if response.status_code == 200:
        assert PAGE_HEADING in response.content.decode()


def test_an_encoded_nul_in_the_url_answers_with_a_page(client, speech):
    response = client.get(reverse("matchgraph:search") + "?q=speech%00recognition%20locally")
    assert response.status_code < 500


def test_a_constraint_only_query_renders_its_results_and_chips(client, speech):
    response = client.get(reverse("matchgraph:search"), {"q": "open source"})
    assert response.status_code == 200
    page_html = response.content.decode()
    assert "Whisperer" in page_html
    assert "Cloud Speech API" not in page_html
    assert chip_links(page_html) == {"open source": reverse("matchgraph:search") + "?q="}


def test_a_preferences_only_query_renders_every_artifact(client, speech):
    response = client.get(reverse("matchgraph:search"), {"q": "cheap"})
    assert response.status_code == 200
    assert set(names(response.context["results"])) == {"Cloud Speech API", "Whisperer"}


# --- (h) Query count ------------------------------------------------------------------------


def test_a_search_page_with_constraints_has_a_bounded_query_count(
    client, chips_catalog, django_assert_max_num_queries
):
    """ "speech recognition locally open source", one result meeting both constraints and two
    after it, recorded as a search (tasks
    run eagerly). The first page, with nothing cached, reads 22:

    - the synonym table, the constraint vocabulary and the lexicon (then cached);
    - the query's intent (none yet, so no related intents);
    - candidates: the document probe (top tier, then every match) and the capability net;
    - the fit: one query for both constraints (and a direction, were there one);
    - relevance, one query; the lone result's neighbours: the result, its related artifacts;
    - browse: the category choices, the page's cards and their plans (the price line), the
      facet counts;
    - reasons: matched fields; capability highlights;
    - recording: the intent (get, then created in a savepoint: 4), the search event.

    Asked again, the three tables and the category choices come from the cache, the intent
    exists (so its related intents are read) and recording only looks it up: 15."""
    query = "speech recognition locally open source"
    with django_assert_max_num_queries(22):
        first = page(client, query)
    with django_assert_max_num_queries(15):
        again = page(client, query)
    for page_html in (first, again):
        assert set(chip_links(page_html)) == {"runs locally", "open source"}
        assert page_html.count('<li class="search-result">') == 1  # meets both
        assert page_html.count('<li class="search-result misses-constraints">') == 2
