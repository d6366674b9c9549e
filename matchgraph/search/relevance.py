"""The one place search relevance is defined.

    relevance = TEXT  × text                     (0–1, see below)
              + NAME  × [the query is the artifact's name, ignoring case and punctuation,
                         with or without its stop words]
                      × (1 for a query of several words, else
                         min(1, NAVIGATIONAL / candidates))  (a one-word query few listings
                                                 match may be a name; one hundreds match is a
                                                 topic, and a listing named "asr" is not what
                                                 it asks for; but a listing named with all the
                                                 words of the task, "face-recognition", is
                                                 named after that very task)
              + RANK  × current_rank / 100       (0–1: UnfragileRank, 0 while unranked,
                      × rank_evidence            times the share of its weight whose signals
                                                 are known: freshness alone says little)
              + MATCH × w / (w + MATCH_HALF)     (0–1: match-graph weight of this artifact for
                                                  this intent, plus RELATED_WEIGHT × strength
                                                  × weight for each related intent)
              − REFERENCE × [a dataset, course, paper or prompt, when the query asks for no
                             kind: a task is done by a model, a tool or a service; material
                             about it comes after]

    text = ALL_WORDS_SHARE × [the document has every word]
         + (1 − ALL_WORDS_SHARE) × best / the best of all candidates

    best     = max(BM25F(document, words typed), SYNONYM_WEIGHT × BM25F(document, each synonym
               rewrite of the query)): Okapi BM25 over the artifact's stored document, each
               occurrence of a word counted by its field (FIELD_WEIGHTS: the name is written
               three ways, so it counts about a third per occurrence), saturating with
               repetition and normalized by the document's length (its words weighed
               the same way) against the candidates' average; idf from the whole catalog (a word in
               every listing tells nothing).
               Each as a share of the most that way of saying it can score, so a rewrite of
               more words does not outscore the words typed.

Then what the query asked besides its words (`matchgraph.search.fit`), added to that:

    relevance += PHRASE    × [the document has the typed words as the phrase typed]
               + DIRECTION × [it does the X-to-Y task: by its inputs and outputs (text in,
                              audio out) or by its words ("text-to-speech"); DIRECTION_ONLY
                              when the query's words name nothing but the direction]
               − REVERSE   × [it does the reverse task ("speech to text" for "text to speech"),
                              by its modalities or its words, and not the task itself]
               + PREFER    × how well it meets the preferences (cheap, a language, a size)
               + MEANING   × closeness in meaning (`matchgraph.search.meaning`: 1 for the
                             artifact nearest the query's embedding, 0 past the fiftieth),
                             which finds what shares no word with the query

Results are then ordered first by how many of the strong constraints ("open source", "API or
hosted") they meet, then by that relevance: what meets them all comes first, the rest follows.

Text dominates, so a relevant artifact beats a popular but unrelated one; rank and match
feedback decide between artifacts that fit the words about as well. Text is relative to the
best match of the query, so queries of few and many words weigh text alike. A
reverse task is demoted by more than a full text match is worth, so it ranks below every
artifact that does the task.
"""

from dataclasses import dataclass, replace

from django.db import connection
from django.db.models import BooleanField, Expression, FloatField
from django.db.models.expressions import RawSQL

from catalog.models import REFERENCE_KINDS
from matchgraph.search.fit import FitReport
from matchgraph.search.plan import ScoringTerm

TEXT = 0.65
RANK = 0.15
MATCH = 0.20
MATCH_HALF = 3.0
NAME = 0.3
NAVIGATIONAL = 20
ALL_WORDS_SHARE = 0.1
SYNONYM_WEIGHT = 0.7
RELATED_WEIGHT = 0.5
REFERENCE = 0.15
PHRASE = 0.15
DIRECTION = 0.2
DIRECTION_ONLY = 0.6
REVERSE = 1.0
PREFER = 0.3
MEANING = 0.4
# How closeness in meaning joins the rest: "linear" (MEANING × closeness, in the formula
# above) or "rrf" (reciprocal rank fusion of the order without meaning and the order by
# meaning). Measured side by side on the relevance sets; linear won (see README).
FUSION = "linear"
RRF_K = 60

# BM25F over each candidate's stored document: every occurrence of a word counts by the
# field it is in. The name is written into the document three ways (as typed, without
# punctuation, as the slug), so each of its occurrences counts about a third.
FIELD_WEIGHTS = {"A": 0.34, "B": 1.0, "C": 1.0, "D": 0.5}
# Saturation. A word in both the name and the summary has a weighed frequency of about 2;
# at Lucene's 1.2 that is worth little more than one mention, at 1.6 a listing named after
# the task and describing it counts a little more than one that only mentions it.
BM25_K1 = 1.6
BM25_B = 0.75
_LENGTH = " + ".join(
    f"coalesce(lengths[{n}], 0) * {FIELD_WEIGHTS[field]}" for n, field in enumerate("ABCD", 1)
)
# A word's occurrences weighed by field, from the weights unnest(tsvector) lists for it.
_OCCURRENCES = " + ".join(
    f"cardinality(array_positions(weights, '{field}')) * {weight}"
    for field, weight in FIELD_WEIGHTS.items()
)

# Every tsquery is parsed once: the per-word queries come from an array, so parsed where they
# are used they would be parsed again for every candidate.
RELEVANCE_SQL = f"""
WITH typed AS MATERIALIZED (
    SELECT to_tsquery('english', %(all_query)s) AS all_words,
           CASE WHEN %(phrase)s::text IS NOT NULL
                THEN phraseto_tsquery('english', %(phrase)s::text) END AS phrase
),
-- One row per word of each way of saying the query: rewrite 0 is the words typed, the
-- others the synonym rewrites. A prefix word matches every lexeme it begins. A word
-- PostgreSQL drops as a stop word has no lexeme and no row. An unfinished word is as common
-- as the most common word it may become. idf in Lucene's form, never negative.
term AS MATERIALIZED (
    SELECT t.rewrite, t.position, t.prefix, l.lexeme,
           CASE WHEN %(documents)s > 0
                THEN ln(1 + (%(documents)s - d.documents + 0.5) / (d.documents + 0.5))
                ELSE 1.0 END AS idf
    FROM unnest(%(term_rewrites)s::int[], %(term_words)s::text[], %(term_prefixes)s::bool[])
         WITH ORDINALITY AS t(rewrite, word, prefix, position)
    CROSS JOIN LATERAL (
        SELECT (tsvector_to_array(to_tsvector('english', t.word)))[1] AS lexeme
    ) AS l
    CROSS JOIN LATERAL (
        SELECT least(coalesce(CASE
            WHEN t.prefix THEN (
                -- the lexemes it begins, through the pattern index (at most 1,000 read)
                SELECT max(p.documents) FROM (
                    SELECT s.documents FROM matchgraph_lexemestat s
                    WHERE s.lexeme ~>=~ l.lexeme AND s.lexeme ~<~ (l.lexeme || chr(1114111))
                    LIMIT 1000
                ) AS p)
            ELSE (SELECT s.documents FROM matchgraph_lexemestat s WHERE s.lexeme = l.lexeme)
        END, 0), %(documents)s) AS documents
    ) AS d
    WHERE l.lexeme IS NOT NULL
),
candidate AS MATERIALIZED (
    SELECT a.id, a.name, a.search_vector, a.search_field_lengths AS lengths,
           coalesce(a.current_rank, 0) / 100.0 * coalesce(a.rank_evidence, 1.0) AS rank,
           a.name_key = ANY(%(name_keys)s::text[]) AS is_named,
           a.kind = ANY(%(reference_kinds)s::text[]) AS is_reference,
           coalesce(%(task_pattern)s::text IS NOT NULL AND (
               (a.name || ' ' || a.summary) ~* %(task_pattern)s::text
               OR EXISTS (SELECT 1 FROM catalog_capability cap
                          WHERE cap.artifact_id = a.id AND cap.title ~* %(task_pattern)s::text)
           ), false) AS says_task,
           coalesce(%(reverse_pattern)s::text IS NOT NULL AND (
               (a.name || ' ' || a.summary) ~* %(reverse_pattern)s::text
               OR EXISTS (SELECT 1 FROM catalog_capability cap
                          WHERE cap.artifact_id = a.id AND cap.title ~* %(reverse_pattern)s::text)
           ), false) AS says_reverse
    FROM catalog_artifact a WHERE a.id = ANY(%(ids)s)
),
-- A document's length, its words weighed by field, is kept beside it (so no unnesting);
-- only the occurrences of the query's words are read from the document.
length AS (SELECT id, {_LENGTH} AS dl FROM candidate),
average AS (SELECT nullif(avg(dl), 0) AS dl FROM length),
occurrence AS MATERIALIZED (
    SELECT c.id, u.lexeme, u.weights
    FROM candidate c CROSS JOIN LATERAL unnest(c.search_vector) AS u
),
-- Whole words join by equality (hashed); only an unfinished last word compares prefixes.
whole_term AS MATERIALIZED (SELECT * FROM term WHERE NOT prefix),
prefix_term AS MATERIALIZED (SELECT * FROM term WHERE prefix),
matched AS (
    SELECT o.id, o.weights, t.rewrite, t.position, t.idf
    FROM occurrence o JOIN whole_term t ON t.lexeme = o.lexeme
    UNION ALL
    SELECT o.id, o.weights, t.rewrite, t.position, t.idf
    FROM prefix_term t JOIN occurrence o ON starts_with(o.lexeme, t.lexeme)
),
hit AS (
    SELECT id, rewrite, position, idf,
           sum({_OCCURRENCES}) AS tf
    FROM matched
    GROUP BY id, rewrite, position, idf
),
-- The most a rewrite can score: every word as often as saturation allows. Scores are
-- shares of it, so a rewrite of more words does not outscore the words typed.
ceiling AS (SELECT rewrite, sum(idf) * {BM25_K1 + 1} AS score FROM term GROUP BY rewrite),
rewrite_score AS (
    SELECT h.id, h.rewrite,
           sum(h.idf * h.tf * {BM25_K1 + 1}
               / (h.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * coalesce(l.dl / a.dl, 1))))
           / nullif(min(m.score), 0) AS score
    FROM hit h JOIN length l ON l.id = h.id CROSS JOIN average a
    JOIN ceiling m ON m.rewrite = h.rewrite
    GROUP BY h.id, h.rewrite
),
words AS (
    SELECT id,
           max(CASE WHEN rewrite = 0 THEN score ELSE {SYNONYM_WEIGHT} * score END) AS score
    FROM rewrite_score GROUP BY id
),
feedback AS (
    SELECT e.artifact_id, sum(e.weight * r.strength) AS weight
    FROM matchgraph_intentartifactedge e
    JOIN unnest(%(intent_ids)s::bigint[], %(strengths)s::float8[]) AS r(intent_id, strength)
      ON r.intent_id = e.intent_id
    WHERE e.artifact_id = ANY(%(ids)s)
    GROUP BY e.artifact_id
),
scored AS MATERIALIZED (
    SELECT c.id, c.name, c.rank, c.is_named, c.is_reference,
           coalesce(c.search_vector @@ q.all_words, false) AS has_all,
           coalesce(c.search_vector @@ q.phrase, false) AS has_phrase,
           c.says_task, c.says_reverse,
           coalesce(w.score, 0) AS text_raw,
           coalesce(f.weight, 0) AS match_weight
    FROM candidate c
    CROSS JOIN typed q
    LEFT JOIN words w ON w.id = c.id
    LEFT JOIN feedback f ON f.artifact_id = c.id
),
best AS (SELECT nullif(max(text_raw), 0) AS text_raw FROM scored)
SELECT s.id, s.has_all, s.text_raw, s.match_weight, s.has_phrase, s.says_task, s.says_reverse,
       {TEXT} * ({ALL_WORDS_SHARE} * s.has_all::int
                 + {1 - ALL_WORDS_SHARE} * coalesce(s.text_raw / best.text_raw, 0))
     + %(name_weight)s * s.is_named::int
     + {RANK} * s.rank
     + {MATCH} * s.match_weight / (s.match_weight + {MATCH_HALF})
     - {REFERENCE} * s.is_reference::int AS relevance
FROM scored s, best
ORDER BY relevance DESC, s.name, s.id
"""


# Scoring in full reads every word of every candidate's document; a broad query's 500
# candidates are first cut to the FULLY_SCORED best by one cheap pass, which sees the words
# (ts_rank of any word, by field, for the document's length), the strong constraints met
# and the task's direction: what no later part of the score can overturn by much.
FULLY_SCORED = 100
# The fields weighed as in full, in ts_rank's order (D, C, B, A). The name bonus as in full.
_PRESELECT_WEIGHTS = "{" + ", ".join(str(FIELD_WEIGHTS[field]) for field in "DCBA") + "}"


# The cheap pass's two readings of an artifact `row`: any word's ts_rank, and whether it is
# named as the query (`query` and `name_keys`: their parameter placeholders). Read beside the
# fit (`first_pass_columns`) or on their own (`PRESELECT_SQL`).
def _text_rank_sql(row: str, query: str) -> str:
    return (
        f"ts_rank('{_PRESELECT_WEIGHTS}', {row}.search_vector, to_tsquery('english', {query}), 1)"
    )


def _is_named_sql(row: str, name_keys: str) -> str:
    return f"{row}.name_key = ANY({name_keys}::text[])"


def first_pass_columns(*, query: str, name_keys: list[str]) -> dict[str, Expression]:
    """What the cheap first pass reads of each candidate (any word's ts_rank, and whether it
    is named as the query), as columns of the query that reads the candidates' fit
    (`fit.candidates_fit`): when there is a fit to read, the candidates are read once."""
    return {
        "text_rank": RawSQL(
            _text_rank_sql("catalog_artifact", "%s"),
            [query],
            output_field=FloatField(),
        ),
        "is_named": RawSQL(
            _is_named_sql("catalog_artifact", "%s"),
            [list(name_keys)],
            output_field=BooleanField(),
        ),
    }


PRESELECT_SQL = f"""
SELECT a.id, {_text_rank_sql("a", "%(query)s")},
       {_is_named_sql("a", "%(name_keys)s")}
FROM catalog_artifact a WHERE a.id = ANY(%(ids)s)
"""


def name_weight(words: list[str], candidate_count: int) -> float:
    """What being named as the query is worth (see the module's formula)."""
    if len(words) > 1:
        return NAME
    return NAME * min(1.0, NAVIGATIONAL / max(candidate_count, 1))


def preselected(
    *,
    ids: list[int],
    query: str,
    report: FitReport,
    strong: frozenset[str],
    keep: int,
    words: list[str] = (),
    name_keys: list[str] = (),
) -> tuple[list[int], list[int]]:
    """`ids` split into the `keep` best by the cheap pass, and the rest, each best first.
    `words` and `name_keys`: the task words and their name keys, for the name bonus. What
    the pass reads comes with `report` when the fit was read, else by its own query."""
    read = report.first_pass
    if read is None:
        with connection.cursor() as cursor:
            cursor.execute(
                PRESELECT_SQL, {"ids": ids, "query": query, "name_keys": list(name_keys)}
            )
            read = {pk: (score, is_named) for pk, score, is_named in cursor.fetchall()}
    text = {pk: read[pk][0] for pk in ids if pk in read}
    named = {pk for pk in text if read[pk][1]}
    best = max(text.values(), default=0.0) or 1.0
    # On the text's scale: in full, text weighs TEXT.
    name_bonus = name_weight(list(words), len(ids)) / TEXT

    def first_pass(pk: int) -> tuple[int, float]:
        fit = report.get(pk)
        score = (
            text.get(pk, 0.0) / best
            + name_bonus * (pk in named)
            + DIRECTION * fit.does_task
            - REVERSE * fit.does_reverse
        )
        return -len(fit.met & strong), -score

    ordered = sorted(ids, key=first_pass)
    return ordered[:keep], ordered[keep:]


@dataclass(frozen=True)
class Scored:
    artifact_id: int
    has_all_words: bool
    text_match: float
    match_weight: float
    relevance: float
    has_phrase: bool = False  # the task words as the phrase typed
    says_task: bool = False  # its text names the X-to-Y task ("text-to-speech")
    says_reverse: bool = False  # its text names the reverse task
    does_task: bool = False
    does_reverse: bool = False
    met: frozenset[str] = frozenset()  # keys of the constraints it satisfies
    meaning: float = 0.0  # closeness in meaning to the query, 0-1


@dataclass(frozen=True)
class Feedback:
    """Whose match-graph choices count: the query's own intent (strength 1) and related
    intents (their strength × RELATED_WEIGHT)."""

    intent_ids: list[int]
    strengths: list[float]


def rank_by_relevance(
    *,
    ids: list[int],
    words: list[str],
    terms: list[ScoringTerm],
    all_query: str,
    feedback: Feedback,
    documents: int,
    phrase: str | None = None,
    task_pattern: str | None = None,
    reverse_pattern: str | None = None,
    asks_for_kind: bool = False,
    candidate_count: int | None = None,
    name_keys: list[str] | None = None,
) -> list[Scored]:
    """`ids` ordered by how well their text fits (best first), with the parts of each score.
    `with_fit` adds the rest. `candidate_count`: how many matched in all (`ids` may be
    the best of them). `name_keys`: the query as a name would be keyed (default: its
    words joined)."""
    if not ids:
        return []
    if not words:
        # A query of constraints only: the candidates come ordered by UnfragileRank.
        return [Scored(pk, True, 0.0, 0.0, 1.0 - n / len(ids)) for n, pk in enumerate(ids)]
    params = {
        "phrase": phrase,
        "reference_kinds": [] if asks_for_kind else list(REFERENCE_KINDS),
        "task_pattern": task_pattern,
        "reverse_pattern": reverse_pattern,
        "ids": ids,
        "name_keys": name_keys or ["".join(words)],
        "name_weight": name_weight(words, candidate_count or len(ids)),
        "term_rewrites": [term.rewrite for term in terms],
        "term_words": [term.word for term in terms],
        "term_prefixes": [term.prefix for term in terms],
        "all_query": all_query,
        "intent_ids": feedback.intent_ids,
        "strengths": feedback.strengths,
        "documents": documents,
    }
    with connection.cursor() as cursor:
        cursor.execute(RELEVANCE_SQL, params)
        return [
            Scored(pk, bool(has_all), float(text), float(match), float(relevance), *flags)
            for pk, has_all, text, match, *flags, relevance in cursor
        ]


def with_fit(
    scored: list[Scored],
    report: FitReport,
    *,
    strong: frozenset[str] = frozenset(),
    direction_only: bool = False,
    closeness: dict[int, float] | None = None,
) -> list[Scored]:
    """`scored` re-ordered by the whole relevance: text as `rank_by_relevance` scored it,
    plus phrase, direction and preferences (see the module's formula). `direction_only`:
    the task words name nothing but the direction ("audio to text"), which then weighs
    DIRECTION_ONLY. `closeness`: each candidate's closeness in meaning."""
    direction = DIRECTION_ONLY if direction_only else DIRECTION
    closeness = closeness or {}
    adjusted = []
    for item in scored:
        fit = report.get(item.artifact_id)
        does_task = fit.does_task or item.says_task
        does_reverse = (fit.does_reverse or item.says_reverse) and not does_task
        relevance = (
            item.relevance
            + PHRASE * (item.has_phrase or item.says_task)
            + direction * does_task
            - REVERSE * does_reverse
            + PREFER * fit.preference
            + (MEANING * closeness.get(item.artifact_id, 0.0) if FUSION == "linear" else 0.0)
        )
        adjusted.append(
            replace(
                item,
                relevance=relevance,
                does_task=does_task,
                does_reverse=does_reverse,
                met=fit.met,
                meaning=closeness.get(item.artifact_id, 0.0),
            )
        )
    if FUSION == "rrf":
        adjusted = _reciprocal_rank_fused(adjusted, closeness)
    # What meets more of the strong constraints comes first, whatever its text.
    return sorted(adjusted, key=lambda item: (-len(item.met & strong), -item.relevance))


def _reciprocal_rank_fused(scored: list[Scored], closeness: dict[int, float]) -> list[Scored]:
    """The alternative fusion, kept to be measured against the linear one: each candidate
    scores 1/(RRF_K + its place by everything but meaning) + 1/(RRF_K + its place by
    closeness in meaning), for those meaning found."""
    by_words = sorted(scored, key=lambda item: -item.relevance)
    place = {item.artifact_id: n for n, item in enumerate(by_words, 1)}
    near = sorted((pk for pk in closeness if closeness[pk] > 0), key=lambda pk: -closeness[pk])
    meaning_place = {pk: n for n, pk in enumerate(near, 1)}
    return [
        replace(
            item,
            relevance=1 / (RRF_K + place[item.artifact_id])
            + (
                1 / (RRF_K + meaning_place[item.artifact_id])
                if item.artifact_id in meaning_place
                else 0.0
            ),
        )
        for item in scored
    ]
