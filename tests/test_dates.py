"""Unit tests for transforms.dates: ISO and RFC 822 parsing, absolute date mentions,
``published`` from the text, the event's day and the stage function.

Relative expressions: tests/test_dates_relative.py; other languages:
tests/test_dates_locale.py; sentences that must yield nothing: tests/test_dates_negatives.py.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise

import pytest

from transforms.dates import (
    DateSettings,
    date_stage,
    find_mentions,
    parse_date_string,
    parse_iso,
    pin_day,
    published_from_text,
)
from transforms.timex import Anchor, find_english


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


# --- absolute mentions -----------------------------------------------------


def _mentions(text: str, published: dict[str, str] | None = None) -> list[tuple[str, int, int, str]]:
    found = find_mentions(text, published, language="en")
    for mention in found:
        assert text[mention["start"] : mention["end"]] == mention["text"]
        assert mention["type"] == ("TIME" if "T" in mention["value"] else "DATE")
    return [(m["text"], m["start"], m["end"], m["value"]) for m in found]


def test_three_written_forms_with_offsets() -> None:
    text = "On 14 March 2023 and March 14, 2023 (2023-03-14) the port closed."
    assert _mentions(text) == [
        ("14 March 2023", 3, 16, "2023-03-14"),
        ("March 14, 2023", 21, 35, "2023-03-14"),
        ("2023-03-14", 37, 47, "2023-03-14"),
    ]


def test_mention_record_shape() -> None:
    assert find_mentions("Due 2024-06-07.", None) == [
        {"text": "2024-06-07", "start": 4, "end": 14, "type": "DATE", "value": "2024-06-07", "anchor": None}
    ]


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [
        ("It began on the 1st of May 2024.", "the 1st of May 2024", "2024-05-01"),
        ("the 21st of March, 2021 was cold", "the 21st of March, 2021", "2021-03-21"),
        ("Polls closed on 2nd June 2024.", "2nd June 2024", "2024-06-02"),
        ("By 3rd Dec 2023 it was over.", "3rd Dec 2023", "2023-12-03"),
        ("On March 14th, 2023 they met.", "March 14th, 2023", "2023-03-14"),
        ("Signed Sept. 5, 2023 in Oslo.", "Sept. 5, 2023", "2023-09-05"),
        ("Signed Sep 5, 2023 in Oslo.", "Sep 5, 2023", "2023-09-05"),
        ("on 5 Sept. 2023 at sunrise", "5 Sept. 2023", "2023-09-05"),
        ("Dec. 25, 2023 was a Monday.", "Dec. 25, 2023", "2023-12-25"),
        ("from 14 Mar 2023 onwards", "14 Mar 2023", "2023-03-14"),
        ("March 14 2023 without a comma", "March 14 2023", "2023-03-14"),
        ("leap day 29 February 2024 came", "29 February 2024", "2024-02-29"),
        ("as of 2024-02-29.", "2024-02-29", "2024-02-29"),
        ("at 2023-03-14T09:30 local time", "2023-03-14T09:30", "2023-03-14T09:30"),
        ("On Tuesday, March 14, 2023, the port closed.", "Tuesday, March 14, 2023", "2023-03-14"),
        # month and year, year, decade, century, quarter
        ("In May 2024 the works began.", "May 2024", "2024-05"),
        ("since February 2022, the war", "February 2022", "2022-02"),
        ("It was built in 2021.", "2021", "2021"),
        ("Prices soared in the 1990s.", "the 1990s", "199"),
        ("a fad of the '80s", "the '80s", "198"),
        ("from the mid-1970s on", "the mid-1970s", "197"),
        ("in the 19th century", "the 19th century", "18"),
        ("Sales in Q3 2024 fell.", "Q3 2024", "2024-Q3"),
        ("profit in the third quarter of 2022", "the third quarter of 2022", "2022-Q3"),
        ("in the first half of 2021", "the first half of 2021", "2021-H1"),
        ("by Christmas 2022", "Christmas 2022", "2022-12-25"),
        ("in the summer of 2019", "the summer of 2019", "2019-SU"),
        ("the 2016 election", "2016", "2016"),
        ("In nineteen ninety-six the bomb went off.", "nineteen ninety-six", "1996"),
    ],
)
def test_absolute_single_mention(text: str, mention: str, value: str) -> None:
    start = text.index(mention)
    assert _mentions(text) == [(mention, start, start + len(mention), value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on 14/03/2023", "2023-03-14"),  # day first: 14 is no month
        ("on 03/14/2023", "2023-03-14"),  # month first: 14 is no month
        ("on 14.03.2023", "2023-03-14"),
        ("on 5.4.2023", "2023-04-05"),  # dots: day first, as everywhere they are used
        ("on 05/04/2023", "2023-XX-XX"),  # could be either: the year only
        ("on 3/14/98", "1998-03-14"),
        ("on 2023/03/14", "2023-03-14"),
    ],
)
def test_numeric_dates_order(text: str, value: str) -> None:
    assert [m[3] for m in _mentions(text)] == [value]


def test_ambiguous_numeric_dates_follow_the_text_or_the_language() -> None:
    # the text shows its order once (14/03): the ambiguous 05/04 is read the same way
    assert [m[3] for m in _mentions("from 14/03/2023 to 05/04/2023")] == ["2023-03-14", "2023-04-05"]
    assert [m[3] for m in _mentions("from 03/14/2023 to 05/04/2023")] == ["2023-03-14", "2023-05-04"]
    # outside English the day comes first
    found = find_mentions("Le 05/04/2023 à Paris.", None, language="fr")
    assert [m["value"] for m in found] == ["2023-04-05"]


@pytest.mark.parametrize(
    "text",
    [
        "31 June 2023 never happened.",
        "June 31, 2023 never happened.",
        "29 February 2023 never happened.",
        "2023-02-30 never happened.",
        "2023-13-01 is not a month.",
        "Call 555-1234 for details.",
        "In 1.2023 sales rose.",
        "Build 2023-03-14-15 is out.",
        "Serial 12023-03-14 is not a year.",
        "Part 2023-03-144 is out.",
        "The Mayor 5 2023 budget.",
        "March 14, 20234 is too long a year.",
        "The score was 14 - 3.",
        "Nothing dated here, only 42 numbers.",
        "Read it at https://example.org/wire/2024/03/01/solar-ferry for details.",
        "See www.example.org/2023-03-14/story.html for more.",
    ],
)
def test_absolute_non_mentions(text: str) -> None:
    assert _mentions(text) == []


def test_mentions_are_sorted_and_disjoint() -> None:
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
    for (_, _, end, _), (_, start, _, _) in pairwise(found):
        assert end <= start


def test_offsets_count_code_points() -> None:
    text = "🎉 Célébration 東京 le 14 mars? Non: 14 March 2023."
    (mention,) = _mentions(text)
    assert mention[0] == "14 March 2023"
    assert mention[1] == text.index("14 March 2023")


def test_offsets_survive_lowercasing_that_changes_length() -> None:
    text = "İstanbul, 14 March 2023: talks."  # "İ".lower() is two code points
    (mention,) = _mentions(text)
    assert mention[1] == text.index("14 March 2023")


def test_no_dates() -> None:
    assert find_mentions("", None) == []
    assert find_mentions("Nothing dated here.", None) == []


def test_absolute_mentions_have_no_anchor() -> None:
    published = {"value": "2023-03-14", "precision": "day", "source": "feed"}
    assert [m["anchor"] for m in find_mentions("On 14 March 2023 and in 2021.", published)] == [None, None]


# --- published from the text ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Updated: 14 March 2023 09:30\nA missile struck.", ("2023-03-14T09:30", "minute")),
        ("Published: March 14, 2023\n\nA missile struck.", ("2023-03-14", "day")),
        ("Published: 2024-06-07T09:30:00Z\nText.", ("2024-06-07T09:30:00+00:00", "second")),
        ("First modification: 14/03/2023 - 10:32\nText.", ("2023-03-14T10:32", "minute")),
        ("Text first.\nMore text.\nPosted on June 7, 2024 at 9:30 p.m.", ("2024-06-07T21:30", "minute")),
        ("KYIV, March 14, 2023 (Reuters) - A missile struck.", ("2023-03-14", "day")),
        ("14 March 2023 — A missile struck the city.", ("2023-03-14", "day")),
        ("Published 2:05 PM ET, Tue March 14, 2023\nText.", ("2023-03-14T14:05", "minute")),
        ("Kyiv, 14 March 2023: the city woke to sirens.", ("2023-03-14", "day")),
        ("(Kyiv) March 2023 | Monthly report on the war.", ("2023-03", "month")),
    ],
)
def test_published_from_text(text: str, expected: tuple[str, str]) -> None:
    assert published_from_text(text) == _dv(*expected, source="text")


def test_published_stamp_beats_updated_stamp() -> None:
    text = "Updated: 15 March 2023\nPublished: 14 March 2023\nBody."
    assert published_from_text(text)["value"] == "2023-03-14"


@pytest.mark.parametrize(
    "text",
    [
        "First modification:\nA witness said on Sunday.",  # a stamp with no date
        "The war began on 24 February 2022 and goes on.",  # a date in the prose is no stamp
        "Updated: yesterday\nText.",
        "On Tuesday, officials said.",
        "WASHINGTON (AP) — Officials said on 14 March 2023 that talks failed.",  # prose, not a dateline
        "March 14, 2023 was the day the talks failed.",
    ],
)
def test_no_published_from_text(text: str) -> None:
    assert published_from_text(text) is None


# --- the event's day -----------------------------------------------------------


def test_pin_day_needs_agreement_of_weekday_and_date() -> None:
    text = "Strikes hit on Tuesday. Intelligence update of 14 March 2023."
    month = Anchor.parse("2023-03")
    assert pin_day(find_english(text, month), month) == date(2023, 3, 14)
    # 15 March 2023 was a Wednesday: no agreement, nothing pinned
    other = text.replace("14 March", "15 March")
    assert pin_day(find_english(other, month), month) is None
    # a date outside the anchor's month pins nothing
    april = Anchor.parse("2023-04")
    assert pin_day(find_english(text, april), april) is None


def test_pin_day_without_anchor_needs_the_two_close_together() -> None:
    near = "The strike came on Tuesday, 14 March 2023, before dawn."
    assert pin_day(find_english(near, None), None) == date(2023, 3, 14)
    far = "The strike came on Tuesday. " + "Filler words. " * 40 + "The law of 14 March 2023 applies."
    assert pin_day(find_english(far, None), None) is None


def _article(text: str, published: dict[str, str] | None, language: str | None = "en") -> dict:
    return {"text": text, "published": published, "language": {"code": language}, "dates": []}


def test_stage_refines_a_month_anchor_and_resolves_against_the_pinned_day() -> None:
    text = (
        "A missile struck the city, officials said.\n\n"
        "Tuesday's strike was the worst since last April, and the war began in February 2022.\n\n"
        "Update of 14 March 2023 from the ministry."
    )
    header = _dv("2023-03", "month", "header")
    result = date_stage(_article(text, header), DateSettings())
    assert result["published"] == header  # kept as the source gave it
    assert result["event_date"] == _dv("2023-03-14", "day", "text")
    by_text = {m["text"]: m for m in result["dates"]}
    assert by_text["Tuesday"]["value"] == "2023-03-14"
    assert by_text["Tuesday"]["anchor"] == "2023-03-14"
    assert by_text["last April"]["value"] == "2022-04"
    assert by_text["February 2022"]["value"] == "2022-02"


def test_stage_event_date_from_a_day_anchor() -> None:
    text = "A strike on Friday killed four people. The war began in 2022."
    result = date_stage(_article(text, _dv("2024-06-07", "day", "header")), DateSettings())
    assert result["event_date"] == _dv("2024-06-07", "day", "text")
    assert [(m["text"], m["value"]) for m in result["dates"]] == [("Friday", "2024-06-07"), ("2022", "2022")]


def test_stage_event_date_yesterday_from_a_feed_time() -> None:
    text = "Rescuers worked through the night after yesterday's quake."
    feed = _dv("2024-06-08T06:00:00+02:00", "second", "feed")
    result = date_stage(_article(text, feed), DateSettings())
    assert result["event_date"] == _dv("2024-06-07", "day", "text")
    assert result["dates"][0]["anchor"] == "2024-06-08"


@pytest.mark.parametrize(
    "text",
    [
        "A strike hit the city yesterday, officials said.",  # no anchor: nothing to resolve against
        "Witnesses said on Sunday there were no casualties.",
        "The war began in February 2022.",
    ],
)
def test_stage_no_event_date_without_anchor(text: str) -> None:
    result = date_stage(_article(text, None), DateSettings())
    assert result["published"] is None
    assert result["event_date"] is None


def test_stage_takes_published_from_a_stamp() -> None:
    text = "Updated: 14 March 2023 09:30\nA missile struck the city yesterday."
    result = date_stage(_article(text, None), DateSettings())
    assert result["published"] == _dv("2023-03-14T09:30", "minute", "text")
    assert result["event_date"] == _dv("2023-03-13", "day", "text")


def test_stage_keeps_a_source_date_over_the_text() -> None:
    text = "Updated: 14 March 2023\nA missile struck."
    feed = _dv("2023-03-15T08:00:00+00:00", "second", "feed")
    assert date_stage(_article(text, feed), DateSettings())["published"] == feed


def test_stage_keeps_other_fields_and_is_deterministic() -> None:
    article = {**_article("Talks resume on Monday, March 20.", _dv("2023-03-14", "day", "jsonl")), "id": "x"}
    first = date_stage(article, DateSettings())
    assert first["id"] == "x"
    assert first == date_stage(article, DateSettings())
    assert first["dates"] == [
        {
            "text": "Monday, March 20",
            "start": 16,
            "end": 32,
            "type": "DATE",
            "value": "2023-03-20",
            "anchor": "2023-03-14",
        }
    ]
