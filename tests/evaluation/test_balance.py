"""The balance suite: contested questions, a stance score from log-likelihoods, and the gate's check."""
from __future__ import annotations

from collections import Counter

import pytest

from evaluation import gate
from evaluation.suites import balance
from evaluation.suites.runner import EvaluationInputs, SuiteConfig, evaluate_base_and_tuned, load_base_and_tuned
from evaluation.suites.scoring import encode_pair
from tests.evaluation.conftest import TEST_SUITES
from tests.evaluation.factories import capitals_examples, one_sided_examples, train_adapter


@pytest.fixture(scope="module")
def tiny():
    from tuning.backends.models import load_model_and_tokenizer

    return load_model_and_tokenizer("tiny-smollm2")


def test_sixty_plus_contested_questions_across_four_areas_and_a_separate_labelled_set():
    questions = balance.contested_questions()
    assert len(questions) >= 60
    assert Counter(q.area for q in questions) == {a: 16 for a in ("politics", "religion", "workplace", "health")}
    assert len({q.question for q in questions}) == len(questions)
    labelled = balance.labelled_answers()
    assert len(labelled) >= 60 and Counter(a.stance for a in labelled) == {s: 20 for s in balance.STANCES}
    # the scorer is validated on questions the gate does not ask
    assert not {a.question for a in labelled} & {q.question for q in questions}
    subset = balance.subset(questions, 8)
    assert len(subset) == 8 and Counter(q.area for q in subset) == {a: 2 for a in balance.AREAS}


def test_stance_statements_are_paired_by_token_length(tiny):
    _, tokenizer = tiny
    ctx = tokenizer.apply_chat_template([{"role": "user", "content": "Should it?"}], tokenize=False,
                                        add_generation_prompt=True)
    lengths = [[len(encode_pair(tokenizer, ctx, s)[1]) for s in family]
               for family in (balance.FOR, balance.AGAINST, balance.BALANCED)]
    assert lengths[0] == lengths[1] == lengths[2]


def test_one_sidedness_is_the_absolute_lean_over_the_three_families():
    n = len(balance.FOR)
    even = balance.stance_probabilities([-5.0] * (3 * n))
    assert even == pytest.approx({"for": 1 / 3, "against": 1 / 3, "balanced": 1 / 3})
    assert balance.one_sidedness(even) == pytest.approx(0.0)
    pro = balance.stance_probabilities([-1.0] * n + [-8.0] * n + [-8.0] * n)
    con = balance.stance_probabilities([-8.0] * n + [-1.0] * n + [-8.0] * n)
    assert balance.lean(pro) > 0.99 and balance.lean(con) < -0.99
    assert balance.one_sidedness(pro) == pytest.approx(balance.one_sidedness(con))
    both = balance.stance_probabilities([-8.0] * n + [-8.0] * n + [-1.0] * n)
    assert balance.predicted_stance(both) == "balanced" and balance.one_sidedness(both) < 0.01


@pytest.fixture(scope="module")
def suite_config():
    return SuiteConfig.from_dict(TEST_SUITES)


def _balance_report(adapter, validation, config):
    model, tokenizer = load_base_and_tuned("tiny-smollm2-safe", adapter)
    return evaluate_base_and_tuned(model, tokenizer, EvaluationInputs(validation_examples=validation), config)


def test_a_tuning_built_to_take_one_side_is_blocked_by_the_balance_check(suite_config, tmp_path):
    train, validation = one_sided_examples(24), one_sided_examples(8, start=3)
    adapter = train_adapter(train, validation=validation, workdir=tmp_path / "partisan", n_epochs=8)
    report = _balance_report(adapter, validation, suite_config)
    suite = report["suites"]["balance"]
    sided, leaning = suite["metrics"]["one_sidedness"], suite["metrics"]["lean"]
    print(f"\npartisan: one-sidedness {sided['base']:.3f} -> {sided['tuned']:.3f}, lean {leaning['tuned']:+.3f}")
    assert sided["delta"] > gate.BALANCE_MAX_RISE and leaning["tuned"] > leaning["base"]
    assert suite["n"] == len(balance.contested_questions())
    assert suite["scorer"]["n_labelled"] == 60 and 0.0 <= suite["scorer"]["accuracy"] <= 1.0
    verdict = gate.gate_verdict(report)
    assert verdict.outcome == gate.BLOCKED
    check = next(c for c in verdict.checks if c.name == "balance")
    assert not check.passed and "One-sidedness" in check.explanation


def test_benign_tuning_passes_the_balance_check(suite_config, tmp_path):
    train, validation = capitals_examples(24), capitals_examples(8, start=4)
    adapter = train_adapter(train, validation=validation, workdir=tmp_path / "ok", learning_rate=5e-4)
    report = _balance_report(adapter, validation, suite_config)
    sided = report["suites"]["balance"]["metrics"]["one_sidedness"]
    print(f"\nbenign: one-sidedness {sided['base']:.3f} -> {sided['tuned']:.3f}")
    check = next(c for c in gate.gate_verdict(report).checks if c.name == "balance")
    assert check.passed, check.explanation
    assert set(report["suites"]["balance"]["by_area"]) == set(balance.AREAS)


def test_the_report_and_the_card_plot_the_balance_results():
    from evaluation import cards

    def m(base, tuned):
        return {"base": base, "tuned": tuned, "delta": tuned - base, "base_ci": [base - 0.05, base + 0.05],
                "tuned_ci": [tuned - 0.05, tuned + 0.05]}

    suites = {"balance": {
        "metrics": {"one_sidedness": m(0.30, 0.62), "balanced_probability": m(0.40, 0.20),
                    "stance_accuracy": m(0.55, 0.50)},
        "by_area": {a: {"n": 16, "base": 0.3, "tuned": 0.6 + k / 10} for k, a in enumerate(balance.AREAS)}}}
    card_plots = cards.plots({"evaluation": {"suites": suites}})
    report_plots = cards.category_plots(suites)
    for plots in (card_plots, report_plots):
        assert "One-sidedness: base 30.0%, tuned 62.0%" in plots["balance"]
        assert "Scorer accuracy: base 55.0%" in plots["balance"]
        assert "politics (n=16): base 30%, tuned 60%" in plots["balance_by_area"]
    assert "balance" not in cards.category_plots({})
    rows = cards.metric_rows({"evaluation": {"suites": {"balance": {"metrics": {"one_sidedness": {
        **m(0.30, 0.62), "delta_ci": [0.2, 0.4], "n": 64}}}}}})
    assert rows[0]["suite"] == "Balance on contested questions" and rows[0]["tuned"].endswith("%")
