"""The rows a builder needs, by kind, from the stored details: pure, crafted sides."""

from decimal import Decimal

from catalog.details import detail_value
from compare.table import feature_rows
from compare.types import Price, Side


def model(name, **fields) -> Side:
    return Side(name=name, kind="model", kind_label="Model", **fields)


def tool(name, **fields) -> Side:
    return Side(name=name, kind="tool", kind_label="Tool", **fields)


def api(name, **fields) -> Side:
    return Side(name=name, kind="api", kind_label="API", **fields)


def rows(*sides):
    return {row.key: row for row in feature_rows(sides)}


def texts(row):
    return [cell.text for cell in row.cells]


def test_model_rows_come_from_details_and_the_licence():
    ernie = model(
        "Ernie",
        details=(
            ("parameters_total", "424B"),
            ("parameters_active", "47B"),
            ("context_length", 131072),
            ("weights_available", True),
        ),
        license="Apache-2.0",
        open_licence=True,
    )
    flux = model(
        "Flux",
        details=(("parameters_total", "12B"), ("languages", 1)),
        license="Proprietary",
        open_licence=False,
    )
    found = rows(ernie, flux)
    assert texts(found["context_length"]) == ["128K tokens", "Unknown"]
    assert texts(found["parameters"]) == ["424B (47B active)", "12B"]
    assert texts(found["open_weights"]) == ["Yes", "No"]
    assert texts(found["languages"]) == ["Unknown", "1 language"]
    assert [cell.better for cell in found["context_length"].cells] == [False, False]
    for absent in ("runs_locally", "platforms", "rate_limits", "input_per_1m"):
        assert absent not in found


def test_a_row_shows_only_when_a_column_has_a_value():
    assert not {"context_length", "parameters", "open_weights", "languages"} & set(
        rows(model("A"), model("B"))
    )
    assert "open_weights" not in rows(model("A"), model("B", license=""))


def test_tool_rows_and_columns_of_other_kinds_read_not_applicable():
    found = rows(
        tool(
            "Ollama",
            runs_locally=True,
            details=(("language", "Go"), ("platforms", ["macOS", "Linux"])),
        ),
        model("Whisper", details=(("context_length", 448),)),
    )
    assert texts(found["runs_locally"]) == ["Yes", "—"]
    assert texts(found["platforms"]) == ["macOS, Linux", "—"]
    assert texts(found["written_in"]) == ["Go", "—"]
    assert texts(found["context_length"]) == ["—", "448 tokens"]


def test_api_rows_read_per_million_tokens_and_rate_limits_where_known():
    gpt = api(
        "GPT-4o",
        price=Price(
            amount=Decimal("0.0000025"),
            currency="USD",
            unit="input token",
            output=Decimal("0.00001"),
            cached=Decimal("0.00000125"),
        ),
        details=(("context_length", 128000), ("rate_limits", "500 requests a minute")),
    )
    dalle = api("DALL·E", price=Price(amount=Decimal("0.04"), currency="USD", unit="image"))
    mistral = api("Mistral", details=(("context_length", 32768),))
    found = rows(gpt, dalle, mistral)
    assert texts(found["input_per_1m"]) == ["$2.50", "—", "Unknown"]
    assert texts(found["output_per_1m"]) == ["$10.00", "—", "Unknown"]
    assert texts(found["cached_per_1m"]) == ["$1.25", "—", "Unknown"]
    assert texts(found["rate_limits"]) == ["500 requests a minute", "Unknown", "Unknown"]
    assert texts(found["context_length"]) == ["128K tokens", "Unknown", "32K tokens"]
    assert [cell.better for cell in found["context_length"].cells] == [True, False, False]


def test_cells_read_as_the_artifact_page_reads_the_same_detail():
    """One owner for a detail's words: the grid's cell is `catalog.details.detail_value`."""
    found = rows(
        model(
            "Big",
            details=(("parameters_total", 7_000_000_000), ("languages", 99)),
            license="MIT",
            open_licence=True,
        ),
        model("Typed", details=(("context_length", "131,072"), ("parameters", "1500000"))),
    )
    assert texts(found["parameters"]) == [
        detail_value("parameters_total", 7_000_000_000),
        detail_value("parameters", "1500000"),
    ]
    assert texts(found["parameters"]) == ["7B", "1.5M"]
    assert texts(found["languages"]) == [detail_value("languages", 99), "Unknown"]
    assert texts(found["context_length"]) == ["Unknown", detail_value("context_length", "131,072")]
    assert found["context_length"].cells[1].text == "128K tokens"
