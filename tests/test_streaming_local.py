"""A real local streaming run: ``newsbeam ingest --streaming`` watching a directory and polling
a feed served on 127.0.0.1, files dropped in while it runs, stopped by ``--max_run_seconds``.

Then a batch run over the same directory and feed: the same records (same run time).
Nothing is mocked; the run is bounded (``--max_run_seconds``, a process timeout).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT, RUN_TIME, newsbeam_command, read_avro

RUN_SECONDS = 45


def rss(entries: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><guid>{guid}</guid><title>{guid}</title><description>{text}</description></item>"
        for guid, text in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Local</title>'
        f"<link>http://127.0.0.1/</link><description>test</description>{items}</channel></rss>"
    ).encode()


class Feed:
    """A feed whose body the test changes; answers 304 to a matching If-None-Match."""

    def __init__(self) -> None:
        self.body = rss([("g1", "The council approved the budget."), ("g2", "Rain is expected on Friday.")])
        self.version = 1
        self.requests = 0
        self.lock = threading.Lock()

    def update(self, body: bytes) -> None:
        with self.lock:
            self.body, self.version = body, self.version + 1


@pytest.fixture
def feed_server() -> Iterator[tuple[str, Feed]]:
    feed = Feed()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with feed.lock:
                feed.requests += 1
                body, etag = feed.body, f'"v{feed.version}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/news.rss", feed
    finally:
        server.shutdown()
        server.server_close()


def drop(directory: Path, name: str, data: bytes) -> None:
    """Appear at once: written under a hidden name (never an input), then renamed."""
    hidden = directory / f".{name}.part"
    hidden.write_bytes(data)
    hidden.rename(directory / name)


def wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda record: repr(sorted(record.items())))


def test_streaming_run_writes_every_dropped_file_and_new_entry_once(
    tmp_path: Path, feed_server: tuple[str, Feed]
) -> None:
    url, feed = feed_server
    watched, output = tmp_path / "incoming", tmp_path / "stream"
    watched.mkdir()
    drop(watched, "early.jsonl", b'{"id": "e1", "text": "Ferries resume service."}\n')
    args = [
        "ingest",
        "--streaming",
        "--input",
        str(watched),
        "--input",
        url,
        "--output",
        str(output),
        "--run_time",
        RUN_TIME,
        "--poll_interval",
        "1",
        "--window_seconds",
        "5",
        "--max_run_seconds",
        str(RUN_SECONDS),
    ]
    process = subprocess.Popen(
        [*newsbeam_command(), *args], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # The first fetch says the job runs; files and a new entry then arrive while it does.
        assert wait_for(lambda: feed.requests >= 1, 90), "the streaming job never fetched the feed"
        drop(
            watched,
            "wire.jsonl",
            b'{"id": "w1", "text": "Port reopens."}\n{"id": "w2", "text": "Tolls rise."}\n',
        )
        drop(watched, "note.txt", b"A plain text story about the harbour.")
        drop(watched, "empty.txt", b"  \n")  # a dead letter
        seen = feed.requests
        assert wait_for(lambda: feed.requests >= seen + 2, 30)
        feed.update(
            rss(
                [
                    ("g1", "The council approved the budget."),
                    ("g2", "Rain is expected on Friday."),
                    ("g3", "The bridge opens next week."),
                ]
            )
        )
        drop(watched, "late.jsonl", b'{"id": "l1", "text": "Markets closed higher."}\n')
        seen = feed.requests
        # Some polls after the last change, so the run sees it before its sources stop.
        assert wait_for(lambda: feed.requests >= seen + 2, 30), "the job stopped too early to see the change"
        stdout, stderr = process.communicate(timeout=RUN_SECONDS + 90)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr[-3000:]
    assert '"streaming": true' in stdout

    articles = read_avro(str(output / "articles-*.avro"))
    dead = read_avro(str(output / "dead_letters-*.avro"))
    keys = sorted(
        article["source"]["entry_id"] or Path(article["source"]["uri"]).name for article in articles
    )
    # Every dropped file and every feed entry exactly once, though the feed was fetched many times.
    assert keys == ["e1", "g1", "g2", "g3", "l1", "note.txt", "w1", "w2"]
    assert [Path(letter["source_uri"]).name for letter in dead] == ["empty.txt"]
    # No temporary or partial file is left among the outputs.
    assert all(path.name.endswith(".avro") for path in output.glob("articles-*"))

    # The same input in batch: the same records. The run time is the same; what a streaming
    # run necessarily differs in is which window file holds a record (and, with translations,
    # that derived-from links are only found within a window).
    batch = tmp_path / "batch"
    result = subprocess.run(
        [*newsbeam_command(), "ingest", "--input", str(watched), "--input", url, "--output", str(batch),
         "--run_time", RUN_TIME],
        cwd=PROJECT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert comparable(read_avro(str(batch / "articles-*.avro"))) == comparable(articles)
    assert comparable(read_avro(str(batch / "dead_letters-*.avro"))) == comparable(dead)
