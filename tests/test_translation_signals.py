"""Pure-function tests for transforms.translation_signals: each detector, and what it must not flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.translation_signals import (
    Signal,
    calque_signals,
    credit_signals,
    dateline_signals,
    foreign_phrase_signals,
    foreign_script_signals,
    language_mix_signals,
    mojibake_signals,
    slip_signals,
    source_language,
    statement_signals,
    text_signals,
    typography_signals,
    untranslated_word_signals,
)

DATA = Path(__file__).parent / "data" / "translation"


def names(signals: list[Signal]) -> list[str]:
    return [s.name for s in signals]


# --- statements ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "machine"),
    [
        ("Translated from the Spanish by Lucía Ferrer.", "es", False),
        ("This article was translated from Japanese.", "ja", None),
        ("The story was automatically translated.", None, True),
        ("Machine translation: errors may remain.", None, True),
        ("Traducido por Ana Gómez.", None, False),
        ("Traduit de l'anglais par Paul Morin.", "en", False),
        ("Aus dem Englischen übersetzt von Eva Roth.", "en", False),
        ("Translation: Kim Lee", None, False),
    ],
)
def test_statements(text: str, language: str | None, machine: bool | None) -> None:
    (signal,) = statement_signals(text)
    assert signal.name == "translation_statement"
    assert signal.weight == 0.9
    assert signal.language == language
    assert signal.machine is machine
    assert "“" in signal.evidence


@pytest.mark.parametrize(
    "text",
    [
        "The mayor translated her promises into new bus lanes.",
        "Sign language interpreters were at the briefing.",
        "The translation industry is growing fast.",
    ],
)
def test_no_statement(text: str) -> None:
    assert statement_signals(text) == []


# --- typography ---------------------------------------------------------------------


def test_spaced_guillemets_name_french() -> None:
    (signal,) = typography_signals("He said « no » and left.")
    assert (signal.name, signal.language) == ("guillemets", "fr")


def test_tight_guillemets_name_no_language() -> None:
    (signal,) = typography_signals("He said «no» and left.")
    assert signal.name == "guillemets"
    assert signal.language is None


def test_low_quotes_and_inverted_marks() -> None:
    assert names(typography_signals("She wrote „yes“ twice.")) == ["low_quotes"]
    (signal,) = typography_signals("He asked ¿why? and left.")
    assert (signal.name, signal.language) == ("inverted_marks", "es")


def test_space_before_punctuation_needs_two() -> None:
    assert typography_signals("Note : the port is closed.") == []
    (signal,) = typography_signals("Note : the port is closed ! Why ?")
    assert (signal.name, signal.language) == ("space_before_punctuation", "fr")


def test_english_typography_is_quiet() -> None:
    text = "“We are ready,” she said: “the talks start at 10:30.” Is that so? Yes!"
    assert typography_signals(text) == []


# --- mojibake code pages ------------------------------------------------------------------


def repair(detail: str, kind: str = "mojibake") -> dict:
    return {"kind": kind, "detail": detail, "original": "Ã©", "replacement": "é", "count": 2}


def test_code_page_of_another_script() -> None:
    (signal,) = mojibake_signals([repair("utf-8 read as cp874")])
    assert signal.name == "foreign_code_page"
    assert "Thai" in signal.evidence and "cp874" in signal.evidence
    assert signal.language == "th"


def test_western_code_pages_and_other_repairs_say_nothing() -> None:
    assert mojibake_signals([repair("utf-8 read as cp1252"), repair("utf-8 read as latin-1")]) == []
    assert mojibake_signals([repair("utf-8 read as cp1251", kind="charset")]) == []


def test_chained_misreadings_name_each_code_page() -> None:
    signals = mojibake_signals([repair("utf-8 read as cp1251, then as cp1252")])
    assert [s.evidence.split(" (")[0].split()[-1] for s in signals] == ["cp1251"]
    assert signals[0].language is None  # Cyrillic: Russian, Ukrainian, Bulgarian…


# --- words of another language ------------------------------------------------------------


def test_foreign_script_names_the_language_when_the_letters_do() -> None:
    (ru,) = foreign_script_signals("The sign read «Выход закрыт» in red.")
    assert ru.language == "ru"
    (uk,) = foreign_script_signals("The banner said «Слава Україні» in blue.")
    assert uk.language == "uk"
    (ja,) = foreign_script_signals("The shop was called ひまわり食堂 by locals.")
    assert ja.language == "ja"


def test_foreign_phrase() -> None:
    text = "The crowd chanted « el pueblo no se rinde y la lucha sigue » all night."
    (signal,) = foreign_phrase_signals(text)
    assert signal.language == "es"


@pytest.mark.parametrize(
    "text",
    [
        "Luis de la Fuente met Ana del Río in Le Havre.",
        "The quay was built in 1987 and will stay closed until March.",
        "Et cetera, said the professor, is overused.",
    ],
)
def test_names_are_no_foreign_phrase(text: str) -> None:
    assert foreign_phrase_signals(text) == []


def test_untranslated_words_grow_with_their_number_and_name_a_language_by_its_letters() -> None:
    one = untranslated_word_signals("Fans of the series call it an ønskedrøm, the paper wrote.")
    several = untranslated_word_signals(
        "The minister of barnamálaráðherra met the vinnumarkaðsráðherra about verkalýðshreyfing."
    )
    assert [s.weight for s in one] == [0.2]
    assert one[0].language is None  # ø is Danish and Norwegian (and Faroese)
    assert [(s.weight, s.language) for s in several] == [(0.5, "is")]
    assert "“barnamálaráðherra”" in several[0].evidence
    (polish,) = untranslated_word_signals("Prices were set in złoty and the sejmik voted przeciwko it.")
    assert polish.language == "pl"


@pytest.mark.parametrize(
    "text",
    [
        # Names are capitalized; loanwords keep English's accents; a word of three letters
        # is too short to tell.
        "Zoë Bäckström met Jón Þórsson at the café in Łódź and ordered a crème brûlée.",
        "The naïve protégé cooked jalapeño piñatas à la carte, voilà, über cool.",
        "He wrote “Ørsted” and “Ağrı” on the board, then ate a bit of pâté.",
        "Prices rose 5% to €1,200 — a “record”, the minister said… (AP)",
    ],
)
def test_names_loanwords_and_english_typography_are_no_untranslated_words(text: str) -> None:
    assert untranslated_word_signals(text) == []


def test_language_mix() -> None:
    mix = [{"code": "en", "share": 0.92}, {"code": "de", "share": 0.08}]
    (signal,) = language_mix_signals({"code": "en", "mix": mix})
    assert signal.language == "de"
    assert language_mix_signals({"code": "en", "mix": []}) == []
    assert language_mix_signals({"code": "en", "mix": [{"code": "en", "share": 1.0}]}) == []
    # Half the body in another language is a bilingual page, not traces.
    bilingual = [{"code": "en", "share": 0.4}, {"code": "fr", "share": 0.6}]
    assert language_mix_signals({"code": "en", "mix": bilingual}) == []


# --- calques, credits, datelines, slips ----------------------------------------------------


def test_calques() -> None:
    (signal,) = calque_signals("First modification:\nThe council met.")
    assert "modification" in signal.evidence
    assert calque_signals("The talks ended on 14 March.") == []
    assert calque_signals("Read also: the port reopens") != []


def test_credits_of_foreign_agencies() -> None:
    (signal,) = credit_signals("The talks ended.\nWith Reuters and EFE")
    assert signal.language == "es"
    assert "“With …”" in signal.evidence
    (dpa,) = credit_signals("BERLIN (dpa) - The talks ended.")
    assert dpa.language == "de"


@pytest.mark.parametrize(
    "text",
    [
        "The state news agency TASS reported the strike.",
        "The talks ended.\nReporting by Reuters",
        "WASHINGTON (AP) — The talks ended.",
    ],
)
def test_mentions_and_english_agencies_are_no_credit(text: str) -> None:
    assert credit_signals(text) == []


def test_parenthesized_dateline() -> None:
    (signal,) = dateline_signals("(Port Elsden) The quay is closed.")
    assert signal.language == "fr"
    assert dateline_signals("The quay (north side) is closed.") == []
    assert dateline_signals("(AFP) The quay is closed.") == []


def test_slips_grow_with_their_kinds() -> None:
    one = slip_signals("The Council’s The new plan was approved.")
    two = slip_signals("The Council’s The new plan was approved , they said.")
    assert one[0].weight < two[0].weight
    assert two[0].machine is True
    assert slip_signals("“We will go,” she said. “Soon.”") == []


# --- the whole text, and the source language ------------------------------------------------


def test_text_signals_on_written_examples() -> None:
    original = (DATA / "harbour_original.txt").read_text(encoding="utf-8")
    translated = (DATA / "harbour_translated_fr.txt").read_text(encoding="utf-8")
    machine = (DATA / "market_machine_es.txt").read_text(encoding="utf-8")
    assert text_signals(original) == []
    assert {"guillemets", "parenthesized_dateline", "calque"} <= set(names(text_signals(translated)))
    assert source_language(text_signals(translated))[0] == "fr"
    assert {"calque", "agency_credit", "translation_slips"} <= set(names(text_signals(machine)))
    assert source_language(text_signals(machine))[0] == "es"


def test_non_english_text_keeps_only_statements() -> None:
    french = "(Paris) Le maire a dit : « non » ; c'est tout !\nTraduit de l'anglais par Paul Morin."
    assert names(text_signals(french, english=False)) == ["translation_statement"]


def test_signal_record_is_the_schema_shape() -> None:
    record = Signal("x", 0.123456, "because", "fr", True, 0.5).record()
    assert record == {"name": "x", "weight": 0.1235, "evidence": "because"}
