"""Streaming sources and the steps only an unbounded run needs.

- ``PollFeeds``: a PeriodicImpulse every ``poll_interval`` seconds fetches each feed with
  the conditional GET of ``transforms.fetch``; the feed's validators (ETag, Last-Modified,
  body hash) live in Beam state keyed by the feed URL, so an unchanged feed emits nothing.
- ``WatchFiles``: files appearing under a pattern (``fileio.MatchContinuously``, each path
  once) read by the batch ``ReadFileFn``.
- ``MessageItems``: Pub/Sub message bodies, each a JSON article (the JSON Lines fields)
  or a feed URL to fetch.
- ``SkipSeenEntries``: drops an entry whose id was already emitted, the ids held in Beam
  state keyed by source, forgotten ``ttl_seconds`` after they were last seen (an event-time
  timer clears them), so the state of a long run does not only grow.
- ``StampEventTime``: event time = publication time when known and plausible, else arrival.

All state goes through Beam's state API, never process memory: a runner may move a key to
another worker at any time.

    pytest tests/test_streaming.py --doctest-modules transforms/stream.py
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import PickleCoder
from apache_beam.io import fileio
from apache_beam.io.fileio import EmptyMatchTreatment
from apache_beam.metrics import Metrics
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Timestamp

from transforms.common import DEAD_LETTER, InputError, RunSettings, dead_letter
from transforms.fetch import FEED_REPORT, FeedValidators, FetchFeedFn, FetchSettings, is_feed_url
from transforms.parse import parse_json_line
from transforms.read import ReadFileFn, is_hidden

#: Main output tag of ``MessageItems``' feed URLs.
FEED_URLS = "feed_urls"
#: Stage name of dead letters made from Pub/Sub messages.
MESSAGE_STAGE = "parse"


@dataclass(frozen=True)
class StreamSettings:
    """How an unbounded run polls, windows and forgets; picklable."""

    poll_interval: float = 60.0
    window_seconds: int = 300
    allowed_lateness: int = 3600
    #: Seen entry ids are forgotten this long after their source last held them.
    seen_ttl_seconds: float = 90 * 86400.0
    #: Seconds since the epoch at which the sources stop (and the run drains); None: never.
    start: float = 0.0
    stop: float | None = None

    @property
    def stop_timestamp(self) -> Timestamp:
        return MAX_TIMESTAMP if self.stop is None else Timestamp.of(self.stop)


# --- event time ---------------------------------------------------------------------


def published_seconds(published: dict[str, Any] | None) -> float | None:
    """The publication time of a record's ``published`` field, in seconds since the epoch.

    >>> published_seconds({"value": "2024-06-07T09:30:00+02:00"})
    1717745400.0
    >>> published_seconds({"value": "2024-06-07"})  # a date alone: its midnight, UTC
    1717718400.0
    >>> published_seconds(None), published_seconds({"value": "soon"})
    (None, None)
    """
    value = (published or {}).get("value")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def event_time(published: float | None, arrival: float, allowed_lateness: float) -> float:
    """Publication time when known and within ``[arrival - allowed_lateness, arrival]``, else arrival.

    An entry published earlier than the allowed lateness would be dropped by every window
    as too late, and one dated in the future would hold its window open until then: both
    are stamped with their arrival instead, so every entry is written.

    >>> event_time(950.0, 1000.0, 100), event_time(None, 1000.0, 100)
    (950.0, 1000.0)
    >>> event_time(10.0, 1000.0, 100), event_time(5000.0, 1000.0, 100)
    (1000.0, 1000.0)
    """
    if published is None or not arrival - allowed_lateness <= published <= arrival:
        return arrival
    return published


class StampEventTime(beam.PTransform):
    """Articles re-stamped with their event time (see ``event_time``); the arrival is their timestamp."""

    def __init__(self, allowed_lateness: float):
        super().__init__()
        self.allowed_lateness = allowed_lateness

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        lateness = self.allowed_lateness

        def stamp(article: dict[str, Any], arrival: Any = beam.DoFn.TimestampParam) -> TimestampedValue:
            seconds = event_time(published_seconds(article.get("published")), float(arrival), lateness)
            return TimestampedValue(article, seconds)

        return articles | "StampPublicationTime" >> beam.Map(stamp)


# --- feed polling -------------------------------------------------------------------


class FetchChangedFn(FetchFeedFn):
    """``(url, _)`` keyed by URL -> what ``FetchFeedFn`` emits; the validators in Beam state.

    The session is built once per worker (``FetchFeedFn.setup``); the conditional GET uses
    the validators of this feed's last fetch, kept in the key's state.
    """

    VALIDATORS = ReadModifyWriteStateSpec("validators", PickleCoder())

    def process(  # type: ignore[override]
        self,
        element: tuple[str, Any],
        validators=beam.DoFn.StateParam(VALIDATORS),  # noqa: B008 (Beam's state API)
    ) -> Iterator[Any]:
        url = element[0]
        previous: FeedValidators | None = validators.read()
        outcome = self._fetch((url, previous))
        validators.write(outcome.validators)
        yield from self._emit(outcome)


class FetchChanged(beam.PTransform):
    """Feed URLs (each time they are due) -> SourceFile (``files``), dead letters, feed reports."""

    def __init__(self, fetch: FetchSettings, settings: RunSettings):
        super().__init__()
        self.fetch = fetch
        self.settings = settings

    def expand(self, urls: beam.PCollection) -> pvalue.DoOutputsTuple:
        return (
            urls
            # Typed keys: a stateful DoFn needs a deterministic key coder.
            | "KeyByFeed" >> beam.Map(lambda url: (url, None)).with_output_types(tuple[str, Any])
            | "FetchIfChanged"
            >> beam.ParDo(FetchChangedFn(self.fetch, self.settings)).with_outputs(
                DEAD_LETTER, FEED_REPORT, main="files"
            )
        )


class PollFeeds(beam.PTransform):
    """Every ``poll_interval`` seconds, each feed URL, from ``start`` until ``stop``."""

    def __init__(self, urls: Sequence[str], stream: StreamSettings):
        super().__init__()
        self.urls = list(dict.fromkeys(urls))
        self.stream = stream

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        urls = self.urls
        return (
            pbegin
            | "EveryPollInterval"
            >> PeriodicImpulse(
                start_timestamp=Timestamp.of(self.stream.start),
                stop_timestamp=self.stream.stop_timestamp,
                fire_interval=self.stream.poll_interval,
            )
            | "DueFeeds" >> beam.FlatMap(lambda _tick: urls)
        )


# --- directory watching -------------------------------------------------------------


class FirstSightingFn(beam.DoFn):
    """``(path, size)`` keyed by path -> itself the first time only; later listings are dropped."""

    SEEN = ReadModifyWriteStateSpec("seen", PickleCoder())

    def process(
        self,
        element: tuple[str, int],
        seen=beam.DoFn.StateParam(SEEN),  # noqa: B008 (Beam's state API)
    ) -> Iterator[tuple[str, int]]:
        if not seen.read():
            seen.write(True)
            yield element


class WatchFiles(beam.PTransform):
    """Files appearing under the patterns -> SourceFile (``files``) and dead letters, each path once."""

    def __init__(self, patterns: Sequence[str], stream: StreamSettings, settings: RunSettings):
        super().__init__()
        self.patterns = list(patterns)
        self.stream = stream
        self.settings = settings

    def expand(self, pbegin: beam.pvalue.PBegin) -> pvalue.DoOutputsTuple:
        matched = [
            pbegin
            | f"Watch[{index}]"
            >> fileio.MatchContinuously(
                pattern,
                interval=self.stream.poll_interval,
                start_timestamp=Timestamp.of(self.stream.start),
                stop_timestamp=self.stream.stop_timestamp,
                # Beam 2.77's deduplicating MatchContinuously (a Watch SDF) spends its polls
                # faster than the interval on the DirectRunner and stops early: each poll
                # lists everything, and FirstSightingFn keeps each path once, in Beam state.
                has_deduplication=False,
                empty_match_treatment=EmptyMatchTreatment.ALLOW,
            )
            for index, pattern in enumerate(self.patterns)
        ]
        return (
            matched
            | "GatherMatches" >> beam.Flatten()
            | "KeepInputFiles" >> beam.Filter(lambda meta: not is_hidden(meta.path))
            | "KeyByPath"
            >> beam.Map(lambda meta: (meta.path, meta.size_in_bytes)).with_output_types(tuple[str, int])
            | "FirstSighting" >> beam.ParDo(FirstSightingFn())
            | "ReadFiles" >> beam.ParDo(ReadFileFn(self.settings)).with_outputs(DEAD_LETTER, main="files")
        )


# --- Pub/Sub messages ---------------------------------------------------------------


def message_feed_url(body: bytes) -> str | None:
    """The feed URL a message body names, or None when the body is something else.

    >>> message_feed_url(b" https://news.test/rss\\n"), message_feed_url(b'{"text": "hi"}')
    ('https://news.test/rss', None)
    """
    try:
        text = body.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return text if text and "\n" not in text and is_feed_url(text) else None


class MessageItemsFn(beam.DoFn):
    """A message body -> an article candidate, a feed URL (``feed_urls``) or a dead letter."""

    def __init__(self, subscription: str, settings: RunSettings):
        self.subscription = subscription
        self.settings = settings

    def process(self, body: bytes) -> Iterator[Any]:
        url = message_feed_url(body)
        if url is not None:
            yield pvalue.TaggedOutput(FEED_URLS, url)
            return
        try:
            line = body.decode("utf-8")
            if "\n" in line.strip():
                raise InputError("a message holds one JSON article, not several lines")
            yield parse_json_line(line, self.subscription, self.settings)
        except Exception as error:  # any bad message is one dead letter; the stream goes on
            yield pvalue.TaggedOutput(
                DEAD_LETTER,
                dead_letter(
                    source_uri=self.subscription,
                    stage=MESSAGE_STAGE,
                    error=error,
                    error_type=type(error).__name__,
                    payload=body,
                    run_time_millis=self.settings.run_time_millis,
                    entry_id=_message_id(body),
                ),
            )


def _message_id(body: bytes) -> str | None:
    try:
        raw = json.loads(body)
    except ValueError:
        return None
    return str(raw["id"]) if isinstance(raw, dict) and raw.get("id") is not None else None


class MessageItems(beam.PTransform):
    """Message bodies -> article candidates (``articles``), feed URLs, dead letters."""

    def __init__(self, subscription: str, settings: RunSettings):
        super().__init__()
        self.subscription = subscription
        self.settings = settings

    def expand(self, bodies: beam.PCollection) -> pvalue.DoOutputsTuple:
        return bodies | "ReadMessages" >> beam.ParDo(
            MessageItemsFn(self.subscription, self.settings)
        ).with_outputs(FEED_URLS, DEAD_LETTER, main="articles")


# --- seen entries ---------------------------------------------------------------------


def forget_before(seen: dict[str, float], cutoff: float) -> dict[str, float]:
    """The ids last seen after ``cutoff``; one seen exactly then has lived its TTL.

    >>> forget_before({"a": 1.0, "b": 5.0}, 2.0), forget_before({"b": 5.0}, 5.0)
    ({'b': 5.0}, {})
    """
    return {key: when for key, when in seen.items() if when > cutoff}


class SkipSeenFn(beam.DoFn):
    """``(source, article)`` -> the article unless its id was emitted before (within the TTL).

    The ids of a source and when they were last seen (event time of arrival) are one
    state cell per source; an event-time timer forgets the ids not seen for ``ttl``.
    """

    SEEN = ReadModifyWriteStateSpec("seen", PickleCoder())
    EXPIRE = TimerSpec("expire", TimeDomain.WATERMARK)

    def __init__(self, ttl_seconds: float):
        self.ttl = ttl_seconds
        self.skipped = Metrics.counter("newsbeam", "entries_skipped_seen")

    def process(
        self,
        element: tuple[str, dict[str, Any]],
        arrival: Any = beam.DoFn.TimestampParam,
        seen=beam.DoFn.StateParam(SEEN),  # noqa: B008 (Beam's state API)
        expire=beam.DoFn.TimerParam(EXPIRE),  # noqa: B008
    ) -> Iterator[dict[str, Any]]:
        _, article = element
        ids: dict[str, float] = seen.read() or {}
        now = float(arrival)
        known = article["id"] in ids
        ids[article["id"]] = max(now, ids.get(article["id"], now))
        seen.write(ids)
        # The timer fires when the newest id of the source is ttl old; reset on each arrival.
        expire.set(Timestamp.of(max(ids.values()) + self.ttl))
        if known:
            self.skipped.inc()
            return
        yield article

    @on_timer(EXPIRE)
    def forget(
        self,
        fired: Any = beam.DoFn.TimestampParam,
        seen=beam.DoFn.StateParam(SEEN),  # noqa: B008 (Beam's state API)
        expire=beam.DoFn.TimerParam(EXPIRE),  # noqa: B008
    ) -> Iterator[Any]:
        kept = forget_before(seen.read() or {}, float(fired) - self.ttl)
        if kept:
            seen.write(kept)
            expire.set(Timestamp.of(max(kept.values()) + self.ttl))
        else:
            seen.clear()
        return iter(())


class SkipSeenEntries(beam.PTransform):
    """Articles -> those whose id was not emitted before; keyed by source, in the global window."""

    def __init__(self, ttl_seconds: float):
        super().__init__()
        self.ttl = ttl_seconds

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        return (
            articles
            | "KeyBySource"
            >> beam.Map(lambda article: (article["source"]["uri"], article)).with_output_types(
                tuple[str, Any]
            )
            | "DropSeen" >> beam.ParDo(SkipSeenFn(self.ttl))
        )
