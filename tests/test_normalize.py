"""Unit tests for transforms.normalize: decoding bytes and repairing damaged text."""

from __future__ import annotations

import codecs
import random
from typing import Any

import pytest

from transforms.normalize import BinaryContent, Repair, decode_bytes, normalize_article, repair_text

# --- decode_bytes: clean input ----------------------------------------------

SAMPLE = "Zoë’s café — naïve, 東京, Ελλάδα, Москва 🎉"


def test_decode_bytes_utf8() -> None:
    decoded = decode_bytes(SAMPLE.encode("utf-8"))
    assert decoded.text == SAMPLE
    assert decoded.charset == "utf-8"
    assert decoded.repairs == []


def test_decode_bytes_ascii_is_utf8_without_repairs() -> None:
    decoded = decode_bytes(b"Plain ASCII words.\r\n\tIndented.\x0c")
    assert decoded.text == "Plain ASCII words.\r\n\tIndented.\x0c"
    assert decoded.charset == "utf-8"
    assert decoded.repairs == []


def test_decode_bytes_utf8_with_bom_drops_the_bom() -> None:
    decoded = decode_bytes(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"))
    assert decoded.text == SAMPLE
    assert not decoded.text.startswith("\ufeff")
    assert decoded.charset == "utf-8"
    assert decoded.repairs == []


@pytest.mark.parametrize(
    ("data", "charset"),
    [
        (SAMPLE.encode("utf-16"), "utf-16"),  # Python writes the platform BOM
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        (SAMPLE.encode("utf-32"), "utf-32"),
    ],
    ids=["utf16-native", "utf16-le", "utf16-be", "utf32"],
)
def test_decode_bytes_utf16_and_utf32_with_bom(data: bytes, charset: str) -> None:
    decoded = decode_bytes(data)
    assert decoded.text == SAMPLE
    assert decoded.charset == charset
    assert decoded.repairs == []


def test_decode_bytes_bom_wins_over_declared_charset() -> None:
    decoded = decode_bytes(codecs.BOM_UTF8 + "Москва".encode(), declared="windows-1251")
    assert decoded.text == "Москва"
    assert decoded.charset == "utf-8"


# --- decode_bytes: legacy charsets ------------------------------------------

RUSSIAN = (
    "Правительство объявило о новых мерах поддержки малого бизнеса в регионах страны. "
    "Министр финансов сообщил, что программа начнёт работать уже в следующем месяце."
)
UKRAINIAN = "Уряд України оголосив про нову програму підтримки фермерів у західних областях."
FRENCH_LONG = "Le président a déclaré que la réforme des retraites serait adoptée à l’été, malgré les grèves."
FRENCH_QUOTE = (
    "À Marseille, les pêcheurs réclament des aides après la hausse du prix du gazole. "
    "« Nous ne pouvons plus travailler », a déclaré un patron de chalutier."
)
SPANISH = (
    "El Gobierno aprobó el martes una reforma que permitirá a los jóvenes acceder a una vivienda "
    "más barata en las ciudades españolas."
)
GERMAN = (
    "Der Bürgermeister erklärte am Dienstag, dass die Brücke über den Fluss wegen Schäden gesperrt "
    "werden müsse. Die Sanierung dauert voraussichtlich zwei Jahre."
)


@pytest.mark.parametrize(
    ("text", "encoding", "expected_charset"),
    [
        pytest.param(RUSSIAN, "cp1251", "cp1251", id="ru-cp1251"),
        pytest.param("Москва и Киев", "cp1251", "cp1251", id="ru-cp1251-short"),
        pytest.param(UKRAINIAN, "cp1251", "cp1251", id="uk-cp1251"),
        pytest.param(FRENCH_LONG, "cp1252", "cp1252", id="fr-cp1252"),
        pytest.param(FRENCH_QUOTE, "cp1252", "cp1252", id="fr-cp1252-guillemets"),
        pytest.param(SPANISH, "cp1252", "cp1252", id="es-cp1252"),
        pytest.param(GERMAN, "cp1252", "cp1252", id="de-cp1252"),
        pytest.param("crème brûlée", "cp1252", "cp1252", id="fr-cp1252-short"),
    ],
)
def test_decode_bytes_legacy_charset_detected(text: str, encoding: str, expected_charset: str) -> None:
    data = text.encode(encoding)
    decoded = decode_bytes(data)
    assert decoded.text == text
    assert decoded.charset == expected_charset
    assert [r.kind for r in decoded.repairs] == ["charset"]
    assert decoded.repairs[0].detail == f"not utf-8; decoded as {expected_charset} (detected)"
    assert decoded.repairs[0].count == 1


@pytest.mark.parametrize("declared", ["us-ascii", "ascii", "iso-8859-1", "ISO-8859-1", "windows-1252"])
def test_decode_bytes_declared_legacy_but_bytes_are_utf8(declared: str) -> None:
    text = "Le café crème coûte 3 € à Noël."
    decoded = decode_bytes(text.encode("utf-8"), declared=declared)
    assert decoded.text == text
    assert decoded.charset == "utf-8"
    assert decoded.repairs == [
        Repair("charset", f"declared {declared}, but the bytes are utf-8", "", "", 1),
    ]


def test_decode_bytes_declared_legacy_and_ascii_bytes_needs_no_repair() -> None:
    decoded = decode_bytes(b"Plain words only.", declared="iso-8859-1")
    assert decoded.text == "Plain words only."
    assert decoded.repairs == []


@pytest.mark.parametrize(
    ("text", "declared", "charset"),
    [
        ("café crème à la carte", "iso-8859-1", "latin-1"),
        ("café crème à la carte", "windows-1252", "cp1252"),
        ("Москва и Киев", "windows-1251", "cp1251"),
        ("Ελλάδα και Αθήνα", "iso-8859-7", "iso8859-7"),
    ],
)
def test_decode_bytes_declared_charset_that_fits_is_used(text: str, declared: str, charset: str) -> None:
    decoded = decode_bytes(text.encode(declared), declared=declared)
    assert decoded.text == text
    assert decoded.charset == charset
    assert decoded.repairs == []


def test_decode_bytes_unknown_declared_charset_is_recorded() -> None:
    decoded = decode_bytes("café".encode(), declared="no-such-charset")
    assert decoded.text == "café"
    assert decoded.charset == "utf-8"
    assert decoded.repairs == [Repair("charset", "unknown declared charset 'no-such-charset'", "", "", 1)]


def test_decode_bytes_one_invalid_byte_in_utf8_is_a_lost_character() -> None:
    text = "Le café est très bon et la crème brûlée aussi, à côté de la gare."
    data = text.encode("utf-8").replace("è".encode(), b"\xe8", 1)  # one stray latin-1 byte
    decoded = decode_bytes(data)
    assert decoded.charset == "utf-8"
    assert decoded.text == text.replace("è", "\ufffd", 1)
    assert decoded.text.count("\ufffd") == 1
    assert decoded.repairs == [
        Repair("lost_character", "invalid utf-8 bytes replaced by U+FFFD", "", "\ufffd", 1),
    ]


def test_decode_bytes_lost_characters_are_counted() -> None:
    text = "Ünïcödé text with many accents: ça, où, déjà, naïve, façade, über, Ærø, señor. " * 3
    data = b"\xff" + text.encode("utf-8") + b"\xfe"
    decoded = decode_bytes(data)
    assert decoded.charset == "utf-8"
    assert decoded.text == "\ufffd" + text + "\ufffd"
    assert [(r.kind, r.count) for r in decoded.repairs] == [("lost_character", 2)]


@pytest.mark.parametrize(
    "data",
    [
        random.Random(0).randbytes(4096),
        random.Random(1).randbytes(512),
        b"text\x00with a NUL byte in the middle of an otherwise ordinary line",
        b"\x00" * 64,
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",  # a zip header
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"abcdefghij\x01",  # control characters well over 2 %
        "Zoë’s café".encode("utf-16-le"),  # UTF-16 without a BOM is full of NULs
    ],
    ids=["random-4k", "random-512", "nul-in-text", "all-nul", "zip", "png", "controls", "utf16-no-bom"],
)
def test_decode_bytes_binary_content_raises(data: bytes) -> None:
    with pytest.raises(BinaryContent):
        decode_bytes(data)


def test_decode_bytes_few_control_characters_are_not_binary() -> None:
    data = b"a" * 100 + b"\x01"
    assert decode_bytes(data).text == "a" * 100 + "\x01"


# --- repair_text: mojibake ---------------------------------------------------


def _mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec)


@pytest.mark.parametrize(
    ("clean", "codec"),
    [
        ("Le café est très bon à côté de la gare.", "latin-1"),
        ("Die Bürger müssen für die Straßenbahn mehr zahlen.", "cp1252"),
        ("Die Bürger müssen für die Straßenbahn mehr zahlen.", "latin-1"),
        ("El niño comió piñata en España.", "latin-1"),
        ("It’s a ‘test’ — with dashes…", "cp1252"),
        ("Señora Müller’s café", "cp1252"),
    ],
    ids=["fr-latin1", "de-cp1252", "de-latin1", "es-latin1", "en-cp1252-quotes", "mixed-cp1252"],
)
def test_repair_text_mojibake(clean: str, codec: str) -> None:
    damaged = _mojibake(clean, codec)
    assert damaged != clean
    text, repairs = repair_text(damaged)
    assert text == clean
    assert all(r.kind == "mojibake" for r in repairs)
    # Latin-1 and cp1252 images coincide for most bytes; the detail names one of them.
    assert all(r.detail in ("utf-8 read as latin-1", "utf-8 read as cp1252") for r in repairs)
    # Each repair is a whole damaged word, and every damaged word is repaired once.
    damaged_words = [w for w in damaged.split() if not w.isascii()]
    assert sum(r.count for r in repairs) == len(damaged_words)
    assert all(r.original in damaged for r in repairs)
    # Every recorded change really is one: replaying them gives the clean text.
    replayed = damaged
    for r in repairs:
        assert replayed.count(r.original) >= r.count
        replayed = replayed.replace(r.original, r.replacement)
    assert replayed == clean


def test_repair_text_only_touches_damaged_lines() -> None:
    damaged = "Line one is fine.\nLe cafÃ© est ouvert.\n“Line three” is fine too.\n"
    text, repairs = repair_text(damaged)
    assert text == "Line one is fine.\nLe café est ouvert.\n“Line three” is fine too.\n"
    assert repairs == [Repair("mojibake", "utf-8 read as latin-1", "cafÃ©", "café", 1)]


def test_repair_text_counts_repeats_across_lines() -> None:
    text, repairs = repair_text("cafÃ©\ncafÃ©\n\ncafÃ©")
    assert text == "café\ncafé\n\ncafé"
    assert repairs == [Repair("mojibake", "utf-8 read as latin-1", "cafÃ©", "café", 3)]


# --- repair_text: entities and control characters ---------------------------


def test_repair_text_html_entity_in_plain_text_is_kept_and_recorded() -> None:
    # Plain text may mean an entity literally (clean corpora hold "&euro;"); feed HTML
    # is turned into text, entities decoded, by the parse stage.
    text, repairs = repair_text("Fish &amp; chips, served daily.")
    assert text == "Fish &amp; chips, served daily."
    assert repairs == [Repair("html_entity", "HTML entity left as is", "&amp;", "&amp;", 1)]


@pytest.mark.parametrize(
    ("damaged", "kind", "original", "replacement"),
    [
        ("Â© 2024 Harbour Desk", "mojibake", "Â©", "©"),
    ],
    ids=["copyright-mojibake"],
)
def test_repair_text_records_the_whole_damaged_sequence(
    damaged: str, kind: str, original: str, replacement: str
) -> None:
    _, repairs = repair_text(damaged)
    assert [(r.kind, r.original, r.replacement, r.count) for r in repairs] == [
        (kind, original, replacement, 1)
    ]


@pytest.mark.parametrize("text", ["AT&T and R&D grew.", "Tom & Jerry", "a&b", "Q&A: 5 & 6"])
def test_repair_text_bare_ampersands_are_left_alone(text: str) -> None:
    assert repair_text(text) == (text, [])


@pytest.mark.parametrize(
    ("damaged", "clean", "removed"),
    [
        ("Bell\x07 rang.", "Bell rang.", ["\x07"]),
        ("A\x00B\x01C\x08D\x0bE\x1fF", "ABCDEF", ["\x00", "\x01", "\x08", "\x0b", "\x1f"]),
        ("Delete\x7f me.", "Delete me.", ["\x7f"]),
    ],
)
def test_repair_text_removes_c0_control_characters(damaged: str, clean: str, removed: list[str]) -> None:
    text, repairs = repair_text(damaged)
    assert text == clean
    assert all(r.kind == "control_character" for r in repairs)
    assert sorted(r.original for r in repairs) == sorted(removed)
    assert all(r.replacement == "" and r.count == 1 for r in repairs)


def test_repair_text_keeps_tab_and_form_feed() -> None:
    assert repair_text("a\tb\x0cc\n") == ("a\tb\x0cc\n", [])


def test_repair_text_removes_terminal_escapes() -> None:
    text, repairs = repair_text("Alert: \x1b[31mred\x1b[0m text")
    assert text == "Alert: red text"
    assert {(r.kind, r.original) for r in repairs} == {
        ("control_character", "\x1b[31m"),
        ("control_character", "\x1b[0m"),
    }


# --- repair_text: clean text is never touched -------------------------------

CLEAN = [
    ("en-curly", "“We’re not done yet,” the mayor said — and the crowd cheered."),
    ("en-dashes", "Trains run 06:00–23:30 on weekdays; fares rise by 5 % in 2025… maybe."),
    ("en-symbols", "Prices: £12.50, €9.99, ¥1,200 and ©2024 Example Ltd™ — all “final”."),
    ("fr-guillemets", "« C’est une victoire », a déclaré la ministre\u00a0: « nous continuerons\u202f! »"),
    ("fr-accents", "L’élève a reçu 1\u202f000\u00a0€ pour son projet à Besançon, où il étudie."),
    ("fr-nbsp-thin", "Le prix\u00a0: 12\u00a0€ — soit 10\u202f% de moins\u2009; voilà\u00a0!"),
    ("de", "Die Bürgerinnen und Bürger müssen für die Straßenbahn künftig mehr bezahlen."),
    ("de-quotes", "„Das ist ein großer Schritt“, sagte die Ärztin über die Öffnung."),
    ("es", "¿Dónde está la estación? ¡El niño llegó tarde a España!"),
    ("pt", "NÃO É POSSÍVEL, disse o prefeito de São Paulo sobre a ação."),
    ("pl", "Zażółć gęślą jaźń — Łódź i Gdańsk przygotowują się do świąt."),
    ("cs", "Příliš žluťoučký kůň úpěl ďábelské ódy v Brně."),
    ("tr", "İstanbul’da yağmur yağıyor; şoför Iğdır’a gitti, çocuklar üşüdü."),
    ("ro", "Șoferii din București așteaptă o decizie în această săptămână."),
    ("hu", "Árvíztűrő tükörfúrógép — a főváros új hídja ősszel nyílik."),
    ("is", "Þjóðin kaus í gær og úrslitin verða kynnt á morgun."),
    ("vi", "Hà Nội đã công bố kế hoạch mới về giao thông công cộng trong năm nay."),
    ("ru", "Правительство объявило о новых мерах поддержки малого бизнеса — «срочно»."),
    ("uk", "Уряд України оголосив про нову програму підтримки фермерів у Львові."),
    ("bg", "Министерството съобщи, че ще има нов закон за пътищата."),
    ("el", "Η κυβέρνηση ανακοίνωσε νέα μέτρα για τις μεταφορές στην Αθήνα."),
    ("he", "הממשלה הודיעה על צעדים חדשים לתחבורה הציבורית בירושלים."),
    ("ar", "أعلنت الحكومة عن إجراءات جديدة لدعم النقل العام في القاهرة."),
    ("fa", "دولت از برنامه\u200cای تازه برای حمل\u200cونقل عمومی در تهران خبر داد."),
    ("hi", "सरकार ने दिल्ली में सार्वजनिक परिवहन के लिए नई योजना की घोषणा की।"),
    ("bn", "সরকার ঢাকায় গণপরিবহনের জন্য নতুন পরিকল্পনা ঘোষণা করেছে।"),
    ("ta", "சென்னையில் புதிய மெட்ரோ பாதை திறக்கப்பட்டது."),
    ("th", "รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรในภาคเหนือของประเทศไทย"),
    ("ka", "მთავრობამ თბილისში ახალი ავტობუსები წარმოადგინა."),
    ("hy", "Կառավարությունը հայտարարեց նոր ծրագրի մասին Երևանում։"),
    ("am", "መንግሥቱ በአዲስ አበባ አዲስ የትራንስፖርት ዕቅድ አስታወቀ።"),
    ("zh-hans", "市政府星期二宣布，北京的地铁票价明年保持不变。"),
    ("zh-hant", "臺北市政府今天宣布，公車票價明年起調整。"),
    ("ja", "東京都は火曜日、新しい路面電車の計画を発表しました。「来年から運行」とのことです。"),
    ("ko", "서울시는 화요일에 새로운 대중교통 계획을 발표했습니다."),
    ("emoji", "Great match today 🎉⚽️ — see you at 8 pm 👋🏽 #goals 👨\u200d👩\u200d👧"),
    ("decomposed", "Cafe\u0301 cre\u0300me bru\u0302le\u0301e, n\u0303o, A\u030a."),
    ("ligature", "The ﬁnal ﬂight was ofﬁcially cancelled."),
    ("fullwidth", "Ｔｈｅ ＡＢＣ ｃｏｍｐａｎｙ ｒｅｐｏｒｔｅｄ １２３ ｕｎｉｔｓ。"),
    ("math", "If x ≤ 3 and y ≥ 4 then x × y ≠ 12 ± 1 — √2 ≈ 1.41, ∞ ∑ π."),
    ("soft-hyphen-joiners", "co\u00adoperation and क्\u200dष and a\u200cb keep their joiners."),
    ("latin-ext", "Ærøskøbing, Ōsaka, Đà Nẵng, Ħamrun and Žilina are places."),
    ("ipa", "The word is pronounced /ˈæpəl/ or [ʔaˈpɛl], not /æɪ/."),
    ("multi-line", "First paragraph — “quoted”.\n\nSecond paragraph: naïve café.\n"),
]


@pytest.mark.parametrize("text", [t for _, t in CLEAN], ids=[name for name, _ in CLEAN])
def test_repair_text_leaves_clean_text_byte_identical(text: str) -> None:
    repaired, repairs = repair_text(text)
    assert repaired.encode("utf-8") == text.encode("utf-8")
    assert repairs == []


def test_repair_text_clean_table_is_large_and_varied() -> None:
    assert len(CLEAN) >= 30
    assert len({name for name, _ in CLEAN}) == len(CLEAN)


# --- normalize_article -------------------------------------------------------


def _article(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "a1",
        "source": {"kind": "text", "uri": "file:///a.txt", "entry_id": None},
        "title": None,
        "text": "Nothing to repair.",
        "repairs": [],
    }
    return {**base, **fields}


CHARSET_REPAIR = {
    "kind": "charset",
    "detail": "not utf-8; decoded as cp1252 (detected)",
    "original": "",
    "replacement": "",
    "count": 1,
}


def test_normalize_article_keeps_existing_repairs_and_repairs_title() -> None:
    article = _article(title="CafÃ© &amp; thÃ©", text="Le cafÃ© ouvre Ã  8 heures.", repairs=[CHARSET_REPAIR])
    out = normalize_article(article)
    assert out["title"] == "Café &amp; thé"  # entities in plain text stay, recorded
    assert out["text"] == "Le café ouvre à 8 heures."
    assert out["repairs"][0] == CHARSET_REPAIR
    kinds = [r["kind"] for r in out["repairs"][1:]]
    assert "html_entity" in kinds
    assert "mojibake" in kinds
    # Title repairs come before body repairs, and each is a full record.
    assert all(set(r) == {"kind", "detail", "original", "replacement", "count"} for r in out["repairs"])
    assert [r["original"] for r in out["repairs"] if r["kind"] == "html_entity"] == ["&amp;"]
    originals = [r["original"] for r in out["repairs"] if r["kind"] == "mojibake"]
    assert originals[:3] == ["CafÃ©", "thÃ©", "cafÃ©"]  # title words first, then the body's


def test_normalize_article_does_not_mutate_its_input() -> None:
    article = _article(title="CafÃ©", text="cafÃ©", repairs=[CHARSET_REPAIR])
    snapshot = {**article, "repairs": list(article["repairs"])}
    out = normalize_article(article)
    assert article == snapshot
    assert out is not article
    assert out["repairs"] is not article["repairs"]


def test_normalize_article_clean_article_is_unchanged() -> None:
    article = _article(title="“Harbour” — naïve", text="Clean body, 東京.", extra={"kept": True})
    assert normalize_article(article) == article


@pytest.mark.parametrize("title", [None, ""])
def test_normalize_article_without_title(title: str | None) -> None:
    out = normalize_article(_article(title=title, text="Le cafÃ©."))
    assert out["title"] == title
    assert out["text"] == "Le café."
    assert [r["kind"] for r in out["repairs"]] == ["mojibake"]


def test_normalize_article_missing_repairs_field_starts_empty() -> None:
    article = _article(text="Fish &lt;3 chips")
    del article["repairs"]
    out = normalize_article(article)
    assert out["text"] == "Fish &lt;3 chips"
    assert out["repairs"] == [
        {
            "kind": "html_entity",
            "detail": "HTML entity left as is",
            "original": "&lt;",
            "replacement": "&lt;",
            "count": 1,
        }
    ]


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Москва и Киев - столицы двух соседних государств.", "koi8-r"),
        ("Москва и Киев — столицы двух соседних государств.", "cp1251"),
        ("Москва и Киев - столицы двух соседних государств.", "cp866"),
        ("รถยนต์คันนี้ปลอดภัยมาก และราคาไม่แพงเลย", "tis-620"),
        ("北京是中国的首都，人口很多，历史悠久。", "gb18030"),
        ("Zażółć gęślą jaźń, powiedział nauczyciel.", "cp1250"),
        ("Ο καιρός σήμερα είναι καλός στην Αθήνα.", "cp1253"),
    ],
)
def test_undeclared_legacy_charsets_are_detected(text: str, charset: str) -> None:
    decoded = decode_bytes(text.encode(charset))
    assert decoded.text == text
    assert decoded.repairs[-1].kind == "charset"
    assert decoded.repairs[-1].detail.startswith("not utf-8; decoded as ")
