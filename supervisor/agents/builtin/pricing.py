"""What a response cost: its usage priced in US dollars per million tokens, from the agent's
`pricing` table (the configuration's word wins) or the defaults below.

The defaults are Anthropic's published list prices (platform.claude.com, "Pricing" and each
model's overview page, as read in late 2026), at the 5-minute cache-write rate the agent asks
for. Where a model is priced in two bands by the length of the prompt (input, cache writes and
cache reads together), the whole request is priced at the band its prompt falls in, as Anthropic
bills it. Where a source disagreed with another the dearer figure was kept, so a dollar budget
errs on the side of stopping early. A model found in neither table is priced as the dearest
model known, and named in the run's usage as unpriced: a budget in dollars still holds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple


class Rates(NamedTuple):
    """US dollars per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float


class Band(NamedTuple):
    """Rates for a prompt above `threshold` tokens."""

    threshold: int
    rates: Rates


class Price(NamedTuple):
    rates: Rates
    band: Band | None = None


def _flat(input: float, output: float, cache_write: float, cache_read: float) -> Price:
    return Price(Rates(input, output, cache_write, cache_read))


OPUS_OLD = _flat(15.0, 75.0, 18.75, 1.50)
OPUS = _flat(5.0, 25.0, 6.25, 0.50)
SONNET_4 = Price(Rates(3.0, 15.0, 3.75, 0.30), Band(200_000, Rates(6.0, 22.50, 7.50, 0.60)))
SONNET_5 = _flat(2.0, 10.0, 2.50, 0.20)
FABLE = _flat(10.0, 50.0, 12.50, 1.00)

DEFAULT_PRICES: dict[str, Price] = {
    "claude-fable-5-1": _flat(10.0, 50.0, 12.50, 0.25),
    "claude-mythos-5-1": _flat(10.0, 50.0, 12.50, 0.25),
    "claude-fable-5": FABLE,
    "claude-mythos-5": FABLE,
    # Opus 5.5: $4 / $20 published; its cache rates follow the usual 1.25x and 0.1x of input
    "claude-opus-5-5": _flat(4.0, 20.0, 5.0, 0.40),
    "claude-opus-5": OPUS,
    "claude-opus-4-8": OPUS,
    "claude-opus-4-7": OPUS,
    "claude-opus-4-6": OPUS,
    "claude-opus-4-5": OPUS,
    "claude-opus-4-1": OPUS_OLD,
    "claude-opus-4-0": OPUS_OLD,
    "claude-opus-4": OPUS_OLD,
    # Sonnet 5.5's cache reads were cut to $0.10 in October 2026 by some accounts; kept at $0.20
    "claude-sonnet-5-5": SONNET_5,
    "claude-sonnet-5": SONNET_5,
    "claude-sonnet-4-6": _flat(3.0, 15.0, 3.75, 0.30),
    "claude-sonnet-4-5": SONNET_4,
    "claude-sonnet-4-0": SONNET_4,
    "claude-sonnet-4": SONNET_4,
    "claude-3-7-sonnet": _flat(3.0, 15.0, 3.75, 0.30),
    "claude-haiku-5-5": Price(
        Rates(0.10, 0.50, 0.125, 0.01), Band(100_000, Rates(0.50, 2.50, 0.625, 0.05))
    ),
    "claude-haiku-4-5": _flat(1.0, 5.0, 1.25, 0.10),
    "claude-3-5-haiku": _flat(0.80, 4.0, 1.0, 0.08),
    "claude-3-haiku": _flat(0.25, 1.25, 0.30, 0.03),
}
# the dearest rates known, for a model in no table
DEAREST = Price(
    Rates(*(max(p.rates[i] for p in DEFAULT_PRICES.values()) for i in range(len(Rates._fields))))
)
_SUFFIX = re.compile(r"(\[[^\]]*\]|-\d{8}|-latest|-v\d+(:\d+)?|@\d{8})+$")


class Tokens(NamedTuple):
    input: int
    output: int
    cache_write: int
    cache_read: int

    @property
    def prompt(self) -> int:
        return self.input + self.cache_write + self.cache_read

    @property
    def total(self) -> int:
        return self.prompt + self.output


def price_of(model: str, configured: Mapping[str, Mapping[str, float]]) -> Price | None:
    """The model's price: the configuration's entry for it, else the default for it (a dated
    or suffixed id, `claude-sonnet-4-5-20250929` or `...[1m]`, as its plain id); None when
    neither knows it."""
    for name in (model, _SUFFIX.sub("", model)):
        if name in configured:
            table = configured[name]
            return _flat(
                float(table["input"]),
                float(table["output"]),
                float(table.get("cache_write", 0.0)),
                float(table.get("cache_read", 0.0)),
            )
    for name in (model, _SUFFIX.sub("", model)):
        if name in DEFAULT_PRICES:
            return DEFAULT_PRICES[name]
    return None


def cost(tokens: Tokens, price: Price) -> float:
    """US dollars for one response."""
    rates = price.rates
    if price.band is not None and tokens.prompt > price.band.threshold:
        rates = price.band.rates
    return (
        tokens.input * rates.input
        + tokens.output * rates.output
        + tokens.cache_write * rates.cache_write
        + tokens.cache_read * rates.cache_read
    ) / 1_000_000
