"""Translation provenance on ../shared: held-out source languages, seeds, derived-from links, cost.

    make eval-provenance       # python -m evaluations.provenance

1. Leave one source language out: for each source language L of the WMT X->en
   sets, the translationese model is trained on the other languages (and on the
   English originals outside one fold), then the whole stage (signals and
   classifier) judges the held-out English originals and L's human and machine
   translations. Printed: balanced accuracy original vs translated (stage and
   classifier alone), recall on human and on machine translations, machine/human
   accuracy, and how often the stage names the source language (and correctly).
2. The five seed articles through ``newsbeam ingest`` (the real pipeline).
3. Derived-from links on WMT source/translation pairs mixed with unrelated
   documents (sources whose translation is left out, translations whose source
   is left out), through the ``LinkTranslations`` Beam transform.
4. The stage's cost in ms per 2 KB article.
5. English originals of another era and house: the TimeML newswire (TimeBank,
   AQUAINT; AP, NYT, WSJ, broadcast transcripts, 1989-1998), of which the share the
   stage calls translated is its false positive rate out of the WMT domain; the
   English service of Xinhua (XIE files) is counted apart, as staff writing in a
   second language or translating from Chinese.

``--skip-links`` leaves out part 3 (its own command: ``python -m evaluations.derived_links``).
Exits 0 with a message when ../shared is absent.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from evaluations.dates import CORPORA, DEFAULT_SHARED, read_tml
from evaluations.derived_links import derived_from_results
from evaluations.train_provenance import DATA, Doc, load_wmt, passages, train, training_docs
from evaluations.wmt_articles import _fold, article_of
from transforms.translation import TranslationAssessor
from transforms.translation_signals import STYLE_SIGNAL
from transforms.translationese import TranslationeseModel, raw_features

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT.parent / "shared" / "seeds"
SEED_EXPECTED = {
    "000": (False, None, None),
    "001": (True, "fr", "000"),
    "002": (True, None, None),
    "003": (True, "es", None),
    "004": (False, None, None),
}


def leave_one_language_out(docs: Sequence[Doc]) -> tuple[dict[str, TranslationeseModel], dict[str, int]]:
    """Per held-out language: the printed figures; returns the models (for the link evaluation)."""
    train_pool = training_docs(docs)
    cut = {id(d): passages(d) for d in train_pool}
    features = {id(p): raw_features(p.text) for parts in cut.values() for p in parts}
    languages = sorted({d.origlang for d in train_pool if d.kind != "original"})
    folds = {d.doc_id: _fold(d.doc_id, len(languages)) for d in train_pool if d.kind == "original"}
    english = [d for d in docs if d.lang == "en" and d.kind in ("original", "human", "machine")]
    models: dict[str, TranslationeseModel] = {}
    print("1. Leave one source language out (English originals split in folds, one per held-out language)")
    header = (
        f"{'held out':<9}{'originals':>10}{'human':>7}{'machine':>9}  {'BA stage':>9}{'BA style':>9}"
        f"{'TNR':>7}{'R human':>9}{'R mach':>8}{'mach acc':>9}{'src named':>10}{'src ok':>8}"
    )
    print(header)
    totals: dict[str, list[float]] = defaultdict(list)
    chosen: dict[str, str] = {}
    for index, held_out in enumerate(languages):
        pool = [
            d
            for d in train_pool
            if (d.kind == "original" and folds[d.doc_id] != index)
            or (d.kind != "original" and d.origlang != held_out)
        ]
        samples = [p for d in pool for p in cut[id(d)]]
        model = TranslationeseModel(train(samples, features).document({}))
        chosen[held_out] = f"L2 {model.meta['l2']:g}, full weight from {model.full_weight_words:g} words"
        models[held_out] = model
        assessor = TranslationAssessor(model=model)
        test = [
            d
            for d in english
            if (d.kind == "original" and _fold(d.doc_id, len(languages)) == index)
            or (d.kind != "original" and d.origlang == held_out)
        ]
        counts: Counter[str] = Counter()
        for n, doc in enumerate(test):
            out = assessor(article_of(doc, f"t{n}"))["translation"]
            verdict = model.predict(doc.text)
            style_says = verdict is not None and verdict.translated >= 0.5
            counts[f"{doc.kind}"] += 1
            counts[f"{doc.kind}:stage"] += out["is_translation"]
            counts[f"{doc.kind}:style"] += style_says
            if doc.kind != "original" and out["is_translation"]:
                counts["called"] += 1
                counts["machine_ok"] += out["machine"] == (doc.kind == "machine")
                counts["named"] += out["source_language"] is not None
                counts["named_ok"] += out["source_language"] == held_out
        tnr = 1 - counts["original:stage"] / max(counts["original"], 1)
        translated = counts["human"] + counts["machine"]
        tpr = (counts["human:stage"] + counts["machine:stage"]) / max(translated, 1)
        tnr_style = 1 - counts["original:style"] / max(counts["original"], 1)
        tpr_style = (counts["human:style"] + counts["machine:style"]) / max(translated, 1)
        row = {
            "ba": (tnr + tpr) / 2,
            "ba_style": (tnr_style + tpr_style) / 2,
            "tnr": tnr,
            "r_human": counts["human:stage"] / max(counts["human"], 1),
            "r_machine": counts["machine:stage"] / max(counts["machine"], 1),
            "machine_acc": counts["machine_ok"] / max(counts["called"], 1),
            "named": counts["named"] / max(counts["called"], 1),
            "named_ok": counts["named_ok"] / max(counts["named"], 1) if counts["named"] else 0.0,
        }
        for key, value in row.items():
            totals[key].append(value)
        print(
            f"{held_out:<9}{counts['original']:>10}{counts['human']:>7}{counts['machine']:>9}  "
            f"{row['ba']:>9.3f}{row['ba_style']:>9.3f}{row['tnr']:>7.3f}{row['r_human']:>9.3f}"
            f"{row['r_machine']:>8.3f}{row['machine_acc']:>9.3f}{row['named']:>10.3f}{row['named_ok']:>8.3f}"
        )
    means = {key: statistics.fmean(values) for key, values in totals.items()}
    print(
        f"{'mean':<9}{'':>10}{'':>7}{'':>9}  {means['ba']:>9.3f}{means['ba_style']:>9.3f}{means['tnr']:>7.3f}"
        f"{means['r_human']:>9.3f}{means['r_machine']:>8.3f}{means['machine_acc']:>9.3f}{means['named']:>10.3f}"
        f"{means['named_ok']:>8.3f}"
    )
    print("   inner cross-validation chose: " + "; ".join(f"{k}: {v}" for k, v in chosen.items()))
    worst = min(totals["ba"])
    print(
        f"   target: balanced accuracy >= 0.90 on every held-out language: worst {worst:.3f} "
        f"-> {'met' if worst >= 0.90 else 'NOT met'}"
    )
    print(
        "   src named = share of detected translations whose source language the stage names; "
        "src ok = share of those naming the held-out language"
    )
    return models, {d.doc_id: folds[d.doc_id] for d in train_pool if d.kind == "original"}


def seed_results() -> bool:
    """Run the seeds through the installed CLI; print and check the expectations."""
    from tests.conftest import RUN_TIME, read_output, run_newsbeam

    print("\n2. Seeds (newsbeam ingest on all five together)")
    if not SEEDS.is_dir():
        print("   ../shared/seeds absent: skipped")
        return True
    with tempfile.TemporaryDirectory() as out:
        result = run_newsbeam(
            "ingest", "--input", str(SEEDS / "*.txt"), "--output", out, "--run_time", RUN_TIME
        )
        if result.returncode != 0:
            print("   ingest failed:", result.stderr[-2000:])
            return False
        articles, _, _ = read_output(Path(out))
    by_key = {Path(a["source"]["uri"]).name[:3]: a for a in articles}
    key_of = {a["id"]: key for key, a in by_key.items()}
    ok = True
    for key, (translated, language, derived) in sorted(SEED_EXPECTED.items()):
        t = by_key[key]["translation"]
        got_derived = key_of.get(t["derived_from"] or "", t["derived_from"])
        good = (
            t["is_translation"] == translated
            and (language is None or t["source_language"] == language)
            and (derived is None or got_derived == derived)
        )
        ok &= good
        print(
            f"   {key}: translation={t['is_translation']!s:<5} confidence={t['confidence']:.2f} "
            f"source={t['source_language']!s:<4} machine={t['machine']!s:<5} derived_from={got_derived!s:<4} "
            f"signals={[s['name'] for s in t['signals']]}  {'ok' if good else 'WRONG'}"
        )
    print(
        "   target: 001/002/003 translated, 000/004 not, 001 fr, 003 es, 001 -> 000: "
        + ("met" if ok else "NOT met")
    )
    return ok


def cost(docs: Sequence[Doc]) -> None:
    from transforms.derived import LinkSettings, fingerprints, minhash

    print("\n4. Cost")
    english = [d for d in docs if d.lang == "en" and len(d.text) >= 2048][:300]
    samples = [d.text[:2048] for d in english]
    assessor = TranslationAssessor()
    articles = [article_of(d, str(i)) for i, d in enumerate(english)]
    for article, text in zip(articles, samples, strict=True):
        article["text"] = text
    for article in articles[:20]:
        assessor(article)  # warm up
    rounds, cpu_rounds = [], []
    for _ in range(3):
        start, cpu_start = time.perf_counter(), time.process_time()
        for article in articles:
            assessor(article)
        rounds.append((time.perf_counter() - start) / len(articles) * 1000)
        cpu_rounds.append((time.process_time() - cpu_start) / len(articles) * 1000)
    coefficients = LinkSettings().coefficients()
    start = time.perf_counter()
    for text in samples:
        minhash(fingerprints(text), coefficients)
    link_ms = (time.perf_counter() - start) / len(samples) * 1000
    best = min(rounds)
    print(
        f"   DetectTranslation: {best:.3f} ms per 2 KB article (best of 3 rounds over {len(samples)} "
        f"articles; rounds {', '.join(f'{r:.3f}' for r in rounds)}); target <= 1 ms: "
        f"{'met' if best <= 1.0 else 'NOT met'}"
    )
    # Wall time counts the waits of a busy machine; the process's own CPU time does not.
    print(f"   DetectTranslation CPU time of this process: {min(cpu_rounds):.3f} ms per 2 KB article")
    print(
        f"   LinkTranslations fingerprint + MinHash: {link_ms:.3f} ms per 2 KB article (before the shuffle)"
    )


def other_originals(timeml: Path = DEFAULT_SHARED / "data" / "timeml") -> None:
    """Section 5: how often English news written in English, but not WMT's, is called translated."""
    print("\n5. English newswire outside WMT (TimeML: TimeBank, AQUAINT, 1989-1998)")
    files = sorted(path for corpus in CORPORA for path in (timeml / corpus).rglob("*.tml"))
    if not files:
        print(f"   {timeml} is absent: skipped")
        return
    assessor = TranslationAssessor()
    counts: Counter[str] = Counter()
    for n, path in enumerate(files):
        doc = read_tml(path)
        group = "xinhua" if doc.name.startswith("XIE") else "originals"
        article = article_of(Doc(doc.name, "en", "en", "original", doc.text, "timeml"), f"x{n}")
        out = assessor(article)["translation"]
        counts[group] += 1
        counts[f"{group}:stage"] += out["is_translation"]
        counts[f"{group}:style"] += any(
            s["name"] == STYLE_SIGNAL and s["weight"] >= 0.5 for s in out["signals"]
        )
    for group, label in (("originals", "AP, NYT, WSJ, broadcast"), ("xinhua", "Xinhua English")):
        total = max(counts[group], 1)
        stage, style = counts[f"{group}:stage"] / total, counts[f"{group}:style"] / total
        print(
            f"   {label}: {counts[group]} documents, called translated {stage:.1%} "
            f"(style classifier alone {style:.1%})"
        )
    print("   (the first is the false positive rate on English originals out of the WMT domain)")


def main(argv: Sequence[str] | None = None) -> int:
    if not DATA.is_dir():
        print(f"{DATA} is absent: nothing to evaluate (the shared data lives beside the project).")
        return 0
    skip_links = "--skip-links" in (argv or ())
    docs = load_wmt()
    models, folds = leave_one_language_out(docs)
    seed_results()
    if skip_links:
        print("\n3. Derived-from links: skipped (--skip-links)")
    else:
        derived_from_results(load_wmt(min_chars=300), models, folds)
    cost(docs)
    other_originals()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
