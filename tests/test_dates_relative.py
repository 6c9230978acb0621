"""Relative, vague and clock-time expressions (transforms.timex), resolved against an anchor.

The anchor is the publication date; 2023-03-14 was a Tuesday (ISO week 11).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from transforms.timex import Anchor, find_english, tense_near

TUESDAY = Anchor.parse("2023-03-14")
THURSDAY = Anchor.parse("2023-03-16")


def _values(text: str, anchor: Anchor | None = TUESDAY) -> list[tuple[str, str]]:
    found = find_english(text, anchor)
    for mention in found:
        assert text[mention.start : mention.end] == mention.text
    return [(m.text, m.value) for m in found]


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [
        ("It rained yesterday.", "yesterday", "2023-03-13"),
        ("It rains today.", "today", "2023-03-14"),
        ("It will rain tomorrow.", "tomorrow", "2023-03-15"),
        ("The vote is tonight.", "tonight", "2023-03-14TNI"),
        ("They met last night.", "last night", "2023-03-13TNI"),
        ("They met this morning.", "this morning", "2023-03-14TMO"),
        ("Strikes began on Tuesday morning.", "Tuesday morning", "2023-03-14TMO"),
        ("Shelling went on late yesterday.", "late yesterday", "2023-03-13"),
        ("It happened the day before yesterday.", "the day before yesterday", "2023-03-12"),
        ("The strike on the station last April killed dozens.", "last April", "2022-04"),
        ("Talks stalled last week.", "last week", "2023-W10"),
        ("Talks resume next week.", "next week", "2023-W12"),
        ("Talks resume this week.", "this week", "2023-W11"),
        ("Prices rose last month.", "last month", "2023-02"),
        ("Prices will rise next month.", "next month", "2023-04"),
        ("It closed two weeks ago.", "two weeks ago", "2023-W09"),
        ("It closed three days ago.", "three days ago", "2023-03-11"),
        ("It closed five months ago.", "five months ago", "2022-10"),
        ("It opened a year ago.", "a year ago", "2022"),
        ("It opened a decade ago.", "a decade ago", "201"),
        ("The plan was agreed earlier this year.", "earlier this year", "2023"),
        ("It lost ground at the end of last year.", "the end of last year", "2022"),
        ("Protests are planned this weekend.", "this weekend", "2023-W11-WE"),
        ("Output fell last year.", "last year", "2022"),
        ("Output will grow next year.", "next year", "2024"),
        ("The bridge opens in the spring of next year.", "next year", "2024"),
        ("The deal closes by year-end.", "year-end", "2023"),
        ("Results are due in the fourth quarter.", "the fourth quarter", "2023-Q4"),
        ("Sales fell in the quarter.", "the quarter", "2022-Q4"),
        ("He resigned last summer.", "last summer", "2022-SU"),
        ("The fair returns on March 20.", "March 20", "2023-03-20"),
        ("It reopened on Feb. 2.", "Feb. 2", "2023-02-02"),
        ("It reopens in May.", "May", "2023-05"),
        ("It began in January.", "January", "2023-01"),
        ("A memorial on Christmas Day.", "Christmas Day", "2022-12-25"),
        ("The century began in this century.", "this century", "20"),
    ],
)
def test_relative_resolved_against_the_anchor(text: str, mention: str, value: str) -> None:
    found = find_english(text, TUESDAY)
    assert [(m.text, m.value) for m in found] == [(mention, value)]
    assert found[0].anchor == "2023-03-14"


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [
        ("He has now resigned.", "now", "PRESENT_REF"),
        ("It is currently closed.", "currently", "PRESENT_REF"),
        ("Prices are high these days.", "these days", "PRESENT_REF"),
        ("It was recently renovated.", "recently", "PAST_REF"),
        ("It was attacked in the past.", "the past", "PAST_REF"),
        ("It has grown in recent years.", "recent years", "PAST_REF"),
        ("Rates have fallen in the last few months.", "the last few months", "PAST_REF"),
        ("It may change in the future.", "the future", "FUTURE_REF"),
        ("It may change in the near future.", "the near future", "FUTURE_REF"),
        ("It will reopen soon.", "soon", "FUTURE_REF"),
        ("Please reply as soon as possible.", "as soon as possible", "FUTURE_REF"),
        ("Prices will rise in the coming weeks.", "the coming weeks", "FUTURE_REF"),
    ],
)
def test_vague_references(text: str, mention: str, value: str) -> None:
    found = find_english(text, TUESDAY)
    assert [(m.text, m.value) for m in found] == [(mention, value)]
    assert found[0].anchor is None  # nothing was resolved against the anchor


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("officials said on Tuesday.", "2023-03-14"),
        ("officials said on Monday.", "2023-03-13"),
        ("the strike on Sunday killed four.", "2023-03-12"),
        ("Tuesday's victims were civilians.", "2023-03-14"),
        ("ministers will meet on Friday.", "2023-03-17"),
        ("ministers are expected to meet on Monday.", "2023-03-20"),
        ("the vote was due to take place on Friday.", "2023-03-10"),
        ("it happened last Tuesday.", "2023-03-07"),
        ("they meet next Tuesday.", "2023-03-21"),
        # "could" is as often past ("could not stop") as a future
        ("the guards could not stop the attack on Sunday.", "2023-03-12"),
        # "until" and "deadline" yield to a past verb of the clause
        ("Until Monday, they had not named a suspect.", "2023-03-13"),
        ("the court ruled and set Friday as the deadline.", "2023-03-10"),
        # a scheduled event in the present tense is ahead; a noun ("the start") is no verb
        ("Arafat and Albright meet separately Monday.", "2023-03-20"),
        ("the start Monday was slow.", "2023-03-13"),
        # a deferral points forward though its verb is past
        ("the hearing was postponed until Friday.", "2023-03-17"),
        # the reporting verb after a quotation does not set the tense inside it
        ('"We will leave on Friday," he said.', "2023-03-17"),
    ],
)
def test_weekday_tense_decides_the_direction(text: str, value: str) -> None:
    ((_, got),) = _values(text)
    assert got == value


def test_said_on_tuesday_versus_will_meet_on_tuesday() -> None:
    assert _values("He said on Tuesday that it was over.", THURSDAY) == [("Tuesday", "2023-03-14")]
    assert _values("They will meet on Tuesday.", THURSDAY) == [("Tuesday", "2023-03-21")]


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [
        ("The market opens at 9:30 a.m. sharp.", "9:30 a.m.", "2023-03-14T09:30"),
        ("It closed at 5 pm.", "5 pm", "2023-03-14T17:00"),
        ("Curfew starts at 22:00 local time.", "22:00 local time", "2023-03-14T22:00"),
        ("The deadline is 9 a.m. EST Friday.", "9 a.m. EST Friday", "2023-03-17T09:00"),
        ("Fighting paused at noon.", "noon", "2023-03-14T12:00"),
        ("The offer expired at midnight Friday.", "midnight Friday", "2023-03-10T24:00"),
        ("Kick-off is at 7.30pm.", "7.30pm", "2023-03-14T19:30"),
        ("The vote opens at 1200 GMT.", "1200 GMT", "2023-03-14T12:00"),
        ("It starts at 2pm (GMT).", "2pm (GMT)", "2023-03-14T14:00"),
        ("It began around 3:45 a.m. Friday, police said.", "3:45 a.m. Friday", "2023-03-10T03:45"),
    ],
)
def test_clock_times(text: str, mention: str, value: str) -> None:
    found = find_english(text, TUESDAY)
    assert [(m.text, m.value, m.type) for m in found] == [(mention, value, "TIME")]


def test_a_clock_time_takes_the_day_just_named() -> None:
    text = "The strike came on Sunday. Sirens sounded at 6:15 a.m. across the city."
    assert _values(text) == [("Sunday", "2023-03-12"), ("6:15 a.m.", "2023-03-12T06:15")]


def test_a_year_earlier_takes_the_granularity_of_the_compared_quarter() -> None:
    text = "Profit rose in the third quarter to $5 million from $3 million a year earlier."
    assert _values(text) == [("the third quarter", "2022-Q3"), ("a year earlier", "2021-Q3")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("It happened on Tuesday.", "XXXX-WXX-2"),
        ("It happened yesterday.", "XXXX-XX-XX"),
        ("It happened last year.", "XXXX"),
        ("It happened last month.", "XXXX-XX"),
        ("It happened last week.", "XXXX-WXX"),
        ("It happens this weekend.", "XXXX-WXX-WE"),
        ("It happened on March 14.", "XXXX-03-14"),
        ("It happened in the third quarter.", "XXXX-Q3"),
        ("It happened last April.", "XXXX-04"),
    ],
)
def test_without_anchor_unknown_parts_stay_x(text: str, value: str) -> None:
    found = find_english(text, None)
    assert [m.value for m in found] == [value]
    assert found[0].anchor is None


def test_month_anchor_resolves_months_not_days() -> None:
    march = Anchor.parse("2023-03")
    assert _values("Last April it was worse; on Tuesday it was calm.", march) == [
        ("Last April", "2022-04"),
        ("Tuesday", "XXXX-WXX-2"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "killing six and wounding 30 in 24 hours",  # a duration
        "for three weeks the road was shut",
        "over the last week troops advanced",
        "the market is held every Friday",  # a set
        "the shop opens on Fridays",
        "it happened on a Monday, some say",
        "the past week was hard",
        "over the past 24 hours and in the past two weeks",
        "open 24/7 since the 9/11 attacks",
        "the 2022-23 season ended with a 2-1 win",
        "a 2,000-strong force ran the 1,500m race",
        "March Madness is a basketball tournament.",
    ],
)
def test_durations_and_sets_are_not_mentions(text: str) -> None:
    assert _values(text) == []


def test_tense_near() -> None:
    text = "officials said on tuesday the talks will resume on friday."
    assert tense_near(text, 18, 25) == "past"
    assert tense_near(text, 50, 56) == "future"
    assert tense_near("on friday.", 3, 9) is None


def test_over_the_weekend_is_the_weekend_just_gone() -> None:
    # 2023-03-14 is a Tuesday of ISO week 11; the weekend before it closes week 10
    assert _values("Over the weekend, the rebels advanced.") == [("the weekend", "2023-W10-WE")]


def test_a_spelled_year_completes_the_month_or_season_before_it() -> None:
    assert _values("It began in January nineteen ninety-seven.") == [
        ("January nineteen ninety-seven", "1997-01")
    ]
    assert _values("It was the winter of nineteen ninety-four.") == [
        ("the winter of nineteen ninety-four", "1994-WI")
    ]


def test_a_clock_time_takes_the_day_after_the_same_time_in_another_zone() -> None:
    assert _values("The blast came at 10:35 a.m. (0735 GMT) Friday.") == [
        ("10:35 a.m. (0735 GMT) Friday", "2023-03-10T10:35")
    ]


def test_the_week_of_a_date_is_its_iso_week() -> None:
    assert _values("Hearings are set for the week of March 20.") == [("the week of March 20", "2023-W12")]


def test_the_previous_weekday_counts_from_the_day_last_named() -> None:
    text = "The deal closed on Friday, March 10. The previous Friday, talks broke down."
    assert _values(text) == [("Friday, March 10", "2023-03-10"), ("The previous Friday", "2023-03-03")]
    assert _values("It rained on Monday. The following Friday it snowed.") == [
        ("Monday", "2023-03-13"),
        ("The following Friday", "2023-03-17"),
    ]
    # nothing named before: the anchor decides, in the direction the word says
    assert _values("The previous Friday it snowed.") == [("The previous Friday", "2023-03-10")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a month named as a term or start lies ahead of the anchor when no tense says otherwise
        ("The change is effective Feb. 1 for all members.", "2024-02-01"),
        ("Loans run through January under the accord.", "2024-01"),
        ("Sales fell in January.", "2023-01"),
        # irregular past forms count as past; a participle after "be" does not
        ("In January, the firm brought in a new chief.", "2023-01"),
        ("The dividend will be paid Dec. 14 to holders.", "2023-12-14"),
        # the anchor's year when the month is near
        ("Prices rose in September.", "2023-09"),
        ("Talks resume in December.", "2023-12"),
    ],
)
def test_month_without_year_takes_the_anchor_year_or_the_nearest(text: str, value: str) -> None:
    ((_, got),) = _values(text, Anchor.parse("2023-10-26"))
    assert got == value


def test_the_latest_period_is_the_quarter_reported() -> None:
    text = "Profit rose in the third quarter. Sales in the latest period were $2 billion."
    assert _values(text) == [("the third quarter", "2022-Q3"), ("the latest period", "2022-Q3")]
    # no period reported before: nothing to refer to
    assert _values("Sales in the latest period were $2 billion.") == []


def test_then_current_is_past() -> None:
    assert _values("He advised the then current chairman.") == [("then current", "PAST_REF")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sales for the full year rose.", [("the full year", "2023")]),
        ("It rained earlier in the year.", [("earlier in the year", "2023")]),
        ("In the first nine months of the year, sales fell.", [("the year", "2023")]),
        # a fiscal year ending on a date is a span of twelve months, not this year
        ("Profit for the full year ended June 30 fell.", [("June 30", "2022-06-30")]),
        ("The year was hard.", []),
    ],
)
def test_the_year_being_reported(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


def test_the_first_two_quarters_of_a_year_are_its_first_half() -> None:
    assert _values("Demand stays weak through the first two quarters of 1990.") == [
        ("the first two quarters of 1990", "1990-H1")
    ]
    assert _values("Sales fell in the last two quarters.") == []


def test_a_year_earlier_does_not_count_back_from_a_compared_quarter() -> None:
    text = (
        "Net rose in the third quarter from $5 million in the year-ago quarter. "
        "The year-ago results were restated."
    )
    values = [value for _, value in _values(text, Anchor.parse("2023-11-01"))]
    assert values == ["2023-Q3", "2022-Q3", "2022-Q3"]


def test_the_day_before_or_after_a_named_day() -> None:
    assert _values("The day before last Tuesday's hearing, he left.") == [
        ("The day before last Tuesday", "2023-03-06")
    ]
    assert _values("It was the day after March 5, 2023.") == [("the day after March 5, 2023", "2023-03-06")]


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("Numbers dropped through the nineties.", "1998-03-14", [("the nineties", "199")]),
        ("Numbers dropped through the nineties.", "2023-03-14", [("the nineties", "199")]),
        ("Jazz flourished in the late twenties.", "1998-03-14", [("the late twenties", "192")]),
        ("Rates fell in the early twenties.", "2023-03-14", [("the early twenties", "202")]),
        ("She is in her forties.", "2023-03-14", []),
        ("Temperatures were in the nineties.", "2023-03-14", []),
    ],
)
def test_decades_in_words(text: str, anchor: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text, Anchor.parse(anchor)) == expected


def test_or_so_before_ago() -> None:
    assert _values("Then, a week or so ago, he left.") == [("a week or so ago", "2023-W10")]


def test_the_year_earlier_period_is_the_reported_period_a_year_back() -> None:
    # the report's period is named first; a forecast quarter comes later, and the
    # comparison is far from both
    text = (
        "Acme posted third-quarter profit of $5 million. "
        "Analysts expect weakness through the third quarter of 2024. "
        + "Costs rose sharply at the mills. " * 10
        + "In the year-earlier period, Acme earned $4 million."
    )
    found = _values(text, Anchor.parse("2023-10-26"))
    assert found[0] == ("third-quarter", "2023-Q3")
    assert found[-1] == ("the year-earlier period", "2022-Q3")


def test_that_year_ending_a_phrase_points_to_the_year_named() -> None:
    text = "Imports totaled $37 million in 2019, a small share of all imports that year, an aide said."
    assert _values(text) == [("2019", "2019"), ("that year", "2019")]
    # "that" as a conjunction before a clause is no reference
    assert _values("Officials said in 2019 that year-end results would slip.") == [("2019", "2019")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a plan or a commitment looks ahead: the next such month (2023-03-14 is the anchor)
        ("Officials said the talks are supposed to conclude in July.", "2023-07"),
        ("The mill owner agreed to sell the plant in September.", "2023-09"),
        ("The ferry is slated to return in October.", "2023-10"),
        # without one, or when "to" names what was agreed, the last such month
        ("Officials said the talks concluded in July.", "2022-07"),
        ("The mill owner agreed to a merger in September.", "2022-09"),
        ("The talks were supposed to conclude in July.", "2022-07"),
    ],
)
def test_a_plan_or_commitment_points_ahead(text: str, value: str) -> None:
    assert _values(text)[-1][1] == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Ministers are planning for the summit in October.", "2023-10"),
        ("The port is preparing for the storm season in August.", "2023-08"),
        # "plans" is a noun here: nothing points ahead, the last Friday
        ("She set aside her holiday plans for the trip on Friday.", "2023-03-10"),
    ],
)
def test_planning_for_an_event_points_ahead(text: str, value: str) -> None:
    assert _values(text)[-1][1] == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a singular "the past year" told as where something happened: the year before
        ("Crime rose sharply in the past year.", [("the past year", "2022")]),
        ("During the past year, the mill hired forty welders.", [("the past year", "2022")]),
        ("Wages lagged over the last decade.", [("the last decade", "201")]),
        # how long, counted, plural, vague or an order: no such date
        ("For the past year he has lived abroad.", []),
        ("Rents rose in the past two years.", []),
        ("Rents rose in the past year or so.", []),
        ("It was the last year of his term.", []),
    ],
)
def test_the_past_year_is_the_year_before_the_anchor(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "anchor", "value"),
    [
        # a past participle right before the time is the event's: "issued July 1" is gone by
        # although a "will" follows; "was founded in May" is last May's
        ("The permits granted July 1 will be renewed.", "2023-10-26", "2023-07-01"),
        ("The firm was founded in May, its chief said.", "2023-03-14", "2022-05"),
        # after a determiner it is an adjective, no tense: the default (two months ahead);
        # so is a participle that looks ahead
        ("The proposed May 5 vote drew protests.", "2023-03-14", "2023-05-05"),
        ("Results, expected in December, will show a loss.", "2023-10-26", "2023-12"),
        ("Sales jumped in December.", "2023-10-26", "2022-12"),
        # what was planned lies ahead; "had planned" looks back
        ("The guild planned a vigil on Saturday.", "2023-03-17", "2023-03-18"),
        ("The guild had planned a vigil on Saturday.", "2023-03-17", "2023-03-11"),
        # a long clause whose verb stands beyond the usual window ...
        (
            "The ferry line said its two new boats would sail to the islands at dawn on weekdays, "
            "with a larger one making the crossings to Malmo and Gdansk every other Thursday from August 6.",
            "2023-02-13",
            "2023-08-06",
        ),
        # ... unless a present tense stands between: then the default
        (
            "The tenant had not yet returned the forms the council mailed to every household in the "
            "street before the deadline when the appeal is heard in May.",
            "2023-03-29",
            "2023-05",
        ),
        # a term ("by February") outweighs a past verb far from it, not one next to it
        (
            "The merger, which analysts had predicted for a long while, belongs to the group's effort "
            "to cut its debt by February.",
            "2023-10-30",
            "2024-02",
        ),
        ("Sales had fallen by May.", "2023-10-30", "2023-05"),
    ],
)
def test_tense_from_participles_plans_and_long_clauses(text: str, anchor: str, value: str) -> None:
    assert _values(text, Anchor.parse(anchor))[-1][1] == value


def test_were_planning_points_ahead() -> None:
    text = "Unions planned a march on Saturday and were planning to picket on Monday."
    assert _values(text, Anchor.parse("2023-03-17")) == [("Saturday", "2023-03-18"), ("Monday", "2023-03-20")]


def test_a_part_of_the_day_told_in_the_past_is_the_anchors() -> None:
    assert _values("By mid afternoon, the firemen were saying the blaze was out.") == [
        ("mid afternoon", "2023-03-14TAF")
    ]
    # a habit names no day
    assert _values("I run in the morning.") == []


def test_a_counted_day_of_a_run_in_the_present_is_the_anchor() -> None:
    assert _values("It's the third day of talks in Geneva.") == [("the third day", "2023-03-14")]
    assert _values("Today is the fifth day of the walkout.") == [
        ("Today", "2023-03-14"),
        ("the fifth day", "2023-03-14"),
    ]
    # in the past it is some day before, which the sentence does not say
    assert _values("It was the third day of talks.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The bonds will be redeemed in five years.", [("five years", "2028")]),
        ("It will reopen in two weeks.", [("two weeks", "2023-W13")]),
        ("The shop will reopen in a year or two.", [("a year or two", "FUTURE_REF")]),
        # a span looked back over, or told in the past: a duration
        ("Prices rose 5% in two years.", []),
        ("They will agree in two days of talks.", []),
        ("His pick will be the 12th coach in eight years.", []),
        # the future is the next clause's, not the verb of "in 4 days"
        ("As the lab can make the kit in 4 days, it is expected to respond fast.", []),
        ("It will be the first time in five years that the team plays.", []),
    ],
)
def test_in_so_many_years_with_a_future_is_a_time_ahead(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


def test_the_latest_fiscal_year_is_the_last_one_completed() -> None:
    assert _values("Sales were $6 billion in the latest fiscal year.") == [("the latest fiscal year", "2022")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Today's vote was close.", [("Today", "2023-03-14")]),
        ("It ran in today's editions.", [("today", "2023-03-14")]),
        ("Tomorrow's meeting is off.", [("Tomorrow", "2023-03-15")]),
        # the present age or the future at large, no day
        ("By today's standards it was cheap.", []),
        ("Many of today's personal computers are slow.", []),
        ("They build the cars of tomorrow.", []),
    ],
)
def test_today_for_the_present_age_is_no_date(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


def test_one_day_after_a_modal_is_some_time_ahead() -> None:
    assert _values("The village will one day be a town.") == [("one day", "FUTURE_REF")]
    assert _values("She hopes she may some day fly.") == [("some day", "FUTURE_REF")]
    # without the modal, a span or a day gone by
    assert _values("The move followed by one day an announcement.") == []
    assert _values("It will take one day.") == []


def test_the_next_year_of_a_list_is_a_year() -> None:
    assert _values("The festival ran in 2003, 2004 and 2009.") == [
        ("2003", "2003"),
        ("2004", "2004"),
        ("2009", "2009"),
    ]
    # a count after an amount stays a count
    assert _values("It cost $2,000, 2005 people came.") == []


def test_two_rules_on_one_span_give_the_same_value_whatever_the_hash_seed() -> None:
    # "last weekend" is read by the rule of "last" and by the rule of "weekend"; which one's
    # value is kept must not depend on the order of a set (PYTHONHASHSEED varies by process).
    code = (
        "from transforms.timex import Anchor, find_english; "
        "print([m.value for m in find_english('Last weekend only, she says.', Anchor.parse('2022-10-30'))])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(1, 7)
    }
    # The Sunday's "last weekend" is the one before it (ISO week 42).
    assert outputs == {"['2022-W42-WE']\n"}
