"""Unit tests for transforms.language.LanguageDetector on single texts (no pipelines).

Real langdetect profiles throughout; the sentences are written for these tests.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import transforms.language_profiles as profiles
from transforms.language import (
    LanguageDetector,
    LanguageSettings,
    clip,
    language_mix,
    letter_count,
    sample_paragraphs,
    tempered_probabilities,
)

PARAGRAPHS = {
    "en": (
        "The city council approved a new budget for public transport on Tuesday. "
        "Bus fares will stay the same until the end of next year. "
        "Officials said the money will also pay for two new tram lines in the northern districts."
    ),
    "fr": (
        "Le conseil municipal a approuvé mardi un nouveau budget pour les transports publics. "
        "Les tarifs des bus resteront inchangés jusqu'à la fin de l'année prochaine. "
        "Selon les responsables, l'argent financera aussi deux nouvelles lignes de tramway."
    ),
    "de": (
        "Der Stadtrat hat am Dienstag einen neuen Haushalt für den öffentlichen Nahverkehr beschlossen. "
        "Die Busfahrpreise bleiben bis Ende nächsten Jahres unverändert. "
        "Nach Angaben der Verwaltung werden mit dem Geld auch zwei neue Straßenbahnlinien gebaut."
    ),
    "ru": (
        "Городской совет во вторник утвердил новый бюджет для общественного транспорта. "
        "Стоимость проезда в автобусах не изменится до конца следующего года. "
        "По словам чиновников, деньги также пойдут на строительство двух новых трамвайных линий."
    ),
    "zh": (
        "我们的城市正在发生很大的变化。这里的人们都很喜欢新的公园和图书馆。"
        "孩子们每个周末都会去那里玩，老人们也经常在那里聊天。"
    ),
    "ja": (
        "市議会は火曜日、公共交通機関の新しい予算を承認しました。バスの運賃は来年の終わりまで変わりません。"
        "担当者によると、この予算で北部地区に新しい路面電車の路線も二つ建設されます。"
    ),
}

#: A text that mixes languages, so the detector is unsure and sampling matters.
BORDERLINE = [
    "The mayor said bonjour à tous before the vote. Der Rat stimmte zu, and the meeting ended early ce soir.",
    "Il pleuvait. It was raining. Es regnete. Llovía. Pioveva. Chovia.",
]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(seed=0)


def _assert_sorted_alternatives(result: dict[str, Any]) -> None:
    probabilities = [alt["probability"] for alt in result["alternatives"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len(result["alternatives"]) <= LanguageSettings().alternatives
    assert len({alt["code"] for alt in result["alternatives"]}) == len(result["alternatives"])
    if result["alternatives"]:
        assert result["alternatives"][0]["probability"] == result["confidence"]


@pytest.mark.parametrize("code", sorted(PARAGRAPHS))
def test_detects_paragraph_language(detector: LanguageDetector, code: str) -> None:
    result = detector.detect(PARAGRAPHS[code])
    assert result["code"] == code
    assert result["confidence"] > 0.9
    assert result["alternatives"][0]["code"] == code
    _assert_sorted_alternatives(result)


@pytest.mark.parametrize("text", BORDERLINE)
def test_alternatives_sorted_descending_on_mixed_text(detector: LanguageDetector, text: str) -> None:
    _assert_sorted_alternatives(detector.detect(text))


def test_one_word_per_language_is_not_a_confident_answer(detector: LanguageDetector) -> None:
    result = detector.detect(BORDERLINE[1])
    assert result["confidence"] < 0.8
    assert len(result["alternatives"]) >= 2  # the candidates are still reported
    _assert_sorted_alternatives(result)


def test_unsure_detection_has_no_code(detector: LanguageDetector) -> None:
    # One short sentence in each of six languages: no language is near-certain.
    strict = LanguageDetector(settings=LanguageSettings(min_confidence=0.99))
    result = strict.detect(BORDERLINE[1])
    assert result["code"] is None
    assert result["alternatives"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hello there, friend.",  # 17 letters
        "abcdefghijklmnopqrs",  # 19 letters
        "Ça va très bien!",
        "東京で会いましょう",
    ],
)
def test_short_text_has_no_code(detector: LanguageDetector, text: str) -> None:
    assert letter_count(text) < 20
    assert detector.detect(text) == {"code": None, "confidence": 0.0, "alternatives": []}


@pytest.mark.parametrize(
    "text",
    [
        "12345 67890 !!! ??? 2023-03-14 ... 555-1234 ,,, ;;; 42 42 42 42 42 3.14159 -- ++",
        "1234567890" * 20,
        "... --- ... !!! ??? ((( ))) [[[ ]]] {{{ }}} ### $$$ %%% &&& *** @@@",
        "🎉🎉🎉 👋🏽👋🏽 ⚽️⚽️ 2024 → 2025 ★★★ ♥♥♥",
    ],
)
def test_digits_and_punctuation_only_has_no_code(detector: LanguageDetector, text: str) -> None:
    assert letter_count(text) == 0
    assert detector.detect(text) == {"code": None, "confidence": 0.0, "alternatives": []}


def test_letter_threshold_is_twenty(detector: LanguageDetector) -> None:
    nineteen = "The cats sat on the mats."
    twenty = "The cats sat on the mats, a"
    assert (letter_count(nineteen), letter_count(twenty)) == (19, 20)
    assert detector.detect(nineteen) == {"code": None, "confidence": 0.0, "alternatives": []}
    assert detector.detect(twenty)["alternatives"] != []


@pytest.mark.parametrize("text", BORDERLINE)
def test_repeated_calls_are_deterministic(detector: LanguageDetector, text: str) -> None:
    results = [detector.detect(text) for _ in range(20)]
    assert all(result == results[0] for result in results)


@pytest.mark.parametrize("text", [*BORDERLINE, PARAGRAPHS["zh"]])
def test_separate_detectors_with_the_same_seed_agree(detector: LanguageDetector, text: str) -> None:
    other = LanguageDetector(seed=0)
    assert other.detect(text) == detector.detect(text)


def test_detection_does_not_depend_on_call_order(detector: LanguageDetector) -> None:
    fresh = LanguageDetector(seed=0)
    expected = fresh.detect(BORDERLINE[0])
    for text in PARAGRAPHS.values():
        detector.detect(text)
    assert detector.detect(BORDERLINE[0]) == expected


def test_simplified_chinese_is_reported_as_zh(detector: LanguageDetector) -> None:
    result = detector.detect(PARAGRAPHS["zh"])
    assert result["code"] == "zh"
    codes = [alt["code"] for alt in result["alternatives"]]
    assert "zh-cn" not in codes
    assert "zh-tw" not in codes


def test_traditional_chinese_variants_are_merged_into_zh(detector: LanguageDetector) -> None:
    # langdetect splits this text between zh-tw and zh-cn (and a little ko).
    text = "這間餐廳的牛肉麵非常好吃，價錢也很便宜。老闆說他們已經開了三十年，每天都有很多客人排隊。"
    result = detector.detect(text)
    assert result["code"] == "zh"
    codes = [alt["code"] for alt in result["alternatives"]]
    assert codes.count("zh") == 1
    assert not {"zh-cn", "zh-tw"} & set(codes)


def test_traditional_chinese_news_is_not_korean(detector: LanguageDetector) -> None:
    text = (
        "經濟部今天發表報告指出，今年出口成長強勁，電子產品的需求持續增加。"
        "專家認為，這樣的趨勢可能會維持到明年。"
    )
    assert detector.detect(text)["code"] == "zh"


# --- languages langdetect has no profile for ---------------------------------

#: Esperanto, Kazakh and Armenian: langdetect has no profile; the answer must be null.
UNKNOWN = {
    "eo": (
        "La urba konsilantaro aprobis novan buĝeton por la publika transporto ĉi-semajne. "
        "La prezoj de la busbiletoj ne ŝanĝiĝos ĝis la fino de la venonta jaro, kaj la mono ankaŭ "
        "pagos du novajn tramliniojn en la nordaj kvartaloj. Ĉiuj partioj voĉdonis por la plano, "
        "ĉar la loĝantoj jam delonge plendis pri la malfruaj kaj plenŝtopitaj veturiloj. "
        "La laboroj komenciĝos printempe kaj daŭros ĉirkaŭ du jarojn, laŭ la urbestro."
    ),
    "kk": (
        "Қалалық кеңес сейсенбі күні қоғамдық көлікке арналған жаңа бюджетті бекітті. "
        "Автобус жол ақысы келесі жылдың соңына дейін өзгермейді. "
        "Әкімдіктің айтуынша, бұл қаражат солтүстік аудандардағы екі жаңа трамвай желісіне де жұмсалады. "
        "Тұрғындар көптен бері көліктің кешігуіне шағымданып келген."
    ),
    "hy": (
        "Քաղաքային խորհուրդը երեքշաբթի օրը հաստատեց հասարակական տրանսպորտի նոր բյուջեն։ "
        "Ավտոբուսի տոմսերի գները չեն փոխվի մինչև հաջորդ տարվա վերջը։"
    ),
}


@pytest.mark.parametrize("code", sorted(UNKNOWN))
def test_language_without_profile_gets_no_code(detector: LanguageDetector, code: str) -> None:
    assert detector.detect(UNKNOWN[code])["code"] is None
    assert detector.detect_article(UNKNOWN[code])["code"] is None


def test_fit_is_typical_for_the_right_language(detector: LanguageDetector) -> None:
    scorer = detector.scorer
    english = scorer.score(PARAGRAPHS["en"])
    en = scorer.languages.index("en")
    de = scorer.languages.index("de")
    assert detector.fit(english, en) > detector.fit(english, de)
    cleaned = detector.scorer.clean(PARAGRAPHS["en"])
    assert detector.fits(english, en, cleaned, letter_count(PARAGRAPHS["en"]))


# --- pure helpers ----------------------------------------------------------------


def test_tempered_probabilities_sum_to_one_and_fold_chinese() -> None:
    ranked = tempered_probabilities([("zh-tw", -1.0), ("zh-cn", -2.0), ("ko", -4.0), ("ja", -40.0)], 1.0)
    assert [code for code, _ in ranked] == ["zh", "ko", "ja"]
    assert sum(p for _, p in ranked) == pytest.approx(1.0)


def test_lower_temperature_is_less_sure() -> None:
    scores = [("es", 0.0), ("ca", -6.0)]
    assert tempered_probabilities(scores, 1 / 3)[0][1] < tempered_probabilities(scores, 1.0)[0][1]


def test_language_mix_merges_codes_and_orders_by_share() -> None:
    assert language_mix([("de", 10), ("en", 30), ("de", 20), (None, 99), ("fr", 0)]) == [
        {"code": "de", "share": 0.5},
        {"code": "en", "share": 0.5},
    ]


def test_sample_spans_the_text_within_budget() -> None:
    lengths = [500] * 40
    chosen = sample_paragraphs(lengths, 10_000)
    assert sum(lengths[i] for i in chosen) <= 10_000
    assert chosen[0] == 0 and chosen[-1] >= 35
    assert sample_paragraphs([], 100) == []


def test_clip_never_cuts_a_word_when_it_can_help() -> None:
    assert clip("word " * 10, 12) == "word word"
    assert clip("x" * 30, 10) == "x" * 10


def test_shipped_profile_model_is_what_langdetect_gives(tmp_path: Path) -> None:
    """The .npz in the package is rebuilt from langdetect's profiles and must match
    cell for cell (``python -m transforms.language_profiles`` rewrites it)."""
    rebuilt = tmp_path / "language_profiles.npz"
    assert profiles.main(["--output", str(rebuilt)]) == 0
    shipped, fresh = profiles.read_model(profiles.MODEL_PATH), profiles.read_model(rebuilt)
    assert shipped.languages == fresh.languages and len(shipped.languages) == 55
    assert shipped.grams == fresh.grams
    for name in ("rows", "columns", "values"):
        assert np.array_equal(getattr(shipped, name), getattr(fresh, name)), name
    assert shipped.table == fresh.table


def test_scorer_from_the_file_equals_the_scorer_from_langdetect() -> None:
    from_file = profiles.ProfileScorer(model=profiles.load_model())
    from_langdetect = profiles.ProfileScorer(model=profiles.compute_model())
    assert np.array_equal(from_file._gram_rows, from_langdetect._gram_rows)
    text = "Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen."
    assert np.array_equal(from_file.score(text).scores, from_langdetect.score(text).scores)


def test_missing_model_file_falls_back_to_langdetect(tmp_path: Path) -> None:
    model = profiles.load_model(tmp_path / "absent.npz")
    assert len(model.languages) == 55 and model.table[ord("!")] == " "


def test_detector_starts_quickly() -> None:
    """Start-up cost per worker: the precomputed file, not langdetect's JSON (about 1.5 s)."""
    LanguageDetector()  # warm the file cache and imports
    start = time.perf_counter()
    LanguageDetector()
    assert time.perf_counter() - start < 1.0  # about 0.15 s here; generous for a loaded machine
