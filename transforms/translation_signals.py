"""Evidence that an article is a translation, each piece a ``Signal`` that explains itself.

Every detector is a plain function of the article's text (and, for some, its
language and repair records) returning zero or more signals. A signal has a
``weight`` (how strongly it alone says "translated", 0-1), the ``evidence`` a
reader can check, and optionally the ``language`` it points to as the source.

    >>> [s.name for s in typography_signals("Il a dit : « non » ; c'est tout !")]
    ['guillemets', 'space_before_punctuation']
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The name of the style classifiers' signal (``transforms.translation``); linking reads it.
STYLE_SIGNAL = "translationese_style"


@dataclass(frozen=True)
class Signal:
    """One piece of evidence; ``language`` is the source language it names, if any."""

    name: str
    weight: float
    evidence: str
    language: str | None = None
    #: True: says machine translation; False: says human translation; None: says nothing.
    machine: bool | None = None
    #: How strongly ``language`` is named (0-1); a signal can be strong evidence of
    #: translation and a weak hint of the language, or the other way round.
    language_strength: float = 0.0

    def record(self) -> dict[str, Any]:
        """The schema's ``{name, weight, evidence}``."""
        return {"name": self.name, "weight": round(self.weight, 4), "evidence": self.evidence}


def _quote(text: str, limit: int = 80) -> str:
    """A short, one-line excerpt for evidence."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- language names ---------------------------------------------------------------

#: Language names as they appear in credits and statements (English and native
#: spellings, adjectives and the forms "from the X" takes in other languages).
LANGUAGE_NAMES: Mapping[str, str] = {
    "english": "en",
    "inglés": "en",
    "ingles": "en",
    "anglais": "en",
    "englischen": "en",
    "englisch": "en",
    "inglese": "en",
    "inglês": "en",
    "английского": "en",
    "англійської": "en",
    "engels": "en",
    "angielskiego": "en",
    "ensku": "en",
    "spanish": "es",
    "español": "es",
    "espagnol": "es",
    "spanischen": "es",
    "spagnolo": "es",
    "castellano": "es",
    "french": "fr",
    "français": "fr",
    "francés": "fr",
    "französischen": "fr",
    "francese": "fr",
    "francês": "fr",
    "german": "de",
    "deutschen": "de",
    "alemán": "de",
    "allemand": "de",
    "tedesco": "de",
    "alemão": "de",
    "italian": "it",
    "italiano": "it",
    "italien": "it",
    "italienischen": "it",
    "portuguese": "pt",
    "portugués": "pt",
    "portugais": "pt",
    "português": "pt",
    "russian": "ru",
    "ruso": "ru",
    "russe": "ru",
    "russischen": "ru",
    "russo": "ru",
    "русского": "ru",
    "ukrainian": "uk",
    "ucraniano": "uk",
    "ukrainien": "uk",
    "ukrainischen": "uk",
    "українськoї": "uk",
    "japanese": "ja",
    "japonés": "ja",
    "japonais": "ja",
    "japanischen": "ja",
    "chinese": "zh",
    "mandarin": "zh",
    "chino": "zh",
    "chinois": "zh",
    "chinesischen": "zh",
    "korean": "ko",
    "arabic": "ar",
    "árabe": "ar",
    "arabe": "ar",
    "turkish": "tr",
    "polish": "pl",
    "dutch": "nl",
    "swedish": "sv",
    "norwegian": "no",
    "danish": "da",
    "finnish": "fi",
    "icelandic": "is",
    "croatian": "hr",
    "serbian": "sr",
    "czech": "cs",
    "slovak": "sk",
    "hungarian": "hu",
    "romanian": "ro",
    "bulgarian": "bg",
    "greek": "el",
    "hebrew": "he",
    "persian": "fa",
    "farsi": "fa",
    "hindi": "hi",
    "urdu": "ur",
    "bengali": "bn",
    "indonesian": "id",
    "vietnamese": "vi",
    "thai": "th",
    "catalan": "ca",
    "catalán": "ca",
    "basque": "eu",
    "galician": "gl",
    "lithuanian": "lt",
    "latvian": "lv",
    "estonian": "et",
    "slovenian": "sl",
    "georgian": "ka",
    "armenian": "hy",
    "swahili": "sw",
    "tagalog": "tl",
    "malay": "ms",
}
_LANGUAGE_NAME = "|".join(sorted((re.escape(n) for n in LANGUAGE_NAMES), key=len, reverse=True))


# --- explicit statements ----------------------------------------------------------

_FROM_LANGUAGE = re.compile(
    rf"\b(?:translated|translation|traducido|traducida|traduit|traduite|übersetzt|tradotto|tradotta|traduzido"
    rf"|traduzida|vertaald|przetłumaczone|переведено|перевод|переклад)\s+"
    rf"(?:(?:from|out\s+of|del|de\s+l'|de\s+la|de|du|aus\s+dem|dal|dall'|do|da|uit\s+het|с|з|z)\s*)?"
    rf"(?:the\s+|original\s+)?({_LANGUAGE_NAME})\b"
    # German puts the language first: "aus dem Englischen übersetzt".
    rf"|\b(?:aus\s+dem|uit\s+het)\s+({_LANGUAGE_NAME})\s+(?:übersetzt|vertaald)",
    re.IGNORECASE,
)
_STATEMENTS: tuple[tuple[re.Pattern[str], str, bool | None], ...] = (
    (
        re.compile(r"\b(?:machine|automatic(?:ally)?|computer|neural|AI)[- ](?:translat\w+)", re.I),
        "machine",
        True,
    ),
    (re.compile(r"\b(?:Google\s+Translate|DeepL|Bing\s+Translator|Yandex\s+Translate)\b"), "machine", True),
    (
        re.compile(
            r"\b(?:traducción|traduction|traduzione|tradução)\s+automática?\w*|\bmaschinell\s+übersetzt"
            r"|\bautomatisch\s+vertaald|\bмашинный\s+перевод",
            re.I,
        ),
        "machine",
        True,
    ),
    (
        re.compile(
            r"\b(?:this|the)\s+(?:article|story|text|report|piece|interview|column|content|page)\s+"
            r"(?:was|has\s+been|is|had\s+been)\s+(?:\w+\s+)?translated\b",
            re.I,
        ),
        "statement",
        None,
    ),
    (re.compile(r"\b(?:translated|translation)\s+(?:by|:)\s+[A-Z]", re.I), "credit", False),
    (re.compile(r"\b(?i:translated)\s+from\b[^.\n]{0,40}?\bby\s+[A-Z]"), "credit", False),
    (
        re.compile(
            r"\b(?:traducido|traducida|traduit|traduite|tradotto|tradotta|traduzido|traduzida|vertaald)\b"
            r"[^.\n]{0,40}?\b(?:por|par|da|door)\s+\w|\bÜbersetzung:?\s+[A-Z]|\bÜbersetzt\s+von\b",
            re.I,
        ),
        "credit",
        False,
    ),
    (
        re.compile(
            r"^\s*(?:translation|traducción|traduction|übersetzung|traduzione|tradução|перевод|переклад"
            r"|tłumaczenie|翻訳|翻译|翻譯)\s*[:：]",
            re.I | re.M,
        ),
        "credit",
        False,
    ),
    (
        re.compile(r"\b(?:English|Spanish|French|German)\s+(?:version|translation)\s+by\b", re.I),
        "credit",
        False,
    ),
)


#: Every statement pattern contains one of these stems; texts without any are skipped at once.
_STATEMENT_STEMS = (
    "translat",
    "tradu",
    "übersetz",
    "vertaal",
    "tłumacz",
    "przetłum",
    "перев",
    "перекл",
    "deepl",
    "翻",
)


def _has_any(text: str, stems: Iterable[str]) -> bool:
    return any(stem in text for stem in stems)


def statement_signals(text: str) -> list[Signal]:
    """Statements that the text is a translation, in several languages.

    >>> [(s.name, s.language) for s in statement_signals("Translated from the Spanish by Ana Ruiz.")]
    [('translation_statement', 'es')]
    >>> statement_signals("The article was machine-translated.")[0].machine
    True
    >>> statement_signals("They translated the mood of the crowd into votes.")
    []
    """
    found: list[Signal] = []
    if not _has_any(text.lower(), _STATEMENT_STEMS):
        return found
    match = _FROM_LANGUAGE.search(text)
    language = LANGUAGE_NAMES.get((match.group(1) or match.group(2)).lower()) if match else None
    machine: bool | None = None
    excerpts: list[str] = [match.group()] if match else []
    for pattern, kind, says_machine in _STATEMENTS:
        hit = pattern.search(text)
        if hit:
            excerpts.append(hit.group())
            if says_machine is not None and machine is not True:
                machine = says_machine if kind != "credit" or machine is None else machine
    if not excerpts:
        return found
    evidence = "the text says it is a translation: " + "; ".join(f"“{_quote(e, 60)}”" for e in excerpts[:3])
    if language:
        evidence += f" (source language {language})"
    if machine is True:
        evidence += " (machine translation)"
    found.append(Signal("translation_statement", 0.9, evidence, language, machine, 0.95 if language else 0.0))
    return found


# --- typography of another language -----------------------------------------------

_GUILLEMETS = re.compile(r"[«»]")
_SPACED_GUILLEMET = re.compile(r"«[\s\u00a0\u202f]|[\s\u00a0\u202f]»")
_LOW_QUOTE = re.compile(r"„")
_SPANISH_MARKS = re.compile(r"[¿¡]")
# French typography: a (no-break) space before ; : ! ? after a letter or closing
# quote, not in URLs, times or emoticons.
_SPACE_BEFORE = re.compile(r"(?<=[^\W\d_]|[»”)])[ \u00a0\u202f][;:!?](?=\s|$)")
_NARROW_SPACE_BEFORE = re.compile(r"[\u00a0\u202f][;:!?»]")
_TYPOGRAPHY_HINTS = ("«", "»", "„", "¿", "¡", "\u00a0", "\u202f", " ;", " :", " !", " ?")


def typography_signals(text: str) -> list[Signal]:
    """Quotation marks and spacing that English typography does not use.

    >>> [(s.name, s.language) for s in typography_signals("¿Qué pasa? ¡Nada!")]
    [('inverted_marks', 'es')]
    >>> typography_signals("He said: “No.” She asked: what now?")
    []
    """
    found: list[Signal] = []
    if not _has_any(text, _TYPOGRAPHY_HINTS):
        return found
    guillemets = _GUILLEMETS.findall(text)
    if guillemets:
        spaced = _SPACED_GUILLEMET.findall(text)
        if spaced:
            found.append(
                Signal(
                    "guillemets",
                    0.45,
                    f"{len(guillemets)} guillemet(s) « » with a space inside, as French typography sets them",
                    "fr",
                    None,
                    0.6,
                )
            )
        else:
            found.append(
                Signal(
                    "guillemets",
                    0.35,
                    f"{len(guillemets)} guillemet(s) « » "
                    "(quotation marks of French, Russian, Spanish, Italian…)",
                )
            )
    low = _LOW_QUOTE.findall(text)
    if low:
        found.append(
            Signal(
                "low_quotes",
                0.35,
                f"{len(low)} low opening quotation mark(s) „ "
                "(German, Central and Eastern European typography)",
            )
        )
    marks = _SPANISH_MARKS.findall(text)
    if marks:
        found.append(
            Signal(
                "inverted_marks",
                0.45,
                f"{len(marks)} inverted question/exclamation mark(s) ¿ ¡ (Spanish)",
                "es",
                None,
                0.7,
            )
        )
    spaced = _SPACE_BEFORE.findall(text)
    narrow = _NARROW_SPACE_BEFORE.findall(text)
    if len(spaced) >= 2 or narrow:
        marks_seen = "".join(sorted({m.strip() for m in spaced + narrow}))
        found.append(
            Signal(
                "space_before_punctuation",
                0.35,
                f"{len(spaced) + len(narrow)} space(s) before {marks_seen} (French typography)",
                "fr",
                None,
                0.5,
            )
        )
    return found


# --- mojibake repaired by the encoding stage -----------------------------------------

#: Legacy code pages by the script they serve, and the language when one script means one language.
CODE_PAGE_SCRIPTS: Mapping[str, tuple[str, str | None]] = {
    "cp874": ("Thai", "th"),
    "iso-8859-11": ("Thai", "th"),
    "tis-620": ("Thai", "th"),
    "cp1251": ("Cyrillic", None),
    "koi8-r": ("Cyrillic", "ru"),
    "koi8-u": ("Cyrillic", "uk"),
    "iso-8859-5": ("Cyrillic", None),
    "cp866": ("Cyrillic", None),
    "mac_cyrillic": ("Cyrillic", None),
    "cp1253": ("Greek", "el"),
    "iso-8859-7": ("Greek", "el"),
    "cp1255": ("Hebrew", "he"),
    "iso-8859-8": ("Hebrew", "he"),
    "cp1256": ("Arabic", None),
    "iso-8859-6": ("Arabic", None),
    "cp1254": ("Turkish Latin", "tr"),
    "iso-8859-9": ("Turkish Latin", "tr"),
    "cp1258": ("Vietnamese Latin", "vi"),
    "cp1250": ("Central European Latin", None),
    "iso-8859-2": ("Central European Latin", None),
    "cp1257": ("Baltic Latin", None),
    "shift_jis": ("Japanese", "ja"),
    "cp932": ("Japanese", "ja"),
    "euc-jp": ("Japanese", "ja"),
    "gbk": ("Chinese", "zh"),
    "gb2312": ("Chinese", "zh"),
    "gb18030": ("Chinese", "zh"),
    "big5": ("Chinese", "zh"),
    "euc-kr": ("Korean", "ko"),
    "cp949": ("Korean", "ko"),
}
_CODE_PAGE = re.compile(r"\bread as ([\w.-]+)")


def mojibake_signals(repairs: Iterable[Mapping[str, Any]]) -> list[Signal]:
    """Mojibake repaired under a code page of a non-Western script: the text passed through
    a system set up for another language. Western code pages (cp1252, latin-1) say nothing.

    >>> [s.evidence for s in mojibake_signals([{"kind": "mojibake", "detail": "utf-8 read as cp874",
    ...     "original": "ยป", "replacement": "»", "count": 1}])]
    ['1 mojibake repair(s) under cp874 (Thai script): the text passed through a Thai system; “ยป” → “»”']
    """
    scripts: dict[str, list[Mapping[str, Any]]] = {}
    for repair in repairs:
        if repair.get("kind") != "mojibake":
            continue
        for codec in _CODE_PAGE.findall(str(repair.get("detail", ""))):
            if codec.lower() in CODE_PAGE_SCRIPTS:
                scripts.setdefault(codec.lower(), []).append(repair)
    found = []
    for codec, hits in sorted(scripts.items()):
        script, language = CODE_PAGE_SCRIPTS[codec]
        count = sum(int(h.get("count", 1) or 1) for h in hits)
        example = hits[0]
        found.append(
            Signal(
                "foreign_code_page",
                0.3,
                f"{count} mojibake repair(s) under {codec} ({script} script): the text passed through a "
                f"{script} system; “{_quote(str(example.get('original', '')), 20)}” → "
                f"“{_quote(str(example.get('replacement', '')), 20)}”",
                language,
                None,
                0.15 if language else 0.0,
            )
        )
    return found


# --- words of another language -----------------------------------------------------

#: Frequent function words that are not English words, by language.
FOREIGN_FUNCTION_WORDS: Mapping[str, frozenset[str]] = {
    "es": frozenset(
        "el la los las del una unos y en por con para que es se al su sus pero como más este esta "
        "fue son muy sin sobre entre también ya donde cuando hay".split()
    ),
    "fr": frozenset(
        "le la les des du une et est dans pour avec sur qui que pas plus ont été aux ce cette "
        "sont mais ou où nous vous leur leurs très sans aussi être avoir".split()
    ),
    "de": frozenset(
        "der die das und ist nicht mit von zu ein eine auf für dem den sich des im auch wird "
        "sind wir sie noch nach bei aus oder wie nur hat".split()
    ),
    "it": frozenset(
        "il lo gli della delle di che è per con una sono non nel nella anche più alla come "
        "questo questa del dei ma".split()
    ),
    "pt": frozenset(
        "o os as do da dos das um uma é não com para em que no na mais como por ao foi são "
        "também mas seu sua".split()
    ),
    "nl": frozenset("de het een van en niet met voor op zijn dat die ook maar naar bij wordt worden".split()),
}
#: Function words of other languages that are no English words: a text needs two to be read closely.
_FOREIGN_HINT = frozenset(
    "del los las una y les des du une est dans pour avec der und ist nicht mit von il della di che è não uma "
    "het een van niet et el la le auf für sur qui que pas".split()
)
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ENGLISH_COMMON = frozenset(
    "the a an of to in and or is are was were be been it that this for on with as by at from not but he she "
    "they we you i his her their its has have had will would can could said says".split()
)
#: Scripts whose letters in an English text are untranslated words, with the language when unambiguous.
_SCRIPT_LANGUAGES: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (re.compile(r"[\u3040-\u30ff]+"), "Japanese kana", "ja"),
    (re.compile(r"[\uac00-\ud7af]+"), "Hangul", "ko"),
    (re.compile(r"[\u4e00-\u9fff]+"), "Chinese characters", "zh"),
    (re.compile(r"[\u0400-\u04ff]+(?:\s+[\u0400-\u04ff]+)*"), "Cyrillic", None),
    (re.compile(r"[\u0370-\u03ff]+(?:\s+[\u0370-\u03ff]+)*"), "Greek", "el"),
    (re.compile(r"[\u0590-\u05ff]+(?:\s+[\u0590-\u05ff]+)*"), "Hebrew", "he"),
    (re.compile(r"[\u0600-\u06ff]+(?:\s+[\u0600-\u06ff]+)*"), "Arabic", None),
    (re.compile(r"[\u0e00-\u0e7f]+"), "Thai", "th"),
    (re.compile(r"[\u0900-\u097f]+(?:\s+[\u0900-\u097f]+)*"), "Devanagari", None),
    (re.compile(r"[\u3000-\u303f\uff01-\uff5e]"), "CJK punctuation", None),
)
_FOREIGN_SCRIPT_HINT = re.compile(
    "[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3000-\u9fff\uac00-\ud7af"
    "\uff01-\uff5e]"
)
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN = re.compile(r"[ыэъёЫЭЪЁ]")


def foreign_script_signals(text: str) -> list[Signal]:
    """Letters of another script inside an English text: words left untranslated.

    >>> [(s.name, s.language) for s in foreign_script_signals("The minister (министр обороны) said no.")]
    [('foreign_script', 'ru')]
    """
    found: list[Signal] = []
    if not _FOREIGN_SCRIPT_HINT.search(text):
        return found
    for pattern, script, language in _SCRIPT_LANGUAGES:
        runs = pattern.findall(text)
        if not runs:
            continue
        letters = sum(len(r) for r in runs)
        if script == "Cyrillic":
            joined = "".join(runs)
            language = "uk" if _UKRAINIAN.search(joined) else "ru" if _RUSSIAN.search(joined) else None
        if script == "CJK punctuation":
            language = None
        if script == "Chinese characters" and any(p.findall(text) for p, s, _ in _SCRIPT_LANGUAGES[:1]):
            continue  # kanji beside kana: Japanese, already counted
        weight = 0.3 if letters >= 4 or script == "CJK punctuation" else 0.15
        found.append(
            Signal(
                "foreign_script",
                weight,
                f"{len(runs)} untranslated {script} passage(s), e.g. “{_quote(runs[0], 30)}”",
                language,
                None,
                0.6 if language else 0.0,
            )
        )
    return found


def foreign_phrase_signals(text: str) -> list[Signal]:
    """Runs of words where another language's function words outnumber English ones.

    >>> [(s.name, s.language) for s in foreign_phrase_signals(
    ...     "He shouted « la guerre est finie pour nous » and left.")]
    [('foreign_phrase', 'fr')]
    >>> foreign_phrase_signals("Luis de la Fuente met Ana del Río.")
    []
    """
    if len(_FOREIGN_HINT & set(text.lower().split())) < 2:
        return []
    words = _LATIN_WORD.findall(text)
    best: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        j, votes, content = i, Counter[str](), 0
        while j < len(words) and words[j].lower() not in _ENGLISH_COMMON:
            lower = words[j].lower()
            hit = [lang for lang, vocab in FOREIGN_FUNCTION_WORDS.items() if lower in vocab]
            if hit:
                votes.update(hit)
            elif words[j][0].islower():
                content += 1
            j += 1
        if j - i >= 4 and votes and content >= 1:
            language, count = votes.most_common(1)[0]
            if count >= 2:
                best.append((language, " ".join(words[i:j])))
        i = j + 1
    if not best:
        return []
    languages = Counter(lang for lang, _ in best)
    language, _ = languages.most_common(1)[0]
    phrases = [p for lang, p in best if lang == language]
    return [
        Signal(
            "foreign_phrase",
            min(0.25 + 0.1 * len(best), 0.5),
            f"{len(best)} phrase(s) in another language, e.g. “{_quote(phrases[0], 50)}” ({language})",
            language,
            None,
            0.5,
        )
    ]


#: Latin letters with diacritics that English words borrowed with their loanwords keep
#: (café, naïve, façade, jalapeño, über, protégé, voilà); every other such letter
#: belongs to another language's spelling.
_LOANWORD_LETTERS = frozenset("àáâäçèéêëîïñôöûü")
#: Letters that only one language's spelling uses, so an untranslated word with one of
#: them names its language (orthographies, not a list of words).
_LETTER_LANGUAGES: dict[str, str] = {
    **dict.fromkeys("ðþ", "is"),
    **dict.fromkeys("őű", "hu"),
    **dict.fromkeys("ł", "pl"),
    **dict.fromkeys("řů", "cs"),
    **dict.fromkeys("ėįų", "lt"),
    **dict.fromkeys("șț", "ro"),
    **dict.fromkeys("ğı", "tr"),
    **dict.fromkeys("ľĺŕ", "sk"),
    **dict.fromkeys("ģķļņ", "lv"),
}
#: Latin letters with a diacritic (Latin-1 to IPA extensions) other than the loanwords'.
_FOREIGN_LETTERS = "".join(
    c for c in map(chr, range(ord("ß"), ord("ʯ") + 1)) if c.isalpha() and c not in _LOANWORD_LETTERS
)
#: One of them. Only words that start lower-case are counted, so upper-case letters are
#: not looked for (ß, ı and ſ would bring ASCII capitals: SS, I, S).
_FOREIGN_LETTER = re.compile(f"[{_FOREIGN_LETTERS}]")
_LETTERS = re.compile(r"[^\W\d_]*")


def untranslated_word_signals(text: str) -> list[Signal]:
    """Lower-case words spelt with letters English does not use: words a translation
    (most often a machine's) left in the source language.

    Names are capitalized and never counted; nor are loanwords English spells with their
    accents (café, naïve, jalapeño). A letter only one language writes (ð, ő, ł…) names
    the language.

    >>> [(s.name, s.language) for s in untranslated_word_signals(
    ...     "The third aðalleikari of the show left the gleðisveitina after the café closed.")]
    [('untranslated_words', 'is')]
    >>> untranslated_word_signals("Zoë Bäckström ordered a crème brûlée at the café in Łódź.")
    []
    """
    words = []
    end = 0
    # From each such letter out to its word's ends: the letters are rare (in names,
    # mostly), so this reads a few words instead of the whole text.
    for found in _FOREIGN_LETTER.finditer(text):
        if found.start() < end:
            continue  # a second such letter of the word just read
        start = found.start()
        while start and text[start - 1].isalpha():
            start -= 1
        end = _LETTERS.match(text, found.start()).end()
        if text[start].islower() and end - start >= 4:
            words.append(text[start:end])
    distinct = list(dict.fromkeys(word.lower() for word in words))
    if not distinct:
        return []
    named = Counter(_LETTER_LANGUAGES[c] for word in distinct for c in set(word) if c in _LETTER_LANGUAGES)
    language = named.most_common(1)[0][0] if len(named) == 1 else None
    # One word may be a term kept on purpose (a dish, an institution); several say the
    # text was not fully translated.
    weight = {1: 0.2, 2: 0.35}.get(len(distinct), 0.5)
    shown = ", ".join(f"“{word}”" for word in distinct[:3])
    return [
        Signal(
            "untranslated_words",
            weight,
            f"{len(distinct)} lower-case word(s) spelt with letters English does not use, e.g. {shown}",
            language,
            None,
            0.6 if language else 0.0,
        )
    ]


def language_mix_signals(language: Mapping[str, Any]) -> list[Signal]:
    """Paragraphs the language stage found in another language than the body's.

    >>> mix = [{"code": "en", "share": 0.9}, {"code": "es", "share": 0.1}]
    >>> language_mix_signals({"code": "en", "mix": mix})[0].language
    'es'
    """
    code = language.get("code")
    others = [m for m in language.get("mix") or [] if m.get("code") and m.get("code") != code]
    if not code or not others:
        return []
    top = max(others, key=lambda m: (m.get("share", 0.0), m["code"]))
    share = float(top.get("share", 0.0))
    if share < 0.02 or share > 0.5:
        return []
    return [
        Signal(
            "language_mix",
            0.3,
            f"{share:.0%} of the body is in {top['code']} while the rest is {code}",
            top["code"],
            None,
            0.5,
        )
    ]


# --- calques, markers, credits, datelines ---------------------------------------------

#: Page furniture translated word for word: English pages do not say these.
_CALQUES: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (re.compile(r"^\s*(?:First|Last|Latest)\s+modification\b\s*:?", re.I | re.M), "modification line", None),
    (re.compile(r"^\s*(?:Read|See)\s+also\s*:?", re.I | re.M), "“read also” line", None),
    (re.compile(r"^\s*Also\s+read\s*:", re.I | re.M), "“also read” line", None),
    (
        re.compile(
            r"\b\d{1,2}\s+(?:of\s+)?(?:january|february|march|april|june|july|august|september|october"
            r"|november|december)\b(?:\s+(?:of\s+)?\d{4})?"
        ),
        "lower-case month",
        None,
    ),
)
_CALQUE_STEMS = ("modification", "read also", "see also", "also read")
_LOWER_MONTHS = (
    " january",
    " february",
    " march",
    " april",
    " june",
    " july",
    " august",
    " september",
    " october",
    " november",
    " december",
)
#: News agencies that write in another language than English, and that language.
AGENCIES: Mapping[str, str] = {
    "EFE": "es",
    "Europa Press": "es",
    "Notimex": "es",
    "Télam": "es",
    "Telam": "es",
    "Prensa Latina": "es",
    "ANSA": "it",
    "AGI": "it",
    "Adnkronos": "it",
    "dpa": "de",
    "DPA": "de",
    "APA": "de",
    "KNA": "de",
    "epd": "de",
    "Keystone-SDA": "de",
    "AFP": "fr",
    "Belga": "nl",
    "ANP": "nl",
    "Lusa": "pt",
    "Agência Brasil": "pt",
    "Xinhua": "zh",
    "CNA": "zh",
    "TASS": "ru",
    "Tass": "ru",
    "RIA Novosti": "ru",
    "Interfax": "ru",
    "RIA": "ru",
    "Ukrinform": "uk",
    "UNIAN": "uk",
    "Yonhap": "ko",
    "Kyodo": "ja",
    "Jiji": "ja",
    "Anadolu": "tr",
    "PAP": "pl",
    "ČTK": "cs",
    "CTK": "cs",
    "MTI": "hu",
    "Agerpres": "ro",
    "BTA": "bg",
    "Tanjug": "sr",
    "HINA": "hr",
    "STA": "sl",
    "Ritzau": "da",
    "NTB": "no",
    "TT": "sv",
    "STT": "fi",
    "IRNA": "fa",
    "WAFA": "ar",
    "MENA": "ar",
    "SPA": "ar",
    "KUNA": "ar",
    "Antara": "id",
    "Bernama": "ms",
    "Vietnam News Agency": "vi",
}
_ENGLISH_AGENCIES = ("Reuters", "AP", "Associated Press", "Bloomberg", "PA", "UPI", "CNN", "BBC")
_AGENCY = "|".join(sorted((re.escape(a) for a in (*AGENCIES, *_ENGLISH_AGENCIES)), key=len, reverse=True))
# A credit: a short line of agency names ("With Reuters and EFE", "Source: EFE", "(EFE)"),
# or an agency in parentheses beside a dateline.
_CREDIT_LINE = re.compile(
    rf"^[ \t]*(?:(?:with|by|source|sources|agencies|credit|information\s+from|with\s+information\s+from"
    rf"|written\s+with|from)\s*:?\s*)?\(?(?:{_AGENCY})\)?(?:\s*(?:,|and|&|/|y|et|und|e)\s*\(?(?:{_AGENCY})\)?)*"
    rf"[ \t]*\.?[ \t]*$",
    re.I,
)
_CREDIT_PAREN = re.compile(rf"\((?:{_AGENCY})(?:\s*[,/]\s*(?:{_AGENCY}))*\)")
_AGENCY_WORD = re.compile(rf"(?<![\w-])(?:{_AGENCY})(?![\w-])")
_WITH_CREDIT = re.compile(r"^[ \t]*(?:with|information\s+from)\b", re.I | re.M)
# A dateline in parentheses opening the text or a paragraph: "(Kyiv) A missile…".
_PAREN_DATELINE = re.compile(
    r"(?:\A|\n)\s*\(([A-Z][^\W\d_]+(?:[ -][A-Z][^\W\d_]+){0,2})\)\s*(?:[-–—]\s*)?[A-Z]"
)


def calque_signals(text: str) -> list[Signal]:
    """Page furniture and phrasing translated word for word.

    >>> [s.name for s in calque_signals("Last modification: 5 june 2023\\nThe talks ended.")]
    ['calque']
    """
    lower = text.lower()
    if not _has_any(lower, _CALQUE_STEMS) and not _has_any(text, _LOWER_MONTHS):
        return []
    hits = [(label, m.group().strip()) for pattern, label, _ in _CALQUES for m in [pattern.search(text)] if m]
    if not hits:
        return []
    evidence = "; ".join(f"{label} “{_quote(excerpt, 40)}”" for label, excerpt in hits)
    weight = min(0.3 + 0.15 * (len(hits) - 1), 0.6)
    return [Signal("calque", weight, f"phrasing translated word for word: {evidence}")]


def credit_signals(text: str) -> list[Signal]:
    """Credits of news agencies that write in another language than English.

    >>> [(s.name, s.language) for s in credit_signals("The talks ended.\\nWith Reuters and EFE")]
    [('agency_credit', 'es')]
    >>> credit_signals("The state news agency TASS reported the strike.")
    []
    """
    credits: list[str] = []
    for line in text.splitlines():
        if len(line) <= 80 and (match := _CREDIT_LINE.match(line)):
            credits.append(match.group().strip())
    if "(" in text:
        credits.extend(match.group() for match in _CREDIT_PAREN.finditer(text))
    foreign = []
    for credit in credits:
        for name in _AGENCY_WORD.findall(credit):
            if name in AGENCIES and name not in foreign:
                foreign.append(name)
    if not foreign:
        return []
    languages = Counter(AGENCIES[name] for name in foreign)
    language, _ = languages.most_common(1)[0]
    with_credit = any(_WITH_CREDIT.match(c) for c in credits)
    weight = 0.25 if foreign == ["AFP"] else 0.45
    evidence = f"credit of {', '.join(foreign)} (agency writing in {language})"
    if with_credit:
        evidence += "; the credit form “With …” is a calque of Spanish/French/Italian bylines"
        weight += 0.1
    return [Signal("agency_credit", weight, evidence, language, None, 0.5 if foreign != ["AFP"] else 0.3)]


def dateline_signals(text: str) -> list[Signal]:
    """A dateline in parentheses at the start of the text, as the French-language press sets it.

    >>> [(s.name, s.language) for s in dateline_signals("(Brussels) The summit opened on Monday.")]
    [('parenthesized_dateline', 'fr')]
    >>> dateline_signals("(Reuters) The summit opened on Monday.")
    []
    """
    head = text[:400]
    match = _PAREN_DATELINE.search(head) if "(" in head else None
    if not match or re.fullmatch(_AGENCY, match.group(1)):
        return []
    return [
        Signal(
            "parenthesized_dateline",
            0.3,
            f"dateline in parentheses “({match.group(1)})”, a convention of the French-language press",
            "fr",
            None,
            0.35,
        )
    ]


# --- machine translation slips --------------------------------------------------------

# A possessive followed by a capitalized article/pronoun ("Russia's The main targets"),
# a sentence without subject glued to a quote's end ("Pressure.” Increase"), or a
# doubled function word: slips a human translator or editor removes.
_BROKEN_POSSESSIVE = re.compile(r"['’]s (?:The|A|An|This|These|Those|Its|Their|His|Her) [a-z]")
_SPACE_BEFORE_STOP = re.compile(r"\s[,.](?=\s|$)")
_DOUBLE_PUNCTUATION = re.compile(r"[!?][,;]|,[.!?]")
_DOUBLABLE = tuple("the a an of to in and is was for on".split())
_OPEN_QUOTE, _CLOSE_QUOTE = "“", "”"


def _doubled_word(text: str) -> str | None:
    lower = " " + " ".join(text.lower().split()) + " "
    for word in _DOUBLABLE:
        if f" {word} {word} " in lower:
            return f"{word} {word}"
    return None


def _extra_closing_quote(text: str) -> str | None:
    """A paragraph with more closing than opening curly quotes (English never has one:
    a quotation running over paragraphs opens each and closes only the last)."""
    if _CLOSE_QUOTE not in text:
        return None
    for paragraph in text.split("\n"):
        if paragraph.count(_CLOSE_QUOTE) > paragraph.count(_OPEN_QUOTE):
            position = paragraph.rfind(_CLOSE_QUOTE)
            return paragraph[max(0, position - 25) : position + 1]
    return None


def slip_signals(text: str) -> list[Signal]:
    """Word-level slips typical of unedited machine translation.

    >>> [s.weight for s in slip_signals("Russia’s The main targets are cities , officials said .")]
    [0.4375]
    >>> slip_signals("“We are ready,” he said. “The talks start today.”")
    []
    """
    hits = []
    for pattern, label, hints in (
        (_BROKEN_POSSESSIVE, "broken possessive", ("s The ", "s A ", "s An ", "s Th", "s Its ", "s Her ")),
        (_DOUBLE_PUNCTUATION, "double punctuation", ("!,", "?,", "!;", "?;", ",.", ",!", ",?")),
        (_SPACE_BEFORE_STOP, "space before comma or period", (" ,", " .", "\n,", "\n.")),
    ):
        match = pattern.search(text) if _has_any(text, hints) else None
        if match:
            start = max(0, match.start() - 12)
            hits.append(f"{label} “{_quote(text[start : match.end() + 8], 30)}”")
    doubled = _doubled_word(text)
    if doubled:
        hits.append(f"doubled word “{doubled}”")
    extra = _extra_closing_quote(text)
    if extra:
        hits.append(f"closing quotation mark without an opening one “…{_quote(extra, 30)}”")
    if not hits:
        return []
    # One slip can be a typo; several kinds in one article mean nobody edited it.
    weight = round(1 - 0.75 ** len(hits), 4)
    return [
        Signal(
            "translation_slips",
            weight,
            "slips left by unedited translation: " + "; ".join(hits),
            None,
            True if len(hits) >= 2 else None,
        )
    ]


# --- everything ---------------------------------------------------------------------


#: Detectors that read traces of another language in an English text; in a text in
#: another language « » or a "(Paris)" dateline are its own conventions, not traces.
ENGLISH_DETECTORS = (
    statement_signals,
    typography_signals,
    foreign_script_signals,
    foreign_phrase_signals,
    untranslated_word_signals,
    calque_signals,
    credit_signals,
    dateline_signals,
    slip_signals,
)
ANY_LANGUAGE_DETECTORS = (statement_signals,)


def text_signals(text: str, english: bool = True) -> list[Signal]:
    """Every detector that reads only the text, in a fixed order.

    >>> [s.name for s in text_signals("(Paris) Le président a dit : « non » ; voilà !", english=False)]
    []
    """
    normalized = unicodedata.normalize("NFC", text)
    signals: list[Signal] = []
    for detector in ENGLISH_DETECTORS if english else ANY_LANGUAGE_DETECTORS:
        signals.extend(detector(normalized))
    return signals


def source_language(signals: Sequence[Signal]) -> tuple[str | None, float]:
    """The language most strongly named by the signals, and how strongly (noisy-or of strengths).

    >>> source_language([Signal("a", 0.3, "", "fr", None, 0.35), Signal("b", 0.3, "", "th", None, 0.15)])
    ('fr', 0.35)
    >>> source_language([Signal("a", 0.3, "")])
    (None, 0.0)
    """
    remaining: dict[str, float] = {}
    for signal in signals:
        if signal.language and signal.language_strength > 0:
            remaining[signal.language] = remaining.get(signal.language, 1.0) * (1 - signal.language_strength)
    if not remaining:
        return None, 0.0
    language, rest = min(remaining.items(), key=lambda kv: (kv[1], kv[0]))
    return language, round(1 - rest, 6)
