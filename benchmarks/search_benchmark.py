"""Search latency and match-graph aggregation at scale (on demand, not a test).

    .venv/bin/python benchmarks/search_benchmark.py --artifacts 100000 --events 1000000

Builds a throwaway database (dropped afterwards) with N synthetic artifacts of ~8 capabilities
each, written by bulk SQL, then:
  1. times the full search-document rebuild,
  2. times `match_graph_aggregate` over M raw match events (plus M/5 searches),
  3. runs a fixed list of queries through the search selector and through the whole /search/
     view (template included), printing p50/p95/max in milliseconds: by keywords only, then
     with meaning search (every artifact given a vector: random unit vectors, since the
     synthetic text means nothing, so the cost is real and the neighbours are not; queries
     are embedded by the configured backend, each once and then from the cache).
"""

import argparse
import statistics
import time

from scratch import scratch_database

# A vocabulary from the field, so full-text queries hit realistic numbers of documents.
VOCABULARY = """
speech recognition transcription audio voice synthesis text image generation diffusion photo
caption captioning product vision language model multimodal document ocr invoice table chart
retrieval augmented generation embedding vector database search index similarity semantic
agent tool planning code completion assistant review refactor python javascript sql query
translation multilingual summarization summary classification detection segmentation video
frames tracking pose depth upscaling inpainting style transfer fine tuning lora adapter
quantization inference runtime gpu cpu local edge mobile browser server api endpoint latency
batch streaming realtime chat instruction reasoning math benchmark evaluation dataset labels
annotation synthetic privacy safety moderation guardrails prompt template workflow pipeline
orchestration monitoring observability tracing logging cost pricing token context window long
memory cache graph knowledge extraction entity relation sentiment music sound effects speaker
diarization noise cancellation accessibility alt text description narration podcast meeting
notes email support ticket routing recommendation ranking personalization forecasting anomaly
time series tabular spreadsheet scientific paper citation legal medical finance education
""".split()

# Real text has a long tail: most words are rare. A description word is a domain word one
# time in DOMAIN_SHARE, otherwise one of FILLER_WORDS synthetic rare words ("w1234"); titles
# carry one or two domain words and summaries a few. A one-word domain query then matches
# roughly 5-15 % of the catalog and a two-word query about 1 %, as in a real directory.
DOMAIN_SHARE = 40
FILLER_WORDS = 30_000
WORD_SQL = (
    f"CASE WHEN random() * {DOMAIN_SHARE} < 1 "
    "THEN (%(vocabulary)s::text[])[1 + floor(random() * %(size)s)::int] "
    f"ELSE 'w' || floor(random() * {FILLER_WORDS})::int END"
)

QUERIES = [
    "speech recognition",
    "transcribe meeting audio",
    "text to speech voice",
    "image generation",
    "caption product photos",
    "vector database",
    "retrieval augmented generation",
    "local inference gpu",
    "fine tuning lora",
    "ocr invoice table",
    "code completion assistant",
    "translation multilingual",
    "video segmentation tracking",
    "embedding similarity search",
    "chat reasoning math",
    "moderation guardrails",
    "music sound effects",
    "time series forecasting",
    "document extraction",
    "agent planning tool",
    "summ",  # a prefix while typing
    "quantization edge mobile",
    "accessibility alt text",
    "knowledge graph entity relation",
    # Synonyms and abbreviations (the seeded synonym table applies).
    "tts",
    "asr",
    "rag",
    # Constraints and directions (query understanding: filters, preferences, X-to-Y).
    "text to speech open source",
    "speech to text api",
    "transcribe meeting audio locally",
    "cheap image generation api",
    "open source vector database",
    "free course",
    "small model for chat",
    # Misspelled: spelling correction runs when the typed words find little.
    "speach recognitoin",
    "vectr databse",
    "imgae genration",
]

ARTIFACTS_SQL_TEMPLATE = """
INSERT INTO catalog_artifact (
    slug, name, kind, organization, summary, about, homepage, repository_url, docs_url,
    license, inputs, outputs, pricing_model, free_tier, best_for, limitations, requirements,
    details, extra, released, updated, claim_status, is_published, times_matched,
    times_matched_30d, import_hash, created_at, modified_at, current_rank, search_field_lengths)
SELECT 'bench-' || g, 'Bench ' || initcap(w.a) || ' ' || initcap(w.b) || ' ' || g,
       (ARRAY['model','repository','tool','api','dataset','agent','app','course'])[1 + g %% 8],
       'Org ' || (g %% 700),
       -- `+ 0 * s` ties the aggregate to the inner query (else it aggregates the outer rows).
       (SELECT string_agg(v[1 + floor(random() * cardinality(v))::int + 0 * s], ' ')
          FROM generate_series(1, 2 + (g %% 2)) AS s)
       || ' ' || (SELECT string_agg(__WORD__, ' ') FROM generate_series(1, 25 + (g %% 3))),
       '', 'https://example.org/' || g, '', '', 'Apache-2.0',
       ARRAY['text'], ARRAY['text'], 'open_source', true, '{}', '{}', '{}',
       '[]'::jsonb, '{}'::jsonb, date '2024-01-01' + (g %% 1000), date '2025-01-01' + (g %% 600),
       'unclaimed', true, 0, 0, '', now(), now(), (g * 7919) %% 101, '{0,0,0,0}'
FROM generate_series(1, %(n)s) AS g,
     LATERAL (SELECT %(vocabulary)s::text[] AS v) AS vocab,
     LATERAL (SELECT vocab.v[1 + (g * 31) %% cardinality(vocab.v)] AS a,
                     vocab.v[1 + (g * 17) %% cardinality(vocab.v)] AS b) AS w
"""

CAPABILITIES_SQL_TEMPLATE = """
INSERT INTO catalog_capability (artifact_id, position, title, title_key, description,
                                unique_angle, vs_alternatives, confidence)
SELECT a.id, c, t.title, lower(t.title), t.description, '', '', 'medium'
FROM catalog_artifact a
CROSS JOIN generate_series(0, %(per)s - 1) AS c
CROSS JOIN LATERAL (
    SELECT (SELECT string_agg((%(vocabulary)s::text[])[1 + floor(random() * %(size)s)::int], ' ')
              FROM generate_series(1, 1 + (a.id + c) %% 2))
           || ' ' || (SELECT string_agg(__WORD__, ' ')
                      FROM generate_series(1, 2 + 0 * (a.id + c)))
           || ' ' || c AS title,
           (SELECT string_agg(__WORD__, ' ') FROM generate_series(1, 40 + (a.id + c) %% 3))
           AS description
) AS t
"""

ARTIFACTS_SQL = ARTIFACTS_SQL_TEMPLATE.replace("__WORD__", WORD_SQL)
CAPABILITIES_SQL = CAPABILITIES_SQL_TEMPLATE.replace("__WORD__", WORD_SQL)

CATEGORIES_SQL = """
INSERT INTO catalog_category (name, slug, description)
SELECT 'Bench category ' || g, 'bench-category-' || g, '' FROM generate_series(1, 30) AS g;
INSERT INTO catalog_artifact_categories (artifact_id, category_id)
SELECT a.id, c.id FROM catalog_artifact a
JOIN catalog_category c ON c.slug IN ('bench-category-' || (a.id %% 30 + 1),
                                      'bench-category-' || ((a.id * 7) %% 30 + 1));
"""

INTENTS_SQL = """
INSERT INTO matchgraph_intent (text, search_count, match_count, is_hidden, first_seen_at,
                               last_seen_at)
SELECT DISTINCT ON (t) t, 0, 0, false, now(), now() FROM (
    SELECT (%(vocabulary)s::text[])[1 + (g * 13) %% %(size)s] || ' '
        || (%(vocabulary)s::text[])[1 + (g * 7 + g / %(size)s) %% %(size)s] AS t
    FROM generate_series(1, %(intents)s) AS g
) AS texts
"""

# Popular artifacts get most matches: a power law over artifact ids.
MATCH_EVENTS_SQL = """
INSERT INTO matchgraph_matchevent (intent_id, artifact_id, position, via, source_hash, created_at)
SELECT i.ids[1 + floor(random() * cardinality(i.ids))::int],
       a.lo + floor(power(random(), 3) * (a.hi - a.lo))::bigint,
       1 + floor(random() * 20)::int,
       CASE WHEN random() < 0.1 THEN 'fits' ELSE 'click' END,
       md5(g::text), now() - random() * interval '120 days'
FROM generate_series(1, %(events)s) AS g,
     (SELECT array_agg(id) AS ids FROM matchgraph_intent) AS i,
     (SELECT min(id) AS lo, max(id) AS hi FROM catalog_artifact) AS a
"""

SEARCH_EVENTS_SQL = """
INSERT INTO matchgraph_searchevent (intent_id, shown_artifact_ids, source_hash, created_at)
SELECT i.ids[1 + floor(random() * cardinality(i.ids))::int],
       ARRAY(SELECT a.lo + floor(power(random(), 3) * (a.hi - a.lo))::bigint
             FROM generate_series(1, 20 + (g %% 1))),
       md5(g::text), now() - random() * interval '120 days'
FROM generate_series(1, %(searches)s) AS g,
     (SELECT array_agg(id) AS ids FROM matchgraph_intent) AS i,
     (SELECT min(id) AS lo, max(id) AS hi FROM catalog_artifact) AS a
"""


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label:<42} {seconds:8.2f} s")
    return result


def run_sql(sql: str, params: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def populate(*, artifacts: int, capabilities: int, events: int, intents: int) -> None:
    params = {
        "n": artifacts,
        "per": capabilities,
        "vocabulary": VOCABULARY,
        "size": len(VOCABULARY),
        "events": events,
        "searches": max(events // 5, 1),
        "intents": intents,
    }
    timed(f"insert {artifacts:,} artifacts", lambda: run_sql(ARTIFACTS_SQL, params))
    timed(
        f"insert {artifacts * capabilities:,} capabilities",
        lambda: run_sql(CAPABILITIES_SQL, params),
    )
    timed("insert categories", lambda: run_sql(CATEGORIES_SQL, params))
    from catalog.search_index import artifacts_refresh_search

    timed("rebuild every search document", artifacts_refresh_search)
    timed(f"insert {intents:,} intents", lambda: run_sql(INTENTS_SQL, params))
    timed(f"insert {events:,} match events", lambda: run_sql(MATCH_EVENTS_SQL, params))
    timed(
        f"insert {params['searches']:,} search events", lambda: run_sql(SEARCH_EVENTS_SQL, params)
    )
    from django.db import connection

    # Steady state, as autovacuum leaves a live catalog: visibility map and statistics set.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   "
        f"max {ordered[-1]:6.1f} ms   (n={len(ordered)})"
    )


def fill_vectors() -> int:
    """A random unit vector, of the configured model's size, for every artifact without one."""
    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from catalog.embeddings import get_backend
    from catalog.embeddings.store import (
        ensure_vector_index,
        has_pgvector,
        pgvector_literal,
        to_bytes,
    )

    backend = get_backend()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id FROM catalog_artifact a WHERE NOT EXISTS (SELECT 1 FROM "
            "catalog_embedding e WHERE e.artifact_id = a.id AND e.capability_id IS NULL)"
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    generator = np.random.default_rng(7)
    vectors = generator.standard_normal((len(ids), backend.dimensions)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    now = timezone.now()
    pg = has_pgvector()
    columns = "artifact_id, model, content_hash, vector, embedded_at" + (", pgvector" if pg else "")
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY catalog_embedding ({columns}) FROM STDIN") as copy,
    ):
        for pk, vector in zip(ids, vectors, strict=True):
            row = [pk, backend.name, "", to_bytes(vector), now]
            if pg:
                row.append(pgvector_literal(vector))
            copy.write_row(row)
    ensure_vector_index(backend.dimensions)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_embedding")
    return len(ids)


def measure_search(*, repeats: int, per_query: bool) -> None:
    import gc

    from django.http import QueryDict
    from django.test import Client

    from matchgraph.search import artifact_search

    # As a server process stands when it takes its first request: populating's garbage gone,
    # and the application loaded through config.wsgi, which freezes what it loaded.
    gc.collect()
    import config.wsgi  # noqa: F401

    # Live: measure search, not the recording of intents.
    client = Client(headers={"X-Live-Search": "1"}, SERVER_NAME="localhost")
    selector_ms: list[float] = []
    view_ms: list[float] = []
    page_ms_by_query: dict[str, list[float]] = {query: [] for query in QUERIES}
    for query in QUERIES:  # warm-up: caches, plans, compiled templates
        artifact_search(raw_query=query, data=QueryDict(), page_number=None, per_page=24)
        client.get("/search/", {"q": query})
    for _ in range(repeats):
        for query in QUERIES:
            started = time.perf_counter()
            results = artifact_search(
                raw_query=query, data=QueryDict(), page_number=None, per_page=24
            )
            list(results.browse.page.object_list)
            selector_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            response = client.get("/search/", {"q": query})
            view_ms.append((time.perf_counter() - started) * 1000)
            page_ms_by_query[query].append(view_ms[-1])
            assert response.status_code == 200
    print(f"search selector (results + facets)   {percentiles(selector_ms)}")
    print(f"search page (view + template)        {percentiles(view_ms)}")
    if per_query:  # slowest first: where to look next
        medians = {query: statistics.median(ms) for query, ms in page_ms_by_query.items()}
        for query, median in sorted(medians.items(), key=lambda item: -item[1]):
            print(f"  page median {median:6.1f} ms   {query}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=int, default=100_000)
    parser.add_argument("--capabilities", type=int, default=8, help="per artifact")
    parser.add_argument("--events", type=int, default=1_000_000, help="match events")
    parser.add_argument("--intents", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--per-query", action="store_true", help="print each query's median")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a database kept by --keep (skip populating)"
    )
    options = parser.parse_args()

    import django

    django.setup()
    with scratch_database("search", keep=options.keep, reuse=options.reuse):
        if not options.reuse:
            populate(
                artifacts=options.artifacts,
                capabilities=options.capabilities,
                events=options.events,
                intents=options.intents,
            )
        from matchgraph.aggregation import match_graph_aggregate
        from matchgraph.search.vocabulary import vocabulary_rebuild

        timed("rebuild the search vocabulary", vocabulary_rebuild)
        report = timed("aggregate the match graph", match_graph_aggregate)
        print(
            f"  -> {report.artifact_edges:,} intent→artifact edges, "
            f"{report.capability_edges:,} intent→capability edges, {report.comatches:,} "
            f"co-match pairs, {report.intent_relations:,} related intents, "
            f"{report.artifacts_with_matches:,} artifacts matched"
        )
        from django.test.utils import override_settings

        print("keywords only (EMBEDDINGS_BACKEND=none):")
        with override_settings(EMBEDDINGS_BACKEND="none"):
            measure_search(repeats=options.repeats, per_query=options.per_query)
        from catalog.embeddings.store import search_method

        filled = timed("give every artifact a vector", fill_vectors)
        print(f"with meaning search ({filled:,} vectors added; {search_method()}):")
        measure_search(repeats=options.repeats, per_query=options.per_query)


if __name__ == "__main__":
    main()
