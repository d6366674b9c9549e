"""How prices read on a page: exact decimals, read per a unit people think in, and when they
were true. Pure: plain values in, plain values out, no queries.

Unit families (`unit_family`), decided by the stored unit, lower-cased, plural "s" dropped:

- tokens: "prompt token" / "input token" (input), "completion token" / "output token"
  (output), "token" (one rate for every token, as embeddings are priced). A token plan whose
  name says "cache" (e.g. "Cached input") is a cached rate: shown apart, never the headline.
  Read per 1M tokens.
- image: per image; minute: per minute of audio (the catalogue's minute-priced plans are
  speech APIs); hour: per hour; month: per month; character: per 1K characters (how
  text-to-speech prices are usually quoted).
- anything else is its own family, read per its unit as stored.

All arithmetic is Decimal (a rate per 1M tokens is the stored rate with its exponent moved by
six: exact); nothing passes through a float; nothing is written in scientific notation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥"}

TOKENS = "tokens"
INPUT, OUTPUT, ANY_TOKEN = "input", "output", "token"
TOKEN_ROLES = {
    "prompt token": INPUT,
    "input token": INPUT,
    "completion token": OUTPUT,
    "output token": OUTPUT,
    "token": ANY_TOKEN,
}
# family -> (how many units a displayed price covers, the words after the price)
FAMILY_READING = {
    TOKENS: (Decimal(1_000_000), "per 1M tokens"),
    "image": (Decimal(1), "per image"),
    "minute": (Decimal(1), "per minute of audio"),
    "hour": (Decimal(1), "per hour"),
    "month": (Decimal(1), "per month"),
    "character": (Decimal(1000), "per 1K characters"),
}
ROLE_WORDS = {INPUT: "input tokens", OUTPUT: "output tokens", ANY_TOKEN: "tokens"}

# The calculator's bound: more tokens than this a month is a typo, not a plan.
MAX_TOKENS = 10**13
CENT = Decimal("0.01")
# Listings filter and sort token prices in this currency only: other currencies are not
# converted, so they are not compared.
LISTING_CURRENCY = "USD"


def _unit_key(unit: str) -> str:
    key = " ".join(unit.strip().lower().split())
    return key[:-1] if key.endswith("s") and len(key) > 1 else key


def token_role(unit: str) -> str | None:
    """ "input", "output" or "token" for a token unit; None for any other unit."""
    return TOKEN_ROLES.get(_unit_key(unit))


def unit_family(unit: str) -> str:
    """ "tokens", "image", "minute", "hour", "month", "character", or the unit itself."""
    key = _unit_key(unit)
    return TOKENS if key in TOKEN_ROLES else key


def is_cached_plan(name: str, unit: str) -> bool:
    return token_role(unit) is not None and "cache" in name.lower()


def _scale(family: str) -> Decimal:
    return FAMILY_READING.get(family, (Decimal(1), ""))[0]


def per_words(unit: str, role: str | None = None) -> str:
    """The words after a read price: "per 1M tokens", "per 1M input tokens", "per image"."""
    family = unit_family(unit)
    if family == TOKENS:
        return f"per 1M {ROLE_WORDS[role]}" if role else "per 1M tokens"
    if family in FAMILY_READING:
        return FAMILY_READING[family][1]
    return f"per {unit.strip()}"


def read_amount(amount: Decimal, unit: str) -> Decimal:
    """The stored per-unit amount in the unit people read: ×1,000,000 for tokens, ×1,000 for
    characters, as is otherwise. Exact."""
    return amount * _scale(unit_family(unit))


def format_money(amount: Decimal, currency: str) -> str:
    """Exact, with at least two decimals and no trailing zeros past them:
    0.42 -> "$0.42", 2.5 -> "$2.50", 0.0025 -> "$0.0025", 1500 -> "$1,500.00",
    0.00000042 -> "$0.00000042". Never scientific notation, never a float."""
    places = max(2, -amount.normalize().as_tuple().exponent)
    text = f"{amount:,.{places}f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def format_money_rounded(amount: Decimal, currency: str) -> str:
    """To the cent; an amount under a cent (but above zero) keeps two significant digits
    instead ($0.0042), so it never reads as $0.00."""
    if amount == 0 or abs(amount) >= CENT:
        return format_money(amount.quantize(CENT, rounding=ROUND_HALF_UP), currency)
    digits = -amount.adjusted() + 1  # two significant digits
    return format_money(amount.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP), currency)


def plan_reading(*, name: str, price: Decimal, currency: str, unit: str) -> str:
    """One plan as people read it: "$0.42 per 1M input tokens", "$1.25 per 1M cached input
    tokens", "$0.05 per image", "$0.05 per 1K characters"."""
    role = token_role(unit)
    words = per_words(unit, role)
    if is_cached_plan(name, unit):
        words = "per 1M cached input tokens"
    return f"{format_money(read_amount(price, unit), currency)} {words}"


def plan_exact(*, price: Decimal, currency: str, unit: str) -> str:
    """The stored decimal and unit, as stored: "$0.00000042 per prompt token"."""
    return f"{format_money(price, currency)} per {unit.strip()}"


def has_free_tier(*, free_tier: bool | None, plans: Iterable) -> bool:
    """Free to start: the listing says it has a free tier, or lists a plan priced at zero."""
    return free_tier is True or any(plan.price == 0 for plan in plans)


# --- The headline price -----------------------------------------------------------------------


@dataclass(frozen=True)
class HeadlinePrice:
    """What a card, the artifact header and a comparison show as the price.

    `amount` is the exact stored per-unit rate of the main plan (the standard input rate for
    token APIs); `output` the exact per-token output rate of the same plan, if it lists one;
    `cached` the cheapest cached-input rate, shown apart. `plans` names the plan rows it
    comes from (an input row and its output row), `plan` the plan in words."""

    amount: Decimal
    currency: str
    unit: str
    as_of: date | None = None
    output: Decimal | None = None
    cached: Decimal | None = None
    plans: tuple[str, ...] = ()
    plan: str = ""

    @property
    def family(self) -> str:
        return unit_family(self.unit)

    @property
    def role(self) -> str | None:
        return token_role(self.unit)

    @property
    def is_pair(self) -> bool:
        return self.output is not None

    @property
    def display_amount(self) -> str:
        """ "$2.50 / $10.00" for input / output, else "$0.05"."""
        first = format_money(read_amount(self.amount, self.unit), self.currency)
        if self.output is None:
            return first
        return f"{first} / {format_money(self.output * _scale(TOKENS), self.currency)}"

    @property
    def per(self) -> str:
        if self.family == TOKENS and not self.is_pair and self.role != ANY_TOKEN:
            return per_words(self.unit, self.role)  # only an input (or output) rate
        return per_words(self.unit)

    @property
    def parts(self) -> str:
        return "input / output" if self.is_pair else ""

    @property
    def text(self) -> str:
        """ "$2.50 / $10.00 per 1M tokens (input / output)", "$0.05 per image"."""
        parts = f" ({self.parts})" if self.parts else ""
        return f"{self.display_amount} {self.per}{parts}"

    @property
    def cached_text(self) -> str:
        if self.cached is None:
            return ""
        rate = format_money(self.cached * _scale(TOKENS), self.currency)
        return f"cached input {rate} per 1M tokens"

    @property
    def source(self) -> str:
        """Which plan the headline comes from, in words: "plan “Claude Sonnet 4.5”"; a plan
        named only by its rows ("Input", "Output") reads "plans “Input” and “Output”"."""
        if self.plan:
            return f"plan “{self.plan}”"
        names = " and ".join(f"“{name}”" for name in self.plans)
        return f"plans {names}" if len(self.plans) > 1 else f"plan {names}" if names else ""

    @property
    def per_million_input(self) -> Decimal | None:
        """The rate per 1M input tokens (or per 1M tokens, for one rate for every token) in
        US dollars: what listings filter and sort token prices by. None for any other family,
        currency, or a headline with no input rate. Exact."""
        if self.family != TOKENS or self.role == OUTPUT or self.currency != LISTING_CURRENCY:
            return None
        return self.amount * _scale(TOKENS)

    def comparable_with(self, other: HeadlinePrice) -> bool:
        """Same family and currency: a token price never compares with a per-image one."""
        return (self.family, self.currency) == (other.family, other.currency)

    def rates(self) -> tuple[Decimal, ...]:
        return (self.amount,) if self.output is None else (self.amount, self.output)


def price_order(a: HeadlinePrice, b: HeadlinePrice) -> str | None:
    """ "same", "a" (a is cheaper), "b", "mixed" (each is cheaper on one of input and
    output), or None when they are not comparable. Two pairs compare on both rates; when
    either lacks an output rate, on the main rate alone."""
    if not a.comparable_with(b):
        return None
    if a.is_pair and b.is_pair:
        pairs = list(zip(a.rates(), b.rates(), strict=True))
    else:
        pairs = [(a.amount, b.amount)]
    a_wins = any(x < y for x, y in pairs)
    b_wins = any(y < x for x, y in pairs)
    if a_wins and b_wins:
        return "mixed"
    return "a" if a_wins else "b" if b_wins else "same"


def cheapest_prices(prices: list[HeadlinePrice]) -> list[int]:
    """Indexes of the prices no other is cheaper than (all comparable, at least one strictly
    cheaper than some other); [] when they cannot be ordered this way."""
    if len(prices) < 2 or not all(p.comparable_with(prices[0]) for p in prices):
        return []
    best = [
        i
        for i, price in enumerate(prices)
        if all(price_order(price, other) in ("a", "same") for other in prices)
    ]
    return [] if len(best) == len(prices) else best


def _stem(name: str) -> str:
    """A plan name without its input/output words: "Claude Sonnet 4.5 output" -> "claude
    sonnet 4.5"; "Hosted API, input" -> "hosted api"; "Input" -> ""."""
    words = re.sub(r"\b(input|output|prompt|completion|tokens?)\b", " ", name.lower())
    return " ".join(words.replace(",", " ").split())


def _oldest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def own_output(plan, outputs: list):
    """The output rate of the same plan as an input rate: the output of the same name stem
    ("Sonnet input" and "Sonnet output"), else a generic one (named just "Output", or any
    output when the input is just "Input"); None when the plan lists no output of its own."""
    stem = _stem(plan.name)
    same = [out for out in outputs if _stem(out.name) == stem]
    generic = [out for out in outputs if not stem or not _stem(out.name)]
    return min(same or generic, key=_order) if same or generic else None


def matching_output(plan, outputs: list) -> tuple[object | None, bool]:
    """For an estimate: the plan's own output (`own_output`), else the cheapest output,
    flagged as another plan's rate. Returns (plan or None, whether it is another plan's)."""
    own = own_output(plan, outputs)
    if own is not None or not outputs:
        return own, False
    return min(outputs, key=_order), True


def _order(plan) -> tuple:
    return (plan.price, plan.position)


def headline_price(plans: Iterable) -> HeadlinePrice | None:
    """The price shown as an artifact's headline, or None when no plan is listed.

    The rule:
    1. Token plans lead whenever there are standard (not cached) ones. The headline is ONE
       plan: the cheapest input rate, with the output rate of that same plan (`own_output`)
       when it lists one, never another plan's (Haiku's input beside Sonnet's output would
       describe no plan anyone can buy). Without an input rate, the cheapest "token" rate
       (one rate for every token), else the cheapest output rate alone. The cheapest cached
       rate is carried beside it.
    2. Otherwise the family with the most plans (a tie goes to the family listed first), and
       its cheapest plan (a tie goes to the first listed): three monthly subscriptions and
       one per-character rate read "from $5.00 per month".
    Families are split by currency as well; `as_of` is the oldest date of the plans used.
    """
    plans = sorted(plans, key=lambda plan: (plan.position, getattr(plan, "pk", 0) or 0))
    if not plans:
        return None
    tokens = [p for p in plans if token_role(p.unit) and not is_cached_plan(p.name, p.unit)]
    if tokens:
        currency = tokens[0].currency
        tokens = [p for p in tokens if p.currency == currency]
        by_role = {
            role: [p for p in tokens if token_role(p.unit) == role] for role in TOKEN_ROLES.values()
        }
        cached = [p for p in plans if is_cached_plan(p.name, p.unit) and p.currency == currency]
        cached_rate = min(p.price for p in cached) if cached else None
        if by_role[INPUT]:
            main = min(by_role[INPUT], key=_order)
            out = own_output(main, by_role[OUTPUT])
        else:
            main = min(by_role[ANY_TOKEN] or by_role[OUTPUT], key=_order)
            out = None
        return HeadlinePrice(
            amount=main.price,
            currency=currency,
            unit=main.unit,
            as_of=_oldest(main.as_of, out.as_of if out else None),
            output=out.price if out else None,
            cached=cached_rate,
            plans=(main.name, out.name) if out else (main.name,),
            plan=_plan_name(main.name),
        )
    groups: dict[tuple[str, str], list] = {}
    for plan in plans:
        groups.setdefault((unit_family(plan.unit), plan.currency), []).append(plan)
    largest = max(groups.values(), key=len)  # max keeps the first of equals: listed first
    main = min(largest, key=_order)
    return HeadlinePrice(
        amount=main.price,
        currency=main.currency,
        unit=main.unit,
        as_of=main.as_of,
        plans=(main.name,),
        plan=main.name,
    )


# --- The cost calculator ----------------------------------------------------------------------


@dataclass(frozen=True)
class TokenOption:
    """One way to be billed for tokens: an input rate and its output rate, or one rate for
    every token. `key` is the plan id the calculator's form sends."""

    key: str
    label: str
    currency: str
    input_rate: Decimal
    output_rate: Decimal | None
    single_rate: bool = False
    output_from: str = ""  # the output plan's name when it is another plan's rate


def token_options(plans: Iterable) -> list[TokenOption]:
    """The standard token rates an estimate can use, cheapest input first. Cached rates are
    left out (an estimate prices all input at the standard rate)."""
    plans = sorted(plans, key=lambda plan: (plan.position, plan.pk or 0))
    standard = [p for p in plans if token_role(p.unit) and not is_cached_plan(p.name, p.unit)]
    options = []
    for plan in standard:
        role = token_role(plan.unit)
        if role == INPUT:
            outputs = [
                p for p in standard if token_role(p.unit) == OUTPUT and p.currency == plan.currency
            ]
            out, other = matching_output(plan, outputs)
            options.append(
                TokenOption(
                    key=str(plan.pk),
                    label=plan.name if not out or other else _pair_label(plan.name, out.name),
                    currency=plan.currency,
                    input_rate=plan.price,
                    output_rate=out.price if out else None,
                    output_from=out.name if out and other else "",
                )
            )
        elif role == ANY_TOKEN:
            options.append(
                TokenOption(
                    key=str(plan.pk),
                    label=plan.name,
                    currency=plan.currency,
                    input_rate=plan.price,
                    output_rate=plan.price,
                    single_rate=True,
                )
            )
    return sorted(options, key=lambda option: option.input_rate)


def _plan_name(input_name: str) -> str:
    """The plan an input rate belongs to, in its own case: "Claude Sonnet 4.5 input" ->
    "Claude Sonnet 4.5", "Hosted API, input" -> "Hosted API"; "" for a bare "Input"."""
    stem = re.sub(r"[,\s]*\b(input|prompt)\b\s*$", "", input_name, flags=re.IGNORECASE).strip()
    return stem if stem and _stem(input_name) else ""


def _pair_label(input_name: str, output_name: str) -> str:
    """ "Claude Sonnet 4.5 input" with its output -> "Claude Sonnet 4.5"; "Input" and
    "Output" -> "Input and Output"."""
    return _plan_name(input_name) or f"{input_name} and {output_name}"


@dataclass(frozen=True)
class CostEstimate:
    option: TokenOption
    tokens_in: int
    tokens_out: int

    @property
    def input_cost(self) -> Decimal:
        return self.tokens_in * self.option.input_rate

    @property
    def output_cost(self) -> Decimal | None:
        if self.option.output_rate is None:
            return None if self.tokens_out else Decimal(0)
        return self.tokens_out * self.option.output_rate

    @property
    def total(self) -> Decimal:
        return self.input_cost + (self.output_cost or Decimal(0))

    @property
    def complete(self) -> bool:
        """False when output tokens were asked for but the plan lists no output rate."""
        return self.output_cost is not None

    # What the page shows: rates per 1M tokens, costs to the cent (more digits under a
    # cent), and the exact total when rounding changed it.
    @property
    def input_rate_text(self) -> str:
        return self._rate(self.option.input_rate)

    @property
    def output_rate_text(self) -> str:
        rate = self.option.output_rate
        return self._rate(rate) if rate is not None else ""

    @property
    def input_cost_text(self) -> str:
        return format_money_rounded(self.input_cost, self.option.currency)

    @property
    def output_cost_text(self) -> str:
        cost = self.output_cost
        return format_money_rounded(cost, self.option.currency) if cost is not None else ""

    @property
    def total_text(self) -> str:
        return format_money_rounded(self.total, self.option.currency)

    @property
    def total_exact_text(self) -> str:
        """The exact total, or "" when the rounded one is already exact."""
        exact = format_money(self.total, self.option.currency)
        return "" if exact == self.total_text else exact

    @property
    def tokens_total(self) -> int:
        return self.tokens_in + self.tokens_out

    def _rate(self, rate: Decimal) -> str:
        return format_money(rate * _scale(TOKENS), self.option.currency)


class CalculatorError(ValueError):
    """A message for the visitor about what they typed."""


TOKEN_COUNT_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmb])?$", re.IGNORECASE)
SUFFIXES = {"k": 10**3, "m": 10**6, "b": 10**9}


def parse_token_count(text: str, *, label: str) -> int:
    """ "3000000", "3,000,000", "3 000 000", "3M", "2.5k" -> a whole number of tokens.
    Empty means 0. CalculatorError says what is wrong, in words."""
    raw = (text or "").strip()
    if not raw:
        return 0
    cleaned = re.sub(r"(?<=\d)[,_ ](?=\d)", "", raw)
    if cleaned.startswith("-"):
        raise CalculatorError(f"{label} cannot be negative.")
    match = TOKEN_COUNT_RE.match(cleaned)
    if not match or len(cleaned) > 40:
        raise CalculatorError(f"{label} must be a whole number of tokens, such as 3000000 or 3M.")
    try:
        value = Decimal(match.group(1)) * SUFFIXES.get((match.group(2) or "").lower(), 1)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise CalculatorError(f"{label} must be a number.") from None
    if value != value.to_integral_value():
        raise CalculatorError(f"{label} must be a whole number of tokens.")
    if value > MAX_TOKENS:
        raise CalculatorError(
            f"{label} is more than {MAX_TOKENS:,} tokens a month; check the number."
        )
    return int(value)


@dataclass(frozen=True)
class CalculatorResult:
    """What the calculator shows: the options, what was asked, the estimate or the errors."""

    options: tuple[TokenOption, ...]
    asked: bool
    tokens_in_text: str = ""
    tokens_out_text: str = ""
    chosen: TokenOption | None = None
    estimate: CostEstimate | None = None
    errors: tuple[str, ...] = ()


def cost_calculate(*, plans: Iterable, data: Mapping[str, str]) -> CalculatorResult:
    """Read the calculator's query (`in`, `out`, `plan`) against an artifact's plans.

    No `in` and no `out`: nothing asked (the form alone). Otherwise an estimate, or the
    errors that stop one (each a sentence for the visitor)."""
    options = tuple(token_options(plans))
    tokens_in_text = (data.get("in") or "").strip()
    tokens_out_text = (data.get("out") or "").strip()
    plan_key = (data.get("plan") or "").strip()
    chosen = next((o for o in options if o.key == plan_key), options[0] if options else None)
    base = {
        "options": options,
        "tokens_in_text": tokens_in_text[:40],
        "tokens_out_text": tokens_out_text[:40],
        "chosen": chosen,
    }
    if not tokens_in_text and not tokens_out_text and not plan_key:
        return CalculatorResult(asked=False, **base)
    errors = []
    if not options:
        errors.append("This artifact lists no token prices to estimate with.")
    elif plan_key and plan_key not in {o.key for o in options}:
        errors.append("Choose one of the listed plans.")
    counts = []
    for text, label in ((tokens_in_text, "Tokens in"), (tokens_out_text, "Tokens out")):
        try:
            counts.append(parse_token_count(text, label=label))
        except CalculatorError as error:
            errors.append(str(error))
    if errors:
        return CalculatorResult(asked=True, errors=tuple(errors), **base)
    estimate = CostEstimate(chosen, tokens_in=counts[0], tokens_out=counts[1])
    return CalculatorResult(asked=True, estimate=estimate, **base)
