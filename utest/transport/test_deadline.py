"""The session against a server that misbehaves on purpose (issue 11: leaks, hangs, raw exceptions)."""

from __future__ import annotations

import gzip
import json
import socket
import time
from typing import Any

import pytest

import support
from PlanhatLibrary.errors import (
    PlanhatConnectionError,
    PlanhatError,
    PlanhatInputError,
    PlanhatRateLimitError,
    PlanhatResponseError,
    PlanhatServerError,
)
from PlanhatLibrary.transport.credentials import Credentials
from PlanhatLibrary.transport.retry import RetryPolicy
from PlanhatLibrary.transport.session import PlanhatSession
from support.stubserver import Request, http_answer, send, stub_server

KEY = "hostile-key-5d1c2b7e9f"
TENANT = "hostile-tenant-0a9b8c7d"


def session_for(url: str, **kwargs: Any) -> PlanhatSession:
    return support.session_for(url, key=KEY, tenant=TENANT, **{"max_retries": 1, "budget": 60, **kwargs})


def echo(status: int) -> Any:
    """Answers with the request's Authorization header and body, as a careless server's error page would."""

    def answer(request: Request, conn: socket.socket) -> None:
        text = {"error": f"bad auth {request.headers.get('authorization')} for {request.body.decode()}"}
        conn.sendall(http_answer(status, json.dumps(text).encode()))

    return answer


def assert_no_secret(*texts: Any) -> None:
    for text in texts:
        assert KEY not in str(text) and TENANT not in str(text), text


# ------------------------------------------------------------------ secrets (items 5, 6, 11)
def test_an_echoed_authorization_header_is_masked_in_the_error() -> None:
    with stub_server(echo(400)) as server, pytest.raises(PlanhatError) as caught:
        session_for(server.url).call("POST", "companies", json={"name": "A"})
    assert "Bearer ***" in str(caught.value)
    error = caught.value
    assert_no_secret(error, repr(error), getattr(error, "server_text", ""), getattr(error, "body", ""))


def test_a_key_straddling_the_500_character_cut_is_masked_whole() -> None:
    padding = "x" * 490  # the key starts 10 characters before the cut
    with stub_server(send(400, json.dumps({"error": padding + KEY}).encode())) as server:
        with pytest.raises(PlanhatError) as caught:
            session_for(server.url).call("GET", "companies")
    assert KEY[:5] not in str(caught.value).replace("hostile", "")  # not even its first characters
    assert_no_secret(caught.value)


def test_a_200_answer_that_echoes_the_key_is_returned_masked_in_every_form() -> None:
    import base64
    from urllib.parse import quote

    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    body = {"note": f"token {KEY}", KEY: [f"{quote(TENANT)}", {"deep": [basic]}], "escaped": "\\u0068"}
    raw = json.dumps(body).replace(KEY[:4], "\\u0068\\u006f\\u0073\\u0074", 1).encode()  # 'host' as escapes
    with stub_server(send(200, raw)) as server:
        data = session_for(server.url).call("GET", "companies/1")
    assert_no_secret(json.dumps(data))
    assert data["note"] == "token ***"
    assert data["***"][1]["deep"] == ["***"]


def test_an_item_error_that_echoes_the_key_is_masked_in_the_bulk_result() -> None:
    from PlanhatLibrary.api.models import resolve_model
    from PlanhatLibrary.services.loads.bulk.service import BulkService

    result = {"created": 0, "createdErrors": [{"index": 0, "message": f"Authorization: Bearer {KEY}"}]}
    with stub_server(send(206, json.dumps(result).encode())) as server:
        summary = BulkService(session_for(server.url)).upsert(
            resolve_model("companies"), [{"name": "A"}], on_error="continue"
        )
    assert summary.errors[0]["message"] == "Authorization: Bearer ***"


# ------------------------------------------------------------------ hangs and size (items 12, 14)
def dribble(request: Request, conn: socket.socket) -> None:
    for byte in http_answer(200, b'{"a": 1}'):
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def test_a_dribbling_server_cannot_hold_a_call_past_its_timeout() -> None:
    with stub_server(dribble) as server:
        started = time.monotonic()
        with pytest.raises(PlanhatConnectionError, match="a slow answer counts too"):
            session_for(server.url, timeout=0.5, max_retries=1).call("GET", "companies")
        elapsed = time.monotonic() - started
    assert elapsed < 3, elapsed  # two attempts of 0.5 s each, not 80 bytes x 0.05 s x 2
    assert len(server.requests) == 2  # a GET is safe to repeat


def test_a_dribbled_post_is_not_repeated_and_says_it_may_have_landed() -> None:
    with stub_server(dribble) as server:
        with pytest.raises(PlanhatConnectionError, match="may or may not have taken effect"):
            session_for(server.url, timeout=0.5).call("POST", "companies", json={"name": "A"})
    assert len(server.requests) == 1


def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"[" + b"0," * (4 * 1024 * 1024) + b"0]", compresslevel=9)
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with stub_server(send(200, bomb, headers)) as server:
        with pytest.raises(PlanhatResponseError, match="larger than 1 MB"):
            session_for(server.url, max_answer_bytes=1024 * 1024).call("GET", "companies")


def test_a_normal_gzip_answer_is_read() -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with stub_server(send(200, gzip.compress(b'[{"_id": "1"}]'), headers)) as server:
        assert session_for(server.url).call("GET", "companies") == [{"_id": "1"}]


# ------------------------------------------------------------------ raw exceptions (items 9, 16, 17)
def cut_after(body_bytes: int, status: int = 200) -> Any:
    def answer(request: Request, conn: socket.socket) -> None:
        conn.sendall(http_answer(status, b'[{"_id": "1"}, {"_id": "2"}]')[: -body_bytes or None])
        conn.shutdown(socket.SHUT_RDWR)

    return answer


def test_a_content_length_lie_is_a_lost_answer_and_a_get_is_retried() -> None:
    with stub_server(cut_after(10)) as server:
        with pytest.raises(PlanhatConnectionError, match="no answer from Planhat"):
            session_for(server.url).call("GET", "companies")
    assert len(server.requests) == 2


def cut_chunked(request: Request, conn: socket.socket) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    conn.sendall(head + b'5\r\n[{"_i\r\n')
    conn.shutdown(socket.SHUT_RDWR)


def test_a_cut_chunked_answer_is_a_lost_answer() -> None:
    with stub_server(cut_chunked) as server, pytest.raises(PlanhatConnectionError):
        session_for(server.url).call("PUT", "companies", json=[{"externalId": "A"}])
    assert len(server.requests) == 2  # a bulk PUT whose items all carry a key is safe to repeat


def test_a_broken_gzip_answer_is_a_typed_error() -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with stub_server(send(200, b"not gzip at all", headers)) as server, pytest.raises(PlanhatConnectionError):
        session_for(server.url).call("GET", "companies")


def test_a_redirect_is_not_followed_and_its_target_is_masked() -> None:
    headers = {"Location": f"http://127.0.0.1:9/steal?key={KEY}"}
    with stub_server(send(302, b"", headers)) as server:
        with pytest.raises(PlanhatError, match=r"redirect to .*not followed") as caught:
            session_for(server.url).call("GET", "companies")
    assert_no_secret(caught.value)
    assert len(server.requests) == 1


def test_an_invalid_analytics_url_fails_without_showing_the_tenant() -> None:
    credentials = Credentials(api_key=KEY, tenant_uuid=TENANT, api_url="http://127.0.0.1:1")
    session = PlanhatSession(credentials)
    session.credentials = Credentials(api_key=KEY, tenant_uuid=TENANT, api_url="http://127.0.0.1:1")
    object.__setattr__(session.credentials, "analytics_url", "http://127.0.0.1:99999")
    with pytest.raises(PlanhatInputError, match="cannot be made") as caught:
        session.call("POST", session.analytics_path("analytics"), json={"email": "a@b"}, analytics=True)
    assert_no_secret(caught.value)


@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"[" * 100_000 + b"]" * 100_000, "nested too deeply"), (b'{"n": ' + b"9" * 5000 + b"}", "not JSON")],
)
def test_an_answer_python_cannot_parse_is_a_response_error(body: bytes, problem: str) -> None:
    with stub_server(send(200, body)) as server, pytest.raises(PlanhatResponseError, match=problem):
        session_for(server.url).call("GET", "companies")


# ------------------------------------------------------------------ item 19: retries and waits
def test_a_day_long_retry_after_says_so() -> None:
    with stub_server(send(429, b"slow down", {"Retry-After": "86400"})) as server:
        with pytest.raises(PlanhatRateLimitError, match=r"asked to wait 24.0 hours \(86400 s\)"):
            session_for(server.url, max_retries=3).call("GET", "companies")
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [408, 524])
def test_transient_timeouts_are_retried_for_safe_calls(status: int) -> None:
    with stub_server(send(status, b"timeout")) as server:
        with pytest.raises(PlanhatServerError if status >= 500 else PlanhatError):
            session_for(server.url, max_retries=2).call("GET", "companies")
    assert len(server.requests) == 3
    with stub_server(send(status, b"timeout")) as server, pytest.raises(PlanhatError):
        session_for(server.url, max_retries=2).call("POST", "companies", json={"name": "A"})
    assert len(server.requests) == 1


def test_a_bulk_load_whose_third_answer_is_cut_stops_with_a_summary(tmp_path: Any) -> None:
    from PlanhatLibrary.api.models import resolve_model
    from PlanhatLibrary.errors import PlanhatBulkError
    from PlanhatLibrary.services.loads.bulk.service import BulkService

    def answer(request: Request, conn: socket.socket) -> None:
        count = len(json.loads(request.body))
        if len(server.requests) >= 3:  # the third chunk: headers promise more than the body holds
            conn.sendall(http_answer(200, json.dumps({"created": count}).encode())[:-5])
            conn.shutdown(socket.SHUT_RDWR)
            return
        conn.sendall(http_answer(200, json.dumps({"created": count, "updated": 0}).encode()))

    items = [{"name": f"N{i}"} for i in range(25)]  # no keys: a lost answer is not retried
    with stub_server(answer) as server, pytest.raises(PlanhatBulkError) as caught:
        BulkService(session_for(server.url)).upsert(
            resolve_model("companies"), items, chunk_size=10, failed_items_path=tmp_path / "f.jsonl"
        )
    message = str(caught.value)
    assert "stopped at chunk 3 of 3" in message
    assert "Chunks 1-2 landed (created 20" in message
    assert "may or may not have landed" in message
    assert caught.value.result["unconfirmed_items_file"] == str(tmp_path / "f-unconfirmed.jsonl")


# ------------------------------------------------------------------ found by a hostile review of the fixes above
def test_a_key_with_a_trailing_newline_is_stripped_and_never_shown() -> None:
    with stub_server(echo(400)) as server, pytest.raises(PlanhatError) as caught:
        credentials = Credentials(api_key=KEY + "\n", tenant_uuid=TENANT, api_url=server.url)
        PlanhatSession(credentials, retry=RetryPolicy(max_retries=0)).call("GET", "companies")
    assert_no_secret(caught.value)
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_json_in_utf16_or_utf32_is_redacted_too(encoding: str) -> None:
    def answer(request: Request, conn: socket.socket) -> None:
        conn.sendall(http_answer(400, json.dumps({"error": request.headers["authorization"]}).encode(encoding)))

    with stub_server(answer) as server, pytest.raises(PlanhatError) as caught:
        session_for(server.url).call("GET", "companies")
    assert "Bearer ***" in str(caught.value)


@pytest.mark.parametrize("charset", ["utf-16-le", "nope", "rot13"])
def test_a_text_answer_is_read_as_utf8_whatever_charset_it_claims(charset: str) -> None:
    def answer(request: Request, conn: socket.socket) -> None:
        headers = {"Content-Type": f"text/plain; charset={charset}; echo={request.headers['authorization']}"}
        conn.sendall(http_answer(200, f"auth was {request.headers['authorization']}".encode(), headers))

    with stub_server(answer) as server, pytest.raises(PlanhatResponseError) as caught:
        session_for(server.url).call("GET", "companies")
    assert_no_secret(caught.value)
    assert "auth was Bearer ***" in str(caught.value)


def test_a_long_redirect_target_is_redacted_before_it_is_shortened() -> None:
    with stub_server(send(302, b"", {"Location": "http://x/" + "a" * 480 + KEY})) as server:
        with pytest.raises(PlanhatError) as caught:
            session_for(server.url).call("GET", "companies")
    assert "hostile-" not in str(caught.value)


def test_a_deadline_while_headers_arrive_is_no_answer_not_an_empty_success() -> None:
    def answer(request: Request, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        time.sleep(3)

    with stub_server(answer) as server:
        with pytest.raises(PlanhatConnectionError, match="may or may not have taken effect"):
            session_for(server.url, timeout=0.5).call("POST", "companies", json={"name": "A"})
    assert len(server.requests) == 1


@pytest.mark.parametrize("result", [b'{"created": "x"}', b'{"created": 1, "createdErrors": 5}', b'{"created": 1e400}'])
def test_a_bulk_result_of_the_wrong_types_keeps_the_chunk_to_send_again(result: bytes, tmp_path: Any) -> None:
    from PlanhatLibrary.api.models import resolve_model
    from PlanhatLibrary.errors import PlanhatBulkError
    from PlanhatLibrary.files.sources import iter_items
    from PlanhatLibrary.services.loads.bulk.service import BulkService

    items = [{"name": f"X{i}", "externalId": f"X{i}"} for i in range(4)]
    with stub_server(send(200, result)) as server, pytest.raises(PlanhatBulkError, match="cannot be read"):
        BulkService(session_for(server.url)).upsert(
            resolve_model("companies"), items, chunk_size=2, failed_items_path=tmp_path / "f.jsonl"
        )
    assert [item["name"] for item in iter_items(tmp_path / "f.jsonl")] == ["X0", "X1", "X2", "X3"]


def test_an_item_named_by_two_error_lists_is_written_once(tmp_path: Any) -> None:
    from PlanhatLibrary.api.models import resolve_model
    from PlanhatLibrary.files.sources import iter_items
    from PlanhatLibrary.services.loads.bulk.service import BulkService

    result = {"created": 0, "createdErrors": [{"index": 0, "message": "a"}], "permissionErrors": [{"index": 0}]}
    with stub_server(send(206, json.dumps(result).encode())) as server:
        BulkService(session_for(server.url)).upsert(
            resolve_model("companies"), [{"name": "A"}], on_error="continue", failed_items_path=tmp_path / "f.jsonl"
        )
    assert [item["name"] for item in iter_items(tmp_path / "f.jsonl")] == ["A"]
