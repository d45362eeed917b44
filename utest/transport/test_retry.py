"""Retry decisions: which failures retry, Retry-After parsing, full-jitter bounds, budget."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from PlanhatLibrary.transport.pacing import Pacer
from PlanhatLibrary.transport.retry import Attempt, Failure, RetryPolicy, retry_after


def status(code: int, method: str = "GET", idempotent: bool | None = None, **headers: str) -> Attempt:
    idem = method in ("GET", "PUT", "DELETE") if idempotent is None else idempotent
    return Attempt(method, idem, Failure.STATUS, code, headers)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_429_is_retried_for_every_method(method: str) -> None:
    assert RetryPolicy().is_retryable(status(429, method))


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_5xx_is_retried_only_when_idempotent(code: int) -> None:
    policy = RetryPolicy()
    assert policy.is_retryable(status(code, "GET"))
    assert policy.is_retryable(status(code, "PUT"))
    assert not policy.is_retryable(status(code, "POST"))
    assert not policy.is_retryable(status(code, "PUT", idempotent=False))  # bulk PUT that creates


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 413, 501])
def test_client_errors_and_501_are_not_retried(code: int) -> None:
    assert not RetryPolicy().is_retryable(status(code))


def test_failures_before_sending_always_retry_and_lost_answers_only_when_idempotent() -> None:
    policy = RetryPolicy()
    assert policy.is_retryable(Attempt("POST", False, Failure.NOT_SENT))
    assert policy.is_retryable(Attempt("GET", True, Failure.NO_ANSWER))
    assert not policy.is_retryable(Attempt("POST", False, Failure.NO_ANSWER))


def test_retry_after_in_seconds_is_honoured() -> None:
    assert RetryPolicy().delay(status(429, **{"Retry-After": "7"}), 0, 0.0) == 7.0


def test_retry_after_as_http_date_is_honoured() -> None:
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    delay = RetryPolicy().delay(status(429, **{"retry-after": when}), 0, 0.0)
    assert delay is not None
    assert 25 <= delay <= 30


def test_retry_after_in_the_past_means_now() -> None:
    when = format_datetime(datetime.now(timezone.utc) - timedelta(seconds=30), usegmt=True)
    assert retry_after({"Retry-After": when}) == 0.0


def test_unreadable_retry_after_waits_for_the_window_as_without_one() -> None:
    assert retry_after({"Retry-After": "soon"}) is None
    policy = RetryPolicy(backoff_base=1.0, rng=random.Random(1))
    delay = policy.delay(status(429, **{"Retry-After": "soon"}), 0, 0.0)
    assert delay is not None
    assert 0.5 <= delay <= 1.0


def test_429_without_retry_after_keeps_waiting_for_a_full_window_beyond_max_retries() -> None:
    # Planhat documents a quota window resetting every 60-120 s and no Retry-After (planhat/docs _intro.md).
    policy = RetryPolicy(max_retries=2, rng=random.Random(3))
    elapsed, waits = 0.0, []
    while (wait := policy.delay(status(429, **{"X-Rate-Limit-Remaining": "0"}), len(waits), elapsed)) is not None:
        waits.append(wait)
        elapsed += wait
    assert len(waits) > policy.max_retries
    assert 120.0 <= elapsed <= policy.window_budget
    assert max(waits) <= policy.window_step


def test_429_follows_x_rate_limit_reset_when_present() -> None:
    policy = RetryPolicy()
    assert policy.delay(status(429, **{"X-Rate-Limit-Reset": "42"}), 0, 0.0) == 42.0
    assert policy.delay(status(429, **{"X-Rate-Limit-Reset": "200"}), 0, 0.0) is None  # beyond rate_limit_wait
    in_a_minute = policy.delay(status(429, **{"X-Rate-Limit-Reset": str(int(time.time()) + 60)}), 0, 0.0)
    assert in_a_minute is not None and 55.0 <= in_a_minute <= 61.0


def test_429_burst_with_quota_left_waits_briefly() -> None:
    policy = RetryPolicy(backoff_base=0.5, rng=random.Random(2))
    delay = policy.delay(status(429, **{"X-Rate-Limit-Remaining": "150"}), 0, 0.0)
    assert delay is not None and delay <= 0.5


def test_full_jitter_stays_within_bounds_and_varies() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=4.0, rng=random.Random(42))
    for retry_number, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (10, 4.0)]:
        samples = [policy.backoff(retry_number) for _ in range(500)]
        assert all(0.0 <= value <= ceiling for value in samples)
        assert max(samples) > ceiling * 0.9  # spread over the whole range ...
        assert min(samples) < ceiling * 0.1  # ... not a fixed wait


def test_max_retries_bounds_the_attempts() -> None:
    policy = RetryPolicy(max_retries=2)
    assert policy.delay(status(503), 1, 0.0) is not None
    assert policy.delay(status(503), 2, 0.0) is None


def test_time_budget_bounds_the_waiting() -> None:
    policy = RetryPolicy(budget=10.0)
    assert policy.delay(status(429, **{"Retry-After": "5"}), 0, 4.0) == 5.0
    assert policy.delay(status(429, **{"Retry-After": "5"}), 0, 6.0) is None
    assert policy.delay(status(429, **{"Retry-After": "3600"}), 0, 0.0) is None


def test_invalid_policy_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match="positive"):
        RetryPolicy(budget=0)


def test_pacer_spaces_calls_by_the_quota() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(120, clock=lambda: now[0], sleep=sleep)  # one call every 0.5 s
    for _ in range(4):
        pacer.wait()
    assert slept == [0.5, 0.5, 0.5]


def test_pacer_off_never_waits() -> None:
    assert Pacer(None).wait() == 0.0
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)


def test_pacer_spreads_requests_when_the_quota_is_nearly_used() -> None:
    pacer = Pacer(None)
    pacer.observe(200, 150)
    assert pacer.interval == 0.0
    pacer.observe(200, 10)  # 5% left: one request every 60/200 s
    assert pacer.interval == pytest.approx(0.3)
    pacer.observe(200, 199)  # a new window
    assert pacer.interval == 0.0
    pacer.observe(None, None)
    assert pacer.interval == 0.0


def test_pacer_never_goes_faster_than_configured() -> None:
    pacer = Pacer(60)  # one a second
    pacer.observe(600, 1)
    assert pacer.interval == 1.0
