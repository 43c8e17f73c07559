"""Device and precision selection (tuning/backends/device.py), run on this CPU host.

No Django and no GPU needed: everything here runs on the CPU build of torch.
"""
from __future__ import annotations

import pytest
import torch

from tuning.backends.base import TrainingConfig
from tuning.backends.batches import collate, encode_examples
from tuning.backends.device import (
    DeviceUnavailable,
    autocast,
    autocast_dtype,
    describe,
    model_device,
    new_tensors_on,
    pick_device,
)
from tuning.backends.local import LocalBackend
from tuning.backends.models import load_model_and_tokenizer, load_tokenizer

TINY = "tiny-smollm2"
HAS_CUDA = torch.cuda.is_available()
no_cuda_here = pytest.mark.skipif(HAS_CUDA, reason="this host has CUDA")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides tests/conftest.py's autouse fixture of this name (it needs the database)."""
    yield


@pytest.fixture(autouse=True)
def _no_device_env(monkeypatch):
    monkeypatch.delenv("TUNEMARKET_DEVICE", raising=False)
    monkeypatch.delenv("TUNEMARKET_PRECISION", raising=False)


def test_auto_picks_cuda_when_torch_sees_one_else_the_cpu(monkeypatch):
    expected = torch.device("cuda", 0) if HAS_CUDA else torch.device("cpu")
    assert pick_device() == expected
    assert pick_device("auto") == expected
    monkeypatch.setenv("TUNEMARKET_DEVICE", "auto")
    assert pick_device() == expected


def test_env_override_cpu_wins_over_auto_and_an_argument_wins_over_the_env(monkeypatch):
    monkeypatch.setenv("TUNEMARKET_DEVICE", "CPU ")
    assert pick_device() == torch.device("cpu")
    monkeypatch.setenv("TUNEMARKET_DEVICE", "cuda")
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device(torch.device("cpu")) == torch.device("cpu")


@no_cuda_here
@pytest.mark.parametrize("value", ["cuda", "cuda:0", "cuda:3"])
def test_asking_for_cuda_on_a_host_without_it_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("TUNEMARKET_DEVICE", value)
    with pytest.raises(DeviceUnavailable, match="sees no CUDA device on this host.*TUNEMARKET_DEVICE=cpu"):
        pick_device()


@pytest.mark.parametrize("value", ["banana", "mps", "meta"])
def test_an_unknown_or_unsupported_device_is_refused(value):
    with pytest.raises(DeviceUnavailable, match="auto, cpu, cuda"):
        pick_device(value)


def test_cpu_precision_is_fp32_with_autocast_a_no_op():
    cpu = torch.device("cpu")
    assert autocast_dtype(cpu) is None
    a, b = torch.randn(4, 8), torch.randn(8, 3)
    with autocast(cpu):
        assert not torch.is_autocast_enabled("cpu")
        product = a @ b
    assert product.dtype == torch.float32 and torch.equal(product, a @ b)
    assert describe(cpu) == {"device": "cpu", "name": "cpu", "precision": "fp32"}


def test_an_unknown_precision_is_refused(monkeypatch):
    monkeypatch.setenv("TUNEMARKET_PRECISION", "fp8")
    with pytest.raises(ValueError, match="TUNEMARKET_PRECISION='fp8'"):
        autocast_dtype(torch.device("cpu"))


def test_new_tensors_stay_on_the_cpu_and_a_cpu_batch_moves_to_itself():
    with new_tensors_on(torch.device("cpu")):
        assert torch.tensor([1, 2]).device.type == "cpu"
    tokenizer = load_tokenizer(TINY)
    config = TrainingConfig(base_model=TINY, max_seq_len=64)
    chats = encode_examples(tokenizer, config, [
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]},
        {"messages": [{"role": "user", "content": "two"}, {"role": "assistant", "content": "2"}]},
    ])
    batch = collate(chats, tokenizer.pad_token_id)
    assert batch.to(torch.device("cpu")) is batch


def test_model_device_reads_the_parameters():
    model, _ = load_model_and_tokenizer(TINY)
    assert model_device(model) == torch.device("cpu")
    assert model_device(torch.nn.Sequential()) == torch.device("cpu")


@no_cuda_here
def test_training_on_a_missing_gpu_fails_before_writing_anything(tmp_path):
    workdir = tmp_path / "work"
    backend = LocalBackend(num_threads=1, safety_mix=False, device="cuda")
    examples = [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}] * 4
    with pytest.raises(DeviceUnavailable):
        backend.train(TrainingConfig(base_model=TINY, n_epochs=1, batch_size=2), examples, [], workdir)
    assert not workdir.exists()


def test_training_with_device_cpu_runs_on_the_cpu_in_fp32(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNEMARKET_DEVICE", "cpu")
    backend = LocalBackend(num_threads=1, safety_mix=False)
    examples = [
        {"messages": [{"role": "user", "content": f"What is {n} plus {n}?"},
                      {"role": "assistant", "content": f"{n} plus {n} is {2 * n}."}]}
        for n in range(1, 5)
    ]
    config = TrainingConfig(base_model=TINY, n_epochs=1, batch_size=2, max_seq_len=64, seed=3)
    result = backend.train(config, examples, examples[:2], tmp_path / "work")
    assert result.status == "succeeded" and result.steps == 2
    from safetensors.torch import load_file

    weights = load_file(str(result.artifact_path / "adapter_model.safetensors"))
    assert weights and all(t.device.type == "cpu" and t.dtype == torch.float32 for t in weights.values())
