"""Prices as people read them: per-family readings, the headline rule and the cost
calculator's arithmetic, all exact in Decimal."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from catalog.pricing import (
    MAX_TOKENS,
    HeadlinePrice,
    cost_calculate,
    format_money,
    format_money_rounded,
    has_free_tier,
    headline_price,
    plan_exact,
    plan_reading,
    price_order,
    read_amount,
    unit_family,
)
from tests.catalog.factories import (
    ArtifactFactory,
    PricingPlanFactory,
    token_api_with_cached_input,
    token_api_with_two_plans,
)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0.42", "$0.42"),
        ("2.5", "$2.50"),
        ("0.0025", "$0.0025"),
        ("10", "$10.00"),
        ("1E+1", "$10.00"),
        ("1500", "$1,500.00"),
        ("1234.5", "$1,234.50"),
        ("0.00000042", "$0.00000042"),
        ("0.000000000001", "$0.000000000001"),
    ],
)
def test_format_money_is_exact_trimmed_and_never_scientific(amount, text):
    assert format_money(Decimal(amount), "USD") == text


def test_format_money_without_a_symbol_names_the_currency():
    assert format_money(Decimal("3"), "CHF") == "3.00 CHF"


def test_per_million_tokens_is_exact():
    assert read_amount(Decimal("0.00000042"), "prompt token") == Decimal("0.42")
    assert read_amount(Decimal("0.0000025"), "prompt token") == Decimal("2.5")
    # A rate a float would blur: 0.1 + 0.2 style digits stay exactly as stored.
    assert read_amount(Decimal("0.000000123456789"), "token") == Decimal("0.123456789")


@pytest.mark.parametrize(
    ("name", "price", "unit", "text"),
    [
        ("Input", "0.00000042", "prompt token", "$0.42 per 1M input tokens"),
        ("Output", "0.00001", "completion token", "$10.00 per 1M output tokens"),
        ("Cached input", "0.00000125", "prompt token", "$1.25 per 1M cached input tokens"),
        ("Small", "0.00000002", "token", "$0.02 per 1M tokens"),
        ("Standard", "0.04", "image", "$0.04 per image"),
        ("whisper-1", "0.006", "minute", "$0.006 per minute of audio"),
        ("Pro", "20.00", "month", "$20.00 per month"),
        ("Flash", "0.00005", "character", "$0.05 per 1K characters"),
        ("Cluster", "0.014", "hour", "$0.014 per hour"),
        ("Seat", "12", "seat", "$12.00 per seat"),
    ],
)
def test_plan_reading_per_family(name, price, unit, text):
    assert plan_reading(name=name, price=Decimal(price), currency="USD", unit=unit) == text


def test_plan_exact_keeps_the_stored_decimal_and_unit():
    exact = plan_exact(price=Decimal("0.000000420000"), currency="USD", unit="prompt token")
    assert exact == "$0.00000042 per prompt token"


def test_unit_families_ignore_case_spacing_and_plurals():
    assert unit_family(" Prompt Tokens ") == "tokens"
    assert unit_family("completion token") == "tokens"
    assert unit_family("images") == "image"
    assert unit_family("GPU second") == "gpu second"


def test_rounded_money_keeps_digits_under_a_cent():
    assert format_money_rounded(Decimal("17.5000000"), "USD") == "$17.50"
    assert format_money_rounded(Decimal("0.126"), "USD") == "$0.13"
    assert format_money_rounded(Decimal("0.00051828"), "USD") == "$0.00052"
    assert format_money_rounded(Decimal("0"), "USD") == "$0.00"


def _gpt4o_plans():
    return token_api_with_cached_input(output_as_of=dt.date(2026, 11, 1) - dt.timedelta(days=3))


@pytest.mark.django_db
def test_headline_of_a_token_api_is_standard_input_and_output_not_cached():
    price = headline_price(_gpt4o_plans().plans.all())
    assert price.text == "$2.50 / $10.00 per 1M tokens (input / output)"
    assert price.cached_text == "cached input $1.25 per 1M tokens"
    assert price.plans == ("Input", "Output")
    assert price.source == "plans “Input” and “Output”"
    assert price.amount == Decimal("0.0000025")  # the exact stored rate is kept
    assert price.as_of == dt.date(2026, 10, 29)  # the older of the two plans' dates


@pytest.mark.django_db
def test_headline_pairs_an_input_with_the_output_of_its_own_plan():
    mistral = ArtifactFactory(name="Mistral")
    PricingPlanFactory(artifact=mistral, name="Medium input", price=Decimal("0.0000004"))
    PricingPlanFactory(
        artifact=mistral, name="Medium output", price=Decimal("0.000002"), unit="completion token"
    )
    PricingPlanFactory(
        artifact=mistral, name="Large output", price=Decimal("0.000001"), unit="completion token"
    )
    paired = headline_price(mistral.plans.all())
    assert paired.text == "$0.40 / $2.00 per 1M tokens (input / output)"
    assert paired.plans == ("Medium input", "Medium output")
    assert paired.source == "plan “Medium”"


@pytest.mark.django_db
def test_headline_never_pairs_one_plans_input_with_another_plans_output():
    """Haiku's input beside Sonnet's output describes no plan anyone can buy: the headline
    is the cheapest plan by input, with only that plan's own rates."""
    price = headline_price(token_api_with_two_plans().plans.all())
    assert price.text == "$1.00 per 1M input tokens"
    assert price.output is None
    assert price.plans == ("Claude Haiku 4.5 input",)
    assert price.source == "plan “Claude Haiku 4.5”"
    assert price.per_million_input == Decimal("1.000000")


@pytest.mark.django_db
def test_headline_of_a_plan_with_its_own_output_names_that_plan():
    claude = token_api_with_two_plans()
    claude.plans.filter(name__startswith="Claude Haiku").update(price=Decimal("0.000004"))
    price = headline_price(claude.plans.all())
    assert price.text == "$3.00 / $15.00 per 1M tokens (input / output)"
    assert price.source == "plan “Claude Sonnet 4.5”"


@pytest.mark.django_db
def test_headline_of_one_rate_tokens_and_of_other_families():
    embeddings = ArtifactFactory(name="Embeddings")
    PricingPlanFactory(artifact=embeddings, name="large", price=Decimal("0.00000013"), unit="token")
    PricingPlanFactory(artifact=embeddings, name="small", price=Decimal("0.00000002"), unit="token")
    assert headline_price(embeddings.plans.all()).text == "$0.02 per 1M tokens"

    voice = ArtifactFactory(name="Voice")
    for position, (name, price) in enumerate([("Starter", "5"), ("Creator", "22"), ("Pro", "99")]):
        PricingPlanFactory(
            artifact=voice, position=position, name=name, price=Decimal(price), unit="month"
        )
    PricingPlanFactory(
        artifact=voice, position=3, name="Usage", price=Decimal("0.00005"), unit="character"
    )
    price = headline_price(voice.plans.all())  # the family with the most plans: month
    assert (price.text, price.source) == ("$5.00 per month", "plan “Starter”")
    assert headline_price([]) is None


def test_price_order_within_and_across_families():
    cheap = HeadlinePrice(
        Decimal("0.00000042"), "USD", "prompt token", output=Decimal("0.00000125")
    )
    dear = HeadlinePrice(Decimal("0.0000025"), "USD", "prompt token", output=Decimal("0.00001"))
    odd = HeadlinePrice(Decimal("0.0000001"), "USD", "prompt token", output=Decimal("0.00002"))
    image = HeadlinePrice(Decimal("0.04"), "USD", "image")
    assert price_order(cheap, dear) == "a"
    assert price_order(dear, cheap) == "b"
    assert price_order(cheap, cheap) == "same"
    assert price_order(cheap, odd) == "mixed"
    assert price_order(cheap, image) is None


def test_listings_compare_only_us_dollar_input_rates_per_million_tokens():
    def rate(amount, unit, currency="USD"):
        return HeadlinePrice(Decimal(amount), currency, unit).per_million_input

    assert rate("0.00000042", "prompt token") == Decimal("0.42")
    assert rate("0.00000002", "token") == Decimal("0.02")  # one rate for every token
    assert rate("0.000015", "completion token") is None  # an output rate alone
    assert rate("0.00000042", "prompt token", "EUR") is None  # not converted, not compared
    assert rate("0.04", "image") is None


def test_free_tier_is_the_flag_or_a_plan_priced_at_zero():
    free_plan, paid_plan = SimpleNamespace(price=Decimal(0)), SimpleNamespace(price=Decimal(5))
    assert has_free_tier(free_tier=True, plans=[])
    assert has_free_tier(free_tier=None, plans=[paid_plan, free_plan])
    assert not has_free_tier(free_tier=False, plans=[paid_plan])
    assert not has_free_tier(free_tier=None, plans=[])


# --- The calculator ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_calculator_arithmetic_is_exact():
    plans = _gpt4o_plans().plans.all()
    result = cost_calculate(plans=plans, data={"in": "3,000,000", "out": "1M"})
    estimate = result.estimate
    assert not result.errors
    assert estimate.input_cost == Decimal("7.5")
    assert estimate.output_cost == Decimal("10")
    assert estimate.total == Decimal("17.5")
    assert estimate.total_text == "$17.50"
    assert estimate.total_exact_text == ""
    assert result.chosen.label == "Input and Output"  # the cached rate is no option


@pytest.mark.django_db
def test_calculator_under_a_cent_shows_the_exact_total_too():
    artifact = ArtifactFactory()
    PricingPlanFactory(artifact=artifact, price=Decimal("0.00000042"))
    estimate = cost_calculate(plans=artifact.plans.all(), data={"in": "1234"}).estimate
    assert estimate.total == Decimal("0.00051828")
    assert (estimate.total_text, estimate.total_exact_text) == ("$0.00052", "$0.00051828")
    assert estimate.complete  # no output tokens asked for


@pytest.mark.django_db
def test_calculator_one_rate_plan_charges_every_token():
    artifact = ArtifactFactory()
    PricingPlanFactory(artifact=artifact, price=Decimal("0.00000002"), unit="token")
    estimate = cost_calculate(plans=artifact.plans.all(), data={"in": "3M", "out": "1M"}).estimate
    assert estimate.total == Decimal("0.08")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"in": "-5"}, "Tokens in cannot be negative."),
        ({"in": "lots"}, "Tokens in must be a whole number of tokens, such as 3000000 or 3M."),
        ({"out": "1e9"}, "Tokens out must be a whole number of tokens, such as 3000000 or 3M."),
        ({"in": "1.5"}, "Tokens in must be a whole number of tokens."),
        (
            {"in": str(MAX_TOKENS + 1)},
            "Tokens in is more than 10,000,000,000,000 tokens a month; check the number.",
        ),
        ({"in": "1", "plan": "999999"}, "Choose one of the listed plans."),
    ],
)
def test_calculator_bad_input_says_what_is_wrong(data, message):
    artifact = ArtifactFactory()
    PricingPlanFactory(artifact=artifact)
    result = cost_calculate(plans=artifact.plans.all(), data=data)
    assert result.estimate is None
    assert message in result.errors


@pytest.mark.django_db
def test_calculator_accepts_the_largest_allowed_count():
    artifact = ArtifactFactory()
    PricingPlanFactory(artifact=artifact, price=Decimal("0.00000042"))
    result = cost_calculate(plans=artifact.plans.all(), data={"in": str(MAX_TOKENS)})
    assert result.estimate.total == Decimal("4200000")
