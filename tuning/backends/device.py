"""Where the model runs and at what precision: CUDA when present, else the CPU.

- ``pick_device(requested)``: the device from the argument, else ``TUNEMARKET_DEVICE``
  (``auto``, ``cpu``, ``cuda``, ``cuda:1``…), else ``auto``: the first CUDA device when
  torch sees one, the CPU otherwise. Asking for CUDA where there is none raises
  ``DeviceUnavailable`` with what torch sees, rather than quietly training on the CPU.
- ``autocast(device)``: bf16 autocast on CUDA (when the card supports bf16 and
  ``TUNEMARKET_PRECISION`` is not ``fp32``); a no-op on the CPU, so the CPU path computes
  exactly what it computed before this module existed (fp32).
- ``new_tensors_on(device)``: the default device for tensors created without one, for code
  that builds its own input tensors (the evaluator's scoring); a no-op on the CPU.

Plain torch, no Django: the training backend and the evaluator both call it.
"""
from __future__ import annotations

import contextlib
import os
from typing import Any

import torch

DEVICE_ENV = "TUNEMARKET_DEVICE"
PRECISION_ENV = "TUNEMARKET_PRECISION"
PRECISIONS = ("auto", "bf16", "fp32")


class DeviceUnavailable(RuntimeError):
    """The configured device does not exist on this host."""


def pick_device(requested: str | torch.device | None = None) -> torch.device:
    """The device to train or evaluate on (see the module docstring)."""
    if isinstance(requested, torch.device):
        value = str(requested)
    else:
        value = (requested or os.environ.get(DEVICE_ENV, "") or "auto").strip().lower()
    if value == "auto":
        return torch.device("cuda:0") if torch.cuda.is_available() else torch.device("cpu")
    try:
        device = torch.device(value)
    except RuntimeError as exc:
        raise DeviceUnavailable(
            f"{DEVICE_ENV}={value!r} is not a device; use auto, cpu, cuda or cuda:N"
        ) from exc
    if device.type == "cpu":
        return torch.device("cpu")
    if device.type != "cuda":
        raise DeviceUnavailable(f"{DEVICE_ENV}={value!r}: only auto, cpu, cuda or cuda:N are supported")
    if not torch.cuda.is_available():
        raise DeviceUnavailable(
            f"{DEVICE_ENV}={value!r} but torch {torch.__version__} sees no CUDA device on this host "
            f"(built with CUDA {torch.version.cuda or 'none'}); set {DEVICE_ENV}=cpu or auto, "
            "or run this worker on a GPU host"
        )
    index = 0 if device.index is None else device.index
    if index >= torch.cuda.device_count():
        raise DeviceUnavailable(
            f"{DEVICE_ENV}={value!r} but this host has {torch.cuda.device_count()} CUDA device(s)"
        )
    return torch.device("cuda", index)


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """bf16 on a CUDA device that supports it, unless TUNEMARKET_PRECISION=fp32; None (fp32) otherwise."""
    precision = os.environ.get(PRECISION_ENV, "auto").strip().lower() or "auto"
    if precision not in PRECISIONS:
        raise ValueError(f"{PRECISION_ENV}={precision!r}; use one of {', '.join(PRECISIONS)}")
    if device.type != "cuda" or precision == "fp32":
        return None
    if not torch.cuda.is_bf16_supported():
        if precision == "bf16":
            raise DeviceUnavailable(f"{PRECISION_ENV}=bf16 but {torch.cuda.get_device_name(device)} has no bf16")
        return None
    return torch.bfloat16


def autocast(device: torch.device):
    """A context that runs the forward pass in bf16 on CUDA; ``nullcontext`` on the CPU."""
    dtype = autocast_dtype(device)
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def new_tensors_on(device: torch.device):
    """Tensors created without a device inside this context land on ``device``; no-op on the CPU."""
    if device.type == "cpu":
        return contextlib.nullcontext()
    return torch.device(device)


def model_device(model: Any) -> torch.device:
    """The device of a model's parameters (the CPU for a model without any)."""
    for parameter in model.parameters():
        return parameter.device
    return torch.device("cpu")


def describe(device: torch.device) -> dict[str, str]:
    """For reports and logs: the device and the precision its forward passes run at."""
    dtype = autocast_dtype(device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    return {"device": str(device), "name": name, "precision": "bf16-autocast" if dtype else "fp32"}
