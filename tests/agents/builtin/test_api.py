"""What the API answers besides a message: 429 waited out as `retry-after` says (and the wait
shared with the repository's other agents), 529 handed to a fallback model, a model the API
does not know dropped, 5xx retried with backoff, and what no retry can mend ending the run
with exit 3."""

from __future__ import annotations

import json
import time

from tests.agents.builtin.conftest import MODEL, agent_dir, run_agent
from tests.agents.builtin.scripted import ScriptedApi, error, message, overloaded, text, tool
from tests.kit import Started

FALLBACK = "claude-fallback"


def test_429_is_retried_after_what_retry_after_says(started: Started, api: ScriptedApi) -> None:
    api.add(error(429, "rate_limit_error", retry_after="1"), message(text("Done.")))
    began = time.monotonic()
    outcome = run_agent(started, api)

    assert outcome.code == 0, outcome
    assert time.monotonic() - began >= 1.0
    assert len(api.requests) == 2
    assert "retrying in 1.0s" in outcome.log
    assert outcome.summary["usage"]["turns"] == 1
    # the wait is the repository's: every agent's limiter holds back until then
    limits = json.loads((started.repo / ".git/agent/live/anthropic-limits.json").read_text())
    assert limits["hold"] >= time.time() - 5


def test_529_hands_the_turn_to_a_fallback_model_at_once(started: Started, api: ScriptedApi) -> None:
    api.add(
        overloaded(),
        message(tool("list_files")),
        message(text("Done.")),
    )
    began = time.monotonic()
    outcome = run_agent(started, api, fallback_models=[FALLBACK])

    assert outcome.code == 0, outcome
    assert [r.model for r in api.requests] == [MODEL, FALLBACK, FALLBACK]
    assert time.monotonic() - began < 5  # no backoff: the fallback was asked straight away
    assert "overloaded; trying claude-fallback" in outcome.log
    models = outcome.summary["usage"]["models"]
    assert list(models) == [FALLBACK] and models[FALLBACK]["turns"] == 2
    # a model with no price is priced as the dearest one known, and said to be
    assert outcome.summary["usage"]["unpriced"] == [FALLBACK]


def test_a_model_the_api_does_not_know_is_dropped(started: Started, api: ScriptedApi) -> None:
    api.add(
        error(404, "not_found_error", f"model: {MODEL}"),
        message(tool("list_files")),
        message(text("Done.")),
    )
    outcome = run_agent(started, api, fallback_models=[FALLBACK])

    assert outcome.code == 0, outcome
    assert [r.model for r in api.requests] == [MODEL, FALLBACK, FALLBACK]
    assert f"{MODEL}: not available" in outcome.log


def test_a_500_then_success(started: Started, api: ScriptedApi) -> None:
    api.add(error(500, "api_error", "Internal server error"), message(text("Done.")))
    outcome = run_agent(started, api)

    assert outcome.code == 0, outcome
    assert [r.model for r in api.requests] == [MODEL, MODEL]
    assert "HTTP 500 api_error: Internal server error; retrying in" in outcome.log


def test_overload_everywhere_gives_up_with_exit_3(started: Started, api: ScriptedApi) -> None:
    api.add(*[overloaded(retry_after_ms="10") for _ in range(8)])
    outcome = run_agent(started, api, fallback_models=[FALLBACK])

    assert outcome.code == 3, outcome
    assert len(api.requests) == 8
    assert {r.model for r in api.requests} == {MODEL, FALLBACK}
    summary = outcome.summary
    assert summary["status"] == "api-error" and summary["exit_code"] == 3
    assert "kept failing (8 attempts)" in summary["message"]
    saved = json.loads((agent_dir(started) / "conversation.json").read_text())
    assert saved["status"] == "api-error"


def test_what_a_retry_cannot_mend_ends_the_run_at_once(started: Started, api: ScriptedApi) -> None:
    api.add(error(400, "invalid_request_error", "messages: bad"))
    outcome = run_agent(started, api)

    assert outcome.code == 3, outcome
    assert len(api.requests) == 1
    assert "HTTP 400 invalid_request_error: messages: bad" in outcome.summary["message"]


def test_a_wait_past_the_wall_time_ends_the_run_as_a_budget(
    started: Started, api: ScriptedApi
) -> None:
    api.add(error(429, "rate_limit_error", retry_after="600"))
    began = time.monotonic()
    outcome = run_agent(started, api, timeout=60.0)

    assert outcome.code == 4, outcome
    assert time.monotonic() - began < 30
    assert outcome.summary["reason"] == "wall time"
