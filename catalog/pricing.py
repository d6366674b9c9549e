"""How prices read on a page: exact decimals, their unit, and when they were true."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥"}


@dataclass(frozen=True)
class StartingPrice:
    amount: Decimal
    currency: str
    unit: str
    as_of: date | None

    @property
    def display_amount(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: Decimal, currency: str) -> str:
    """`Decimal("0.00000042")` -> "$0.00000042"; never scientific notation, never a float."""
    if amount == amount.to_integral_value():
        text = f"{amount:.2f}" if amount < 1000 else f"{amount:,.0f}"
    else:
        text = format(amount.normalize(), "f")
        if len(text.split(".")[1]) < 2:
            text = f"{amount:.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def starting_price(plans) -> StartingPrice | None:
    """The lowest plan price with its unit and as-of date, or None when no plan is listed."""
    plans = list(plans)
    if not plans:
        return None
    cheapest = min(plans, key=lambda plan: (plan.price, plan.position))
    return StartingPrice(cheapest.price, cheapest.currency, cheapest.unit, cheapest.as_of)
