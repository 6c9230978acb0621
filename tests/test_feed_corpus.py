"""Robustness on real feeds: feedparser's ~2,100 test feeds and 31 captured real-world feeds.

One ``newsbeam`` run over ``../shared/data/feeds`` (skipped when it is absent) and the
hostile feeds of ``tests/data/feeds``: no crash, every entry an article or a dead letter,
the counts printed. Entity bombs and external entities must not expand (tested here on
their own too, with a local server that must never be asked for anything).

    pytest tests/test_feed_corpus.py -s     # -s shows the counts
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests.conftest import PROJECT, RUN_TIME, RUN_TIME_MILLIS, SHARED, read_output, run_newsbeam
from tests.test_fetch import FeedServer, send
from transforms.common import RunSettings
from transforms.parse import defuse_entities, parse_feed_entries
from transforms.read import SourceFile, is_hidden

CORPUS = SHARED / "data" / "feeds"
HOSTILE = PROJECT / "tests" / "data" / "feeds"
SETTINGS = RunSettings(run_time_millis=RUN_TIME_MILLIS, pipeline_version="test")


def input_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not is_hidden(str(p)) and p.suffix != ".md")


def expected_items(data: bytes) -> int:
    """Items a feed file must give, counted apart from the pipeline: one per entry; none for
    a valid feed without entries; one dead letter for anything else (empty, not a feed)."""
    if not data.strip():
        return 1
    parsed = feedparser.parse(defuse_entities(data)[0], resolve_relative_uris=False, sanitize_html=False)
    if parsed.entries:
        return len(parsed.entries)
    return 0 if parsed.get("version") and not parsed.get("bozo") else 1


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A single pipeline run over every corpus file (when there) and the hostile feeds."""
    roots = [HOSTILE, *([CORPUS] if CORPUS.is_dir() else [])]
    out = tmp_path_factory.mktemp("corpus-out")
    # The hostile feeds by pattern: their folder also holds a README, no feed.
    args = ["--input", str(HOSTILE / "*.rss"), *([] if len(roots) == 1 else ["--input", str(CORPUS)])]
    start = time.monotonic()
    result = run_newsbeam("ingest", *args, "--output", str(out), "--run_time", RUN_TIME, timeout=900)
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    articles, dead, summary = read_output(out)
    return {"roots": roots, "articles": articles, "dead": dead, "summary": summary, "seconds": elapsed}


def produced_by_file(run: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter(a["source"]["uri"] for a in run["articles"])
    counts.update(d["source_uri"] for d in run["dead"])
    return counts


def test_corpus_every_entry_is_an_article_or_a_dead_letter(
    corpus_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    if CORPUS not in corpus_run["roots"]:
        pytest.skip(f"{CORPUS} is not there")
    articles, dead, summary = corpus_run["articles"], corpus_run["dead"], corpus_run["summary"]
    assert summary["balanced"] is True
    assert summary["items_read"] == len(articles) + len(dead)
    assert summary["articles_written"] == len(articles) and summary["dead_letters"] == len(dead)

    files = [path for root in corpus_run["roots"] for path in input_files(root)]
    expected = {str(path): expected_items(path.read_bytes()) for path in files}
    produced = produced_by_file(corpus_run)
    assert set(produced) <= set(expected), "every item comes from an input file"
    wrong = {path: (produced.get(path, 0), n) for path, n in expected.items() if produced.get(path, 0) != n}
    assert wrong == {}, f"(produced, expected) items per file differ for {len(wrong)} files"
    for letter in dead:
        assert letter["stage"] and letter["error_type"] and letter["error_message"]

    by_group = Counter(
        path.relative_to(CORPUS).parts[: 2 if path.relative_to(CORPUS).parts[0] == "feedparser" else 1]
        for path in files
        if CORPUS in path.parents
    )
    with capsys.disabled():
        print(f"\nfeed corpus: {len(files)} files in {corpus_run['seconds']:.0f} s")
        for group, count in sorted(by_group.items()):
            print(f"  {'/'.join(group)}: {count} files")
        print(f"  entries (feedparser): {sum(expected.values())}, items read: {summary['items_read']}")
        print(f"  articles: {summary['articles_written']}, dead letters: {summary['dead_letters']}")
        for error, count in summary["dead_letters_by_error"].items():
            print(f"    {error}: {count}")


def test_corpus_real_world_feeds_mostly_become_articles(corpus_run: dict[str, Any]) -> None:
    if CORPUS not in corpus_run["roots"]:
        pytest.skip(f"{CORPUS} is not there")
    real = CORPUS / "real-world"
    produced = produced_by_file(corpus_run)
    written = Counter(a["source"]["uri"] for a in corpus_run["articles"])
    files = input_files(real)
    assert len(files) >= 30
    assert all(produced[str(path)] >= 1 for path in files), "each real feed gives something"
    assert sum(1 for path in files if written[str(path)]) >= 0.8 * len(files)


def test_hostile_feeds_in_the_run_do_not_expand(corpus_run: dict[str, Any]) -> None:
    hostile = {str(path) for path in input_files(HOSTILE)}
    mine = [a for a in corpus_run["articles"] if a["source"]["uri"] in hostile]
    assert {a["source"]["entry_id"] for a in mine} == {"bomb-1", "bomb-2", "quad-1", "xxe-1"}
    for article in mine:
        assert len(article["text"]) < 10_000
        assert "root:" not in article["text"]
        assert "lollollol" not in article["text"] and "AAAAAAAAAA" not in article["text"]


# --- entity bombs and external entities, feed by feed -------------------------


def _parse(data: bytes, uri: str = "file:///hostile.rss") -> tuple[list[dict[str, Any]], list[Any]]:
    start = time.monotonic()
    out = list(parse_feed_entries(SourceFile(uri, data), SETTINGS))
    assert time.monotonic() - start < 2.0, "parsing a hostile feed must stay cheap"
    articles = [item for item in out if isinstance(item, dict)]
    return articles, [item for item in out if not isinstance(item, dict)]


def test_billion_laughs_does_not_expand() -> None:
    articles, _ = _parse((HOSTILE / "billion-laughs.rss").read_bytes())
    by_id = {a["source"]["entry_id"]: a for a in articles}
    assert "lol" not in by_id["bomb-1"]["text"].replace("&lol9", "")
    assert len(by_id["bomb-1"]["text"]) < 100
    assert by_id["bomb-2"]["text"] == "The ferry leaves from pier two on Saturday morning."


def test_quadratic_blowup_does_not_expand() -> None:
    data = (HOSTILE / "quadratic-blowup.rss").read_bytes()
    (article,) = _parse(data)[0]
    assert len(article["text"]) < len(data) and "AAAA" not in article["text"]


def test_a_few_short_entities_still_expand() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY site "https://news.test/">'
        b'<!ENTITY nb "&#160;">]><rss version="2.0"><channel><title>t</title>'
        b"<item><guid>&site;1</guid><description>Ten&nb;people met on Monday.</description></item>"
        b"</channel></rss>"
    )
    (article,) = _parse(data)[0]
    assert article["source"]["entry_id"] == "https://news.test/1"
    assert article["text"] == "Ten\u00a0people met on Monday."


def test_an_external_file_entity_is_not_read() -> None:
    (article,) = _parse((HOSTILE / "external-entity.rss").read_bytes())[0]
    assert "root:" not in article["text"] and len(article["text"]) < 100


def test_external_entities_and_dtds_over_http_are_never_fetched() -> None:
    with FeedServer() as server:
        server.routes["/secret"] = lambda handler: send(handler, 200, b"TOP-SECRET")
        server.routes["/evil.dtd"] = lambda handler: send(
            handler, 200, f'<!ENTITY leak SYSTEM "{server.url("/secret")}">'.encode()
        )
        item = b"<item><guid>x-1</guid><description>Value: &leak; &remote; end of story.</description></item>"
        feeds = [
            # A general external entity.
            f'<!DOCTYPE rss [<!ENTITY leak SYSTEM "{server.url("/secret")}">]>',
            # A parameter entity that pulls in a DTD declaring one.
            f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{server.url("/evil.dtd")}"> %remote;]>',
            # An external DTD subset.
            f'<!DOCTYPE rss SYSTEM "{server.url("/evil.dtd")}">',
            # Both, and a public identifier.
            f'<!DOCTYPE rss PUBLIC "-//X//Y" "{server.url("/evil.dtd")}" '
            f'[<!ENTITY remote PUBLIC "-//X//Z" "{server.url("/secret")}">]>',
        ]
        for doctype in feeds:
            data = (
                b'<?xml version="1.0" encoding="utf-8"?>\n' + doctype.encode() + b'\n<rss version="2.0">'
                b"<channel><title>t</title><link>https://x.test/</link>" + item + b"</channel></rss>"
            )
            articles, dead = _parse(data)
            assert len(articles) + len(dead) == 1
            for article in articles:
                assert "TOP-SECRET" not in article["text"]
        assert server.requests == [], "the parser asked the network for an entity or a DTD"


def test_utf16_bombs_are_defused_too() -> None:
    text = (
        (HOSTILE / "billion-laughs.rss")
        .read_text(encoding="utf-8")
        .replace('encoding="utf-8"', 'encoding="utf-16"')
    )
    data, removed = defuse_entities(text.encode("utf-16"))
    assert removed == 9 and data.decode("utf-16").count("<!ENTITY") == 1
