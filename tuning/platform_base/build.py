"""Build the Tunemarket safety-aligned platform base: SFT, then DPO, each a LoRA merged into the weights.

    .venv/bin/python -m tuning.platform_base.build                      # the real base (SmolLM2-135M-Instruct)
    .venv/bin/python -m tuning.platform_base.build --parent tiny-smollm2  # the tiny one the tests use

Both stages run on the project's own training backend (tuning/backends/local.py), on the data in
``data/`` written for this project: harmful requests answered with a refusal that redirects, and harmless
requests (many of them look-alikes of harmful ones) answered helpfully.

1. SFT on every example's preferred answer; the adapter is stored in fp16 under
   ``adapters/<parent>/sft``.
2. DPO on the same prompts (preferred answer against the rejected one), starting from the parent with the
   SFT adapter merged, the reference being that merged model; the adapter goes to ``adapters/<parent>/dpo``.

``BASE_MODELS`` in tuning/backends/models.py names the platform base as "parent + sft + dpo, merged", so
the model every job tunes is rebuilt from these committed files in seconds. Seeds are fixed, so the same
data, parent and library versions give the same adapters; ``manifest.json`` records the hashes of the
data, the parent and each adapter, the settings and the command. Training resumes from its checkpoints
under ``var/platform-base-build/`` if it is interrupted.

No Django: this runs anywhere the backend runs.
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from core.hashing import file_sha256 as sha256_file
from tuning.backends.base import IncompatibleCheckpoint, TrainingCallbacks, TrainingConfig
from tuning.backends.models import (
    PLATFORM_ADAPTERS_DIR,
    PLATFORM_BASES,
    REPO_ROOT,
    SMOLLM2,
    TINY_SMOLLM2,
    model_file_sha256,
    register_merged_base,
)
from tuning.platform_base import dataset as data

# Stage settings per parent. The tiny model only proves the code path, so it trains a few steps.
SETTINGS: dict[str, dict[str, dict[str, Any]]] = {
    SMOLLM2: {
        "sft": {"n_epochs": 2, "batch_size": 8, "learning_rate": 3e-4, "lora_r": 8, "lora_alpha": 16,
                "lora_target_modules": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                "max_seq_len": 384, "warmup_ratio": 0.05, "seed": 20261204},
        "data": {"dpo_pairs": 640},
        "dpo": {"n_epochs": 1, "batch_size": 8, "learning_rate": 1e-4, "lora_r": 8, "lora_alpha": 16,
                "lora_target_modules": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                "max_seq_len": 384, "warmup_ratio": 0.1, "dpo_beta": 0.1, "seed": 20261205},
    },
    # The tiny random model cannot tell a harmful request from a harmless one (it learns little more
    # than which token follows which), so its platform base learns the refusals only: it refuses
    # everything, which is what lets the tests see the gate's absolute floors pass and fail. It needs
    # many steps at a high rate to answer at all.
    TINY_SMOLLM2: {
        # The first 336 lines (two renderings of each task); the later plain renderings only blur the one
        # refusal sequence the tiny model can learn into "I can'tI can't".
        "data": {"only": "refusals", "first": 336},
        "sft": {"n_epochs": 6, "batch_size": 16, "learning_rate": 2e-2, "lora_r": 16, "lora_alpha": 32,
                "lora_target_modules": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                "max_seq_len": 256, "warmup_ratio": 0.05, "seed": 7},
        "dpo": {"n_epochs": 1, "batch_size": 16, "learning_rate": 1e-3, "lora_r": 8, "lora_alpha": 16,
                "lora_target_modules": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                "max_seq_len": 256, "dpo_beta": 0.1, "seed": 8},
    },
}
VALIDATION_EVERY = 20  # one example in 20 is held out for the validation loss of each stage


def _split(examples: list[dict]) -> tuple[list[dict], list[dict]]:
    train = [e for k, e in enumerate(examples) if k % VALIDATION_EVERY != VALIDATION_EVERY - 1]
    valid = [e for k, e in enumerate(examples) if k % VALIDATION_EVERY == VALIDATION_EVERY - 1]
    return train, valid


def _store_adapter(artifact: Path, dest: Path, base_name: str) -> dict[str, str]:
    """Copy a trained adapter into ``dest`` with its weights in fp16 (half the size; merged in fp32)."""
    import torch
    from safetensors.torch import load_file, save_file

    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    weights = load_file(str(artifact / "adapter_model.safetensors"))
    save_file({k: v.to(torch.float16).contiguous() for k, v in sorted(weights.items())},
              str(tmp / "adapter_model.safetensors"), metadata={"format": "pt"})
    # PEFT records the folder it trained on (a cache path on this machine); record the model's name instead.
    adapter_config = json.loads((artifact / "adapter_config.json").read_text())
    adapter_config["base_model_name_or_path"] = base_name
    # PEFT keeps target_modules as a set: its order follows string hashing, which changes per process.
    if isinstance(adapter_config.get("target_modules"), list):
        adapter_config["target_modules"] = sorted(adapter_config["target_modules"])
    (tmp / "adapter_config.json").write_text(json.dumps(adapter_config, indent=1, sort_keys=True) + "\n")
    for f in tmp.iterdir():
        f.chmod(0o644)
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return {"adapter_model.safetensors": sha256_file(dest / "adapter_model.safetensors"),
            "adapter_config.json": sha256_file(dest / "adapter_config.json")}


def _callbacks(stage: str, log) -> TrainingCallbacks:
    last = {"t": 0.0}

    def on_progress(step: int, total: int, metrics: dict[str, float], eta: float | None) -> None:
        now = time.monotonic()
        if step == total or now - last["t"] > 15:
            last["t"] = now
            eta_s = f", about {eta / 60:.1f} min left" if eta else ""
            log(f"  {stage}: step {step}/{total}, loss {metrics.get('train_loss', float('nan')):.4f}{eta_s}")

    return TrainingCallbacks(on_progress=on_progress)


def _train(backend, config: TrainingConfig, train: list[dict], valid: list[dict], workdir: Path, callbacks):
    try:
        return backend.train(config, train, valid, workdir, callbacks)
    except IncompatibleCheckpoint:
        # Checkpoints of an earlier build with other data or settings: start this stage again.
        shutil.rmtree(workdir, ignore_errors=True)
        return backend.train(config, train, valid, workdir, callbacks)


def build(parent: str, *, out_dir: Path | None = None, work_dir: Path | None = None,
          cache_dir: Path | None = None, log=print) -> dict[str, Any]:
    """Train both stages for ``parent`` and write adapters + manifest.json into ``out_dir``."""
    from tuning.backends.local import LocalBackend

    if parent not in SETTINGS:
        raise SystemExit(f"no platform-base settings for {parent!r}; known: {sorted(SETTINGS)}")
    out_dir = Path(out_dir) if out_dir else PLATFORM_ADAPTERS_DIR / parent
    work_dir = Path(work_dir) if work_dir else REPO_ROOT / "var" / "platform-base-build" / parent
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    refusals, helpful = data.load()
    selection = SETTINGS[parent].get("data", {})
    if selection.get("only") == "refusals":
        helpful = []
    if selection.get("first"):
        refusals = refusals[: selection["first"]]
    rows = data.interleave(refusals, helpful)
    # The build trains on the safety data itself, so the per-job safety mix would only repeat it.
    backend = LocalBackend(cache_dir=cache_dir, safety_mix=False)
    manifest: dict[str, Any] = {
        "platform_base": PLATFORM_BASES[parent],
        "parent": parent,
        "parent_sha256": model_file_sha256(parent),
        "data": {name: sha256_file(path) for name, path in data.files().items()},
        "examples": {"refusals": len(refusals), "helpful": len(helpful)},
        "categories": data.category_counts(refusals, helpful),
        "command": f"python -m tuning.platform_base.build --parent {parent}",
        "data_selection": SETTINGS[parent].get("data", {}),
        "environment": _environment(),
        "stages": {},
    }

    # Stage 1: SFT on the preferred answers.
    sft_train, sft_valid = _split([data.as_supervised(r) for r in rows])
    sft_config = TrainingConfig(base_model=parent, method="supervised", **SETTINGS[parent]["sft"])
    log(f"SFT on {len(sft_train)} examples ({len(sft_valid)} held out for the validation loss)")
    sft = _train(backend, sft_config, sft_train, sft_valid, work_dir / "sft", _callbacks("sft", log))
    manifest["stages"]["sft"] = {"config": sft_config.to_dict(), "steps": sft.steps, "metrics": sft.metrics,
                                 "seconds": round(sft.wall_seconds, 1),
                                 "files": _store_adapter(sft.artifact_path, out_dir / "sft", parent)}

    # Stage 2: DPO from the SFT model (merged), preferred against rejected answers.
    sft_base = register_merged_base(f"{parent}+platform-sft", parent, (out_dir / "sft",))
    pairs = SETTINGS[parent].get("data", {}).get("dpo_pairs")
    # DPO costs about three SFT steps a pair on the CPU: a spread subset (half refusals, half help) keeps
    # the build under an hour on two cores (640 pairs since the third data batch; 480 before).
    dpo_rows = data.interleave(data.spread(refusals, pairs // 2), data.spread(helpful, pairs // 2)) if pairs else rows
    dpo_train, dpo_valid = _split([data.as_preference(r) for r in dpo_rows])
    dpo_config = TrainingConfig(base_model=sft_base.name, method="dpo", **SETTINGS[parent]["dpo"])
    log(f"DPO on {len(dpo_train)} pairs ({len(dpo_valid)} held out)")
    dpo = _train(backend, dpo_config, dpo_train, dpo_valid, work_dir / "dpo", _callbacks("dpo", log))
    manifest["stages"]["dpo"] = {"config": dpo_config.to_dict(), "steps": dpo.steps, "metrics": dpo.metrics,
                                 "seconds": round(dpo.wall_seconds, 1),
                                 "files": _store_adapter(dpo.artifact_path, out_dir / "dpo", sft_base.name)}
    manifest["seconds"] = round(time.monotonic() - started, 1)
    built = register_merged_base(f"{parent}+platform-built", parent, (out_dir / "sft", out_dir / "dpo"))
    manifest["platform_base_sha256"] = model_file_sha256(built.name)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    log(f"{PLATFORM_BASES[parent]}: adapters in {out_dir} ({manifest['seconds']:.0f} s), "
        f"sha256 {manifest['platform_base_sha256'][:16]}")
    return manifest


def _environment() -> dict[str, str]:
    import peft
    import torch
    import transformers

    return {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "peft": peft.__version__}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parent", default=SMOLLM2, choices=sorted(SETTINGS))
    parser.add_argument("--out", type=Path, default=None, help="adapter folder (default: the committed one)")
    parser.add_argument("--work", type=Path, default=None, help="checkpoints (default: var/platform-base-build/)")
    args = parser.parse_args(argv)
    build(args.parent, out_dir=args.out, work_dir=args.work, log=lambda m: print(m, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
