"""What the run has used (tokens of each kind, dollars, turns; per model and in all) and the
limits that end it: tokens, dollars and turns over the whole conversation, resumes included;
wall time for this one process."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from supervisor.agents.builtin.errors import BudgetExhausted
from supervisor.agents.builtin.pricing import DEAREST, Tokens, cost, price_of

KINDS = ("input", "output", "cache_write", "cache_read")


def tokens_of(usage: Any) -> Tokens:
    """The four counts of a response's `usage` (an SDK object); a count it lacks is 0."""

    def count(name: str) -> int:
        value = getattr(usage, name, None)
        return value if isinstance(value, int) and value > 0 else 0

    return Tokens(
        count("input_tokens"),
        count("output_tokens"),
        count("cache_creation_input_tokens"),
        count("cache_read_input_tokens"),
    )


@dataclass
class Tally:
    tokens: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    usd: float = 0.0
    turns: int = 0

    def add(self, tokens: Tokens, usd: float) -> None:
        for kind, value in zip(KINDS, tokens, strict=True):
            self.tokens[kind] = self.tokens.get(kind, 0) + value
        self.usd += usd
        self.turns += 1

    @property
    def total(self) -> int:
        return sum(self.tokens.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "tokens": {**self.tokens, "total": self.total},
            "usd": round(self.usd, 6),
            "turns": self.turns,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tally:
        counts = dict(data.get("tokens") or {})
        return cls(
            {kind: int(counts.get(kind, 0)) for kind in KINDS},
            float(data.get("usd", 0.0)),
            int(data.get("turns", 0)),
        )


@dataclass
class Usage:
    """The whole run's usage, and each model's share of it."""

    all: Tally = field(default_factory=Tally)
    models: dict[str, Tally] = field(default_factory=dict)
    unpriced: set[str] = field(default_factory=set)

    def add(self, model: str, tokens: Tokens, pricing: Mapping[str, Mapping[str, float]]) -> float:
        """Count one response; its price in dollars."""
        price = price_of(model, pricing)
        if price is None:
            self.unpriced.add(model)
            price = DEAREST
        usd = cost(tokens, price)
        self.all.add(tokens, usd)
        self.models.setdefault(model, Tally()).add(tokens, usd)
        return usd

    def as_json(self) -> dict[str, Any]:
        return {
            **self.all.as_json(),
            "models": {name: tally.as_json() for name, tally in sorted(self.models.items())},
            "unpriced": sorted(self.unpriced),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Usage:
        models = {str(k): Tally.from_json(v) for k, v in dict(data.get("models") or {}).items()}
        return cls(Tally.from_json(data), models, {str(m) for m in data.get("unpriced") or ()})


@dataclass(frozen=True)
class Limits:
    max_tokens: int | None = None
    max_usd: float | None = None
    max_turns: int | None = None
    deadline: float | None = None  # time.monotonic() by which this process ends its run

    def remaining_time(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def check(self, usage: Usage) -> None:
        """A BudgetExhausted when a limit is reached: no further request may be made."""
        spent = usage.all
        if self.max_turns is not None and spent.turns >= self.max_turns:
            raise BudgetExhausted("turns", f"the turn budget ran out ({self.max_turns} turns)")
        if self.max_tokens is not None and spent.total >= self.max_tokens:
            raise BudgetExhausted(
                "tokens",
                f"the token budget ran out ({spent.total:,} of {self.max_tokens:,} tokens)",
            )
        if self.max_usd is not None and spent.usd >= self.max_usd:
            raise BudgetExhausted(
                "usd", f"the dollar budget ran out (${spent.usd:.4f} of ${self.max_usd:.2f})"
            )
        self.check_time()

    def check_time(self, needed: float = 0.0) -> None:
        left = self.remaining_time()
        if left is not None and left <= needed:
            raise BudgetExhausted("wall time", "the wall-time limit was reached")

    def response_tokens(self, wanted: int, usage: Usage) -> int:
        """The most a response may write: `wanted`, or less if the token budget has less left."""
        if self.max_tokens is None:
            return wanted
        return max(1, min(wanted, self.max_tokens - usage.all.total))
