"""Stored details in words, by value type: no rows, no database."""

import pytest

from catalog.details import as_count, detail_label, detail_value, short_count


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
        ("parameters_total", 7_000_000_000, "7B"),
        ("parameters", 1_500_000, "1.5M"),
        ("languages", 1, "1 language"),
        ("languages", 99, "99 languages"),
        ("context_length", "131,072", "128K tokens"),
        ("edition", "2022", "2022"),
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


def test_counts_are_round_in_binary_or_in_decimal():
    assert [short_count(n) for n in (32768, 128000, 4096, 999)] == ["32K", "128K", "4K", "999"]


def test_short_counts_read_as_people_write_them():
    assert short_count(131072) == "128K"
    assert short_count(200000) == "200K"
    assert short_count(1048576) == "1M"
    assert short_count(1500000) == "1.5M"
    assert short_count(7_000_000_000) == "7B"
    assert short_count(8191) == "8,191"
    assert short_count(7500) == "7,500"  # thousands stay exact
    assert short_count(900) == "900"


def test_counts_typed_as_text_read_as_numbers():
    assert [as_count(v) for v in (12, "131,072", " 40 ", 3.0)] == [12, 131072, 40, 3]
    assert [as_count(v) for v in (True, "12B", "", 2.5, None)] == [None] * 5
