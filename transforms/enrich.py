"""The stages every article goes through, in order, shared by the batch and streaming pipelines.

Each stage stays a top-level step of the job (its name is what the Dataflow UI and a dry run
show); each returns its failures as dead letters.

    pytest tests/test_stages.py tests/test_end_to_end.py
"""

from __future__ import annotations

import apache_beam as beam

from transforms.common import RunSettings, run_stage
from transforms.dates import ExtractDates
from transforms.language import DetectLanguage
from transforms.link import LinkTranslations
from transforms.normalize import RepairEncoding
from transforms.translation import DetectTranslation
from transforms.validate import record_checker


def enrich_articles(
    articles: beam.PCollection, settings: RunSettings, link: LinkTranslations
) -> tuple[beam.PCollection, list[beam.PCollection]]:
    """Parsed articles -> (valid records, the dead letters of every stage).

    Repair the encoding, detect the language and the translation evidence, extract the dates,
    link translations to their originals (``link``: batch runs spill to temporary files,
    streaming runs link within a window), and check each record against the schema.
    """
    repaired, repair_failures = articles | "RepairEncoding" >> RepairEncoding(settings)
    detected, language_failures = repaired | "DetectLanguage" >> DetectLanguage(settings)
    assessed, translation_failures = detected | "DetectTranslation" >> DetectTranslation(settings)
    # Dates before linking: the batch link waits for every article (they sit in temporary files
    # until the links are known), so what runs before it shares the first fused stage, where
    # the workers divide the articles evenly; and a link never points at an article that
    # failed a later stage.
    dated, date_failures = assessed | "ExtractDates" >> ExtractDates(settings)
    linked = dated | "LinkTranslations" >> link
    valid, invalid = run_stage(linked, "ValidateRecords", "write", settings, record_checker)
    return valid, [repair_failures, language_failures, translation_failures, date_failures, invalid]
