"""Unit tests for transforms.dates: ISO and RFC 822 parsing, absolute date mentions."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

import pytest

from transforms.dates import find_absolute_dates, parse_date_string, parse_iso


def _dv(value: str, precision: str, source: str = "test") -> dict[str, str]:
    return {"value": value, "precision": precision, "source": source}


# --- parse_iso ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2023", "2023", "year"),
        ("2023-03", "2023-03", "month"),
        ("2023-03-14", "2023-03-14", "day"),
        ("2024-02-29", "2024-02-29", "day"),  # leap day
        ("2000-02-29", "2000-02-29", "day"),
        ("2023-03-14T09:30", "2023-03-14T09:30", "minute"),
        ("2023-03-14 09:30", "2023-03-14T09:30", "minute"),
        ("2023-03-14T00:00", "2023-03-14T00:00", "minute"),
        ("2023-03-14T09:30:15", "2023-03-14T09:30:15", "second"),
        ("2023-03-14T23:59:59", "2023-03-14T23:59:59", "second"),
        ("2023-03-14T09:30:15.250", "2023-03-14T09:30:15", "second"),
        (" 2023-03-14 ", "2023-03-14", "day"),
    ],
)
def test_parse_iso_precisions(text: str, value: str, precision: str) -> None:
    assert parse_iso(text, "test") == _dv(value, precision)


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2023-03-14T09:30:15Z", "2023-03-14T09:30:15+00:00", "second"),
        ("2023-03-14T09:30Z", "2023-03-14T09:30+00:00", "minute"),
        ("2023-03-14T09:30:15+02:00", "2023-03-14T09:30:15+02:00", "second"),
        ("2023-03-14T09:30:15+0200", "2023-03-14T09:30:15+02:00", "second"),
        ("2023-03-14T09:30:15-05:30", "2023-03-14T09:30:15-05:30", "second"),
        ("2023-03-14T09:30-0800", "2023-03-14T09:30-08:00", "minute"),
        ("2023-03-14T09:30:15.5+05:45", "2023-03-14T09:30:15+05:45", "second"),
    ],
)
def test_parse_iso_zones(text: str, value: str, precision: str) -> None:
    result = parse_iso(text, "test")
    assert result == _dv(value, precision)
    # Every value with a zone is a real, zone-aware datetime.
    assert datetime.fromisoformat(result["value"]).utcoffset() is not None


def test_parse_iso_keeps_the_source_label() -> None:
    assert parse_iso("2023-03", "header") == _dv("2023-03", "month", "header")
    assert parse_iso("2023-03", "jsonl") == _dv("2023-03", "month", "jsonl")


@pytest.mark.parametrize(
    "text",
    [
        # invalid month
        "2023-13",
        "2023-00",
        "2023-13-01",
        # invalid day
        "2023-02-29",
        "2023-04-31",
        "2023-03-00",
        "2023-03-32",
        # invalid hour / minute / second
        "2023-03-14T24:00",
        "2023-03-14T25:30",
        "2023-03-14T23:60",
        "2023-03-14T23:59:60",
        # not ISO 8601 at all, or only partly
        "0000-01-01",
        "2023-3-14",
        "23-03-14",
        "20230314",
        "2023/03/14",
        "2023-03-14T09",
        "2023-03-14Z",
        "2023-03-14T09:30:15 GMT",
        "March 2023",
        "",
        "   ",
    ],
)
def test_parse_iso_invalid_is_none(text: str) -> None:
    assert parse_iso(text, "test") is None


@pytest.mark.parametrize("text", ["2023-03-14T09:30:15+25:00", "2023-03-14T09:30:15+05:99"])
def test_parse_iso_invalid_offset_is_none(text: str) -> None:
    assert parse_iso(text, "test") is None


# --- parse_date_string -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Tue, 14 Mar 2023 09:30:00 +0100", "2023-03-14T09:30:00+01:00"),
        ("Tue, 14 Mar 2023 09:30:00 -0530", "2023-03-14T09:30:00-05:30"),
        ("14 Mar 2023 09:30:00 +0000", "2023-03-14T09:30:00+00:00"),  # weekday is optional
        ("Tue, 14 Mar 23 09:30:00 +0100", "2023-03-14T09:30:00+01:00"),  # two-digit year
        ("  Tue, 14 Mar 2023 09:30:00 +0100  ", "2023-03-14T09:30:00+01:00"),
    ],
)
def test_parse_date_string_rfc822_numeric_zone(text: str, value: str) -> None:
    assert parse_date_string(text, "feed") == _dv(value, "second", "feed")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Tue, 14 Mar 2023 09:30:00 GMT", "2023-03-14T09:30:00+00:00"),
        ("Tue, 14 Mar 2023 09:30:00 UT", "2023-03-14T09:30:00+00:00"),
        ("Tue, 14 Mar 2023 09:30:00 EST", "2023-03-14T09:30:00-05:00"),
        ("Tue, 14 Mar 2023 09:30:00 EDT", "2023-03-14T09:30:00-04:00"),
        ("Tue, 14 Mar 2023 09:30:00 PST", "2023-03-14T09:30:00-08:00"),
        ("Tue, 14 Mar 2023 09:30:00 -0000", "2023-03-14T09:30:00+00:00"),
    ],
)
def test_parse_date_string_rfc822_named_zone(text: str, value: str) -> None:
    assert parse_date_string(text, "feed") == _dv(value, "second", "feed")


def test_parse_date_string_rfc822_without_seconds_keeps_minute_precision() -> None:
    rfc = parse_date_string("Tue, 14 Mar 2023 09:30 +0100", "feed")
    iso = parse_date_string("2023-03-14T09:30+01:00", "feed")
    assert iso == _dv("2023-03-14T09:30+01:00", "minute", "feed")
    assert rfc == iso


def test_parse_date_string_rfc822_without_seconds_has_the_right_instant() -> None:
    result = parse_date_string("Tue, 14 Mar 2023 09:30 +0100", "feed")
    assert result is not None
    assert datetime.fromisoformat(result["value"]) == datetime.fromisoformat("2023-03-14T09:30:00+01:00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023", _dv("2023", "year", "feed")),
        ("2023-03", _dv("2023-03", "month", "feed")),
        ("2023-03-14", _dv("2023-03-14", "day", "feed")),
        ("2024-06-07T09:30:00+02:00", _dv("2024-06-07T09:30:00+02:00", "second", "feed")),
        ("2024-06-07T09:30:00Z", _dv("2024-06-07T09:30:00+00:00", "second", "feed")),
        ("2024-06-07T09:30Z", _dv("2024-06-07T09:30+00:00", "minute", "feed")),
    ],
)
def test_parse_date_string_iso(text: str, expected: dict[str, str]) -> None:
    assert parse_date_string(text, "feed") == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "soon",
        "yesterday",
        "Tue, 31 Feb 2023 09:30:00 GMT",
        "Tue, 14 Mar 2023 25:30:00 GMT",
        "2023-13-01",
        "2023-02-30",
    ],
)
def test_parse_date_string_unparseable_is_none(text: str | None) -> None:
    assert parse_date_string(text, "feed") is None


# --- find_absolute_dates -----------------------------------------------------


def _mentions(text: str) -> list[tuple[str, int, int, str]]:
    found = find_absolute_dates(text)
    for mention in found:
        assert text[mention["start"] : mention["end"]] == mention["text"]
        assert mention["type"] == "DATE"
        assert mention["anchor"] is None
    return [(m["text"], m["start"], m["end"], m["value"]) for m in found]


def test_find_absolute_dates_three_forms_with_offsets() -> None:
    text = "On 14 March 2023 and March 14, 2023 (2023-03-14) the port closed."
    assert _mentions(text) == [
        ("14 March 2023", 3, 16, "2023-03-14"),
        ("March 14, 2023", 21, 35, "2023-03-14"),
        ("2023-03-14", 37, 47, "2023-03-14"),
    ]


def test_find_absolute_dates_mention_record_shape() -> None:
    assert find_absolute_dates("Due 2024-06-07.") == [
        {"text": "2024-06-07", "start": 4, "end": 14, "type": "DATE", "value": "2024-06-07", "anchor": None}
    ]


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [
        ("It began on the 1st of May 2024.", "1st of May 2024", "2024-05-01"),
        ("the 21st of March, 2021 was cold", "21st of March, 2021", "2021-03-21"),
        ("Polls closed on 2nd June 2024.", "2nd June 2024", "2024-06-02"),
        ("By 3rd Dec 2023 it was over.", "3rd Dec 2023", "2023-12-03"),
        ("On March 14th, 2023 they met.", "March 14th, 2023", "2023-03-14"),
        ("Signed Sept. 5, 2023 in Oslo.", "Sept. 5, 2023", "2023-09-05"),
        ("Signed Sept 5, 2023 in Oslo.", "Sept 5, 2023", "2023-09-05"),
        ("Signed Sep 5, 2023 in Oslo.", "Sep 5, 2023", "2023-09-05"),
        ("on 5 Sept. 2023 at noon", "5 Sept. 2023", "2023-09-05"),
        ("Dec. 25, 2023 was a Monday.", "Dec. 25, 2023", "2023-12-25"),
        ("from 14 Mar 2023 onwards", "14 Mar 2023", "2023-03-14"),
        ("on 3 May, 2024 and later", "3 May, 2024", "2024-05-03"),
        ("March 14 2023 without a comma", "March 14 2023", "2023-03-14"),
        ("on 07 March 2023", "07 March 2023", "2023-03-07"),
        ("leap day 29 February 2024 came", "29 February 2024", "2024-02-29"),
        ("as of 2024-02-29.", "2024-02-29", "2024-02-29"),
        ("at 2023-03-14T09:30 local time", "2023-03-14", "2023-03-14"),
    ],
)
def test_find_absolute_dates_single_mention(text: str, mention: str, value: str) -> None:
    start = text.index(mention)
    assert _mentions(text) == [(mention, start, start + len(mention), value)]


@pytest.mark.parametrize(
    "text",
    [
        "31 June 2023 never happened.",
        "June 31, 2023 never happened.",
        "29 February 2023 never happened.",
        "2023-02-30 never happened.",
        "2023-13-01 is not a month.",
        "0 May 2023 is not a day.",
        "Call 555-1234 now.",
        "In 1.2023 sales rose.",
        "Build 2023-03-14-15 is out.",
        "Serial 12023-03-14 is not a year.",
        "Part 2023-03-144 ships soon.",
        "See 2023/03/14 and 14/03/2023 and 12.03.2023.",
        "In May 2024 the works began.",
        "The Mayor 5 2023 budget.",
        "March 14, 20234 is too long a year.",
        "The score was 14 - 3 in 2023.",
    ],
)
def test_find_absolute_dates_non_mentions(text: str) -> None:
    assert _mentions(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "14 March 2023" and the ISO date that starts inside its year overlap: reported once.
        ("On 14 March 2023-03-14 it rained.", [("14 March 2023", 3, 16, "2023-03-14")]),
        ("From 1 May 2023-05-02 onwards.", [("1 May 2023", 5, 15, "2023-05-01")]),
        ("May 14, 2023-05-14 was busy.", [("May 14, 2023", 0, 12, "2023-05-14")]),
    ],
)
def test_find_absolute_dates_overlapping_matches_reported_once(
    text: str, expected: list[tuple[str, int, int, str]]
) -> None:
    assert _mentions(text) == expected


def test_find_absolute_dates_mentions_are_sorted_and_disjoint() -> None:
    text = (
        "2023-01-02 first, then Dec 25 2023 and 26 Dec 2023, "
        "also March 1, 2024; 1st of April 2024 (2024-04-01) closed it."
    )
    found = _mentions(text)
    assert [m[0] for m in found] == [
        "2023-01-02",
        "Dec 25 2023",
        "26 Dec 2023",
        "March 1, 2024",
        "1st of April 2024",
        "2024-04-01",
    ]
    starts = [m[1] for m in found]
    assert starts == sorted(starts)
    for (_, _, end, _), (_, start, _, _) in pairwise(found):
        assert end <= start


def test_find_absolute_dates_offsets_count_code_points() -> None:
    text = "🎉 Célébration 東京 le 14 mars? Non: 14 March 2023."
    (mention,) = _mentions(text)
    assert mention[0] == "14 March 2023"
    assert mention[1] == text.index("14 March 2023")


def test_find_absolute_dates_no_dates() -> None:
    assert find_absolute_dates("") == []
    assert find_absolute_dates("Nothing dated here, only 42 numbers and 2023 alone.") == []
