"""Facet counts for browse and search, in as few scans as possible.

Each facet counts what its values would give with every *other* facet applied, so ticking a
second kind still shows how many it adds. Facets with nothing ticked share one base set and
are counted together in a single query; a facet with ticked values gets a query of its own.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils.text import slugify

from catalog.models import Kind, Modality, PricingModel

FACET_TITLES = {
    "kind": "Kind",
    "pricing": "Pricing",
    "category": "Category",
    "input": "Input",
    "output": "Output",
    "license": "License",
}
FIXED_LABELS = {
    "kind": dict(Kind.choices),
    "pricing": dict(PricingModel.choices),
    "input": dict(Modality.choices),
    "output": dict(Modality.choices),
}
FACET_COLUMNS = ("id", "kind", "pricing_model", "license", "inputs", "outputs")
# What each facet's values are: one row (id, facet, value) per value an artifact of `{rows}`
# (a set of FACET_COLUMNS) has. A listing's counts and the pair counts below both read these,
# so a facet means the same in both (an artifact counts once per value, even if repeated).
FACET_VALUES_SQL = {
    "kind": "SELECT r.id, 'kind', r.kind FROM {rows} r",
    "pricing": "SELECT r.id, 'pricing', r.pricing_model FROM {rows} r",
    "license": "SELECT r.id, 'license', r.license FROM {rows} r",
    "input": "SELECT DISTINCT r.id, 'input', v FROM {rows} r, unnest(r.inputs) AS v",
    "output": "SELECT DISTINCT r.id, 'output', v FROM {rows} r, unnest(r.outputs) AS v",
    "category": (
        "SELECT r.id, 'category', c.slug FROM {rows} r "
        "JOIN catalog_artifact_categories ac ON ac.artifact_id = r.id "
        "JOIN catalog_category c ON c.id = ac.category_id"
    ),
}
# Each facet counted over the matching rows `m`; joined with UNION ALL as needed.
FACET_SQL = {
    name: f"SELECT v.facet, v.value, count(*) FROM ({values.format(rows='m')}) "
    "AS v(id, facet, value) GROUP BY 1, 2"
    for name, values in FACET_VALUES_SQL.items()
}
TOTAL_NAME = "total"
TOTAL_SQL = f"SELECT '{TOTAL_NAME}', '', count(*) FROM m"


# Every facet value of every published artifact: what the job's counts below read.
FACET_VALUE_ROWS_SQL = f"""
WITH published AS MATERIALIZED (
    SELECT {", ".join(FACET_COLUMNS)} FROM catalog_artifact WHERE is_published
),
facet_value(id, facet, value) AS MATERIALIZED (
    {" UNION ALL ".join(values.format(rows="published") for values in FACET_VALUES_SQL.values())}
)
"""

# Every pair of facet values two published artifacts share, counted in one pass: for each
# single-value filter (kind=model, category=speech, ...) the counts of every other facet.
FACET_PAIRS_SQL = f"""
{FACET_VALUE_ROWS_SQL}
SELECT f.facet, f.value, g.facet, g.value, count(*)
FROM facet_value f JOIN facet_value g ON g.id = f.id AND g.facet <> f.facet
WHERE f.value <> '' AND g.value <> ''
GROUP BY 1, 2, 3, 4
"""

# For the given listings filtered by two values of different facets (`listing`: four
# arrays, first facet and value, second facet and value), the counts of every third facet.
FACET_TRIPLES_SQL = f"""
{FACET_VALUE_ROWS_SQL},
listing(first_facet, first_value, second_facet, second_value) AS (
    SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[])
)
SELECT l.first_facet, l.first_value, l.second_facet, l.second_value, h.facet, h.value, count(*)
FROM listing l
JOIN facet_value f ON f.facet = l.first_facet AND f.value = l.first_value
JOIN facet_value g ON g.id = f.id AND g.facet = l.second_facet AND g.value = l.second_value
JOIN facet_value h ON h.id = f.id AND h.facet <> l.first_facet AND h.facet <> l.second_facet
WHERE h.value <> ''
GROUP BY 1, 2, 3, 4, 5, 6
"""


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    element_id: str  # the checkbox's HTML id, unique on the page


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list[FacetOption]


def count_facets(queryset: QuerySet, names: list[str]) -> dict[str, dict[str, int]]:
    """{facet: {value: count}} for the artifacts of `queryset`, in one query."""
    return count_facets_and_total(queryset, names, with_total=False)[0]


def count_facets_and_total(
    queryset: QuerySet, names: list[str], *, with_total: bool = True
) -> tuple[dict[str, dict[str, int]], int | None]:
    """`count_facets`, and how many artifacts `queryset` has, from the same pass over them."""
    if not names and not with_total:
        return {}, None
    # The queryset's own SELECT of the faceted columns: its filters are conditions and
    # subqueries (no joins), so each artifact appears once.
    rows_sql, params = queryset.order_by().values_list(*FACET_COLUMNS).query.sql_with_params()
    selects = [FACET_SQL[name] for name in names]
    if with_total:
        selects.append(TOTAL_SQL)
    sql = f"WITH m AS MATERIALIZED ({rows_sql}) " + " UNION ALL ".join(selects)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    total = None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, value, count in cursor.fetchall():
            if name == TOTAL_NAME:
                total = count
            elif value:
                counts[name][value] = count
    return counts, total


def count_single_filter_facets() -> dict[tuple[str, str], dict[str, dict[str, int]]]:
    """{(facet, value): {other facet: {value: count}}} over the published catalog: what
    `count_facets` gives for the listing filtered by that one value, for every value at once."""
    counts: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    with connection.cursor() as cursor:
        cursor.execute(FACET_PAIRS_SQL)
        for facet, value, other, other_value, count in cursor.fetchall():
            counts[facet, value][other][other_value] = count
    return counts


FacetValue = tuple[str, str]  # (facet, value): one ticked box


def count_two_filter_facets(
    listings: list[tuple[FacetValue, FacetValue]],
) -> dict[tuple[FacetValue, FacetValue], dict[str, dict[str, int]]]:
    """{(first, second): {third facet: {value: count}}} for each listing of the published
    catalog filtered by two values of two different facets, all in one pass: what
    `count_facets` gives for the facets that listing leaves untouched."""
    counts: dict = defaultdict(lambda: defaultdict(dict))
    if not listings:
        return counts
    rows = [first + second for first, second in listings]
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(FACET_TRIPLES_SQL, columns)
        for facet, value, other, other_value, third, third_value, count in cursor.fetchall():
            counts[(facet, value), (other, other_value)][third][third_value] = count
    return counts


def build_facets(
    *, selected: dict[str, set[str]], counts: dict[str, dict[str, int]], labels: dict
) -> list[Facet]:
    facets = []
    for name, title in FACET_TITLES.items():
        chosen = selected.get(name, set())
        found = counts.get(name, {})
        options = [
            FacetOption(
                value,
                label,
                found.get(value, 0),
                value in chosen,
                element_id=f"facet-{name}-{slugify(value)}",
            )
            for value, label in labels[name].items()
            if found.get(value) or value in chosen
        ]
        facets.append(Facet(name, title, options))
    return facets
