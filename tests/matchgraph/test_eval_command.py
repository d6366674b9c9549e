"""`eval_search` on a tiny catalog: runs the queries through /search/ and BM25, prints the
table, writes the figures as JSON, and records no search intents."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import Intent, SearchEvent
from tests.catalog.factories import ArtifactFactory, CapabilityFactory, CategoryFactory

pytestmark = pytest.mark.django_db

QUERIES = {
    "queries": [
        {"query": "speech recognition", "class": "plain", "relevant": {"whisper": 2}},
        {"query": "tts", "class": "abbreviation", "relevant": {"piper": 2}},
        {"query": "store vectors", "class": "paraphrase", "relevant": {"chroma": 2}},
        {"query": "whsiper", "class": "typo", "relevant": {"whisper": 2, "piper": 1}},
    ]
}


@pytest.fixture
def tiny_catalog():
    speech = CategoryFactory(name="Speech recognition", slug="speech-recognition")
    voices = CategoryFactory(name="Text to speech", slug="text-to-speech")
    vectors = CategoryFactory(name="Vector database", slug="vector-database")
    whisper = ArtifactFactory(
        name="Whisper", summary="Open speech recognition model.", categories=[speech]
    )
    CapabilityFactory(
        artifact=whisper, title="multilingual speech transcription", description="Audio in."
    )
    piper = ArtifactFactory(name="Piper", summary="Fast local voices.", categories=[voices])
    CapabilityFactory(artifact=piper, title="tts on small devices", description="Raspberry Pi.")
    chroma = ArtifactFactory(name="Chroma", summary="An embedding database.", categories=[vectors])
    CapabilityFactory(artifact=chroma, title="store vectors", description="With metadata.")
    artifacts_refresh_search()


@pytest.fixture
def query_file(tmp_path):
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(QUERIES), encoding="utf-8")
    return path


def run(query_file, json_path, *extra) -> str:
    out = StringIO()
    call_command(
        "eval_search", "--queries", str(query_file), "--json", str(json_path), *extra, stdout=out
    )
    return out.getvalue()


def test_eval_search_prints_the_table_for_each_class_and_overall(
    tiny_catalog, query_file, tmp_path
):
    output = run(query_file, tmp_path / "figures.json")

    assert "nDCG@10" in output and "recall@5" in output and "MRR" in output
    assert "unfragile" in output and "bm25" in output and "delta" in output
    table = {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.strip()}
    for row in ["plain", "abbreviation", "paraphrase", "typo", "overall"]:
        assert row in table
    assert table["overall"][0] == "4"
    # plain: Whisper is the first result of both systems → every figure 1.000, delta 0.
    assert table["plain"][1:] == ["1.000", "1.000", "+0.000"] * 3


def test_eval_search_writes_the_figures_as_json(tiny_catalog, query_file, tmp_path):
    json_path = tmp_path / "out" / "figures.json"
    run(query_file, json_path)

    figures = json.loads(json_path.read_text(encoding="utf-8"))
    assert {"queries", "systems", "delta", "metrics", "per_query"} <= figures.keys()
    rows = {"plain", "abbreviation", "paraphrase", "typo", "overall"}
    assert set(figures["systems"]) == {"unfragile", "bm25"}
    for system in ("unfragile", "bm25"):
        assert set(figures["systems"][system]) == rows
        for metrics in figures["systems"][system].values():
            assert set(metrics) == {"ndcg@10", "recall@5", "mrr"}
    assert set(figures["delta"]) == rows
    assert figures["queries"] == {
        "plain": 1, "abbreviation": 1, "paraphrase": 1, "typo": 1, "overall": 4
    }  # fmt: skip
    plain = next(item for item in figures["per_query"] if item["class"] == "plain")
    assert plain["unfragile"]["top"][0] == "whisper"
    assert plain["unfragile"]["ndcg@10"] == pytest.approx(1.0)
    # The misspelling finds nothing by exact words, in either system.
    typo = next(item for item in figures["per_query"] if item["class"] == "typo")
    assert typo["unfragile"]["top"] == [] and typo["bm25"]["top"] == []


def test_eval_search_lists_failures_with_their_top_results(tiny_catalog, query_file, tmp_path):
    output = run(query_file, tmp_path / "figures.json", "--show-failures")

    failures = output.split("below 0.5")[1]
    assert "“whsiper”" in failures
    assert "(nothing)" in failures
    assert "“speech recognition”" not in failures


def test_eval_search_records_no_search_intents(tiny_catalog, query_file, tmp_path):
    run(query_file, tmp_path / "figures.json")

    assert SearchEvent.objects.count() == 0
    assert Intent.objects.count() == 0


def test_eval_search_rejects_an_invalid_query_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"query": "x", "class": "nope", "relevant": {"a": 2}}]))
    with pytest.raises(CommandError, match="class"):
        run(bad, tmp_path / "figures.json")
