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
import transforms.language_words as words
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
    # English has three of the eight words, so it leads; answers at 0.8-0.9 are
    # right about 7 times in 10 on single sentences (make eval-language).
    result = detector.detect(BORDERLINE[1])
    assert result["confidence"] < 0.9
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
        "Hi there!",  # 7 letters
        "abcdefghi",  # 9 letters
        "Ça va!",
        "東京で会う",  # a Han ideograph counts twice: 8
    ],
)
def test_short_text_has_no_code(detector: LanguageDetector, text: str) -> None:
    assert letter_count(text) < 10
    assert detector.detect(text) == {"code": None, "confidence": 0.0, "alternatives": []}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hello there, friend.", "en"),  # 16 letters
        ("Buenos días a todos.", "es"),
        ("Der Zug fährt um acht.", "de"),
        ("東京で会いましょう", "ja"),
    ],
)
def test_short_sentence_of_real_words_is_named(detector: LanguageDetector, text: str, code: str) -> None:
    assert 10 <= letter_count(text) < 20
    assert detector.detect(text)["code"] == code


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


def test_letter_threshold_is_ten(detector: LanguageDetector) -> None:
    nine = "The cat sat."
    ten = "The cats sat."
    assert (letter_count(nine), letter_count(ten)) == (9, 10)
    assert detector.detect(nine) == {"code": None, "confidence": 0.0, "alternatives": []}
    assert detector.detect(ten)["alternatives"] != []


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


def test_one_kind_of_unknown_letter_is_a_stray_not_an_alphabet(detector: LanguageDetector) -> None:
    """Turkish whose ş came through a wrong code page as þ (no profile has þ): 1.5%
    of its letters are unknown, but all of one kind, so it is still Turkish."""
    turkish = (
        "Belediye meclisi salı günü toplu taşıma için yeni bir bütçeyi onayladı. "
        "Otobüs ücretleri gelecek yılın sonuna kadar aynı kalacak. "
        "Yetkililer, paranın kuzey ilçelerindeki iki yeni tramvay hattı için de kullanılacağını söyledi. "
        "Mahalle sakinleri uzun zamandır gecikmeli ve kalabalık araçlardan şikayet ediyordu. "
        "Çalışmaların ilkbaharda başlaması ve yaklaşık iki yıl sürmesi bekleniyor."
    ).replace("ş", "þ")
    unknown = detector.scorer.unknown_letters(detector.scorer.clean(turkish))
    assert set(unknown) == {"þ"} and len(unknown) > 0.01 * letter_count(turkish)
    assert detector.detect(turkish)["code"] == "tr"
    assert detector.detect_article(turkish)["code"] == "tr"
    # Esperanto's several letters no profile has are an alphabet: no code.
    assert len(set(detector.scorer.unknown_letters(detector.scorer.clean(UNKNOWN["eo"])))) >= 3


def test_fit_has_no_slack_on_long_text(detector: LanguageDetector) -> None:
    """The slack below ``min_fit`` is for short texts' sampling noise; a long text's mean is exact."""
    long_text = " ".join([PARAGRAPHS["en"]] * 6)
    scored = detector.scorer.score(long_text)
    assert scored.trigrams >= detector.settings.fit_exact_from
    en = detector.scorer.languages.index("en")
    fit = detector.fit(scored, en)
    at_floor = LanguageSettings(min_fit=fit + 1e-3, min_fit_broad=fit + 1e-3, fit_spread=100.0)
    strict = LanguageDetector(settings=at_floor)
    cleaned = detector.scorer.clean(long_text)
    assert not strict.fits(scored, en, cleaned, letter_count(long_text))
    short = detector.scorer.score(PARAGRAPHS["en"])
    assert strict.fits(short, en, detector.scorer.clean(PARAGRAPHS["en"]), letter_count(PARAGRAPHS["en"]))


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


# --- word evidence on short texts (transforms/language_words.py) -------------------

#: Sentences written for these tests; the character n-grams alone name the wrong
#: close relative for the first two (Russian, Slovene), the words settle them.
SHORT_CLOSE = [
    ("Вчера бях в магазина и купих хляб.", "bg"),
    ("Ne znam što da radim jer je to vrlo složeno.", "hr"),
    ("Jeg kan ikke huske noe av det, men hun sa det til meg etter festen.", "no"),
    ("Jeg kan ikke huske noget af det, men hun sagde det til mig efter festen.", "da"),
    ("Neviem, čo mám robiť, pretože je to veľmi zložité.", "sk"),
    ("Вчера бев во продавница и купив леб.", "mk"),
]


@pytest.mark.parametrize(("text", "code"), SHORT_CLOSE)
def test_words_tell_close_relatives_apart(detector: LanguageDetector, text: str, code: str) -> None:
    assert detector.detect(text)["code"] == code


def test_without_words_the_ngrams_alone_confuse_close_relatives() -> None:
    ngrams_only = LanguageDetector(settings=LanguageSettings(word_evidence_below=0))
    assert [ngrams_only.detect(text)["code"] for text, _ in SHORT_CLOSE[:2]] == ["ru", "sl"]


def test_word_evidence_never_lifts_a_listed_language_past_an_unlisted_one(detector: LanguageDetector) -> None:
    """Afrikaans has no word list: Dutch words must not push Dutch past it, while
    Danish and Bokmål (both listed) are re-ranked among themselves."""
    assert not detector.words.covers("af") and detector.words.covers("nl")
    alone = [("af", -100.0), ("nl", -101.0)]
    assert detector._with_word_evidence(alone, "de het een van") == alone  # one list: nothing to weigh
    three = [("af", -100.0), ("no", -101.0), ("da", -102.0)]
    reranked = dict(detector._with_word_evidence(three, "noget af mig efter"))
    assert reranked["da"] > reranked["no"] == -101.0  # the least likely listed one keeps its score
    assert reranked["af"] - (-100.0) == reranked["da"] - (-102.0)  # unlisted: the best list's gain


def test_short_words_do_not_vouch_for_a_language(detector: LanguageDetector) -> None:
    words = detector.words
    assert words.known_share("la de a", "es") == 1.0
    assert words.known_share("la de a", "es", min_length=3) == 0.0
    assert words.known_share("la casa de mi madre", "es", min_length=3) == 1.0


def test_shipped_word_lists_are_what_wordfreq_gives(tmp_path: Path) -> None:
    """The .npz in the package is rebuilt from wordfreq and must match word for word
    (``python -m transforms.language_words`` rewrites it)."""
    rebuilt = tmp_path / "language_words.npz"
    assert words.main(["--output", str(rebuilt)]) == 0
    shipped, fresh = words.read_words(words.WORDS_PATH), words.read_words(rebuilt)
    assert sorted(shipped) == sorted(fresh) and len(shipped) == 36
    assert shipped == fresh
    assert all(len(entries) == words.TOP_WORDS for entries in shipped.values())


def test_missing_word_file_falls_back_to_wordfreq(tmp_path: Path) -> None:
    shipped, computed = words.WordScorer(), words.WordScorer(tmp_path / "absent.npz")
    assert computed.languages == shipped.languages
    assert np.array_equal(computed._table, shipped._table)
