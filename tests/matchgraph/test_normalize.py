"""Normalization: the same need typed two ways is one intent, and search words stay safe."""

import pytest

from matchgraph.normalize import MAX_QUERY_CHARS, MAX_TERMS, normalize_intent, query_words
from matchgraph.search.plan import search_plan


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("caption product photos", "caption product photos"),
        ("  Caption PRODUCT photos, cheaply!! ", "caption product photos cheaply"),
        ("caption\tproduct\n\nphotos", "caption product photos"),
        ("I want to caption the photos of my shop", "caption photos shop"),
        ("caption—product…photos?!", "caption product photos"),
        ("snake_case-words", "snake case words"),
        ("ＣＡＰＴＩＯＮ photos", "caption photos"),  # full-width letters fold (NFKC)
        ("画像 caption", "画像 caption"),
        (
            "transcribe meetings without cloud, local & free",
            "transcribe meetings without cloud local free",
        ),
    ],
)
def test_normalize_intent_folds_case_whitespace_punctuation_and_stop_words(raw, expected):
    assert normalize_intent(raw) == expected


def test_normalize_intent_makes_two_spellings_of_one_need_equal():
    assert normalize_intent("Caption my PRODUCT photos") == normalize_intent(
        "caption, product   photos!"
    )


@pytest.mark.parametrize("raw", ["", "   ", "?!…—,.;:", "the and of a to", "🔥🔥🔥", None])
def test_normalize_intent_is_empty_when_nothing_meaningful_is_left(raw):
    assert normalize_intent(raw) == ""


def test_normalize_intent_is_bounded():
    many_words = " ".join(f"word{index}" for index in range(50))
    assert normalize_intent(many_words).split() == [f"word{index}" for index in range(MAX_TERMS)]
    assert len(normalize_intent("x" * 5_000)) == MAX_QUERY_CHARS


def test_query_words_keep_only_letters_and_digits():
    assert query_words("llama.cpp v0.2 <script>") == ["llama", "cpp", "v0", "2", "script"]


def test_search_plan_makes_the_last_word_a_prefix():
    plan = search_plan("Caption product phot")
    assert plan.words == ["caption", "product", "phot"]
    assert plan.tsquery() == "caption & product & phot:*"
    assert plan.tsquery(any_word=True) == "caption | product | phot:*"


def test_the_index_searches_an_unfinished_word_as_its_known_completions():
    known = {"phot": ("phot", "photo", "photos")}
    plan = search_plan("caption phot", complete=known.get)
    assert plan.index_tsquery() == "caption & (phot | photo | photos)"
    assert plan.tsquery() == "caption & phot:*"  # scoring keeps the prefix


def test_without_completions_the_index_searches_a_prefix():
    plan = search_plan("caption phot", complete=lambda word: None)
    assert plan.index_tsquery() == "caption & phot:*"


def test_the_index_can_search_the_words_in_one_field_only():
    known = {"phot": ("phot", "photo")}
    assert search_plan("caption phot", complete=known.get).index_tsquery(field="A") == (
        "caption:A & (phot:A | photo:A)"
    )
    plan = search_plan("caption phot", complete=lambda word: None)
    assert plan.index_tsquery(field="A") == "caption:A & phot:*A"


def test_search_plan_does_not_prefix_a_single_letter():
    assert search_plan("photos x").tsquery() == "photos & x"


def test_search_plan_cannot_inject_tsquery_syntax():
    plan = search_plan("caption & !photos | (x:*) <-> 'y'")
    assert plan.tsquery() == "caption & photos & x & y"


def test_search_plan_is_empty_for_stop_words_only():
    plan = search_plan("what is the best for me")
    assert plan.is_empty
    assert plan.intent_text == ""


FINE_TUNING = [("fine", "tune"), ("fine", "tuning"), ("finetune",), ("lora",)]
RAG = [("rag",), ("retrieval", "augmented"), ("retrieval", "augmented", "generation")]


def rewrites(query: str, groups) -> list[tuple[str, ...]]:
    return [alternative.words for alternative in search_plan(query, synonyms=groups).alternatives]


def test_a_synonym_replaces_the_phrase_and_keeps_the_rest_of_the_query():
    assert ("finetune", "vision") in rewrites("fine tuning vision", [FINE_TUNING])
    assert ("lora", "vision") in rewrites("fine tuning vision", [FINE_TUNING])


def test_a_query_saying_it_two_ways_gets_no_rewrite_that_would_drop_a_word():
    # "lora lora" or "fine tuning fine tune" would only broaden the query.
    assert rewrites("fine tuning lora", [FINE_TUNING]) == []


def test_a_term_inside_a_longer_term_of_its_group_does_not_count_twice():
    found = rewrites("retrieval augmented generation", [RAG])
    assert ("rag",) in found
    assert ("rag", "generation") not in found


SPEECH = [("asr",), ("speech", "recognition"), ("transcribe",)]
GPU = [("gpu",), ("graphics", "card")]


def test_the_index_form_of_synonyms_writes_the_kept_words_once():
    plan = search_plan("transcribe meeting audio", synonyms=[SPEECH])
    assert plan.alternatives_tsquery() == (
        "(asr & meeting & audio) | (speech & recognition & meeting & audio)"
    )
    assert plan.alternatives_index_tsquery() == (
        "(((asr) | (speech & recognition)) & meeting & audio)"
    )


def test_the_index_form_keeps_each_phrase_with_the_rest_of_the_query():
    plan = search_plan("transcribe on gpu", synonyms=[SPEECH, GPU])
    assert plan.alternatives_index_tsquery() == (
        "(((asr) | (speech & recognition)) & gpu) | (((graphics & card)) & transcribe)"
    )
