"""The safety-aligned platform base and the safety mix every job trains with (tiny model, real code path).

No Django here: run with ``.venv/bin/python -m pytest tests/tuning/test_platform_base.py -p no:django``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tuning.backends.base import InvalidTrainingConfig, TrainingConfig
from tuning.backends.local import LocalBackend
from tuning.backends.models import (
    BASE_MODELS,
    PLATFORM_ADAPTERS_DIR,
    SMOLLM2,
    TINY_SAFE,
    TINY_SMOLLM2,
    TUNEMARKET_SAFE,
    load_model_and_tokenizer,
    model_file_sha256,
    platform_base_of,
)
from tuning.platform_base import build, dataset


def test_every_public_base_model_runs_as_its_platform_base():
    assert platform_base_of(SMOLLM2) == TUNEMARKET_SAFE
    assert platform_base_of(TINY_SMOLLM2) == TINY_SAFE
    assert platform_base_of(TUNEMARKET_SAFE) == TUNEMARKET_SAFE
    for name in (TUNEMARKET_SAFE, TINY_SAFE):
        spec = BASE_MODELS[name]
        assert spec.source == "merged" and [a.rsplit("/", 1)[1] for a in spec.adapters] == ["sft", "dpo"]


@pytest.mark.parametrize("parent", [SMOLLM2, TINY_SMOLLM2])
def test_the_committed_adapters_carry_a_manifest_with_their_hashes(parent):
    folder = PLATFORM_ADAPTERS_DIR / parent
    manifest = json.loads((folder / "manifest.json").read_text())
    for stage in ("sft", "dpo"):
        files = manifest["stages"][stage]["files"]
        assert files["adapter_model.safetensors"] == build.sha256_file(folder / stage / "adapter_model.safetensors")
    assert manifest["data"] == {name: build.sha256_file(path) for name, path in dataset.files().items()}, (
        "the data changed since the adapters were built: rebuild them with " + manifest["command"])
    assert manifest["command"] == f"python -m tuning.platform_base.build --parent {parent}"


def _stage_files(manifest: dict) -> dict:
    return {stage: manifest["stages"][stage]["files"] for stage in ("sft", "dpo")}


def test_the_tiny_platform_base_rebuilds_to_the_committed_adapters_or_reproducibly_on_this_cpu(tmp_path):
    """The committed command rebuilds the committed adapters bit for bit on the kind of CPU that built
    them. Training a random-weights model is chaotic, so on another CPU (AMD's float kernels differ
    from Intel's in the last bits) the weights diverge: there the build must at least reproduce
    itself exactly, which is what lets anyone re-derive the adapters from the data."""
    manifest = build.build(TINY_SMOLLM2, out_dir=tmp_path / "out", work_dir=tmp_path / "work", log=lambda m: None)
    committed = json.loads((PLATFORM_ADAPTERS_DIR / TINY_SMOLLM2 / "manifest.json").read_text())
    assert manifest["data"] == committed["data"] and manifest["parent_sha256"] == committed["parent_sha256"]
    if _stage_files(manifest) == _stage_files(committed):
        assert manifest["platform_base_sha256"] == model_file_sha256(TINY_SAFE)
        return
    again = build.build(TINY_SMOLLM2, out_dir=tmp_path / "out2", work_dir=tmp_path / "work2", log=lambda m: None)
    assert _stage_files(again) == _stage_files(manifest)
    assert again["platform_base_sha256"] == manifest["platform_base_sha256"]


def test_the_platform_base_is_its_parent_with_the_adapters_merged():
    parent, _ = load_model_and_tokenizer(TINY_SMOLLM2)
    safe, tokenizer = load_model_and_tokenizer(TINY_SAFE)
    p, s = dict(parent.named_parameters()), dict(safe.named_parameters())
    assert p.keys() == s.keys()
    changed = [k for k in p if not torch.equal(p[k], s[k])]
    # Only the LoRA target projections change; embeddings and norms are the parent's.
    assert changed and all(k.endswith("_proj.weight") for k in changed)
    assert not [k for k in changed if "embed" in k or "norm" in k]
    assert tokenizer.chat_template
    assert model_file_sha256(TINY_SAFE) != model_file_sha256(TINY_SMOLLM2)


def test_every_job_trains_with_a_spread_safety_sample():
    examples, record = dataset.safety_mix(40, method="supervised", seed=3)
    assert record["n"] == len(examples) == dataset.SAFETY_MIX_MIN
    refusal_ids = [i for i in record["ids"] if i.startswith("r-")]
    helpful_ids = [i for i in record["ids"] if i.startswith("h-")]
    assert len(refusal_ids) == len(helpful_ids) == dataset.SAFETY_MIX_MIN // 2
    assert len({i.split("-")[1] for i in refusal_ids}) == len(refusal_ids), "one refusal per harm category"
    assert dataset.safety_mix(40, method="supervised", seed=3) == (examples, record)
    assert dataset.safety_mix(40, method="supervised", seed=4)[1]["ids"] != record["ids"]
    big, big_record = dataset.safety_mix(10_000, method="dpo", seed=3)
    assert big_record["n"] == dataset.SAFETY_MIX_MAX and "preferred_output" in big[0]


def test_the_backend_adds_the_safety_mix_and_records_it(tmp_path):
    examples = [{"messages": [{"role": "user", "content": f"What is {n} plus {n}?"},
                              {"role": "assistant", "content": f"{2 * n}."}]} for n in range(12)]
    config = TrainingConfig(base_model=TINY_SMOLLM2, n_epochs=1, batch_size=4, max_seq_len=256, seed=1)
    backend = LocalBackend()
    stats = backend.prepare(config, examples)
    assert stats["safety_examples"] == dataset.SAFETY_MIX_MIN
    assert stats["n_examples"] == len(examples) + dataset.SAFETY_MIX_MIN
    result = backend.train(config, examples, examples[:2], tmp_path)
    meta = LocalBackend.artifact_metadata(result.artifact_path)
    assert meta["safety_mix"]["n"] == dataset.SAFETY_MIX_MIN and meta["safety_mix"]["categories"]


def test_no_training_setting_turns_the_safety_mix_off():
    for key in ("safety_mix", "skip_safety_mix", "no_safety"):
        with pytest.raises(InvalidTrainingConfig):
            TrainingConfig.from_dict({"base_model": TINY_SMOLLM2, key: False})
