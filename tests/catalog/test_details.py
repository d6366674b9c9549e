"""Stored details in words, by value type: no rows, no database."""

import pytest

from catalog.details import detail_label, detail_value, token_count


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("context_length", 131072, "128K tokens"),
        ("context_length", 1_000_000, "1M tokens"),
        ("context_length", 1_048_576, "1M tokens"),
        ("context_length", 200_000, "200K tokens"),
        ("context_length", 7_500, "7,500 tokens"),
        ("max_output_tokens", 16384, "16K tokens"),
        ("max_input_tokens", 8191, "8,191 tokens"),
        ("thinking_mode", True, "Yes"),
        ("weights_available", False, "No"),
        ("train_images", 1281167, "1,281,167"),
        ("layers", 12, "12"),
        ("default_port", 11434, "11434"),
        ("first_offered", 2015, "2015"),
        ("current_major_version", 5, "5"),
        ("max_file_size_mb", 25, "25 MB"),
        ("input_window_seconds", 30, "30 seconds"),
        ("parameters_total", "424B", "424B"),
        ("ratio", 0.5, "0.5"),
        ("languages", ["Python", "TypeScript"], "Python, TypeScript"),
        ("anything", None, "Unknown"),
        ("anything", "", "Unknown"),
    ],
)
def test_a_detail_reads_by_its_value_type(key, value, expected):
    assert detail_value(key, value) == expected


def test_labels_drop_the_unit_the_value_carries():
    assert detail_label("context_length") == "Context length"
    assert detail_label("max_file_size_mb") == "Max file size"
    assert detail_label("thinking_mode") == "Thinking mode"


def test_token_counts_are_round_in_binary_or_in_decimal():
    assert [token_count(n) for n in (32768, 128000, 4096, 999)] == ["32K", "128K", "4K", "999"]
