"""Typed words as a match on the search document, said once for browse, the picker and
search."""

from catalog.search_words import text_words, words_tsquery


def test_words_are_lower_case_letters_and_digits():
    assert text_words("  Llama.cpp, GPT-4o_mini!") == ["llama", "cpp", "gpt", "4o", "mini"]


def test_every_word_or_any_word():
    assert words_tsquery(["speech", "recognition"]) == "speech & recognition"
    assert words_tsquery(["speech", "recognition"], any_word=True) == "speech | recognition"


def test_an_unfinished_last_word_is_a_prefix_once_long_enough():
    assert words_tsquery(["speech", "recog"], prefix_last=True) == "speech & recog:*"
    assert words_tsquery(["speech", "r"], prefix_last=True) == "speech & r"
    assert words_tsquery(["tr"], prefix_last=True, completions=("transcribe", "translate")) == (
        "(transcribe | translate)"
    )


def test_browse_reads_every_word_as_a_prefix():
    assert words_tsquery(["spee", "recog"], prefix_every=True) == "spee:* & recog:*"


def test_a_field_limits_each_word_to_that_part_of_the_document():
    assert words_tsquery(["whisper", "cp"], prefix_last=True, field="A") == "whisper:A & cp:*A"


def test_two_words_is_any_pair_of_them():
    assert words_tsquery(["a", "b", "c"], two_words=True) == "(a & b) | (a & c) | (b & c)"
    # Two words: both of them, as without it.
    assert words_tsquery(["a", "b"], two_words=True) == "a & b"
