"""Query understanding without a database: `understand` splits a query into its task and its
constraints, and `search_plan` adds the direction of an X-to-Y task and the patterns that
tell it from its reverse. The vocabulary is built by hand from the phrases the data
migration seeds (0009), so these tests also pin what the seeded words mean."""

import importlib
import re

import pytest

from matchgraph.models import ConstraintType
from matchgraph.normalize import query_words
from matchgraph.search.plan import Direction, SynonymTable, search_plan
from matchgraph.search.understanding import Constraint, VocabularyEntry, understand

SEED = importlib.import_module("matchgraph.migrations.0009_seed_constraints_and_directions")


def entry(phrase: str, constraint: str, value: str = "", filters: bool = True):
    return VocabularyEntry(tuple(query_words(phrase)), constraint, value, filters)


# What `constraint_vocabulary()` returns once the migration has seeded the table.
VOCABULARY = [
    entry(phrase, constraint, value, phrase not in SEED.PREFERENCES_ONLY)
    for (constraint, value), phrases in SEED.CONSTRAINTS.items()
    for phrase in phrases
] + [entry(language, "language", language) for language in SEED.LANGUAGES]

# Terms of the seeded synonym groups a constraint word could be part of.
TASK_PHRASES = [("language", "model"), ("large", "language", "model"), ("speech", "recognition")]


def understood(raw: str, vocabulary=VOCABULARY, task_phrases=TASK_PHRASES):
    return understand(raw, vocabulary=vocabulary, task_phrases=task_phrases)


def only_constraint(raw: str) -> Constraint:
    (constraint,) = understood(raw).constraints
    return constraint


# --- Each constraint class --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "typed"),
    [
        ("transcribe meetings locally", "locally"),
        ("transcribe meetings offline", "offline"),
        ("transcribe meetings self-hosted", "self hosted"),
        ("transcribe meetings on my laptop", "on my laptop"),
        ("transcribe meetings On My Laptop!", "on my laptop"),
    ],
)
def test_runs_locally_is_recognised_and_taken_out_of_the_task(raw, typed):
    result = understood(raw)
    assert result.task == "transcribe meetings"
    (constraint,) = result.constraints
    assert (constraint.type, constraint.value, constraint.typed) == ("runs_locally", "", typed)
    assert constraint.is_strong
    assert constraint.key == "runs_locally"
    assert constraint.label == "runs locally"


@pytest.mark.parametrize(
    ("raw", "task", "key", "label", "is_strong"),
    [
        ("open source ocr", "ocr", "open_source", "open source", True),
        ("open weights llm", "llm", "open_source:model", "open weights", True),
        ("hosted ocr", "ocr", "hosted", "hosted", True),
        ("saas crm", "crm", "hosted", "hosted", True),
        ("ocr api", "ocr", "hosted:api", "API or hosted", True),
        ("ocr rest api", "ocr", "hosted:api", "API or hosted", True),
        ("free ocr", "ocr", "free", "free", True),
        ("cheap ocr", "ocr", "cheap", "cheapest first", False),
        ("cheapest ocr", "ocr", "cheap", "cheapest first", False),
        ("speech dataset", "speech", "kind:dataset", "kind: Dataset", True),
        ("machine learning course", "machine learning", "kind:course", "kind: Course", True),
        ("rag paper", "rag", "kind:paper", "kind: Paper", True),
        ("vector search library", "vector search", "kind:repository,tool", None, True),
        ("german tts", "tts", "language:german", "language: German", False),
        ("small llm", "llm", "size:small", "small", False),
        ("tiny llm", "llm", "size:small", "small", False),
    ],
)
def test_each_constraint_class_is_recognised(raw, task, key, label, is_strong):
    result = understood(raw)
    assert result.task == task
    (constraint,) = result.constraints
    assert constraint.key == key
    if label is not None:
        assert constraint.label == label
    assert constraint.is_strong is is_strong


def test_a_library_means_a_repository_or_a_tool():
    constraint = only_constraint("vector search library")
    assert (constraint.type, constraint.value) == ("kind", "repository,tool")
    assert constraint.label == "kind: Repository or Tool"


def test_model_is_a_kind_that_only_ranks_higher():
    """ "model" often names the task's object ("serve a model"): seeded as a preference."""
    constraint = only_constraint("llama model")
    assert (constraint.type, constraint.value) == ("kind", "model")
    assert constraint.strong is False and not constraint.is_strong
    assert constraint.label == "kind: Model"


def test_a_language_is_a_preference_even_when_marked_as_a_filter():
    constraint = only_constraint("german tts")
    assert constraint.strong is True  # as seeded
    assert not constraint.is_strong  # a language can only order results


@pytest.mark.parametrize(
    ("raw", "value", "label"),
    [
        ("7b llm", "7b", "size: up to 7B"),
        ("llm 7B", "7b", "size: up to 7B"),
        ("350m llm", "350m", "size: up to 350M"),
        ("70b llm", "70b", "size: up to 70B"),
    ],
)
def test_a_size_in_parameters_is_recognised_without_a_vocabulary_entry(raw, value, label):
    result = understood(raw, vocabulary=[])
    assert result.task == "llm"
    (constraint,) = result.constraints
    assert (constraint.type, constraint.value, constraint.typed) == (
        ConstraintType.SIZE,
        value,
        value,
    )
    assert constraint.key == f"size:{value}"
    assert constraint.label == label
    assert not constraint.is_strong


def test_a_decimal_size_is_one_constraint():
    result = understood("1.5b llm", vocabulary=[])
    assert result.task == "llm"
    (constraint,) = result.constraints
    assert constraint.value == "1.5b"
    assert constraint.label == "size: up to 1.5B"


@pytest.mark.parametrize("raw", ["12345b llm", "b llm", "7bn llm", "7x llm"])
def test_words_that_only_look_like_sizes_stay_task_words(raw):
    result = understood(raw, vocabulary=[])
    assert result.constraints == ()
    assert result.task == " ".join(query_words(raw))


# --- How phrases are matched --------------------------------------------------------------


@pytest.mark.parametrize("raw", ["self hosted chat", "self-hosted chat", "chat self hosted"])
def test_the_longest_phrase_wins(raw):
    """ "self hosted" runs locally; "hosted" alone is someone else's service."""
    result = understood(raw)
    assert result.task == "chat"
    assert [c.key for c in result.constraints] == ["runs_locally"]


def test_the_longest_phrase_wins_whatever_the_order_of_the_vocabulary():
    vocabulary = [entry("hosted", "hosted"), entry("self hosted", "runs_locally")]
    assert [c.key for c in understood("self hosted chat", vocabulary).constraints] == [
        "runs_locally"
    ]
    assert [c.key for c in understood("self hosted chat", vocabulary[::-1]).constraints] == [
        "runs_locally"
    ]


def test_a_constraint_word_inside_a_task_phrase_stays_a_task_word():
    result = understood("language model")
    assert result.task == "language model"
    assert result.constraints == ()


def test_a_constraint_word_outside_the_task_phrase_is_still_a_constraint():
    result = understood("small language model api")
    assert result.task == "language model"
    assert [c.key for c in result.constraints] == ["size:small", "hosted:api"]


def test_without_the_task_phrase_the_same_word_is_a_constraint():
    result = understood("language model", task_phrases=[])
    assert result.task == "language"
    assert [c.key for c in result.constraints] == ["kind:model"]


def test_task_phrases_are_compared_without_stop_words():
    """The synonym table stores "speech to text" as (speech, text)."""
    vocabulary = [entry("text", "kind", "dataset")]
    result = understood("speech to text", vocabulary, task_phrases=[("speech", "text")])
    assert result.task == "speech to text"
    assert result.constraints == ()


def test_two_ways_of_saying_one_constraint_collapse_into_one():
    result = understood("offline locally tts")
    assert result.task == "tts"
    (constraint,) = result.constraints
    assert constraint.key == "runs_locally"
    assert constraint.typed == "offline"  # the first one typed


def test_different_constraints_keep_the_order_they_were_typed_in():
    result = understood("free speech dataset on my laptop in german")
    assert [c.key for c in result.constraints] == [
        "free",
        "kind:dataset",
        "runs_locally",
        "language:german",
    ]
    assert result.task == "speech in"


def test_a_curated_entry_can_be_made_a_preference():
    vocabulary = [entry("air gapped", "runs_locally", filters=False)]
    (constraint,) = understood("whisper air-gapped", vocabulary).constraints
    assert constraint.type == "runs_locally" and not constraint.is_strong


# --- The chip's link: the query without one constraint -----------------------------------


def test_without_a_constraint_gives_the_query_without_its_words():
    result = understood("transcribe meetings locally open source api")
    by_key = {c.key: c for c in result.constraints}
    assert set(by_key) == {"runs_locally", "open_source", "hosted:api"}
    assert result.without(by_key["runs_locally"]) == "transcribe meetings open source api"
    assert result.without(by_key["open_source"]) == "transcribe meetings locally api"
    assert result.without(by_key["hosted:api"]) == "transcribe meetings locally open source"


def test_without_a_constraint_the_query_is_understood_as_the_rest():
    result = understood("whisper on my laptop dataset")
    local, dataset = result.constraints
    again = understood(result.without(local))
    assert again.task == "whisper"
    assert again.constraints == (dataset,)


def test_without_the_only_constraint_leaves_the_task():
    result = understood("transcribe meetings on my laptop")
    (constraint,) = result.constraints
    assert result.without(constraint) == "transcribe meetings"


def test_a_query_of_constraints_only_has_an_empty_task():
    result = understood("open source api")
    assert result.task == ""
    open_source, api = result.constraints
    assert (open_source.key, api.key) == ("open_source", "hosted:api")
    assert result.without(open_source) == "api"
    assert result.without(api) == "open source"


def test_a_plan_of_constraints_only_has_no_task_but_is_not_empty():
    plan = search_plan("open source api", constraint_terms=VOCABULARY)
    assert plan.words == []
    assert not plan.has_task
    assert not plan.is_empty
    assert [c.key for c in plan.constraints] == ["open_source", "hosted:api"]


@pytest.mark.parametrize("raw", ["", "   ", "?!…", "the and of"])
def test_nothing_to_search_for_is_an_empty_plan(raw):
    plan = search_plan(raw, constraint_terms=VOCABULARY)
    assert plan.is_empty
    assert plan.constraints == ()


def test_the_plan_searches_only_the_task_words():
    plan = search_plan("Transcribe meetings LOCALLY", constraint_terms=VOCABULARY)
    assert plan.words == ["transcribe", "meetings"]
    assert plan.phrase == "transcribe meetings"
    assert plan.tsquery() == "transcribe & meetings:*"
    # The intent is what was asked, constraint included: "locally" is part of the need.
    assert plan.intent_text == "transcribe meetings locally"


# --- Direction ----------------------------------------------------------------------------

TEXT_TO_SPEECH = Direction("text", "audio", "text to speech")
SPEECH_RECOGNITION = Direction("audio", "text", "speech recognition")
DIRECTIONAL_TABLE = SynonymTable(
    groups=[
        [("text", "speech"), ("tts",)],
        [("asr",), ("speech", "recognition"), ("speech", "text")],
        [("language", "model"), ("llm",)],
    ],
    directions={
        ("text", "speech"): TEXT_TO_SPEECH,
        ("tts",): TEXT_TO_SPEECH,
        ("asr",): SPEECH_RECOGNITION,
        ("speech", "recognition"): SPEECH_RECOGNITION,
        ("speech", "text"): SPEECH_RECOGNITION,
    },
)


def plan(raw: str, synonyms=DIRECTIONAL_TABLE):
    return search_plan(raw, synonyms=synonyms, constraint_terms=VOCABULARY)


def test_text_to_speech_goes_from_text_to_audio():
    found = plan("text to speech")
    assert found.direction == TEXT_TO_SPEECH
    assert (found.direction.source, found.direction.target) == ("text", "audio")
    assert found.is_direction_only
    assert found.phrase is None  # patterns instead: "text and speech" is not the phrase
    assert found.task_pattern and found.reverse_pattern
    assert found.phrase_label == "text to speech"


def test_speech_to_text_goes_the_other_way():
    found = plan("speech to text")
    assert (found.direction.source, found.direction.target) == ("audio", "text")
    assert found.task_pattern == plan("text to speech").reverse_pattern
    assert found.reverse_pattern == plan("text to speech").task_pattern


def test_an_abbreviation_in_the_table_has_a_direction_but_no_pattern():
    found = plan("tts")
    assert found.direction == TEXT_TO_SPEECH
    assert found.task_pattern is None and found.reverse_pattern is None


def test_the_direction_survives_a_constraint():
    found = plan("text to speech on my laptop")
    assert found.direction == TEXT_TO_SPEECH
    assert [c.key for c in found.constraints] == ["runs_locally"]
    assert found.words == ["text", "speech"]


@pytest.mark.parametrize(
    ("raw", "source", "target"),
    [
        ("image to text", "image", "text"),
        ("photos into sql", "image", "code"),
        ("speech to text", "audio", "text"),
        ("text to speech", "text", "audio"),
    ],
)
def test_modality_words_name_a_direction_without_a_synonym_table(raw, source, target):
    found = plan(raw, synonyms=None)
    assert (found.direction.source, found.direction.target) == (source, target)
    assert found.direction.label == raw.replace("into", "to")
    assert found.task_pattern is not None


@pytest.mark.parametrize(
    "raw", ["captions to train a model", "go to sleep", "write text to a file", "how to tts"]
)
def test_x_to_y_words_that_are_not_modalities_name_no_direction_pattern(raw):
    found = plan(raw)
    assert found.task_pattern is None and found.reverse_pattern is None
    if raw != "how to tts":
        assert found.direction is None
    assert not found.is_direction_only


def test_captions_to_train_a_model_is_a_phrase_with_a_preference():
    found = plan("captions to train a model")
    assert found.direction is None
    assert found.words == ["captions", "train"]
    assert [c.key for c in found.constraints] == ["kind:model"]
    assert found.phrase == "captions to train a"


# --- The patterns that tell a task from its reverse ---------------------------------------


def python_regex(pattern: str) -> re.Pattern:
    """PostgreSQL's word boundaries \\m and \\M are Python's \\b; the rest is the same."""
    return re.compile(pattern.replace(r"\m", r"\b").replace(r"\M", r"\b"), re.IGNORECASE)


@pytest.mark.parametrize(
    "text",
    [
        "text to speech",
        "text-to-speech",
        "Text to Speech",
        "TEXT-TO-SPEECH engine",
        "texts to speech",
        "text into speech",
        "text2speech",
        "text_to_speech",
        "Fast, local text-to-speech for Python.",
    ],
)
def test_the_task_pattern_matches_how_documents_write_the_task(text):
    assert python_regex(plan("text to speech").task_pattern).search(text)


@pytest.mark.parametrize(
    "text",
    [
        "text and speech",
        "speech to text",
        "speech-to-text",
        "context to speech",
        "text to speechify",
        "text, speech",
        "text to the speech",
    ],
)
def test_the_task_pattern_does_not_match_other_phrases(text):
    assert not python_regex(plan("text to speech").task_pattern).search(text)


def test_the_reverse_pattern_matches_the_reverse_task_only():
    reverse = python_regex(plan("text to speech").reverse_pattern)
    assert reverse.search("Speech-to-text for meetings")
    assert not reverse.search("Text-to-speech for audiobooks")
