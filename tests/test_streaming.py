"""Streaming with a scripted watermark: TestStream in place of the unbounded sources.

Pub/Sub itself cannot run here (it needs GCP): ``build_streaming_pipeline`` takes the
message bodies as a PCollection, and these tests give it a ``TestStream`` of bodies with
the timestamps Pub/Sub would give them (publish time = arrival). Everything after the
read (parsing, seen entries in Beam state, event time, windows, Avro files) is the real
pipeline on the DirectRunner in streaming mode.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import apache_beam as beam
import fastavro
import pytest
from apache_beam.coders import BytesCoder
from apache_beam.options.pipeline_options import PipelineOptions

# Aliased: pytest would try to collect a class named Test*.
from apache_beam.testing.test_stream import TestStream as ScriptedStream
from apache_beam.transforms.window import TimestampedValue

from pipelines.streaming import build_streaming_pipeline
from tests.conftest import RUN_TIME_MILLIS
from transforms.common import RunSettings, stable_id
from transforms.stream import SkipSeenFn, StreamSettings

T0 = RUN_TIME_MILLIS // 1000  # 2026-01-01T00:00:00Z, a window boundary for 60 s windows
SUBSCRIPTION = "projects/test/subscriptions/articles"
_WINDOW = re.compile(
    r"^(articles|dead_letters)-(.+?)-(\d{4}-\d\d-\d\dT[\d:]+)-pane(\d+)-\d{5}-of-\d{5}\.avro$"
)


def iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def article(key: str, published: int | None = None) -> bytes:
    body: dict[str, Any] = {"id": key, "text": f"Story {key}: the harbour reopened after the storm."}
    if published is not None:
        body["published"] = iso(published)
    return json.dumps(body).encode("utf-8")


def article_id(key: str) -> str:
    return stable_id("jsonl", SUBSCRIPTION, key)


def window_files(output: Path) -> dict[tuple[str, str, int], list[dict[str, Any]]]:
    """(prefix, window start, pane index) -> the records of that file."""
    files: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for path in sorted(output.glob("*.avro")):
        match = _WINDOW.match(path.name)
        assert match, f"unexpected file name {path.name}"
        with path.open("rb") as handle:
            files[(match[1], match[2], int(match[4]))] = list(fastavro.reader(handle))
    return files


def run_test_stream(stream: ScriptedStream, output: Path, window: int = 60, lateness: int = 120) -> None:
    settings = RunSettings(run_time_millis=RUN_TIME_MILLIS, pipeline_version="test")
    options = PipelineOptions(["--streaming", "--runner", "DirectRunner"])
    with beam.Pipeline(options=options) as pipeline:
        messages = pipeline | "Messages" >> stream
        build_streaming_pipeline(
            pipeline,
            [],
            str(output),
            settings,
            StreamSettings(window_seconds=window, allowed_lateness=lateness),
            subscription=SUBSCRIPTION,
            messages=messages,
        )


def test_windows_duplicates_late_data_and_dead_letters(tmp_path: Path) -> None:
    stream = (
        ScriptedStream(coder=BytesCoder())
        .advance_watermark_to(T0)
        .add_elements([TimestampedValue(article("a1", published=T0 + 10), T0 + 15)])
        .add_elements([TimestampedValue(article("a2", published=T0 + 70), T0 + 75)])
        # Both windows [T0, T0+60) and [T0+60, T0+120) close.
        .advance_watermark_to(T0 + 130)
        # The same entry again: dropped. A late one, published within the lateness: lands.
        .add_elements([TimestampedValue(article("a1", published=T0 + 10), T0 + 140)])
        .add_elements([TimestampedValue(article("a3", published=T0 + 30), T0 + 140)])
        # A bad message becomes a dead letter, and the stream goes on.
        .add_elements([TimestampedValue(b"{not json", T0 + 145)])
        .add_elements([TimestampedValue(article("a4"), T0 + 150)])
        .advance_watermark_to_infinity()
    )
    run_test_stream(stream, tmp_path)
    files = window_files(tmp_path)
    ids = {
        key: sorted(record.get("id") or record.get("error_type") for record in records)
        for key, records in files.items()
    }
    first, second, third = iso(T0)[:-1], iso(T0 + 60)[:-1], iso(T0 + 120)[:-1]
    assert ids == {
        ("articles", first, 0): [article_id("a1")],
        # The late entry is a late pane of its window: a file of its own.
        ("articles", first, 1): [article_id("a3")],
        ("articles", second, 0): [article_id("a2")],
        # No publication time: the arrival time.
        ("articles", third, 0): [article_id("a4")],
        ("dead_letters", third, 0): ["JSONDecodeError"],
    }
    (dead,) = files[("dead_letters", third, 0)]
    assert dead["payload"] == b"{not json" and dead["source_uri"] == SUBSCRIPTION
    # One summary per window firing, saying what it wrote.
    summaries = {path.name: json.loads(path.read_text()) for path in tmp_path.glob("summary-*.json")}
    late = summaries[f"summary-{first}-{iso(T0 + 60)[:-1]}-pane1-00000-of-00001.json"]
    assert (late["articles_written"], late["dead_letters"], late["balanced"]) == (1, 0, True)
    assert sum(summary["articles_written"] for summary in summaries.values()) == 4


def test_entry_later_than_the_lateness_takes_its_arrival_time(tmp_path: Path) -> None:
    stream = (
        ScriptedStream(coder=BytesCoder())
        .advance_watermark_to(T0 + 600)
        # Published 10 minutes before it arrives, with 2 minutes of allowed lateness.
        .add_elements([TimestampedValue(article("old", published=T0), T0 + 600)])
        .advance_watermark_to_infinity()
    )
    run_test_stream(stream, tmp_path)
    assert {key: len(records) for key, records in window_files(tmp_path).items()} == {
        ("articles", iso(T0 + 600)[:-1], 0): 1
    }


def test_seen_ids_are_forgotten_after_their_ttl() -> None:
    from apache_beam.testing.util import assert_that, equal_to

    def entry(key: str) -> dict[str, Any]:
        return {"id": key, "source": {"uri": "feed"}}

    stream = (
        ScriptedStream()
        .advance_watermark_to(T0)
        .add_elements([TimestampedValue(("feed", entry("x")), T0)])
        .add_elements([TimestampedValue(("feed", entry("x")), T0 + 5)])
        # Past the TTL (10 s after the last sighting) the timer forgets "x".
        .advance_watermark_to(T0 + 100)
        .add_elements([TimestampedValue(("feed", entry("x")), T0 + 101)])
        .advance_watermark_to_infinity()
    )
    options = PipelineOptions(["--streaming", "--runner", "DirectRunner"])
    with beam.Pipeline(options=options) as pipeline:
        kept = pipeline | stream | beam.ParDo(SkipSeenFn(ttl_seconds=10)) | beam.Map(lambda a: a["id"])
        assert_that(kept, equal_to(["x", "x"]))


@pytest.mark.parametrize("body", [b"   ", b'{"id": 1}', b"\xff\xfe", b'[{"text": "a"}]'])
def test_bad_messages_are_dead_letters(tmp_path: Path, body: bytes) -> None:
    stream = (
        ScriptedStream(coder=BytesCoder())
        .advance_watermark_to(T0)
        .add_elements([TimestampedValue(body, T0 + 1)])
        .advance_watermark_to_infinity()
    )
    run_test_stream(stream, tmp_path)
    files = window_files(tmp_path)
    assert list(files) == [("dead_letters", iso(T0)[:-1], 0)]


def test_a_message_naming_a_feed_fetches_it_once_per_change(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><guid>f1</guid><description>The ferry is late again.</description></item>"
        b"</channel></rss>"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/rss".encode()
    try:
        stream = (
            ScriptedStream(coder=BytesCoder())
            .advance_watermark_to(T0)
            .add_elements([TimestampedValue(url, T0 + 1)])
            # The same feed again, unchanged: its body hash (in Beam state) says so, nothing new.
            .add_elements([TimestampedValue(url, T0 + 2)])
            .advance_watermark_to_infinity()
        )
        run_test_stream(stream, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    files = window_files(tmp_path)
    assert [record["source"]["entry_id"] for record in files[("articles", iso(T0)[:-1], 0)]] == ["f1"]
    assert list(files) == [("articles", iso(T0)[:-1], 0)]
