"""Absolute dates in languages other than English, and the Thai Buddhist era.

Own month tables (every inflected form written out) instead of dateparser:
its ``search_dates`` is slow per article and reads ordinary words as dates.
One regex covers all languages for day-month-year dates, so an article whose
language is unknown still gets its unambiguous dates; month-year and
day-month forms, which look more like ordinary words, only run for the
article's own language.

    >>> [(m.text, m.value) for m in find_foreign("Le 1er mars 2023 et le 14 mars.", "fr", None)]
    [('1er mars 2023', '2023-03-01'), ('14 mars', 'XXXX-03-14')]
    >>> [m.value for m in find_foreign("Удар 14 березня 2023 року.", None, None)]
    ['2023-03-14']
    >>> [m.value for m in find_foreign("เมื่อวันที่ 14 มีนาคม 2566", "th", None)]
    ['2023-03-14']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from transforms.timex import Anchor, Mention, month_value, nearest_year, valid_day


def _add(tables: dict[str, dict[str, int]], language: str, *months: str) -> None:
    table = tables.setdefault(language, {})
    for number, forms in enumerate(months, start=1):
        for form in forms.split():
            table[form] = number


def _month_tables() -> dict[str, dict[str, int]]:
    """Month names by language, each form (case, abbreviation, spelling without accents) listed."""
    tables: dict[str, dict[str, int]] = {}

    def add(language: str, *months: str) -> None:
        _add(tables, language, *months)

    add(
        "fr",
        "janvier janv.",
        "février fevrier févr. fevr. fév.",
        "mars",
        "avril avr.",
        "mai",
        "juin",
        "juillet juil.",
        "août aout",
        "septembre sept.",
        "octobre oct.",
        "novembre nov.",
        "décembre decembre déc. dec.",
    )
    add(
        "es",
        "enero ene.",
        "febrero feb.",
        "marzo mar.",
        "abril abr.",
        "mayo",
        "junio jun.",
        "julio jul.",
        "agosto ago.",
        "septiembre setiembre sept. sep.",
        "octubre oct.",
        "noviembre nov.",
        "diciembre dic.",
    )
    add(
        "de",
        "januar jänner jan.",
        "februar feber feb.",
        "märz maerz mrz.",
        "april apr.",
        "mai",
        "juni",
        "juli",
        "august aug.",
        "september sept. sep.",
        "oktober okt.",
        "november nov.",
        "dezember dez.",
    )
    add(
        "it",
        "gennaio genn.",
        "febbraio febbr.",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre sett.",
        "ottobre ott.",
        "novembre",
        "dicembre dic.",
    )
    add(
        "pt",
        "janeiro jan.",
        "fevereiro fev.",
        "março marco",
        "abril abr.",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro set.",
        "outubro out.",
        "novembro",
        "dezembro dez.",
    )
    add(
        "ru",
        "января январь январе янв.",
        "февраля февраль феврале фев.",
        "марта март марте",
        "апреля апрель апреле апр.",
        "мая май мае",
        "июня июнь июне",
        "июля июль июле",
        "августа август августе авг.",
        "сентября сентябрь сентябре сент.",
        "октября октябрь октябре окт.",
        "ноября ноябрь ноябре нояб.",
        "декабря декабрь декабре дек.",
    )
    add(
        "uk",
        "січня січень січні",
        "лютого лютий лютому",
        "березня березень березні",
        "квітня квітень квітні",
        "травня травень травні",
        "червня червень червні",
        "липня липень липні",
        "серпня серпень серпні",
        "вересня вересень вересні",
        "жовтня жовтень жовтні",
        "листопада листопад листопаді",
        "грудня грудень грудні",
    )
    add(
        "th",
        "มกราคม ม.ค.",
        "กุมภาพันธ์ ก.พ.",
        "มีนาคม มี.ค.",
        "เมษายน เม.ย.",
        "พฤษภาคม พ.ค.",
        "มิถุนายน มิ.ย.",
        "กรกฎาคม ก.ค.",
        "สิงหาคม ส.ค.",
        "กันยายน ก.ย.",
        "ตุลาคม ต.ค.",
        "พฤศจิกายน พ.ย.",
        "ธันวาคม ธ.ค.",
    )
    return tables


_MONTH_TABLES = _month_tables()
#: Abbreviations that end a sentence as ordinary words do ("set.", "out."): never read in a
#: day-month form without a year.
_AMBIGUOUS = frozenset({"mar.", "set.", "out.", "jan.", "dec.", "ago.", "sep.", "feb.", "apr."})

MONTH_FORMS: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {language: MappingProxyType(table) for language, table in _MONTH_TABLES.items()}
)
_ALL_FORMS: Mapping[str, int] = MappingProxyType(
    {form: month for table in _MONTH_TABLES.values() for form, month in table.items()}
)
del _MONTH_TABLES  # only the frozen views above stay


def _alternation(forms: list[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


_END = r"(?![^\W\d_])"  # no letter follows (\b is no help after "janv." or in Thai)
_DAY = r"(?<![\d.,/])(?P<day>[0-3]?\d)(?:er|º|°|ª|\.)?"
_YEAR = r"(?P<era>พ\.ศ\.|ค\.ศ\.)?\s*(?P<year>\d{4})(?!\d)"
_YEAR_WORD = r"(?:\s*(?:года|год|г\.|року|рік|р\.))?"
_LINK = r"\s*(?:de\s+|del\s+|di\s+|do\s+|da\s+)?"


def _dmy(forms: list[str]) -> re.Pattern[str]:
    return re.compile(
        rf"{_DAY}\s*(?:de\s+)?(?P<month>{_alternation(forms)}){_END},?{_LINK}{_YEAR}{_YEAR_WORD}", re.I
    )


_DMY_ALL = _dmy(list(_ALL_FORMS))
_DMY: dict[str, re.Pattern[str]] = {lang: _dmy(list(table)) for lang, table in MONTH_FORMS.items()}
_MY: dict[str, re.Pattern[str]] = {
    lang: re.compile(
        rf"(?<![^\W\d_])(?P<month>{_alternation(list(table))}){_END}{_LINK}{_YEAR}{_YEAR_WORD}", re.I
    )
    for lang, table in MONTH_FORMS.items()
}
_DM: dict[str, re.Pattern[str]] = {
    lang: re.compile(
        rf"{_DAY}\s*(?:de\s+)?(?P<month>{_alternation([f for f in table if f not in _AMBIGUOUS])}){_END}",
        re.I,
    )
    for lang, table in MONTH_FORMS.items()
}
#: A Buddhist-era year on its own: "พ.ศ. 2566" or "ปี 2566".
_THAI_YEAR = re.compile(r"(?:พ\.ศ\.|ปี)\s*(?P<year>2[4-6]\d\d)(?!\d)")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def gregorian_year(year: int, era: str | None, language: str | None) -> int:
    """The Gregorian year of a year as written; Thai years are Buddhist era (year − 543)
    unless marked ``ค.ศ.`` (CE). A year past 2400 in Thai text can only be Buddhist era.

    >>> gregorian_year(2566, "พ.ศ.", "th"), gregorian_year(2023, "ค.ศ.", "th")
    (2023, 2023)
    >>> gregorian_year(2566, None, None)
    2023
    >>> gregorian_year(2023, None, "fr")
    2023
    """
    if era == "ค.ศ.":
        return year
    if era == "พ.ศ." or (language == "th" and year > 2400) or year > 2400:
        return year - 543
    return year


def _month_of(word: str, language: str | None) -> int | None:
    word = word.lower()
    if language in MONTH_FORMS and word in MONTH_FORMS[language]:
        return MONTH_FORMS[language][word]
    return _ALL_FORMS.get(word)


def find_foreign(text: str, language: str | None, anchor: Anchor | None) -> list[Mention]:
    """Absolute dates in ``text`` written in ``language`` (None: unknown, full dates only).

    >>> [(m.text, m.value) for m in find_foreign("am 14. März 2023 und im Mai 2024", "de", None)]
    [('14. März 2023', '2023-03-14'), ('Mai 2024', '2024-05')]
    >>> find_foreign("Mars 2023 mission", None, None)
    []
    """
    digits = text.translate(_THAI_DIGITS)  # same length: offsets carry over
    if language in MONTH_FORMS:
        patterns = [(_DMY[language], "dmy"), (_MY[language], "my"), (_DM[language], "dm")]
    else:
        patterns = [(_DMY_ALL, "dmy")]
    found: list[tuple[int, int, str, bool]] = []
    for pattern, kind in patterns:
        for match in pattern.finditer(digits):
            month = _month_of(match["month"], language)
            if month is None:
                continue
            value = _value(match, kind, month, language, anchor)
            if value:
                found.append((match.start(), match.end(), value, kind == "dm" and anchor is not None))
    if language == "th" or language is None:
        for match in _THAI_YEAR.finditer(digits):
            found.append((match.start(), match.end(), str(int(match["year"]) - 543), False))
    label = anchor.label if anchor else None
    mentions: list[Mention] = []
    last_end = -1
    for start, end, value, relative in sorted(found, key=lambda f: (f[0], -f[1])):
        if start < last_end:
            continue
        mentions.append(Mention(text[start:end], start, end, "DATE", value, label if relative else None))
        last_end = end
    return mentions


def _value(
    match: re.Match[str], kind: str, month: int, language: str | None, anchor: Anchor | None
) -> str | None:
    if kind == "dm":
        day = int(match["day"])
        if anchor is None:
            return f"XXXX-{month:02d}-{day:02d}" if valid_day(2000, month, day) else None
        found = valid_day(nearest_year(anchor, month), month, day)
        return found.isoformat() if found else None
    year = gregorian_year(int(match["year"]), match["era"], language)
    if not 1000 <= year <= 2199:
        return None
    if kind == "my":
        return month_value(year, month)
    found = valid_day(year, month, int(match["day"]))
    return found.isoformat() if found else None
