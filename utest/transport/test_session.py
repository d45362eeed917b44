"""PlanhatSession against the real simulator: error mapping, retries, paging, redaction."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from planhat_simulator import PlanhatSimulator
from PlanhatLibrary.errors import (
    PlanhatAuthConfigurationError,
    PlanhatAuthFailedError,
    PlanhatBadRequestError,
    PlanhatConnectionError,
    PlanhatHTTPError,
    PlanhatInputError,
    PlanhatNotFoundError,
    PlanhatRateLimitError,
    PlanhatServerError,
)
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.failures import Target
from PlanhatLibrary.transport.retry import RetryPolicy
from PlanhatLibrary.transport.session import PlanhatSession
from support import API_KEY, READ_ONLY_KEY, TENANT, Client, session_for


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_session(url: str, key: str = API_KEY, sleeps: Sleeps | None = None, **kwargs: Any) -> PlanhatSession:
    return session_for(url, key=key, sleep=sleeps if sleeps is not None else Sleeps(), **{"max_retries": 3, **kwargs})


def fault(api: Client, **spec: Any) -> None:
    api.control("POST", "faults", json=spec)


def requests_to(api: Client, method: str, path: str) -> int:
    return int(api.control("GET", "requests", params={"method": method, "path": path})["count"])


# ------------------------------------------------------------------ happy path
def test_call_returns_parsed_json(api: Client) -> None:
    session = make_session(api.url)
    created = session.call("POST", "companies", json={"name": "A"})
    assert session.call("GET", f"companies/{created['_id']}")["name"] == "A"


def test_dates_are_sent_as_iso_8601_with_zone(api: Client) -> None:
    from datetime import date, datetime, timezone

    session = make_session(api.url)
    created = session.call(
        "POST",
        "companies",
        json={"name": "A", "at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "d": date(2024, 1, 2)},
    )
    assert created["at"] == "2024-01-02T03:04:05+00:00"
    assert created["d"] == "2024-01-02"


def test_unencodable_payload_is_an_input_error_before_any_request(api: Client) -> None:
    with pytest.raises(PlanhatInputError, match="cannot be sent as JSON"):
        make_session(api.url).call("POST", "companies", json={"name": object()})
    with pytest.raises(PlanhatInputError, match="cannot be sent as JSON"):
        make_session(api.url).call("POST", "companies", json={"mrr": float("nan")})
    assert api.control("GET", "requests")["count"] == 0


def test_pages_until_a_short_page(api: Client) -> None:
    api.control("POST", "seed", json={"companies": [{"name": str(i)} for i in range(25)]})
    pages = list(make_session(api.url).pages("companies", page_size=10))
    assert [len(page) for page in pages] == [10, 10, 5]


def test_pages_stop_at_limit_without_an_extra_request(api: Client) -> None:
    api.control("POST", "seed", json={"companies": [{"name": str(i)} for i in range(25)]})
    pages = list(make_session(api.url).pages("companies", page_size=10, limit=20))
    assert [len(page) for page in pages] == [10, 10]
    assert requests_to(api, "GET", "/companies") == 2


# ----------------------------------------------------------------- error mapping
def test_400_is_bad_request_with_server_text(api: Client) -> None:
    with pytest.raises(PlanhatBadRequestError) as error:
        make_session(api.url).call("POST", "projects", json={"name": "x"}, target=Target("Create", "Project"))
    assert str(error.value) == (
        "Create Project was rejected (400 Bad Request): Missing required field(s) for Project: companyId."
    )
    assert error.value.status == 400


def test_401_mentions_rotation_and_region(api: Client) -> None:
    with pytest.raises(PlanhatAuthFailedError) as error:
        make_session(api.url, key="wrong-key").call("GET", "companies")
    assert "401 Unauthorized" in str(error.value)
    assert "rotated" in str(error.value)
    assert "api-eu.planhat.com" in str(error.value)
    assert "wrong-key" not in str(error.value)


def test_403_for_read_only_key(api: Client) -> None:
    with pytest.raises(PlanhatAuthFailedError, match="403 Forbidden"):
        make_session(api.url, key=READ_ONLY_KEY).call("POST", "companies", json={"name": "A"})


def test_404_names_model_and_id(api: Client) -> None:
    with pytest.raises(PlanhatNotFoundError) as error:
        make_session(api.url).call("GET", "companies/extid-ACME", target=Target("Get", "Company", "extid-ACME"))
    # The id as the user gave it, and the server's text only when it says more than the message.
    assert str(error.value) == "Company external_id='ACME' not found (404)."


def test_405_is_a_plain_http_error(api: Client) -> None:
    fault(api, method="POST", path="/tasks", status=405)
    with pytest.raises(PlanhatHTTPError, match="405 Method Not Allowed") as error:
        make_session(api.url).call("POST", "tasks", json={"companyId": "x"})
    assert type(error.value) is PlanhatHTTPError


def test_a_route_planhat_lacks_is_a_404_like_planhat(api: Client) -> None:
    # There is no POST /tickets (tickets: bulk, list, delete); Planhat's router answers 404, not 405.
    with pytest.raises(PlanhatNotFoundError, match="404"):
        make_session(api.url).call("POST", "tickets", json={"companyId": "x"})


def test_429_storm_that_clears_succeeds_after_retries(api: Client) -> None:
    fault(api, method="GET", path="/companies", status=429, times=2, retry_after="1")
    sleeps = Sleeps()
    assert make_session(api.url, sleeps=sleeps).call("GET", "companies") == []
    assert sleeps == [1.0, 1.0]
    assert requests_to(api, "GET", "/companies") == 3


def test_429_on_post_is_retried_and_creates_once(api: Client) -> None:
    fault(api, method="POST", path="/companies", status=429, times=1)
    make_session(api.url).call("POST", "companies", json={"name": "Once"})
    assert len(api.sim.dump()["companies"]) == 1


def test_429_that_does_not_clear_is_rate_limit_error(api: Client) -> None:
    fault(api, method="GET", path="/companies", status=429, times=None, retry_after="1")
    with pytest.raises(PlanhatRateLimitError, match="after 3 retries"):
        make_session(api.url).call("GET", "companies")
    assert requests_to(api, "GET", "/companies") == 4


def test_429_without_retry_after_waits_for_planhats_window_then_fails_clearly(api: Client) -> None:
    # No source says Planhat sends Retry-After; its window resets every 60-120 s (planhat/docs _intro.md).
    fault(api, method="GET", path="/companies", status=429, times=None)
    sleeps = Sleeps()
    with pytest.raises(PlanhatRateLimitError, match=r"no Retry-After.*rate_limit_wait=150 s") as error:
        make_session(api.url, sleeps=sleeps).call("GET", "companies")
    assert 120.0 <= sum(sleeps) <= 150.0
    assert "raise rate_limit_wait" in str(error.value)


def test_429_without_retry_after_that_clears_within_the_window_succeeds(api: Client) -> None:
    fault(api, method="GET", path="/companies", status=429, times=7)
    sleeps = Sleeps()
    assert make_session(api.url, sleeps=sleeps).call("GET", "companies") == []
    assert len(sleeps) == 7  # more than max_retries=3: waiting for the window is not a retry of a failure


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_5xx_on_get_is_retried(api: Client, code: int) -> None:
    fault(api, method="GET", path="/companies", status=code, times=2)
    assert make_session(api.url).call("GET", "companies") == []


def test_5xx_that_does_not_clear_is_server_error(api: Client) -> None:
    fault(api, method="GET", path="/companies", status=503, times=None)
    with pytest.raises(PlanhatServerError, match="503 Service Unavailable after 3 retries"):
        make_session(api.url).call("GET", "companies")


def test_503_on_post_create_is_not_retried_and_says_so(api: Client) -> None:
    fault(api, method="POST", path="/companies", status=503, times=1)
    with pytest.raises(PlanhatServerError) as error:
        make_session(api.url).call("POST", "companies", json={"name": "A"}, target=Target("Create", "Company"))
    assert "not idempotent" in str(error.value)
    assert "Ensure Entity" in str(error.value)
    assert requests_to(api, "POST", "/companies") == 1


def test_dropped_connection_on_get_is_retried(api: Client) -> None:
    fault(api, method="GET", path="/companies", drop=True, times=1)
    assert make_session(api.url).call("GET", "companies") == []


def test_dropped_connection_on_post_is_not_retried(api: Client) -> None:
    fault(api, method="POST", path="/companies", drop=True, times=1)
    with pytest.raises(PlanhatConnectionError, match="may or may not have taken effect"):
        make_session(api.url).call("POST", "companies", json={"name": "A"})
    assert requests_to(api, "POST", "/companies") == 1


def test_read_timeout_on_get_is_retried_then_fails_clearly(api: Client) -> None:
    fault(api, method="GET", path="/companies", latency=0.5, times=None)
    with pytest.raises(PlanhatConnectionError, match=r"no answer from Planhat within 0.2 s after 1 retries"):
        make_session(api.url, timeout=0.2, max_retries=1).call("GET", "companies")


def test_connection_refused_is_retried_and_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    with pytest.raises(PlanhatConnectionError, match=r"could not connect to http://127\.0\.0\.1"):
        make_session(f"http://127.0.0.1:{port}", sleeps=sleeps, max_retries=2).call("POST", "companies", json={})
    assert len(sleeps) == 2  # nothing was sent, so even a POST is retried


def test_200_with_html_is_a_clear_error(api: Client) -> None:
    fault(api, method="GET", path="/companies", status=200, body="<html>maintenance</html>")
    with pytest.raises(PlanhatHTTPError, match=r"answered 200 with a body that is not JSON \(text/plain"):
        make_session(api.url).call("GET", "companies")


def test_empty_body_is_none(api: Client) -> None:
    fault(api, method="DELETE", path="/companies/*", status=204, body="")
    assert make_session(api.url).call("DELETE", "companies/abc") is None


def test_list_answer_that_is_not_an_array_is_an_error(api: Client) -> None:
    fault(api, method="GET", path="/companies", status=200, body='{"unexpected": true}')
    with pytest.raises(PlanhatHTTPError, match="expected a JSON array"):
        list(make_session(api.url).pages("companies", page_size=10))


# ------------------------------------------------------------------- secrets
def test_tenant_is_redacted_from_analytics_errors(api: Client) -> None:
    fault(api, method="POST", path="/analytics/*", status=400, body=f"bad tenant {TENANT}")
    session = make_session(api.url)
    with pytest.raises(PlanhatBadRequestError) as error:
        session.call("POST", session.analytics_path("analytics"), json={"email": "a@x.test"}, analytics=True)
    assert TENANT not in str(error.value)
    assert TENANT not in error.value.url
    assert "/analytics/***" in str(error.value)


def test_analytics_without_tenant_is_a_configuration_error(api: Client) -> None:
    session = PlanhatSession(Credentials(api_key=API_KEY, api_url=api.url))
    with pytest.raises(PlanhatAuthConfigurationError, match="tenant UUID"):
        session.analytics_path("analytics")


def test_reprs_hide_secrets(api: Client) -> None:
    session = make_session(api.url)
    for text in (repr(session), str(session), repr(session.credentials), str(session.credentials)):
        assert API_KEY not in text
        assert TENANT not in text


def test_two_sessions_against_two_simulators() -> None:
    with PlanhatSimulator(api_key="a") as one, PlanhatSimulator(api_key="b") as two:
        make_session(one.url, key="a").call("POST", "companies", json={"name": "A"})
        assert make_session(two.url, key="b").call("GET", "companies") == []


def test_third_party_log_lines_are_masked(api: Client, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    session = make_session(api.url)
    with caplog.at_level(logging.DEBUG, logger="urllib3"):
        session.call("POST", session.analytics_path("analytics/bulk"), json=[{"email": "a@x.test"}], analytics=True)
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("urllib3")]
    assert any("/analytics/bulk/***" in line for line in lines), lines
    assert not any(TENANT in line for line in lines)


def test_a_server_that_ignores_offset_cannot_loop_forever(api: Client) -> None:
    fault(api, method="GET", path="/companies", status=200, body='[{"_id": "a"}, {"_id": "b"}]', times=None)
    with pytest.raises(PlanhatHTTPError, match="same page as before"):
        list(make_session(api.url).pages("companies", page_size=2))


def test_session_follows_the_servers_rate_limit_headers() -> None:
    with PlanhatSimulator(api_key=API_KEY, rate_limit="10/min") as sim:
        session = make_session(sim.url)
        for _ in range(8):
            session.call("GET", "companies")
        assert session.pacer.interval == 0.0  # 2 of 10 left: more than 5%, but not yet 1
        session.call("GET", "companies")  # 1 left
        assert session.pacer.interval == pytest.approx(6.0)


def test_a_lost_metrics_post_does_not_point_to_ensure_entity(api: Client) -> None:
    fault(api, method="POST", path="/companies", status=503, times=1)
    with pytest.raises(PlanhatServerError) as error:
        make_session(api.url).call("POST", "companies", json={"name": "A"})
    assert "Ensure Entity" not in str(error.value) and "check in Planhat" in str(error.value)


def test_a_404_of_a_route_does_not_repeat_itself(api: Client) -> None:
    with pytest.raises(PlanhatNotFoundError) as error:
        make_session(api.url).call("GET", "nosuchroute")
    assert str(error.value) == "GET /nosuchroute failed: not found (404)."


def test_a_failed_analytics_call_names_the_host_it_tried(api: Client) -> None:
    """Issue 26, item 3: the error named the main API's host (the simulator that was up), not the analytics one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    credentials = Credentials(
        api_key=API_KEY, tenant_uuid=TENANT, api_url=api.url, analytics_url=f"http://127.0.0.1:{port}"
    )
    session = PlanhatSession(credentials, retry=RetryPolicy(max_retries=0), sleep=lambda _: None)
    with pytest.raises(PlanhatConnectionError, match=rf"could not connect to http://127\.0\.0\.1:{port} "):
        session.call("POST", session.analytics_path("analytics"), json={}, analytics=True)
