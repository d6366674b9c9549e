"""Candidate pools for judging queries over the PyPI catalog (benchmarks/pypi_catalog.py).

For one query, the pool is the union of independent methods, each candidate tagged with the
methods that found it:

- `bm25`: BM25 top-N (default 30) over name + summary for the query text itself;
- `bm25:<text>`: the same for each reformulation of the need (the plain words behind a typo,
  an abbreviation or a paraphrase), so the pool does not depend on one spelling;
- `re:<pattern>`: every package whose name + summary matches a regular expression for the
  words and their obvious variants (most downloaded first, then by name, up to --cap).

The judge reads each candidate's name and summary and grades it by hand; this script never
grades. The reformulations and patterns used for pypi_queries.json are kept in `NEEDS`, so a
pool can be printed again for re-judging:

    .venv/bin/python benchmarks/pypi_judging_pool.py "text to speech"
    .venv/bin/python benchmarks/pypi_judging_pool.py "my query" --grep 'some (?:regex)' \\
        --also "plain words"
    .venv/bin/python benchmarks/pypi_judging_pool.py --check    # labelled slugs exist
    .venv/bin/python benchmarks/pypi_judging_pool.py --score    # BM25 nDCG@10 per class

No database is touched: the catalog is read from its JSON Lines file.
"""

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pypi_catalog import DEFAULT_OUT, load_catalog  # noqa: E402

QUERIES = ROOT / "matchgraph" / "evaluation" / "pypi_queries.json"

# need -> (reformulations searched with BM25, regular expressions over name + summary).
# Queries that share a need (a typo, an abbreviation or a paraphrase of a plain query) are
# pooled with the same reformulations and patterns.
NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "vector database": (
        ("vector database", "vector store", "store embeddings similarity search"),
        (r"vector ?(?:db|database|store)s?\b", r"similarity search"),
    ),
    "text to speech": (
        ("text to speech", "tts", "speech synthesis voice"),
        (r"text[ -]?to[ -]?speech", r"\btts\b", r"speech synthes"),
    ),
    "speech recognition": (
        ("speech recognition", "speech to text", "asr transcription"),
        (r"speech recognition", r"speech[ -]?to[ -]?text", r"\basr\b", r"transcri(?:be|ption)"),
    ),
    "named entity recognition": (
        ("named entity recognition", "ner", "entity extraction"),
        (r"named[ -]?entit", r"\bner\b", r"entity (?:extraction|recognition)"),
    ),
    "pdf table extraction": (
        ("pdf table extraction", "extract tables from pdf"),
        (r"pdf.{0,60}tables?|tables?.{0,60}pdf",),
    ),
    "image segmentation": (
        ("image segmentation", "semantic segmentation", "segment images"),
        (r"(?:image|semantic|instance|panoptic) segmentation", r"segment anything", r"\bunet"),
    ),
    "time series forecasting": (
        ("time series forecasting", "forecasting", "forecast time series"),
        (r"time[ -]?series.{0,40}forecast|forecast.{0,40}time[ -]?series",),
    ),
    "prompt injection detection": (
        ("prompt injection detection", "prompt injection", "jailbreak detection"),
        (r"prompt[ -]injection", r"jailbreak"),
    ),
    "sentiment analysis": (
        ("sentiment analysis", "sentiment classification", "opinion polarity"),
        (r"sentiment", r"emotion (?:detection|recognition|classification) (?:from|in|of) text"),
    ),
    "speaker diarization": (
        ("speaker diarization", "who spoke when", "speaker segmentation"),
        (r"diari[sz]", r"who spoke when"),
    ),
    "object detection": (
        ("object detection", "detect objects in images", "yolo"),
        (r"object detect", r"\byolo"),
    ),
    "knowledge graph": (
        ("knowledge graph", "knowledge graphs"),
        (r"knowledge[ -]?graph",),
    ),
    "hyperparameter optimization": (
        ("hyperparameter optimization", "hyperparameter tuning", "hpo"),
        (r"hyper-?parameter", r"\bhpo\b"),
    ),
    "experiment tracking": (
        ("experiment tracking", "track experiments", "log metrics parameters runs"),
        (
            r"experiment(?:s)? track|track(?:ing)? (?:ml |machine learning )?experiments",
            r"experiment management",
        ),
    ),
    "machine translation": (
        ("machine translation", "translate text", "neural machine translation"),
        (r"machine translation", r"\bnmt\b", r"translat(?:e|ion|or)"),
    ),
    "face recognition": (
        ("face recognition", "facial recognition", "face verification"),
        (r"fac(?:e|ial) (?:recognition|verification|identification)",),
    ),
    "topic modeling": (
        ("topic modeling", "topic modelling", "topic model lda"),
        (r"topic model", r"\blda\b"),
    ),
    "ocr": (
        ("ocr", "optical character recognition", "text recognition images"),
        (r"\bocr\b", r"optical character", r"text recognition"),
    ),
    "rag": (
        ("rag", "retrieval augmented generation"),
        (r"\brag\b", r"retrieval[ -]augmented"),
    ),
    "llm eval": (
        ("llm eval", "llm evaluation", "evaluate llm", "llm benchmark"),
        (
            r"(?:llm|language model)s?.{0,30}(?:eval|benchmark)"
            r"|eval\w*.{0,30}(?:llm|language model)",
        ),
    ),
    "vlm": (
        ("vlm", "vision language model", "vision-language"),
        (r"\bvlms?\b", r"vision[ -]language"),
    ),
    "gnn": (
        ("gnn", "graph neural network", "graph neural networks"),
        (r"\bgnns?\b", r"graph neural"),
    ),
    "vqa": (
        ("vqa", "visual question answering"),
        (r"\bvqa\b", r"visual question"),
    ),
    "gan": (
        ("gan", "generative adversarial network"),
        (r"\bgans?\b", r"generative adversarial"),
    ),
    "rlhf": (
        ("rlhf", "reinforcement learning from human feedback", "preference optimization dpo"),
        (r"\brlhf\b", r"human feedback", r"\bdpo\b", r"preference optimi"),
    ),
    "lora": (
        ("lora", "low rank adaptation", "lora fine tuning"),
        (r"\blora\b", r"low[ -]rank adapt"),
    ),
    "nas": (
        ("nas", "neural architecture search"),
        (r"\bnas\b", r"architecture search"),
    ),
    "pos tagging": (
        ("pos tagging", "part of speech tagging", "pos tagger"),
        (r"part[ -]of[ -]speech", r"\bpos[ -]?tag"),
    ),
    "sentence similarity": (
        ("sentence similarity", "semantic similarity", "sentence embeddings"),
        (
            r"sentence (?:similarity|embedding)",
            r"semantic (?:textual )?similarity",
            r"similar sentences",
        ),
    ),
    "background removal": (
        ("background removal", "remove image background", "matting"),
        (r"background remov|remov\w* (?:the )?(?:image )?backgrounds?", r"\bmatting\b"),
    ),
    "transformer": (
        ("transformer", "transformers", "transformer models"),
        (r"\btransformers?\b",),
    ),
}


def catalog_documents(records: list[dict]) -> dict[str, str]:
    """What BM25 indexes per package: name and summary, as matchgraph's baseline does."""
    return {record["slug"]: f"{record['name']}\n{record['summary']}" for record in records}


def bm25_index(documents: dict[str, str]):
    """matchgraph's BM25 class. Its module imports the catalog models, so Django is set up
    (without connecting to any database)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unfragile_dev")
    import django

    django.setup()
    from matchgraph.evaluation.bm25 import BM25

    return BM25(documents)


def candidate_pool(
    query: str,
    *,
    records: list[dict],
    bm25,
    also: tuple[str, ...] = (),
    patterns: tuple[str, ...] = (),
    depth: int = 30,
    cap: int = 40,
) -> dict[str, list[str]]:
    """slug -> the methods that found it, in the order found."""
    found: dict[str, list[str]] = {}
    for method, text in [("bm25", query), *((f"bm25:{t}", t) for t in also if t != query)]:
        for slug in bm25.rank(text, limit=depth):
            found.setdefault(slug, []).append(method)
    by_popularity = sorted(
        records,
        key=lambda r: (r.get("pypi_download_rank") or 10**9, r["name"]),
    )
    for pattern in patterns:
        regex = re.compile(pattern, re.IGNORECASE)
        hits = [
            r["slug"]
            for r in by_popularity
            if regex.search(f"{re.sub(r'[-_.]+', ' ', r['name'])}\n{r['summary']}")
        ]
        for slug in hits[:cap]:
            found.setdefault(slug, []).append(f"re:{pattern}")
        if len(hits) > cap:
            print(f"# {pattern!r}: {len(hits)} hits, first {cap} pooled", file=sys.stderr)
    return found


def print_pool(query: str, pool: dict[str, list[str]], by_slug: dict[str, dict]) -> None:
    print(f"## {query}  ({len(pool)} candidates)")
    for slug, methods in pool.items():
        record = by_slug[slug]
        tags = ",".join("B" if m.startswith("bm25") else "R" for m in methods)
        summary = " ".join(record["summary"].split())[:170]
        print(f"{slug} [{tags}] {record['name']} | {summary}")


def check(queries_path: Path, slugs: set[str]) -> int:
    data = json.loads(queries_path.read_text(encoding="utf-8"))
    problems = 0
    classes: Counter = Counter()
    twos = ones = 0
    for item in data["queries"]:
        classes[item["class"]] += 1
        grades = item["relevant"]
        missing = sorted(set(grades) - slugs)
        if missing:
            problems += 1
            print(f"{item['query']!r}: not in the catalog: {missing}")
        n2 = sum(1 for g in grades.values() if g == 2)
        if n2 < 2:
            problems += 1
            print(f"{item['query']!r}: only {n2} grade-2 entries")
        twos += n2
        ones += sum(1 for g in grades.values() if g == 1)
    total = sum(classes.values())
    print(
        f"{total} queries {dict(classes)}; per query {twos / total:.1f} grade 2, "
        f"{ones / total:.1f} grade 1; {problems} problem(s)"
    )
    return 1 if problems else 0


def score(queries_path: Path, bm25) -> None:
    from matchgraph.evaluation.metrics import aggregate, query_metrics
    from matchgraph.evaluation.runner import CLASSES, load_queries

    rows = [
        (q.query_class, query_metrics(bm25.rank(q.text, limit=24), q.relevant))
        for q in load_queries(queries_path)
    ]
    for name, metrics in aggregate(rows, classes=CLASSES).items():
        figures = "  ".join(f"{metric} {value:.3f}" for metric, value in metrics.items())
        print(f"{name:13s} {figures}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("query", nargs="?", help="a need from NEEDS, or any query")
    parser.add_argument("--catalog", default=str(ROOT / DEFAULT_OUT))
    parser.add_argument("--queries", default=str(QUERIES))
    parser.add_argument("--also", action="append", default=[], help="a reformulation")
    parser.add_argument("--grep", action="append", default=[], help="a regular expression")
    parser.add_argument("--depth", type=int, default=30, help="BM25 results per text")
    parser.add_argument("--cap", type=int, default=40, help="regex hits pooled per pattern")
    parser.add_argument("--all", action="store_true", help="print the pool of every need")
    parser.add_argument("--check", action="store_true", help="check the labelled queries")
    parser.add_argument("--score", action="store_true", help="BM25 metrics per class")
    args = parser.parse_args(argv)

    records = load_catalog(args.catalog)
    by_slug = {record["slug"]: record for record in records}
    if args.check:
        return check(Path(args.queries), set(by_slug))
    bm25 = bm25_index(catalog_documents(records))
    if args.score:
        score(Path(args.queries), bm25)
        return 0
    if args.all:
        wanted = list(NEEDS)
    elif args.query:
        wanted = [args.query]
    else:
        parser.error("give a query, --all, --check or --score")
    for query in wanted:
        also, patterns = NEEDS.get(query, ((), ()))
        pool = candidate_pool(
            query,
            records=records,
            bm25=bm25,
            also=tuple(args.also) or also,
            patterns=tuple(args.grep) or patterns,
            depth=args.depth,
            cap=args.cap,
        )
        print_pool(query, pool, by_slug)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
