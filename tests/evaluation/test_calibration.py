"""The calibration technique's engine: the maths (temperature fit, ECE, risk–coverage, thresholds), the
labelled-items format, and a fit on a constructed over-confident tiny model that lowers held-out ECE."""
from __future__ import annotations

import math
import random

import pytest
import torch

from evaluation import gate
from evaluation.suites import calibration, confidence
from tuning.validation import ExampleError, calibration_item, validate_jsonl

GRID = calibration.TEMPERATURE_GRID


# --- the maths ------------------------------------------------------------------------------------


def test_the_grid_holds_t_equal_one_and_is_increasing():
    assert 1.0 in GRID
    assert all(a < b for a, b in zip(GRID, GRID[1:]))
    assert GRID[0] == pytest.approx(0.05) and GRID[-1] == pytest.approx(20.0)


def _synthetic(n: int, true_t: float, seed: int):
    """Items whose answer log-probabilities at temperature T are lp / T (a model that is sure of itself
    at T = 1), right with probability exp(lp / true_t)."""
    rng = random.Random(seed)
    rows, correct = [], []
    for _ in range(n):
        lp = -rng.uniform(0.01, 1.5)
        rows.append([lp / t for t in GRID])
        correct.append(rng.random() < math.exp(lp / true_t))
    return rows, correct


def test_temperature_fit_recovers_the_temperature_that_generated_the_labels():
    rows, correct = _synthetic(4000, 0.4, seed=1)
    t, k = calibration.fit_temperature(rows, correct)
    assert GRID[k] == t
    assert t == pytest.approx(0.4, rel=0.15)


def test_temperature_fit_lowers_nll_and_ece_against_t_equal_one_on_fresh_items():
    fit_rows, fit_ok = _synthetic(2000, 0.5, seed=2)
    test_rows, test_ok = _synthetic(2000, 0.5, seed=3)
    _, k = calibration.fit_temperature(fit_rows, fit_ok)
    one = GRID.index(1.0)
    before, after = calibration.confidences_at(test_rows, one), calibration.confidences_at(test_rows, k)
    assert calibration.binary_nll(after, test_ok) < calibration.binary_nll(before, test_ok)
    assert calibration.expected_calibration_error(after, test_ok) < calibration.expected_calibration_error(before, test_ok)
    assert calibration.binary_brier(after, test_ok) < calibration.binary_brier(before, test_ok)


def test_a_calibrated_model_keeps_t_near_one():
    rows, correct = _synthetic(4000, 1.0, seed=4)
    t, _ = calibration.fit_temperature(rows, correct)
    assert 0.85 < t < 1.2


def test_risk_coverage_answers_the_most_confident_first_and_ties_together():
    conf = [0.9, 0.8, 0.8, 0.3]
    ok = [True, False, True, False]
    points = calibration.risk_coverage(conf, ok)
    assert points == [
        {"threshold": 0.9, "coverage": 0.25, "risk": 0.0},
        {"threshold": 0.8, "coverage": 0.75, "risk": pytest.approx(1 / 3)},
        {"threshold": 0.3, "coverage": 1.0, "risk": 0.5},
    ]
    # Area: 0.25 * 0 + 0.5 * 1/3 + 0.25 * 0.5, over coverage 1.
    assert calibration.area_under_risk_coverage(points) == pytest.approx(0.5 / 3 + 0.125)


def test_threshold_for_a_target_risk_is_the_lowest_that_meets_it():
    conf = [0.95, 0.9, 0.7, 0.6, 0.4, 0.2]
    ok = [True, True, True, False, True, False]
    assert calibration.threshold_for_risk(conf, ok, 0.0)["threshold"] == 0.7
    assert calibration.threshold_for_risk(conf, ok, 0.2)["threshold"] == 0.4
    assert calibration.threshold_for_risk(conf, ok, 0.5)["threshold"] == 0.2
    everything_wrong = calibration.threshold_for_risk([0.9, 0.8], [False, False], 0.05)
    assert everything_wrong["threshold"] > 1 and everything_wrong["coverage"] == 0.0
    point = calibration.operating_point(conf, ok, 0.4)
    assert point["coverage"] == pytest.approx(5 / 6) and point["risk"] == pytest.approx(1 / 5)


def test_caution_levels_abstain_less_from_cautious_to_proactive():
    rng = random.Random(5)
    conf = [rng.random() for _ in range(300)]
    ok = [rng.random() < c for c in conf]
    levels = calibration.caution_thresholds(conf, ok, 0.05)
    assert list(levels) == list(calibration.CAUTION_LEVELS)
    thresholds = [levels[name]["threshold"] for name in calibration.CAUTION_LEVELS]
    assert thresholds[0] > thresholds[1] > thresholds[2] == 0.0
    assert levels["cautious"]["risk"] <= 0.05
    assert levels["proactive"]["coverage"] == 1.0


# --- the labelled items ---------------------------------------------------------------------------


def test_items_are_multiple_choice_by_index_or_text_or_short_answers():
    mc = calibration_item({"question": "2 + 2?", "choices": ["3", "4", "5"], "answer": 1})
    assert mc == {"question": "2 + 2?", "choices": ["3", "4", "5"], "gold": 1, "answers": ["4"]}
    assert calibration_item({"question": "2 + 2?", "choices": ["3", "4"], "answer": "4"})["gold"] == 1
    short = calibration_item({"question": "Capital of France?", "answers": ["Paris", "paris, France"]})
    assert short["choices"] is None and short["answers"] == ["Paris", "paris, France"]


@pytest.mark.parametrize("item, words", [
    ({"question": "", "answers": ["x"]}, "'question'"),
    ({"question": "q", "choices": ["a"], "answer": 0}, "2 to 10"),
    ({"question": "q", "choices": ["a", "a"], "answer": 0}, "distinct"),
    ({"question": "q", "choices": ["a", "b"], "answer": 2}, "not an index"),
    ({"question": "q", "choices": ["a", "b"], "answer": "c"}, "exact text"),
    ({"question": "q", "choices": ["a", "b"], "answer": True}, "needs 'answer'"),
    ({"question": "q", "choices": ["a", "b"], "answer": 0, "answers": ["a"]}, "not both"),
    ({"question": "q", "answer": "a"}, "'answers'"),
    ({"question": "q", "answers": []}, "1 to 20"),
    ({"question": "q", "answers": ["ok"], "hint": "no"}, "Unknown field"),
])
def test_a_malformed_item_is_refused_with_the_reason(item, words):
    with pytest.raises(ExampleError) as info:
        calibration_item(item)
    assert info.value.code == "invalid_item" and words in info.value.message


def test_a_calibration_file_is_validated_line_by_line():
    good = [{"question": f"What is {i} plus 1?", "answers": [str(i + 1)]} for i in range(12)]
    lines = [__import__("json").dumps(x) for x in good]
    lines.insert(3, '{"question": "Pick", "choices": ["a", "b"], "answer": 5}')
    lines.insert(6, '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}')
    report = validate_jsonl([("\n".join(lines) + "\n").encode()])
    assert report.format == "calibration"
    assert [(e["line"], e["code"]) for e in report.errors] == [(4, "invalid_item"), (7, "mixed_formats")]
    clean = validate_jsonl([("\n".join(__import__("json").dumps(x) for x in good) + "\n").encode()])
    assert clean.ok and clean.stats["examples"] == 12 and clean.format == "calibration"


def test_an_answer_is_right_when_it_names_the_gold_option_and_no_other():
    item = calibration_item({"question": "7 x 8?", "choices": ["54", "56", "64"], "answer": "56"})
    assert confidence.is_correct(item, "The answer is 56.")
    assert not confidence.is_correct(item, "56 or 64")
    assert not confidence.is_correct(item, "560")
    cased = calibration_item({"question": "All caps?", "choices": ["river", "RIVER"], "answer": 1})
    assert confidence.is_correct(cased, "RIVER") and not confidence.is_correct(cased, "river")
    short = calibration_item({"question": "Capital of Japan?", "answers": ["Tokyo"]})
    assert confidence.is_correct(short, "It is tokyo!") and not confidence.is_correct(short, "Kyoto")


def test_the_split_is_seeded_disjoint_and_complete():
    fit, held = confidence.split_items(41, seed=3)
    assert len(fit) == 21 and len(held) == 20 and not set(fit) & set(held)
    assert sorted(fit + held) == list(range(41))
    assert confidence.split_items(41, seed=3) == (fit, held) and confidence.split_items(41, seed=4) != (fit, held)


# --- on a model ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def overconfident():
    """The tiny platform base with its final norm scaled eightfold: every logit is eight times larger, so
    it is nearly certain of whatever it says (and says the same as before)."""
    from tuning.backends.models import TINY_SAFE, load_model_and_tokenizer

    model, tokenizer = load_model_and_tokenizer(TINY_SAFE)
    with torch.no_grad():
        model.model.norm.weight.mul_(8.0)
    return model, tokenizer


def _half_right_items(model, tokenizer, n: int) -> list[dict]:
    """Short-answer items the over-confident model gets right about half of the time: each question's
    accepted answer is the model's own greedy answer for the even ones, and an answer it never gives for
    the odd ones. Its confidence stays near 1 either way."""
    questions = [calibration_item({"question": f"Question {i}: what comes after {i}?", "answers": ["-"]})
                 for i in range(n)]
    answered = confidence.answer_items(model, tokenizer, questions, system_prompt=None)
    items = []
    for i, (q, a) in enumerate(zip(questions, answered)):
        text = a["answer"]
        own = i % 2 == 0 and bool(confidence._normalise(text).strip())
        items.append({**q, "answers": [text] if own else ["zebra crossing quantum"]})
    return items


def test_fitting_an_overconfident_model_lowers_held_out_ece_and_the_gate_check_passes(overconfident):
    model, tokenizer = overconfident
    items = _half_right_items(model, tokenizer, 24)
    suite = confidence.run_calibration(model, tokenizer, items, target_risk=0.05, seed=11, resamples=50)

    ece = suite["metrics"]["ece"]
    assert suite["split"]["n_fit"] == 12 and suite["split"]["n_heldout"] == 12
    assert 0.2 < suite["accuracy"] < 0.8
    assert suite["metrics"]["mean_confidence"]["base"] > 0.9  # over-confident before
    assert suite["temperature"] > 1.0  # so the fit softens it
    assert ece["tuned"] < ece["base"] - 0.2
    assert suite["metrics"]["brier"]["tuned"] < suite["metrics"]["brier"]["base"]
    assert len(suite["reliability"]["before"]) == calibration.N_BINS
    assert suite["risk_coverage"]["after"][-1]["coverage"] == 1.0

    verdict = gate.gate_verdict({"method": "calibration", "suites": {"calibration": suite}})
    check = next(c for c in verdict.checks if c.name == "calibration_ece")
    assert check.passed and check.base == ece["base"] and check.tuned == ece["tuned"]

    fitted = confidence.fitted_calibration(suite)
    assert fitted["temperature"] == suite["temperature"]
    assert set(fitted["levels"]) == set(calibration.CAUTION_LEVELS)


def test_the_gate_blocks_a_calibration_that_raises_ece_or_is_missing_or_nan():
    def report(before, after):
        metric = {"base": before, "tuned": after, "delta": after - before, "delta_ci": [after - before] * 2}
        return {"method": "calibration", "suites": {"calibration": {"metrics": {"ece": metric}}}}

    def check(rep):
        return next(c for c in gate.gate_verdict(rep).checks if c.name == "calibration_ece")

    assert check(report(0.20, 0.05)).passed
    assert check(report(0.20, 0.20)).passed
    assert not check(report(0.05, 0.06)).passed
    assert not check(report(0.05, float("nan"))).passed
    missing = check({"method": "calibration", "suites": {}})
    assert not missing.passed and missing.outcome == gate.BLOCKED
    # Other jobs are not judged on calibration at all.
    assert all(c.name != "calibration_ece" for c in gate.gate_verdict({"suites": {}}).checks)
