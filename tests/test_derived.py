"""Derived-from links: fingerprints, MinHash, verification and direction (pure functions).

The Beam transform is tested in tests/test_link.py, which reuses this module's fixtures.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from transforms import derived
from transforms.derived import (
    LinkSettings,
    band_keys,
    best_per_language,
    fingerprints,
    judge,
    match,
    minhash,
    mutual_best,
    ordered_shared,
    orient,
    similarity,
    skeleton,
    summarize,
    verify,
)
from transforms.parse import no_translation_evidence

DATA = Path(__file__).parent / "data" / "translation"
ORIGINAL = (DATA / "harbour_original.txt").read_text(encoding="utf-8")
TRANSLATED = (DATA / "harbour_translated_fr.txt").read_text(encoding="utf-8")
UNRELATED = (DATA / "market_machine_es.txt").read_text(encoding="utf-8")

# The harbour story as a Russian paper would print it (written for this test).
RUSSIAN = (
    "Портовое управление Порт-Элсдена в понедельник сообщило, что северный причал останется закрытым "
    "до конца марта: инженеры нашли трещины в бетонных опорах под погрузочными кранами. «Мы не будем "
    "рисковать безопасностью людей», — заявила Маргарет Оелоран, руководитель порта. Около 240 докеров "
    "переведены на южный терминал. Причал построен в 1987 году и последний раз ремонтировался в 2009 году. "
    "Ремонт может обойтись в 14 миллионов фунтов."
)

#: An invented Japanese report whose names are all in kanji, and its English translation:
#: without the names' readings the two share one number.
JAPANESE = (
    "静岡県の川勝平太知事は２４日、浜松市で記者会見を開き、県内の中小企業に対する新しい支援策を"
    "発表した。田中一郎副知事によると、対象は県西部の工場が中心となる。森山健二・浜松商工会議所会頭は"
    "「大きな一歩だ」と述べた。"
)
JAPANESE_IN_ENGLISH = (
    "Shizuoka Governor Heita Kawakatsu held a press conference in Hamamatsu on the 24th and announced "
    "new support for small and medium-sized companies in the prefecture. According to Vice Governor "
    "Ichiro Tanaka, factories in the west of the prefecture will be the focus. Kenji Moriyama, "
    'president of the Hamamatsu Chamber of Commerce, called it "a big step".'
)


def article(
    key: str, text: str, language: str = "en", is_translation: bool = False, confidence: float = 0.1
) -> dict[str, Any]:
    signals = [{"name": "translationese_style", "weight": confidence, "evidence": "test"}]
    return {
        "id": key,
        "source": {"kind": "text", "uri": f"file:///{key}.txt", "entry_id": None},
        "title": None,
        "text": text,
        "repairs": [],
        "language": {"code": language, "confidence": 0.99, "alternatives": [], "declared": None, "mix": []},
        "translation": {
            **no_translation_evidence(),
            "is_translation": is_translation,
            "confidence": confidence,
            "signals": signals if language == "en" else [],
        },
    }


# --- pure functions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [("Zelensky", "Selenskyj"), ("Zelensky", "Зеленский"), ("Kharkiv", "Charkiw"), ("Oyelaran", "Оелоран")],
)
def test_transliterated_names_meet(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


def test_fingerprints_cross_languages() -> None:
    english, russian = fingerprints(ORIGINAL), fingerprints(RUSSIAN)
    assert {"n:240", "n:1987", "n:2009", "n:14", "m:3"} <= english & russian
    assert skeleton("Oyelaran") and f"p:{skeleton('Oyelaran')}" in english & russian
    # Small numbers and sentence-initial capitals are no fingerprints.
    assert not any(token in fingerprints("Three people. Five more came at 7.") for token in ("n:7", "p:dr"))


def test_translation_pair_is_more_similar_than_unrelated() -> None:
    pair, _ = similarity(sorted(fingerprints(ORIGINAL)), sorted(fingerprints(TRANSLATED)))
    cross, _ = similarity(sorted(fingerprints(ORIGINAL)), sorted(fingerprints(RUSSIAN)))
    unrelated, _ = similarity(sorted(fingerprints(ORIGINAL)), sorted(fingerprints(UNRELATED)))
    assert pair > 0.5 and cross > 0.3 and unrelated < 0.1


def test_minhash_is_seeded_and_bands_have_one_key_each() -> None:
    settings = LinkSettings(bands=4, rows=2, seed=7)
    tokens = fingerprints(ORIGINAL)
    signature = minhash(tokens, settings.coefficients())
    same_seed = LinkSettings(bands=4, rows=2, seed=7).coefficients()
    assert signature == minhash(sorted(tokens, reverse=True), same_seed)
    assert signature != minhash(tokens, LinkSettings(bands=4, rows=2, seed=8).coefficients())
    keys = band_keys(signature, 2)
    assert len(keys) == 4 and [k.split(":")[0] for k in keys] == ["0", "1", "2", "3"]


def test_orient_same_language_needs_one_translation() -> None:
    settings = LinkSettings()
    original = summarize(article("o", ORIGINAL, confidence=0.1))
    copy = summarize(article("t", TRANSLATED, is_translation=True, confidence=0.9))
    assert orient(original, copy, settings) == ("t", "o")
    assert orient(original, {**copy, "is_translation": False, "confidence": 0.2}, settings) is None


def test_orient_across_languages_uses_the_evidence() -> None:
    settings = LinkSettings()
    russian = summarize(article("ru", RUSSIAN, language="ru", confidence=0.0))
    english_translation = summarize(article("en", ORIGINAL, is_translation=True, confidence=0.9))
    english_original = summarize(article("en", ORIGINAL, confidence=0.05))
    assert orient(russian, english_translation, settings) == ("en", "ru")
    assert orient(russian, english_original, settings) == ("ru", "en")
    unsure = {**english_original, "confidence": 0.45}
    assert orient(russian, unsure, settings) is None
    named = {**unsure, "source_language": "ru"}
    assert orient(russian, named, settings) == ("en", "ru")


def test_the_head_of_the_other_sides_language_decides_first() -> None:
    # The general head is unsure (0.45); the head for Russian reads the English side as a
    # translation from Russian, the one for Japanese as an original. A pair with a Russian
    # article follows the first, a pair with a Croatian one (no head) stays undecided, and
    # an unsure source head leaves the decision to the general head.
    settings = LinkSettings()
    english = article("en", ORIGINAL, confidence=0.45)
    english["translation"]["style_sources"] = [{"code": "ja", "p": 0.03}, {"code": "ru", "p": 0.95}]
    summary = summarize(english)
    assert summary["by_source"] == {"ja": 0.03, "ru": 0.95}
    russian = summarize(article("ru", RUSSIAN, language="ru", confidence=0.0))
    japanese = {**russian, "id": "ja", "language": "ja"}
    croatian = {**russian, "id": "hr", "language": "hr"}
    assert orient(russian, summary, settings) == ("en", "ru")
    assert orient(summary, japanese, settings) == ("ja", "en")
    assert orient(summary, croatian, settings) is None
    unsure = {**summary, "confidence": 0.9, "by_source": {"ru": 0.4}}
    assert orient(russian, unsure, settings) == ("en", "ru")


def test_other_signals_count_with_the_source_head() -> None:
    english = article("en", ORIGINAL, confidence=0.6)
    english["translation"]["signals"].append({"name": "guillemets", "weight": 0.5, "evidence": "«»"})
    english["translation"]["style_sources"] = [{"code": "ru", "p": 0.2}]
    assert summarize(english)["by_source"] == {"ru": 0.6}  # 1 - (1 - 0.2)(1 - 0.5)
    assert "by_source" not in summarize(article("plain", ORIGINAL))


def test_verify_rejects_unrelated_stories() -> None:
    settings = LinkSettings()
    original = summarize(article("o", ORIGINAL))
    other = summarize(article("u", UNRELATED, is_translation=True, confidence=0.9))
    assert verify(original, other, settings) is None


# --- fingerprints across scripts and number formats -------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [("Biden", "バイデン"), ("Trump", "トランプ"), ("London", "ロンドン"), ("Oyelaran", "Оелоран")],
)
def test_katakana_and_cyrillic_names_meet(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


def test_numbers_meet_across_formats_and_scales() -> None:
    english = fingerprints("Prices rose 12.5 percent; 1,500 jobs and 1.5 million euros were lost.")
    german = fingerprints(
        "Die Preise stiegen um 12,5 Prozent; 1.500 Stellen und 1,5 Millionen Euro gingen verloren."
    )
    japanese = fingerprints("価格は12.5%上昇し、1 500人の雇用と150万ユーロが失われた。")
    assert {"n:12.5", "n:1500", "n:1.5", "n:1500000"} <= english & german
    assert {"n:12.5", "n:1500", "n:1500000"} <= english & japanese


def test_translated_acronyms_meet() -> None:
    # Translation replaces these rather than transliterating them: США is the USA, ООН the UN.
    english = fingerprints("Envoys of the US, the EU and the UN discussed GDP and HIV.")
    russian = fingerprints("Представители США, ЕС и ООН обсудили ВВП и ВИЧ.")
    ukrainian = fingerprints("Представники США, ЄС та ООН обговорили ВВП і ВІЛ.")
    spanish = fingerprints("Los enviados de la UE y la ONU hablaron del PIB y del VIH.")
    acronyms = {"a:usa", "a:eu", "a:un", "a:gdp", "a:hiv"}
    assert acronyms <= english & russian & ukrainian
    assert acronyms - {"a:usa"} <= spanish
    # Any other acronym is its transliteration.
    assert "a:nato" in fingerprints("НАТО") and "a:fsb" in fingerprints("ФСБ")


def test_days_of_month_and_latin_names_inside_cjk_text() -> None:
    english = fingerprints("On March 5 the CNN report quoted Navalny.")
    russian = fingerprints("5 марта в сюжете CNN цитировали Навального.")
    chinese = fingerprints("3月5日，CNN报道引用了Navalny的话。")
    assert {"d:3-5", "a:cnn", f"p:{skeleton('Navalny')}"} <= english & russian & chinese
    # An initial before a surname does not make it a sentence start.
    assert f"p:{skeleton('Johannsson')}" in fingerprints("the spokesman Johann K. Johannsson said")


def test_names_in_kanji_are_read() -> None:
    names = derived.KanjiNames()
    english = derived.ordered_fingerprints(JAPANESE_IN_ENGLISH)
    read = derived.ordered_fingerprints(JAPANESE, names=names)
    assert derived.ordered_fingerprints(JAPANESE) == ["n:24"]
    # Kawakatsu, Hamamatsu, Tanaka and Moriyama, in the order of the text; 県 (the
    # prefecture) and 商工会議所 (the chamber) are no names.
    assert [t for t in read if t in english] == ["p:kfkd", "n:24", "p:mmds", "p:dnk", "p:mrm"]
    # Countries are translated, not spelt: 米国 is the US.
    assert names.keys("米国と中国の大使") == []
    assert names.keys("No kanji here.") == []


def test_kanji_names_are_read_in_japanese_only() -> None:
    names = derived.KanjiNames()
    japanese = summarize(article("ja", JAPANESE, language="ja"), names)
    english = summarize(article("en", JAPANESE_IN_ENGLISH), names)
    assert match(japanese, english, LinkSettings()) is not None
    assert match(summarize(article("ja", JAPANESE, language="ja")), english, LinkSettings()) is None
    # Chinese shares the characters, not the readings: MeCab is not asked.
    chinese = summarize(article("zh", JAPANESE, language="zh"), names)
    assert chinese["fingerprints"] == ["n:24"]


# --- verification -----------------------------------------------------------------------------


def test_order_of_shared_fingerprints_counts() -> None:
    assert ordered_shared(["a", "b", "c", "d"], ["a", "b", "c", "d"]) == 4
    assert ordered_shared(["a", "b", "c", "d"], ["d", "c", "b", "a"]) == 1


def _common_subsequence(a: list[str], b: list[str]) -> int:
    """The longest common subsequence by the plain table (what ordered_shared must equal)."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


def test_ordered_shared_is_the_longest_common_subsequence() -> None:
    # Distinct tokens take the n log n path; a repeated token the table.
    rng = random.Random(7)
    for _ in range(500):
        pool = [f"n:{i}" for i in range(rng.randint(0, 25))]
        a, b = rng.sample(pool, rng.randint(0, len(pool))), rng.sample(pool, rng.randint(0, len(pool)))
        if a and rng.random() < 0.3:
            a.append(a[0])
        assert ordered_shared(a, b) == _common_subsequence(a, b), (a, b)


def test_capitalized_words_and_months_in_lower_case() -> None:
    prints = derived.ordered_fingerprints
    # The second part of a joined word is no name of its own; "O'Brien" is one name.
    assert prints("in l'Europe and anti-Kremlin") == []
    assert prints("Sean O'Brien met Jean-Pierre Dupont") == ["p:brn", "p:nbr", "p:dbnd"]
    # Months in lower case count, except in English text.
    assert prints("le 14 mars 2023") == ["n:14", "d:3-14", "m:3", "n:2023"]
    assert prints("the mai tai on 14 April") == ["m:5", "n:14", "d:4-14", "m:4"]
    assert prints("the mai tai on 14 April", lower_months=False) == ["n:14", "d:4-14", "m:4"]


def test_match_needs_the_facts_in_the_same_order() -> None:
    settings = LinkSettings()
    english = summarize(article("en", ORIGINAL))
    russian = summarize(article("ru", RUSSIAN, language="ru", confidence=0.0))
    assert match(english, russian, settings) is not None
    shuffled = {**russian, "fingerprints": list(reversed(russian["fingerprints"]))}
    assert match(english, shuffled, settings) is None


def test_one_language_needs_a_near_copy() -> None:
    settings = LinkSettings()
    tokens = [f"n:{n}" for n in range(100, 110)]
    a = summarize(article("a", "x"))
    a["fingerprints"] = tokens
    partial = {**a, "id": "b", "fingerprints": tokens[:4] + [f"n:{n}" for n in range(200, 206)]}
    assert similarity(a["fingerprints"], partial["fingerprints"])[0] >= settings.min_similarity
    assert match(a, partial, settings) is None  # 0.25: enough across languages, not within one
    assert match(a, {**partial, "language": "ru"}, settings) is not None
    assert match(a, {**a, "id": "c", "fingerprints": [*tokens[:8], "n:300"]}, settings) is not None


def test_orient_leaves_an_unsure_classifier_undecided() -> None:
    settings = LinkSettings()
    russian = summarize(article("ru", RUSSIAN, language="ru", confidence=0.0))
    english = summarize(article("en", ORIGINAL, confidence=0.0))
    for confidence, expected in ((0.02, ("ru", "en")), (0.3, None), (0.6, None), (0.9, ("en", "ru"))):
        assert orient(russian, {**english, "confidence": confidence}, settings) == expected
    # Neither side assessed: nothing to go on.
    unassessed = {**english, "assessed": False, "confidence": 0.0}
    assert orient(russian, unassessed, settings) is None


def published(value: str, precision: str = "minute") -> dict[str, str]:
    return {"value": value, "precision": precision, "source": "feed"}


def test_the_earlier_article_is_the_original_when_nothing_else_tells() -> None:
    settings = LinkSettings()
    russian = article("ru", RUSSIAN, language="ru", confidence=0.0)
    english = article("en", ORIGINAL, confidence=0.3)  # the style cannot tell
    cases = [
        ("2024-03-01T08:00:00+03:00", "2024-03-04T10:00:00+00:00", ("en", "ru")),
        ("2024-03-06", "2024-03-04T10:00:00+00:00", ("ru", "en")),
        # A day apart is within what timezones can do; months say nothing of days.
        ("2024-03-03T23:00:00+00:00", "2024-03-04T10:00:00+00:00", None),
        ("2024-02", "2024-03-04T10:00:00+00:00", None),
    ]
    for ru_published, en_published, expected in cases:
        precision = "day" if len(ru_published) == 10 else "month" if len(ru_published) == 7 else "minute"
        a = summarize({**russian, "published": published(ru_published, precision)})
        b = summarize({**english, "published": published(en_published)})
        assert orient(a, b, settings) == expected, ru_published
    # The style verdict, when it can tell, comes first.
    a = summarize({**russian, "published": published("2024-03-01T08:00:00+03:00")})
    b = summarize({**english, "published": published("2024-03-04T10:00:00+00:00")})
    assert orient(a, {**b, "confidence": 0.9}, settings) == ("en", "ru")
    # A feed's updated time may be an edit long after the original came out: no order.
    edited = {**published("2024-03-06T08:00:00+03:00"), "source": "feed_updated"}
    a = summarize({**russian, "published": edited})
    assert orient(a, b, settings) is None


# --- mutual best match ------------------------------------------------------------------------


def test_mutual_best_keeps_one_partner_per_language() -> None:
    matches = [
        ("en-orig", "ru-1", 0.7, "en", "ru", 0.0, 0.0),  # the translation
        ("en-orig", "ru-2", 0.3, "en", "ru", 0.0, 0.0),  # another Russian story of the day
        ("en-orig", "zh-1", 0.5, "en", "zh", 0.0, 0.0),  # a second translation, another language
        ("en-other", "ru-2", 0.25, "en", "ru", 0.0, 0.0),
    ]
    # ru-2's closest English partner is en-orig, which has a closer Russian one: the
    # rule leaves ru-2 out rather than fall back on a second best.
    assert mutual_best(matches) == {("en-orig", "ru-1"), ("en-orig", "zh-1")}
    assert mutual_best(matches[1:]) == {("en-orig", "ru-2"), ("en-orig", "zh-1")}
    assert mutual_best(matches[3:]) == {("en-other", "ru-2")}


def test_mutual_best_prefers_the_original_among_copies() -> None:
    settings = LinkSettings()
    original = summarize(article("original", ORIGINAL, confidence=0.02))
    copy = summarize(article("copy", ORIGINAL, is_translation=True, confidence=0.95))
    russian = summarize(article("russian", RUSSIAN, language="ru", confidence=0.0))
    found = []
    for a, b in (("original", "copy"), ("original", "russian"), ("copy", "russian")):
        x, y = (
            {"original": original, "copy": copy, "russian": russian}[a],
            {"copy": copy, "russian": russian}[b],
        )
        verdict = judge(x, y, settings)
        assert verdict is not None
        found.append((a, b, verdict[0], x["language"], y["language"], x["confidence"], y["confidence"]))
    # The copy and the original are equally close to the Russian text; the Russian
    # text pairs with the one less likely a translation.
    assert mutual_best(found) == {("copy", "original"), ("original", "russian")}
    assert judge(original, russian, settings) == (found[1][2], ("russian", "original"))


def test_best_per_language_is_order_independent() -> None:
    partners = [(0.5, "b", "ru"), (0.5, "a", "ru"), (0.2, "c", None)]
    assert best_per_language(partners) == best_per_language(list(reversed(partners)))
    assert best_per_language(partners)["ru"] == (0.5, "a")
    # What a combine merges: its own outputs, back with their languages.
    merged = best_per_language(
        [(*value, language) for language, value in best_per_language(partners).items()]
    )
    assert merged == best_per_language(partners)


def test_a_year_and_a_month_are_not_a_story() -> None:
    settings = LinkSettings()
    a = {**summarize(article("a", "x")), "fingerprints": ["n:2021", "m:3", "p:krmd", "n:4521"]}
    b = {**a, "id": "b", "language": "ru", "fingerprints": ["n:2021", "m:3", "p:krmd", "n:880"]}
    assert match(a, b, settings) is None  # Jaccard 0.6, yet only one specific fingerprint shared
    assert match(a, {**b, "fingerprints": ["n:2021", "m:3", "p:krmd", "n:4521"]}, settings) is not None


# --- both sides assessed, containment ----------------------------------------------------------


def test_orient_weighs_two_style_verdicts_by_their_log_odds() -> None:
    settings = LinkSettings()
    english = summarize(article("en", ORIGINAL, confidence=0.6))
    icelandic = {**english, "id": "is", "language": "is", "confidence": 0.1}
    # One confident side decides although the other is unsure: logit(0.6) - logit(0.1) = 2.6.
    assert orient(english, icelandic, settings) == ("en", "is")
    assert orient({**english, "confidence": 0.2}, {**icelandic, "confidence": 0.9}, settings) == (
        "is",
        "en",
    )
    # 0.5 against 0.3: log-odds differ by 0.85 < 1.0, undecided.
    assert orient({**english, "confidence": 0.5}, {**icelandic, "confidence": 0.3}, settings) is None


def test_only_the_english_classifier_calls_an_article_the_original() -> None:
    settings = LinkSettings()
    russian = summarize(article("ru", RUSSIAN, language="ru", confidence=0.0))
    assert not russian["assessed"]
    japanese = {**russian, "id": "ja", "language": "ja", "assessed": True, "confidence": 0.02}
    assert orient(russian, japanese, settings) is None
    english = {**japanese, "id": "en", "language": "en"}
    assert orient(russian, english, settings) == ("ru", "en")
    # A high score still says translation, whichever head gave it.
    assert orient(russian, {**japanese, "confidence": 0.9}, settings) == ("ja", "ru")


def test_containment_matches_a_much_smaller_side_across_languages_only() -> None:
    settings = LinkSettings()
    big = [f"p:n{i:02d}x" for i in range(30)]
    a = summarize(article("en", "x"))
    a["fingerprints"] = big
    small = {
        **a,
        "id": "ja",
        "language": "ja",
        "fingerprints": [big[2], big[5], big[9], big[14], "p:zzz", "n:77"],
    }
    score, shared = similarity(a["fingerprints"], small["fingerprints"])
    assert score < settings.min_similarity and shared == 4
    assert match(a, small, settings) == pytest.approx(score, abs=1e-6)
    assert match(a, {**small, "language": "en"}, settings) is None  # within one language: no
    out_of_order = {**small, "fingerprints": [big[14], big[9], big[5], big[2], "p:zzz", "n:77"]}
    assert match(a, out_of_order, settings) is None
    too_little = {**small, "fingerprints": [big[2], big[5], big[9], "p:zzz", "n:77", "n:78", "n:79"]}
    assert match(a, too_little, settings) is None  # 3 of 7: under half the smaller side


def test_two_assessed_articles_without_english_are_left_undecided() -> None:
    # Icelandic and Japanese translations of one English story match each other; neither
    # head learnt to tell which of two non-English texts came first.
    settings = LinkSettings()
    icelandic = summarize(article("is", RUSSIAN, language="is", confidence=0.9))
    icelandic["assessed"] = True
    japanese = {**icelandic, "id": "ja", "language": "ja", "confidence": 0.3}
    assert orient(icelandic, japanese, settings) is None
    assert orient(icelandic, {**japanese, "language": "en"}, settings) == ("is", "ja")


# --- glosses: a foreign name followed by its original spelling --------------------------------

# The harbour story as a Chinese paper would print a translation of it (written for this test):
# the names transcribed, their English spelling in parentheses after them.
CHINESE = (
    "埃尔斯登港（Port Elsden）港务局周一表示，北码头将关闭至三月底，工程师在装卸起重机下方的"
    "混凝土支柱中发现了裂缝。港口负责人玛格丽特·奥耶拉兰（Margaret Oyelaran）说：“我们不会拿"
    "在那里工作的人的安全冒险。”约240名码头工人已被调往南码头。该码头建于1987年，2009年最后一次"
    "翻修，维修费用可能高达1400万英镑。"
)


def test_glosses_are_names_after_their_transcription() -> None:
    assert derived.glosses(CHINESE) == [f"{skeleton('Port')} {skeleton('Elsden')}", "mrkr rrn"]
    # An acronym in parentheses is no gloss, nor is a name glossed in its own script.
    assert derived.glosses("世界卫生组织（WHO）和北约（NATO）。") == []
    assert derived.glosses("The port chief, Margaret Oyelaran (Oyelaran), spoke.") == []


def test_a_side_that_glosses_the_other_sides_names_is_the_translation() -> None:
    settings = LinkSettings()
    chinese = summarize(article("zh", CHINESE, language="zh", confidence=0.0))
    english = summarize(article("en", ORIGINAL, confidence=0.3))  # the classifier is unsure
    assert derived.copied_glosses(chinese, english) == 2 and derived.copied_glosses(english, chinese) == 0
    assert orient(chinese, english, settings) == ("zh", "en")
    assert orient(english, chinese, settings) == ("zh", "en")
    # Not when the other side reads as a translation itself, nor when nobody read it (a
    # Croatian translation of the same English story spells the names alike).
    assert orient(chinese, {**english, "confidence": 0.6}, settings) is None
    croatian = {**english, "id": "hr", "language": "hr", "assessed": False, "confidence": 0.0}
    assert orient(chinese, croatian, settings) is None
    # The style classifiers still come first.
    assert orient(chinese, {**english, "confidence": 0.8}, settings) == ("en", "zh")


def test_unmatched_katakana_words_do_not_count_against_containment() -> None:
    # A Japanese article much smaller in fingerprints than its English partner: 4 of its 9
    # fingerprints are shared, and the other 5 come from katakana loanwords (コロナウイルス,
    # リモート), whose English is a lower-case word.
    settings = LinkSettings()
    big = [f"p:n{i:02d}x" for i in range(30)]
    english = {**summarize(article("en", "x")), "fingerprints": big}
    loanwords = ["p:krnr", "p:rmd", "p:dkdr", "p:bndm", "p:sbs"]
    japanese = {
        **english,
        "id": "ja",
        "language": "ja",
        "fingerprints": [big[2], big[5], big[9], big[14], *loanwords],
        "loose": [],
    }
    assert match(english, japanese, settings) is None  # 4 of 9: under half the smaller side
    japanese["loose"] = loanwords
    assert match(english, japanese, settings) is not None
    assert match(english, {**japanese, "language": "en"}, settings) is None  # one language: no
    assert derived.katakana_keys("リモート勤務とコロナウイルス") == ["p:rmd", "p:krnr"]
