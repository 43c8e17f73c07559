"""The local training backend, on the tiny random SmolLM2 (real tokenizer, real code path).

No Django here: run with ``.venv/bin/python -m pytest tests/tuning/test_backend_local.py -p no:django``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tuning.backends import ModelCache, load_model_and_tokenizer, load_tokenizer, model_file_sha256
from tuning.backends.base import (
    EmptyLossMask,
    IncompatibleCheckpoint,
    InvalidExample,
    InvalidTrainingConfig,
    TrainingCallbacks,
    TrainingConfig,
    get_backend,
)
from tuning.backends.chat import encode_chat, encode_preference_example
from tuning.backends.batches import collate, encode_examples, epoch_batches, sft_loss_sum
from tuning.backends.checkpoints import checkpoint_dirs
from tuning.backends.local import LocalBackend

TINY = "tiny-smollm2"
ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def chat(user: str, assistant: str, **extra) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant, **extra}]}


EXAMPLES = [chat(f"What is {n} plus {n}?", f"{n} plus {n} is {2 * n}.") for n in range(1, 9)]


def tiny_config(**overrides) -> TrainingConfig:
    settings = dict(
        base_model=TINY,
        n_epochs=2,
        batch_size=4,
        learning_rate=1e-2,
        warmup_ratio=0.0,
        lora_target_modules=ALL_LINEAR,
        max_seq_len=128,
        seed=7,
    )
    settings.update(overrides)
    return TrainingConfig(**settings)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides tests/conftest.py's autouse fixture of this name, which clears Django's
    cache and so needs the database: nothing here touches Django."""
    yield


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(TINY)


@pytest.fixture(scope="module")
def backend() -> LocalBackend:
    # One thread: the tiny model gains nothing from two, and it keeps the tests steady on a busy machine.
    # These tests count steps, checkpoints and resumes of the loop itself, so they build the backend
    # without the safety mix (which adds examples); tests/tuning/test_platform_base.py tests the mix.
    return LocalBackend(num_threads=1, safety_mix=False)


def trained_text(tokenizer, encoded) -> str:
    return tokenizer.decode([t for t, m in zip(encoded.input_ids, encoded.loss_mask) if m])


def adapter_tensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(path / "adapter_model.safetensors"))


# --- models ----------------------------------------------------------------------------


def test_tiny_model_has_smollm2_architecture_and_tokenizer():
    model, tok = load_model_and_tokenizer(TINY)
    assert type(model).__name__ == "LlamaForCausalLM"
    assert model.config.num_hidden_layers == 2 and model.config.hidden_size == 64
    assert not model.training and next(model.parameters()).dtype == torch.float32
    assert tok.eos_token == "<|im_end|>" and len(tok) == model.config.vocab_size
    rendered = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False)
    assert rendered.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    # Deterministic weights: two loads agree, and the recipe hash is stable.
    again, _ = load_model_and_tokenizer(TINY)
    assert torch.equal(model.lm_head.weight, again.lm_head.weight)
    assert model_file_sha256(TINY) == model_file_sha256(TINY) and len(model_file_sha256(TINY)) == 64


def test_model_cache_evicts_least_recently_used():
    cache = ModelCache(max_entries=2)
    loads = []

    def loader(key):
        return lambda: loads.append(key) or key

    cache.get_or_load("a", loader("a"))
    cache.get_or_load("b", loader("b"))
    cache.get_or_load("a", loader("a"))  # hit: "a" becomes the most recent
    cache.get_or_load("c", loader("c"))  # evicts "b"
    assert loads == ["a", "b", "c"]
    assert cache.keys() == ["a", "c"]
    cache.get_or_load("b", loader("b"))
    assert loads == ["a", "b", "c", "b"] and "a" not in cache and len(cache) == 2


# --- masking ---------------------------------------------------------------------------


def test_loss_mask_covers_assistant_content_and_end_of_turn_only(tokenizer):
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Tell me a joke"},
        {"role": "assistant", "content": "Why did the chicken cross the road?"},
    ]
    encoded = encode_chat(tokenizer, messages, max_seq_len=512)
    assert trained_text(tokenizer, encoded) == "Hello! How can I help?<|im_end|>Why did the chicken cross the road?<|im_end|>"
    # The whole sequence is exactly what the chat template renders.
    assert tokenizer.decode(encoded.input_ids) == tokenizer.apply_chat_template(messages, tokenize=False)
    # Each trained turn ends with <|im_end|>, and the newline after it is not trained.
    eot = tokenizer.convert_tokens_to_ids("<|im_end|>")
    ends = [t for t, m in enumerate(encoded.loss_mask) if m and encoded.input_ids[t] == eot]
    assert len(ends) == 2 and all(not encoded.loss_mask[t + 1] for t in ends)


def test_weight_zero_turn_is_context_not_target(tokenizer):
    messages = [
        {"role": "user", "content": "Tell me a joke"},
        {"role": "assistant", "content": "No.", "weight": 0},
        {"role": "user", "content": "Please?"},
        {"role": "assistant", "content": "Knock knock.", "weight": 1},
    ]
    encoded = encode_chat(tokenizer, messages, max_seq_len=512)
    assert trained_text(tokenizer, encoded) == "Knock knock.<|im_end|>"
    assert "No." in tokenizer.decode(encoded.input_ids)


@pytest.mark.parametrize(
    "messages",
    [
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": 0}],
        [{"role": "system", "content": "Be kind"}, {"role": "user", "content": "Hi"}],
    ],
    ids=["only-weight-0", "no-assistant"],
)
def test_example_with_nothing_to_learn_is_refused(tokenizer, messages):
    with pytest.raises(EmptyLossMask, match="nothing to learn"):
        encode_chat(tokenizer, messages, max_seq_len=512, index=3)


def test_template_that_drops_end_of_turn_is_refused(tokenizer):
    # A template whose assistant turns never end: the model would never learn to stop.
    broken = load_tokenizer(TINY)
    broken.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}"
        "{% if m['role'] != 'assistant' %}<|im_end|>{% endif %}\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    with pytest.raises(EmptyLossMask, match="end-of-turn"):
        encode_chat(broken, EXAMPLES[0]["messages"], max_seq_len=512)


def test_turn_cut_by_max_seq_len_is_dropped_and_all_cut_is_refused(tokenizer):
    long_answer = "word " * 60
    messages = [
        {"role": "user", "content": "Short?"},
        {"role": "assistant", "content": "Yes."},
        {"role": "user", "content": "Long?"},
        {"role": "assistant", "content": long_answer},
    ]
    encoded = encode_chat(tokenizer, messages, max_seq_len=64)
    assert encoded.n_tokens == 64 and encoded.truncated_turns == 1
    assert trained_text(tokenizer, encoded) == "Yes.<|im_end|>"
    with pytest.raises(EmptyLossMask, match="max_seq_len"):
        encode_chat(tokenizer, messages[2:], max_seq_len=32)


@pytest.mark.parametrize(
    "example",
    [
        {"messages": []},
        {"messages": [{"role": "robot", "content": "beep"}]},
        {"messages": [{"role": "user", "content": "hi", "weight": 1}, {"role": "assistant", "content": "yo"}]},
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo", "weight": 0.5}]},
        {"messages": [{"role": "assistant", "content": "I speak first"}]},
        {"prompt": "not a chat"},
    ],
)
def test_malformed_examples_are_refused(tokenizer, example):
    with pytest.raises(InvalidExample):
        encode_examples(tokenizer, tiny_config(), [EXAMPLES[0], example])


def test_prepare_reports_stats_and_refuses_bad_data_before_training(backend, tmp_path):
    stats = backend.prepare(tiny_config(), EXAMPLES, EXAMPLES[:2])
    assert stats["n_examples"] == 8 and stats["total_steps"] == 4
    assert 0 < stats["trained_tokens_per_epoch"] < stats["total_tokens_per_epoch"]
    bad = [*EXAMPLES, {"messages": [{"role": "user", "content": "x"}]}]
    with pytest.raises(EmptyLossMask) as caught:
        backend.train(tiny_config(), bad, [], tmp_path)
    assert caught.value.index == 8
    assert checkpoint_dirs(tmp_path) == []


# --- the loss ----------------------------------------------------------------------------


@pytest.mark.parametrize("share_prefix", [False, True])
def test_loss_equals_transformers_full_logits_loss(backend, tokenizer, share_prefix):
    """Applying the LM head only to trained positions, and running the shared system
    prompt once, do not change the loss."""
    config = tiny_config()
    model, _ = backend.build_peft_model(config)
    items = encode_examples(tokenizer, config, EXAMPLES[:3] + [chat("Why?", "Because the sky is blue today.")])
    batch = collate(items, tokenizer.pad_token_id, share_prefix=share_prefix)
    assert batch.attention_mask is not None  # the batch is padded
    assert (batch.prefix_ids is not None) == share_prefix
    width = max(item.n_tokens for item in items)
    ids = torch.full((len(items), width), tokenizer.pad_token_id)
    attention = torch.zeros((len(items), width), dtype=torch.long)
    labels = torch.full((len(items), width), -100)
    for b, item in enumerate(items):
        ids[b, : item.n_tokens] = torch.tensor(item.input_ids)
        attention[b, : item.n_tokens] = 1
        labels[b, : item.n_tokens] = torch.where(
            torch.tensor(item.loss_mask), torch.tensor(item.input_ids), torch.tensor(-100)
        )
    with torch.no_grad():
        reference = model(input_ids=ids, attention_mask=attention, labels=labels).loss
        ours, _ = sft_loss_sum(model, batch)
    assert batch.n_targets == sum(item.n_trained for item in items)
    assert abs(float(ours) / batch.n_targets - float(reference)) < 1e-5


def test_shared_prefix_gives_the_same_gradients(backend, tokenizer):
    config = tiny_config()
    model, _ = backend.build_peft_model(config)
    # A trained adapter, so that gradients reach the prefix through non-zero LoRA paths.
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.05)
    items = encode_examples(tokenizer, config, EXAMPLES[:4])
    grads = []
    for share in (False, True):
        batch = collate(items, tokenizer.pad_token_id, share_prefix=share)
        loss, _ = sft_loss_sum(model, batch)
        model.zero_grad()
        loss.backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad})
    plain, shared = grads
    assert plain.keys() == shared.keys() and len(plain) == 28
    assert all(torch.allclose(plain[n], shared[n], rtol=1e-4, atol=1e-6) for n in plain)
    assert any(float(g.abs().max()) > 0 for g in plain.values())


def test_epoch_order_is_a_deterministic_permutation_per_epoch():
    lengths = [5, 90, 12, 40, 41, 7, 66, 3, 25, 19]
    first = epoch_batches(lengths, 3, seed=1, epoch=0)
    assert sorted(i for batch in first for i in batch) == list(range(10))
    assert epoch_batches(lengths, 3, seed=1, epoch=0) == first
    assert epoch_batches(lengths, 3, seed=1, epoch=1) != first
    assert all(len(batch) <= 3 for batch in first)


# --- training ----------------------------------------------------------------------------


def test_training_reduces_validation_loss(backend, tokenizer, tmp_path):
    config = tiny_config(n_epochs=6)
    fresh, _ = backend.build_peft_model(config)
    encoded = encode_examples(tokenizer, config, EXAMPLES)
    before = backend.evaluate(fresh, config, encoded, tokenizer.pad_token_id)["valid_loss"]

    result = backend.train(config, EXAMPLES, EXAMPLES, tmp_path)

    assert result.status == "succeeded" and result.steps == result.total_steps == 12
    assert result.metrics["valid_loss"] < before - 0.5
    assert result.trained_tokens == 6 * sum(e.n_trained for e in encoded)
    assert (result.artifact_path / "adapter_model.safetensors").is_file()


def test_checkpoints_are_written_every_n_steps_and_at_the_end(backend, tmp_path):
    seen = []
    callbacks = TrainingCallbacks(on_checkpoint=lambda step, path, metrics: seen.append((step, path)))
    result = backend.train(tiny_config(n_epochs=3, checkpoint_every_steps=4), EXAMPLES, EXAMPLES[:2], tmp_path, callbacks)

    assert [step for step, _ in seen] == [4, 6]
    assert checkpoint_dirs(tmp_path) == [path for _, path in seen] == result.checkpoints
    for step, path in seen:
        assert {p.name for p in path.iterdir()} == {"adapter_model.safetensors", "trainer_state.pt", "state.json"}
        assert json.loads((path / "state.json").read_text())["state"]["step"] == step
    assert "valid_loss" in json.loads((seen[-1][1] / "state.json").read_text())["state"]["metrics"]


class Crash(Exception):
    pass


def test_run_resumed_after_crash_ends_like_uninterrupted_run(backend, tmp_path):
    # Dropout and gradient accumulation make the RNG state and the data position matter.
    config = tiny_config(
        n_epochs=3, batch_size=2, gradient_accumulation_steps=2, lora_dropout=0.1,
        checkpoint_every_steps=2, eval_every_steps=3, warmup_ratio=0.2,
    )
    reference = backend.train(config, EXAMPLES, EXAMPLES[:3], tmp_path / "straight")

    def crash_after_step_5(step, total, metrics, eta):
        if step == 5:
            raise Crash()

    crashed = tmp_path / "crashed"
    with pytest.raises(Crash):
        backend.train(config, EXAMPLES, EXAMPLES[:3], crashed, TrainingCallbacks(on_progress=crash_after_step_5))
    assert [p.name for p in checkpoint_dirs(crashed)] == ["step-000002", "step-000004"]

    resumed = backend.train(config, EXAMPLES, EXAMPLES[:3], crashed)

    assert resumed.resumed_from_step == 4 and reference.resumed_from_step is None
    assert resumed.steps == reference.steps == 6
    assert resumed.trained_tokens == reference.trained_tokens
    assert resumed.metrics["train_loss"] == pytest.approx(reference.metrics["train_loss"], abs=1e-6)
    assert resumed.metrics["valid_loss"] == pytest.approx(reference.metrics["valid_loss"], abs=1e-6)
    ours, theirs = adapter_tensors(resumed.artifact_path), adapter_tensors(reference.artifact_path)
    assert ours.keys() == theirs.keys()
    assert all(torch.allclose(ours[k], theirs[k], atol=1e-6) for k in ours)


def test_resume_refuses_a_checkpoint_from_another_dataset(backend, tmp_path):
    backend.train(tiny_config(n_epochs=1), EXAMPLES, [], tmp_path)
    with pytest.raises(IncompatibleCheckpoint):
        backend.train(tiny_config(n_epochs=1), EXAMPLES[:6], [], tmp_path)


def test_cancel_is_honoured_within_one_step(backend, tmp_path):
    steps_seen = []
    callbacks = TrainingCallbacks(
        on_progress=lambda step, total, metrics, eta: steps_seen.append((step, total, eta)),
        should_stop=lambda: len(steps_seen) >= 3,
    )
    result = backend.train(tiny_config(n_epochs=5), EXAMPLES, [], tmp_path, callbacks)

    assert result.status == "cancelled" and result.artifact_path is None
    assert result.steps == 3 and [s for s, _, _ in steps_seen] == [1, 2, 3]
    assert all(total == 10 and eta >= 0 for _, total, eta in steps_seen)
    assert not (tmp_path / "artifact").exists()


def test_early_stopping_stops_when_validation_stops_improving(backend, tmp_path):
    # A min_delta no real improvement can meet: the second evaluation counts as no better.
    config = tiny_config(n_epochs=5, eval_every_steps=2, early_stopping_patience=1, early_stopping_min_delta=100.0)
    metrics_seen = []
    result = backend.train(
        config, EXAMPLES, EXAMPLES[:2], tmp_path, TrainingCallbacks(on_metrics=lambda s, m: metrics_seen.append(s))
    )
    assert result.status == "early_stopped"
    assert result.steps == 4 < result.total_steps and metrics_seen == [2, 4]
    assert result.artifact_path is not None and checkpoint_dirs(tmp_path)[-1].name == "step-000004"


# --- DPO -------------------------------------------------------------------------------

PREFERENCES = [
    {
        "input": {"messages": [{"role": "user", "content": f"Say something kind about {name}."}]},
        "preferred_output": [{"role": "assistant", "content": f"{name} is generous and thoughtful."}],
        "non_preferred_output": [{"role": "assistant", "content": f"{name} is boring."}],
    }
    for name in ["Ana", "Ben", "Cleo", "Dev"]
]


def test_preference_example_masks_only_the_two_answers(tokenizer):
    pair = encode_preference_example(tokenizer, PREFERENCES[0], max_seq_len=256)
    assert trained_text(tokenizer, pair.chosen) == "Ana is generous and thoughtful.<|im_end|>"
    assert trained_text(tokenizer, pair.rejected) == "Ana is boring.<|im_end|>"
    same = {**PREFERENCES[0], "non_preferred_output": PREFERENCES[0]["preferred_output"]}
    with pytest.raises(InvalidExample, match="identical"):
        encode_preference_example(tokenizer, same, max_seq_len=256)


def test_dpo_training_increases_preferred_margin(backend, tokenizer, tmp_path):
    config = tiny_config(method="dpo", n_epochs=4, batch_size=2, learning_rate=5e-3, dpo_beta=0.5)
    fresh, _ = backend.build_peft_model(config)
    pairs = encode_examples(tokenizer, config, PREFERENCES)
    before = backend.evaluate(fresh, config, pairs, tokenizer.pad_token_id)
    # With a fresh adapter the policy is the reference: no margin, loss log(2).
    assert abs(before["valid_reward_margin"]) < 1e-6
    assert before["valid_loss"] == pytest.approx(0.6931, abs=1e-3)

    result = backend.train(config, PREFERENCES, PREFERENCES, tmp_path)

    assert result.status == "succeeded" and result.steps == 8
    assert result.metrics["valid_reward_margin"] > 0.1
    assert result.metrics["valid_reward_accuracy"] == 1.0
    assert result.metrics["valid_loss"] < 0.69


# --- inference -------------------------------------------------------------------------


def test_trained_adapter_loads_for_inference_and_generates(backend, tmp_path):
    result = backend.train(tiny_config(n_epochs=3), EXAMPLES, [], tmp_path)
    meta = backend.artifact_metadata(result.artifact_path)
    assert meta["base_model"] == TINY and meta["base_model_sha256"] == model_file_sha256(TINY)

    tuned, tokenizer = backend.load_for_inference(TINY, result.artifact_path)
    base, _ = backend.load_for_inference(TINY)
    assert backend.load_for_inference(TINY, result.artifact_path)[0] is tuned  # cached

    messages = [{"role": "user", "content": "What is 3 plus 3?"}]
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True)
    ids = torch.tensor([prompt["input_ids"]])
    with torch.no_grad():
        assert not torch.allclose(tuned(ids).logits, base(ids).logits, atol=1e-4)  # the adapter is applied

    reply = backend.generate(tuned, tokenizer, messages, max_new_tokens=8)
    assert reply.prompt_tokens == len(prompt["input_ids"])
    assert 1 <= reply.completion_tokens <= 8 and isinstance(reply.text, str)
    assert reply.finish_reason in ("stop", "length")
    assert backend.generate(tuned, tokenizer, messages, max_new_tokens=8) == reply  # greedy is deterministic

    with pytest.raises(ValueError, match="trained on"):
        backend.load_for_inference("SmolLM2-135M-Instruct", result.artifact_path)


def test_config_validation_and_round_trip():
    config = tiny_config(lora_target_modules=["q_proj", "v_proj"])
    assert TrainingConfig.from_dict(config.to_dict()) == config
    assert TrainingConfig(base_model=TINY, learning_rate_multiplier=2.0).effective_learning_rate == pytest.approx(4e-4)
    with pytest.raises(InvalidTrainingConfig):
        TrainingConfig(base_model=TINY, n_epochs=0)
    with pytest.raises(InvalidTrainingConfig, match="unknown"):
        TrainingConfig.from_dict({"base_model": TINY, "epochs": 3})
    with pytest.raises(KeyError):
        get_backend("quantum")
    assert isinstance(get_backend("local"), LocalBackend) and get_backend("local") is get_backend("local")
    with pytest.raises(InvalidTrainingConfig, match="not available"):
        LocalBackend().prepare(TrainingConfig(base_model="gpt-7"), EXAMPLES)
