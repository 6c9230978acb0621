"""Unit tests for transforms.parse: format detection, headers, JSON lines and feeds (no pipelines)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from apache_beam import pvalue

from transforms.common import DEAD_LETTER, InputError, RunSettings
from transforms.parse import (
    DECLARED_SCOPE,
    FEED,
    JSONL,
    TEXT,
    MalformedFeed,
    MissingField,
    NotAFeed,
    declared_language,
    detect_format,
    parse_feed_entries,
    parse_json_line,
    split_header,
)
from transforms.read import SourceFile

SETTINGS = RunSettings(run_time_millis=1_700_000_000_000, pipeline_version="test")
URI = "file:///data/wire.jsonl"


# --- detect_format -----------------------------------------------------------

RSS_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
ATOM_HEAD = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
RDF_HEAD = b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'


@pytest.mark.parametrize(
    ("uri", "data", "expected"),
    [
        # Content beats the extension for feeds.
        ("story.txt", RSS_HEAD, FEED),
        ("notes.jsonl", RSS_HEAD, FEED),
        ("export.json", ATOM_HEAD, FEED),
        ("no-extension", RDF_HEAD, FEED),
        ("page.html", b"\xef\xbb\xbf \r\n" + RSS_HEAD, FEED),  # BOM and blank lines before the root
        # Feed extensions win when the content says nothing.
        ("feed.xml", b"not obviously xml", FEED),
        ("feed.rss", b"x", FEED),
        ("feed.atom", b"x", FEED),
        ("feed.rdf", b"x", FEED),
        ("FEED.XML", b"x", FEED),
        ("feed.xml.gz", b"x", FEED),
        ("Feed.Xml.GZ", b"x", FEED),
        # JSON Lines.
        ("wire.jsonl", b'{"text": "a"}\n{"text": "b"}\n', JSONL),
        ("wire.ndjson", b'{"text": "a"}\n', JSONL),
        ("wire.jsonl.gz", b"x", JSONL),
        ("wire.jsonl", b"plain words, but the extension says jsonl", JSONL),
        # Unknown extension: a JSON object on the first line makes it JSON Lines.
        ("export.dat", b'{"text": "a"}\n{"text": "b"}\n', JSONL),
        ("export", b'  \n{"id": 1, "text": "a"}\n', JSONL),
        ("export.dat", b'{"text": broken\n', TEXT),
        ("export.dat", b"[1, 2, 3]\n", TEXT),
        # Text.
        ("story.txt", b"Plain words.", TEXT),
        ("story.txt", b'{"text": "json in a txt file"}\n', TEXT),
        ("story.txt.gz", b"Plain words.", TEXT),
        ("story", b"Plain words.", TEXT),
        ("page.html", b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", TEXT),
    ],
)
def test_detect_format(uri: str, data: bytes, expected: str) -> None:
    assert detect_format(uri, data) == expected


# --- declared_language -------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("en-us", "en"),
        ("EN", "en"),
        ("pt_BR", "pt"),
        (" fr ", "fr"),
        ("zh-Hant-TW", "zh"),
        ("fil", "fil"),
        ("", None),
        (None, None),
        ("   ", None),
        ("x", None),
        ("english", None),
        ("123", None),
        ("x-klingon", None),
        ("i-default", None),
    ],
)
def test_declared_language(tag: str | None, expected: str | None) -> None:
    assert declared_language(tag) == expected


# --- split_header ------------------------------------------------------------


def _month(value: str) -> dict[str, str]:
    return {"value": value, "precision": "month", "source": "header"}


def _day(value: str) -> dict[str, str]:
    return {"value": value, "precision": "day", "source": "header"}


def test_split_header_month_header_with_standalone_topic_is_title() -> None:
    text = "date 2023-03 Harbour Works\n\nThe quay will close for repairs.\n"
    assert split_header(text) == (
        _month("2023-03"),
        "Harbour Works",
        "The quay will close for repairs.",
    )


def test_split_header_sentence_on_header_line_stays_in_body() -> None:
    text = "date 2024-06-07 Rain fell on Friday, officials said.\n\nRoads reopened later."
    assert split_header(text) == (
        _day("2024-06-07"),
        None,
        "Rain fell on Friday, officials said.\n\nRoads reopened later.",
    )


def test_split_header_label_followed_directly_by_body_line_is_body() -> None:
    # Not standing alone (no blank line after it): the words are the body's first line.
    text = "date 2024-06-07 Rain fell all day\nand into the night."
    assert split_header(text) == (_day("2024-06-07"), None, "Rain fell all day\nand into the night.")


@pytest.mark.parametrize("indent", ["   ", "\t", " \t "])
def test_split_header_allows_leading_spaces(indent: str) -> None:
    text = f"{indent}date 2023-03-14 Ferry Timetable\n\nThe ferry leaves earlier."
    assert split_header(text) == (_day("2023-03-14"), "Ferry Timetable", "The ferry leaves earlier.")


@pytest.mark.parametrize(
    "text",
    [
        "No header here.",
        "The date 2023-03-14 appears inside a sentence.",
        "Date 2023-03 Capitalised is not the header keyword\n\nBody.",
        "Intro line.\ndate 2023-03 Late header",
        "\ndate 2023-03 After a blank line\n\nBody.",
        "dated 2023-03 Topic\n\nBody.",
        "date: 2023-03 Topic\n\nBody.",
        "date 20230314 Topic\n\nBody.",
        "date 2023-03-14.Topic\n\nBody.",
    ],
)
def test_split_header_without_header_returns_text_unchanged(text: str) -> None:
    assert split_header(text) == (None, None, text)


@pytest.mark.parametrize(
    "text",
    [
        "date 2023-13 Topic\n\nBody.",
        "date 2023-00 Topic\n\nBody.",
        "date 2023-02-30 Topic\n\nBody.",
        "date 2023-04-31 Topic\n\nBody.",
        "date 2023-03-14T25:00 Topic\n\nBody.",
        "date 2023-03-14T09:61 Topic\n\nBody.",
        "date 2023-03-14T09 Topic\n\nBody.",
    ],
)
def test_split_header_invalid_date_keeps_whole_text(text: str) -> None:
    assert split_header(text) == (None, None, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date 2023-03 Harbour Works", (_month("2023-03"), "Harbour Works", "")),
        ("date 2023-03 Harbour Works\n", (_month("2023-03"), "Harbour Works", "")),
        ("date 2023-03", (_month("2023-03"), None, "")),
        ("date 2023-03\n", (_month("2023-03"), None, "")),
        ("date 2024-06-07 It rained.", (_day("2024-06-07"), None, "It rained.")),
    ],
)
def test_split_header_header_line_at_end_of_file(
    text: str, expected: tuple[dict[str, str] | None, str | None, str]
) -> None:
    assert split_header(text) == expected


@pytest.mark.parametrize(
    ("text", "published", "title"),
    [
        (
            "date 2023 Annual Review\n\nBody.",
            {"value": "2023", "precision": "year", "source": "header"},
            "Annual Review",
        ),
        (
            "date 2023-03-14T09:30 Morning Wire\n\nBody.",
            {"value": "2023-03-14T09:30", "precision": "minute", "source": "header"},
            "Morning Wire",
        ),
        (
            "date 2023-03-14T09:30:15Z Morning Wire\n\nBody.",
            {"value": "2023-03-14T09:30:15+00:00", "precision": "second", "source": "header"},
            "Morning Wire",
        ),
        (
            "date 2023-03-14T09:30:15+0100 Morning Wire\r\n\r\nBody.",
            {"value": "2023-03-14T09:30:15+01:00", "precision": "second", "source": "header"},
            "Morning Wire",
        ),
    ],
)
def test_split_header_keeps_date_precision(text: str, published: dict[str, str], title: str) -> None:
    assert split_header(text) == (published, title, "Body.")


@pytest.mark.parametrize(
    "rest",
    [
        "What happens next?",  # ends like a sentence
        "The river rose!",
        "“They left.”",
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen",  # too long for a label
    ],
)
def test_split_header_prose_on_header_line_is_not_a_title(rest: str) -> None:
    published, title, body = split_header(f"date 2023-03-14 {rest}\n\nMore text.")
    assert published == _day("2023-03-14")
    assert title is None
    assert body == f"{rest}\n\nMore text."


WORD_CASES = [
    "date 2023-03 Harbour Works\n\nThe quay will close.",
    "date 2023-03\nHarbour Works\n\nThe quay will close.",
    "date 2023-03 Harbour Works\nThe quay will close.",
    "date 2024-06-07 Rain fell on Friday, officials said.\n\nMore.",
    "date 2024-06-07 Rain fell on Friday, officials said.",
    "  date 2024-06-07   Spaced   Label  \n\n  Indented body line.\n",
    "date 2024-06-07T09:30Z Wire\r\nFirst line.\r\nSecond line.",
    "date 2024-06-07\u00a0Label after a no-break space\n\nBody words.",
    "date 2023-13 Not a header\n\nStill body.",
    "date 2023-03-14 one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen\n\nTail.",
    "date 2023 What now?\n\n\n\nLast words here.",
    "date 2023-03-14 Harbour Works\n\n",
    "date 2023-03-14 Harbour Works",
    "No header, just words.\n\nAnd more words.",
]


@pytest.mark.parametrize("text", WORD_CASES)
def test_split_header_never_loses_a_word(text: str) -> None:
    published, title, body = split_header(text)
    words = text.split()
    if published is not None:
        assert words[0] == "date"
        words = words[2:]  # the keyword and the date token are the header itself
    kept = f"{title or ''} {body}".split()
    assert sorted(kept) == sorted(words)
    # The body keeps its words in order.
    body_words = body.split()
    assert words[len(words) - len(body_words) :] == body_words


# --- parse_json_line ---------------------------------------------------------


def _line(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False)


def test_parse_json_line_all_fields() -> None:
    line = _line(
        id="wire-0042",
        url=" https://news.example.org/ferry ",
        title=" Ferry timetable changes ",
        text="The morning ferry will leave earlier from Monday.",
        published="2023-03-14",
        language="en-GB",
    )
    article = parse_json_line(line, URI, SETTINGS)
    assert article["source"] == {"kind": JSONL, "uri": URI, "entry_id": "wire-0042"}
    assert article["url"] == "https://news.example.org/ferry"
    assert article["title"] == "Ferry timetable changes"
    assert article["text"] == "The morning ferry will leave earlier from Monday."
    assert article["published"] == {"value": "2023-03-14", "precision": "day", "source": "jsonl"}
    assert article["language"] == {
        "code": None,
        "confidence": 0.0,
        "alternatives": [],
        "declared": "en",
        "mix": [],
    }
    assert article[DECLARED_SCOPE] == "entry"
    assert article["repairs"] == []
    assert article["dates"] == []
    assert article["translation"]["is_translation"] is False
    assert article["ingested_at"] == 1_700_000_000_000
    assert article["pipeline_version"] == "test"
    assert re.fullmatch(r"[0-9a-f]{32}", article["id"])


def test_parse_json_line_minimal_fields_are_none() -> None:
    article = parse_json_line(_line(text="Only a body."), URI, SETTINGS)
    assert article["source"]["entry_id"] is None
    assert article["url"] is None
    assert article["title"] is None
    assert article["published"] is None
    assert article["language"]["declared"] is None
    assert article[DECLARED_SCOPE] is None


@pytest.mark.parametrize(("raw_id", "entry_id"), [("abc-1", "abc-1"), (7, "7"), (0, "0")])
def test_parse_json_line_id_becomes_entry_id(raw_id: Any, entry_id: str) -> None:
    article = parse_json_line(_line(id=raw_id, text="Body."), URI, SETTINGS)
    assert article["source"]["entry_id"] == entry_id


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2023", {"value": "2023", "precision": "year", "source": "jsonl"}),
        ("2023-03", {"value": "2023-03", "precision": "month", "source": "jsonl"}),
        ("2023-03-14", {"value": "2023-03-14", "precision": "day", "source": "jsonl"}),
        ("2023-03-14T09:30", {"value": "2023-03-14T09:30", "precision": "minute", "source": "jsonl"}),
        (
            "2023-03-14T09:30:15+02:00",
            {"value": "2023-03-14T09:30:15+02:00", "precision": "second", "source": "jsonl"},
        ),
        (
            "Tue, 14 Mar 2023 09:30:15 GMT",
            {"value": "2023-03-14T09:30:15+00:00", "precision": "second", "source": "jsonl"},
        ),
        ("2023-02-30", None),
        ("next week", None),
        ("", None),
        (20230314, None),
    ],
)
def test_parse_json_line_published_precision(published: Any, expected: dict[str, str] | None) -> None:
    article = parse_json_line(_line(text="Body.", published=published), URI, SETTINGS)
    assert article["published"] == expected


@pytest.mark.parametrize(
    "line",
    [
        _line(title="No body"),
        _line(text=""),
        _line(text="   \n\t"),
        _line(text=None),
        _line(text=42),
        _line(text=["a", "list"]),
    ],
)
def test_parse_json_line_missing_text_raises_missing_field(line: str) -> None:
    with pytest.raises(MissingField):
        parse_json_line(line, URI, SETTINGS)


@pytest.mark.parametrize("line", ["[1, 2]", '"a string"', "42", "null", "true"])
def test_parse_json_line_non_object_raises_input_error(line: str) -> None:
    with pytest.raises(InputError, match="must be an object"):
        parse_json_line(line, URI, SETTINGS)


@pytest.mark.parametrize("line", ["{bad json", '{"text": "unterminated}', "", "{'text': 'single quotes'}"])
def test_parse_json_line_invalid_json_raises_value_error(line: str) -> None:
    with pytest.raises(ValueError):
        parse_json_line(line, URI, SETTINGS)


@pytest.mark.parametrize("field", ["url", "title", "language"])
def test_parse_json_line_non_string_optional_field_raises_input_error(field: str) -> None:
    with pytest.raises(InputError, match=field):
        parse_json_line(_line(text="Body.", **{field: 5}), URI, SETTINGS)


@pytest.mark.parametrize(
    ("tag", "declared"),
    [("en-GB", "en"), ("fr", "fr"), ("pt_BR", "pt"), ("DE", "de"), ("", None), ("klingon", None)],
)
def test_parse_json_line_declared_language(tag: str, declared: str | None) -> None:
    article = parse_json_line(_line(text="Body.", language=tag), URI, SETTINGS)
    assert article["language"]["declared"] == declared


def test_parse_json_line_stable_id() -> None:
    first = parse_json_line(_line(id="wire-1", text="Body one."), URI, SETTINGS)
    again = parse_json_line(_line(id="wire-1", text="Body one."), URI, SETTINGS)
    edited = parse_json_line(_line(id="wire-1", text="Body one, corrected."), URI, SETTINGS)
    other = parse_json_line(_line(id="wire-2", text="Body one."), URI, SETTINGS)
    elsewhere = parse_json_line(_line(id="wire-1", text="Body one."), "file:///other.jsonl", SETTINGS)
    later = parse_json_line(
        _line(id="wire-1", text="Body one."),
        URI,
        RunSettings(run_time_millis=1_800_000_000_000, pipeline_version="other"),
    )
    assert first["id"] == again["id"]
    assert first["id"] == edited["id"]  # the id is keyed by the entry id, not the text
    assert first["id"] == later["id"]  # never by the clock or the version
    assert first["id"] != other["id"]
    assert first["id"] != elsewhere["id"]


def test_parse_json_line_stable_id_without_id_uses_url_then_text() -> None:
    by_url = parse_json_line(_line(url="https://e.example/a", text="One."), URI, SETTINGS)
    by_url_again = parse_json_line(_line(url="https://e.example/a", text="Two."), URI, SETTINGS)
    by_text = parse_json_line(_line(text="One."), URI, SETTINGS)
    by_text_again = parse_json_line(_line(text="One."), URI, SETTINGS)
    by_other_text = parse_json_line(_line(text="Two."), URI, SETTINGS)
    assert by_url["id"] == by_url_again["id"]
    assert by_text["id"] == by_text_again["id"]
    assert by_text["id"] != by_other_text["id"]
    assert by_url["id"] != by_text["id"]


# --- parse_feed_entries ------------------------------------------------------

RSS_TWO_ITEMS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Harbour Desk</title>
    <link>https://news.example.org/</link>
    <description>Port news</description>
    <language>en-gb</language>
    <item>
      <title>Ferry timetable changes</title>
      <link>https://news.example.org/ferry</link>
      <guid isPermaLink="false">harbour-0001</guid>
      <pubDate>Tue, 14 Mar 2023 09:30:00 +0100</pubDate>
      <description>&lt;p&gt;The morning ferry will leave &lt;b&gt;earlier&lt;/b&gt;
        from Monday.&lt;/p&gt;&lt;p&gt;Tickets keep the same price &amp;amp; the same
        pier.&lt;/p&gt;&lt;script&gt;track()&lt;/script&gt;</description>
    </item>
    <item>
      <title>Crane repairs finished</title>
      <link>https://news.example.org/crane</link>
      <guid isPermaLink="false">harbour-0002</guid>
      <pubDate>Wed, 15 Mar 2023 17:05:00 -0500</pubDate>
      <description>The north crane is working again after two weeks of repairs.</description>
    </item>
  </channel>
</rss>
"""

ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr-FR">
  <title>Bureau Europe</title>
  <id>urn:uuid:0f8e3a52-1111-4c4c-8e8e-000000000000</id>
  <updated>2024-06-07T10:00:00Z</updated>
  <entry>
    <title>La gare rouvre</title>
    <id>urn:uuid:0f8e3a52-1111-4c4c-8e8e-000000000001</id>
    <link href="https://europe.example.net/gare"/>
    <updated>2024-06-07T09:30:00+02:00</updated>
    <content type="html">&lt;p&gt;La gare centrale a rouvert ce matin après des travaux.&lt;/p&gt;
      &lt;p&gt;Les trains circulent normalement.&lt;/p&gt;</content>
  </entry>
  <entry xml:lang="de">
    <title>Brücke gesperrt</title>
    <id>urn:uuid:0f8e3a52-1111-4c4c-8e8e-000000000002</id>
    <link href="https://europe.example.net/bruecke"/>
    <published>2024-06-06T08:00:00Z</published>
    <updated>2024-06-07T08:00:00Z</updated>
    <summary>Die Brücke bleibt bis Freitag gesperrt.</summary>
  </entry>
</feed>
""".encode()

ATOM_TEXT_SUMMARY = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Notes</title>
  <id>tag:notes.example.com,2024:feed</id>
  <updated>2024-01-02T00:00:00Z</updated>
  <entry>
    <title type="text">Plain summary</title>
    <id>tag:notes.example.com,2024:note-1</id>
    <link href="https://notes.example.com/1"/>
    <updated>2024-01-02T08:00:00Z</updated>
    <summary type="text">Fish &amp; chips &lt;b&gt;not bold&lt;/b&gt; stay as written.</summary>
  </entry>
</feed>
"""

RSS1_RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.org/">
    <title>RDF Desk</title>
    <link>https://rdf.example.org/</link>
    <description>Regional news</description>
    <dc:language>de</dc:language>
    <items><rdf:Seq><rdf:li rdf:resource="https://rdf.example.org/bruecke"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://rdf.example.org/bruecke">
    <title>Brücke gesperrt</title>
    <link>https://rdf.example.org/bruecke</link>
    <description>Die Brücke bleibt bis Freitag gesperrt.</description>
    <dc:date>2023-03-14T09:30:00+01:00</dc:date>
  </item>
</rdf:RDF>
""".encode()

EMPTY_RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quiet</title><link>https://quiet.example/</link>
<description>Nothing today</description></channel></rss>
"""

EMPTY_ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Quiet</title><id>urn:x:quiet</id>
<updated>2024-01-01T00:00:00Z</updated></feed>
"""

HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>Harbour Desk</title></head>
<body><h1>Welcome</h1><p>Our news is on the home page.</p></body></html>
"""


def _run(data: bytes, uri: str = "file:///data/feed.xml") -> list[Any]:
    return list(parse_feed_entries(SourceFile(uri, data), SETTINGS))


def _split(outputs: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    candidates = [o for o in outputs if not isinstance(o, pvalue.TaggedOutput)]
    dead = [o for o in outputs if isinstance(o, pvalue.TaggedOutput)]
    assert all(d.tag == DEAD_LETTER == "dead_letter" for d in dead)
    return candidates, [d.value for d in dead]


def test_parse_feed_entries_rss2_two_items() -> None:
    candidates, dead = _split(_run(RSS_TWO_ITEMS))
    assert dead == []
    assert [c["source"]["entry_id"] for c in candidates] == ["harbour-0001", "harbour-0002"]
    first, second = candidates
    assert first["source"] == {"kind": FEED, "uri": "file:///data/feed.xml", "entry_id": "harbour-0001"}
    assert first["url"] == "https://news.example.org/ferry"
    assert first["title"] == "Ferry timetable changes"
    assert first["text"] == (
        "The morning ferry will leave earlier from Monday.\n\nTickets keep the same price & the same pier."
    )
    assert first["published"] == {
        "value": "2023-03-14T09:30:00+01:00",
        "precision": "second",
        "source": "feed",
    }
    assert second["url"] == "https://news.example.org/crane"
    assert second["text"] == "The north crane is working again after two weeks of repairs."
    assert second["published"]["value"] == "2023-03-15T17:05:00-05:00"
    for article in candidates:
        assert article["language"]["declared"] == "en"
        assert article[DECLARED_SCOPE] == "feed"
        assert article["repairs"] == []
        assert article["ingested_at"] == SETTINGS.run_time_millis
    assert first["id"] != second["id"]


def test_parse_feed_entries_ids_are_stable() -> None:
    first = [c["id"] for c in _run(RSS_TWO_ITEMS)]
    again = [c["id"] for c in _run(RSS_TWO_ITEMS)]
    elsewhere = [c["id"] for c in _run(RSS_TWO_ITEMS, uri="file:///data/mirror.xml")]
    assert first == again
    assert set(first).isdisjoint(elsewhere)


def test_parse_feed_entries_atom_xml_lang_is_entry_scope() -> None:
    candidates, dead = _split(_run(ATOM_FEED, uri="file:///data/europe.atom"))
    assert dead == []
    inherited, own = candidates
    # xml:lang on <feed> is inherited by the entry's own text: entry scope.
    assert inherited["language"]["declared"] == "fr"
    assert inherited[DECLARED_SCOPE] == "entry"
    assert inherited["url"] == "https://europe.example.net/gare"
    assert inherited["source"]["entry_id"] == "urn:uuid:0f8e3a52-1111-4c4c-8e8e-000000000001"
    assert inherited["text"] == (
        "La gare centrale a rouvert ce matin après des travaux.\n\nLes trains circulent normalement."
    )
    # The entry gives only <updated> (all Atom requires): dated by its last edit, and
    # marked so, since an edit may come days after the text first came out.
    assert inherited["published"] == {
        "value": "2024-06-07T09:30:00+02:00",
        "precision": "second",
        "source": "feed_updated",
    }
    assert own["language"]["declared"] == "de"
    assert own[DECLARED_SCOPE] == "entry"
    assert own["title"] == "Brücke gesperrt"
    # <published> wins over <updated>.
    assert own["published"]["value"] == "2024-06-06T08:00:00+00:00"


@pytest.mark.parametrize("data", [EMPTY_RSS, EMPTY_ATOM], ids=["rss", "atom"])
def test_parse_feed_entries_feed_without_entries_yields_nothing(data: bytes) -> None:
    assert _run(data) == []


@pytest.mark.parametrize(
    "data",
    [HTML_PAGE, b"Just some words in a file.", b'{"text": "json"}\n', b""],
    ids=["html", "text", "json", "empty"],
)
def test_parse_feed_entries_not_a_feed_raises(data: bytes) -> None:
    with pytest.raises(NotAFeed):
        _run(data)


def test_parse_feed_entries_feed_broken_before_any_entry_raises_malformed() -> None:
    with pytest.raises(MalformedFeed):
        _run(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut')


_SECOND_ITEM = RSS_TWO_ITEMS.index(b"<item>", RSS_TWO_ITEMS.index(b"<item>") + 1)


@pytest.mark.parametrize(
    "marker",
    [
        b"<item>",
        b"<title>Crane",
        b"<guid",
        b"harbour-0002",
        b"<pubDate>Wed",
        b"<description>The north",
        b"crane is working",
        b"</description>\n    </item>\n  </channel>",
    ],
)
def test_parse_feed_entries_truncated_inside_second_item(marker: bytes) -> None:
    cut = RSS_TWO_ITEMS.index(marker, _SECOND_ITEM) + len(marker)
    data = RSS_TWO_ITEMS[:cut]
    outputs = _run(data)
    assert len(outputs) == data.count(b"<item>") == 2
    first = outputs[0]
    assert not isinstance(first, pvalue.TaggedOutput)
    assert first["source"]["entry_id"] == "harbour-0001"
    assert first["text"].startswith("The morning ferry")
    second = outputs[1]
    if isinstance(second, pvalue.TaggedOutput):
        assert second.tag == "dead_letter"
        assert second.value["stage"] == "parse"
        assert second.value["source_uri"] == "file:///data/feed.xml"
        assert second.value["error_type"] == "MalformedFeed"
        assert second.value["ingested_at"] == SETTINGS.run_time_millis
    else:
        assert second["text"].strip()


def test_parse_feed_entries_truncated_item_without_text_is_dead_letter() -> None:
    cut = RSS_TWO_ITEMS.index(b"<description>The north", _SECOND_ITEM)
    candidates, dead = _split(_run(RSS_TWO_ITEMS[:cut]))
    assert [c["source"]["entry_id"] for c in candidates] == ["harbour-0001"]
    assert len(dead) == 1
    assert dead[0]["entry_id"] == "harbour-0002"
    assert dead[0]["error_type"] == "MalformedFeed"
    assert b"Crane repairs finished" in dead[0]["payload"]


def test_parse_feed_entries_rss1_rdf() -> None:
    candidates, dead = _split(_run(RSS1_RDF, uri="file:///data/region.rdf"))
    assert dead == []
    assert len(candidates) == 1
    (article,) = candidates
    assert article["source"]["kind"] == FEED
    assert article["url"] == "https://rdf.example.org/bruecke"
    assert article["title"] == "Brücke gesperrt"
    assert article["text"] == "Die Brücke bleibt bis Freitag gesperrt."
    assert article["published"] == {
        "value": "2023-03-14T09:30:00+01:00",
        "precision": "second",
        "source": "feed",
    }
    assert article["language"]["declared"] == "de"
    assert article[DECLARED_SCOPE] == "feed"


def test_parse_feed_entries_atom_text_summary_is_not_treated_as_html() -> None:
    candidates, dead = _split(_run(ATOM_TEXT_SUMMARY, uri="file:///data/notes.atom"))
    assert dead == []
    (article,) = candidates
    assert article["text"] == "Fish & chips <b>not bold</b> stay as written."
    assert article["title"] == "Plain summary"
    assert article["url"] == "https://notes.example.com/1"
    assert article["source"]["entry_id"] == "tag:notes.example.com,2024:note-1"
    assert article["published"]["value"] == "2024-01-02T08:00:00+00:00"
    assert article["language"]["declared"] is None
    assert article[DECLARED_SCOPE] is None


def test_parse_feed_entries_atom_entry_without_link_has_no_url() -> None:
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Notes</title><id>urn:uuid:7d0c0000-0000-4000-8000-000000000000</id>
  <updated>2024-01-02T00:00:00Z</updated>
  <entry>
    <title>No link</title>
    <id>urn:uuid:7d0c0000-0000-4000-8000-000000000001</id>
    <updated>2024-01-02T08:00:00Z</updated>
    <summary>An entry that has an identifier but no web address.</summary>
  </entry>
</feed>
"""
    (article,) = _run(data)
    assert article["source"]["entry_id"] == "urn:uuid:7d0c0000-0000-4000-8000-000000000001"
    assert article["url"] is None


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "us-ascii"])
def test_feed_declaring_a_single_byte_charset_but_sending_utf8_is_read_and_recorded(declared: str) -> None:
    feed = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0"><channel><title>T</title>'
        "<item><guid>1</guid><title>Caf\u00e9 opens</title>"
        "<description>The caf\u00e9 in M\u00fcnchen opens at nine every morning.</description></item>"
        "</channel></rss>"
    ).encode()
    candidates, dead = _split(_run(feed))
    assert not dead
    (article,) = candidates
    assert article["title"] == "Caf\u00e9 opens"
    assert "M\u00fcnchen" in article["text"]
    details = [r["detail"] for r in article["repairs"] if r["kind"] == "charset"]
    assert len(details) == 1 and declared in details[0] and "utf-8" in details[0]
