"""The benchmark's arithmetic against hand-computed examples, and the labelled set's sanity."""

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from matchgraph.evaluation.bm25 import BM25, tokenize
from matchgraph.evaluation.metrics import (
    aggregate,
    dcg,
    ndcg_at_k,
    query_metrics,
    recall_at_k,
    reciprocal_rank,
)
from matchgraph.evaluation.runner import CLASSES, DEFAULT_QUERIES, load_queries

DEMO_FILE = Path(__file__).resolve().parents[2] / "catalog" / "demo" / "artifacts.jsonl"


def test_dcg_discounts_by_log2_of_position_plus_one():
    # 2/log2(2) + 0/log2(3) + 1/log2(4) = 2 + 0 + 0.5
    assert dcg([2, 0, 1], 3) == pytest.approx(2.5)
    assert dcg([2, 0, 1], 1) == pytest.approx(2.0)


def test_ndcg_of_a_ranking_with_gains_2_0_1_against_ideal_2_1():
    # Returned: a (grade 2), x (0), b (grade 1).
    #   DCG@3  = 2/log2(2) + 0/log2(3) + 1/log2(4) = 2 + 0 + 0.5         = 2.5
    #   IDCG@3 = 2/log2(2) + 1/log2(3)             = 2 + 0.6309298       = 2.6309298
    #   nDCG@3 = 2.5 / 2.6309298                                          = 0.9502344
    relevant = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "x", "b"], relevant, 3) == pytest.approx(0.9502344, abs=1e-6)


def test_ndcg_is_one_for_the_ideal_order_and_zero_without_relevant_results():
    relevant = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "b", "x"], relevant, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], relevant, 10) == 0.0
    assert ndcg_at_k([], relevant, 10) == 0.0


def test_ndcg_ignores_results_beyond_k():
    # b at position 4 is past @3: DCG@3 = 0; with the exact ones swapped in it would count.
    assert ndcg_at_k(["x", "y", "z", "a"], {"a": 2}, 3) == 0.0
    # The ideal is cut at k too: three grade-2 labels, k=1 → IDCG@1 = 2, DCG@1 = 2.
    assert ndcg_at_k(["a"], {"a": 2, "b": 2, "c": 2}, 1) == pytest.approx(1.0)


def test_recall_at_5_counts_relevant_of_any_grade_in_the_top_five():
    relevant = {"a": 2, "b": 1, "c": 1, "d": 1}
    # Top five: x, a, y, b, z → a and b of four relevant = 2/4; c at position 6 is too late.
    assert recall_at_k(["x", "a", "y", "b", "z", "c"], relevant, 5) == pytest.approx(0.5)
    assert recall_at_k(["a", "b", "c", "d"], relevant, 5) == pytest.approx(1.0)
    assert recall_at_k([], relevant, 5) == 0.0


def test_reciprocal_rank_is_one_over_the_position_of_the_first_relevant_result():
    assert reciprocal_rank(["x", "y", "b", "a"], {"a": 2, "b": 1}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], {"a": 2}) == 1.0
    assert reciprocal_rank(["x", "y"], {"a": 2}) == 0.0


def test_aggregate_averages_per_class_and_overall():
    rows = [
        ("plain", query_metrics(["a"], {"a": 2})),  # all three metrics 1
        ("plain", query_metrics(["x", "a"], {"a": 2})),  # MRR 1/2, recall 1, nDCG 1/log2(3)
        ("typo", query_metrics([], {"a": 2})),  # all zero
    ]
    summary = aggregate(rows, classes=CLASSES)
    assert summary["plain"]["mrr"] == pytest.approx((1 + 0.5) / 2)
    assert summary["plain"]["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert summary["plain"]["recall@5"] == pytest.approx(1.0)
    assert summary["typo"] == {"ndcg@10": 0.0, "recall@5": 0.0, "mrr": 0.0}
    assert summary["paraphrase"] == {"ndcg@10": 0.0, "recall@5": 0.0, "mrr": 0.0}
    assert summary["overall"]["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert summary["overall"]["recall@5"] == pytest.approx(2 / 3)


def test_tokenize_lowercases_and_splits_on_non_alphanumerics():
    assert tokenize("LLaMA.cpp, v2-XL (beta)_x") == ["llama", "cpp", "v2", "xl", "beta", "x"]


TOY_CORPUS = {
    "asr": "speech recognition model",  # 3 tokens
    "tts": "speech synthesis with a natural voice",  # 6 tokens
    "image": "image generation model",  # 3 tokens
}


def test_bm25_ranks_the_document_with_both_words_first():
    bm25 = BM25(TOY_CORPUS)
    assert bm25.rank("speech recognition") == ["asr", "tts"]
    assert bm25.rank("image") == ["image"]
    assert bm25.rank("video") == []


def test_bm25_score_matches_a_hand_computation():
    # Query "speech recognition", document "tts" holds "speech" once and not "recognition".
    #   N = 3, n(speech) = 2:  idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln(1.6) = 0.4700036
    #   avgdl = (3 + 6 + 3) / 3 = 4, |d| = 6:  norm = 1 - 0.75 + 0.75 * 6 / 4 = 1.375
    #   tf part = 1 * (1.2 + 1) / (1 + 1.2 * 1.375) = 2.2 / 2.65 = 0.8301887
    #   score = 0.4700036 * 0.8301887 = 0.3901917
    scores = BM25(TOY_CORPUS, k1=1.2, b=0.75).score("speech recognition")
    assert scores["tts"] == pytest.approx(0.3901917, abs=1e-6)
    assert "image" not in scores


def _demo_slugs() -> set[str]:
    lines = DEMO_FILE.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["slug"] for line in lines if line.strip() and line[0] != "#"}


def test_every_labelled_slug_is_an_artifact_of_the_demo_catalog():
    queries = load_queries(DEFAULT_QUERIES)
    labelled = {slug for query in queries for slug in query.relevant}
    assert labelled - _demo_slugs() == set()


def test_labelled_set_covers_every_class_with_enough_queries():
    queries = load_queries(DEFAULT_QUERIES)
    per_class = Counter(query.query_class for query in queries)
    assert len(queries) >= 80
    assert all(per_class[name] >= 20 for name in CLASSES), per_class
    texts = [query.text.lower() for query in queries]
    assert len(texts) == len(set(texts)), "duplicate queries"
    # Every query names at least one artifact that is exactly what was asked.
    assert all(2 in query.relevant.values() for query in queries)


def test_load_queries_rejects_an_unknown_class_and_bad_grades(tmp_path):
    path = tmp_path / "queries.json"
    path.write_text(json.dumps([{"query": "x", "class": "slang", "relevant": {"a": 2}}]))
    with pytest.raises(ValueError, match="class"):
        load_queries(path)
    path.write_text(json.dumps([{"query": "x", "class": "plain", "relevant": {"a": 3}}]))
    with pytest.raises(ValueError, match="grades"):
        load_queries(path)
