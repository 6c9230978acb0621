"""Derived-from links on WMT source/translation pairs mixed with unrelated documents.

Part 3 of ``make eval-provenance`` (``evaluations.provenance`` calls
``derived_from_results`` with its leave-one-language-out models): a third of the
pairs lose one side, so the run also holds sources whose translation is absent
and translations whose source is absent. Every article goes through the
``LinkTranslations`` Beam transform on the DirectRunner; printed are the links
made, how many are right, how many point the wrong way, recall per language
pair, precision and recall against the targets.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluations.train_provenance import Doc
from evaluations.wmt_articles import _fold, article_of
from transforms.translation import TranslationAssessor
from transforms.translationese import TranslationeseModel


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
        assessor = TranslationAssessor(model=models[held])
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


def derived_from_results(
    docs: Sequence[Doc], models: dict[str, TranslationeseModel], folds: dict[str, int]
) -> bool:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.link import LinkTranslations

    print(
        "\n3. Derived-from links on WMT pairs mixed with unrelated documents (LinkTranslations, DirectRunner)"
    )
    articles, gold = link_corpus(docs, models, folds)
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
