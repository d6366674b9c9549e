"""Normalization: the same need typed two ways is one intent, and search words stay safe."""

import pytest

from matchgraph.normalize import MAX_QUERY_CHARS, MAX_TERMS, normalize_intent, query_words
from matchgraph.selectors import search_plan


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


def test_search_plan_does_not_prefix_a_single_letter():
    assert search_plan("photos x").tsquery() == "photos & x"


def test_search_plan_cannot_inject_tsquery_syntax():
    plan = search_plan("caption & !photos | (x:*) <-> 'y'")
    assert plan.tsquery() == "caption & photos & x & y"


def test_search_plan_is_empty_for_stop_words_only():
    plan = search_plan("what is the best for me")
    assert plan.is_empty
    assert plan.intent_text == ""
