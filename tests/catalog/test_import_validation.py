"""Every rule of import-format.md that rejects or warns, proved through `artifacts_import`."""

import io
import json

import pytest

from catalog.importing import ImportReport, artifacts_import
from catalog.models import Artifact, Capability, Category, DataSource, PricingPlan

pytestmark = pytest.mark.django_db


def _record(**fields) -> dict:
    return {
        "slug": "acme-vision",
        "name": "Acme Vision",
        "kind": "model",
        "summary": "Describes images in plain words.",
        **fields,
    }


def _run(*lines: dict | str, atomic: bool = True) -> ImportReport:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    return artifacts_import(lines=io.StringIO(text + "\n"), atomic=atomic)


def _errors(*lines: dict | str) -> list[str]:
    return [str(issue) for issue in _run(*lines).errors]


def test_blank_and_comment_lines_are_skipped_but_counted_as_lines():
    report = _run("", "   ", "# a comment", _record(), "{oops")

    assert report.created == 0  # atomic: the bad line 5 stops everything
    assert [str(issue)[:25] for issue in report.errors] == ["LINE 5: (line): invalid J"]


def test_only_comments_and_blank_lines_import_nothing_without_error():
    report = _run("# header", "", "  # indented comment")

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)


def test_malformed_json_names_the_line():
    errors = _errors(_record(), '{"name": "x",}')

    assert len(errors) == 1
    assert errors[0].startswith("LINE 2: (line): invalid JSON: ")


def test_a_json_value_that_is_not_an_object_is_an_error():
    assert _errors("[1, 2]", '"text"') == [
        "LINE 1: (line): must be a JSON object, not a list",
        "LINE 2: (line): must be a JSON object, not a string",
    ]


def test_a_line_over_one_mebibyte_of_utf8_is_rejected_unparsed():
    # 600,000 characters, but 1.2 million bytes; and not even valid JSON.
    errors = _errors('{"about": "' + "é" * 600_000)

    assert errors == ["LINE 1: (line): is 1200011 bytes long; at most 1048576 (1 MiB) allowed"]


def test_missing_required_fields_are_each_reported():
    assert _errors({"organization": "Acme"}) == [
        "LINE 1: name: is required",
        "LINE 1: kind: is required",
        "LINE 1: summary: is required",
    ]


def test_empty_required_strings_are_reported():
    errors = _errors(_record(name="  ", summary=""))

    assert "LINE 1: name: must not be empty" in errors
    assert "LINE 1: summary: must not be empty" in errors


def test_wrong_types_are_reported_with_their_paths():
    errors = _errors(
        _record(
            name=5,
            categories="Vision",
            pricing=[],
            capabilities={},
            best_for=["fine", 3],
            details=["a"],
            signals={"has_examples": "yes"},
        )
    )

    assert errors == [
        "LINE 1: name: must be a string, not a number",
        "LINE 1: categories: must be a list, not a string",
        "LINE 1: pricing: must be an object, not a list",
        "LINE 1: capabilities: must be a list, not an object",
        "LINE 1: best_for[1]: must be a string, not a number",
        "LINE 1: details: must be an object, not a list",
        "LINE 1: signals.has_examples: must be true or false, not a string",
    ]


def test_signals_must_be_non_negative_finite_numbers_not_booleans():
    line = json.dumps(_record(signals={"stars": True, "forks": -1, "likes": 1.5}))
    line = line.replace('"likes": 1.5', '"likes": 1.5, "dependents": NaN, "docs_pages": Infinity')

    assert _errors(line) == [
        "LINE 1: signals.stars: must be a number, not a boolean",
        "LINE 1: signals.forks: must not be negative",
        "LINE 1: signals.likes: must be a whole number",
        "LINE 1: signals.dependents: must be a finite number",
        "LINE 1: signals.docs_pages: must be a finite number",
    ]


def test_signal_dates_must_be_dates():
    errors = _errors(_record(signals={"last_commit": "yesterday"}))

    assert errors == [
        "LINE 1: signals.last_commit: must be a real date as YYYY-MM-DD, not 'yesterday'"
    ]


def test_enums_are_checked():
    errors = _errors(
        _record(
            kind="robot",
            inputs=["text", "smell"],
            pricing={"model": "cheap"},
            capabilities=[{"title": "a", "description": "b", "confidence": "certain"}],
            links=[{"rel": "likes", "target": "other"}],
        )
    )

    assert [error.split(" must")[0] for error in errors] == [
        "LINE 1: kind:",
        "LINE 1: inputs[1]:",
        "LINE 1: pricing.model:",
        "LINE 1: capabilities[0].confidence:",
        "LINE 1: links[0].rel:",
    ]
    assert errors[0] == (
        "LINE 1: kind: must be one of model, repository, tool, api, dataset, agent, app, "
        "course, paper, prompt, other; not 'robot'"
    )


def test_slug_is_derived_from_the_name_when_absent():
    record = _record(name="Acme: Vision_Pro 2")
    del record["slug"]

    assert _run(record).ok
    assert Artifact.objects.get().slug == "acme-vision-pro-2"


def test_derived_slug_is_cut_to_120_characters():
    record = _record(name="word " * 39)  # 194 characters
    del record["slug"]

    _run(record)

    slug = Artifact.objects.get().slug
    assert len(slug) <= 120
    assert not slug.endswith("-")


def test_a_name_that_gives_an_empty_slug_needs_a_slug():
    record = _record(name="!!! ???")
    del record["slug"]

    assert _errors(record) == ["LINE 1: slug: absent, and the name gives an empty slug; add a slug"]


@pytest.mark.parametrize("slug", ["Acme-Vision", "acme_vision", "acme vision", "a" * 121, ""])
def test_slugs_outside_the_pattern_are_rejected(slug):
    errors = _errors(_record(slug=slug))

    assert len(errors) == 1
    assert errors[0].startswith("LINE 1: slug: ")


def test_a_name_over_200_characters_is_an_error():
    assert _errors(_record(name="n" * 201)) == [
        "LINE 1: name: is 201 characters long; at most 200 allowed"
    ]


def test_a_summary_over_600_characters_is_an_error():
    assert _errors(_record(summary="s" * 601)) == [
        "LINE 1: summary: is 601 characters long; at most 600 allowed"
    ]


def test_more_than_200_capabilities_is_an_error():
    capabilities = [{"title": f"skill {i}", "description": "Does it."} for i in range(201)]

    assert _errors(_record(capabilities=capabilities)) == [
        "LINE 1: capabilities: has 201 items; at most 200 allowed"
    ]


def test_capabilities_need_a_title_and_a_description():
    errors = _errors(_record(capabilities=[{"title": "OCR"}, {"description": "Reads."}, None]))

    assert errors == [
        "LINE 1: capabilities[0].description: is required",
        "LINE 1: capabilities[1].title: is required",
        "LINE 1: capabilities[2]: must be an object, not null",
    ]


def test_duplicate_capability_titles_ignoring_case_name_both_indexes():
    capabilities = [
        {"title": "OCR", "description": "Reads text."},
        {"title": "Captions", "description": "Writes captions."},
        {"title": "  ocr ", "description": "Reads text again."},
    ]

    assert _errors(_record(capabilities=capabilities)) == [
        "LINE 1: capabilities[2].title: duplicate title (ignoring case): "
        "same as capabilities[0].title"
    ]


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "https://", "example.org", "javascript:alert(1)", "http:/x"]
)
def test_urls_must_be_http_or_https_with_a_host(url):
    record = _record(
        homepage=url,
        repository_url=url,
        docs_url=url,
        sources=[{"name": "Card", "url": url}],
    )

    errors = _errors(record)

    assert [error.split(": must")[0] for error in errors] == [
        "LINE 1: homepage",
        "LINE 1: repository_url",
        "LINE 1: docs_url",
        "LINE 1: sources[0].url",
    ]


@pytest.mark.parametrize("value", ["2026-02-30", "2026/01/01", "20260101", "26-01-01", 2026])
def test_dates_must_be_real_yyyy_mm_dd(value):
    errors = _errors(_record(released=value))

    assert len(errors) == 1
    assert errors[0].startswith("LINE 1: released: must be ")


def _plan(price) -> dict:
    return {"pricing": {"plans": [{"name": "API", "price": price, "unit": "prompt token"}]}}


def test_a_price_given_as_a_json_float_must_be_quoted():
    assert _errors(_record(**_plan(4.2e-07))) == [
        'LINE 1: pricing.plans[0].price: must be a decimal string such as "4.2e-07": '
        "quote it, floats lose digits"
    ]


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-0.5", "must not be negative"),
        ("0.0000000000001", "has more than 12 decimal places"),
        ("1000000000000", "has more than 12 digits before the point"),
        ("cheap", "must be a decimal string such as \"0.00000042\", not 'cheap'"),
        ("NaN", "must be a decimal string such as \"0.00000042\", not 'NaN'"),
        (None, "is required"),
    ],
)
def test_prices_must_be_non_negative_decimals_that_fit_the_column(price, message):
    assert _errors(_record(**_plan(price))) == [f"LINE 1: pricing.plans[0].price: {message}"]


def test_plans_need_a_name_a_unit_and_a_three_letter_currency():
    plan = {"price": "1", "currency": "usd"}

    assert _errors(_record(pricing={"plans": [plan]})) == [
        "LINE 1: pricing.plans[0].currency: must be 3 upper-case letters, such as USD",
        "LINE 1: pricing.plans[0].name: is required",
        "LINE 1: pricing.plans[0].unit: is required",
    ]


def test_details_hold_only_scalars():
    errors = _errors(_record(details={"layers": 48, "nested": {"a": 1}, "list": [1]}))

    assert errors == [
        "LINE 1: details.nested: must be a string, number, boolean or null, not an object",
        "LINE 1: details.list: must be a string, number, boolean or null, not a list",
    ]


def test_categories_are_non_empty_strings_of_at_most_100_characters():
    errors = _errors(_record(categories=["", "c" * 101, 7, "???"]))

    assert errors == [
        "LINE 1: categories[0]: must not be empty",
        "LINE 1: categories[1]: is 101 characters long; at most 100 allowed",
        "LINE 1: categories[2]: must be a string, not a number",
        "LINE 1: categories[3]: gives an empty slug; use letters or digits in category names",
    ]


def test_unknown_top_level_fields_are_kept_in_extra_with_a_warning():
    report = _run(_record(crawl_id=17, tags=["a"]))

    assert report.ok
    assert sorted(str(issue) for issue in report.warnings) == [
        "LINE 1: crawl_id: unknown field kept in extra",
        "LINE 1: tags: unknown field kept in extra",
    ]
    assert Artifact.objects.get().extra == {"crawl_id": 17, "tags": ["a"]}


def test_unknown_keys_inside_known_objects_are_warned_and_ignored():
    record = _record(
        pricing={"model": "paid", "discount": "10%"},
        capabilities=[{"title": "OCR", "description": "Reads.", "score": 3}],
        signals={"stars": 5, "mood": "good"},
    )

    report = _run(record)

    assert report.ok
    assert sorted(str(issue) for issue in report.warnings) == [
        "LINE 1: capabilities[0].score: unknown field ignored",
        "LINE 1: pricing.discount: unknown field ignored",
        "LINE 1: signals.mood: unknown field ignored",
    ]
    assert Artifact.objects.get().extra == {}


def test_every_bad_line_is_reported_not_only_the_first():
    errors = _errors(
        _record(slug="one", kind="robot"),
        _record(slug="two"),
        _record(slug="three", summary=None),
    )

    assert [error.split(":")[0] for error in errors] == ["LINE 1", "LINE 3"]


def test_a_link_to_itself_is_an_error():
    errors = _errors(_record(links=[{"rel": "same_family", "target": "acme-vision"}]))

    assert errors == ["LINE 1: links[0].target: an artifact cannot link to itself"]


def test_a_repeated_link_is_an_error():
    link = {"rel": "depends_on", "target": "torch"}

    assert _errors(_record(links=[link, link])) == [
        "LINE 1: links[1]: duplicate link: same as links[0]"
    ]


def test_a_slug_repeated_in_the_file_is_an_error_naming_the_first_line():
    errors = _errors(_record(), "# again:", _record(name="Acme Vision 2"))

    assert errors == ["LINE 3: slug: 'acme-vision' is already used on line 1"]


def test_text_with_a_nul_character_is_rejected():
    assert _errors(_record(organization="Ac\u0000me")) == [
        "LINE 1: organization: contains a NUL character or an unpaired surrogate"
    ]


def test_unknown_fields_must_be_storable_as_json():
    line = json.dumps(_record(raw={"a": ["ok", "bad\u0000"]}))

    assert _errors(line) == ["LINE 1: raw.a[1]: contains a NUL character or an unpaired surrogate"]


def test_a_byte_order_mark_on_the_first_line_is_ignored():
    assert _run("\ufeff" + json.dumps(_record())).ok


def test_a_slug_repeated_in_a_later_batch_is_found_and_skipped(monkeypatch):
    from catalog.importing import services

    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    report = _run(
        _record(slug="one"),
        _record(slug="two"),
        _record(slug="three"),
        _record(slug="one", name="One again"),  # next batch
        _record(slug="three", name="Three again"),  # same batch as its first line
        atomic=False,
    )

    assert [str(issue) for issue in report.errors] == [
        "LINE 4: slug: 'one' is already used on line 1",
        "LINE 5: slug: 'three' is already used on line 3",
    ]
    assert (report.created, report.skipped_invalid) == (3, 2)
    assert Artifact.objects.get(slug="one").name == "Acme Vision"


def test_a_slug_first_used_by_an_invalid_record_is_still_taken():
    errors = _errors(_record(kind="robot"), _record(name="Second"))

    assert errors[-1] == "LINE 2: slug: 'acme-vision' is already used on line 1"


def test_issues_past_the_kept_number_are_counted_not_kept(monkeypatch):
    from catalog.importing import report as report_module

    monkeypatch.setattr(report_module, "MAX_KEPT_ISSUES", 3)
    report = _run(*[_record(slug=f"s{n}", colour="red") for n in range(5)])

    assert len(report.warnings) == 3
    assert report.warning_count == 5
    assert report.ok
    assert Artifact.objects.count() == 5


def _too_long(model, field: str, *, url: bool = False) -> tuple[str, int]:
    """A value one character past the model column's limit (a URL when `url`), and the limit."""
    limit = model._meta.get_field(field).max_length
    if url:
        prefix = "https://example.org/"
        return prefix + "p" * (limit + 1 - len(prefix)), limit
    return "x" * (limit + 1), limit


LIMITED_FIELDS = [
    ("name", Artifact, "name", lambda v: {"name": v}),
    ("organization", Artifact, "organization", lambda v: {"organization": v}),
    ("summary", Artifact, "summary", lambda v: {"summary": v}),
    ("license", Artifact, "license", lambda v: {"license": v}),
    ("homepage", Artifact, "homepage", lambda v: {"homepage": v}),
    ("repository_url", Artifact, "repository_url", lambda v: {"repository_url": v}),
    ("docs_url", Artifact, "docs_url", lambda v: {"docs_url": v}),
    ("categories[0]", Category, "name", lambda v: {"categories": [v]}),
    (
        "capabilities[0].title",
        Capability,
        "title",
        lambda v: {"capabilities": [{"title": v, "description": "Does it."}]},
    ),
    (
        "pricing.plans[0].name",
        PricingPlan,
        "name",
        lambda v: {"pricing": {"plans": [{"name": v, "price": "1", "unit": "month"}]}},
    ),
    (
        "pricing.plans[0].unit",
        PricingPlan,
        "unit",
        lambda v: {"pricing": {"plans": [{"name": "Pro", "price": "1", "unit": v}]}},
    ),
    ("sources[0].name", DataSource, "name", lambda v: {"sources": [{"name": v, "url": URL}]}),
    ("sources[0].url", DataSource, "url", lambda v: {"sources": [{"name": "Card", "url": v}]}),
]
URL = "https://example.org/card"


@pytest.mark.parametrize(("path", "model", "field", "fields"), LIMITED_FIELDS)
def test_every_text_limit_is_the_model_columns(path, model, field, fields):
    value, limit = _too_long(model, field, url=field.endswith("url") or field == "homepage")
    assert _errors(_record(**fields(value))) == [
        f"LINE 1: {path}: is {limit + 1} characters long; at most {limit} allowed"
    ]
