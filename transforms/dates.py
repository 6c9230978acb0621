"""Stage ``dates``: the publication date's value and precision, and the dates
an article mentions, normalized to TIMEX3 values.

This first version finds absolute dates written in full (``14 March 2023``,
``March 14, 2023``, ``2023-03-14``); relative expressions come later.

    pytest --doctest-modules transforms/dates.py tests/test_dates.py
"""

from __future__ import annotations

import calendar
import email.utils
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import apache_beam as beam

from transforms.common import RunSettings, run_stage

STAGE = "dates"

PRECISIONS = ("year", "month", "day", "hour", "minute", "second")

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)

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


_DAY_MONTH_YEAR = re.compile(
    r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r",?\s+(?P<year>\d{4})\b"
)
_MONTH_DAY_YEAR = re.compile(
    r"\b" + _MONTH_RE + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b"
)
_ISO_IN_TEXT = re.compile(r"(?<![\d/.-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d/-])")


def _valid_date(year: str, month: int, day: str) -> str | None:
    try:
        return date(int(year), month, int(day)).isoformat()
    except ValueError:
        return None


def find_absolute_dates(text: str) -> list[dict[str, Any]]:
    """Absolute calendar dates written in full, as TIMEX3 mentions.

    >>> [(m["text"], m["value"]) for m in find_absolute_dates(
    ...     "On 14 March 2023 and March 14, 2023 (2023-03-14), not 31 June 2023.")]
    [('14 March 2023', '2023-03-14'), ('March 14, 2023', '2023-03-14'), ('2023-03-14', '2023-03-14')]
    """
    found: list[tuple[int, int, str]] = []
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            value = _valid_date(match["year"], _MONTHS[match["month"].lower()], match["day"])
            if value:
                found.append((match.start(), match.end(), value))
    for match in _ISO_IN_TEXT.finditer(text):
        value = _valid_date(match["year"], int(match["month"]), match["day"])
        if value:
            found.append((match.start(), match.end(), value))
    mentions: list[dict[str, Any]] = []
    last_end = -1
    for start, end, value in sorted(found, key=lambda f: (f[0], -f[1])):
        if start < last_end:  # overlapping forms: keep the first, longest
            continue
        mentions.append(
            {
                "text": text[start:end],
                "start": start,
                "end": end,
                "type": "DATE",
                "value": value,
                "anchor": None,
            }
        )
        last_end = end
    return mentions


def extract_dates(article: dict[str, Any]) -> dict[str, Any]:
    return {**article, "dates": find_absolute_dates(article["text"])}


def _extractor(_: RunSettings) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return extract_dates


class ExtractDates(beam.PTransform):
    """Articles -> articles with ``dates`` (main) and dead letters (``dead_letter``)."""

    def __init__(self, settings: RunSettings):
        super().__init__()
        self.settings = settings

    def expand(self, articles: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
        return run_stage(articles, "FindDateMentions", STAGE, self.settings, _extractor)
