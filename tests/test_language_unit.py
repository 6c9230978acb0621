"""Unit tests for transforms.language.LanguageDetector (no pipelines)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.language import Language

from transforms.language import LanguageDetector, LanguageSettings, letter_count

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
    result = detector.detect(text)
    assert len(result["alternatives"]) >= 2
    _assert_sorted_alternatives(result)


def test_unsure_detection_has_no_code(detector: LanguageDetector) -> None:
    result = detector.detect(BORDERLINE[1])
    assert result["confidence"] < LanguageSettings().min_confidence
    assert result["code"] is None
    assert result["alternatives"]  # the candidates are still reported


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


# --- the ranking logic, with langdetect replaced by a stub ------------------


class _StubDetector:
    def __init__(self, probabilities: list[Language] | Exception):
        self.probabilities = probabilities
        self.max_length: int | None = None
        self.text = ""

    def set_max_text_length(self, length: int) -> None:
        self.max_length = length

    def set_prior_map(self, prior: dict[str, float]) -> None:
        self.prior = prior

    def append(self, text: str) -> None:
        self.text += text

    def get_probabilities(self) -> list[Language]:
        if isinstance(self.probabilities, Exception):
            raise self.probabilities
        return self.probabilities


class _StubFactory:
    def __init__(self, probabilities: list[Language] | Exception):
        self.probabilities = probabilities
        self.created: list[_StubDetector] = []

    def create(self) -> _StubDetector:
        detector = _StubDetector(self.probabilities)
        self.created.append(detector)
        return detector

    def get_lang_list(self) -> list[str]:
        return [] if isinstance(self.probabilities, Exception) else [p.lang for p in self.probabilities]


@pytest.fixture
def stubbed(detector: LanguageDetector) -> Iterator[LanguageDetector]:
    real = detector.factory
    yield detector
    detector.factory = real


TEXT = "Some ordinary words, long enough to be detected."


def test_zh_variants_are_summed_into_zh(stubbed: LanguageDetector) -> None:
    stubbed.factory = _StubFactory([Language("zh-cn", 0.5), Language("zh-tw", 0.4), Language("ja", 0.1)])
    result = stubbed.detect(TEXT)
    assert result == {
        "code": "zh",
        "confidence": 0.9,
        "alternatives": [{"code": "zh", "probability": 0.9}, {"code": "ja", "probability": 0.1}],
    }


def test_zh_merge_can_lift_an_unsure_result_over_the_threshold(stubbed: LanguageDetector) -> None:
    # Neither variant alone beats ko, together they do.
    stubbed.factory = _StubFactory([Language("ko", 0.4), Language("zh-tw", 0.35), Language("zh-cn", 0.25)])
    result = stubbed.detect(TEXT)
    assert result["code"] is None  # 0.6 is below the confidence floor
    assert result["alternatives"] == [{"code": "zh", "probability": 0.6}, {"code": "ko", "probability": 0.4}]


def test_alternatives_are_capped_and_sorted(stubbed: LanguageDetector) -> None:
    stubbed.factory = _StubFactory(
        [Language(code, p) for code, p in [("it", 0.1), ("es", 0.5), ("pt", 0.2), ("ca", 0.12), ("gl", 0.08)]]
    )
    result = stubbed.detect(TEXT)
    assert result["alternatives"] == [
        {"code": "es", "probability": 0.5},
        {"code": "pt", "probability": 0.2},
        {"code": "ca", "probability": 0.12},
    ]
    assert result["confidence"] == 0.5
    assert result["code"] is None


def test_equal_probabilities_are_ordered_by_code(stubbed: LanguageDetector) -> None:
    stubbed.factory = _StubFactory([Language("nl", 0.5), Language("af", 0.5)])
    assert [alt["code"] for alt in stubbed.detect(TEXT)["alternatives"]] == ["af", "nl"]


def test_confidence_floor_is_inclusive(stubbed: LanguageDetector) -> None:
    floor = LanguageSettings().min_confidence
    stubbed.factory = _StubFactory([Language("fr", floor), Language("en", 1 - floor)])
    assert stubbed.detect(TEXT)["code"] == "fr"


def test_detector_error_gives_no_code(stubbed: LanguageDetector) -> None:
    stubbed.factory = _StubFactory(LangDetectException(ErrorCode.CantDetectError, "No features in text."))
    assert stubbed.detect(TEXT) == {"code": None, "confidence": 0.0, "alternatives": []}


def test_empty_probabilities_give_no_code(stubbed: LanguageDetector) -> None:
    stubbed.factory = _StubFactory([])
    assert stubbed.detect(TEXT) == {"code": None, "confidence": 0.0, "alternatives": []}


def test_text_length_cap_is_passed_to_langdetect(stubbed: LanguageDetector) -> None:
    factory = _StubFactory([Language("en", 1.0)])
    stubbed.factory = factory
    stubbed.detect(TEXT)
    (created,) = factory.created
    assert created.max_length == LanguageSettings().max_chars
    assert created.text == TEXT
