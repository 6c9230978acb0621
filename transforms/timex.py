"""English date and time expressions, found by rules and normalized to TIMEX3 values.

The finder works in two steps so that it stays under half a millisecond per
2 KB article: it first finds which trigger words occur at all (a month, a
weekday, ``yesterday``, ``ago``, ``quarter``, ...: one set intersection with
the text's words) and where the numbers are; only there do the few anchored
patterns of that trigger's rule run, looking left and right for the rest of
the expression. Overlapping candidates keep the longest.

Relative expressions are resolved against an :class:`Anchor` (the publication
date); parts that the anchor cannot fix stay ``X`` (``XXXX-WXX-2``), per the
TimeML guidelines. A weekday or a month without year goes the way the verb's
tense points (``tense_near``), else to the most recent one; a month without year
takes the anchor's year unless it lies more than two months ahead (then last
year's) or a tense says otherwise (a participle right before it, "shares issued July
1", is one; so is a plan, "planned a rally on Saturday"; a term, "by February", outweighs
a past verb far from it). Where something happened "in the past year" is the year
before the anchor's; what "will" happen "in five years" is the year that far ahead
(other counted spans are durations). A few values depend on what the text said
before (``_in_context``): a clock time takes the day just named, "a year earlier"
(and "$5 million last year") the quarter the report is about, "the year-earlier period" and "the latest
period" the quarter the report opened with, and "that day", "the following year"
or "the previous Friday" the date the narrative last named.
Durations ("24 hours") and sets ("every Friday") are not reported.

    >>> a = Anchor.parse("2023-03-14")
    >>> [(m.text, m.value) for m in find_english("He said on Tuesday that last April was worse.", a)]
    [('Tuesday', '2023-03-14'), ('last April', '2022-04')]
    >>> [(m.text, m.value) for m in find_english("They will meet on Tuesday.", Anchor.parse("2023-03-15"))]
    [('Tuesday', '2023-03-21')]
    >>> [m.value for m in find_english("It happened on Tuesday.", None)]
    ['XXXX-WXX-2']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

# --- vocabulary -----------------------------------------------------------------

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
#: Abbreviations are also names and words ("Jan", "Dec", "Mar"): only with a day or year.
ABBREVIATIONS = frozenset(name for name in MONTHS if len(name) <= 4 and name not in ("may", "june", "july"))
WEEKDAYS: dict[str, int] = {
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
}  # fmt: skip
NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "a couple of": 2, "couple of": 2,
}  # fmt: skip
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "tonight": "NI"}
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
#: Months each season covers, to tell whether "last summer" is this year's or last year's.
SEASON_END_MONTH = {"SP": 5, "SU": 8, "FA": 11, "WI": 2}
SEASON_START_MONTH = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_ALT = "|".join(WEEKDAYS)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = _DAY.replace("<day>", "<day2>")
_YEAR = r"(?P<year>1[5-9]\d\d|20\d\d|21\d\d)(?![\d%])"
_SEP = r"(?:\s*,\s*|\s+)"

# --- anchor -------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """What relative expressions resolve against: a year, maybe a month, maybe a day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> Anchor | None:
        """The anchor of a TIMEX3-like value (``2023``, ``2023-03``, ``2023-03-14T09:30…``).

        >>> Anchor.parse("2023-03"), Anchor.parse("x") is None
        (Anchor(year=2023, month=3, day=None), True)
        """
        match = re.match(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value or "")
        if not match:
            return None
        y, m, d = match.groups()
        try:
            date(int(y), int(m or 1), int(d or 1))
        except ValueError:
            return None
        return cls(int(y), int(m) if m else None, int(d) if d else None)

    @property
    def label(self) -> str:
        if self.day is not None and self.month is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def date(self) -> date | None:
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    @property
    def quarter(self) -> int | None:
        return None if self.month is None else (self.month - 1) // 3 + 1


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int
    type: str
    value: str
    anchor: str | None = None

    def as_record(self) -> dict[str, object]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "value": self.value,
            "anchor": self.anchor,
        }


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    value: str
    type: str = "DATE"
    relative: bool = False
    #: May the span grow left over "the", "early", "the end of"… (value unchanged).
    extend: bool = True
    #: "year_back" ("a year earlier") takes the granularity of the period just compared;
    #: "clock" (a time without a day) takes the day last mentioned.
    kind: str = ""


# --- value helpers ----------------------------------------------------------------


def day_value(d: date) -> str:
    return d.isoformat()


def week_value(d: date) -> str:
    """ISO week of a day, the TIMEX3 way.

    >>> week_value(date(2023, 1, 1)), week_value(date(2023, 3, 14))
    ('2022-W52', '2023-W11')
    """
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def month_value(year: int, month: int) -> str:
    while month < 1:
        year, month = year - 1, month + 12
    while month > 12:
        year, month = year + 1, month - 12
    return f"{year:04d}-{month:02d}"


def valid_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def easter(year: int) -> date:
    """Western Easter Sunday (anonymous Gregorian algorithm).

    >>> easter(2024), easter(2023)
    (datetime.date(2024, 3, 31), datetime.date(2023, 4, 9))
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def _election_day(year: int) -> date:
    """US Election Day: the Tuesday after the first Monday of November.

    >>> _election_day(1998), _election_day(2024)
    (datetime.date(1998, 11, 3), datetime.date(2024, 11, 5))
    """
    first = date(year, 11, 1)
    first_monday = first + timedelta(days=(0 - first.weekday()) % 7)
    return first_monday + timedelta(days=1)


def _memorial_day(year: int) -> date:
    last = date(year, 5, 31)
    return last - timedelta(days=last.weekday())


def _labor_day(year: int) -> date:
    first = date(year, 9, 1)
    return first + timedelta(days=(0 - first.weekday()) % 7)


HOLIDAYS: dict[str, Callable[[int], date]] = {
    "christmas eve": lambda y: date(y, 12, 24),
    "christmas day": lambda y: date(y, 12, 25),
    "christmas": lambda y: date(y, 12, 25),
    "boxing day": lambda y: date(y, 12, 26),
    "new year's eve": lambda y: date(y, 12, 31),
    "new year's day": lambda y: date(y, 1, 1),
    "valentine's day": lambda y: date(y, 2, 14),
    "halloween": lambda y: date(y, 10, 31),
    "easter sunday": easter,
    "easter monday": lambda y: easter(y) + timedelta(days=1),
    "good friday": lambda y: easter(y) - timedelta(days=2),
    "easter": easter,
    "thanksgiving day": _thanksgiving,
    "thanksgiving": _thanksgiving,
    # US holidays news names (capitalized): as HeidelTime's English resources have them
    "election day": _election_day,
    "memorial day": _memorial_day,
    "labor day": _labor_day,
}

# --- tense --------------------------------------------------------------------------

_TENSE_TOKEN = re.compile(r"[a-z']+")
_FUTURE_WORDS = frozenset("will won't shall 'll gonna would upcoming until deadline might scheduled".split())
#: Future cues that a past verb of the same clause outweighs: "Until Thursday, they had not
#: called him a suspect"; "set Friday as the deadline".
_WEAK_FUTURE = frozenset({"until", "deadline"})
#: Verbs of deferral point forward even in the past tense: "postponed until Tuesday".
_DEFERRAL = frozenset("postponed delayed deferred adjourned rescheduled extended".split())
#: Future when "to" follows: "plans to", "expected to", "is to".
_FUTURE_BEFORE_TO = frozenset(
    "going plans plan planning planned expected expects expect set due is are intends intend aims aim "
    "preparing hopes hope supposed slated poised likely agreed agrees agree".split()
)
#: Future after "to be": "to be held" (a bare "to close" is as often a purpose as a plan).
_TO_BE_VERBS = frozenset("held signed opened launched released announced completed".split())
_PAST_WORDS = frozenset(
    "was were had did said told took went came made met held began saw gave fell rose won lost left struck "
    "hit killed ago last earlier".split()
) | frozenset(
    # irregular past forms that are not also present forms ("put", "set", "cut" are left out)
    "became brought bought sold found got sent spent stood thought wrote chose drove fought flew grew knew "
    "led meant paid rang rode sat shot spoke stole threw broke caught built felt kept heard sought fled "
    "swept withdrew overthrew forgot forgave froze shook sank sang wept".split()
)
_REPORTING = frozenset({"said", "told", "says"})
#: A scheduled event in the present tense is ahead: "Arafat and Albright meet Monday".
_SCHEDULED_PRESENT = frozenset(
    "meet meets resume resumes begin begins start starts open opens vote votes visit visits leave leaves "
    "arrive arrives return returns travel travels convene convenes".split()
)
_STRONG_PAST = frozenset(
    {
        "died",
        "killed",
        "announced",
        "reported",
        "signed",
        "launched",
        "attacked",
        "opened",
        "closed",
        "ended",
        "started",
        "visited",
        "happened",
        "occurred",
        "arrived",
        "resigned",
    }
)
_WAS = frozenset({"was", "were", "had", "been"})
_PRESENT_BE = frozenset({"be", "is", "are", "am", "being"})
_PRESENT_TENSE = frozenset({"is", "are", "am", "has", "have"})
#: Words ending in -ed that are no past tense ("United States", "a hundred").
_NOT_PAST_ED = frozenset(
    "united hundred indeed sacred kindred hatred naked wicked proceed succeed exceed embed speed breed "
    "need seed feed".split()
)
#: "planning for the summit in April", "planned for Friday": what is planned lies ahead.
_PLANNING = frozenset("planned planning preparing scheduled".split())
_NOUN_STARTS = frozenset({"a", "an", "the", "its", "their", "his", "her", "this", "that", "these", "those"})
_DETERMINERS_OF_NOUNS = frozenset({"a", "an", "the", "its", "their", "his", "her", "to", "will", "would"})
_CUE_WORDS = (
    _FUTURE_WORDS
    | _FUTURE_BEFORE_TO
    | _PAST_WORDS
    | _DEFERRAL
    | _SCHEDULED_PRESENT
    | _PLANNING
    | {"be", "soon", "early"}
)
#: A sentence or clause ends here; not the dots of "a.m." or "U.S.".
_CLAUSE_END = re.compile(r"[!?;\n\"“”]|''|(?<!\.[a-z])(?<!\b[a-z])\.(?=\s|$)")


def _cue(words: list[str], i: int, strong: bool, edge: bool = False) -> str | None:
    """The tense word ``i`` of a clause signals, if any (``edge``: it stands right before
    the expression)."""
    word = words[i]
    following = words[i + 1] if i + 1 < len(words) else ""
    previous = words[i - 1] if i else ""
    # "agreed to buy" looks ahead; "agreed to a merger" names what was agreed
    after_to = words[i + 2] if i + 2 < len(words) else ""
    future = (
        word in _FUTURE_WORDS
        or word.endswith("'ll")
        or (word in _FUTURE_BEFORE_TO and following == "to" and after_to not in _NOUN_STARTS)
        or (word == "be" and previous == "to" and following in _TO_BE_VERBS)
        or (word in ("soon", "early") and previous == "as")
        or (word in _PLANNING and (following == "for" or following in _NOUN_STARTS))
    )
    if word in _DEFERRAL or (word in _SCHEDULED_PRESENT and previous not in _DETERMINERS_OF_NOUNS):
        return "future"
    if future:
        # "was due to expire", "had been scheduled": a plan seen from the past; a plan still
        # under way ("were planning to drive on Monday") points ahead
        before = words[max(0, i - 3) : i]
        return "past" if _WAS.intersection(before) and not word.endswith("ing") else "future"
    if previous in _PRESENT_BE:
        return None  # a passive participle: "will be paid Dec. 14", "is heard in May"
    if word in _WAS and following.endswith("ing") and following in _FUTURE_BEFORE_TO:
        return None  # "were planning to drive": the plan's word says where it points
    if word in _PAST_WORDS or (len(word) > 4 and word.endswith("ed") and word not in _NOT_PAST_ED):
        if strong and (word.endswith("ed") or word in _REPORTING) and word not in _STRONG_PAST:
            # right before the time it is the event's verb or participle: "shares issued
            # July 1", "was founded in May"; not after a determiner ("the planned March vote"),
            # nor one that looks ahead ("results, expected in December")
            ahead = word in _PLANNING or word in _FUTURE_BEFORE_TO
            participle = edge and word.endswith("ed") and not ahead
            if not participle or previous in _DETERMINERS_OF_NOUNS:
                return None
        return "past"
    return None


def tense_near(low: str, start: int, end: int, strong: bool = False) -> str | None:
    """'past', 'future' or None: the closest tense cue to a span in its sentence.

    ``strong`` ignores ``-ed`` words (often adjectives: "proposed", "based") and
    reporting verbs, for expressions whose default is the nearest occurrence
    rather than the past one. A future cue after ``was``/``had been`` ("was due
    to expire") is past.

    >>> t = "officials said on tuesday the talks will resume on friday."
    >>> tense_near(t, 18, 25), tense_near(t, 50, 56)
    ('past', 'future')
    """
    cue = _tense_cue(low, start, end, strong)
    return cue[1] if cue else None


def _tense_cue(low: str, start: int, end: int, strong: bool) -> tuple[int, str] | None:
    """``tense_near``'s cue with its distance (characters) from the span."""
    left_from = max(0, start - 100)
    cuts = [m.end() for m in _CLAUSE_END.finditer(low, left_from, start)]
    if cuts:
        left_from = cuts[-1]
    right_to = min(len(low), end + 80)
    stop = _CLAUSE_END.search(low, end, right_to)
    if stop:
        right_to = stop.start()
    best: tuple[int, str] | None = None
    weak: tuple[int, str] | None = None
    present = False
    for lo, hi, is_left in ((left_from, start, True), (end, right_to, False)):
        tokens = list(_TENSE_TOKEN.finditer(low, lo, hi))
        words = [t.group() for t in tokens]
        present = present or (is_left and not _PRESENT_TENSE.isdisjoint(words))
        for i, token in enumerate(tokens):
            word = words[i]
            if word not in _CUE_WORDS and not word.endswith(("ed", "'ll")):
                continue  # most words are no cue: skip the full check
            edge = is_left and (i == len(tokens) - 1 or (i == len(tokens) - 2 and words[-1] in ("on", "in")))
            cue = _cue(words, i, strong, edge)
            if cue is None:
                continue
            distance = start - token.end() if is_left else token.start() - end
            if word in _WEAK_FUTURE:
                if weak is None or distance < weak[0]:
                    weak = (distance, cue)
            elif best is None or distance < best[0]:
                best = (distance, cue)
    if best is None and left_from == max(0, start - 100) and left_from > 0 and not present:
        # "..., with holders tendering shares by the Tuesday deadline": a deadline is weak,
        # and a long clause ("flights would leave ... with the third departing from August
        # 6") may have its verb further back; a present tense on the way is that verb
        # ("when the case is heard in May"), which leaves the default
        wide_from = max(0, start - 250)
        cuts = [m.end() for m in _CLAUSE_END.finditer(low, wide_from, left_from)]
        if cuts:
            wide_from = cuts[-1]
        tokens = list(_TENSE_TOKEN.finditer(low, wide_from, left_from))
        words = [t.group() for t in tokens]
        for i in range(len(tokens) - 1, -1, -1):
            word = words[i]
            if word in _PRESENT_TENSE:
                break
            if word in _WEAK_FUTURE or (word not in _CUE_WORDS and not word.endswith(("ed", "'ll"))):
                continue
            cue = _cue(words, i, strong)
            if cue is not None:
                return start - tokens[i].end(), cue
    return best or weak


# --- rules ------------------------------------------------------------------------

_WORD = re.compile(r"[a-z]+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class _Context:
    text: str
    low: str
    anchor: Anchor | None
    #: Ambiguous numeric dates (05/04/2023): True day first, False month first, None unknown.
    day_first: bool | None = None


def _cap(ctx: _Context, pos: int) -> bool:
    """Month and weekday names count only capitalized (``may``, ``march`` are verbs)."""
    return ctx.text[pos].isupper()


def _left(ctx: _Context, pos: int, width: int = 40) -> str:
    return ctx.low[max(0, pos - width) : pos]


def _digit_left_ok(ctx: _Context, pos: int) -> bool:
    """A number starting here is not the tail of another number, amount or code."""
    if pos == 0:
        return True
    before = ctx.low[pos - 1]
    if before.isalnum() or before in "$£€¥#№+_":
        return False
    if before in ".,:/-" and pos >= 2 and ctx.low[pos - 2].isdigit():
        return False
    return not (before in "/-" and pos >= 2 and ctx.low[pos - 2].isalpha())


def _right_clear(ctx: _Context, end: int) -> bool:
    """Nothing numeric continues the match (``2023-03-14-15``, ``14/03/20234``)."""
    rest = ctx.low[end : end + 2]
    if not rest:
        return True
    if rest[0].isalnum() or rest[0] in "%_":
        return False
    return not (rest[0] in "-/.:,'" and len(rest) > 1 and rest[1].isdigit())


def _resolve_month_day(ctx: _Context, month: int, day: int, start: int, end: int) -> str | None:
    """``March 14`` without a year: the anchor's year, or the year before or after it when
    the tense and the distance say so (a past event in late December read in January)."""
    if not 1 <= day <= 31:
        return None
    anchor = ctx.anchor
    if anchor is None:
        return f"XXXX-{month:02d}-{day:02d}" if valid_day(2000, month, day) else None
    year = _nearest_year(ctx, month, start, end)
    found = valid_day(year, month, day)
    return day_value(found) if found else None


def _nearest_year(ctx: _Context, month: int, start: int, end: int) -> int:
    """The year of a month named without one: the occurrence nearest the anchor, unless
    the tense points the other way ("will" and a month just gone means next year's)."""
    assert ctx.anchor is not None
    cue = _tense_cue(ctx.low, start, end, strong=True)
    tense = cue[1] if cue else None
    forward = _FORWARD_LEFT.search(_left(ctx, start, 12)) if tense != "future" else None
    if forward and (tense is None or (forward["term"] and cue and cue[0] > _TERM_REACH)):
        tense = "future"
    return nearest_year(ctx.anchor, month, tense)


#: A date given as a term or a start ("effective Feb. 1", "by February") is mostly ahead;
#: one that ends a span ("through August", "until May") as often closes one gone by.
_FORWARD_LEFT = re.compile(r"\b(?:(?P<term>by|effective|starting|beginning)|until|till|through)\s+\Z")
#: A term outweighs a past verb this far away (characters) or further: "which had been
#: expected, is part of a plan to repay the loan by February"; not "had fallen by May".
_TERM_REACH = 40


def nearest_year(anchor: Anchor, month: int, tense: str | None = None) -> int:
    """The year of a month named without one, seen from ``anchor``: the anchor's year
    for its own months and the next two; news looks back beyond that, unless a future
    tense points ahead (up to nine months) or a past one back.

    >>> a = Anchor.parse("2023-03-14")
    >>> nearest_year(a, 12), nearest_year(a, 5), nearest_year(a, 12, "future")
    (2022, 2023, 2023)
    >>> nearest_year(Anchor.parse("2023-10-26"), 1), nearest_year(Anchor.parse("2023-10-26"), 1, "future")
    (2023, 2024)
    """
    if anchor.month is None:
        return anchor.year
    ahead = (month - anchor.month) % 12  # months until the next such month (0: this one)
    if ahead == 0:
        return anchor.year
    if tense == "future":
        forward = ahead <= 9
    elif tense == "past":
        forward = ahead <= 1
    else:
        forward = ahead <= 2
    if forward:
        return anchor.year + (1 if month < anchor.month else 0)
    return anchor.year - (1 if month > anchor.month else 0)


def _weekday_value(ctx: _Context, weekday: int, start: int, end: int, relation: str | None) -> str:
    """The day a weekday name refers to: ``last``/``next`` decide, else the verb's tense,
    else the most recent such day (news reports what happened)."""
    anchor_day = ctx.anchor.date if ctx.anchor else None
    if anchor_day is None:
        return f"XXXX-WXX-{weekday}"
    if relation not in ("past", "future"):
        relation = tense_near(ctx.low, start, end)
    today = anchor_day.isoweekday()
    delta = (weekday - today) % 7 if relation == "future" else -((today - weekday) % 7)
    return day_value(anchor_day + timedelta(days=delta))


def _relative_day(ctx: _Context, days: int) -> str:
    anchor_day = ctx.anchor.date if ctx.anchor else None
    return day_value(anchor_day + timedelta(days=days)) if anchor_day else "XXXX-XX-XX"


def _part_of_day(word: str | None) -> str:
    return PARTS_OF_DAY.get(word or "", "")


# Each rule is matched at a trigger token; it returns what it found there, or None.
Rule = Callable[[re.Match[str], _Context], _Found | None]


_MONTH_DAY_YEAR = re.compile(
    rf"(?:(?P<wd>{_WEEKDAY_ALT}),?\s+)?(?P<month>{_MONTH_ALT})\.?\s+{_DAY}(?!\d)(?:{_SEP}{_YEAR})?"
)
_DAY_MONTH_YEAR = re.compile(
    rf"(?:(?P<wd>{_WEEKDAY_ALT}),?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH_ALT})\b\.?"
    rf"(?:,?\s+{_YEAR})?"
)
_MONTH_YEAR = re.compile(rf"(?P<month>{_MONTH_ALT})\.?(?:,|\s+of)?\s+{_YEAR}")
_MONTH_REL_YEAR = re.compile(rf"(?P<month>{_MONTH_ALT})\s+(?P<rel>this|last|next)\s+year\b")
_MONTH_ALONE = re.compile(rf"(?P<month>{_MONTH_ALT})\b")
_MONTH_CUE = re.compile(
    r"(?:\b(?:in|on|since|by|until|till|through|during|from|to|before|after|of|between|and|or|early|late"
    r"|mid|last|next|this|past|that|each|every|around|about|as of|for|a|the|its|his|her|their)[\s-]+)\Z"
)
_NARRATIVE_LEFT = re.compile(r"\bthe\s+(?P<rel>previous|preceding|following)\s+\Z")
_REL_WORD_LEFT = re.compile(r"\b(?P<rel>last|next|this(?: past| coming)?|coming|past)\s+\Z")
_SET_LEFT = re.compile(r"\b(?:every|each|other|alternate)\s+(?:[a-z]+day,?\s+(?:and|or)\s+)?\Z")


def _month_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    pos = m.start()
    if not _cap(ctx, pos) or _DAY_BEFORE.search(_left(ctx, pos, 12)):
        return None  # "14 March 2023" belongs to the number that starts it
    best: _Found | None = None
    for pattern in (_MONTH_DAY_YEAR, _MONTH_YEAR, _MONTH_REL_YEAR, _MONTH_ALONE):
        match = pattern.match(ctx.low, pos)
        if not match:
            continue
        found = _month_match(match, ctx, pattern)
        if found is None and pattern is _MONTH_DAY_YEAR:
            return None  # "June 31, 2023" is no date, not even June
        if found and (best is None or found.end > best.end):
            best = found
    return _week_of(ctx, best) if best else None


_WEEK_OF = re.compile(r"\bthe\s+week\s+of\s+\Z")


def _week_of(ctx: _Context, found: _Found) -> _Found:
    """ "the week of March 6" is that day's ISO week."""
    left = _left(ctx, found.start, 20)
    week = _WEEK_OF.search(left)
    day = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", found.value)
    if not week or not day:
        return found
    named = date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
    start = found.start - len(left) + week.start()
    return _Found(start, found.end, week_value(named), relative=found.relative)


_DAY_BEFORE = re.compile(r"(?<![\d.,])\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?\Z")


_SHARED_YEAR = re.compile(rf"\s+(?:and|or|&)\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+{_YEAR}")


def _month_match(match: re.Match[str], ctx: _Context, pattern: re.Pattern[str]) -> _Found | None:
    month_word = match["month"]
    month = MONTHS[month_word]
    start, end = match.start(), match.end()
    anchor = ctx.anchor
    if pattern is _MONTH_DAY_YEAR:
        day = int(match["day"])
        if match["year"]:
            if not _right_clear(ctx, end):
                return None
            found = valid_day(int(match["year"]), month, day)
            return _Found(start, end, day_value(found)) if found else None
        # "May 5, 000 people" is no date; "March 14, 20234" neither
        if not _right_clear(ctx, end) or re.match(r",\s*\d", ctx.low[end : end + 4]):
            return None
        shared = _SHARED_YEAR.match(ctx.low, end)  # "May 3 and 4, 2021": the year of both days
        if shared:
            found = valid_day(int(shared["year"]), month, day)
            return _Found(start, end, day_value(found)) if found else None
        value = _resolve_month_day(ctx, month, day, start, end)
        return _Found(start, end, value, relative=anchor is not None) if value else None
    if pattern is _MONTH_YEAR:
        if not _right_clear(ctx, end):
            return None
        return _Found(start, end, month_value(int(match["year"]), month))
    if pattern is _MONTH_REL_YEAR:
        if anchor is None:
            return _Found(start, end, f"XXXX-{month:02d}")
        delta = {"this": 0, "last": -1, "next": 1}[match["rel"]]
        return _Found(start, end, month_value(anchor.year + delta, month), relative=True)
    # A month name alone: not an abbreviation, and a word before it that makes it a date.
    if month_word in ABBREVIATIONS and month_word != "sept":
        return None
    left = _left(ctx, start)
    if _SET_LEFT.search(left):
        return None
    rel = _REL_WORD_LEFT.search(left)
    cued = rel or _MONTH_CUE.search(left)
    # Uncued, only a month opening a sentence: "January was cold", not "March Madness" or "May I".
    opening = _sentence_start(ctx, start) and not re.match(r"\s+[A-Z]", ctx.text[end : end + 2])
    if not cued and (month_word == "may" or not opening):
        return None
    if ctx.low[end : end + 1] == "-":
        return None
    if rel:
        start = start - len(left) + rel.start()
        word = rel["rel"]
        if anchor is None:
            return _Found(start, end, f"XXXX-{month:02d}", relative=False)
        if anchor.month is None:
            year = anchor.year + {"last": -1, "next": 1}.get(word, 0)
        elif word in ("last", "this past", "past"):
            # "last February" said in March is a year back: last month's would be "last month".
            year = anchor.year if month < anchor.month - 1 else anchor.year - 1
        elif word in ("next", "this coming", "coming"):
            year = anchor.year if month > anchor.month else anchor.year + 1
        else:
            year = anchor.year
        return _Found(start, end, month_value(year, month), relative=True)
    if anchor is None:
        return _Found(start, end, f"XXXX-{month:02d}")
    return _Found(start, end, month_value(_nearest_year(ctx, month, start, end), month), relative=True)


def _sentence_start(ctx: _Context, pos: int) -> bool:
    before = ctx.text[max(0, pos - 3) : pos].strip()
    return pos == 0 or before == "" or before[-1] in ".!?\n\"'“("


_WEEKDAY_DATE = re.compile(
    rf"(?P<wd>{_WEEKDAY_ALT}),?\s+(?:(?P<month>{_MONTH_ALT})\.?\s+{_DAY}|(?:the\s+)?{_DAY2}\s+(?:of\s+)?"
    rf"(?P<month2>{_MONTH_ALT})\b\.?)(?!\d)(?:{_SEP}{_YEAR})?"
)
_WEEKDAY = re.compile(
    rf"(?P<wd>{_WEEKDAY_ALT})(?!s\b)(?P<poss>'s)?(?:\s+(?P<part>morning|afternoon|evening|night))?\b"
)


_RECURRING_PARTS = re.compile(
    rf"(?:,?\s+(?:and|or)\s+(?:{_WEEKDAY_ALT}))*\s+(?:mornings|afternoons|evenings|nights)\b"
)


def _weekday_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    pos = m.start()
    if not _cap(ctx, pos):
        return None
    dated = _WEEKDAY_DATE.match(ctx.low, pos)
    if dated:
        month = MONTHS[dated["month"] or dated["month2"]]
        if _cap(ctx, dated.start("month") if dated["month"] else dated.start("month2")):
            day = int(dated["day"] or dated["day2"])
            if dated["year"]:
                found = valid_day(int(dated["year"]), month, day)
                value = day_value(found) if found else None
            else:
                value = _resolve_month_day(ctx, month, day, dated.start(), dated.end())
            if value:
                return _Found(pos, dated.end(), value, relative=not dated["year"] and ctx.anchor is not None)
    match = _WEEKDAY.match(ctx.low, pos)
    if not match:
        return None
    left = _left(ctx, pos)
    if _SET_LEFT.search(left) or re.search(r"\b(?:on|is|was|any)\s+an?\s+\Z|\bany\s+\Z", left):
        return None  # "every Friday", "on a Monday": no particular day
    if _RECURRING_PARTS.match(ctx.low, match.end("wd")):
        return None  # "on Monday and Tuesday nights": a plural part of the day recurs (a SET)
    start = pos
    relation = None
    narrative = _NARRATIVE_LEFT.search(left)
    if narrative and not match["part"]:
        # "the previous Friday": the one before the day the story last named
        step = -1 if narrative["rel"] in ("previous", "preceding") else 1
        start = pos - len(left) + narrative.start()
        end = pos + len(match["wd"])
        fallback = _weekday_value(ctx, WEEKDAYS[match["wd"]], start, end, "past" if step < 0 else "future")
        kind = f"weekday:{WEEKDAYS[match['wd']]}:{step}"
        return _Found(start, end, fallback, relative=ctx.anchor is not None, kind=kind)
    rel = _REL_WORD_LEFT.search(left)
    if rel:
        word = rel["rel"]
        relation = {"last": "past", "this past": "past", "past": "past", "next": "future"}.get(word)
        relation = relation or ("future" if "coming" in word else None)
        start = pos - len(left) + rel.start()
    weekday = WEEKDAYS[match["wd"]]
    end = pos + len(match["wd"])
    explicit = relation is not None
    if match["poss"] and relation is None:
        relation = "past"  # "Tuesday's attack" has happened
    value = _weekday_value(ctx, weekday, start, end, relation)
    if match["part"]:
        end = match.end()
        value += "T" + _part_of_day(match["part"])
        return _Found(start, end, value, "TIME", relative=ctx.anchor is not None)
    if explicit and ctx.anchor and ctx.anchor.date:
        # "last Friday" when the anchor is a Friday means a week before, not the anchor.
        anchor_day = ctx.anchor.date
        if value == day_value(anchor_day):
            shift = -7 if relation == "past" else 7
            value = day_value(anchor_day + timedelta(days=shift))
    return _Found(start, end, value, relative=ctx.anchor is not None and ctx.anchor.date is not None)


_DAY_WORD = re.compile(
    r"(?P<word>today|yesterday|tomorrow|tonight)(?:'s)?(?:\s+(?P<part>morning|afternoon|evening|night))?\b"
)
_DAY_OFFSETS = {"today": 0, "yesterday": -1, "tomorrow": 1, "tonight": 0}


def _in_name(ctx: _Context, pos: int) -> bool:
    """A capitalized common time word inside a capitalized name, not opening a sentence:
    "VOA Today", "High Noon" (TimeML marks no time expression inside a proper name)."""
    if not ctx.text[pos].isupper() or _sentence_start(ctx, pos):
        return False
    previous = re.search(r"([A-Za-z][\w.'&-]*)\W{1,3}\Z", ctx.text[max(0, pos - 30) : pos])
    if not previous or not previous.group(1)[0].isupper():
        return False
    word = previous.group(1).lower().rstrip(".")
    # "on Sunday Today...", "March Tomorrow" are dates side by side, not one name
    return word not in MONTHS and word not in WEEKDAYS


#: "today's youth", "by today's standards", "the cars of tomorrow": the word stands for
#: the present age or the future at large, not for a day (TimeBank leaves these out, while
#: "today's vote" and "tomorrow's edition" are the day's).
_GENERIC_NOUNS = frozenset(
    "world society youth generation generations children kids teenagers families parents people women men "
    "standards terms dollars technology technologies computers cars economy culture politics".split()
)
_GENERIC_OF = re.compile(r"\b(?P<noun>[a-z]+)\s+of\s+\Z")


def _generic_day_word(ctx: _Context, match: re.Match[str]) -> bool:
    if match["word"] not in ("today", "tomorrow"):
        return False
    after = match.start() + len(match["word"])
    if ctx.low.startswith("'s", after):
        # the noun, or the one after an adjective: "today's young people"
        nouns = _WORD.findall(ctx.low, after + 2, after + 40)[:2]
        return not _GENERIC_NOUNS.isdisjoint(nouns)
    of = _GENERIC_OF.search(_left(ctx, match.start(), 24))
    return of is not None and of["noun"] in _GENERIC_NOUNS


def _day_word_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    match = _DAY_WORD.match(ctx.low, m.start())
    if not match or _in_name(ctx, m.start()) or _generic_day_word(ctx, match):
        return None
    word = match["word"]
    offset = _DAY_OFFSETS[word]
    start = match.start()
    left = _left(ctx, start, 30)
    before = re.search(r"\bthe\s+day\s+(?P<rel>before|after)\s+\Z", left)
    if before:
        offset += -1 if before["rel"] == "before" else 1
        start -= len(left) - before.start()
    part = match["part"] or ("night" if word == "tonight" else None)
    end = match.end() if match["part"] else match.start() + len(word)
    value = _relative_day(ctx, offset)
    if part:
        return _Found(start, end, value + "T" + _part_of_day(part), "TIME", relative=ctx.anchor is not None)
    return _Found(start, end, value, relative=ctx.anchor is not None)


_UNIT_REL = re.compile(
    r"(?P<rel>this|last|next)\s+(?:(?P<fiscal>fiscal)\s+)?(?P<unit>week|weekend|month|year|quarter"
    r"|decade|century|spring|summer|fall|autumn|winter|morning|afternoon|evening|night)\b(?!-)"
)


_SAME_PERIOD_LEFT = re.compile(
    r"\bthe\s+(?:corresponding|comparable|same)\s+(?:period|quarter)\s+(?:of\s+)?\Z"
)


def _unit_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    match = _UNIT_REL.match(ctx.low, m.start())
    if not match:
        return None
    rel, unit = match["rel"], match["unit"]
    start, end = match.start(), match.end()
    unit_at = match.start("unit")
    if ctx.text[unit_at].isupper() and ctx.text[unit_at + 1 : unit_at + 2].islower():
        return None  # a title-cased unit names something: ABC's "This Week", "Next Year in Jerusalem"
    left = _left(ctx, start, 20)
    if rel == "last" and unit != "night" and re.search(r"\bthe\s+\Z", left):
        return None  # "over the last week" is a duration, not a date
    if rel == "this" and unit in ("morning", "afternoon", "evening"):
        return _Found(start, end, _relative_day(ctx, 0) + "T" + _part_of_day(unit), "TIME", relative=True)
    if unit in ("morning", "afternoon", "evening", "night"):
        if rel == "last" and unit in ("night", "evening"):
            return _Found(
                start, end, _relative_day(ctx, -1) + "T" + _part_of_day(unit), "TIME", relative=True
            )
        if rel == "this" and unit == "night":
            return _Found(start, end, _relative_day(ctx, 0) + "TNI", "TIME", relative=True)
        return None
    delta = {"this": 0, "last": -1, "next": 1}[rel]
    value = _unit_value(ctx, unit, delta)
    if value is None:
        return None
    wide = _left(ctx, start, 40) if rel == "last" and unit == "year" else ""
    same = _SAME_PERIOD_LEFT.search(wide) if wide else None
    if same:
        # "the corresponding period last year" is "the year-earlier period": the reported one, a year back
        return _Found(start - len(wide) + same.start(), end, value, relative=True, kind="period_back")
    if (
        rel == "last"
        and unit == "year"
        and (_AMOUNT_BEFORE.search(_left(ctx, start, 30)) or _AMOUNT_AFTER.match(ctx.low, end))
    ):
        return _Found(start, end, value, relative=True, kind="year_back")
    return _Found(start, end, value, relative=ctx.anchor is not None)


#: "compared with $33 million last year", "up from last year's $1.55 billion": an amount
#: compared with last year's is the same part of last year as the period reported.
_AMOUNT_BEFORE = re.compile(
    r"(?:\d%?|\b(?:million|billion|trillion|cents?|share|percent|pence|francs|guilders|yen|marks))\s*,?\s+\Z"
)
_AMOUNT_AFTER = re.compile(r"'s\s+(?:[a-z]{0,2}[$£#€¥]\s*)?\d")


def _unit_or_few_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    return (
        _few_rule(m, ctx)
        or _unit_rule(m, ctx)
        or _half_rule(m, ctx)
        or _elided_last(m, ctx)
        or _past_period(m, ctx)
    )


#: "in the past year", "over the last decade": where something happened, which TimeML
#: gives the value of the calendar year (decade) before the anchor's. Counted or plural
#: spans ("the past two years", "the past few weeks") and "for the past year" (how long)
#: are durations; "the past week" is mostly one too ("for the last week"), so only the
#: year and the decade count; "the last year of his term" is an order, not a time.
_PAST_PERIOD = re.compile(r"(?:past|last)\s+(?P<unit>year|decade)\b(?![-'’]|\s+(?:of|or|and|in\s+which)\b)")
_PAST_PERIOD_LEFT = re.compile(r"\b(?:in|over|during)\s+(?P<the>the)\s+\Z")


def _past_period(m: re.Match[str], ctx: _Context) -> _Found | None:
    match = _PAST_PERIOD.match(ctx.low, m.start())
    if not match:
        return None
    left = _left(ctx, m.start(), 16)
    the = _PAST_PERIOD_LEFT.search(left)
    if not the:
        return None
    value = _unit_value(ctx, match["unit"], -1)
    if value is None:
        return None
    start = m.start() - len(left) + the.start("the")
    return _Found(start, match.end(), value, relative=ctx.anchor is not None, extend=False)


#: "twice as much this year as last", "more this week than last": the comparison leaves
#: out the noun, "last" is "last year" (not "his first and last", where it is an order).
_ELIDED_LEFT = re.compile(
    r"\bthis\s+(?P<unit>year|month|week|quarter)\b(?!')[^.;:!?]{0,40}?\b(?:as|than)\s+\Z"
)


def _elided_last(m: re.Match[str], ctx: _Context) -> _Found | None:
    left = _left(ctx, m.start(), 60)
    elided = _ELIDED_LEFT.search(left)
    if not elided or not re.match(r"\s*(?:[.,;:)!?]|\Z)", ctx.low[m.end() : m.end() + 2]):
        return None
    value = _unit_value(ctx, elided["unit"], -1)
    return _Found(m.start(), m.end(), value, relative=ctx.anchor is not None, extend=False) if value else None


def _unit_value(ctx: _Context, unit: str, delta: int) -> str | None:
    anchor = ctx.anchor
    anchor_day = anchor.date if anchor else None
    if unit in ("week", "weekend"):
        suffix = "-WE" if unit == "weekend" else ""
        if anchor_day is None:
            return "XXXX-WXX" + suffix
        return week_value(anchor_day + timedelta(days=7 * delta)) + suffix
    if unit == "month":
        if anchor is None or anchor.month is None:
            return "XXXX-XX"
        return month_value(anchor.year, anchor.month + delta)
    if unit == "year":
        return "XXXX" if anchor is None else f"{anchor.year + delta:04d}"
    if unit == "quarter":
        if anchor is None or anchor.quarter is None:
            return "XXXX-QX"
        q = anchor.quarter + delta
        year = anchor.year + (q - 1) // 4
        return f"{year:04d}-Q{(q - 1) % 4 + 1}"
    if unit == "decade":
        return "XXX" if anchor is None else f"{anchor.year // 10 + delta:03d}"
    if unit == "century":
        return "XX" if anchor is None else f"{anchor.year // 100 + delta:02d}"
    season = SEASONS[unit]
    if anchor is None:
        return "XXXX-" + season
    year = anchor.year
    if anchor.month is not None and delta:
        if delta < 0:
            year = (
                anchor.year if anchor.month > SEASON_END_MONTH[season] and season != "WI" else anchor.year - 1
            )
        else:
            year = anchor.year if anchor.month < SEASON_START_MONTH[season] else anchor.year + 1
    return f"{year:04d}-{season}"


_AMOUNT_LEFT = re.compile(
    r"(?:\b(?P<approx>about|nearly|almost|some|roughly|around|more than|less than|just|only|over)\s+)?"
    r"(?:\b(?P<n>a couple of|couple of|a few|several|many|\d+|a|an|one|two|three|four|five|six|seven|eight"
    r"|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty)|\b(?P<year>year))"
    r"(?:\s+|-)(?P<unit>days?|weeks?|months?|years?|decades?|centuries|century)?(?:\s+or\s+(?:so|more))?\s*\Z"
)


def _ago_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """``two weeks ago``, ``a year earlier``, ``the year-earlier period``: looked up leftwards."""
    word_start = m.start()
    word = m.group()
    compared_period = False  # "the year-earlier period": the period the report is about
    if word == "now":
        if ctx.low[max(0, word_start - 5) : word_start] != "from ":
            return None
        word_start -= 5
    left = _left(ctx, word_start, 40)
    amount = _AMOUNT_LEFT.search(left)
    if not amount:
        return None
    start = word_start - len(left) + amount.start()
    end = m.end()
    unit = amount["unit"]
    if amount["year"]:  # "year-earlier", "year-ago"
        if not left.endswith("-"):
            return None
        n, unit = 1, "year"
        if re.match(r"\s+(?:[a-z]+\s+)?(?:months|weeks)\b", ctx.low[end : end + 24]):
            return None  # "the year-earlier nine months": a span of months, a duration
        # "the year-earlier quarter" is left to the quarter rule, which knows which quarter
        period = re.match(r"\s+(?:period|results|level)\b", ctx.low[end : end + 24])
        if period:
            end += period.end()
            compared_period = period.group().endswith("period")
    elif unit is None:
        return None
    else:
        n_word = amount["n"]
        n = int(n_word) if n_word.isdigit() else NUMBER_WORDS.get(n_word, 0)
    sign = 1 if word in ("now", "later", "hence") else -1
    if word in ("later", "before", "after"):
        return None  # relative to another event, not to the anchor
    if n == 0 or n > 200:  # "a few", "several": vague
        return _Found(start, end, "FUTURE_REF" if sign > 0 else "PAST_REF")
    unit = unit.rstrip("s").replace("centurie", "century")
    anchor = ctx.anchor
    if anchor is None:
        return _Found(
            start, end, {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX"}.get(unit, "XXXX")
        )
    anchor_day = anchor.date
    if unit == "day":
        if anchor_day is None:
            return None
        return _Found(start, end, day_value(anchor_day + timedelta(days=sign * n)), relative=True)
    if unit == "week":
        if anchor_day is None:
            return None
        return _Found(start, end, week_value(anchor_day + timedelta(days=sign * 7 * n)), relative=True)
    if unit == "month":
        if anchor.month is None:
            return None
        return _Found(start, end, month_value(anchor.year, anchor.month + sign * n), relative=True)
    if unit == "year":
        kind = "year_back" if n == 1 and sign < 0 else ""
        if compared_period:
            kind = "period_back"
        return _Found(start, end, f"{anchor.year + sign * n:04d}", relative=True, kind=kind)
    if unit == "decade":
        return _Found(start, end, f"{(anchor.year + sign * 10 * n) // 10:03d}", relative=True)
    return _Found(start, end, f"{(anchor.year + sign * 100 * n) // 100:02d}", relative=True)


_VAGUE: dict[str, str] = {
    "now": "PRESENT_REF",
    "currently": "PRESENT_REF",
    "presently": "PRESENT_REF",
    "nowadays": "PRESENT_REF",
    "recently": "PAST_REF",
    "lately": "PAST_REF",
}


def _vague_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    word = m.group()
    start, end = m.start(), m.end()
    left = _left(ctx, start, 12)
    if word == "now":
        if left.endswith("from "):
            return _ago_rule(m, ctx)  # "two days from now"; a bare "from now on" is none
        if ctx.low[end : end + 1] == "-" or left.endswith("just "):
            return None  # "now-defunct" is an adjective
        if left.endswith("right "):
            start -= 6
        if ctx.low[end : end + 1] == "," and _sentence_start(ctx, start):
            return None  # "Now, he says, ...": a discourse marker turning the argument, no time
    if word == "presently" and not re.match(r"\s+[a-z]", ctx.low[end : end + 3]):
        return None
    return _Found(start, end, _VAGUE[word], extend=False)


_RECENT = re.compile(r"recent(?:\s+(?:years|months|weeks|days|times|decades))?\b")
_CURRENT_STOP = frozenset(
    "account accounts affairs and or of in is was at to from that which flowing flows carried density "
    "through into by for on with through, as".split()
)
_CURRENT_UNIT = re.compile(
    r"current\s+(?:(?P<fiscal>fiscal)\s+)?(?P<unit>year|quarter|month|week|decade|century)\b"
)


def _recent_current_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    word = m.group()
    start = m.start()
    if word == "recent":
        # Bare "recent" qualifies too many nouns loosely; "recent years" is a time.
        match = _RECENT.match(ctx.low, start)
        if not match or match.end() == m.end():
            return None
        return _Found(start, match.end(), "PAST_REF", extend=False)
    unit = _CURRENT_UNIT.match(ctx.low, start)
    if unit:
        value = _unit_value(ctx, unit["unit"], 0)
        if value:
            return _Found(start, unit.end(), value, relative=ctx.anchor is not None)
    following = re.match(r"\s+([a-z]+)", ctx.low[m.end() : m.end() + 20])
    if not following or following.group(1) in _CURRENT_STOP:
        return None
    if re.search(r"\bthen[\s-]\Z", _left(ctx, start, 6)):
        return _Found(start - 5, m.end(), "PAST_REF", extend=False)  # "the then current chairman"
    return _Found(start, m.end(), "PRESENT_REF", extend=False)


#: "the past" before an amount ("the past twenty years") starts a duration, not a reference.
_PAST_FUTURE = re.compile(
    r"(?P<word>future\b|past\b(?!\s+(?:\d|few|several|couple|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen"
    r"|week|weekend|month|year|decade|century|day|hour|minute|quarter|season)\w*))"
)
#: "for the foreseeable future" says how long, a duration; "the future of the talks",
#: "the future looks bleak": the noun names prospects, not a time (unless "in the future").
_FUTURE_HOW_LONG = re.compile(r"\bfor\s+the\s+(?:foreseeable|immediate)\s+\Z")
_FUTURE_NOUN = re.compile(r"\s+(?:of|is|was|looks?|looked)\b")


def _past_future_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    if m.group() == "past":
        few = _few_rule(m, ctx) or _past_period(m, ctx)
        if few:
            return few
        plural = re.match(r"past\s+(?:years|decades|centuries)\b", ctx.low[m.start() : m.start() + 20])
        if plural and not re.search(r"\b(?:the|over|for)\s+\Z", _left(ctx, m.start(), 8)):
            return _Found(m.start(), m.start() + plural.end(), "PAST_REF", extend=False)  # "in past years"
    match = _PAST_FUTURE.match(ctx.low, m.start())
    if not match:
        return None
    start, end = match.start(), match.end()
    left = _left(ctx, start, 30)
    if match["word"] == "past":
        the = re.search(r"\bthe\s+(?:distant\s+|recent\s+)?\Z", left)
        if not the:
            plural = re.match(r"\s+(years|decades|months|weeks)\b", ctx.low[end : end + 12])
            if plural:
                return _Found(start, end + plural.end(), "PAST_REF", extend=False)
            return None
        if ctx.low[end : end + 1] == "-" or re.match(r"\s+(?:is|was|of)\b", ctx.low[end : end + 5]):
            return None
        return _Found(start - len(left) + the.start(), end, "PAST_REF", extend=False)
    if ctx.low[end : end + 1] == "s" or ctx.low[end : end + 1] == "-":
        return None
    if _FUTURE_HOW_LONG.search(left):
        return None
    if _FUTURE_NOUN.match(ctx.low, end) and not re.search(r"\b(?:in|into)\s+the\s+\Z", left):
        return None  # "in the future is yet to be seen" is still a time
    plural = re.match(r"\s+(?:years|decades|months|weeks|quarters|generations)\b", ctx.low[end : end + 14])
    if plural:  # "(in) future quarters"; a bare adjective ("future growth") is no time
        end += plural.end()
    the = re.search(r"\b(?:the\s+)?(?:near|distant|foreseeable|immediate)\s+$|\bthe\s+$|\bin\s+\Z", left)
    if the:
        if not left[the.start() :].startswith("in"):
            start = start - len(left) + the.start()
        return _Found(start, end, "FUTURE_REF", extend=False)
    return _Found(start, end, "FUTURE_REF", extend=False) if plural else None


_FEW = re.compile(
    r"(?:the\s+)?(?:past|last)\s+(?:few|several|couple\s+of)\s+(?:days|weeks|months|years|decades|quarters)\b"
)
_THESE = re.compile(r"these\s+days\b")


def _few_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """``the last few months`` (PAST_REF), ``the near term`` (FUTURE_REF), ``these days``."""
    start = m.start()
    if m.group() == "these":
        match = _THESE.match(ctx.low, start)
        return _Found(start, match.end(), "PRESENT_REF", extend=False) if match else None
    if m.group() == "the":
        return None
    left_the = ctx.low[max(0, start - 4) : start] == "the "
    match = _FEW.match(ctx.low, start)
    if match:
        return _Found(start - (4 if left_the else 0), match.end(), "PAST_REF", extend=False)
    return None


_TERM_LEFT = re.compile(r"\bthe\s+(?:near|short)\s+\Z")


def _term_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "in the near term", "the challenges of the short term": the time just ahead."""
    left = _left(ctx, m.start(), 12)
    the = _TERM_LEFT.search(left)
    if not the or not _DAYPART_END.match(ctx.low, m.end()):
        return None  # "the short term outlook", "short-term debt" qualify a noun
    return _Found(m.start() - len(left) + the.start(), m.end(), "FUTURE_REF", extend=False)


_SOON = re.compile(r"soon\b")


def _soon_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    start, end = m.start(), m.end()
    left = _left(ctx, start, 8)
    right = ctx.low[end : end + 16]
    if left.endswith("as "):
        possible = re.match(r"\s+as\s+possible\b", right)
        if not possible:
            return None
        return _Found(start - 3, end + possible.end(), "FUTURE_REF", extend=False)
    if re.match(r"\s+(?:after|afterwards|thereafter|before|enough|as)\b", right):
        return None
    return _Found(start, end, "FUTURE_REF", extend=False)


_LATER_DATE_LEFT = re.compile(
    r"\b(?:at|on|to|until|till|for)\s+(?P<span>(?:a|some)\s+(?:later|future|subsequent))\s+\Z"
)


def _later_date_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "at a later date", "until some future date": an unnamed time ahead (FUTURE_REF)."""
    left = _left(ctx, m.start(), 30)
    later = _LATER_DATE_LEFT.search(left)
    if not later:
        return None
    return _Found(m.start() - len(left) + later.start("span"), m.end(), "FUTURE_REF", extend=False)


_COMING = re.compile(r"coming\s+(?:days|weeks|months|years|decades|quarters)\b")


def _coming_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    match = _COMING.match(ctx.low, m.start())
    return _Found(m.start(), match.end(), "FUTURE_REF") if match else None


_QUARTER_LEFT = re.compile(
    r"(?:\b(?P<det>the|this|last|next|its|that|their|this year's|last year's|next year's|the same"
    r"|the latest|the current|the previous|the past|the coming|the year-earlier|the year-ago"
    r"|the comparable|a year-earlier|the most recent|(?:the\s+)?(?P<year>1[5-9]\d\d|20\d\d))\s+)?"
    r"(?:(?P<fiscal>fiscal)[\s-]+)?"
    r"(?:(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)(?:\s+|-)(?:fiscal\s+)?)?\Z"
)
_QUARTER_RIGHT = re.compile(
    r"(?:\s+of\s+(?:the\s+)?(?:fiscal\s+)?(?:(?P<year>1[5-9]\d\d|20\d\d)|(?P<rel>this|last|next)\s+year)"
    r"|\s+(?P<year2>1[5-9]\d\d|20\d\d))?"
)


_QUARTER_NOT_TIME = re.compile(r"-(?:finals?|miles?|to-quarter|on-quarter|over-quarter)\b")


def _quarter_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """``the third quarter``, ``Q3 2024``, ``third-quarter``, ``the year-earlier quarter``."""
    pos, end = m.start(), m.end()
    word = m.group()
    if word == "q":
        return _q_rule(m, ctx)
    if ctx.low[end : end + 1] == "s" or _QUARTER_NOT_TIME.match(ctx.low, end):
        return None  # "quarter-final", "a quarter-mile", "the quarter-to-quarter comparison"
    left = _left(ctx, pos, 60)
    match = _QUARTER_LEFT.search(left)
    if not match or not (match["det"] or match["ord"] or match["year"]):
        return None
    right = _QUARTER_RIGHT.match(ctx.low, end)
    start = pos - len(left) + match.start()
    det = (match["det"] or "").replace("the ", "")
    year_back = re.match(r"\s+a\s+year\s+(?:ago|earlier)\b", ctx.low[end : end + 20])
    if year_back and not (right and right.end() > end):
        # "the quarter a year ago" is one expression: the year-ago quarter
        end += year_back.end()
        det = "year-ago" if det in ("", "the", "that") else det
    ordinal = ORDINALS.get(match["ord"] or "")
    if not ordinal and det in ("", "its", "their"):
        return None
    if not ordinal and det in ("the", "that") and re.match(r"\s+of\s+(?!\d)", ctx.low[end : end + 8]):
        return None  # "the quarter of a century", "the old quarter of the city"
    year: int | None = None
    if match["year"]:
        year = int(match["year"])
    if right and (right["year"] or right["year2"]):
        year = int(right["year"] or right["year2"])
        end = right.end()
    elif right and right["rel"] and ctx.anchor:
        year = ctx.anchor.year + {"this": 0, "last": -1, "next": 1}[right["rel"]]
        end = right.end()
    anchor = ctx.anchor
    relative = year is None and anchor is not None
    if year is None and "year's" in det and anchor:
        year = anchor.year + {"this year's": 0, "last year's": -1, "next year's": 1}[det]
    if ordinal:
        if year is None:
            if anchor is None or anchor.quarter is None:
                return _Found(start, end, f"XXXX-Q{ordinal}")
            year = anchor.year
            if ordinal > anchor.quarter and tense_near(ctx.low, start, end) == "past":
                year -= 1
            if "year-" in det or det in ("year-earlier", "year-ago", "a year-earlier"):
                year -= 1
        return _Found(start, end, f"{year:04d}-Q{ordinal}", relative=relative, kind=_compared(det))
    ended = _ENDED.match(ctx.low, end) if det in ("the", "its", "their", "that") and year is None else None
    if ended and _cap(ctx, ended.start("month")):
        # "the quarter ended July 31" is the three months to that day: the calendar quarter
        # of their middle month (May to July: the second)
        month = MONTHS[ended["month"]]
        if ended["year"]:
            ended_year = int(ended["year"])
        elif anchor is not None:
            ended_year = nearest_year(anchor, month, "past")
        else:
            return _Found(start, end, "XXXX-QX")
        middle = (month - 2) % 12 + 1
        q_year = ended_year - (1 if middle > month else 0)
        return _Found(start, end, f"{q_year:04d}-Q{(middle - 1) // 3 + 1}", relative=not ended["year"])
    if anchor is None or anchor.quarter is None:
        return _Found(start, end, "XXXX-QX")
    current = anchor.year * 4 + anchor.quarter - 1
    offset = {"this": 0, "current": 0, "next": 1, "coming": 1, "last": -1, "previous": -1, "past": -1}.get(
        det,
        -1,  # "the quarter", "the latest quarter": the last one reported
    )
    if det in ("year-earlier", "year-ago", "a year-earlier", "comparable"):
        offset = -5
    if det == "" and year is not None:
        return None
    q = current + offset
    if year is not None:
        return _Found(start, end, f"{year:04d}-Q{q % 4 + 1}", relative=relative, kind=_compared(det))
    return _Found(start, end, f"{q // 4:04d}-Q{q % 4 + 1}", relative=True, kind=_compared(det))


_ENDED = re.compile(rf"\s+(?:that\s+)?ended\s+(?P<month>{_MONTH_ALT})\.?\s+{_DAY}(?!\d)(?:,?\s+{_YEAR})?")


def _compared(det: str) -> str:
    """ "the year-ago quarter" is itself a comparison: a later "year earlier" must not count
    back from it again (``_in_context`` skips derived mentions)."""
    return "compared" if det in ("year-earlier", "year-ago", "a year-earlier", "comparable") else ""


_TWO_QUARTERS = re.compile(r"\b(?:the\s+)?(?P<which>first|last)\s+two\s+\Z")


def _two_quarters(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "the first two quarters of 1990" is its first half."""
    left = _left(ctx, m.start(), 20)
    which = _TWO_QUARTERS.search(left)
    if not which:
        return None
    right = _QUARTER_RIGHT.match(ctx.low, m.end())
    year_text = right and (right["year"] or right["year2"])
    if not year_text:
        return None  # "the last two quarters" seen from the anchor is a span, not a half
    half = 1 if which["which"] == "first" else 2
    return _Found(m.start() - len(left) + which.start(), right.end(), f"{year_text}-H{half}")


_Q = re.compile(rf"q(?P<q>[1-4])(?:\s*(?:of\s+)?(?:fiscal\s+)?(?:{_YEAR}|'(?P<yy>\d\d)))?\b")


def _q_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    if ctx.text[m.start()] != "Q":
        return None
    match = _Q.match(ctx.low, m.start())
    if not match or (m.start() > 0 and ctx.low[m.start() - 1].isalnum()):
        return None
    if match["year"]:
        return _Found(m.start(), match.end(), f"{match['year']}-Q{match['q']}")
    if match["yy"]:
        return _Found(m.start(), match.end(), f"20{match['yy']}-Q{match['q']}")
    if ctx.anchor is None:
        return _Found(m.start(), match.end(), f"XXXX-Q{match['q']}")
    return _Found(m.start(), match.end(), f"{ctx.anchor.year:04d}-Q{match['q']}", relative=True)


_HALF = re.compile(
    r"(?P<ord>first|second|last)\s+half\s+of\s+(?:(?:the\s+)?year|(?P<rel>this|last|next)\s+year|"
    rf"(?:fiscal\s+)?{_YEAR})"
)


def _half_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    match = _HALF.match(ctx.low, m.start())
    if not match:
        return None
    half = 1 if match["ord"] == "first" else 2
    if m.group() == "last" and ctx.low[max(0, m.start() - 4) : m.start()] != "the ":
        return None
    if match["year"]:
        return _Found(m.start(), match.end(), f"{match['year']}-H{half}")
    if ctx.anchor is None:
        return _Found(m.start(), match.end(), f"XXXX-H{half}")
    delta = {"this": 0, "last": -1, "next": 1}.get(match["rel"] or "this", 0)
    return _Found(m.start(), match.end(), f"{ctx.anchor.year + delta:04d}-H{half}", relative=True)


_WEEKEND_LEFT = re.compile(r"\b(?P<det>the|this|this past|last|next|this coming|that)\s+\Z")


def _weekend_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    if ctx.low[m.end() : m.end() + 1] == "s":
        return None
    left = _left(ctx, m.start(), 20)
    det = _WEEKEND_LEFT.search(left)
    if not det:
        return None
    start = m.start() - len(left) + det.start()
    anchor_day = ctx.anchor.date if ctx.anchor else None
    if anchor_day is None:
        return _Found(start, m.end(), "XXXX-WXX-WE")
    word = det["det"]
    if word in ("last", "this past"):
        delta = -1 if anchor_day.isoweekday() < 6 else 0
        # The weekend just gone, seen from a weekday, is last week's.
        return _Found(
            start, m.end(), week_value(anchor_day + timedelta(days=7 * delta)) + "-WE", relative=True
        )
    if word in ("next",):
        return _Found(start, m.end(), week_value(anchor_day + timedelta(days=7)) + "-WE", relative=True)
    if word in ("the", "that"):
        # "over the weekend" is news for the weekend just gone
        over = left[: det.start()].endswith("over ")
        tense = "past" if over else tense_near(ctx.low, start, m.end())
        if tense == "past" and anchor_day.isoweekday() < 6:
            return _Found(start, m.end(), week_value(anchor_day - timedelta(days=7)) + "-WE", relative=True)
    return _Found(start, m.end(), week_value(anchor_day) + "-WE", relative=True)


_SEASON_RULE = re.compile(rf"(?P<season>spring|summer|fall|autumn|winter)\b(?:\s+(?:of\s+)?{_YEAR})?")
_SEASON_LEFT = re.compile(
    r"\b(?P<det>this past|this coming|this|last|next|the|early|late|mid|in|during|by|since|until)[\s-]+\Z"
)


def _season_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    match = _SEASON_RULE.match(ctx.low, m.start())
    if not match:
        return None
    season = SEASONS[match["season"]]
    start, end = match.start(), match.end()
    if match["year"]:
        if not _right_clear(ctx, end):
            return None
        return _Found(start, end, f"{match['year']}-{season}")
    left = _left(ctx, start, 20)
    det = _SEASON_LEFT.search(left)
    if not det or (ctx.text[start].isupper() and not _sentence_start(ctx, start) and det["det"] == "the"):
        return None
    if re.match(
        r"\s+of\s+(?!\d|nineteen\s|two\s+thousand)|-|\s+(?:session|term|school|collection|games|olympics)\b",
        ctx.low[end : end + 20],
    ):
        return None  # "the fall of Kabul", "the spring session"
    word = det["det"]
    if word in ("this", "last", "next", "this past", "this coming"):
        start = start - len(left) + det.start()
        delta = {"last": -1, "this past": -1, "next": 1, "this coming": 1}.get(word, 0)
        value = _unit_value(ctx, match["season"], delta)
        return _Found(start, end, value or "XXXX-" + season, relative=ctx.anchor is not None)
    if match["season"] in ("fall", "spring") and word not in ("early", "late", "mid", "in", "during", "the"):
        return None
    if (
        match["season"] in ("fall", "spring")
        and word == "the"
        and not re.search(r"\b(?:in|during|by|since|until|over|through)\s+the\s+\Z", left)
    ):
        return None
    value = _unit_value(ctx, match["season"], 0)
    return _Found(start, end, value or "XXXX-" + season, relative=ctx.anchor is not None)


_HOLIDAY = re.compile(
    r"(?P<name>christmas eve|christmas day|christmas|boxing day|new year's eve|new year's day|valentine's day"
    r"|halloween|easter sunday|easter monday|easter week|good friday|easter|thanksgiving day|thanksgiving"
    r"|election day|memorial day|labor day)\b"
    rf"(?:\s+{_YEAR})?"
)


_HOLIDAY_NOUN = re.compile(r"\s+(?:trees?|cards?|markets?|shopping|part(?:y|ies)|sales|gifts?|eggs?)\b")


def _holiday_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    if not _cap(ctx, m.start()):
        return None
    match = _HOLIDAY.match(ctx.low, m.start())
    if not match:
        return None
    if _HOLIDAY_NOUN.match(ctx.low, match.end()):
        return None  # "Christmas trees" are no date
    # "Easter week": the (ISO) week that ends on Easter Sunday, the week before Easter
    week = match["name"] == "easter week"
    compute = HOLIDAYS["easter" if week else match["name"]]
    value_of = week_value if week else day_value
    start, end = match.start(), match.end()
    if match["year"]:
        return _Found(start, end, value_of(compute(int(match["year"]))))
    left = _left(ctx, start, 20)
    rel = _REL_WORD_LEFT.search(left)
    if ctx.anchor is None:
        if week:
            return _Found(start, end, "XXXX-WXX")
        return _Found(start, end, "XXXX-" + compute(2001).strftime("%m-%d") if "easter" not in match["name"]
                      else "XXXX-XX-XX")  # fmt: skip
    year = ctx.anchor.year
    if not rel and ctx.anchor.month is not None:
        year = _nearest_year(ctx, compute(year).month, start, end)
    if rel:
        start = start - len(left) + rel.start()
        this_year = compute(year)
        anchor_day = ctx.anchor.date or date(year, ctx.anchor.month or 12, 28)
        if rel["rel"] in ("last", "this past", "past") and this_year >= anchor_day:
            year -= 1
        elif rel["rel"] in ("next", "this coming", "coming") and this_year <= anchor_day:
            year += 1
    return _Found(start, end, value_of(compute(year)), relative=True)


_CENTURY = re.compile(r"century\b")
_CENTURY_LEFT = re.compile(
    r"\b(?:the\s+)?(?:(?P<n>\d{1,2})(?:st|nd|rd|th)|(?P<w>eighteenth|nineteenth|twentieth|twenty-first"
    r"|21st|20th)|(?P<rel>this|last|next|the current|the last|the next))[\s-]+\Z"
)
_CENTURY_WORDS = {"eighteenth": 18, "nineteenth": 19, "twentieth": 20, "twenty-first": 21}


def _century_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    if ctx.low[m.end() : m.end() + 1] == "-" or ctx.low[m.end() : m.end() + 1] == "s":
        return None
    left = _left(ctx, m.start(), 30)
    match = _CENTURY_LEFT.search(left)
    if not match:
        return None
    start = m.start() - len(left) + match.start()
    if match["n"] or match["w"]:
        n = int(match["n"]) if match["n"] else _CENTURY_WORDS[match["w"]]
        return _Found(start, m.end(), f"{n - 1:02d}") if 1 <= n <= 22 else None
    rel = match["rel"].replace("the ", "")
    if rel in ("last", "next") and match["rel"].startswith("the"):
        return None  # "the last century" of something: a duration
    value = _unit_value(ctx, "century", {"this": 0, "current": 0, "last": -1, "next": 1}[rel])
    return _Found(start, m.end(), value or "XX", relative=ctx.anchor is not None)


_TIME = re.compile(
    r"(?P<h>[01]?\d|2[0-3])(?:[:.](?P<mi>[0-5]\d))?\s*(?P<ampm>a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b)"
    # "at 4 in the morning", "by 10:30 at night": a clock hour told by the part of the day
    r"|(?P<hw>1[0-2]|[1-9])(?:[:.](?P<miw>[0-5]\d))?\s+(?:o'clock\s+)?"
    r"(?:in\s+the\s+(?P<part>morning|afternoon|evening)|at\s+(?P<night>night))\b"
    r"|(?P<h24>[01]?\d|2[0-3]):(?P<mi24>[0-5]\d)(?![\d:.]\d)"
    r"|(?P<hh>[01]\d|2[0-3])(?P<mm>[0-5]\d)\s+(?=gmt|utc)"
)
_ZONE_NAMES = r"(?:gmt|utc|bst|cet|cest|eet|eest|est|edt|cst|cdt|mst|mdt|pst|pdt|msk|ist|jst|local time)\b"
_ZONE = re.compile(rf"\s*(?:\({_ZONE_NAMES}\)|{_ZONE_NAMES})")
_TIME_CUE_LEFT = re.compile(
    r"\b(?:at|by|until|till|from|to|around|about|before|after|since|between|and)\s+\Z"
)
_TIME_DAY = re.compile(
    rf",?\s+(?:on\s+)?(?:(?P<wd>{_WEEKDAY_ALT})|(?P<rel>today|yesterday|tomorrow|tonight)"
    rf"|(?P<month>{_MONTH_ALT})\.?\s+{_DAY}(?!\d))\b"
)


#: The same time in another zone, in parentheses: "(0735 GMT)".
_ASIDE = re.compile(r"\s*\([^()]{1,24}\)")


def _time_rule(m: re.Match[str], ctx: _Context, pos: int | None = None) -> _Found | None:
    pos = m.start() if pos is None else pos
    if not _digit_left_ok(ctx, pos):
        return None
    match = _TIME.match(ctx.low, pos)
    if not match:
        return None
    end = match.end()
    if match["ampm"]:
        hour = int(match["h"]) % 12 + (12 if match["ampm"].startswith("p") else 0)
        if int(match["h"]) > 12 or int(match["h"]) == 0:
            return None
        minute = int(match["mi"] or 0)
    elif match["hw"]:
        if not _TIME_CUE_LEFT.search(_left(ctx, pos, 10)):
            return None  # "won 4 in the morning session" counts, it tells no time
        hour, minute = int(match["hw"]) % 12, int(match["miw"] or 0)
        if match["part"] in ("afternoon", "evening") or (match["night"] and hour >= 6):
            hour += 12
    elif match["h24"]:
        hour, minute = int(match["h24"]), int(match["mi24"])
        zone = _ZONE.match(ctx.low, end)
        if (
            not zone
            and not _TIME_CUE_LEFT.search(_left(ctx, pos, 10))
            and not re.match(r"\s*(?:h|hrs|hours)\b", ctx.low[end : end + 6])
        ):
            return None
        if ctx.low[end : end + 1] in ("-", "/") or not _right_clear(ctx, end):
            return None
    else:
        hour, minute = int(match["hh"]), int(match["mm"])
    zone = _ZONE.match(ctx.low, end)
    if zone:
        end = zone.end()
    value_time = f"T{hour:02d}:{minute:02d}"
    day = _TIME_DAY.match(ctx.low, end)
    aside = None if day else _ASIDE.match(ctx.low, end)
    if aside:  # "10:35 a.m. (0735 GMT) Friday": the day after the other zone's time
        day = _TIME_DAY.match(ctx.low, aside.end())
    day_part: str | None = None
    if day and not (day["wd"] and not _cap(ctx, day.start("wd"))):
        if day["wd"]:
            day_part = _weekday_value(ctx, WEEKDAYS[day["wd"]], day.start("wd"), day.end(), None)
        elif day["rel"]:
            day_part = _relative_day(ctx, _DAY_OFFSETS[day["rel"]])
        elif _cap(ctx, day.start("month")):
            day_part = _resolve_month_day(ctx, MONTHS[day["month"]], int(day["day"]), day.start(), day.end())
        if day_part:
            end = day.end()
    if day_part is None:
        day_part = _relative_day(ctx, 0)
        return _Found(pos, end, day_part + value_time, "TIME", relative=ctx.anchor is not None, kind="clock")
    return _Found(pos, end, day_part + value_time, "TIME", relative=ctx.anchor is not None)


_NOON = re.compile(rf"(?P<w>noon|midday|midnight)\b(?:,?\s+(?:on\s+)?(?P<wd>{_WEEKDAY_ALT})\b)?")


def _noon_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    match = _NOON.match(ctx.low, m.start())
    if not match or _in_name(ctx, m.start()):
        return None
    if match["w"] == "noon" and _left(ctx, m.start(), 5) == "high ":
        return None  # "high noon": the idiom's showdown, no clock time
    end = match.end()
    if match["wd"] and _cap(ctx, match.start("wd")):
        day_part = _weekday_value(ctx, WEEKDAYS[match["wd"]], match.start("wd"), end, None)
    else:
        end = match.start() + len(match["w"])
        day_part = _relative_day(ctx, 0)
    clock = "T24:00" if match["w"] == "midnight" else "T12:00"
    return _Found(match.start(), end, day_part + clock, "TIME", relative=ctx.anchor is not None)


_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
_YEAR_QUARTER = re.compile(r"\d{4}\s*q(?P<q>[1-4])\b")
_ISO_CLOCK = re.compile(
    r"t(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?(?:z|[+-]\d\d:?\d\d)?(?!\d)"
)
_YMD_SLASH = re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})")
_NUMERIC_DATE = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})")
_DECADE = re.compile(r"(?P<d>\d{3})0(?:'?s)\b|(?P<dd>\d)0'?s\b")
_CENTURY_DIGITS = re.compile(r"(?P<n>\d{1,2})(?:st|nd|rd|th)[\s-]+century\b")
_YEAR_TOKEN = re.compile(r"(?P<year>1[5-9]\d\d|20\d\d|21\d\d)\b")
#: A year after these words is a year ("in 2021", "fiscal 1989"), whatever follows it.
_YEAR_CUE_WORDS = frozenset(
    [
        *"in since by until till through during from to before after of early late mid fiscal calendar "
        "year around circa between and or for spring summer autumn fall winter end start beginning middle "
        "election elections season".split(),
        "as of",
        "back in",
        "the year",
        "class of",
    ]
)


def _year_cued(low: str, pos: int) -> bool:
    words = _tail_words(low, pos, 2)
    return bool(words) and (words[-1] in _YEAR_CUE_WORDS or " ".join(words) in _YEAR_CUE_WORDS)


#: A number after these words is a number, not a year ("flight 1776", "version 2023").
_YEAR_BAD_WORDS = frozenset(
    "no nos number nr version v route flight room page pages pp p article section rule model bus road "
    "highway resolution code tel phone call ext iso windows office boeing airbus pixel iphone galaxy unit "
    "channel track level station box suite apartment flat lot gate platform engine figure table chapter "
    "exhibit paragraph clause item step pin zip postcode ref reference ticket order firmware release build "
    "update patch python java ios android".split()
)
_YEAR_BAD_RIGHT = re.compile(
    r"\s*(?:%|percent|per\s?cent|\w*meters?|\w*metres?|km|kg|miles?|feet|ft|tons?|tonnes?|barrels?|mph"
    r"|points?|votes?|people|persons|troops|soldiers|civilians|cases|deaths|dead|times|hours|minutes"
    r"|seconds|units|shares|pounds|dollars|euros|yen|rubles|roubles|hryvnias?|acres|hectares|square|sq"
    r"|calories|watts|mw|kw|gb|mb|rpm|bc\b|b\.c\.|ad\b)(?![a-z])"
)


def _number_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """Every expression that starts with a number: dates, times, years, decades, centuries."""
    pos = m.start()
    if not _digit_left_ok(ctx, pos):
        # "mid-1990s" and "'90s" start after a hyphen or apostrophe; so may decades.
        decade = pos and ctx.low[pos - 1] in "-'’" and _DECADE.match(ctx.low, pos)
        if not decade and not ctx.low[max(0, pos - 5) : pos].endswith(("mid-", "pre-", "post-")):
            return None  # "mid-1990s", "pre-1914 borders", "post-1959 politics"
    best: _Found | None = None
    for found in _number_candidates(m, ctx):
        if found and (best is None or found.end > best.end):
            best = found
    return _week_of(ctx, best) if best else None


def _number_candidates(m: re.Match[str], ctx: _Context) -> Iterator[_Found | None]:
    pos = m.start()
    low = ctx.low
    token = m.group()
    match = _DAY_MONTH_YEAR.match(low, pos)
    if match and _cap(ctx, match.start("month")) and len(token) <= 2:
        month = MONTHS[match["month"]]
        day = int(match["day"])
        if match["year"] and _right_clear(ctx, match.end()):
            found = valid_day(int(match["year"]), month, day)
            yield _Found(pos, match.end(), day_value(found)) if found else None
        elif not match["year"] and (match["month"] not in ABBREVIATIONS or low[match.end() - 1] == "."):
            value = _resolve_month_day(ctx, month, day, pos, match.end())
            yield _Found(pos, match.end(), value, relative=ctx.anchor is not None) if value else None
    if len(token) == 4:
        match = _ISO_DATE.match(low, pos)
        clock = match and _ISO_CLOCK.match(low, match.end())
        if match and (clock or _right_clear(ctx, match.end())):
            found = valid_day(int(match["y"]), int(match["m"]), int(match["d"]))
            if found and clock:
                value = f"{day_value(found)}T{clock['h']}:{clock['m']}"
                yield _Found(pos, clock.end(), value, "TIME")
            else:
                yield _Found(pos, match.end(), day_value(found)) if found else None
        match = _YMD_SLASH.match(low, pos)
        if match and _right_clear(ctx, match.end()):
            found = valid_day(int(match["y"]), int(match["m"]), int(match["d"]))
            yield _Found(pos, match.end(), day_value(found)) if found else None
        yield _year_candidate(ctx, pos)
        yield _time_rule(m, ctx, pos)  # "1200 GMT"
        match = _YEAR_QUARTER.match(low, pos)
        if match and ctx.text[match.end() - 2] == "Q":
            yield _Found(pos, match.end(), f"{token}-Q{match['q']}")
    if len(token) <= 2 and low[max(0, pos - 5) : pos].endswith(("and ", "or ", "& ")):
        yield _second_day(ctx, pos)
    if len(token) <= 2:
        match = _NUMERIC_DATE.match(low, pos)
        code = _tail_words(low, pos, 1)
        if match and _right_clear(ctx, match.end()) and not (code and code[0].rstrip(".") in _YEAR_BAD_WORDS):
            yield _numeric_date(match, ctx)
        yield _time_rule(m, ctx, pos)
        match = _CENTURY_DIGITS.match(low, pos)
        if match:
            n = int(match["n"])
            start = pos - 4 if low[max(0, pos - 4) : pos] == "the " else pos
            yield _Found(start, match.end(), f"{n - 1:02d}") if 1 <= n <= 22 else None
    match = _DECADE.match(low, pos)
    if match:
        yield _decade(match, ctx)


_FIRST_DAY_LEFT = re.compile(rf"\b(?P<month>{_MONTH_ALT})\.?\s+[0-3]?\d(?:st|nd|rd|th)?\s+(?:and|or|&)\s+\Z")
_SECOND_DAY = re.compile(
    rf"{_DAY}(?:,?\s+{_YEAR})?(?=\s*[.,;:)]|\s*\Z|\s+(?:in|at|on|and|to|for|with|when|while)\b)"
)


def _second_day(ctx: _Context, pos: int) -> _Found | None:
    """The second day of "April 24 and 25": a date of its own, in the month just named."""
    left = _left(ctx, pos, 24)
    first = _FIRST_DAY_LEFT.search(left)
    match = _SECOND_DAY.match(ctx.low, pos)
    if not first or not match or not _cap(ctx, pos - len(left) + first.start("month")):
        return None
    month, day = MONTHS[first["month"]], int(match["day"])
    if match["year"]:
        found = valid_day(int(match["year"]), month, day)
        return _Found(pos, match.end(), day_value(found), extend=False) if found else None
    value = _resolve_month_day(ctx, month, day, pos, match.end())
    return _Found(pos, match.end(), value, relative=ctx.anchor is not None, extend=False) if value else None


def _decade(match: re.Match[str], ctx: _Context) -> _Found | None:
    start, end = match.start(), match.end()
    if match["d"]:
        digits = match["d"]
        if not 150 <= int(digits) <= 210:
            return None
        if (
            digits.endswith("0")
            and digits != "200"
            and not re.search(r"\b(?:the\s+)?early\s*-?\Z", _left(ctx, start, 10))
        ):
            return _Found(start, end, digits[:2])  # "the 1800s": the century
        return _Found(start, end, digits)
    apostrophe = start > 0 and ctx.low[start - 1] in "'’"
    left = _left(ctx, start - (1 if apostrophe else 0), 20)
    if not apostrophe and not re.search(r"\b(?:the|early|late|mid)[\s-]+\Z", left):
        return None  # "in their 90s" is an age
    if re.search(r"\b(?:his|her|their|my|your|our|its)\s+(?:early\s+|late\s+|mid-)?\Z", left):
        return None
    tens = int(match["dd"])
    century = "20" if tens <= 2 else "19"
    return _Found(start - (1 if apostrophe else 0), end, f"{century}{tens}")


def _year_candidate(ctx: _Context, pos: int) -> _Found | None:
    match = _YEAR_TOKEN.match(ctx.low, pos)
    if not match:
        return None
    end = match.end()
    year = int(match["year"])
    right = ctx.low[end : end + 30]
    if right[:1] in ("-", "/", ".", ":", ",") and right[1:2].isdigit() and not re.match(r",\s", right):
        return None
    if right[:1] == "'" or right[:2] == "'s" or right[:1] == "s":
        return None
    if _YEAR_BAD_RIGHT.match(right):
        return None
    left = _left(ctx, pos, 30)
    words = _tail_words(ctx.low, pos, 2)
    last = words[-1] if words else ""
    pair = " ".join(words)
    if last.rstrip(".") in _YEAR_BAD_WORDS or left.rstrip().endswith("#"):
        return None
    # the next year of a list ("in 1994, 1995 and 1997") is cued by the one before it
    listed = _LISTED_YEAR.search(left) is not None
    if not listed and re.search(r"(?:\d[\s,.]*|\$\s*)\Z", left[-3:]):  # "1 2000", "$ 2000"
        return None
    if last in _QUANTITY_WORDS or pair in _QUANTITY_WORDS:
        return None  # "some 2000 protesters", "more than 1500"
    cue = listed or last in _YEAR_CUE_WORDS or pair in _YEAR_CUE_WORDS
    cue = cue or ctx.low[max(0, pos - 5) : pos].endswith(("pre-", "post-"))
    if not cue:
        if not 1900 <= year <= 2099:
            return None
        following = re.match(r"\s*([a-z]+)", right)
        capitalized = following is not None and ctx.text[end + following.start(1)].isupper()
        # "its 1988 recapitalization" is a year; "2000 runs" most likely a count.
        determiner = last in _DETERMINERS or last.endswith("'s")
        attributive = determiner and following and not following.group(1).endswith("s")
        if following and not capitalized and following.group(1) not in _YEAR_FOLLOWERS and not attributive:
            return None
        if _after_name_word(ctx, pos, last, determiner):
            return None  # "a venture called Orion 1980", "Windows 2000": the year is part of a name
    fiscal = re.search(r"\bfiscal\s+\Z", left) if last == "fiscal" else None
    start = pos - (len(left) - fiscal.start()) if fiscal else pos
    period = re.match(r"\s+period\b", right)
    if period and last == "the":
        # "the 1988 period": the same part of 1988 as the period the text compares it with
        start = pos - 4
        return _Found(start, end + period.end(), f"{year:04d}", extend=False, kind="year_period")
    return _Found(start, end, f"{year:04d}", extend=not bool(fiscal), kind="year")


_LISTED_YEAR = re.compile(r"(?<![\d,.$])(?:1[5-9]\d\d|20\d\d),\s+\Z")


def _after_name_word(ctx: _Context, pos: int, last: str, determiner: bool) -> bool:
    """A year right after a capitalized word inside a sentence (not a month, weekday or
    season, not a determiner or a possessive) ends a name; TimeML marks no time in names."""
    if determiner or not last.isalpha() or ctx.text[pos - 1 : pos] != " ":
        return False
    word_at = pos - 1 - len(last)
    if word_at < 0 or not ctx.text[word_at].isupper() or _sentence_start(ctx, word_at):
        return False
    return last not in MONTHS and last not in WEEKDAYS and last not in SEASONS


#: A number after these is a count: "some 2000 protesters", "up to 1500".
_QUANTITY_WORDS = frozenset(
    [
        *"some nearly almost over than least only just estimated approximately roughly all".split(),
        "up to",
        "total of",
    ]
)
_DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "our", "this", "that"})
_YEAR_FOLLOWERS = frozenset(
    "and or to when as that the was were is are will had has have saw after before until with through "
    "for in on at by but while because if than so then which who where from into election elections "
    "budget season census olympics games campaign edition report war crisis summit championship cup "
    "final finals vote referendum tournament world presidential general parliamentary midterm midterms "
    "level levels figures figure results result data survey study plan plans agreement deal law act "
    "fiscal financial quarter model models version winter summer spring autumn fall invasion attack "
    "attacks protests uprising revolution earthquake floods flood storm hurricane pandemic outbreak "
    "record records high low peak annexation".split()
)
_YEAR_NOUNS = _YEAR_FOLLOWERS - frozenset(
    "and or to when as that the was were is are will had has have saw after before until with through "
    "for in on at by but while because if than so then which who where from into".split()
)


def _numeric_date(match: re.Match[str], ctx: _Context) -> _Found | None:
    """``14/03/2023``, ``3/14/2023``, ``14.03.2023``: the order decided by a number over 12,
    by a dot (day first in Europe), else left out (``2023-XX-XX``)."""
    a, b, y, sep = int(match["a"]), int(match["b"]), match["y"], match["sep"]
    if len(y) == 2:
        if sep != "/":
            return None
        year = 2000 + int(y) if int(y) < 50 else 1900 + int(y)
    else:
        year = int(y)
    if not 1500 <= year <= 2199:
        return None
    if a > 12 and b <= 12:
        found = valid_day(year, b, a)
    elif (b > 12 and a <= 12) or a == b:
        found = valid_day(year, a, b)
    elif sep == "." or ctx.day_first:
        found = valid_day(year, b, a)
    elif ctx.day_first is False:
        found = valid_day(year, a, b)
    else:
        return _Found(match.start(), match.end(), f"{year:04d}-XX-XX") if a and b else None
    return _Found(match.start(), match.end(), day_value(found)) if found else None


_TENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_SPELLED_YEAR = re.compile(
    r"(?P<c>nineteen|eighteen|twenty)\s+(?P<t>ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
    r"|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?P<u>one|two|three"
    r"|four|five|six|seven|eight|nine))?\b(?!\s+(?:percent|per|dollars|people|thousand|hundred|million))"
    r"|(?P<the>(?:the\s+)?year\s+)?two\s+thousand(?:\s+(?:and\s+)?(?P<u2>one|two|three|four|five|six|seven"
    r"|eight|nine|ten))?\b(?!\s+(?:and\s+)?(?:\w+\s+)?(?:people|dollars|troops|soldiers|hundred|percent))"
)


def _spelled_year_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """Years as transcripts spell them: ``nineteen ninety-six``, ``the year two thousand``."""
    start = m.start()
    if m.group() == "year" or m.group() == "the":
        return None
    match = _SPELLED_YEAR.match(ctx.low, start)
    if not match:
        if m.group() == "two" and ctx.low[max(0, start - 9) : start] == "the year ":
            return None
        return None
    if match["c"]:
        year = _TENS[match["c"]] * 100 + _TENS[match["t"]] + _UNITS.get(match["u"] or "", 0)
        cued = _year_cued(ctx.low, start) or _sentence_start(ctx, start)
        # "a nineteen ninety-seven attack": a determiner before a full spelled year
        cued = cued or bool(match["u"] and re.search(r"\b(?:a|the)\s+\Z", _left(ctx, start, 6)))
        if not cued and not re.match(r"[\s,.;]*(?:$|[A-Z])", ctx.text[match.end() : match.end() + 3]):
            return None
        return _Found(start, match.end(), f"{year:04d}")
    left = _left(ctx, start, 12)
    year = 2000 + _UNITS.get(match["u2"] or "", 10 if match["u2"] == "ten" else 0)
    if left.endswith("the year "):
        return _Found(start - 9, match.end(), f"{year:04d}")
    if not _year_cued(ctx.low, start):
        return None
    return _Found(start, match.end(), f"{year:04d}")


_PERIOD_LEFT = re.compile(
    r"\b(?P<mod>end|beginning|start|middle|rest|remainder|close|turn)\s+of\s+(?P<det>the|this)\s+\Z"
)
#: "for the full year", "earlier in the year", "nine months of the year"; group 1 is the span.
_THE_YEAR_LEFT = re.compile(
    r"(?:\bfor\s+|\bmonths\s+of\s+|\b(?=(?:earlier|later)\s+in\s+the))"
    r"(the\s+full|the\s+fiscal|(?:earlier|later)\s+in\s+the|the)\s+\Z"
)
_YEAR_END = re.compile(r"year(?:-end|\s+end|'s\s+end)\b")


def _period_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """``the end of the year``, ``by year-end``: the anchor's year, month or week."""
    word = m.group()
    start = m.start()
    if word == "year":
        ending = _YEAR_END.match(ctx.low, start)
        if ending and re.search(r"\b(?:by|at|before|until|till|around|since|after|to|through|near)\s+\Z",
                                _left(ctx, start, 10)):  # fmt: skip
            return _Found(start, ending.end(), _unit_value(ctx, "year", 0) or "XXXX", relative=True)
    left = _left(ctx, start, 30)
    match = _PERIOD_LEFT.search(left)
    if not match and word == "year":
        # "for the full year", "earlier in the year": the year being reported; "the full
        # year ended June 30" is a span of twelve months instead
        the = _THE_YEAR_LEFT.search(left)
        after = ctx.low[m.end() : m.end() + 9]
        if not the or re.match(r"[-\d]|\s+(?:end|begin|start|ahead|to\s+come|\d)", after):
            return None
        value = _unit_value(ctx, word, 0) or "XXXX"
        return _Found(start - len(left) + the.start(1), m.end(), value, relative=ctx.anchor is not None)
    if not match or ctx.low[m.end() : m.end() + 1] in ("s", "-", "'"):
        return None
    value = _unit_value(ctx, word, 0)
    if not value:
        return None
    return _Found(start - len(left) + match.start(), m.end(), value, relative=ctx.anchor is not None)


_DAYPART_DAY = re.compile(
    rf"(?P<part>morning|afternoon|evening)\s+(?:of\s+)?(?:(?P<rel>yesterday|today|tomorrow)|(?P<wd>{_WEEKDAY_ALT}))\b"
)


#: "in the morning", "by mid afternoon": a part of the day the narrative is telling.
_DAYPART_END = re.compile(r"\s*(?:[.,;:)]|\Z)|\s+(?:to|and|but|when|while|as|before|after|then|until|with)\b")
_DAYPART_LEFT = re.compile(r"\b(?:in|by|during|until)\s+(?P<span>the\s+(?:early\s+|late\s+)?|mid[\s-])\Z")


def _daypart_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """``mid-afternoon yesterday``, ``early morning Tuesday``; ``in the morning`` of the day
    last named (``_in_context``; none named, none reported: "I run in the morning" is a habit)."""
    match = _DAYPART_DAY.match(ctx.low, m.start())
    if not match:
        left = _left(ctx, m.start(), 24)
        alone = _DAYPART_LEFT.search(left)
        if not alone or not _DAYPART_END.match(ctx.low, m.end()):
            return None  # "the morning papers", "in the morning session"
        start = m.start() - len(left) + alone.start("span")
        # with no day named before, a part of the day told in the past is the anchor's:
        # "By mid afternoon, the firemen were saying the blaze was out"
        told = ctx.anchor is not None and tense_near(ctx.low, start, m.end()) == "past"
        value = _relative_day(ctx, 0) + "T" + _part_of_day(m.group()) if told else ""
        return _Found(start, m.end(), value, "TIME", relative=told, kind=f"ref:{m.group()}:0")
    if match["rel"]:
        day = _relative_day(ctx, _DAY_OFFSETS[match["rel"]])
    elif _cap(ctx, match.start("wd")):
        day = _weekday_value(ctx, WEEKDAYS[match["wd"]], match.start(), match.end(), None)
    else:
        return None
    start = m.start()
    left = ctx.low[max(0, start - 6) : start]
    if left.endswith("mid-") or left.endswith("mid "):
        start -= 4
    return _Found(start, match.end(), day + "T" + _part_of_day(match["part"]), "TIME",
                  relative=ctx.anchor is not None)  # fmt: skip


_REF = re.compile(
    r"(?P<rel>that|same|following|next|previous|preceding)\s+(?P<unit>day|morning|afternoon|evening|night|week"
    r"|month|year)\b(?!-|\s+(?:of|after|before|in)\b)"
)
_REF_OFFSET = {"that": 0, "same": 0, "following": 1, "next": 1, "previous": -1, "preceding": -1}


def _ref_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """``that day``, ``the following year``, ``later that month``: told relative to the date
    the narrative last named, which ``_in_context`` looks up (TimeML's reference time)."""
    match = _REF.match(ctx.low, m.start())
    if not match:
        return None
    start = match.start()
    rel = match["rel"]
    left = _left(ctx, start, 20)
    if rel == "that":
        if not re.search(
            r"(?:\b(?:on|in|of|by|until|since|during|for|earlier|later|from)\s+|^)\Z", left
        ) and not re.match(r"[,.;:)]", ctx.low[match.end() : match.end() + 1]):
            # "said that day-care centres…": "that" as a conjunction; "imports that year,"
            # ends a phrase, so there it points
            return None
    else:
        the = re.search(r"\bthe\s+(?:very\s+)?\Z", left)
        if not the:
            return None
        start -= len(left) - the.start()
    around = re.search(r"\b(?:earlier|later)\s+\Z", _left(ctx, start, 12))
    if around:
        start -= len(_left(ctx, start, 12)) - around.start()
    return _Found(start, match.end(), "", kind=f"ref:{match['unit']}:{_REF_OFFSET[rel]}")


_NTH_DAY_LEFT = re.compile(
    r"\b(?:today|it|this)\s*(?:is|'s)\s+(?:now\s+)?(?P<span>the\s+(?:first|second|third|fourth|fifth|sixth"
    r"|seventh|eighth|ninth|tenth|\d{1,3}(?:st|nd|rd|th))\s+(?:straight\s+|consecutive\s+|full\s+)?)\Z"
)


def _nth_day_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "Today is the fifth day of the walkout", "It's the second day of talks": a day
    counted in a run names the day the present tense stands in, the anchor's."""
    left = _left(ctx, m.start(), 48)
    nth = _NTH_DAY_LEFT.search(left)
    if not nth or ctx.anchor is None or not re.match(r"\s+(?:of|in)\b", ctx.low[m.end() : m.end() + 4]):
        return None
    start = m.start() - len(left) + nth.start("span")
    return _Found(start, m.end(), _relative_day(ctx, 0), relative=True, extend=False)


_IN_UNITS_LEFT = re.compile(
    r"\bin\s+(?P<span>(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|\d{1,2})\s+)\Z"
)
#: "the first time in five years", "its highest in two years", "the 12th in eight years":
#: a span looked back over.
_WITHIN_LEFT = re.compile(
    r"\b(?:time|[a-z]+est|most|least|once|twice|first|second|third|last|\d+(?:st|nd|rd|th))\s+(?:[a-z]+\s+)?\Z"
)


def _clause_tense_left(ctx: _Context, start: int) -> str | None:
    """The tense cue nearest before ``start`` within its clause, up to a comma: the verb
    that governs a phrase after it ("will be redeemed in five years"), not one of the next
    clause ("can develop it in 4 days, it is expected to ...")."""
    left_from = max(0, start - 80)
    cuts = [m.end() for m in _CLAUSE_END.finditer(ctx.low, left_from, start)]
    comma = ctx.low.rfind(",", left_from, start)
    left_from = max([left_from, comma + 1, *cuts])
    words = _TENSE_TOKEN.findall(ctx.low, left_from, start)
    for i in range(len(words) - 1, -1, -1):
        cue = _cue(words, i, False)
        if cue is not None:
            return cue
    return None


def _in_units_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "The bonds will be redeemed in five years": with a future tense, a time that far
    ahead of the anchor (the year, month, week or day it falls in); "in a year or two" is
    a vaguer one (FUTURE_REF). Told in the past or present ("rose 5% in two years") it is
    a span, a duration."""
    left = _left(ctx, m.start(), 36)
    amount = _IN_UNITS_LEFT.search(left)
    if not amount or _WITHIN_LEFT.search(left[: amount.start()]):
        return None
    if re.match(r"\s+of\b", ctx.low[m.end() : m.end() + 4]):
        return None  # "in two days of talks": a span
    word = m.group()
    unit = word.rstrip("s")
    n_word = amount["n"]
    n = int(n_word) if n_word.isdigit() else NUMBER_WORDS.get(n_word, 0)
    if (n == 1) != (word == unit) or not 1 <= n <= 50:
        return None  # "in a years", "in two year"
    start = m.start() - len(left) + amount.start("span")
    if _clause_tense_left(ctx, start) != "future":
        return None
    vague = re.match(r"\s+or\s+(?:two|so)\b", ctx.low[m.end() : m.end() + 10])
    if vague:
        return _Found(start, m.end() + vague.end(), "FUTURE_REF", extend=False)
    # the day n days on; a year, month or week as "next year" etc. would give it, n units on
    value = _relative_day(ctx, n) if unit == "day" else _unit_value(ctx, unit, n)
    return _Found(start, m.end(), value, relative=ctx.anchor is not None, extend=False)


def _period_or_in_units(m: re.Match[str], ctx: _Context) -> _Found | None:
    return _period_rule(m, ctx) or _latest_year_rule(m, ctx) or _in_units_rule(m, ctx)


_LATEST_YEAR_LEFT = re.compile(r"\bthe\s+(?:latest|most\s+recent)\s+(?:(?:fiscal|full|calendar)\s+)?\Z")


def _latest_year_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "sales of $6 billion in the latest fiscal year": the last year completed before the
    anchor, as "the latest quarter" is the last quarter reported."""
    if m.group() != "year" or ctx.low[m.end() : m.end() + 1] in ("s", "-"):
        return None
    left = _left(ctx, m.start(), 40)
    latest = _LATEST_YEAR_LEFT.search(left)
    if not latest:
        return None
    value = _unit_value(ctx, "year", -1)
    return _Found(m.start() - len(left) + latest.start(), m.end(), value, relative=ctx.anchor is not None)


def _nth_day_or_in_units(m: re.Match[str], ctx: _Context) -> _Found | None:
    return _nth_day_rule(m, ctx) or _one_day_rule(m, ctx) or _in_units_rule(m, ctx)


_ONE_DAY_LEFT = re.compile(
    r"(?:\b(?:will|would|could|may|might|can|shall)|'ll)\s+(?P<span>(?:one|some)\s+)\Z"
)


def _one_day_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "The village will one day be a town": some time ahead (FUTURE_REF); without
    the modal "one day" is as often a span ("followed by one day") or a past day."""
    left = _left(ctx, m.start(), 16)
    one = _ONE_DAY_LEFT.search(left)
    if not one:
        return None
    return _Found(m.start() - len(left) + one.start("span"), m.end(), "FUTURE_REF", extend=False)


def _next_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    return _unit_rule(m, ctx) or _ref_rule(m, ctx)  # "next week", "the next day"


_LATEST_LEFT = re.compile(r"\bthe\s+(?:latest|most\s+recent)\s+\Z")


def _latest_period_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "the latest period" of a results report: the quarter or half it reports, found in
    context (``_in_context``); without one named before it is no date."""
    left = _left(ctx, m.start(), 24)
    latest = _LATEST_LEFT.search(left)
    if not latest or ctx.low[m.end() : m.end() + 1] == "s":
        return None
    return _Found(m.start() - len(left) + latest.start(), m.end(), "", kind="period")


_DECADE_WORDS = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
    "eighties": 8, "nineties": 9,
}  # fmt: skip
_DECADE_WORD_LEFT = re.compile(r"\bthe\s+(?:(?:early|late|mid)[\s-]+)?\Z")


def _decade_word_rule(m: re.Match[str], ctx: _Context) -> _Found | None:
    """``the nineties``: the latest such decade up to the anchor's ("in their forties" is an age)."""
    left = _left(ctx, m.start(), 20)
    the = _DECADE_WORD_LEFT.search(left)
    if not the or re.search(r"temperature|degree|°", _left(ctx, m.start(), 60)):
        return None  # "temperatures in the nineties"
    tens = _DECADE_WORDS[m.group()]
    decade = 190 + tens
    if ctx.anchor is not None:
        century = ctx.anchor.year // 100
        decade = century * 10 + tens
        if decade > ctx.anchor.year // 10:
            decade -= 10  # a century back
    return _Found(
        m.start() - len(left) + the.start(), m.end(), f"{decade:03d}", relative=ctx.anchor is not None
    )


def _triggers() -> Mapping[str, Rule]:
    """Which rule each trigger word starts; read-only once built."""
    table: dict[str, Rule] = {}
    groups: list[tuple[Iterable[str], Rule]] = [
        (MONTHS, _month_rule),
        (WEEKDAYS, _weekday_rule),
        (("today", "yesterday", "tomorrow", "tonight"), _day_word_rule),
        (("this",), _unit_rule),
        (("next",), _next_rule),
        (("last",), _unit_or_few_rule),
        (("that", "same", "following", "previous", "preceding"), _ref_rule),
        (("ago", "earlier", "hence"), _ago_rule),
        (_VAGUE, _vague_rule),
        (("recent", "current"), _recent_current_rule),
        (("past", "future"), _past_future_rule),
        (("soon",), _soon_rule),
        (("these",), _few_rule),
        (("term",), _term_rule),
        (("coming",), _coming_rule),
        (("date",), _later_date_rule),
        (("quarter", "q"), _quarter_rule),
        (("quarters",), _two_quarters),
        (("half", "first", "second"), _half_rule),
        (("weekend",), _weekend_rule),
        (("century",), _century_rule),
        (("noon", "midday", "midnight"), _noon_rule),
        (
            (
                *("christmas", "boxing", "new", "valentine", "halloween", "easter", "good", "thanksgiving"),
                *("election", "memorial", "labor"),
            ),
            _holiday_rule,
        ),
        (SEASONS, _season_rule),
        (("nineteen", "eighteen", "twenty", "two"), _spelled_year_rule),
        (("year", "month", "week"), _period_or_in_units),
        (("morning", "afternoon", "evening"), _daypart_rule),
        (("period",), _latest_period_rule),
        (("day",), _nth_day_or_in_units),
        (("years", "months", "weeks", "days"), _in_units_rule),
        (_DECADE_WORDS, _decade_word_rule),
    ]
    for words, rule in groups:
        for word in words:
            table[word] = rule
    return MappingProxyType(table)


_TRIGGERS = _triggers()
_TRIGGER_WORDS = frozenset(_TRIGGERS)
#: The order the trigger words' rules run in: the table's. Two rules can read the same span
#: ("last weekend": ``_unit_or_few_rule`` and ``_weekend_rule``) and the first found is kept,
#: so the order must not be a set's, which changes with the process's hash seed.
_TRIGGER_RANK = MappingProxyType({word: rank for rank, word in enumerate(_TRIGGERS)})
_WORD_PATTERNS = MappingProxyType({word: re.compile(word) for word in _TRIGGERS})

#: Words before an expression that belong to it without changing its value.
_MODIFIER_LEFT = re.compile(
    r"(?:\b(?:the\s+)?(?:very\s+)?(?:end|beginning|start|middle|turn|close)\s+of\s+(?:the\s+)?)?"
    r"(?:\b(?:the\s+)?(?:early|late|mid|earlier|later)(?:\s+|-|\s*-\s*))?(?:\bthe\s+)?\Z"
)


_MODIFIER_WORDS = frozenset({"the", "early", "late", "mid", "earlier", "later", "of"})


def _tail_words(low: str, pos: int, n: int = 2) -> list[str]:
    """The ``n`` words right before ``pos`` (hyphens split words; punctuation stays on).

    Cheaper than a regex anchored at the end of a window, which is tried at every
    position of that window.
    """
    chunk = low[max(0, pos - 30) : pos]
    if not chunk or not (chunk[-1].isspace() or chunk[-1] == "-"):
        return []
    return chunk.replace("-", " ").split()[-n:]


_DAY_NEXT_TO = re.compile(r"\bthe\s+day\s+(?P<rel>before|after)\s+\Z")
_DAY_ONLY = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")


def _day_next_to(ctx: _Context, found: _Found) -> _Found:
    """ "the day before last Tuesday's hearing": the day next to the one named."""
    left = _left(ctx, found.start, 20)
    near = _DAY_NEXT_TO.search(left)
    day = _DAY_ONLY.match(found.value)
    if near is None or day is None or found.kind:
        return found
    named = valid_day(*(int(g) for g in day.groups()))
    if named is None:
        return found
    value = day_value(named + timedelta(days=-1 if near["rel"] == "before" else 1))
    return _Found(found.start - len(left) + near.start(), found.end, value, found.type, found.relative)


def _extend_left(ctx: _Context, found: _Found) -> _Found:
    if not found.extend:
        return found
    tail = _tail_words(ctx.low, found.start, 1)
    if tail and tail[0] in ("before", "after"):
        return _day_next_to(ctx, found)
    if not tail or tail[0] not in _MODIFIER_WORDS:
        return found
    left = _left(ctx, found.start, 40)
    match = _MODIFIER_LEFT.search(left)
    if not match or match.start() == len(left):
        return found
    start = found.start - (len(left) - match.start())
    if ctx.low[found.start - 1 : found.start] == "'":
        return found
    if found.kind == "year" and left[match.start() :].strip() == "the":
        return found  # "the 2016 election": the year qualifies the noun
    return _Found(start, found.end, found.value, found.type, found.relative, found.extend, found.kind)


def lowered(text: str) -> str:
    """``text.lower()`` with the same length, so offsets carry over (``İ`` lowers to two)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def numeric_order(low: str) -> bool | None:
    """Whether the text writes numeric dates day first, from the ones that can only be read
    one way (``14/03/2023`` day first, ``03/14/2023`` month first); None if it never shows.

    >>> numeric_order("on 14/03/2023 and 05/04/2023"), numeric_order("on 05/04/2023")
    (True, None)
    """
    day_first = month_first = False
    for match in _NUMERIC_DATE.finditer(low):
        a, b = int(match["a"]), int(match["b"])
        day_first |= a > 12 >= b
        month_first |= b > 12 >= a
    return day_first if day_first != month_first else None


def find_english(text: str, anchor: Anchor | None, day_first: bool | None = None) -> list[Mention]:
    """Date and time mentions of English text, sorted and disjoint, values resolved.

    ``day_first`` reads ambiguous numeric dates (``05/04/2023``) when the text itself does
    not show its order; left None, they keep only their year.
    """
    low = lowered(text)
    order = numeric_order(low) if "/" in low or "-" in low else None
    ctx = _Context(text, low, anchor, order if order is not None else day_first)
    found: list[_Found] = []
    # Which trigger words occur at all is one C-speed pass; only those are then located.
    words = sorted(_TRIGGER_WORDS.intersection(_WORD.findall(low)), key=_TRIGGER_RANK.__getitem__)
    # Numbers of three or five and more digits start no expression ("350 million", "12345").
    matches = [(_number_rule, m) for m in _DIGITS.finditer(low) if m.end() - m.start() in (1, 2, 4)]
    for word in words:
        rule = _TRIGGERS[word]
        pattern = _WORD_PATTERNS[word]
        at = low.find(word)
        while at != -1:
            # str.find is far faster than a regex with look-arounds; whole words only
            if (at == 0 or not low[at - 1].isalpha()) and not low[
                at + len(word) : at + len(word) + 1
            ].isalpha():
                token = pattern.match(low, at)
                if token:
                    matches.append((rule, token))
            at = low.find(word, at + len(word))
    # Dates inside web addresses ("/wire/2024/03/01/story") are the site's metadata, not prose.
    links = [(u.start(), u.end()) for u in _URL.finditer(low)] if "http" in low or "www." in low else []
    for rule, token in matches:
        if links and any(start <= token.start() < end for start, end in links):
            continue
        result = rule(token, ctx)
        if result is not None and (result.value or result.kind):
            found.append(_extend_left(ctx, result))
    label = anchor.label if anchor else None
    latest = _unit_value(ctx, "quarter", -1) or ""  # the quarter a results report is about
    mentions: list[Mention] = []
    derived: set[int] = set()
    last_end = -1
    for item in sorted(found, key=lambda f: (f.start, -f.end)):
        if item.start < last_end:
            continue
        value = _in_context(item, mentions, derived, low, latest) if item.kind else item.value
        if not value:
            continue  # a reference with nothing before it to refer to
        if value != item.value or item.kind == "compared":
            derived.add(item.start)
        if mentions and _YEAR_ONLY.match(value):
            joined = _join_year(text, mentions[-1], item.start, value)
            if joined:
                mentions[-1] = Mention(
                    text[joined.start : item.end], joined.start, item.end, joined.type, joined.value, None
                )
                last_end = item.end
                continue
        mentions.append(
            Mention(
                text[item.start : item.end],
                item.start,
                item.end,
                item.type,
                value,
                # an anchor is recorded only where it fixed part of the value
                label if item.relative and not value.startswith("XXXX") else None,
            )
        )
        last_end = item.end
    return mentions


_YEAR_ONLY = re.compile(r"\d{4}\Z")
_MONTH_OR_SEASON = re.compile(r"\d{4}(-(?:\d\d|SP|SU|FA|WI))\Z")


def _join_year(text: str, previous: Mention, start: int, year: str) -> Mention | None:
    """A month or season that a separately found year completes: "January nineteen
    ninety-seven", "the winter of nineteen ninety-four" (spelled years come on their own).

    >>> _join_year("January 1997", Mention("January", 0, 7, "DATE", "1998-01"), 8, "1997").value
    '1997-01'
    """
    between = text[previous.end : start]
    part = _MONTH_OR_SEASON.match(previous.value)
    if not part or not re.fullmatch(r",?\s+(?:of\s+)?", between):
        return None
    return Mention(previous.text, previous.start, previous.end, previous.type, year + part.group(1), None)


_REF_GRANULARITY = {
    "day": re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    "week": re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{4})-W(\d{2})"),
    "month": re.compile(r"(\d{4})-(\d{2})(?!\d)"),
    "year": re.compile(r"(\d{4})(?![\dX])"),
}
#: How far back (characters) the date a "that day" refers to may be named.
_REFERENCE_REACH = 2000


def _referred(item: _Found, before: list[Mention]) -> str:
    """The value of "that day" or "the following year": the last date named with at
    least that precision, moved by the offset. Empty when there is none."""
    _, unit, offset_text = item.kind.split(":")
    offset = int(offset_text)
    granularity = "day" if unit in PARTS_OF_DAY else unit
    pattern = _REF_GRANULARITY[granularity]
    for previous in reversed(before):
        if item.start - previous.end > _REFERENCE_REACH:
            break
        match = pattern.match(previous.value)
        if not match:
            continue
        if granularity == "year":
            return f"{int(match.group(1)) + offset:04d}"
        if granularity == "month":
            return month_value(int(match.group(1)), int(match.group(2)) + offset)
        if granularity == "week" and match.group(4):
            if offset:
                monday = date.fromisocalendar(int(match.group(4)), int(match.group(5)), 1)
                return week_value(monday + timedelta(days=7 * offset))
            return previous.value[:8]
        day = valid_day(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if day is None:
            continue
        if granularity == "week":
            return week_value(day + timedelta(days=7 * offset))
        day += timedelta(days=offset)
        part = _part_of_day(unit)
        return day_value(day) + (f"T{part}" if part else "")
    return ""


def _weekday_from(item: _Found, before: list[Mention]) -> str:
    """ "the previous Friday": that weekday before (or after) the last day named, else the
    value found against the anchor."""
    _, weekday_text, step_text = item.kind.split(":")
    weekday, step = int(weekday_text), int(step_text)
    for previous in reversed(before):
        if item.start - previous.end > _REFERENCE_REACH:
            break
        match = _REF_GRANULARITY["day"].match(previous.value)
        day = valid_day(*(int(g) for g in match.groups())) if match else None
        if day is None:
            continue
        if step < 0:
            return day_value(day - timedelta(days=(day.isoweekday() - weekday - 1) % 7 + 1))
        return day_value(day + timedelta(days=(weekday - day.isoweekday() - 1) % 7 + 1))
    return item.value


_QUARTER_VALUE = re.compile(r"(\d{4})-(Q[1-4]|H[12])\Z")
#: How far back (characters) the period a "year earlier" compares with may be.
_CONTEXT_REACH = 250


def _reported_period(item: _Found, before: list[Mention], derived: set[int]) -> str:
    """ "the year-earlier period" of a results report: the period the report opened with
    (its first quarter or half named, within reach), a year back; forecasts named later
    ("the third quarter of 1990") are not it."""
    for previous in before:
        if item.start - previous.end > _REFERENCE_REACH or previous.start in derived:
            continue
        quarter = _QUARTER_VALUE.match(previous.value)
        if quarter:
            return f"{int(quarter.group(1)) - 1:04d}-{quarter.group(2)}"
    return ""


#: A span other than the compared quarter that the text turns to: "For the nine months, net
#: rose ... from $5 million a year earlier" compares nine months, "for the year" a year.
_OTHER_SPAN = re.compile(
    r"\b(?:nine|six|three|\d+|first|latest|past)[\s-]+months?\b"
    r"|\b(?:for|in)\s+the\s+(?:(?:fiscal|full|calendar)\s+)?year\b(?![-\s](?:earlier|ago))"
    r"|\bthe\s+(?:fiscal|full|calendar)\s+year\b(?![-\s](?:earlier|ago))"
)


def _in_context(item: _Found, before: list[Mention], derived: set[int], low: str, latest: str) -> str:
    """Values that depend on the mentions before them.

    "Profit rose in the third quarter ... from $5 million a year earlier": the year
    earlier is that quarter a year before (TimeML gives it the compared period's
    granularity). "Friday ... at 9 a.m.": the clock time is on the day just named.
    """
    if item.kind.startswith("ref:"):
        return _referred(item, before) or item.value
    if item.kind.startswith("weekday:"):
        return _weekday_from(item, before)
    if item.kind == "period":
        for previous in reversed(before):
            if item.start - previous.end > _REFERENCE_REACH:
                break
            if previous.start not in derived and _QUARTER_VALUE.match(previous.value):
                return previous.value
        return ""
    if item.kind == "period_back":
        reported = _reported_period(item, before, derived)
        if reported:
            return reported
    if item.kind == "clock":
        for previous in reversed(before):
            if item.start - previous.end > _CONTEXT_REACH:
                break
            if previous.start not in derived and re.match(r"\d{4}-\d{2}-\d{2}", previous.value):
                return previous.value[:10] + item.value[item.value.index("T") :]
        return item.value
    if item.kind not in ("year_back", "year_period", "period_back"):
        return item.value
    compared = _compared_quarter(item, before, derived, low, latest)
    if compared is None:
        return item.value
    year = int(compared.group(1)) - 1 if item.kind != "year_period" else int(item.value)
    return f"{year:04d}-{compared.group(2)}"


def _compared_quarter(
    item: _Found, before: list[Mention], derived: set[int], low: str, latest: str
) -> re.Match[str] | None:
    """The quarter (or half) a comparison in a results report is made with: the period the
    report is about, which stays the same over paragraphs until the text turns to another
    span or names a year. A report is about the quarter just ended (``latest``), so of the
    quarters named since, that one; else the one named last ("After a flat second quarter,
    ..." names another in passing)."""
    nearest: re.Match[str] | None = None
    for previous in reversed(before):
        if item.start - previous.end > _REFERENCE_REACH:
            break
        if previous.start in derived:
            continue  # compare with what the text says, not with another comparison
        if _YEAR_ONLY.match(previous.value):
            break  # "Last year, net was ...; the year-earlier results": a year compared
        quarter = _QUARTER_VALUE.match(previous.value)
        if not quarter:
            continue
        if _OTHER_SPAN.search(low, previous.end, item.start):
            break
        if previous.value == latest:
            return quarter
        nearest = nearest or quarter
    return nearest
