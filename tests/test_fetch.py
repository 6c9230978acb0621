"""Fetching feeds from a real HTTP server on 127.0.0.1 (the standard library's, in a thread).

No mocks: every case is a server answering on a socket, the client is the one the
pipeline uses (``new_session`` + ``fetch_feed``).

    pytest tests/test_fetch.py
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipelines.ingest import UsageError, feed_urls
from tests.conftest import RUN_TIME_MILLIS
from transforms.common import RunSettings
from transforms.fetch import (
    FAILED,
    FETCHED,
    NOT_MODIFIED,
    UNCHANGED,
    FeedValidators,
    FetchFeedBatchFn,
    FetchFeedFn,
    FetchSettings,
    fetch_feed,
    new_session,
)
from transforms.parse import ParseFileFn, parse_feed_entries
from transforms.read import SourceFile

Route = Callable[[BaseHTTPRequestHandler], None]


class FeedServer:
    """A real HTTP server with a table of routes; records every request it answers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.requests.append((path, dict(self.headers.items())))
                route = server.routes.get(path)
                try:
                    if route is None:
                        send(self, 404, b"not here")
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size cap, timeout): that is the point

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for seen, headers in self.requests if seen == path]


def send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> None:
    handler.send_response(status)
    headers = dict(headers or {})
    headers.setdefault("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    if body:
        handler.wfile.write(body)


def rss(
    entries: list[tuple[str, str, str]], declaration: str = '<?xml version="1.0" encoding="utf-8"?>'
) -> bytes:
    """A small RSS 2.0 feed of (guid, title, text) entries."""
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://news.test/{guid}</link>"
        f"<description>{text}</description></item>"
        for guid, title, text in entries
    )
    return (
        f'{declaration}\n<rss version="2.0"><channel><title>Local desk</title>'
        f"<link>https://news.test/</link><description>test feed</description>{items}</channel></rss>"
    ).encode()


FEED_V1 = rss(
    [
        ("a-1", "Bridge reopens", "The old river bridge reopened to traffic on Monday after repairs."),
        ("a-2", "Library hours", "The central library will stay open later from next month."),
    ]
)
FEED_V2 = rss(
    [
        ("a-3", "Ferry timetable", "The summer ferry timetable starts on Saturday with two extra crossings."),
        ("a-1", "Bridge reopens", "The old river bridge reopened to traffic on Monday after repairs."),
        ("a-2", "Library hours", "The central library will stay open later from next month."),
    ]
)

FAST = FetchSettings(connect_timeout=2.0, read_timeout=0.5, body_deadline=5.0, backoff=0.05, max_wait=2.0)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def fetch(server: FeedServer, path: str, validators: FeedValidators | None = None, **overrides: Any):
    settings = FetchSettings(**{**FAST.__dict__, **overrides})
    with new_session(settings) as session:
        return fetch_feed(session, server.url(path), validators, settings)


def conditional(body: bytes, etag: str | None = None, last_modified: str | None = None) -> Route:
    """A well-behaved server: 304 when the client's validator matches, else 200."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        matches = (etag and handler.headers.get("If-None-Match") == etag) or (
            last_modified and handler.headers.get("If-Modified-Since") == last_modified
        )
        if matches:
            send(handler, 304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
        else:
            send(handler, 200, body, headers)

    return route


# --- conditional GET ---------------------------------------------------------


def test_200_then_304_with_etag(server: FeedServer) -> None:
    server.routes["/feed"] = conditional(FEED_V1, etag='"v1"')
    first = fetch(server, "/feed")
    assert first.status == FETCHED and first.http_status == 200
    assert first.body == FEED_V1 and first.charset == "utf-8"
    assert first.validators.etag == '"v1"' and first.validators.body_hash
    second = fetch(server, "/feed", first.validators)
    assert second.status == NOT_MODIFIED and second.http_status == 304 and second.body == b""
    assert second.validators == first.validators, "a 304 keeps the validators it matched"
    assert server.hits("/feed")[1]["If-None-Match"] == '"v1"'
    assert "If-None-Match" not in server.hits("/feed")[0]


def test_200_then_304_with_last_modified(server: FeedServer) -> None:
    stamp = "Thu, 01 Jan 2026 00:00:00 GMT"
    server.routes["/feed"] = conditional(FEED_V1, last_modified=stamp)
    first = fetch(server, "/feed")
    assert first.status == FETCHED and first.validators.last_modified == stamp
    second = fetch(server, "/feed", first.validators)
    assert second.status == NOT_MODIFIED
    assert server.hits("/feed")[1]["If-Modified-Since"] == stamp


def test_a_lying_server_same_etag_new_body_is_fetched(server: FeedServer) -> None:
    bodies = [FEED_V1, FEED_V1, FEED_V2]

    def liar(handler: BaseHTTPRequestHandler) -> None:
        # Always 200, always the same ETag, whatever the body and the request say.
        send(handler, 200, bodies.pop(0), {"ETag": '"same"', "Content-Type": "application/rss+xml"})

    server.routes["/feed"] = liar
    first = fetch(server, "/feed")
    again = fetch(server, "/feed", first.validators)
    assert again.status == UNCHANGED and again.body == b"", "same body on a 200: nothing to parse"
    changed = fetch(server, "/feed", again.validators)
    assert changed.status == FETCHED and changed.body == FEED_V2
    assert changed.validators.etag == '"same"' and changed.validators.body_hash != first.validators.body_hash


# --- retries -----------------------------------------------------------------


def test_500_twice_then_200(server: FeedServer) -> None:
    answers = [500, 500, 200]

    def flaky(handler: BaseHTTPRequestHandler) -> None:
        status = answers.pop(0)
        send(handler, status, FEED_V1 if status == 200 else b"oops")

    server.routes["/feed"] = flaky
    outcome = fetch(server, "/feed")
    assert outcome.status == FETCHED and outcome.attempts == 3 and outcome.body == FEED_V1
    assert len(server.hits("/feed")) == 3


def test_a_feed_that_keeps_failing_is_a_failure_with_its_status(server: FeedServer) -> None:
    server.routes["/feed"] = lambda handler: send(handler, 503, b"down")
    outcome = fetch(server, "/feed", retries=2)
    assert outcome.status == FAILED and outcome.http_status == 503 and outcome.attempts == 3
    assert outcome.error_type == "HTTPStatusError"
    assert "HTTP 503" in outcome.error_message and "3 attempts" in outcome.error_message


def test_404_is_not_retried(server: FeedServer) -> None:
    outcome = fetch(server, "/missing")
    assert outcome.status == FAILED and outcome.http_status == 404 and outcome.attempts == 1


def test_retry_after_is_honoured(server: FeedServer) -> None:
    answers = [429, 200]

    def limited(handler: BaseHTTPRequestHandler) -> None:
        status = answers.pop(0)
        send(handler, status, FEED_V1 if status == 200 else b"", {"Retry-After": "1"})

    server.routes["/feed"] = limited
    start = time.monotonic()
    outcome = fetch(server, "/feed")
    assert outcome.status == FETCHED and outcome.attempts == 2
    assert time.monotonic() - start >= 1.0, "waited as the server asked, not the 0.05 s backoff"


def test_a_retry_after_beyond_the_limit_ends_the_retries(server: FeedServer) -> None:
    server.routes["/feed"] = lambda handler: send(handler, 429, b"", {"Retry-After": "3600"})
    start = time.monotonic()
    outcome = fetch(server, "/feed")
    assert outcome.status == FAILED and outcome.http_status == 429 and outcome.attempts == 1
    assert outcome.error_type == "HTTPStatusError" and "Retry-After 3600 s" in outcome.error_message
    assert time.monotonic() - start < 1.0


def test_connection_refused_is_retried_then_fails() -> None:
    with FeedServer() as gone:
        url = gone.url("/feed")
    settings = FAST
    with new_session(settings) as session:
        outcome = fetch_feed(session, url, None, settings)
    assert outcome.status == FAILED and outcome.attempts == settings.retries + 1
    assert outcome.http_status is None and "ConnectionError" in outcome.error_message


# --- bounds ------------------------------------------------------------------


def test_a_read_that_stalls_past_the_timeout(server: FeedServer) -> None:
    def stall(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(3)
        send(handler, 200, FEED_V1)

    server.routes["/feed"] = stall
    start = time.monotonic()
    outcome = fetch(server, "/feed", retries=1)
    elapsed = time.monotonic() - start
    assert outcome.status == FAILED and outcome.attempts == 2
    assert "Timeout" in outcome.error_message
    assert elapsed < 2.5, f"two 0.5 s timeouts, not the server's 3 s: {elapsed:.1f} s"


def test_a_body_that_stalls_midway(server: FeedServer) -> None:
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(FEED_V1)))
        handler.end_headers()
        handler.wfile.write(FEED_V1[:100])
        handler.wfile.flush()
        time.sleep(3)

    server.routes["/feed"] = trickle
    start = time.monotonic()
    outcome = fetch(server, "/feed", retries=0)
    assert outcome.status == FAILED and time.monotonic() - start < 2.5


def test_a_redirect_loop(server: FeedServer) -> None:
    server.routes["/a"] = lambda handler: send(handler, 302, headers={"Location": "/b"})
    server.routes["/b"] = lambda handler: send(handler, 302, headers={"Location": "/a"})
    outcome = fetch(server, "/a")
    assert outcome.status == FAILED and outcome.attempts == 1
    assert "more than 5 redirects" in outcome.error_message
    assert len(server.requests) == 6, "the first request and 5 redirects, then stop"


def test_redirects_are_followed_up_to_five(server: FeedServer) -> None:
    for hop in range(5):
        server.routes[f"/r{hop}"] = lambda handler, hop=hop: send(
            handler, 301, headers={"Location": f"/r{hop + 1}"}
        )
    server.routes["/r5"] = conditional(FEED_V1)
    outcome = fetch(server, "/r0")
    assert outcome.status == FETCHED and outcome.final_url == server.url("/r5")


def test_a_redirect_to_another_scheme_is_refused(server: FeedServer) -> None:
    server.routes["/feed"] = lambda handler: send(handler, 302, headers={"Location": "file:///etc/passwd"})
    outcome = fetch(server, "/feed")
    assert outcome.status == FAILED and outcome.body == b""


@pytest.mark.parametrize(
    "url", ["ftp://news.test/feed.xml", "file:///etc/passwd", "news.test/rss", "http://"]
)
def test_only_http_and_https(url: str) -> None:
    with new_session(FAST) as session:
        outcome = fetch_feed(session, url, None, FAST)
    assert outcome.status == FAILED and outcome.attempts == 0 and outcome.error_type == "UnsupportedScheme"


@pytest.mark.parametrize("declared_length", [True, False], ids=["content-length", "until-close"])
def test_a_30_mb_body_against_a_10_mb_cap(server: FeedServer, declared_length: bool) -> None:
    size = 30 * 1024 * 1024
    block = b"<!-- padding -->" * 4096

    def huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        if declared_length:
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        for _ in range(size // len(block)):
            handler.wfile.write(block)

    server.routes["/feed"] = huge
    outcome = fetch(server, "/feed", max_bytes=10 * 1024 * 1024)
    assert outcome.status == FAILED and outcome.error_type == "FeedTooLarge" and outcome.attempts == 1
    assert "10485760" in outcome.error_message


def test_gzip_is_inflated_and_a_gzip_bomb_stays_under_the_cap(server: FeedServer) -> None:
    packed = gzip.compress(FEED_V1, mtime=0)
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), mtime=0)
    server.routes["/feed"] = lambda handler: send(handler, 200, packed, {"Content-Encoding": "gzip"})
    server.routes["/bomb"] = lambda handler: send(handler, 200, bomb, {"Content-Encoding": "gzip"})
    assert fetch(server, "/feed").body == FEED_V1
    assert server.hits("/feed")[0]["Accept-Encoding"] == "gzip, deflate"
    outcome = fetch(server, "/bomb", max_bytes=1024 * 1024)
    assert len(bomb) < 1024 * 1024 and outcome.error_type == "FeedTooLarge"


def test_the_user_agent_names_the_product(server: FeedServer) -> None:
    server.routes["/feed"] = conditional(FEED_V1)
    fetch(server, "/feed")
    assert server.hits("/feed")[0]["User-Agent"].startswith("newsbeam/")


# --- charset -----------------------------------------------------------------


def test_a_feed_declaring_us_ascii_that_sends_utf8(server: FeedServer) -> None:
    body = rss(
        [("u-1", "Café reopens", "Zoë’s café on the harbour reopened on Monday — with crème brûlée.")],
        declaration='<?xml version="1.0"?>',
    )
    server.routes["/feed"] = lambda handler: send(
        handler, 200, body, {"Content-Type": "application/rss+xml; charset=us-ascii"}
    )
    outcome = fetch(server, "/feed")
    assert outcome.status == FETCHED and outcome.charset == "us-ascii"
    settings = RunSettings(run_time_millis=RUN_TIME_MILLIS, pipeline_version="test")
    (article,) = parse_feed_entries(SourceFile(outcome.url, outcome.body, outcome.charset), settings)
    assert article["title"] == "Café reopens"
    assert "Zoë’s café" in article["text"] and "crème brûlée" in article["text"]
    (repair,) = article["repairs"]
    assert repair["kind"] == "charset"
    assert "us-ascii" in repair["detail"] and "utf-8" in repair["detail"]
    assert "HTTP Content-Type" in repair["detail"]


# --- the DoFn ----------------------------------------------------------------


def test_the_dofn_emits_a_file_a_report_and_dead_letters(server: FeedServer) -> None:
    server.routes["/feed"] = conditional(FEED_V1, etag='"v1"')
    fn = FetchFeedFn(FAST, RunSettings(run_time_millis=RUN_TIME_MILLIS, pipeline_version="test"))
    fn.setup()
    try:
        fetched = list(fn.process((server.url("/feed"), None)))
        failed = list(fn.process((server.url("/gone"), None)))
    finally:
        fn.teardown()
    (report,) = [out.value for out in fetched if getattr(out, "tag", None) == "feed_report"]
    (source,) = [out for out in fetched if isinstance(out, SourceFile)]
    assert report.status == FETCHED and source.data == FEED_V1 and source.charset == "utf-8"
    (letter,) = [out.value for out in failed if getattr(out, "tag", None) == "dead_letter"]
    assert letter["stage"] == "fetch" and letter["error_type"] == "HTTPStatusError"
    assert "HTTP 404" in letter["error_message"] and b'"http_status": 404' in letter["payload"]


def test_a_page_instead_of_a_feed_is_a_dead_letter(server: FeedServer) -> None:
    page = b"<!doctype html><html><body><p>Our feed has moved. Please update your reader.</p></body></html>"
    server.routes["/feed"] = lambda handler: send(handler, 200, page, {"Content-Type": "text/html"})
    outcome = fetch(server, "/feed")
    assert outcome.status == FETCHED
    settings = RunSettings(run_time_millis=RUN_TIME_MILLIS, pipeline_version="test")
    (letter,) = ParseFileFn(settings).process(SourceFile(outcome.url, outcome.body, outcome.charset))
    assert letter.value["stage"] == "parse" and letter.value["error_type"] == "NotAFeed"


def test_feed_lists_from_the_command_line(tmp_path: Path) -> None:
    listed = tmp_path / "feeds.txt"
    listed.write_text("# desks\nhttps://a.test/rss\n\nhttps://b.test/atom  # sport\n", encoding="utf-8")
    inputs = ["samples", "https://b.test/atom", "http://c.test/feed.xml"]
    assert feed_urls(inputs, str(listed)) == [
        "https://b.test/atom",
        "http://c.test/feed.xml",
        "https://a.test/rss",
    ]
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no feed URL"):
        feed_urls([], str(empty))
    with pytest.raises(UsageError, match="cannot read"):
        feed_urls([], str(tmp_path / "absent.txt"))


def test_no_retry_starts_after_the_feed_deadline(server: FeedServer) -> None:
    server.routes["/feed"] = lambda handler: send(handler, 503, b"", {"Retry-After": "1"})
    start = time.monotonic()
    outcome = fetch(server, "/feed", retries=10, feed_deadline=0.5)
    assert outcome.status == FAILED and outcome.attempts == 1 and time.monotonic() - start < 1.0
    assert "no retry after 0.5 s" in outcome.error_message


def test_a_batch_of_slow_feeds_is_fetched_at_once(server: FeedServer) -> None:
    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1)
        send(handler, 200, FEED_V1)

    for n in range(4):
        server.routes[f"/slow{n}"] = slow
    fn = FetchFeedBatchFn(
        FetchSettings(**{**FAST.__dict__, "read_timeout": 3.0, "concurrency": 4}),
        RunSettings(run_time_millis=RUN_TIME_MILLIS, pipeline_version="test"),
    )
    fn.setup()
    try:
        start = time.monotonic()
        outputs = list(fn.process([(server.url(f"/slow{n}"), None) for n in range(4)]))
        elapsed = time.monotonic() - start
    finally:
        fn.teardown()
    assert [out.uri for out in outputs if isinstance(out, SourceFile)] == [
        server.url(f"/slow{n}") for n in range(4)
    ], "outputs in the batch's order"
    assert elapsed < 2.5, f"four 1 s feeds fetched together, not one after the other: {elapsed:.1f} s"
