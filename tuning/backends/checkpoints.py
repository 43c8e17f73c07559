"""Resumable training state: the loop's position, RNG states and the adapter, written atomically and
read back only for the same config and data."""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tuning.backends.base import IncompatibleCheckpoint
from tuning.backends.chat import EncodedChat, EncodedPair

CHECKPOINT_FORMAT = 1


# --- checkpoints -----------------------------------------------------------------------


@dataclass
class LoopState:
    step: int = 0
    epoch: int = 0
    # Index of the next micro-batch within the epoch's order.
    batch_in_epoch: int = 0
    trained_tokens: int = 0
    best_valid_loss: float | None = None
    evals_without_improvement: int = 0
    early_stopped: bool = False
    metrics: dict[str, float] = field(default_factory=dict)


def _rng_states() -> dict[str, Any]:
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "python": random.getstate(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
        # Only on a CUDA host (dropout on the GPU draws from these); a CPU host ignores them on resume.
        **({"cuda": torch.cuda.get_rng_state_all()} if torch.cuda.is_available() else {}),
    }


def _restore_rng_states(states: dict[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    random.setstate(_as_tuples(states["python"]))
    kind, keys, pos, has_gauss, cached = states["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    cuda = states.get("cuda")
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


def _as_tuples(value: Any) -> Any:
    return tuple(_as_tuples(v) for v in value) if isinstance(value, (list, tuple)) else value


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def checkpoint_dirs(workdir: Path) -> list[Path]:
    """Complete checkpoints in ``workdir``, oldest first."""
    root = Path(workdir) / "checkpoints"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.name.startswith("step-") and (p / "state.json").is_file()]
    return sorted(found, key=lambda p: int(p.name.split("-")[1]))


def _adapter_state(model: Any) -> dict[str, torch.Tensor]:
    from peft import get_peft_model_state_dict

    # On the CPU (a copy either way), so a checkpoint written on a GPU host resumes on any host.
    return {k: v.detach().to("cpu", copy=True).contiguous() for k, v in get_peft_model_state_dict(model).items()}


def _write_checkpoint(
    workdir: Path,
    model: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    state: LoopState,
    identity: dict[str, Any],
) -> Path:
    from safetensors.torch import save_file

    root = Path(workdir) / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step-{state.step:06d}"
    tmp = root / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_file(_adapter_state(model), str(tmp / "adapter_model.safetensors"))
    torch.save(
        {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": _rng_states()},
        tmp / "trainer_state.pt",
    )
    # state.json is written last: a directory without it is not a checkpoint.
    (tmp / "state.json").write_text(
        json.dumps({"format": CHECKPOINT_FORMAT, "state": state.__dict__, **identity}, indent=1, sort_keys=True)
    )
    if final.exists():
        shutil.rmtree(final)
    os.rename(tmp, final)
    return final


def _read_checkpoint(
    path: Path, model: Any, optimizer: torch.optim.Optimizer, scheduler: Any, identity: dict[str, Any]
) -> LoopState:
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    saved = json.loads((path / "state.json").read_text())
    for key, value in identity.items():
        if saved.get(key) != value:
            raise IncompatibleCheckpoint(
                f"checkpoint {path} was written for a different {key.replace('_', ' ')}; "
                "use a fresh work directory for a different job"
            )
    set_peft_model_state_dict(model, load_file(str(path / "adapter_model.safetensors")))
    # map_location: the optimizer moves its state to its parameters' device when it loads it.
    trainer_state = torch.load(path / "trainer_state.pt", weights_only=True, map_location="cpu")
    optimizer.load_state_dict(trainer_state["optimizer"])
    scheduler.load_state_dict(trainer_state["scheduler"])
    _restore_rng_states(trainer_state["rng"])
    return LoopState(**saved["state"])


def _data_fingerprint(encoded: Sequence[EncodedChat | EncodedPair]) -> str:
    digest = hashlib.sha256()
    for item in encoded:
        chats = (item.chosen, item.rejected) if isinstance(item, EncodedPair) else (item,)
        for chat in chats:
            digest.update(np.asarray(chat.input_ids, dtype=np.int64).tobytes())
            digest.update(np.asarray(chat.loss_mask, dtype=np.bool_).tobytes())
        digest.update(b"|")
    return digest.hexdigest()
