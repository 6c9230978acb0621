"""Stage ``parse``: turn each file's bytes into article candidates.

The format is chosen by content and extension: feed XML (RSS 0.9x/1.0/2.0,
Atom), JSON Lines, or plain text. One feed entry, one JSON line or one text file
is one item; each item becomes an article candidate or a dead letter.

    pytest --doctest-modules transforms/parse.py tests/test_parse.py
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import apache_beam as beam
import feedparser
from apache_beam import pvalue

from transforms.common import (
    DEAD_LETTER,
    InputError,
    RunSettings,
    dead_letter,
    safe_str,
    stable_id,
    without_surrogates,
)
from transforms.dates import from_struct_time, parse_date_string, parse_iso
from transforms.html_text import html_to_text
from transforms.normalize import decode_bytes
from transforms.read import SourceFile

STAGE = "parse"

FEED, JSONL, TEXT = "feed", "jsonl", "text"
_FEED_EXTENSIONS = (".xml", ".rss", ".atom", ".rdf")
_JSONL_EXTENSIONS = (".jsonl", ".ndjson")
_FEED_ROOT = re.compile(rb"<(?:[\w-]+:)?(?:rss|feed|RDF|channel)\b")
_HEADER = re.compile(
    r"^[ \t]*date[ \t]+(?P<date>\d{4}(?:-\d{2}(?:-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)?)?)"
    r"(?=\s|$)[ \t]*(?P<rest>[^\n]*)(?:\n|$)"
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*$")
#: Internal field: where a declared language came from.
DECLARED_SCOPE = "_declared_scope"
ENTRY_SCOPE, FEED_SCOPE = "entry", "feed"
#: A header's rest stays a title only when it is a short label, not prose.
TITLE_MAX_WORDS = 16


class MissingField(InputError):
    pass


class EmptyText(InputError):
    pass


class NotAFeed(InputError):
    pass


class MalformedFeed(InputError):
    pass


def detect_format(uri: str, data: bytes) -> str:
    """Feed, jsonl or text, from the content first and the extension second.

    >>> detect_format("a.txt", b"<?xml version='1.0'?><rss version='2.0'>")
    'feed'
    >>> detect_format("notes", b'{"text": "hi"}\\n')
    'jsonl'
    >>> detect_format("story.txt", b"Plain words.")
    'text'

    A fetched URL is a feed: an HTML page in its place is a dead letter, not an article.

    >>> detect_format("https://news.test/rss", b"<html><body>Moved</body></html>")
    'feed'
    """
    if urlparse(uri).scheme.lower() in ("http", "https"):
        return FEED
    name = uri.lower().removesuffix(".gz")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and _FEED_ROOT.search(head):
        return FEED
    if name.endswith(_FEED_EXTENSIONS):
        return FEED
    if name.endswith(_JSONL_EXTENSIONS):
        return JSONL
    if name.endswith(".txt"):
        return TEXT
    if head.startswith(b"{"):
        first = head.split(b"\n", 1)[0]
        try:
            if isinstance(json.loads(first), dict):
                return JSONL
        except ValueError:
            pass
    return TEXT


def declared_language(tag: str | None) -> str | None:
    """ISO 639-1 part of a language tag (``en-US`` -> ``en``), or None.

    >>> declared_language("en-us"), declared_language("pt_BR"), declared_language(""), declared_language("x")
    ('en', 'pt', None, None)
    """
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def no_translation_evidence() -> dict[str, Any]:
    """The ``translation`` record before the translation stage has weighed anything."""
    return {
        "is_translation": False,
        "confidence": 0.0,
        "source_language": None,
        "machine": None,
        "signals": [],
        "style_sources": [],
        "derived_from": None,
    }


def candidate(
    *,
    kind: str,
    uri: str,
    entry_key: str,
    entry_id: str | None,
    text: str,
    settings: RunSettings,
    url: str | None = None,
    title: str | None = None,
    published: dict[str, str] | None = None,
    declared: str | None = None,
    declared_scope: str | None = None,
    repairs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An article as it leaves parsing: the record's fields, later stages fill the rest."""
    if not text.strip():
        raise EmptyText("no text")
    repairs = list(repairs or [])
    text, title = _valid_unicode(text, title, repairs)
    url, entry_id, uri = safe_str(url), safe_str(entry_id), safe_str(uri) or ""
    return {
        "id": stable_id(kind, uri, entry_key),
        "source": {"kind": kind, "uri": uri, "entry_id": entry_id},
        "url": url or None,
        "title": title or None,
        "text": text,
        "repairs": repairs,
        "language": {"code": None, "confidence": 0.0, "alternatives": [], "declared": declared, "mix": []},
        "translation": no_translation_evidence(),
        "published": published,
        "event_date": None,
        "dates": [],
        "ingested_at": settings.run_time_millis,
        "pipeline_version": settings.pipeline_version,
        # Internal, dropped before writing: how specific the declaration was.
        DECLARED_SCOPE: declared_scope if declared else None,
    }


def _valid_unicode(text: str, title: str | None, repairs: list[dict[str, Any]]) -> tuple[str, str | None]:
    """Text and title without surrogate code points; each replacement is a recorded repair."""
    fixed: list[str | None] = []
    for value in (text, title):
        if value is None:
            fixed.append(None)
            continue
        clean, count = without_surrogates(value)
        if count:
            repairs.append(
                {
                    "kind": "lost_character",
                    "detail": "surrogate code points (invalid unicode escapes) replaced",
                    "original": "",
                    "replacement": "\ufffd",
                    "count": count,
                }
            )
        fixed.append(clean)
    return fixed[0] or "", fixed[1]


def split_header(text: str) -> tuple[dict[str, str] | None, str | None, str]:
    """(published, title, body) of a text file with an optional ``date`` header line.

    The header's date keeps its precision; what follows it on the line is the
    title when it is a short label standing alone, else the start of the body.

    >>> split_header(" date 2023-03 Harbour Works\\n\\nThe body.")
    ({'value': '2023-03', 'precision': 'month', 'source': 'header'}, 'Harbour Works', 'The body.')
    >>> split_header("date 2024-06-07 Rain fell on Friday, officials said.\\n\\nMore.")[1:]
    (None, 'Rain fell on Friday, officials said.\\n\\nMore.')
    >>> split_header("No header here.")
    (None, None, 'No header here.')
    """
    match = _HEADER.match(text)
    if not match:
        return None, None, text
    published = parse_iso(match["date"], "header")
    if published is None:  # "date 2023-13": not a header after all, keep every word
        return None, None, text
    rest = match["rest"].strip()
    body = text[match.end() :]
    stands_alone = not body.strip() or body.startswith("\n") or body.startswith("\r\n")
    is_label = (
        rest and len(rest.split()) <= TITLE_MAX_WORDS and not _SENTENCE_END.search(rest) and stands_alone
    )
    if is_label:
        return published, rest, body.strip("\r\n")
    if rest:
        body = rest + ("\n" + body if body else "")
    return published, None, body.strip("\r\n")


def parse_text(source: SourceFile, settings: RunSettings) -> dict[str, Any]:
    decoded = decode_bytes(source.data)
    published, title, body = split_header(decoded.text)
    return candidate(
        kind=TEXT,
        uri=source.uri,
        entry_key="",
        entry_id=None,
        text=body,
        title=title,
        published=published,
        settings=settings,
        repairs=[r.as_record() for r in decoded.repairs],
    )


def _optional_str(obj: dict[str, Any], field: str) -> str | None:
    value = obj.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"field {field!r} must be a string, not {type(value).__name__}")
    return value.strip() or None


def parse_json_line(line: str, uri: str, settings: RunSettings) -> dict[str, Any]:
    """One JSON Lines item; raises for bad JSON or a missing ``text``."""
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise InputError(f"a JSON line must be an object, not {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise MissingField("field 'text' is missing or empty")
    raw_id = obj.get("id")
    entry_id = None if raw_id is None else str(raw_id)
    url = _optional_str(obj, "url")
    published_raw = obj.get("published")
    published = parse_date_string(published_raw, "jsonl") if isinstance(published_raw, str) else None
    return candidate(
        kind=JSONL,
        uri=uri,
        entry_key=entry_id or url or stable_id(text),
        entry_id=entry_id,
        text=text,
        url=url,
        title=_optional_str(obj, "title"),
        published=published,
        declared=declared_language(_optional_str(obj, "language")),
        declared_scope=ENTRY_SCOPE,
        settings=settings,
    )


def _entry_language(entry: dict[str, Any], feed_language: str | None) -> tuple[str | None, str | None]:
    """(declared language, scope): ``entry`` for xml:lang on the entry's own text
    (inherited from the feed element in Atom), ``feed`` for RSS's channel-wide default.
    """
    for detail in [*entry.get("content", []), entry.get("summary_detail"), entry.get("title_detail")]:
        if detail and detail.get("language"):
            return declared_language(detail["language"]), ENTRY_SCOPE
    if entry.get("language"):
        return declared_language(entry["language"]), ENTRY_SCOPE
    return feed_language, (FEED_SCOPE if feed_language else None)


def _web_address(link: str | None) -> str | None:
    """An entry's link when it locates a page: feedparser copies an Atom id such as
    ``urn:uuid:...`` into ``link`` when there is none, and that is no address.

    >>> _web_address("https://a.test/1"), _web_address("urn:uuid:1234"), _web_address("/news/1")
    ('https://a.test/1', None, '/news/1')
    """
    if not link or not link.strip():
        return None
    scheme = urlparse(link.strip()).scheme.lower()
    return link.strip() if scheme in ("", "http", "https") else None


def _entry_text(entry: dict[str, Any]) -> str:
    details = list(entry.get("content", []))
    if entry.get("summary_detail"):
        details.append(entry["summary_detail"])
    for detail in details:
        value = detail.get("value") or ""
        if not value.strip():
            continue
        if "html" in (detail.get("type") or "html"):
            value = html_to_text(value)
        if value.strip():
            return value
    return ""


def _entry_published(entry: dict[str, Any], atom: bool = False) -> dict[str, str] | None:
    """The entry's date, in order of trust: published, created, updated.

    An Atom entry without ``published`` (Atom requires only ``updated``) is dated by its
    last edit, and says so (``feed_updated``): an edit days later tells nothing of when
    the text first came out, which ordering a translation after its original needs.
    feedparser files RSS's ``dc:date``, a publication date, under ``updated`` too, so
    outside Atom it stays ``feed``.
    """
    for field in ("published", "created", "updated"):
        source = "feed_updated" if atom and field == "updated" else "feed"
        parsed = parse_date_string(entry.get(field), source) or from_struct_time(
            entry.get(f"{field}_parsed"), source
        )
        if parsed:
            return parsed
    return None


# --- entity declarations: nothing in a feed may make the parser expand or fetch ---------

_ENTITY_DECL = re.compile(r"""<!ENTITY\s+(%\s*)?([^\s>]+)\s*(?:"([^"]*)"|'([^']*)'|[^>]*)\s*>""")
_CHAR_REF = re.compile(r"&#(?:\d+|x[0-9a-fA-F]+);")
_FIRST_ELEMENT = re.compile(r"<[A-Za-z_]")
#: Most text the entities a feed declares may add in all: names such as ``&nbsp;`` or a
#: site's URL prefix fit many times over, a blowup (one long entity used a thousand times) does not.
MAX_ENTITY_EXPANSION = 64 * 1024
_WIDE = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)


def defuse_entities(data: bytes) -> tuple[bytes, int]:
    """The document without entity declarations that could expand or fetch; (data, removed).

    Kept: internal general entities whose value is plain text or one character
    reference, as long as all their uses together add at most MAX_ENTITY_EXPANSION
    characters. Removed: parameter and external entities (a file or URL to read),
    entities built of other entities ("billion laughs"), and every declaration of a
    document whose entities would add more (a quadratic blowup). A use of a removed
    entity stays as it was written, and the document is parsed as malformed.

    >>> defuse_entities(b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&b;</r>')
    (b'<!DOCTYPE r [<!ENTITY a "x">]><r>&b;</r>', 1)
    >>> defuse_entities(b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')[1]
    1
    >>> defuse_entities(b'<!DOCTYPE r [<!ENTITY a "' + b"A" * 1000 + b'">]><r>' + b"&a;" * 100 + b"</r>")[1]
    1
    >>> defuse_entities(b"<rss><channel/></rss>")
    (b'<rss><channel/></rss>', 0)
    """
    if b"<!ENTITY" not in data and b"<\x00!\x00E\x00N" not in data and b"\x00<\x00!\x00E" not in data:
        return data, 0
    codec = next((name for mark, name in _WIDE if data.startswith(mark)), "latin-1")
    try:
        # latin-1 maps every byte to one character and back: the bytes of any
        # ASCII-compatible charset come out unchanged wherever nothing is removed.
        text = data.decode(codec)
    except UnicodeDecodeError:
        return data, 0  # feedparser's own DOCTYPE rules still apply
    first = _FIRST_ELEMENT.search(text)
    head, body = (text[: first.start()], text[first.start() :]) if first else (text, "")
    drop: list[re.Match[str]] = []
    expansion = 0
    kept: list[re.Match[str]] = []
    for match in _ENTITY_DECL.finditer(head):
        value = match[3] if match[3] is not None else match[4]
        nested = value is not None and "&" in value and not _CHAR_REF.fullmatch(value)
        if match[1] or value is None or nested or "%" in value:
            drop.append(match)
        else:
            kept.append(match)
            expansion += body.count(f"&{match[2]};") * len(value)
    if expansion > MAX_ENTITY_EXPANSION:
        drop.extend(kept)
    if not drop:
        return data, 0
    for match in sorted(drop, key=lambda m: m.start(), reverse=True):
        head = head[: match.start()] + head[match.end() :]
    return (head + body).encode(codec), len(drop)


def _charset_header(charset: str | None) -> dict[str, str] | None:
    """The server's charset as feedparser weighs it (above the XML declaration, RFC 7303).

    Only the charset goes in: with a media type, feedparser would apply RFC 3023's
    obsolete rule that ``text/xml`` without a charset is us-ascii.

    >>> _charset_header("us-ascii"), _charset_header(None)
    ({'content-type': 'application/xml; charset=us-ascii'}, None)
    """
    return {"content-type": f"application/xml; charset={charset}"} if charset else None


def _charset_detail(problem: Exception, http_charset: str | None) -> str:
    """Why the text was decoded with another charset than declared, and who declared it.

    >>> _charset_detail(ValueError("document declared as us-ascii, but parsed as utf-8"), "us-ascii")
    'document declared as us-ascii, but parsed as utf-8 (HTTP Content-Type charset=us-ascii)'
    """
    detail = str(problem)[:300]
    return f"{detail} (HTTP Content-Type charset={http_charset})" if http_charset else detail


_XML_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def _utf8_declared_as(data: bytes) -> str | None:
    """The single-byte charset an XML declaration names for bytes that are really
    non-ASCII UTF-8, else None.

    >>> _utf8_declared_as('<?xml version="1.0" encoding="iso-8859-1"?><r>café</r>'.encode())
    'iso-8859-1'
    >>> _utf8_declared_as('<?xml version="1.0" encoding="iso-8859-1"?><r>café</r>'.encode("latin-1"))
    >>> _utf8_declared_as('<?xml version="1.0" encoding="utf-8"?><r>café</r>'.encode())
    """
    match = _XML_DECLARED_ENCODING.match(data[:512])
    if not match or data.isascii():
        return None
    declared = match.group(1).decode("ascii").lower()
    try:
        if codecs.lookup(declared).name.startswith(("utf-", "utf_")):
            return None
        data.decode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return None
    return declared


def parse_feed_entries(source: SourceFile, settings: RunSettings) -> Iterator[Any]:
    """Yield one candidate per entry, or a dead letter per entry that cannot be one.

    A document that is not a feed at all yields a single dead letter.
    """
    # Bytes, never a URL or path: feedparser must not fetch anything itself.
    data, _ = defuse_entities(source.data)
    parsed = feedparser.parse(
        data,
        resolve_relative_uris=False,
        sanitize_html=True,
        response_headers=_charset_header(source.charset),
    )
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries:
        if parsed.get("version") and not problem:
            return  # a valid feed with no entries: zero items, not an error
        if problem and parsed.get("version"):
            raise MalformedFeed(f"malformed feed, no entry could be read: {problem}")
        raise NotAFeed(f"not an RSS or Atom feed{': ' + str(problem) if problem else ''}")
    feed_language = declared_language(parsed.feed.get("language"))
    atom = str(parsed.get("version") or "").startswith("atom")
    charset = parsed.get("encoding")
    lie = None if isinstance(problem, feedparser.CharacterEncodingOverride) else _utf8_declared_as(data)
    for index, entry in enumerate(parsed.entries):
        entry_id = entry.get("id") or None
        link = _web_address(entry.get("link"))
        text = _entry_text(entry)
        title_detail = entry.get("title_detail") or {}
        title = entry.get("title") or None
        if title and "html" in (title_detail.get("type") or ""):
            title = html_to_text(title)
        key = entry_id or link or stable_id(title, text) or str(index)
        try:
            if not text.strip() and problem:
                raise MalformedFeed(f"entry has no text; the feed is malformed: {problem}")
            repairs = []
            if problem and isinstance(problem, feedparser.CharacterEncodingOverride):
                repairs.append(
                    {
                        "kind": "charset",
                        "detail": _charset_detail(problem, source.charset),
                        "original": "",
                        "replacement": "",
                        "count": 1,
                    }
                )
            if lie:
                # The XML parser reads such bytes as UTF-8 whatever the declaration
                # says, and feedparser reports nothing: record the lie here.
                repairs.append(
                    {
                        "kind": "charset",
                        "detail": f"document declared as {lie}, but its bytes are utf-8",
                        "original": "",
                        "replacement": "",
                        "count": 1,
                    }
                )
            declared, scope = _entry_language(entry, feed_language)
            yield candidate(
                kind=FEED,
                uri=source.uri,
                entry_key=key,
                entry_id=entry_id,
                text=text,
                url=link,
                title=title,
                published=_entry_published(entry, atom),
                declared=declared,
                declared_scope=scope,
                settings=settings,
                repairs=repairs,
            )
        except InputError as error:
            yield pvalue.TaggedOutput(
                DEAD_LETTER,
                dead_letter(
                    source_uri=source.uri,
                    entry_id=entry_id,
                    stage=STAGE,
                    error=error,
                    payload={
                        "title": title,
                        "link": link,
                        "id": entry_id,
                        "charset": charset,
                        "entry": {k: v for k, v in entry.items() if isinstance(v, str)},
                    },
                    run_time_millis=settings.run_time_millis,
                ),
            )


class ParseFileFn(beam.DoFn):
    """One file in, its items out: candidates (main) and dead letters (``dead_letter``)."""

    DEAD_LETTER = DEAD_LETTER

    def __init__(self, settings: RunSettings):
        self.settings = settings

    def _dead(
        self,
        source: SourceFile,
        error: Exception | str,
        payload: Any,
        entry_id: str | None = None,
        error_type: str | None = None,
    ) -> pvalue.TaggedOutput:
        return pvalue.TaggedOutput(
            DEAD_LETTER,
            dead_letter(
                source_uri=source.uri,
                entry_id=entry_id,
                stage=STAGE,
                error=error,
                error_type=error_type,
                payload=payload,
                run_time_millis=self.settings.run_time_millis,
            ),
        )

    def process(self, source: SourceFile) -> Iterator[Any]:
        try:
            fmt = detect_format(source.uri, source.data)
            if fmt == FEED:
                yield from parse_feed_entries(source, self.settings)
            elif fmt == JSONL:
                yield from self._json_lines(source)
            else:
                yield parse_text(source, self.settings)
        except Exception as error:  # a parser bug on one file must not fail the run
            yield self._dead(source, error, source.data)

    def _json_lines(self, source: SourceFile) -> Iterator[Any]:
        decoded = decode_bytes(source.data)
        for number, line in enumerate(decoded.text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                yield parse_json_line(line, source.uri, self.settings)
            except (InputError, ValueError) as error:
                yield self._dead(
                    source,
                    f"line {number}: {error}",
                    line,
                    entry_id=_json_id(line),
                    error_type=type(error).__name__,
                )


def _json_id(line: str) -> str | None:
    """The ``id`` of a JSON line that failed for another reason, when it has one."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    if isinstance(raw, dict) and raw.get("id") is not None:
        return str(raw["id"])
    return None


class ParseItems(beam.PTransform):
    """SourceFile -> article candidates (main) and dead letters (``dead_letter``)."""

    def __init__(self, settings: RunSettings):
        super().__init__()
        self.settings = settings

    def expand(self, files: beam.PCollection) -> pvalue.DoOutputsTuple:
        return files | "ParseFiles" >> beam.ParDo(ParseFileFn(self.settings)).with_outputs(
            DEAD_LETTER, main="articles"
        )
