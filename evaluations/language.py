"""Language detection (transforms/language.py) on ../shared/data/langid/sentences.

    make eval-language            # or: python -m evaluations.language [--no-baseline]

One file per language, 500 real sentences each, 75 languages. Prints:

- per language langdetect knows (about 50 once zh-cn/zh-tw count as zh and no
  as nb): accuracy on single sentences (a null answer counts as wrong), the
  share of null answers, and accuracy on "long text" (documents of 10
  consecutive sentences of the same file, three sentences to a paragraph, read
  with ``detect_article``); then the overall figures, the worst languages and,
  unless ``--no-baseline``, plain seeded langdetect on the same sentences;
- per language langdetect does not know: how often the answer is null, a close
  relative (``RELATIVES``) or a confident wrong answer, on sentences and on long
  text (the target: never a confident wrong answer on long text);
- cost: milliseconds per ~2 KB document of the stage (``detect_article``:
  body, paragraphs, mix) against one plain seeded langdetect call on the same
  documents, and the start-up of one worker's detector.

Exits 0 with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from transforms.language import LanguageDetector, clean_letter_count, same_language

SENTENCES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "langid" / "sentences"

#: langdetect's codes as the data set names them.
FOLD = {"zh-cn": "zh", "zh-tw": "zh", "no": "nb"}

#: Close relatives of languages langdetect lacks: the known languages an answer
#: may name without being "wrong" (same sub-branch, or for Latin its
#: descendants). Languages not listed have none: only null is right.
RELATIVES: dict[str, frozenset[str]] = {
    "az": frozenset({"tr"}),
    "be": frozenset({"ru", "uk"}),
    "bs": frozenset({"hr", "sl", "sr", "mk"}),
    "sr": frozenset({"hr", "bs", "mk", "bg", "sl"}),
    "is": frozenset({"nb", "no", "da", "sv"}),
    "nn": frozenset({"nb", "no", "da", "sv"}),
    "ms": frozenset({"id"}),
    "la": frozenset({"it", "es", "pt", "fr", "ca", "ro"}),
}

#: Sentences per long-text document, and per paragraph inside it.
DOC_SENTENCES = 10
PARAGRAPH_SENTENCES = 3


def fold(code: str | None) -> str | None:
    return None if code is None else FOLD.get(code, code)


def read_sentences(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def documents(sentences: Sequence[str], size: int = DOC_SENTENCES) -> list[str]:
    """Consecutive sentences as documents, ``PARAGRAPH_SENTENCES`` to a paragraph."""
    docs = []
    for start in range(0, len(sentences) - size + 1, size):
        chunk = sentences[start : start + size]
        paragraphs = [
            " ".join(chunk[i : i + PARAGRAPH_SENTENCES]) for i in range(0, len(chunk), PARAGRAPH_SENTENCES)
        ]
        docs.append("\n\n".join(paragraphs))
    return docs


def two_kb_documents(sentences: Sequence[str], count: int) -> list[str]:
    """Up to ``count`` documents of about 2 KB (UTF-8), paragraphs of three sentences."""
    docs: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence)
        if len(" ".join(current).encode("utf-8")) >= 2048:
            paragraphs = [
                " ".join(current[i : i + PARAGRAPH_SENTENCES])
                for i in range(0, len(current), PARAGRAPH_SENTENCES)
            ]
            docs.append("\n\n".join(paragraphs))
            current = []
            if len(docs) >= count:
                break
    return docs


def plain_langdetect() -> Callable[[str], str | None]:
    """One plain seeded langdetect call, as a user would write it."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)

    def detect(text: str) -> str | None:
        detector = factory.create()
        detector.append(text)
        try:
            return detector.detect()
        except LangDetectException:
            return None

    return detect


def best_guess(detector: LanguageDetector, text: str) -> str | None:
    """The detector's top alternative, whatever the text's length or the confidence."""
    scorer = detector.scorer
    cleaned = scorer.clean(text)
    found = detector.decide(scorer.vector(cleaned), text, cleaned, clean_letter_count(cleaned))
    alternatives = found["alternatives"]
    return fold(alternatives[0]["code"]) if alternatives else None


def outcome(iso: str, code: str | None) -> str:
    """null, relative or wrong, for a language langdetect lacks."""
    if code is None:
        return "null"
    if code in RELATIVES.get(iso, frozenset()) or same_language(code, iso):
        return "relative"
    return "wrong"


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:6.2f}" if whole else "     -"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip plain langdetect on every sentence")
    args = parser.parse_args(argv)
    if not SENTENCES.is_dir():
        print(f"eval-language: {SENTENCES} not found (../shared is absent); nothing to evaluate.")
        return 0

    detector = LanguageDetector(seed=0)
    known = {fold(lang) for lang in detector.scorer.languages}
    files = sorted(SENTENCES.glob("*.txt"))
    baseline = None if args.no_baseline else plain_langdetect()

    print(f"Known languages ({len(known & {f.stem for f in files})} of {len(files)} files)")
    print(f"{'lang':>5} {'sentences':>9} {'acc%':>6} {'null%':>6} {'guess%':>6} {'docs':>5} {'doc acc%':>8}"
          f"{'' if baseline is None else '  langdetect%'}  most frequent wrong answers")  # fmt: skip
    totals = Counter()
    per_language: list[tuple[float, str]] = []
    unknown_rows: list[str] = []
    doc_wrong_unknown = 0
    for path in files:
        iso = path.stem
        sentences = read_sentences(path)
        docs = documents(sentences)
        codes = [fold(detector.detect(s)["code"]) for s in sentences]
        guesses = [best_guess(detector, s) for s in sentences]
        doc_codes = [fold(detector.detect_article(d)["code"]) for d in docs]
        if iso in known:
            right = sum(1 for c in codes if c is not None and same_language(c, iso))
            guessed = sum(1 for c in guesses if c is not None and same_language(c, iso))
            nulls = codes.count(None)
            doc_right = sum(1 for c in doc_codes if c is not None and same_language(c, iso))
            wrong = Counter(c for c in codes if c is None or not same_language(c, iso))
            n = len(sentences)
            line = (
                f"{iso:>5} {n:>9} {_percent(right, n)} {_percent(nulls, n)} {_percent(guessed, n)}"
                f" {len(docs):>5} {_percent(doc_right, len(docs)):>8}"
            )
            if baseline is not None:
                plain = sum(1 for s in sentences if same_language(fold(baseline(s)), iso))
                totals["plain"] += plain
                line += f"  {_percent(plain, n):>11}"
            print(line + "  " + ", ".join(f"{c}:{n}" for c, n in wrong.most_common(3)))
            totals.update(sentences=n, right=right, nulls=nulls, guessed=guessed)
            totals.update(docs=len(docs), doc_right=doc_right)
            per_language.append((right / len(sentences), iso))
        else:
            sent = Counter(outcome(iso, c) for c in codes)
            doc = Counter(outcome(iso, c) for c in doc_codes)
            doc_wrong_unknown += doc["wrong"]
            wrong_codes = Counter(c for c in doc_codes + codes if outcome(iso, c) == "wrong")
            unknown_rows.append(
                f"{iso:>5} {_percent(sent['null'], len(codes))} {_percent(sent['relative'], len(codes))}"
                f" {_percent(sent['wrong'], len(codes))}   {_percent(doc['null'], len(docs))}"
                f" {_percent(doc['relative'], len(docs))} {_percent(doc['wrong'], len(docs))}"
                f"   {', '.join(f'{c}:{n}' for c, n in wrong_codes.most_common(3))}"
            )

    print()
    n, docs_n = totals["sentences"], totals["docs"]
    print(f"Overall on known languages ({n} sentences, {docs_n} long texts):")
    print(f"  sentences, null counted wrong: {_percent(totals['right'], n).strip()}%"
          f"  (null {_percent(totals['nulls'], n).strip()}%: under {detector.settings.min_letters} letters,"
          f" unsure or unfit)")  # fmt: skip
    answered = n - totals["nulls"]
    print(f"  sentences, answers given:      {_percent(totals['right'], answered).strip()}% right"
          f" ({answered} answers)")  # fmt: skip
    print(
        f"  sentences, best guess:         {_percent(totals['guessed'], n).strip()}%"
        "  (the top alternative whatever the length or confidence)"
    )
    if baseline is not None:
        print(f"  sentences, plain langdetect:   {_percent(totals['plain'], n).strip()}%  (its top answer)")
    print(f"  long text (10 sentences):      {_percent(totals['doc_right'], docs_n).strip()}%")
    macro = sum(acc for acc, _ in per_language) / max(len(per_language), 1)
    print(f"  mean of per-language sentence accuracy: {100 * macro:.2f}%")
    worst = ", ".join(f"{iso} {100 * acc:.1f}%" for acc, iso in sorted(per_language)[:6])
    print(f"  worst languages (sentences): {worst}")
    for name, right, whole in (("sentences", totals["right"], n), ("long text", totals["doc_right"], docs_n)):
        print(f"  target >= 99% on {name}: {'met' if right >= 0.99 * whole else 'NOT met'}")

    print()
    print("Languages langdetect does not know: % of answers null / close relative / confident wrong")
    print(f"{'lang':>5} {'sentences: null   rel  wrong':>22}   {'long text: null   rel  wrong':>22}   wrong")
    for row in unknown_rows:
        print(row)
    print(f"Confident wrong answers on long text of unknown languages: {doc_wrong_unknown}")

    print()
    cost(files, known)
    return 0


def cost(files: Sequence[Path], known: set[str | None], per_language: int = 6) -> None:
    """ms per ~2 KB document: the stage's ``detect_article`` vs one plain langdetect call."""
    docs: list[str] = []
    for path in files:
        if path.stem in known:
            docs.extend(two_kb_documents(read_sentences(path), per_language))
    plain = plain_langdetect()
    start = time.perf_counter()
    fresh = LanguageDetector(seed=0)
    built = time.perf_counter() - start
    start = time.perf_counter()
    fresh.words.covers("en")  # the word lists are read on the first short text
    words_read = time.perf_counter() - start
    start = time.perf_counter()
    for doc in docs:
        fresh.detect_article(doc)
    cold = (time.perf_counter() - start) / len(docs) * 1000
    timings = {}
    for name, fn in (("stage", fresh.detect_article), ("plain", plain)):
        start = time.perf_counter()
        for _ in range(2):
            for doc in docs:
                fn(doc)
        timings[name] = (time.perf_counter() - start) / (2 * len(docs)) * 1000
    size = sum(len(d.encode("utf-8")) for d in docs) / len(docs)
    print(f"Cost on {len(docs)} documents of {size:.0f} bytes from the known languages:")
    print(f"  stage (body + paragraphs + mix): {timings['stage']:.2f} ms per document"
          f" (first pass, word cache cold: {cold:.2f} ms)")  # fmt: skip
    print(f"  plain seeded langdetect:         {timings['plain']:.2f} ms per document")
    print(f"  ratio stage / plain:             {timings['stage'] / timings['plain']:.2f}")
    print(f"Start-up per worker: detector {built:.2f} s (profiles from the package),"
          f" word lists {words_read:.2f} s (on the first short text)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
