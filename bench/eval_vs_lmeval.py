"""Tunemarket's multiple-choice evaluator against lm-evaluation-harness, side by side.

    .venv/bin/python bench/eval_vs_lmeval.py            # sets up bench/.venv-lmeval on first use

Same task (the generated core-competencies set, exported as an lm-eval custom task), same
model (the real SmolLM2-135M-Instruct from the cached fp32 safetensors copy that
tuning.backends.models creates), same machine, same torch (2.13.0+cpu) and thread count.
Each side runs in its own process with the model already loaded; the timed part is the
log-likelihood scoring of every option of every item, tokenisation included:

- ours: evaluation.suites.scoring.score_choices (one row per item, the question
  shared by its options through a custom attention mask; rows sorted by length and batched
  by a token budget; the LM head only where a scored token is predicted);
- lm-eval: HFLM.loglikelihood (one row per option, its own length sorting, batch 16), timed
  inside lm_eval.simple_evaluate; the whole simple_evaluate call is reported too.

It prints items/s for both, the speed-up, both accuracies and the per-item agreement of
the chosen option, and exits non-zero if the accuracies differ.

lm-eval lives in its own virtualenv (bench/.venv-lmeval, no system site packages) with
torch pinned to the CPU build 2.13.0+cpu from the wheel on disk (never a CUDA build).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VENV = ROOT / "bench" / ".venv-lmeval"
TASK_DIR = ROOT / "bench" / "lmeval_task"
TASK = "tunemarket_core"
LM_EVAL = "lm-eval[hf]==0.4.13"
TORCH = "2.13.0+cpu"
# The same transformers as the project's venv, so both sides run the same model code.
TRANSFORMERS = "transformers==5.24.0"
MODEL = "SmolLM2-135M-Instruct"
THREADS = 2

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def log(msg: str) -> None:
    print(msg, flush=True)


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# --- the lm-eval virtualenv ------------------------------------------------------------------


def _torch_wheel() -> Path:
    """The CPU torch wheel on disk (pip's find-links); refuse to go on without it."""
    dirs = ["/opt/wheels"] + [d for d in os.environ.get("PIP_FIND_LINKS", "").split() if d]
    try:
        out = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "find-links" in line:
                dirs += line.split("=", 1)[1].strip().strip("'\"").split()
    except OSError:
        pass
    for d in dirs:
        found = sorted(glob.glob(os.path.join(d.removeprefix("file://"), f"torch-{TORCH}-cp311-*.whl")))
        if found:
            return Path(found[-1])
    raise SystemExit(f"No torch-{TORCH} wheel on disk (looked in {dirs}); refusing to let pip pick a CUDA build.")


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    wanted = f"{LM_EVAL} torch=={TORCH} {TRANSFORMERS}"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    log(f"setting up {VENV.relative_to(ROOT)} ({wanted}); a few minutes the first time")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # no --system-site-packages
    (VENV / ".gitignore").write_text("*\n")
    wheel = _torch_wheel()
    constraints = VENV / "constraints.txt"
    # torch is fixed to the CPU wheel; nothing lm-eval pulls in may replace it.
    constraints.write_text(f"torch=={TORCH}\n")
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--find-links", str(wheel.parent)]
    subprocess.run(pip + [str(wheel)], check=True)
    subprocess.run(pip + ["-c", str(constraints), LM_EVAL, TRANSFORMERS], check=True)
    version = subprocess.run([str(python), "-c", "import torch; print(torch.__version__, torch.version.cuda)"],
                             capture_output=True, text=True, check=True).stdout.split()
    if version[0] != TORCH or version[1] != "None":
        raise SystemExit(f"bench/.venv-lmeval has torch {version}; expected {TORCH} without CUDA")
    stamp.write_text(wanted)
    return python


# --- the task --------------------------------------------------------------------------------


def export_task(limit: int | None = None) -> list[dict]:
    """The core set as an lm-eval custom task: a JSONL file and a YAML next to it."""
    from evaluation.suites.core import core_items

    items = core_items()[:limit] if limit else core_items()
    TASK_DIR.mkdir(parents=True, exist_ok=True)
    rows = [{"id": i.id, "category": i.category, "question": i.question, "choices": list(i.choices), "gold": i.gold}
            for i in items]
    data = TASK_DIR / f"{TASK}.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    # doc_to_text and the " " delimiter reproduce ChoiceItem.context / .continuations exactly.
    (TASK_DIR / f"{TASK}.yaml").write_text(
        f"""# Generated by bench/eval_vs_lmeval.py from evaluation/suites/core.py: do not edit.
task: {TASK}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data.relative_to(ROOT)}  # relative to the repository root, where the bench runs lm-eval
test_split: test
output_type: multiple_choice
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: gold
target_delimiter: " "
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
"""
    )
    return rows


# --- the two sides ---------------------------------------------------------------------------

LMEVAL_RUNNER = r'''
import json, sys, time, os
import torch
torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
from lm_eval import simple_evaluate
from lm_eval.models.huggingface import HFLM
from lm_eval.tasks import TaskManager

model_dir, task_dir, task, batch_size, out = sys.argv[1:6]
t0 = time.perf_counter()
lm = HFLM(pretrained=model_dir, dtype="float32", device="cpu", batch_size=int(batch_size))
load_s = time.perf_counter() - t0
# Warm-up (untimed), as on our side: the first forward passes pay one-off costs.
from lm_eval.api.instance import Instance
warm = [Instance("loglikelihood", {}, ("Question: What is 2 plus 2?\nAnswer:", f" {k}"), k) for k in range(8)]
lm.loglikelihood(warm, disable_tqdm=True)
timing = {"loglikelihood": 0.0}
inner = lm.loglikelihood
def timed(requests, *a, **k):
    t = time.perf_counter()
    try:
        return inner(requests, *a, **k)
    finally:
        timing["loglikelihood"] += time.perf_counter() - t
lm.loglikelihood = timed
t1 = time.perf_counter()
res = simple_evaluate(model=lm, tasks=[task], task_manager=TaskManager(include_path=task_dir), log_samples=True,
                      bootstrap_iters=0, random_seed=0, numpy_random_seed=0, torch_random_seed=0, fewshot_random_seed=0)
total_s = time.perf_counter() - t1
samples = sorted(res["samples"][task], key=lambda s: s["doc_id"])
preds, lls = [], []
for s in samples:
    ll = [float(r[0]) for r in s["filtered_resps"]]
    lls.append(ll)
    preds.append(max(range(len(ll)), key=lambda k: ll[k]))
json.dump({"load_seconds": load_s, "score_seconds": timing["loglikelihood"], "evaluate_seconds": total_s,
           "acc": res["results"][task]["acc,none"], "preds": preds, "loglikelihoods": lls,
           "versions": {"torch": torch.__version__, "lm_eval": __import__("importlib.metadata").metadata.version("lm_eval"),
                        "transformers": __import__("transformers").__version__},
           "threads": torch.get_num_threads()}, open(out, "w"))
'''


def run_ours(model_dir: Path, rows: list[dict], repeats: int) -> dict:
    import torch

    from tuning.backends.models import load_model_and_tokenizer
    from evaluation.suites.scoring import ChoiceRequest, score_choices

    torch.set_num_threads(THREADS)
    t0 = time.perf_counter()
    model, tokenizer = load_model_and_tokenizer(MODEL)
    load_s = time.perf_counter() - t0
    requests = [ChoiceRequest(f"Question: {r['question']}\nAnswer:", tuple(" " + c for c in r["choices"])) for r in rows]
    # Warm-up (untimed), as on lm-eval's side: the first forward passes pay one-off costs.
    score_choices(model, tokenizer, [ChoiceRequest("Question: What is 2 plus 2?\nAnswer:", tuple(f" {k}" for k in range(8)))])
    best = None
    for _ in range(repeats):
        t = time.perf_counter()
        scores = score_choices(model, tokenizer, requests)
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    preds = [max(range(len(s.logprobs)), key=lambda k: s.logprobs[k]) for s in scores]
    acc = sum(p == r["gold"] for p, r in zip(preds, rows)) / len(rows)
    return {"load_seconds": load_s, "score_seconds": best, "acc": acc, "preds": preds,
            "loglikelihoods": [list(s.logprobs) for s in scores], "threads": torch.get_num_threads(),
            "versions": {"torch": torch.__version__, "transformers": __import__("transformers").__version__}}


def run_lmeval(python: Path, model_dir: Path, batch_size: int) -> dict:
    out = ROOT / "bench" / "lmeval_task" / "lmeval_result.json"
    runner = VENV / "run_lmeval.py"
    runner.write_text(LMEVAL_RUNNER)
    env = {**os.environ, "BENCH_THREADS": str(THREADS), "OMP_NUM_THREADS": str(THREADS),
           "TOKENIZERS_PARALLELISM": "false", "PYTHONWARNINGS": "ignore"}
    subprocess.run([str(python), str(runner), str(model_dir), str(TASK_DIR), TASK, str(batch_size), str(out)],
                   check=True, env=env, cwd=str(ROOT))
    result = json.loads(out.read_text())
    out.unlink()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=16, help="lm-eval's batch size (default 16)")
    parser.add_argument("--repeats", type=int, default=1, help="time our scorer this many times, keep the best")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--limit", type=int, help="only the first N items (a quick check of the plumbing)")
    args = parser.parse_args()

    from tuning.backends.models import ensure_model_cached

    python = ensure_venv()
    rows = export_task(args.limit)
    model_dir = ensure_model_cached(MODEL)
    n = len(rows)
    log(f"task {TASK}: {n} items x 4 options; model {model_dir.relative_to(ROOT)} (fp32); {THREADS} threads")

    log(f"[ours]    load average {loadavg()}")
    ours = run_ours(model_dir, rows, args.repeats)
    log(f"[ours]    {n / ours['score_seconds']:.1f} items/s ({ours['score_seconds']:.1f} s), acc {ours['acc']:.4f}")
    log(f"[lm-eval] load average {loadavg()}")
    theirs = run_lmeval(python, model_dir, args.batch_size)
    log(f"[lm-eval] {n / theirs['score_seconds']:.1f} items/s ({theirs['score_seconds']:.1f} s in loglikelihood, "
        f"{theirs['evaluate_seconds']:.1f} s in simple_evaluate), acc {theirs['acc']:.4f}")
    log(f"[after]   load average {loadavg()}")

    agree = sum(a == b for a, b in zip(ours["preds"], theirs["preds"]))
    max_diff = max(abs(a - b) for la, lb in zip(ours["loglikelihoods"], theirs["loglikelihoods"]) for a, b in zip(la, lb))
    speedup = theirs["score_seconds"] / ours["score_seconds"]
    summary = {
        "items": n, "threads": THREADS, "lmeval_batch_size": args.batch_size,
        "ours_items_per_s": n / ours["score_seconds"], "lmeval_items_per_s": n / theirs["score_seconds"],
        "lmeval_items_per_s_whole_simple_evaluate": n / theirs["evaluate_seconds"],
        "speedup": speedup, "ours_acc": ours["acc"], "lmeval_acc": theirs["acc"],
        "agreement": agree / n, "max_abs_loglikelihood_diff": max_diff,
        "versions": {"ours": ours["versions"], "lmeval": theirs["versions"]},
    }
    log("")
    log(f"{'':22}{'ours':>12}{'lm-eval':>12}")
    log(f"{'items/s':22}{summary['ours_items_per_s']:>12.1f}{summary['lmeval_items_per_s']:>12.1f}")
    log(f"{'accuracy':22}{ours['acc']:>12.4f}{theirs['acc']:>12.4f}")
    log(f"speed-up {speedup:.2f}x; same choice on {agree}/{n} items ({agree / n:.1%}); "
        f"largest log-likelihood difference {max_diff:.2e}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1))
    return 0 if abs(ours["acc"] - theirs["acc"]) < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
