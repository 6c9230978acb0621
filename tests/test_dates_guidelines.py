"""Markable or not, by the TimeML/TIMEX3 guidelines (transforms.timex).

Durations are not mentions; a noun that names prospects ("the future of the talks") is no
time; "for the year" in a report is the year being reported; each day of "April 24 and 25"
is a date of its own. The anchor 2023-03-14 was a Tuesday.
"""

from __future__ import annotations

import pytest

from transforms.timex import Anchor, find_english

TUESDAY = Anchor.parse("2023-03-14")


def _values(text: str, anchor: Anchor | None = TUESDAY) -> list[tuple[str, str]]:
    found = find_english(text, anchor)
    for mention in found:
        assert text[mention.start : mention.end] == mention.text
    return [(m.text, m.value) for m in found]


@pytest.mark.parametrize(
    "text",
    [
        # a duration: how long, not when
        "Women have suffered for the past twenty years.",
        "Prices have doubled over the past fifteen months.",
        "The troops will stay in the region for the foreseeable future.",
        # the noun names prospects, not a time
        "That is very important to the future of our peoples.",
        "The results were poor, and the future looks bleak.",
        "He expects a good harvest for the year ahead.",
    ],
)
def test_not_a_date(text: str) -> None:
    assert _values(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Whether it helps in the future is yet to be seen.", [("the future", "FUTURE_REF")]),
        ("We will talk in the future.", [("the future", "FUTURE_REF")]),
        ("The past is another country.", []),
        ("Earnings will be lower for the fiscal year.", [("the fiscal year", "2023")]),
        ("For the year, volume was flat.", [("the year", "2023")]),
        ("The shares hit a high for the year of $42.", [("the year", "2023")]),
        ("Sales for the year 2021 rose.", [("2021", "2021")]),
        ("The summit is on April 24 and 25.", [("April 24", "2023-04-24"), ("25", "2023-04-25")]),
        ("They met on May 3 and 4, 2021.", [("May 3", "2021-05-03"), ("4, 2021", "2021-05-04")]),
        ("It was a nineteen ninety-seven attack.", [("nineteen ninety-seven", "1997")]),
    ],
)
def test_values(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


def test_a_number_after_a_date_and_a_noun_is_no_day() -> None:
    # "April 24 and 25 soldiers": the number counts soldiers
    assert _values("On April 24 and 25 soldiers died.") == [("April 24", "2023-04-24")]


@pytest.mark.parametrize(
    ("text", "anchor", "value"),
    [
        ("A major theme from now to Election Day.", "1998-10-26", "1998-11-03"),
        ("Voters go to the polls on Election Day.", "2024-09-01", "2024-11-05"),
        ("The parade is on Memorial Day.", "2023-05-01", "2023-05-29"),
        ("Stores close on Labor Day.", "2023-08-20", "2023-09-04"),
    ],
)
def test_us_holidays(text: str, anchor: str, value: str) -> None:
    found = find_english(text, Anchor.parse(anchor))
    assert [m.value for m in found if "Day" in m.text] == [value]


def test_a_lowercase_election_day_is_no_holiday_date() -> None:
    # "on election day in India": which country's is unknown; only the capitalized US name is read
    assert _values("Turnout was high on election day in the province.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He will leave at 4 in the morning.", [("4 in the morning", "2023-03-14T04:00")]),
        ("They met at 4:30 in the afternoon.", [("4:30 in the afternoon", "2023-03-14T16:30")]),
        ("The curfew starts at 10 at night.", [("10 at night", "2023-03-14T22:00")]),
        ("He scored 4 in the morning session.", []),
    ],
)
def test_clock_hour_told_by_the_part_of_the_day(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


def test_a_part_of_the_day_alone_is_of_the_day_last_named() -> None:
    text = "Shares fell on Friday. Dealers placed orders in the morning to start the session."
    assert _values(text) == [("Friday", "2023-03-10"), ("the morning", "2023-03-10TMO")]
    text = "The talks opened on Friday. By mid afternoon, officials had left."
    assert _values(text)[-1] == ("mid afternoon", "2023-03-10TAF")


@pytest.mark.parametrize(
    "text",
    [
        "I always run in the morning.",  # no day named: a habit
        "He read it in the morning papers on Friday.",  # the part of the day qualifies a noun
    ],
)
def test_a_part_of_the_day_without_a_day_is_not_reported(text: str) -> None:
    assert [v for t, v in _values(text) if "morning" in t] == []


def test_a_plan_under_way_points_ahead_a_plan_that_was_does_not() -> None:
    # 2023-03-14 is a Tuesday: next Monday is the 20th, last Friday the 10th
    text = "Protesters were planning to drive around the airport on Monday."
    assert _values(text) == [("Monday", "2023-03-20")]
    text = "The offer had been scheduled to expire on Friday."
    assert _values(text) == [("Friday", "2023-03-10")]


@pytest.mark.parametrize(
    "text",
    [
        "For the quarter a year ago, it earned $5 million.",
        "Profit in the fourth quarter a year ago was higher.",
    ],
)
def test_the_quarter_a_year_ago_is_one_expression(text: str) -> None:
    # the last quarter reported by 2023-03-14 is 2022-Q4; a year before it, 2021-Q4
    found = _values(text)
    assert len(found) == 1 and found[0][0].endswith("quarter a year ago") and found[0][1] == "2021-Q4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The post-1959 politics split families.", [("1959", "1959")]),
        ("They want the pre-1967 borders.", [("1967", "1967")]),
        ("The post-2000 models sold well.", [("2000", "2000")]),
    ],
)
def test_a_year_after_pre_or_post(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Now, he says, "it looks like the end."', []),  # a discourse marker
        ("Now officials are investigating the bombing.", [("Now", "PRESENT_REF")]),
        ("Prices are now at a record.", [("now", "PRESENT_REF")]),
        ("Net for the year-earlier nine months included a gain.", []),  # a span of months
        ("Net rose from the year-earlier period.", [("the year-earlier period", "2022")]),
    ],
)
def test_now_as_a_marker_and_a_span_of_months(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


def test_the_corresponding_period_last_year_is_the_reported_period_a_year_back() -> None:
    text = "It lost $8 million in the third quarter, against a profit for the corresponding period last year."
    assert _values(text)[-1] == ("the corresponding period last year", "2021-Q3")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Profits will fall in the near term.", [("the near term", "FUTURE_REF")]),
        ("We will not cut rates in the short term, he said.", [("the short term", "FUTURE_REF")]),
        ("Short-term debt rose.", []),
        ("The short term outlook is poor.", []),
        ("Two days from now it ends.", [("Two days from now", "2023-03-16")]),
        ("From now on we walk.", []),
    ],
)
def test_near_term_and_from_now(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is VOA Today.", []),  # a programme's name
        ("He showed a poster from the film High Noon.", []),
        ("Today the talks resume.", [("Today", "2023-03-14")]),
        ("The talks resume today at noon.", [("today", "2023-03-14"), ("noon", "2023-03-14T12:00")]),
        ("They met on Sunday. Today they part.", [("Sunday", "2023-03-12"), ("Today", "2023-03-14")]),
    ],
)
def test_a_time_word_inside_a_name_is_no_time(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Flights leave on Monday and Tuesday nights from March 30.", [("March 30", "2023-03-30")]),
        ("The club meets Friday evenings.", []),
        ("They met on Monday night.", [("Monday night", "2023-03-13TNI")]),
    ],
)
def test_a_weekday_with_a_plural_part_of_the_day_recurs(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


# A results report compares its period with the same period a year back (TimeML gives "a
# year earlier" the compared period's granularity); the anchor 2023-03-14 last reported 2022-Q4.
REPORT_OPENING = (
    "Acme Foods said net income fell 12% in the fourth quarter, as grain prices climbed.\n\n"
    "The Ohio baker said the drop came mostly from its snack unit, which it has been trying "
    "to sell since the spring, and from a strike at two of its mills that lasted three weeks. "
    "It also took a charge for closing a warehouse in Dayton and moving the work to Toledo.\n\n"
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # paragraphs after the quarter was named, the comparison is still with that quarter
        ("Revenue slipped to $91 million from $94 million a year earlier.", "2021-Q4"),
        ("A year earlier, the company earned $3 million on sales of $80 million.", "2021-Q4"),
        # an amount set against last year's is that quarter's too
        ("The snack unit earned $2 million, compared with a loss of $1 million last year.", "2021-Q4"),
        ("Sales of bread were $40 million, a 5% gain on last year's $38 million.", "2021-Q4"),
        # the text turned to another span: the nine months, the year
        ("For the nine months, net fell to $9 million from $11 million a year earlier.", "2022"),
        ("For the full year, profit was $12 million, down from $14 million last year.", "2022"),
        # last year, with no amount compared: the year itself
        ("Last year the company opened a plant in Ohio.", "2022"),
    ],
)
def test_a_comparison_in_a_results_report_takes_the_reported_quarter(text: str, value: str) -> None:
    found = _values(REPORT_OPENING + text)
    assert found[0] == ("the fourth quarter", "2022-Q4")
    assert found[-1][1] == value


def test_a_year_named_between_ends_the_comparison_with_the_quarter() -> None:
    text = (
        "Profit rose in the fourth quarter. Last year, a fire closed the plant for a month. "
        "The year-earlier results were restated."
    )
    assert _values(text)[-1] == ("The year-earlier results", "2022")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the three months to that day, by the calendar quarter of their middle month
        ("Sales rose in the quarter ended Sept. 30.", "2022-Q3"),
        ("In the quarter ended July 31, the chain sold 40 stores.", "2022-Q2"),
        ("Its loss for the quarter ended Jan. 31 was small.", "2022-Q4"),
        ("Revenue for the quarter ended June 30, 2021, was flat.", "2021-Q2"),
    ],
)
def test_the_quarter_ended_a_day_is_the_quarter_of_those_three_months(text: str, value: str) -> None:
    assert _values(text)[0] == ("the quarter", value)


@pytest.mark.parametrize(
    "text",
    [
        "The quarter-to-quarter comparison flatters the mill.",
        "He ran a quarter-mile in a minute.",
        "They lost in the quarter-finals.",
    ],
)
def test_a_quarter_compound_is_no_time(text: str) -> None:
    assert _values(text) == []


def test_a_quarter_named_in_passing_is_not_the_one_compared() -> None:
    # by 2023-03-14 the quarter just ended is 2022-Q4: the report is about it
    text = (
        "Acme's fourth-quarter profit rose 20%. After a weak third quarter, the company "
        "said its shops did better. In the 2022 period, costs were lower than a year ago."
    )
    assert _values(text)[-2:] == [("the 2022 period", "2022-Q4"), ("a year ago", "2021-Q4")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the week that ends on Easter Sunday (2023-04-09: ISO week 14)
        ("Pilgrims filled the town during Easter week.", [("Easter week", "2023-W14")]),
        ("The shops shut for Easter.", [("Easter", "2023-04-09")]),
        # an unnamed time ahead
        ("The bank will raise the rest at a later date.", [("a later date", "FUTURE_REF")]),
        ("The hearing was put off until some future date.", [("some future date", "FUTURE_REF")]),
    ],
)
def test_easter_week_and_a_later_date(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


def test_a_deadline_in_a_past_clause_is_past_however_far_back_the_verb() -> None:
    # 2023-03-14 is a Tuesday: the Friday before is the 10th, the next one the 17th
    text = (
        "The brewer completed its offer for the family firm's shares, with holders of the "
        "common and ordinary stock tendering nearly all of them by the Friday deadline."
    )
    assert _values(text) == [("the Friday", "2023-03-10")]
    ahead = "Holders must tender their shares by the Friday deadline."
    assert _values(ahead) == [("the Friday", "2023-03-17")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The credits will cut its taxes in future quarters.", [("future quarters", "FUTURE_REF")]),
        ("Planners worry about future decades of drought.", [("future decades", "FUTURE_REF")]),
        ("There were sell programs in past years, too.", [("past years", "PAST_REF")]),
        ("Future growth depends on exports.", []),  # a bare adjective names no time
        ("Sales rose over the past three quarters.", []),  # a duration
    ],
)
def test_future_and_past_with_a_plural_unit(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The dividend will be twice as high this year as last.", [("this year", "2023"), ("last", "2022")]),
        ("Fewer ships docked this month than last.", [("this month", "2023-03"), ("last", "2023-02")]),
        ("This year's race was his first and last.", [("This year", "2023")]),
        ("This year he came in last.", [("This year", "2023")]),
    ],
)
def test_last_with_its_noun_left_out(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He founded a firm called Orbita 1990, which builds satellites.", []),  # a name
        ("That 1978 resolution still stands.", [("1978", "1978")]),
        ("The mayor's 1996 plan failed.", [("1996", "1996")]),
        ("Since 1985, the border has been closed.", [("1985", "1985")]),
        ("Prices rose in Summer 2021.", [("Summer 2021", "2021-SU")]),
    ],
)
def test_a_year_that_ends_a_name(text: str, expected: list[tuple[str, str]]) -> None:
    assert _values(text) == expected
