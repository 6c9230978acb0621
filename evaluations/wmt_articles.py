"""WMT documents as the pipeline's stages see them, and the fold a document falls in."""

from __future__ import annotations

import hashlib
from typing import Any

from evaluations.train_provenance import Doc
from transforms.parse import no_translation_evidence


def _fold(doc_id: str, folds: int) -> int:
    return int(hashlib.blake2b(doc_id.encode(), digest_size=4).hexdigest(), 16) % folds


def article_of(doc: Doc, key: str) -> dict[str, Any]:
    """A WMT document as the translation stage sees it (language taken from the WMT label)."""
    return {
        "id": key,
        "source": {"kind": "text", "uri": f"wmt:{doc.dataset}/{doc.doc_id}", "entry_id": None},
        "title": None,
        "text": doc.text,
        "repairs": [],
        "language": {"code": doc.lang, "confidence": 1.0, "alternatives": [], "declared": None, "mix": []},
        "translation": no_translation_evidence(),
    }
