"""One turn's request to the Messages API, made to succeed if it can: 429, 529, 5xx and lost
connections are retried with exponential backoff, honouring `retry-after` (and `retry-after-ms`);
a model that is overloaded (529) is set aside for a while and the next fallback model asked at
once; a model the API does not know (404) is dropped for the rest of the run. Anything else,
or failure after every attempt, is an ApiFailure (exit 3).

The SDK's own retries are off (`max_retries=0`), and these are ours, because the SDK's would
retry the same model through an overload instead of falling back, wait out a `retry-after`
past our wall-time limit, never tell the shared rate limiter (a 429 seen here holds every agent
of the repository back), and retry 408 and 409 as well, which are not ours to repeat."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from supervisor.agents.builtin.errors import ApiFailure, BudgetExhausted
from supervisor.agents.builtin.limiter import Limiter
from supervisor.agents.builtin.usage import Limits

MAX_ATTEMPTS = 8  # requests for one turn before it is given up
BACKOFF_BASE = 1.0  # seconds before the first retry; doubled each time
BACKOFF_CAP = 60.0
OVERLOAD_REST = 30.0  # seconds an overloaded model is set aside while others remain
REQUEST_TIMEOUT = 600.0  # seconds for one request (non-streaming), at most
RETRIED = frozenset({429, 500, 502, 503, 504, 529})


class Reply:
    """What the API answered, and which model answered it."""

    def __init__(self, message: Any, model: str) -> None:
        self.message = message
        self.model = model


class Caller:
    def __init__(
        self,
        client: Any,  # anthropic.Anthropic, built with max_retries=0
        models: Sequence[str],
        limiter: Limiter,
        log: Callable[[str], None],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.models = list(dict.fromkeys(models))
        self.limiter = limiter
        self.log = log
        self.sleep = sleep
        self.clock = clock
        self.resting: dict[str, float] = {}  # model -> when it may be asked first again

    def call(self, request: dict[str, Any], estimate: int, limits: Limits) -> Reply:
        """The response to `request` (the Messages API's arguments but `model`)."""
        import anthropic

        tried: set[str] = set()  # models that answered 529 since the last wait
        last = "no attempt was made"
        for attempt in range(1, MAX_ATTEMPTS + 1):
            model = self._model(tried)
            limits.check_time()
            self.limiter.acquire(estimate, limits)
            try:
                message = self.client.messages.create(
                    model=model, timeout=self._timeout(limits), **request
                )
            except anthropic.APIStatusError as exc:
                last = _describe(exc)
                wait = self._failed(model, exc, tried, attempt)
            except anthropic.APIConnectionError as exc:
                last = f"{model}: {type(exc).__name__}: {exc}"
                wait = _backoff(attempt)
            else:
                return Reply(message, model)
            if wait is None:
                continue  # another model, at once
            self._wait(wait, attempt, last, limits)
            tried.clear()
        raise ApiFailure(f"the Messages API kept failing ({MAX_ATTEMPTS} attempts): {last}")

    # which model ---------------------------------------------------------------------------
    def _model(self, tried: set[str]) -> str:
        if not self.models:
            raise ApiFailure("no model is left to ask: every one was unknown to the API")
        now = self.clock()
        fresh = [m for m in self.models if m not in tried and self.resting.get(m, 0.0) <= now]
        untried = [m for m in self.models if m not in tried]
        return (fresh or untried or self.models)[0]

    def _failed(self, model: str, exc: Any, tried: set[str], attempt: int) -> float | None:
        """After an error status: None to ask another model at once, else the seconds to
        wait before the next attempt; an ApiFailure when retrying cannot help."""
        status = int(exc.status_code)
        if status == 404 and _error_type(exc) in ("not_found_error", None) and self.models:
            self.models.remove(model)
            self.log(f"{model}: not available ({_describe(exc)}); dropped")
            if not self.models:
                raise ApiFailure(f"no model is left to ask: {_describe(exc)}")
            return None
        if status not in RETRIED:
            raise ApiFailure(_describe(exc))
        after = _retry_after(exc)
        if status == 429 and after is not None:
            self.limiter.hold(after)
        if status == 529:
            tried.add(model)
            self.resting[model] = self.clock() + max(OVERLOAD_REST, after or 0.0)
            if any(m not in tried for m in self.models):
                self.log(f"{model}: overloaded; trying {self._model(tried)}")
                return None
        return after if after is not None else _backoff(attempt)

    # waiting --------------------------------------------------------------------------------
    def _wait(self, wait: float, attempt: int, last: str, limits: Limits) -> None:
        if attempt >= MAX_ATTEMPTS:
            return
        left = limits.remaining_time()
        if left is not None and wait >= left:
            raise BudgetExhausted(
                "wall time", f"the wall-time limit would pass while waiting to retry: {last}"
            )
        self.log(f"{last}; retrying in {wait:.1f}s")
        self.sleep(wait)

    def _timeout(self, limits: Limits) -> float:
        left = limits.remaining_time()
        return REQUEST_TIMEOUT if left is None else max(1.0, min(REQUEST_TIMEOUT, left))


def _backoff(attempt: int) -> float:
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (attempt - 1))
    return delay * (0.75 + 0.25 * random.random())


def _retry_after(exc: Any) -> float | None:
    """The wait the response asked for (`retry-after-ms`, else `retry-after` in seconds)."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        try:
            seconds = float(value) * scale
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return None


def _error_type(exc: Any) -> str | None:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("type"), str):
            return str(error["type"])
    return None


def _describe(exc: Any) -> str:
    body = getattr(exc, "body", None)
    message = None
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            message = error.get("message")
    kind = _error_type(exc) or type(exc).__name__
    return f"HTTP {exc.status_code} {kind}: {message or exc}"
