"""Derived-from links on WMT source/translation pairs mixed with unrelated documents.

Part 3 of ``make eval-provenance`` (``evaluations.provenance`` calls
``derived_from_results`` with its leave-one-language-out models): a third of the
pairs lose one side, so the run also holds sources whose translation is absent
and translations whose source is absent. Every article goes through the
``LinkTranslations`` Beam transform on the DirectRunner; printed are the links
made, how many are right, how many point the wrong way, recall per language
pair, precision and recall against the targets.

Only this part, on the same leave-one-language-out models (the assessed articles
cached as JSON, so that a change of the linking alone reruns in seconds), with
the stage-by-stage breakdown of the lost links:

    python -m evaluations.derived_links --cache /tmp/links.json --breakdown \\
        --direction-folds /tmp/direction_folds.json

Articles in a language with a non-English style head (``evaluations.train_direction``)
are cross-fitted: each is scored by the head of its document's fold, trained
without that fold's documents. So are the English articles' source heads
(``style_sources``: English originals against translations from one language), which
the leave-one-language-out model lacks for the very language it left out.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from evaluations.train_provenance import Doc
from evaluations.wmt_articles import _fold, article_of
from transforms.translation import TranslationAssessor
from transforms.translationese import TranslationeseModel
from transforms.translationese_multi import MultiStyleModel

#: No style heads for languages other than English: ``cross_fit`` adds them, each
#: document scored by a head that never saw it.
NO_HEADS = MultiStyleModel({})


def link_corpus(
    docs: Sequence[Doc], models: dict[str, TranslationeseModel], folds: dict[str, int]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Assessed articles of source/translation pairs and unrelated documents; gold translation -> original."""
    sources: dict[tuple[str, str], Doc] = {}
    translations: list[Doc] = []
    for doc in docs:
        if doc.kind in ("original", "source"):
            sources.setdefault((doc.dataset, doc.doc_id), doc)
        elif doc.kind in ("human", "target") and doc.system in ("A", ""):
            translations.append(doc)
    languages = sorted(models)
    articles: list[dict[str, Any]] = []
    gold: dict[str, str] = {}
    seen_sources: dict[tuple[str, str], str] = {}
    for doc in translations:
        source = sources.get((doc.dataset, doc.doc_id))
        if source is None:
            continue
        # A third of the pairs lose one side: unrelated documents with no partner in the run.
        role = _fold(f"{doc.dataset}/{doc.doc_id}", 6)
        english = doc if doc.lang == "en" else source
        held = (
            doc.origlang
            if doc.origlang in models
            else languages[folds.get(english.doc_id, 0) % len(languages)]
        )
        assessor = TranslationAssessor(model=models[held], multi=NO_HEADS)
        t_key = f"{doc.dataset}/{doc.doc_id}/{doc.lang}"
        s_key = (
            seen_sources.get((source.dataset, source.doc_id))
            or f"{source.dataset}/{source.doc_id}/{source.lang}"
        )
        if role != 0 and (source.dataset, source.doc_id) not in seen_sources:
            seen_sources[(source.dataset, source.doc_id)] = s_key
            articles.append(assessor(article_of(source, s_key)))
        if role != 1:
            articles.append(assessor(article_of(doc, t_key)))
            if role != 0:
                gold[t_key] = s_key
    return articles, gold


def cross_fit(
    articles: Sequence[dict[str, Any]], per_fold: dict[int, MultiStyleModel]
) -> list[dict[str, Any]]:
    """The articles, those in a language with a style head assessed again by the head of
    their document's fold (``evaluations.train_direction``: trained without the documents of
    that fold), so no article is scored by a model that saw it."""
    from evaluations.train_direction import FOLDS

    english = TranslationeseModel.load()  # not used: English articles keep their assessment
    assessors = {k: TranslationAssessor(model=english, multi=model) for k, model in per_fold.items()}
    languages = {language for model in per_fold.values() for language in model.languages}
    out = []
    for article in articles:
        if article["language"]["code"] not in languages:
            out.append(article)
            continue
        doc_id = article["id"].split("/", 1)[1].rsplit("/", 1)[0]
        out.append(assessors[_fold(doc_id, FOLDS)](article))
    return out


def source_fold_models() -> dict[int, TranslationeseModel]:
    """Per document fold (``train_direction.FOLDS``), English source heads (``source_heads``:
    originals against translations from one language) trained without that fold's
    documents; their general heads are left empty, only ``sources`` is read. Their length
    calibration is the shipped model's (two numbers chosen from grids by
    ``source_calibration``, not refitted per fold)."""
    import numpy as np

    from evaluations.train_direction import FOLDS
    from evaluations.train_provenance import (
        L2,
        choose_features,
        load_wmt,
        passages,
        source_heads,
        standardized,
        training_docs,
    )
    from transforms.translationese import model_document, raw_features

    shipped = json.loads(
        resources.files("transforms").joinpath("models", "translationese.json").read_text(encoding="utf-8")
    )
    samples = [p for d in training_docs(load_wmt()) for p in passages(d)]
    features = [raw_features(p.text)[0] for p in samples]
    models = {}
    for k in range(FOLDS):
        keep = [i for i, p in enumerate(samples) if _fold(p.doc_id, FOLDS) != k]
        rows = [features[i] for i in keep]
        names = choose_features(rows)
        z, mean, scale = standardized(rows, names)
        labels = np.array([0 if samples[i].kind == "original" else 1 for i in keep])
        heads = source_heads(z, labels, [samples[i] for i in keep], L2)
        empty = ([0.0] * len(names), 0.0)
        by_source = {language: (coef.tolist(), bias) for language, (coef, bias) in heads.items()}
        document = model_document(names, mean, scale, empty, empty, {}, shipped["calibration"], by_source)
        models[k] = TranslationeseModel(document)
    return models


def cross_fit_sources(
    articles: Sequence[dict[str, Any]], per_fold: dict[int, TranslationeseModel]
) -> list[dict[str, Any]]:
    """The articles, each English one read again by the source heads of its document's fold
    (trained without that fold's documents): the leave-one-language-out model that assessed
    it has no head for the language it was translated from, which is the one linking asks."""
    from evaluations.train_direction import FOLDS

    out = []
    for article in articles:
        if article["language"]["code"] != "en":
            out.append(article)
            continue
        doc_id = article["id"].split("/", 1)[1].rsplit("/", 1)[0]
        verdict = per_fold[_fold(doc_id, FOLDS)].predict(article["text"])
        sources = [{"code": k, "p": v} for k, v in sorted(verdict.sources.items())] if verdict else []
        out.append({**article, "translation": {**article["translation"], "style_sources": sources}})
    return out


def fold_heads(path: Path | None = None) -> dict[int, MultiStyleModel]:
    """The per-fold style heads: read from ``path`` (``train_direction --folds-output``) or trained."""
    if path is not None and path.exists():
        documents = {int(k): v for k, v in json.loads(path.read_text()).items()}
    else:
        from evaluations.train_direction import fold_models

        documents, accuracy = fold_models()
        print(
            "   non-English style heads, held-out balanced accuracy: "
            + ", ".join(f"{language} {value:.3f}" for language, value in sorted(accuracy.items()))
        )
        if path is not None:
            path.write_text(json.dumps({str(k): v for k, v in documents.items()}) + "\n")
    return {k: MultiStyleModel(v) for k, v in documents.items()}


def derived_from_results(
    docs: Sequence[Doc], models: dict[str, TranslationeseModel], folds: dict[str, int]
) -> bool:
    print(
        "\n3. Derived-from links on WMT pairs mixed with unrelated documents (LinkTranslations, DirectRunner)"
    )
    articles, gold = link_corpus(docs, models, folds)
    articles = cross_fit_sources(cross_fit(articles, fold_heads()), source_fold_models())
    return _link_results(articles, gold)


def _link_results(articles: Sequence[dict[str, Any]], gold: dict[str, str]) -> bool:
    """Run LinkTranslations over the articles, print the figures, True when the targets are met."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.link import LinkTranslations

    with tempfile.TemporaryDirectory() as out:
        with beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"])) as pipeline:
            _ = (
                pipeline
                | beam.Create(articles, reshuffle=False)
                | LinkTranslations()
                | beam.Map(lambda a: json.dumps([a["id"], a["translation"]["derived_from"]]))
                | beam.io.WriteToText(f"{out}/links", num_shards=1)
            )
        results = [json.loads(line) for path in Path(out).glob("links*") for line in path.open()]
    assert len(results) == len(articles), "LinkTranslations must give back every article exactly once"
    links = {key: value for key, value in results if value}
    correct = sum(1 for key, value in links.items() if gold.get(key) == value)
    reversed_links = sum(1 for key, value in links.items() if gold.get(value) == key)
    precision = correct / max(len(links), 1)
    recall = correct / max(len(gold), 1)
    per_pair: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, original in gold.items():
        pair = f"{original.rsplit('/', 1)[1]}->{key.rsplit('/', 1)[1]}"
        per_pair[pair][0] += 1
        per_pair[pair][1] += links.get(key) == original
    print(
        f"   {len(articles)} articles, {len(gold)} gold links, {len(links)} links made, "
        f"{correct} correct, {reversed_links} with the direction reversed"
    )
    print("   recall by pair: " + ", ".join(f"{p} {ok}/{n}" for p, (n, ok) in sorted(per_pair.items())))
    met = precision >= 0.95 and recall >= 0.80
    print(
        f"   precision {precision:.3f}, recall {recall:.3f}  (targets >= 0.95, >= 0.80: "
        f"{'met' if met else 'NOT met'})"
    )
    return met


def breakdown(articles: Sequence[dict[str, Any]], gold: dict[str, str], settings: Any = None) -> None:
    """Where the gold links are lost, stage by stage, and the figures of the whole method in
    plain Python (LSH buckets, verification, mutual best match, direction), the same pure
    functions the Beam side calls."""
    from transforms.derived import LinkSettings, link_in_memory, similarity

    settings = settings or LinkSettings()
    trace = link_in_memory(articles, settings)
    summaries, candidates, matches, mutual, links = (
        trace.summaries,
        trace.candidates,
        trace.matches,
        trace.mutual,
        trace.links,
    )
    stages: Counter[str] = Counter()
    #: Undecided or reversed true pairs by the evidence direction had: which sides a style
    #: classifier read (a side in a language without a head is never assessed).
    unoriented: Counter[str] = Counter()
    true_pairs: list[float] = []
    for t, o in gold.items():
        pair = (min(t, o), max(t, o))
        if t not in summaries or o not in summaries:
            stages["a0 too few fingerprints"] += 1
            continue
        true_pairs.append(similarity(summaries[t]["fingerprints"], summaries[o]["fingerprints"])[0])
        if pair not in candidates:
            stages["a  no candidate"] += 1
        elif pair not in matches:
            stages["b  rejected by verification"] += 1
        elif pair not in mutual:
            stages["b2 not the mutual best match"] += 1
        elif links.get(t, (0, ""))[1] == o:
            stages["ok"] += 1
        elif links.get(o, (0, ""))[1] == t:
            stages["d  reversed"] += 1
            unoriented[_assessed_sides(summaries[t], summaries[o])] += 1
        else:
            stages["c  undecided"] += 1
            unoriented[_assessed_sides(summaries[t], summaries[o])] += 1
    wrong = sum(1 for t, (_, o) in links.items() if gold.get(t) != o and gold.get(o) != t)
    stages["e  links between unrelated articles"] = wrong
    print(
        f"   {len(candidates)} candidate pairs, {len(matches)} verified, "
        f"{len(mutual)} mutual best; gold {len(gold)}"
    )
    for name, count in sorted(stages.items()):
        print(f"   {name}: {count}")
    sims = sorted(true_pairs)
    if sims:
        q = [sims[int(p * (len(sims) - 1))] for p in (0.05, 0.25, 0.5, 0.75, 0.95)]
        print("   similarity of true pairs (5/25/50/75/95%): " + " ".join(f"{x:.3f}" for x in q))
    correct = sum(1 for t, (_, o) in links.items() if gold.get(t) == o)
    print(
        f"   pure Python with mutual best: {len(links)} links, {correct} correct, "
        f"precision {correct / max(len(links), 1):.3f}, recall {correct / max(len(gold), 1):.3f}"
    )
    # What direction alone can still win: every true mutual-best pair oriented right.
    ceiling = stages["ok"] + stages["c  undecided"] + stages["d  reversed"]
    print(
        f"   recall with every verified true pair oriented right: {ceiling / max(len(gold), 1):.3f}; "
        "undecided or reversed pairs by the sides a style classifier read: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(unoriented.items()))
    )


def _assessed_sides(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Which sides of a pair the style classifiers read: 'both', 'English only', 'other only',
    'neither' (the side in a language without a style head is never read).

    >>> _assessed_sides({"language": "en", "assessed": True}, {"language": "ru", "assessed": False})
    'English only'
    """
    read = [side for side in (a, b) if side["assessed"]]
    if len(read) == 2:
        return "both"
    if not read:
        return "neither"
    return "English only" if read[0]["language"] == "en" else "other only"


def main(argv: Sequence[str] | None = None) -> int:
    """Only part 3, on the leave-one-language-out models (cached as JSON with --cache)."""
    import argparse

    from evaluations.provenance import leave_one_language_out
    from evaluations.train_provenance import DATA, load_wmt

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, help="assessed articles and gold links (written when absent)")
    parser.add_argument("--breakdown", action="store_true", help="where the gold links are lost")
    parser.add_argument(
        "--direction-folds",
        type=Path,
        help="per-fold non-English style heads (train_direction --folds-output; written when absent)",
    )
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"{DATA} is absent: nothing to evaluate.")
        return 0
    if args.cache and args.cache.exists():
        articles, gold = json.loads(args.cache.read_text())
    else:
        models, folds = leave_one_language_out(load_wmt())
        docs = load_wmt(min_chars=300)
        articles, gold = link_corpus(docs, models, folds)
        if args.cache:
            args.cache.write_text(json.dumps([articles, gold]))
    articles = cross_fit_sources(cross_fit(articles, fold_heads(args.direction_folds)), source_fold_models())
    if args.breakdown:
        breakdown(articles, gold)
    return 0 if _link_results(articles, gold) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
