"""Absolute dates in other languages and the Thai Buddhist era (transforms.dates_locale).

dateparser's search_dates misreads many of these (a bare "mars", "mayo" or a Thai
Buddhist-era year read as Gregorian); each case here pins the reading we want.
"""

from __future__ import annotations

import pytest

from transforms.dates import find_mentions
from transforms.dates_locale import MONTH_FORMS, find_foreign, gregorian_year
from transforms.timex import Anchor

ANCHOR = {"value": "2023-03-14", "precision": "day", "source": "header"}


def _values(
    text: str, language: str | None, published: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    found = find_mentions(text, published, language=language)
    for mention in found:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    return [(m["text"], m["value"]) for m in found]


@pytest.mark.parametrize(
    ("language", "text", "mention", "value"),
    [
        ("fr", "Le missile a frappé le 14 mars 2023 à l'aube.", "14 mars 2023", "2023-03-14"),
        ("fr", "Depuis le 1er février 2022, la guerre continue.", "1er février 2022", "2022-02-01"),
        ("fr", "Publié le 7 juin 2024.", "7 juin 2024", "2024-06-07"),
        ("fr", "Les travaux ont commencé en décembre 2021.", "décembre 2021", "2021-12"),
        ("es", "El ataque ocurrió el 14 de marzo de 2023.", "14 de marzo de 2023", "2023-03-14"),
        ("es", "Desde el 1 de mayo de 2024 rige la ley.", "1 de mayo de 2024", "2024-05-01"),
        ("es", "En septiembre de 2022 hubo elecciones.", "septiembre de 2022", "2022-09"),
        ("de", "Der Angriff erfolgte am 14. März 2023.", "14. März 2023", "2023-03-14"),
        ("de", "Seit Februar 2022 herrscht Krieg.", "Februar 2022", "2022-02"),
        ("de", "Am 3. Oktober 1990 wurde Deutschland vereint.", "3. Oktober 1990", "1990-10-03"),
        ("it", "L'attacco è avvenuto il 14 marzo 2023.", "14 marzo 2023", "2023-03-14"),
        ("it", "A partire da giugno 2024 cambia tutto.", "giugno 2024", "2024-06"),
        ("pt", "O ataque ocorreu em 14 de março de 2023.", "14 de março de 2023", "2023-03-14"),
        ("pt", "Em outubro de 2022 houve eleições.", "outubro de 2022", "2022-10"),
        ("ru", "Удар был нанесён 14 марта 2023 года.", "14 марта 2023 года", "2023-03-14"),
        ("ru", "В феврале 2022 года началась война.", "феврале 2022 года", "2022-02"),
        ("uk", "Удар стався 14 березня 2023 року.", "14 березня 2023 року", "2023-03-14"),
        ("uk", "У лютому 2022 року почалася війна.", "лютому 2022 року", "2022-02"),
        ("th", "เหตุเกิดเมื่อวันที่ 14 มีนาคม 2566", "14 มีนาคม 2566", "2023-03-14"),
        ("th", "เหตุเกิดเมื่อ 7 มิ.ย. 2567", "7 มิ.ย. 2567", "2024-06-07"),
        ("th", "ประชุมเมื่อ 14 มีนาคม ค.ศ. 2023", "14 มีนาคม ค.ศ. 2023", "2023-03-14"),
        ("th", "ในปี พ.ศ. 2565 มีการเลือกตั้ง", "พ.ศ. 2565", "2022"),
        ("th", "วันที่ ๑๔ มีนาคม ๒๕๖๖", "๑๔ มีนาคม ๒๕๖๖", "2023-03-14"),  # Thai digits
    ],
)
def test_absolute_dates_in_the_article_language(language: str, text: str, mention: str, value: str) -> None:
    assert _values(text, language) == [(mention, value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Frappe du 14 mars 2023.", "2023-03-14"),
        ("Ataque del 14 de marzo de 2023.", "2023-03-14"),
        ("Angriff vom 14. März 2023.", "2023-03-14"),
        ("Удар 14 березня 2023 року.", "2023-03-14"),
        ("Удар 14 марта 2023 года.", "2023-03-14"),
        ("วันที่ 14 มีนาคม 2566", "2023-03-14"),
    ],
)
def test_full_dates_are_read_when_the_language_is_unknown(text: str, value: str) -> None:
    assert [v for _, v in _values(text, None)] == [value]


def test_day_month_without_year_takes_the_nearest_year() -> None:
    assert _values("Le vote a eu lieu le 14 mars.", "fr", ANCHOR) == [("14 mars", "2023-03-14")]
    # seen from March 2023, a 30 December without year is the one just gone
    assert _values("El 30 de diciembre hubo un ataque.", "es", ANCHOR) == [("30 de diciembre", "2022-12-30")]
    found = find_mentions("Am 14. März stimmten sie ab.", ANCHOR, language="de")
    assert [(m["value"], m["anchor"]) for m in found] == [("2023-03-14", "2023-03-14")]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (None, "The Mars 2023 mission was delayed."),  # the planet, not March
        ("en", "The Mars 2023 mission was delayed."),
        (None, "Add mayo 2023 style to the sandwich."),
        ("en", "Mai 2023 is the name of the band."),
        ("de", "Die Maus fraß 14 Käse."),
        ("fr", "Il a 14 ans et mesure 2 mètres."),
        ("es", "Tiene 14 años y 2023 seguidores."),  # a count, not a year after a month
        ("th", "ราคา 2566 บาท"),  # an amount in baht, not the year 2566
        ("ru", "В классе 14 учеников."),
    ],
)
def test_not_misread(language: str | None, text: str) -> None:
    assert [v for _, v in _values(text, language) if not v.isdigit()] == []


def test_a_buddhist_era_year_is_never_taken_as_gregorian() -> None:
    values = [v for _, v in _values("วันที่ 14 มีนาคม 2566 และ 1 เมษายน 2566", "th")]
    assert values == ["2023-03-14", "2023-04-01"]
    assert all(not v.startswith("2566") for v in values)


def test_gregorian_year() -> None:
    assert gregorian_year(2566, "พ.ศ.", "th") == 2023
    assert gregorian_year(2566, None, "th") == 2023
    assert gregorian_year(2023, "ค.ศ.", "th") == 2023
    assert gregorian_year(2023, None, "fr") == 2023


@pytest.mark.parametrize("language", ["fr", "es", "de", "it", "pt", "ru", "uk", "th"])
def test_every_language_has_twelve_months(language: str) -> None:
    assert set(MONTH_FORMS[language].values()) == set(range(1, 13))


def test_find_foreign_offsets_and_anchor() -> None:
    text = "Réunion le 14 mars, puis le 2 avril 2023."
    found = find_foreign(text, "fr", Anchor.parse("2023-03-14"))
    assert [(m.text, m.value, m.anchor) for m in found] == [
        ("14 mars", "2023-03-14", "2023-03-14"),
        ("2 avril 2023", "2023-04-02", None),
    ]
    for mention in found:
        assert text[mention.start : mention.end] == mention.text
