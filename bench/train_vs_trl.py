"""Training speed: TRL's SFTTrainer vs Tunemarket's local backend, side by side.

Both train the real SmolLM2-135M-Instruct (fp32, CPU) with the same LoRA (r=8, alpha=16,
dropout 0, on q_proj and v_proj), the same 64 short chats, batch 8, learning rate 2e-4
with a linear schedule and no warm-up, loss on assistant tokens only. Each trainer runs
in its own process so that its peak RSS is its own; they run one after the other on the
same machine.

    .venv/bin/python bench/train_vs_trl.py            # about 5 minutes on 2 cores

TRL lives in its own virtualenv so the project's stays as pinned; that venv reuses the
project's torch and transformers through a .pth file, so both sides run the same
versions:

    .venv/bin/python -m venv bench/.venv-trl
    echo "$PWD/.venv/lib/python3.11/site-packages" > bench/.venv-trl/lib/python3.11/site-packages/main.pth
    bench/.venv-trl/bin/pip install trl==1.16.0

Reported: trained tokens/s (tokens that carry loss, over all epochs, divided by the
wall time of the training call), that wall time, peak RSS, the ratio to TRL; and a
parity check: the loss of TRL's first batch computed by both implementations at step 1
must agree within 1e-4, and both must tokenize and mask every example identically.

TRL runs twice: with its defaults (gradient checkpointing on, as SFTConfig sets it) and
with gradient checkpointing off, its fastest fp32 setting here.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRL_PYTHON = REPO / "bench" / ".venv-trl" / "bin" / "python"
MODEL = "SmolLM2-135M-Instruct"
LORA = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}
BATCH_SIZE = 8
LEARNING_RATE = 2e-4
SEED = 0
PARITY_TOLERANCE = 1e-4

# SmolLM2's chat template with {% generation %} markers around what an assistant turn
# generates (its content and <|im_end|>), so that TRL's assistant_only_loss trains the
# same tokens as the local backend. It renders exactly like the original template.
TRL_TRAINING_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}"
    "{% endif %}"
    "{% if message['role'] == 'assistant' %}"
    "{{ '<|im_start|>assistant\\n' }}{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}{{ '\\n' }}"
    "{% else %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# --- the data ----------------------------------------------------------------------------

_NAMES = ["Priya", "Tom", "Aisha", "Mateo", "Chen", "Olivia", "Kwame", "Sofia", "Liam", "Yuki", "Noah", "Fatima"]
_PRODUCTS = ["the Basic plan", "the Pro plan", "the Team plan", "the mobile app", "the desktop app", "the API"]
_CITIES = ["Melbourne", "Perth", "Leeds", "Toronto", "Nairobi", "Lisbon", "Osaka", "Denver"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_SINGLE_TURN = [
    (
        "Hi, I was charged twice for {product} this month. Can you help?",
        "Sorry about that, {name}. I can see two charges for {product}. I have refunded the duplicate; "
        "it should reach your card within 5 business days.",
    ),
    (
        "How do I reset my password?",
        'Open the sign-in page, choose "Forgot password" and enter your email. '
        "You will get a reset link that is valid for one hour.",
    ),
    (
        "Can I switch from {product} to a cheaper plan?",
        "Yes. Go to Settings, then Billing, and pick the new plan. The change applies at the start "
        "of your next billing period, so you keep your current features until then.",
    ),
    (
        "What are your support hours in {city}?",
        "Our team in {city} answers chats from 8 am to 6 pm local time, Monday to Friday. "
        "Outside those hours you can leave a message and we reply the next morning.",
    ),
    (
        "My order hasn't arrived yet. It was due on {day}.",
        "I'm sorry for the wait, {name}. The courier shows a delay at the {city} depot. "
        "Your parcel should arrive within two days, and I've added free shipping to your next order.",
    ),
    (
        "Explain photosynthesis to a ten year old.",
        "Plants make their own food. Their leaves catch sunlight and use it to turn water and "
        "air into sugar, and they breathe out the oxygen we need.",
    ),
    (
        "What's the difference between a simile and a metaphor?",
        'A simile compares two things using "like" or "as": "brave as a lion". '
        'A metaphor says one thing is another: "she is a lion in meetings".',
    ),
    (
        "Give me a quick tip for remembering the planets in order.",
        'Try the sentence "My Very Easy Method Just Speeds Up Naming": Mercury, Venus, Earth, '
        "Mars, Jupiter, Saturn, Uranus, Neptune.",
    ),
    (
        "Is it safe to take ibuprofen with paracetamol?",
        "For most adults, taking them together at normal doses is considered safe, but check the "
        "label and ask a pharmacist or doctor, especially if you have stomach, kidney or heart problems.",
    ),
    (
        "How many days of annual leave do new staff get?",
        "New full-time staff get 20 days of annual leave a year, plus public holidays. "
        "Leave builds up from your first day and you can book it in the HR portal.",
    ),
    (
        "Can you write a one-line job ad for a junior data analyst in {city}?",
        "Junior Data Analyst, {city}: turn messy data into clear answers with a friendly team; "
        "SQL and curiosity required, mentoring included.",
    ),
    (
        'Translate "Where is the train station?" into Portuguese.',
        '"Onde fica a estação de comboios?" in European Portuguese, or '
        '"Onde fica a estação de trem?" in Brazil.',
    ),
    (
        "Summarise the main risk of our move to {product} in one sentence.",
        "The main risk is migration downtime: if the data import fails, teams lose a working day, "
        "so plan the switch for a {day} evening with a tested rollback.",
    ),
    (
        "Do you ship to {city}?",
        "Yes, we ship to {city}. Standard delivery takes 3 to 5 business days and express delivery takes 1 to 2.",
    ),
    (
        "I'd like to cancel {product}.",
        "I can help with that, {name}. Your subscription to {product} will end at the close of "
        "this billing period and you won't be charged again. Is there anything we could have done better?",
    ),
    (
        "What's a good way to start a difficult conversation with my manager?",
        "Ask for a short private meeting, start with the outcome you both want, describe one "
        "specific example, and then ask for their view before proposing a fix.",
    ),
]
_FOLLOW_UPS = [
    ("Thanks! And how long does that take?", "Usually a few minutes. If it takes longer, reply here and I'll check."),
    ("Great, thank you.", "You're welcome, {name}. Have a good {day}!"),
    ("Can you send that to my email too?", "Done. A copy is on its way to the address on your account."),
]


def make_chats(n: int = 64, seed: int = 0) -> list[dict]:
    """``n`` distinct short support chats in OpenAI's format; a quarter have a follow-up."""
    rng = random.Random(seed)
    chats: list[dict] = []
    seen: set[str] = set()
    while len(chats) < n:
        slots = {
            "name": rng.choice(_NAMES),
            "product": rng.choice(_PRODUCTS),
            "city": rng.choice(_CITIES),
            "day": rng.choice(_DAYS),
        }
        user, assistant = rng.choice(_SINGLE_TURN)
        messages = [
            {"role": "user", "content": user.format(**slots)},
            {"role": "assistant", "content": assistant.format(**slots)},
        ]
        if rng.random() < 0.25:
            follow_user, follow_assistant = rng.choice(_FOLLOW_UPS)
            messages += [
                {"role": "user", "content": follow_user.format(**slots)},
                {"role": "assistant", "content": follow_assistant.format(**slots)},
            ]
        if repr(messages) not in seen:
            seen.add(repr(messages))
            chats.append({"messages": messages})
    return chats


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- workers (each runs in its own process) ----------------------------------------------


def worker_trl(args: argparse.Namespace) -> dict:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    chats = json.loads(Path(args.data).read_text())
    model = AutoModelForCausalLM.from_pretrained(args.model_dir, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(args.model_dir)
    tokenizer.chat_template = TRL_TRAINING_TEMPLATE
    captured: dict = {}

    class RecordingSFTTrainer(SFTTrainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            loss = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            if model.training and "loss" not in captured:
                mask = inputs["attention_mask"].bool()
                captured["loss"] = float(loss.detach())
                captured["rows"] = [row[m].tolist() for row, m in zip(inputs["input_ids"], mask)]
            return loss

    with tempfile.TemporaryDirectory() as out:
        config = SFTConfig(
            output_dir=out,
            num_train_epochs=args.epochs,
            per_device_train_batch_size=BATCH_SIZE,
            gradient_accumulation_steps=1,
            learning_rate=LEARNING_RATE,
            lr_scheduler_type="linear",
            warmup_steps=0,
            weight_decay=0.0,
            max_grad_norm=1.0,
            bf16=False,
            fp16=False,
            use_cpu=True,
            gradient_checkpointing=args.gradient_checkpointing,
            assistant_only_loss=True,
            max_length=1024,
            seed=SEED,
            logging_steps=1,
            save_strategy="no",
            eval_strategy="no",
            report_to="none",
            dataloader_num_workers=0,
            disable_tqdm=True,
        )
        trainer = RecordingSFTTrainer(
            model=model,
            args=config,
            train_dataset=Dataset.from_list(chats),
            processing_class=tokenizer,
            peft_config=LoraConfig(task_type="CAUSAL_LM", bias="none", **LORA),
        )
        examples = [
            # TRL folds its assistant masks into the labels (-100 where no loss).
            {"input_ids": list(row["input_ids"]), "mask": [int(label != -100) for label in row["labels"]]}
            for row in trainer.train_dataset
        ]
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        trainer.train()
        train_seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu_started

    # Like the local backend, count the tokens that carry loss: masked tokens after the first.
    per_epoch = sum(sum(e["mask"][1:]) for e in examples)
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    return {
        "name": f"TRL SFTTrainer (gradient checkpointing {'on, default' if args.gradient_checkpointing else 'off'})",
        "train_seconds": train_seconds,
        "cpu_seconds": cpu_seconds,
        "trained_tokens": per_epoch * args.epochs,
        "steps": trainer.state.global_step,
        "peak_rss_mb": _peak_rss_mb(),
        "first_loss": captured["loss"],
        "first_rows": captured["rows"],
        "last_epoch_loss": sum(losses[-len(losses) // args.epochs :]) / (len(losses) // args.epochs),
        "examples": examples,
    }


def _local_config(epochs: int):
    from tuning.backends.base import TrainingConfig

    return TrainingConfig(
        base_model=MODEL,
        method="supervised",
        n_epochs=epochs,
        batch_size=BATCH_SIZE,
        learning_rate=LEARNING_RATE,
        warmup_ratio=0.0,
        weight_decay=0.0,
        max_grad_norm=1.0,
        lora_r=LORA["r"],
        lora_alpha=LORA["lora_alpha"],
        lora_dropout=LORA["lora_dropout"],
        lora_target_modules=tuple(LORA["target_modules"]),
        max_seq_len=1024,
        seed=SEED,
    )


def worker_local(args: argparse.Namespace) -> dict:
    from tuning.backends.local import LocalBackend

    chats = json.loads(Path(args.data).read_text())
    config = _local_config(args.epochs)
    losses: list[float] = []
    from tuning.backends.base import TrainingCallbacks

    with tempfile.TemporaryDirectory() as workdir:
        # The whole train() call: loading the model, tokenizing, the final checkpoint and artifact.
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        result = LocalBackend().train(
            config,
            chats,
            [],
            Path(workdir),
            TrainingCallbacks(on_progress=lambda step, total, m, eta: losses.append(m["train_loss"])),
        )
        train_seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu_started
    per_epoch = len(losses) // args.epochs
    return {
        "name": "Tunemarket local backend",
        "train_seconds": train_seconds,
        "cpu_seconds": cpu_seconds,
        "trained_tokens": result.trained_tokens,
        "steps": result.steps,
        "peak_rss_mb": _peak_rss_mb(),
        "last_epoch_loss": sum(losses[-per_epoch:]) / per_epoch,
    }


def worker_parity(args: argparse.Namespace) -> dict:
    """Our step-1 loss on TRL's first batch, and a token-by-token comparison of masks."""
    import torch
    import torch.nn.functional as F

    from tuning.backends.batches import collate, encode_examples, sft_loss_sum
    from tuning.backends.local import LocalBackend

    chats = json.loads(Path(args.data).read_text())
    trl = json.loads(Path(args.trl_result).read_text())
    config = _local_config(args.epochs)
    model, tokenizer = LocalBackend().build_peft_model(config)
    encoded = encode_examples(tokenizer, config, chats)

    mismatched = [
        i
        for i, (ours, theirs) in enumerate(zip(encoded, trl["examples"]))
        if list(ours.input_ids) != theirs["input_ids"]
        # TRL masks the label at position 0 too, but it is never a target after the shift.
        or list(ours.loss_mask[1:]) != [bool(m) for m in theirs["mask"][1:]]
    ]
    by_ids = {tuple(e.input_ids): e for e in encoded}
    batch_items = [by_ids[tuple(row)] for row in trl["first_rows"]]
    # The batch as the local backend trains on it: shared system prompt run once.
    batch = collate(batch_items, tokenizer.pad_token_id, share_prefix=True)
    plain_batch = collate(batch_items, tokenizer.pad_token_id)
    model.train()
    with torch.no_grad():
        loss_sum, _ = sft_loss_sum(model, batch)
        ours = float(loss_sum) / batch.n_targets
        # The plain transformers path (full logits, then the shifted masked mean), as a third opinion.
        logits = model(input_ids=plain_batch.input_ids, attention_mask=plain_batch.attention_mask).logits.float()
        labels = torch.full_like(plain_batch.input_ids, -100)
        for b, item in enumerate(batch_items):
            for t, trained in enumerate(item.loss_mask):
                if trained:
                    labels[b, t] = item.input_ids[t]
        plain = float(F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1)))
    return {
        "shared_prefix_tokens": 0 if batch.prefix_ids is None else int(batch.prefix_ids.shape[1]),
        "trl_first_loss": trl["first_loss"],
        "local_first_loss": ours,
        "plain_transformers_first_loss": plain,
        "abs_diff": abs(ours - trl["first_loss"]),
        "examples_compared": len(encoded),
        "examples_mismatched": mismatched,
    }


WORKERS = {"trl": worker_trl, "local": worker_local, "parity": worker_parity}


# --- the driver -------------------------------------------------------------------------


def _run_worker(python: Path, kind: str, data: Path, out: Path, extra: list[str], epochs: int) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO), "TOKENIZERS_PARALLELISM": "false"}
    cmd = [str(python), str(Path(__file__).resolve()), "--worker", kind, "--data", str(data), "--out", str(out)]
    cmd += ["--epochs", str(epochs), *extra]
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    subprocess.run(cmd, check=True, env=env, cwd=REPO)
    result = json.loads(out.read_text())
    result["process_seconds"] = time.perf_counter() - started
    # Other work on the machine skews wall times: say how busy it was.
    result["load_average"] = [load_before, os.getloadavg()[0]]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--examples", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the trainers this many times; report the best")
    parser.add_argument("--trl-python", type=Path, default=TRL_PYTHON)
    parser.add_argument("--skip-trl-default", action="store_true", help="skip TRL with gradient checkpointing on")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    parser.add_argument("--trl-result", help=argparse.SUPPRESS)
    parser.add_argument("--gradient-checkpointing", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        Path(args.out).write_text(json.dumps(WORKERS[args.worker](args)))
        return 0

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(REPO))
    from tuning.backends.models import ensure_model_cached

    if not args.trl_python.exists():
        sys.exit(f"{args.trl_python} is missing; see this file's docstring for the TRL venv")
    model_dir = ensure_model_cached(MODEL)
    busy = os.getloadavg()[0]
    if busy > 1.0:
        print(f"warning: load average {busy:.1f} before starting; wall times will be skewed by other work")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = tmp_path / "chats.json"
        data.write_text(json.dumps(make_chats(args.examples)))
        all_runs: list[dict] = []
        trl_variants = [0] if args.skip_trl_default else [1, 0]
        # Rounds alternate the trainers, so that a burst of other work on the machine does
        # not land on one of them only; each trainer's fastest round is reported.
        for _ in range(args.rounds):
            for gc in trl_variants:
                out = tmp_path / f"trl-{gc}.json"
                extra = ["--model-dir", str(model_dir), "--gradient-checkpointing", str(gc)]
                all_runs.append(_run_worker(args.trl_python, "trl", data, out, extra, args.epochs))
            all_runs.append(
                _run_worker(Path(sys.executable), "local", data, tmp_path / "local.json", [], args.epochs)
            )
        trl_fast = tmp_path / "trl-0.json"
        parity = _run_worker(
            Path(sys.executable), "parity", data, tmp_path / "parity.json", ["--trl-result", str(trl_fast)], args.epochs
        )

    best: dict[str, dict] = {}
    for run in all_runs:
        run.pop("examples", None)
        run.pop("first_rows", None)
        run["tokens_per_second"] = run["trained_tokens"] / run["train_seconds"]
        if run["name"] not in best or run["tokens_per_second"] > best[run["name"]]["tokens_per_second"]:
            best[run["name"]] = run
    runs = list(best.values())
    local = runs[-1]
    if args.rounds > 1:
        print("\nall rounds, trained tok/s:")
        for name in best:
            print(f"  {name}: " + ", ".join(f"{r['tokens_per_second']:.1f}" for r in all_runs if r["name"] == name))
    print(
        f"\nSmolLM2-135M-Instruct, {args.examples} chats, {args.epochs} epochs, batch {BATCH_SIZE}, LoRA r=8 q/v, "
        f"fp32; best of {args.rounds} round(s)"
    )
    print(f"{os.cpu_count()} CPU cores; torch uses all of them on both sides\n")
    print(
        "| trainer | trained tokens | wall (train call) | CPU time | trained tok/s | local speed-up "
        "| peak RSS | last-epoch loss | load avg before/after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        ratio = local["tokens_per_second"] / run["tokens_per_second"]
        print(
            f"| {run['name']} | {run['trained_tokens']} | {run['train_seconds']:.1f} s | {run['cpu_seconds']:.1f} s "
            f"| {run['tokens_per_second']:.1f} | {ratio:.2f}x | {run['peak_rss_mb']:.0f} MB "
            f"| {run['last_epoch_loss']:.4f} | {run['load_average'][0]:.1f} / {run['load_average'][1]:.1f} |"
        )
    ok = parity["abs_diff"] <= PARITY_TOLERANCE and not parity["examples_mismatched"]
    print(
        f"\nStep-1 loss on TRL's first batch: TRL {parity['trl_first_loss']:.6f}, local "
        f"{parity['local_first_loss']:.6f}, plain transformers {parity['plain_transformers_first_loss']:.6f}; "
        f"|TRL - local| = {parity['abs_diff']:.2e} (tolerance {PARITY_TOLERANCE:g}); "
        f"local ran the batch's {parity['shared_prefix_tokens']} shared prefix tokens once"
    )
    print(
        f"Tokenization and loss masks identical for {parity['examples_compared'] - len(parity['examples_mismatched'])}"
        f"/{parity['examples_compared']} examples"
    )
    print("PARITY OK" if ok else "PARITY FAILED")
    if args.json:
        args.json.write_text(json.dumps({"runs": all_runs, "best": runs, "parity": parity}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
