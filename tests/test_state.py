"""Scheduled, incremental runs (``--state``): what is kept, how it is committed, and two runs in a row.

The runs are real ``newsbeam`` commands fetching from a real HTTP server on 127.0.0.1.

    pytest tests/test_state.py
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.ingest import UsageError, prepare_incremental_run
from tests.conftest import read_output, run_newsbeam
from tests.test_fetch import FEED_V1, FEED_V2, FeedServer, conditional, rss, send
from transforms.fetch import FeedReport, FeedValidators
from transforms.state import (
    STATE_FILE,
    IngestState,
    StateError,
    commit_state,
    from_json,
    load_state,
    run_output,
    to_json,
    uncommitted_runs,
    updated_state,
)

T1, T2, T3 = "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"
T1_MS = 1_767_225_600_000
HOUR = 3_600_000


# --- the state file ----------------------------------------------------------


def test_state_round_trips_and_is_deterministic() -> None:
    state = IngestState(
        T1_MS,
        {"https://a.test/rss": FeedValidators('"e1"', "Thu, 01 Jan 2026 00:00:00 GMT", "sha256:ab")},
        {"https://a.test/rss": {"id-2": T1_MS, "id-1": T1_MS}},
    )
    assert from_json(to_json(state)) == state
    assert to_json(from_json(to_json(state))) == to_json(state)


def test_a_missing_state_is_empty_and_a_damaged_one_stops_the_run(tmp_path: Path) -> None:
    assert load_state(str(tmp_path / "none")) == IngestState()
    (tmp_path / STATE_FILE).write_text('{"format": 1, "feeds": ', encoding="utf-8")
    with pytest.raises(StateError):
        load_state(str(tmp_path))
    (tmp_path / STATE_FILE).write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(StateError, match="format"):
        load_state(str(tmp_path))


def test_commit_replaces_the_state_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    first = IngestState(T1_MS, {}, {"f": {"a": T1_MS}})
    second = updated_state(first, T1_MS + HOUR, [], [("f", "b")])
    commit_state(str(tmp_path / "state"), first)
    commit_state(str(tmp_path / "state"), second)
    assert [p.name for p in (tmp_path / "state").iterdir()] == [STATE_FILE]
    assert load_state(str(tmp_path / "state")) == second


def test_updated_state_keeps_what_a_failure_did_not_replace() -> None:
    old = IngestState(T1_MS, {"u": FeedValidators('"v1"', None, "h1"), "w": FeedValidators(None, "d", "h")})
    reports = [
        FeedReport("u", "failed", 500, 4, FeedValidators('"v1"', None, "h1"), "HTTP 500"),
        FeedReport("n", "fetched", 200, 1, FeedValidators('"n1"', None, "hn")),
    ]
    new = updated_state(old, T1_MS + HOUR, reports, [("n", "x"), ("n", "y")])
    assert new.feeds["u"] == old.feeds["u"] and new.feeds["w"] == old.feeds["w"]
    assert new.feeds["n"].etag == '"n1"'
    assert new.seen == {"n": {"x": T1_MS + HOUR, "y": T1_MS + HOUR}}
    assert new.last_run == T1_MS + HOUR


def test_ids_gone_from_a_source_read_again_are_forgotten_after_keep_days() -> None:
    day = 86_400_000
    old = IngestState(
        T1_MS, {}, {"f": {"gone": T1_MS, "still": T1_MS, "recent": T1_MS + 9 * day}, "g": {"z": T1_MS}}
    )
    now = T1_MS + 10 * day
    new = updated_state(old, now, [], written=[("f", "new")], present=[("f", "still")], keep_days=5)
    assert new.seen["f"] == {"still": now, "new": now, "recent": T1_MS + 9 * day}
    assert new.seen["g"] == {"z": T1_MS}, "a source not read this run says nothing about what left it"
    kept = updated_state(old, now, [], written=[("f", "new")], keep_days=0)
    assert set(kept.seen["f"]) == {"gone", "still", "recent", "new"}


def test_output_of_a_run_that_never_committed_is_removed(tmp_path: Path) -> None:
    state_dir, out = tmp_path / "state", tmp_path / "out"
    commit_state(str(state_dir), IngestState(T1_MS))
    committed = Path(run_output(str(out), T1_MS))
    failed = Path(run_output(str(out), T1_MS + HOUR))
    for directory in (committed, failed):
        directory.mkdir(parents=True)
        (directory / "articles-00000-of-00001.avro").write_bytes(b"x")
    assert list(uncommitted_runs(str(out), T1_MS)) == [str(failed)]
    prefix = prepare_incremental_run(str(out), str(state_dir), T1_MS + 2 * HOUR)
    assert prefix == str(out / "run=20260101T020000Z")
    assert (committed / "articles-00000-of-00001.avro").exists()
    assert not (failed / "articles-00000-of-00001.avro").exists()
    with pytest.raises(UsageError, match="later than the last committed run"):
        prepare_incremental_run(str(out), str(state_dir), T1_MS)


# --- two scheduled runs in a row ---------------------------------------------

ASCII_LIE = rss(
    [("u-1", "Café reopens", "Zoë’s café on the harbour reopened on Monday, with crème brûlée on the menu.")],
    declaration='<?xml version="1.0"?>',
)
LOCAL = rss(
    [("loc-1", "Harbour works", "Harbour works begin on Monday and the ferry moves to pier two for a month.")]
)


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Three runs an hour apart over the same feeds; the main feed gains one entry after the first."""
    base = tmp_path_factory.mktemp("scheduled")
    local = base / "local.rss"
    local.write_bytes(LOCAL)
    lying_bodies = [FEED_V1, FEED_V1, FEED_V1]
    with FeedServer() as server:
        server.routes["/news"] = conditional(FEED_V1, etag='"v1"')
        server.routes["/stamped"] = conditional(
            rss([("s-1", "Stamped", "A feed that only sends Last-Modified, never an ETag at all.")]),
            last_modified="Thu, 01 Jan 2026 00:00:00 GMT",
        )
        server.routes["/liar"] = lambda h: send(h, 200, lying_bodies.pop(0), {"ETag": '"always"'})
        server.routes["/broken"] = lambda h: send(h, 500, b"down")
        # Declares us-ascii, sends UTF-8, and has no validators at all: only its hash says unchanged.
        server.routes["/ascii"] = lambda h: send(
            h, 200, ASCII_LIE, {"Content-Type": "application/rss+xml; charset=us-ascii"}
        )
        feeds = base / "feeds.txt"
        feeds.write_text(
            "# the desks we follow\n"
            + "\n".join(server.url(p) for p in ("/news", "/stamped", "/liar", "/broken", "/ascii"))
            + "\n",
            encoding="utf-8",
        )
        out, state = base / "out", base / "state"
        common = ["--feeds", str(feeds), "--input", str(local), "--output", str(out), "--state", str(state)]
        common += ["--fetch_retries", "1"]
        runs = {}
        for name, run_time in (("first", T1), ("second", T2), ("third", T3)):
            if name == "second":
                server.routes["/news"] = conditional(FEED_V2, etag='"v2"')
            result = run_newsbeam("ingest", *common, "--run_time", run_time)
            assert result.returncode == 0, result.stderr
            runs[name] = json.loads(result.stdout)
        requests = list(server.requests)
    yield {"runs": runs, "out": out, "state": state, "requests": requests, "urls": feeds.read_text()}


def _feed(summary: dict, path: str) -> dict:
    (key,) = [url for url in summary["feed_details"] if url.endswith(path)]
    return summary["feed_details"][key]


def test_each_run_writes_under_its_own_prefix(scheduled: dict) -> None:
    out = scheduled["out"]
    assert sorted(p.name for p in out.iterdir()) == [
        "run=20260101T000000Z",
        "run=20260101T010000Z",
        "run=20260101T020000Z",
    ]
    for summary in scheduled["runs"].values():
        assert summary["balanced"] is True
        assert summary["items_read"] == (
            summary["articles_written"] + summary["dead_letters"] + summary["skipped_seen"]
        )


def test_the_first_run_writes_everything(scheduled: dict) -> None:
    articles, dead, summary = read_output(scheduled["out"] / "run=20260101T000000Z")
    assert Counter(a["source"]["entry_id"] for a in articles) == Counter(
        {"a-1": 2, "a-2": 2, "s-1": 1, "loc-1": 1, "u-1": 1}
    ), "/news and /liar serve the same two entries, as two sources"
    assert [(d["stage"], d["error_type"]) for d in dead] == [("fetch", "HTTPStatusError")]
    assert "HTTP 500" in dead[0]["error_message"]
    assert _feed(summary, "/broken") == {
        "status": "failed",
        "http_status": 500,
        "entries": 0,
        "new": 0,
        "skipped_seen": 0,
        "dead_letters": 1,
    }
    assert _feed(summary, "/news") == {
        "status": "fetched",
        "http_status": 200,
        "entries": 2,
        "new": 2,
        "skipped_seen": 0,
        "dead_letters": 0,
    }


def test_the_servers_charset_reaches_the_record(scheduled: dict) -> None:
    articles, _, _ = read_output(scheduled["out"] / "run=20260101T000000Z")
    (cafe,) = [a for a in articles if a["source"]["entry_id"] == "u-1"]
    assert cafe["title"] == "Café reopens" and "Zoë’s café" in cafe["text"]
    charset = [r for r in cafe["repairs"] if r["kind"] == "charset"]
    assert len(charset) == 1 and "HTTP Content-Type charset=us-ascii" in charset[0]["detail"]
    assert "utf-8" in charset[0]["detail"]


def test_the_second_run_writes_exactly_the_new_entry(scheduled: dict) -> None:
    articles, dead, summary = read_output(scheduled["out"] / "run=20260101T010000Z")
    assert [(a["source"]["entry_id"], a["title"]) for a in articles] == [("a-3", "Ferry timetable")]
    assert [d["stage"] for d in dead] == ["fetch"], "the broken feed is still a dead letter"
    assert _feed(summary, "/news") == {
        "status": "fetched",
        "http_status": 200,
        "entries": 3,
        "new": 1,
        "skipped_seen": 2,
        "dead_letters": 0,
    }
    assert _feed(summary, "/stamped")["status"] == "not_modified"
    assert _feed(summary, "/liar")["status"] == "unchanged", "same body on a 200: skipped by its hash"
    assert _feed(summary, "/ascii")["status"] == "unchanged"
    # Two of /news, and the local file's entry: read again, not written again.
    assert summary["skipped_seen"] == 3


def test_the_third_run_sends_the_validators_and_writes_nothing(scheduled: dict) -> None:
    articles, _, summary = read_output(scheduled["out"] / "run=20260101T020000Z")
    assert articles == []
    assert summary["feeds"] == {"failed": 1, "not_modified": 2, "unchanged": 2}
    news = [headers for path, headers in scheduled["requests"] if path == "/news"]
    assert "If-None-Match" not in news[0]
    assert news[1]["If-None-Match"] == '"v1"' and news[2]["If-None-Match"] == '"v2"'
    stamped = [headers for path, headers in scheduled["requests"] if path == "/stamped"]
    assert stamped[1]["If-Modified-Since"] == "Thu, 01 Jan 2026 00:00:00 GMT"


def test_the_state_holds_validators_hashes_and_written_ids(scheduled: dict) -> None:
    state = load_state(str(scheduled["state"]))
    assert state.last_run == T1_MS + 2 * HOUR
    (news,) = [url for url in state.feeds if url.endswith("/news")]
    assert state.feeds[news].etag == '"v2"' and state.feeds[news].body_hash.startswith("sha256:")
    assert len(state.seen[news]) == 3
    # Last found in the second run (the third got a 304 and read nothing).
    assert set(state.seen[news].values()) == {T1_MS + HOUR}
    assert not [url for url in state.feeds if url.endswith("/broken")], "a feed that never answered"


def test_a_failed_run_leaves_the_state_and_the_next_run_redoes_the_work(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.routes["/news"] = conditional(FEED_V1, etag='"v1"')
        state = tmp_path / "state"
        blocked = tmp_path / "blocked"
        blocked.write_text("a file where the output directory should be", encoding="utf-8")
        args = ["--input", server.url("/news"), "--state", str(state)]
        failed = run_newsbeam("ingest", *args, "--output", str(blocked), "--run_time", T1)
        assert failed.returncode != 0
        assert not (state / STATE_FILE).exists(), "no output, no state"
        again = run_newsbeam("ingest", *args, "--output", str(tmp_path / "out"), "--run_time", T2)
        assert again.returncode == 0, again.stderr
    articles, _, summary = read_output(tmp_path / "out" / "run=20260101T010000Z")
    assert sorted(a["source"]["entry_id"] for a in articles) == ["a-1", "a-2"]
    assert summary["feeds"] == {"fetched": 1}
    assert load_state(str(state)).last_run == T1_MS + HOUR


def test_a_local_state_is_refused_on_dataflow(tmp_path: Path) -> None:
    from pipelines.ingest import run

    args = ["--input", "https://news.test/rss", "--output", "gs://bucket/out", "--state", str(tmp_path)]
    with pytest.raises(UsageError, match="Dataflow workers cannot reach local paths"):
        run([*args, "--runner", "DataflowRunner", "--dry_run", "True"])
