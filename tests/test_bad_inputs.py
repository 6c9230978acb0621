"""Nothing is lost: a folder of bad inputs, every item an article or a dead letter.

pytest tests/test_bad_inputs.py
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import RUN_TIME, read_output, run_newsbeam

GOOD_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test desk</title><link>https://news.test/</link>
<description>bad-input checks</description>
<item><guid>t-1</guid><title>Bridge reopens after repairs</title><link>https://news.test/1</link>
<description>&lt;p&gt;The old river bridge reopened to traffic on Monday after nine months of
repairs, the city said.&lt;/p&gt;&lt;p&gt;Buses return to their usual route next week.&lt;/p&gt;</description>
</item>
<item><guid>t-2</guid><title>Library hours extended</title><link>https://news.test/2</link>
<description>&lt;p&gt;The central library will stay open until ten in the evening from next month,
council officials announced in a short statement.&lt;/p&gt;</description>
</item>
</channel></rss>
"""


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    inputs = tmp_path_factory.mktemp("bad-inputs")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "blank.jsonl").write_bytes(b"\n  \n")
    (inputs / "random.bin").write_bytes(random.Random(7).randbytes(3000))
    # Latin-1 text is not valid UTF-8: it is decoded as what it is, and that choice is recorded.
    (inputs / "latin1.txt").write_bytes(
        "Le conseil municipal a voté mardi un budget de rénovation pour les écoles "
        "et les crèches de la ville, a annoncé la mairie.".encode("latin-1")
    )
    lines = [
        json.dumps({"id": "ok-1", "text": "A complete line with enough words to be an article."}),
        '{"id": "broken", "text": "no closing brace"',
        json.dumps({"id": "no-text", "title": "Only a title"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "lone-surrogate", "text": "Broken escape \ud800 in an otherwise fine line."}),
    ]
    (inputs / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Cut in the middle of the second item's description.
    cut = GOOD_FEED.index("The central library")
    (inputs / "truncated.rss").write_text(GOOD_FEED[:cut], encoding="utf-8")
    (inputs / "no-entries.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>'
        "<link>https://q.test/</link><description>nothing today</description></channel></rss>",
        encoding="utf-8",
    )
    (inputs / "page.xml").write_text("<html><body><p>Not a feed at all.</p></body></html>", encoding="utf-8")
    (inputs / "big.txt").write_text("word " * 1000, encoding="utf-8")  # 5,000 bytes, over the cap
    (inputs / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 100_000, mtime=0))
    (inputs / "corrupt.rss.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (inputs / "good.rss").write_text(GOOD_FEED, encoding="utf-8")
    out = tmp_path_factory.mktemp("bad-out")
    result = run_newsbeam(
        "ingest",
        "--input",
        str(inputs),
        "--output",
        str(out),
        "--run_time",
        RUN_TIME,
        "--max_bytes",
        "4000",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return inputs, out


def test_every_item_is_accounted_for(bad_run: tuple[Path, Path]) -> None:
    _, out = bad_run
    articles, dead, summary = read_output(out)
    assert summary["balanced"] is True
    assert summary["items_read"] == len(articles) + len(dead)
    assert summary["articles_written"] == len(articles)
    assert summary["dead_letters"] == len(dead)
    by_error = Counter((Path(d["source_uri"]).name, d["stage"], d["error_type"]) for d in dead)
    assert by_error == Counter(
        {
            ("empty.txt", "read", "EmptyFile"): 1,
            ("blank.jsonl", "read", "EmptyFile"): 1,
            ("random.bin", "parse", "BinaryContent"): 1,
            ("mixed.jsonl", "parse", "JSONDecodeError"): 1,
            ("mixed.jsonl", "parse", "MissingField"): 1,
            ("mixed.jsonl", "parse", "InputError"): 1,
            ("truncated.rss", "parse", "MalformedFeed"): 1,
            ("page.xml", "parse", "NotAFeed"): 1,
            ("big.txt", "read", "FileTooLarge"): 1,
            ("bomb.txt.gz", "read", "FileTooLarge"): 1,
            ("corrupt.rss.gz", "read", "BadCompression"): 1,
        }
    )
    names = Counter(Path(a["source"]["uri"]).name for a in articles)
    assert names == Counter({"latin1.txt": 1, "mixed.jsonl": 2, "truncated.rss": 1, "good.rss": 2})
    assert summary["dead_letters_by_stage"] == {"parse": 6, "read": 5}


def test_dead_letters_carry_the_offending_payload(bad_run: tuple[Path, Path]) -> None:
    inputs, out = bad_run
    _, dead, _ = read_output(out)
    broken = next(d for d in dead if d["error_type"] == "JSONDecodeError")
    assert broken["payload"] == b'{"id": "broken", "text": "no closing brace"'
    assert "line 2" in broken["error_message"]
    missing = next(d for d in dead if d["error_type"] == "MissingField")
    assert missing["entry_id"] == "no-text"
    binary = next(d for d in dead if d["error_type"] == "BinaryContent")
    assert binary["payload"] == (inputs / "random.bin").read_bytes()
    truncated = next(d for d in dead if d["error_type"] == "MalformedFeed")
    assert truncated["entry_id"] == "t-2"
    for letter in dead:
        assert letter["error_message"]
        assert letter["ingested_at"].year == 2026


def test_damaged_text_is_kept_and_explained(bad_run: tuple[Path, Path]) -> None:
    _, out = bad_run
    articles, _, _ = read_output(out)
    by_name = {Path(a["source"]["uri"]).name + (a["source"]["entry_id"] or ""): a for a in articles}
    latin = by_name["latin1.txt"]
    assert "a voté mardi" in latin["text"]
    assert any(r["kind"] == "charset" for r in latin["repairs"])
    lone = by_name["mixed.jsonllone-surrogate"]
    assert "\ud800" not in lone["text"]
    assert lone["repairs"], "the replaced surrogate is recorded"
