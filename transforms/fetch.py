"""Stage ``fetch``: feed URLs in, their bytes out, with a conditional GET and a bounded cost.

Fetching is a pipeline stage, not a step before it: ``FetchFeedFn`` builds one HTTP
session per worker in ``setup()`` and fetches feeds in parallel on any runner; the batch
stage hands each worker groups of ``concurrency`` feeds, fetched at once by a thread pool
(``FetchFeedBatchFn``), since a feed mostly waits on its server. Every
request is bounded: connect and read timeouts, a deadline for the whole body, a size
cap on the decoded body (a gzip bomb stays small), at most 5 redirects, only ``http``
and ``https``. 429 and 5xx answers and connection errors are retried with exponential
backoff, honouring ``Retry-After``; a feed that keeps failing becomes one dead letter
with the HTTP status or the error, never a hang or a crash of the run.

The validators of the last run (``ETag``, ``Last-Modified``) make the request
conditional: a 304 emits nothing. Servers lie about validators, so the body's hash is
compared too and an unchanged body emits nothing even on a 200.

``FetchFeedFn`` takes ``(url, FeedValidators | None)`` elements, so the batch run
(validators from ``--state``) and a streaming run (validators from Beam state) share it.

    pytest tests/test_fetch.py --doctest-modules transforms/fetch.py
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple
from urllib.parse import urlparse

import apache_beam as beam
import requests
from apache_beam import pvalue
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.common import DEAD_LETTER, RunSettings, dead_letter, pipeline_version
from transforms.read import SourceFile

STAGE = "fetch"
#: Tag of the per-feed report output (one per feed, whatever happened).
FEED_REPORT = "feed_report"

# What happened to a feed in this run.
FETCHED, NOT_MODIFIED, UNCHANGED, FAILED = "fetched", "not_modified", "unchanged", "failed"

SCHEMES = ("http", "https")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 64 * 1024
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def user_agent() -> str:
    """The User-Agent: the product and its version, so feed owners know who is asking.

    >>> user_agent().startswith("newsbeam/")
    True
    """
    return f"newsbeam/{pipeline_version()} (news feed ingestion; Apache Beam)"


@dataclass(frozen=True)
class FetchSettings:
    """Bounds of one feed's fetch; picklable, the same on every worker."""

    connect_timeout: float = 10.0
    #: Longest wait for any single read from the socket.
    read_timeout: float = 30.0
    #: Longest time for the whole body of one attempt: a server trickling one byte
    #: per read timeout would otherwise hold the worker forever.
    body_deadline: float = 120.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    #: Attempts after the first one, for 429, 5xx, connection errors and timeouts.
    retries: int = 3
    backoff: float = 1.0
    #: Longest single wait before a retry; a Retry-After beyond it ends the retries.
    max_wait: float = 60.0
    #: No new attempt starts this long after the first: one feed's worst case stays bounded.
    feed_deadline: float = 300.0
    #: Feeds one worker fetches at once: fetching waits on servers, not on the CPU.
    concurrency: int = 8
    user_agent: str = ""


class FeedValidators(NamedTuple):
    """What the last run kept of a feed to make the next request conditional."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


class FetchOutcome(NamedTuple):
    """One feed's fetch: its status, the body when there is a new one, and why not otherwise."""

    url: str
    status: str
    http_status: int | None = None
    attempts: int = 0
    body: bytes = b""
    charset: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    validators: FeedValidators = FeedValidators()
    error_type: str | None = None
    error_message: str | None = None


class FeedReport(NamedTuple):
    """What the summary and the next run's state need of a fetch (no body)."""

    url: str
    status: str
    http_status: int | None
    attempts: int
    validators: FeedValidators
    error: str | None = None


class FetchError(Exception):
    """A fetch that cannot succeed; ``retry`` says whether another attempt may."""

    def __init__(self, message: str, *, retry: bool = False, wait: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.wait = wait


class UnsupportedScheme(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, status: int, reason: str | None, *, retry: bool = False, wait: float | None = None):
        super().__init__(f"HTTP {status} {reason or ''}".strip(), retry=retry, wait=wait)
        self.status = status


class FeedTooLarge(FetchError):
    pass


class BodyDeadline(FetchError):
    pass


def is_feed_url(value: str) -> bool:
    """Whether an ``--input`` names a feed to fetch rather than a file.

    >>> is_feed_url("https://news.test/rss"), is_feed_url("HTTP://a.test/x"), is_feed_url("gs://b/x.xml")
    (True, True, False)
    """
    return urlparse(value.strip()).scheme.lower() in SCHEMES


def read_feed_list(path: str) -> list[str]:
    """The URLs of a ``--feeds`` file (any Beam path): one a line, ``#`` starts a comment.

    Order is kept and repeats are dropped. Lines are not checked here: a bad one
    becomes that feed's dead letter, the other feeds still run.
    """
    with FileSystems.open(path) as handle:
        text = handle.read().decode("utf-8-sig")
    return parse_feed_list(text)


def parse_feed_list(text: str) -> list[str]:
    """URLs of a feed list's text.

    >>> parse_feed_list("# news\\nhttps://a.test/rss  # main desk\\n\\nhttps://b.test/atom\\nhttps://a.test/rss\\n")
    ['https://a.test/rss', 'https://b.test/atom']
    """
    urls: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        # A URL holds no whitespace, so whatever follows the first blank is a comment.
        url = line.split()[0]
        if url not in urls:
            urls.append(url)
    return urls


def body_hash(body: bytes) -> str:
    """The hash that tells an unchanged body, whatever the validators say.

    >>> body_hash(b"<rss/>")[:16]
    'sha256:b8a3805e6'
    """
    return "sha256:" + hashlib.sha256(body).hexdigest()


def content_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, lower case.

    >>> content_charset('application/rss+xml; charset="ISO-8859-1"'), content_charset("text/xml")
    ('iso-8859-1', None)
    """
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    if not isinstance(charset, str) or not charset.strip():
        return None
    return charset.strip().lower()


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay seconds or an HTTP date.

    >>> retry_after("7"), retry_after(None), retry_after("soon")
    (7.0, None, None)
    >>> retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now=1767225600.0)
    60.0
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, settings: FetchSettings) -> float:
    """Exponential backoff before attempt ``attempt + 1``, capped.

    >>> [backoff_delay(n, FetchSettings(backoff=1.0, max_wait=5.0)) for n in range(1, 5)]
    [1.0, 2.0, 4.0, 5.0]
    """
    return min(settings.max_wait, settings.backoff * 2 ** (attempt - 1))


def is_retryable_status(status: int) -> bool:
    """429 and server errors are worth another attempt; 501 and 505 will not change.

    >>> [is_retryable_status(s) for s in (429, 500, 503, 501, 404, 200)]
    [True, True, True, False, False, False]
    """
    return status == 429 or (500 <= status < 600 and status not in (501, 505))


def new_session(settings: FetchSettings) -> requests.Session:
    """The HTTP session of one worker: pooled connections, our headers, our redirect limit."""
    session = requests.Session()
    session.max_redirects = settings.max_redirects
    session.headers.update(
        {
            "User-Agent": settings.user_agent or user_agent(),
            "Accept": _ACCEPT,
            # Only what the stdlib inflates; urllib3 would add br/zstd when their packages happen
            # to be installed, and the decoded size is what the cap counts either way.
            "Accept-Encoding": "gzip, deflate",
        }
    )
    # Retries are ours (fetch_feed), so each one is counted, bounded and explained.
    adapter = requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def conditional_headers(validators: FeedValidators | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` from the last run's validators.

    >>> conditional_headers(FeedValidators('"v1"', "Thu, 01 Jan 2026 00:00:00 GMT"))
    {'If-None-Match': '"v1"', 'If-Modified-Since': 'Thu, 01 Jan 2026 00:00:00 GMT'}
    """
    headers: dict[str, str] = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _read_body(response: requests.Response, settings: FetchSettings) -> bytes:
    """The decoded body (gzip/deflate undone), refusing more than the cap or the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        raise FeedTooLarge(f"Content-Length {declared} is over the cap of {settings.max_bytes} bytes")
    deadline = time.monotonic() + settings.body_deadline
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(_CHUNK):
        total += len(chunk)
        if total > settings.max_bytes:
            raise FeedTooLarge(f"body is larger than the cap of {settings.max_bytes} bytes")
        if time.monotonic() > deadline:
            raise BodyDeadline(f"body not read within {settings.body_deadline:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _attempt(
    session: requests.Session, url: str, headers: dict[str, str], settings: FetchSettings
) -> tuple[requests.Response, bytes]:
    """One request: the response and its body, or a FetchError saying whether to retry."""
    try:
        response = session.get(
            url,
            headers=headers,
            timeout=(settings.connect_timeout, settings.read_timeout),
            stream=True,
            allow_redirects=True,
        )
    except requests.TooManyRedirects:
        raise FetchError(f"more than {settings.max_redirects} redirects") from None
    except (requests.ConnectionError, requests.Timeout) as error:
        raise FetchError(f"{type(error).__name__}: {_short(error)}", retry=True) from None
    except requests.RequestException as error:  # invalid URL, a redirect to another scheme, ...
        raise FetchError(f"{type(error).__name__}: {_short(error)}") from None
    with response:
        status = response.status_code
        if status == 304:
            return response, b""
        if status >= 400 or status < 200:
            if is_retryable_status(status):
                wait = retry_after(response.headers.get("Retry-After"))
                raise HTTPStatusError(status, response.reason, retry=True, wait=wait)
            raise HTTPStatusError(status, response.reason)
        try:
            body = _read_body(response, settings)
        except FetchError:
            raise
        except (requests.ConnectionError, requests.Timeout) as error:
            # A read that stalls mid-body surfaces here as a ConnectionError around the timeout.
            raise FetchError(f"{type(error).__name__}: {_short(error)}", retry=True) from None
        except requests.RequestException as error:  # broken gzip, chunking, ...
            raise FetchError(f"{type(error).__name__}: {_short(error)}") from None
    return response, body


def _short(error: BaseException) -> str:
    return str(error)[:300]


def fetch_feed(
    session: requests.Session,
    url: str,
    validators: FeedValidators | None,
    settings: FetchSettings,
) -> FetchOutcome:
    """Fetch one feed; never raises for anything the network or the server does."""
    old = validators or FeedValidators()
    parts = urlparse(url)
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        return _failed(url, old, 0, None, UnsupportedScheme(f"only http and https URLs are fetched: {url!r}"))
    headers = conditional_headers(old)
    give_up = time.monotonic() + settings.feed_deadline
    last: FetchError | None = None
    note = ""
    http_status: int | None = None
    for attempt in range(1, settings.retries + 2):
        try:
            response, body = _attempt(session, url, headers, settings)
        except FetchError as error:
            last = error
            if isinstance(error, HTTPStatusError):
                http_status = error.status
            if not error.retry or attempt > settings.retries:
                break
            wait = error.wait if error.wait is not None else backoff_delay(attempt, settings)
            if wait > settings.max_wait:
                note = f"; Retry-After {wait:g} s is over the {settings.max_wait:g} s limit"
                break
            if time.monotonic() + wait > give_up:
                note = f"; no retry after {settings.feed_deadline:g} s"
                break
            time.sleep(wait)
            continue
        return _outcome(url, old, attempt, response, body)
    assert last is not None
    return _failed(url, old, attempt, http_status, last, note)


def _outcome(
    url: str, old: FeedValidators, attempts: int, response: requests.Response, body: bytes
) -> FetchOutcome:
    content_type = response.headers.get("Content-Type")
    if response.status_code == 304:
        return FetchOutcome(url, NOT_MODIFIED, 304, attempts, final_url=response.url, validators=old)
    digest = body_hash(body)
    validators = FeedValidators(
        etag=response.headers.get("ETag") or None,
        last_modified=response.headers.get("Last-Modified") or None,
        body_hash=digest,
    )
    status = UNCHANGED if digest == old.body_hash else FETCHED
    return FetchOutcome(
        url,
        status,
        response.status_code,
        attempts,
        body=body if status == FETCHED else b"",
        charset=content_charset(content_type),
        content_type=content_type,
        final_url=response.url,
        validators=validators,
    )


def _failed(
    url: str,
    old: FeedValidators,
    attempts: int,
    http_status: int | None,
    error: FetchError,
    note: str = "",
) -> FetchOutcome:
    message = str(error) + note
    if attempts > 1:
        message += f" (after {attempts} attempts)"
    # The old validators stay: the next run's request is as conditional as this one's.
    return FetchOutcome(
        url,
        FAILED,
        http_status,
        attempts,
        validators=old,
        error_type=type(error).__name__,
        error_message=message,
    )


def report_of(outcome: FetchOutcome) -> FeedReport:
    return FeedReport(
        outcome.url,
        outcome.status,
        outcome.http_status,
        outcome.attempts,
        outcome.validators,
        outcome.error_message,
    )


class FetchFeedFn(beam.DoFn):
    """``(url, validators)`` -> SourceFile (main), dead letters, and one FeedReport per feed."""

    DEAD_LETTER = DEAD_LETTER
    FEED_REPORT = FEED_REPORT

    def __init__(self, fetch: FetchSettings, settings: RunSettings):
        self.fetch = fetch
        self.settings = settings
        self._session: requests.Session | None = None
        self.counters = {
            status: Metrics.counter("newsbeam", f"feeds_{status}")
            for status in (FETCHED, NOT_MODIFIED, UNCHANGED, FAILED)
        }
        self.bytes = Metrics.distribution("newsbeam", "feed_bytes")

    def setup(self) -> None:
        self._session = new_session(self.fetch)

    def teardown(self) -> None:
        if self._session is not None:
            self._session.close()

    def process(self, element: tuple[str, FeedValidators | None]) -> Iterator[Any]:
        yield from self._emit(self._fetch(element))

    def _fetch(self, element: tuple[str, FeedValidators | None]) -> FetchOutcome:
        url, validators = element
        assert self._session is not None, "setup() was not called"
        try:
            return fetch_feed(self._session, url, validators, self.fetch)
        except Exception as error:  # a bug here must cost one feed, not the run
            return _failed(url, validators or FeedValidators(), 0, None, FetchError(repr(error)))

    def _emit(self, outcome: FetchOutcome) -> Iterator[Any]:
        url = outcome.url
        self.counters[outcome.status].inc()
        yield pvalue.TaggedOutput(FEED_REPORT, report_of(outcome))
        if outcome.status == FETCHED:
            self.bytes.update(len(outcome.body))
            yield SourceFile(url, outcome.body, outcome.charset)
        elif outcome.status == FAILED:
            yield pvalue.TaggedOutput(
                DEAD_LETTER,
                dead_letter(
                    source_uri=url,
                    stage=STAGE,
                    error=outcome.error_message or "fetch failed",
                    error_type=outcome.error_type,
                    payload=json.dumps(
                        {
                            "url": url,
                            "http_status": outcome.http_status,
                            "attempts": outcome.attempts,
                        },
                        sort_keys=True,
                    ),
                    run_time_millis=self.settings.run_time_millis,
                ),
            )


class FetchFeedBatchFn(FetchFeedFn):
    """A batch of ``(url, validators)`` fetched at once by the worker's thread pool.

    Runners give one DoFn thread to a bundle of elements; a feed is mostly waiting
    on its server, so the worker overlaps up to ``concurrency`` of them. The
    outputs follow the batch's order.
    """

    def setup(self) -> None:
        super().setup()
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.fetch.concurrency))

    def teardown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().teardown()

    def process(self, batch: list[tuple[str, FeedValidators | None]]) -> Iterator[Any]:  # type: ignore[override]
        for outcome in self._pool.map(self._fetch, batch):
            yield from self._emit(outcome)


def _with_validators(
    keyed: tuple[int, str], validators: dict[str, FeedValidators]
) -> tuple[int, tuple[str, FeedValidators | None]]:
    group, url = keyed
    return group, (url, validators.get(url))


def _batch(grouped: tuple[int, Iterable[tuple[str, FeedValidators | None]]]) -> list[Any]:
    return sorted(grouped[1], key=lambda element: element[0])


class FetchFeeds(beam.PTransform):
    """Feed URLs -> fetched bodies as SourceFile (``files``), dead letters, feed reports.

    ``validators`` is a singleton PCollection of ``{url: FeedValidators}`` (the last run's).
    """

    def __init__(
        self,
        urls: Sequence[str],
        fetch: FetchSettings,
        settings: RunSettings,
        validators: beam.PCollection,
    ):
        super().__init__()
        self.urls = list(dict.fromkeys(urls))
        self.fetch = fetch
        self.settings = settings
        self.validators = validators

    def expand(self, pbegin: beam.pvalue.PBegin) -> pvalue.DoOutputsTuple:
        # Groups of at most ``concurrency`` feeds, made here rather than by bundles: a
        # runner may cut bundles of one, and a group is fetched at once by one worker.
        size = max(1, self.fetch.concurrency)
        groups = max(1, -(-len(self.urls) // size))
        keyed = [(index % groups, url) for index, url in enumerate(self.urls)]
        return (
            pbegin
            | "ListFeeds" >> beam.Create(keyed)
            | "AttachValidators" >> beam.Map(_with_validators, beam.pvalue.AsSingleton(self.validators))
            | "GroupFeeds" >> beam.GroupByKey()
            | "BatchFeeds" >> beam.Map(_batch)
            | "FetchFeeds"
            >> beam.ParDo(FetchFeedBatchFn(self.fetch, self.settings)).with_outputs(
                DEAD_LETTER, FEED_REPORT, main="files"
            )
        )
