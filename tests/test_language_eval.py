"""The language evaluation's helpers and its behaviour without ../shared (the data itself is not needed).

pytest tests/test_language_eval.py
"""

from __future__ import annotations

from pathlib import Path

import pytest

import evaluations.language as evaluation


def test_exits_cleanly_without_shared(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(evaluation, "SENTENCES", Path("/nonexistent/shared/data/langid/sentences"))
    assert evaluation.main([]) == 0
    assert "nothing to evaluate" in capsys.readouterr().out


def test_unknown_language_outcomes() -> None:
    assert evaluation.outcome("nn", None) == "null"
    assert evaluation.outcome("nn", "no") == "relative"
    assert evaluation.outcome("ms", "id") == "relative"
    assert evaluation.outcome("zu", "sw") == "wrong"


def test_documents_group_sentences_into_paragraphs() -> None:
    sentences = [f"Sentence number {i}." for i in range(25)]
    docs = evaluation.documents(sentences)
    assert len(docs) == 2
    assert docs[0].count("\n\n") == 3  # 10 sentences, three to a paragraph
    assert evaluation.fold("zh-tw") == "zh" and evaluation.fold("no") == "nb"
