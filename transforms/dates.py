"""Stage ``dates``: the publication date, the day of the main event, and every
date an article mentions, normalized to TIMEX3 values.

- ``published``: what parsing took from the feed, the JSON or the text header;
  else a date the text itself states (an "Updated:" or "First modification:"
  line, a dateline).
- ``dates``: English date and time expressions (``transforms.timex``) and
  absolute dates in other languages (``transforms.dates_locale``), relative
  ones resolved against the publication date, never against the clock.
- ``event_date``: the day the main event happened when the text pins it. A
  month-precision ``published`` is refined first when a weekday the text
  mentions agrees with an absolute date of that month ("Tuesday" and
  "14 March 2023"), and relative mentions are resolved against that day.

    pytest --doctest-modules transforms/dates*.py transforms/timex.py tests/test_dates*.py
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import apache_beam as beam

from transforms.common import RunSettings, run_stage
from transforms.dates_locale import find_foreign
from transforms.timex import WEEKDAYS, Anchor, Mention, find_english

STAGE = "dates"

PRECISIONS = ("year", "month", "day", "hour", "minute", "second")

_ISO_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)


_HAS_SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")


def date_value(value: str, precision: str, source: str) -> dict[str, str]:
    return {"value": value, "precision": precision, "source": source}


def _tz_suffix(tz: str | None) -> str:
    if not tz:
        return ""
    if tz == "Z":
        return "+00:00"
    return tz if ":" in tz else f"{tz[:3]}:{tz[3:]}"


def parse_iso(text: str, source: str) -> dict[str, str] | None:
    """An ISO 8601 date or datetime of any precision, kept at that precision.

    >>> parse_iso("2023-03", "header")
    {'value': '2023-03', 'precision': 'month', 'source': 'header'}
    >>> parse_iso("2024-06-07T09:30Z", "jsonl")["value"]
    '2024-06-07T09:30+00:00'
    >>> parse_iso("2024-02-30", "jsonl") is None
    True
    """
    match = _ISO_DATE.match(text.strip())
    if not match:
        return None
    y, m, d, hh, mm, ss, tz = match.group("y", "m", "d", "H", "M", "S", "tz")
    try:
        date(int(y), int(m or 1), int(d or 1))
        if hh is not None and not (int(hh) < 24 and int(mm) < 60 and int(ss or 0) < 60):
            return None
    except ValueError:
        return None
    if tz and tz != "Z":
        digits = tz[1:].replace(":", "")
        if int(digits[:2]) > 23 or int(digits[2:]) > 59:  # what fromisoformat accepts
            return None
    if hh is not None:
        value = f"{y}-{m}-{d}T{hh}:{mm}"
        precision = "minute"
        if ss is not None:
            value += f":{ss}"
            precision = "second"
        return date_value(value + _tz_suffix(tz), precision, source)
    if d is not None:
        return date_value(f"{y}-{m}-{d}", "day", source)
    if m is not None:
        return date_value(f"{y}-{m}", "month", source)
    return date_value(y, "year", source)


def parse_date_string(text: str | None, source: str) -> dict[str, str] | None:
    """A date as feeds and JSON write it: ISO 8601 or RFC 822.

    >>> parse_date_string("Tue, 14 Mar 2023 09:30:00 +0100", "feed")["value"]
    '2023-03-14T09:30:00+01:00'
    >>> parse_date_string("2024-06-07T09:30:00+02:00", "feed")["precision"]
    'second'
    >>> parse_date_string("soon", "feed") is None
    True
    """
    if not text or not text.strip():
        return None
    parsed = parse_iso(text, source)
    if parsed:
        return parsed
    try:
        moment = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if _HAS_SECONDS.search(text):
        return date_value(moment.isoformat(), "second", source)
    return date_value(moment.isoformat(timespec="minutes"), "minute", source)


def from_struct_time(value: Any, source: str) -> dict[str, str] | None:
    """feedparser's normalized UTC ``time.struct_time``, when the raw string failed."""
    if not value:
        return None
    try:
        moment = datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return date_value(moment.isoformat(), "second", source)


# --- mentions ---------------------------------------------------------------------


@dataclass(frozen=True)
class DateSettings:
    """How the stage decides ``published`` from the text and pins ``event_date``."""

    #: Lines at the top and at the bottom of the text searched for "Updated: …" stamps.
    stamp_lines: int = 6
    #: A relative day ("Friday", "yesterday") counts as the event's day only this many days
    #: before the publication day; later or earlier ones are other events.
    event_window_days: int = 7
    #: Absolute dates count for the event only in the lead (characters from the start).
    lead_chars: int = 1500
    #: Read absolute dates in other languages (transforms.dates_locale).
    foreign: bool = True
    #: Without a publication date, a weekday and a written date pin the event's day only
    #: this close together (characters).
    pin_reach: int = 300


def _merge(*groups: list[Mention]) -> list[Mention]:
    """One sorted, disjoint list; where mentions overlap the longest (then the first) stays."""
    chosen: list[Mention] = []
    for mention in sorted((m for g in groups for m in g), key=lambda m: (-(m.end - m.start), m.start)):
        if all(mention.end <= c.start or mention.start >= c.end for c in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def mentions_of(
    text: str, anchor: Anchor | None, language: str | None, settings: DateSettings
) -> list[Mention]:
    """English expressions always (numbers and years read the same everywhere), plus
    absolute dates in the article's language when it is not English."""
    # Outside English, numeric dates put the day first (14/03/2023); English writers differ.
    english = find_english(text, anchor, day_first=None if language in (None, "en") else True)
    if not settings.foreign or language == "en":
        return english
    return _merge(english, find_foreign(text, language, anchor))


def find_mentions(
    text: str,
    published: dict[str, str] | None,
    *,
    language: str | None = None,
    settings: DateSettings | None = None,
) -> list[dict[str, Any]]:
    """Date mentions as schema records, relative ones resolved against ``published``.

    >>> pub = {"value": "2023-03-14", "precision": "day", "source": "header"}
    >>> [(m["text"], m["value"], m["anchor"]) for m in find_mentions("Rain fell yesterday, not now.", pub)]
    [('yesterday', '2023-03-13', '2023-03-14'), ('now', 'PRESENT_REF', None)]
    """
    settings = settings or DateSettings()
    anchor = Anchor.parse(published["value"]) if published else None
    return [m.as_record() for m in mentions_of(text, anchor, language, settings)]


# --- published from the text ------------------------------------------------------

_STAMP = re.compile(
    r"^[ \t*_#>]*(?P<label>first published|published|posted|first modification|primera modificaci[oó]n"
    r"|publi[ée]|publicado|veröffentlicht|pubblicato|last updated|last modified|updated|last modification"
    r"|modified|mis à jour|actualizado|aktualisiert|aggiornato|date|dated)"
    r"(?:\s+(?:on|at|le|am|el|il))?\s*:?\s*(?P<rest>\S.*)$",
    re.I | re.M,
)
#: Stamps that give the first publication; the others ("Updated") a later one.
_FIRST = frozenset(
    "first published|published|posted|first modification|primera modificación|primera modificacion|publié"
    "|publie|publicado|veröffentlicht|pubblicato|date|dated".split("|")
)
_CLOCK = re.compile(
    r"\s*(?:,|-|–|—|at|à|a las|um|alle|às)?\s*(?P<h>[01]?\d|2[0-3])[:.h](?P<m>[0-5]\d)"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\.?)?"
)
_DATELINE_PLACE = re.compile(r"\s*(?:[A-ZÀ-Ý][\w .'’-]{1,40}?,\s*|\(\w[\w .'’-]*\)\s*)?")
#: What may follow a dateline's date: an agency in brackets, then a dash, colon or line end.
_DATELINE_END = re.compile(r"\s*(?:\([^)\n]{1,40}\)\s*)?(?:[-–—:|]|\n|$)")
_DAY_OR_MONTH = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
_BARE_CLOCK = re.compile(r"XXXX-XX-XXT(\d{2}:\d{2})")


def _stamp_date(rest: str, language: str | None, settings: DateSettings) -> tuple[dict[str, str], int] | None:
    """The date (with its clock time) a stamp starts with, at the precision written,
    and where it ends in ``rest``: "14 March 2023 09:30", "2:05 PM ET, March 14, 2023".
    """
    stripped = rest.strip()
    # ISO only: RFC 822 parsing would invent a UTC zone for "14 March 2023 09:30".
    first_word = stripped.split()[0] if stripped else ""
    parsed = parse_iso(first_word, "text")
    if parsed:
        return parsed, rest.index(first_word) + len(first_word)
    mentions = mentions_of(rest[:100], None, language, settings)
    if not mentions or mentions[0].start > 3:
        return None
    first = mentions[0]
    clock_first = _BARE_CLOCK.match(first.value)
    if clock_first and len(mentions) > 1 and mentions[1].start - first.end <= 12:
        # a time before the date: "2:05 PM ET, Tue March 14, 2023"
        day = mentions[1]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.value):
            return date_value(f"{day.value}T{clock_first.group(1)}", "minute", "text"), day.end
        return None
    if not _DAY_OR_MONTH.fullmatch(first.value):
        return None  # relative ("yesterday"), vague or unresolved: not a stamp
    if len(first.value) == 7:
        return date_value(first.value, "month", "text"), first.end
    clock = _CLOCK.match(rest, first.end)
    if clock:
        hour = int(clock["h"])
        if clock["ampm"]:
            hour = hour % 12 + (12 if clock["ampm"].lower() == "p" else 0)
        return date_value(f"{first.value}T{hour:02d}:{clock['m']}", "minute", "text"), clock.end()
    return date_value(first.value, "day", "text"), first.end


def published_from_text(
    text: str, language: str | None = None, settings: DateSettings | None = None
) -> dict[str, str] | None:
    """A publication date the text states: a "Published:"/"First modification:" stamp,
    else an "Updated:" one, else a dateline that opens the text. Never a date in the prose.

    >>> published_from_text("Updated: 14 March 2023 09:30\\nA missile struck.")
    {'value': '2023-03-14T09:30', 'precision': 'minute', 'source': 'text'}
    >>> published_from_text("KYIV, March 14, 2023 (Reuters) - A missile struck.")["value"]
    '2023-03-14'
    >>> published_from_text("First modification:\\nA witness said on Sunday.") is None
    True
    """
    settings = settings or DateSettings()
    lines = text.splitlines()
    n = settings.stamp_lines
    candidates = [*lines[:n], *lines[-n:]] if len(lines) > 2 * n else lines
    first_hand: dict[str, str] | None = None
    updated: dict[str, str] | None = None
    for line in candidates:
        match = _STAMP.match(line)
        found = _stamp_date(match["rest"], language, settings) if match else None
        if not match or not found:
            continue
        if match["label"].lower() in _FIRST:
            first_hand = first_hand or found[0]
        else:
            updated = updated or found[0]
    if first_hand or updated:
        return first_hand or updated
    opening = text.lstrip()[:160]
    place = _DATELINE_PLACE.match(opening)
    rest = opening[place.end() :] if place else opening
    found = _stamp_date(rest, language, settings)
    if found and _DATELINE_END.match(rest, found[1]):
        return found[0]
    return None


# --- the event's day ----------------------------------------------------------------

_DAY_VALUE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UNRESOLVED_WEEKDAY = re.compile(r"XXXX-WXX-(\d)")
#: By ISO weekday number; not strftime("%A"), which follows the machine's locale.
_WEEKDAY_NAMES = {number: name for name, number in WEEKDAYS.items()}


def _day_of(value: str) -> date | None:
    match = _DAY_VALUE.match(value)
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def pin_day(
    mentions: list[Mention], anchor: Anchor | None, settings: DateSettings | None = None
) -> date | None:
    """The day a weekday mention and an absolute date agree on, within the anchor's month
    or year: "Tuesday" and "14 March 2023" (a Tuesday) under ``2023-03`` pin 2023-03-14.
    Without an anchor the two must also stand close together (``pin_reach``): a
    date far from the weekday may be another event that fell on the same weekday.

    >>> t = "Strikes on Tuesday. Update of 14 March 2023."
    >>> pin_day(find_english(t, Anchor.parse("2023-03")), Anchor.parse("2023-03"))
    datetime.date(2023, 3, 14)
    >>> pin_day(find_english(t, Anchor.parse("2023-04")), Anchor.parse("2023-04")) is None
    True
    """
    settings = settings or DateSettings()
    weekdays = [(int(m.group(1)), x) for x in mentions if (m := _UNRESOLVED_WEEKDAY.match(x.value))]
    for mention in mentions:
        if mention.anchor is not None:
            continue  # only dates the text spells out pin anything
        day = _day_of(mention.value)
        if day is None:
            continue
        agreeing = [w for number, w in weekdays if number == day.isoweekday()]
        if mention.text.lower().startswith(_WEEKDAY_NAMES[day.isoweekday()]):
            agreeing.append(mention)  # "Tuesday, 14 March 2023" agrees with itself
        if not agreeing:
            continue
        if anchor is None:
            if not any(abs(w.start - mention.start) <= settings.pin_reach for w in agreeing):
                continue
        elif day.year != anchor.year or (anchor.month and day.month != anchor.month):
            continue
        return day
    return None


def event_day(mentions: list[Mention], anchor: Anchor | None, settings: DateSettings) -> date | None:
    """The first day the text gives for what happened, seen from a day-precision anchor:
    a resolved relative day ("Friday", "yesterday") in the week up to the anchor, or an
    absolute date in the lead within that week."""
    anchor_day = anchor.date if anchor else None
    if anchor_day is None:
        return None
    earliest = anchor_day - timedelta(days=settings.event_window_days)
    days = [(m, d) for m in mentions if (d := _day_of(m.value)) is not None and earliest <= d <= anchor_day]
    # A day said relative to the publication ("Friday", "yesterday") tells the news event;
    # a written-out date may be a stamp or an aside, so it only counts when there is none.
    for mention, day in days:
        if mention.anchor is not None:
            return day
    for mention, day in days:
        if mention.start < settings.lead_chars:
            return day
    return None


def date_stage(article: dict[str, Any], settings: DateSettings) -> dict[str, Any]:
    """The article with ``published`` (from the text when no source gave one),
    ``event_date`` and ``dates`` filled."""
    text = article["text"]
    language = (article.get("language") or {}).get("code")
    published = article.get("published") or published_from_text(text, language, settings)
    anchor = Anchor.parse(published["value"]) if published else None
    mentions = mentions_of(text, anchor, language, settings)
    event: date | None = None
    if anchor is None or anchor.day is None:
        event = pin_day(mentions, anchor, settings)
        if event is not None:
            # Resolve the text again against the pinned day: "Tuesday" now has a date.
            mentions = mentions_of(text, Anchor(event.year, event.month, event.day), language, settings)
    else:
        event = event_day(mentions, anchor, settings)
    return {
        **article,
        "published": published,
        "event_date": date_value(event.isoformat(), "day", "text") if event else None,
        "dates": [m.as_record() for m in mentions],
    }


def _extractor(_: RunSettings) -> Callable[[dict[str, Any]], dict[str, Any]]:
    settings = DateSettings()

    def extract(article: dict[str, Any]) -> dict[str, Any]:
        return date_stage(article, settings)

    return extract


class ExtractDates(beam.PTransform):
    """Articles -> articles with ``published``, ``event_date`` and ``dates`` (main) and dead
    letters (``dead_letter``)."""

    def __init__(self, settings: RunSettings):
        super().__init__()
        self.settings = settings

    def expand(self, articles: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
        return run_stage(articles, "FindDateMentions", STAGE, self.settings, _extractor)
