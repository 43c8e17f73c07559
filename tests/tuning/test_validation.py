"""Dataset validation: every error code from a minimal file; arbitrary input only ever gives a report."""
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tuning import tokens
from tuning.validation import ERROR_CODES, Limits, validate_jsonl

LIMITS = Limits(min_examples=2, max_lines=50, max_line_bytes=2000, max_example_tokens=200, max_total_tokens=10_000)


@pytest.fixture(scope="module")
def count():
    # The real tokenizer of the base model (SmolLM2's), loaded once.
    return tokens.counter()


def chat(user="Hi", assistant="Hello!", **extra):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant, **extra}]}


def lines(*objects) -> bytes:
    return b"".join((o if isinstance(o, bytes) else json.dumps(o).encode()) + b"\n" for o in objects)


def codes(data: bytes, count, limits=LIMITS) -> list[str]:
    return [e["code"] for e in validate_jsonl([data], count_tokens=count, limits=limits).errors]


GOOD = [chat("Hi 1"), chat("Hi 2")]
PREF = {
    "input": {"messages": [{"role": "user", "content": "Greet me"}]},
    "preferred_output": [{"role": "assistant", "content": "Hello there!"}],
    "non_preferred_output": [{"role": "assistant", "content": "What?"}],
}
MINIMAL = {
    "encoding": lines(*GOOD, b"\xff\xfe{}"),
    "line_too_long": lines(*GOOD, chat("x" * 3000)),
    "too_many_lines": lines(*[chat(f"q{i}") for i in range(51)]),
    "invalid_json": lines(*GOOD, b"{not json"),
    "invalid_format": lines(*GOOD, [1, 2]),
    "mixed_formats": lines(*GOOD, PREF),
    "invalid_item": lines({"question": "2 + 2?", "answers": ["4"]}, {"question": "3 + 3?", "answers": ["6"]},
                          {"question": "Pick one", "choices": ["a"], "answer": 0}),
    "missing_messages": lines(*GOOD, {"prompt": "hi", "completion": "there"}),
    "invalid_messages": lines(*GOOD, {"messages": []}),
    "invalid_message": lines(*GOOD, {"messages": ["hello"]}),
    "unrecognized_role": lines(*GOOD, {"messages": [{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]}),
    "missing_content": lines(*GOOD, {"messages": [{"role": "user"}, {"role": "assistant", "content": "b"}]}),
    "invalid_weight": lines(*GOOD, chat(weight=2)),
    "invalid_turn_order": lines(*GOOD, {"messages": [{"role": "assistant", "content": "b"}, {"role": "user", "content": "a"}]}),
    "no_assistant_message": lines(*GOOD, {"messages": [{"role": "user", "content": "a"}]}),
    "invalid_preference_output": lines(PREF, {**PREF, "preferred_output": "Hello"}),
    "identical_outputs": lines(PREF, {**PREF, "non_preferred_output": PREF["preferred_output"]}),
    "too_long": lines(*GOOD, chat(" ".join(["word"] * 300))),
    "duplicate_example": lines(*GOOD, GOOD[0]),
    "too_few_examples": lines(GOOD[0]),
    "too_many_tokens": lines(*GOOD),
}


def test_every_error_code_has_a_minimal_file():
    assert set(MINIMAL) == set(ERROR_CODES) - {"untokenizable"}


@pytest.mark.parametrize("code", sorted(MINIMAL))
def test_each_error_code_is_produced_by_a_minimal_file(code, count):
    limits = Limits(**{**LIMITS.__dict__, "max_total_tokens": 10}) if code == "too_many_tokens" else LIMITS
    found = codes(MINIMAL[code], count, limits)
    assert code in found, found
    # The good lines in the same file raise nothing: the error is the minimal line's alone.
    assert set(found) <= {code, "too_few_examples"}


def test_errors_point_at_their_line_and_are_capped_with_a_total(count):
    data = lines(*GOOD, *[b"{bad" for _ in range(60)])
    report = validate_jsonl([data], count_tokens=count, limits=Limits(**{**LIMITS.__dict__, "max_lines": 100}))
    assert report.error_count == 60
    assert len(report.errors) == LIMITS.max_errors == 50
    assert report.errors[0] == {"line": 3, "code": "invalid_json", "message": report.errors[0]["message"]}


def test_a_valid_file_with_bom_and_crlf_gives_statistics(count):
    data = b"\xef\xbb\xbf" + lines(*GOOD, {**chat("Hi 3"), "messages": [{"role": "system", "content": "Be kind."}, *chat("Hi 3")["messages"]]}).replace(b"\n", b"\r\n")
    report = validate_jsonl([data[i:i + 5] for i in range(0, len(data), 5)], count_tokens=count, limits=LIMITS)
    assert report.ok, report.errors
    stats = report.stats
    assert stats["examples"] == 3 and stats["format"] == "chat"
    assert stats["roles"] == {"system": 1, "user": 3, "assistant": 3}
    assert stats["examples_with_system_message"] == 1
    assert stats["tokens"]["total"] > stats["tokens"]["trained"] > 0
    assert stats["tokens"]["max"] >= stats["tokens"]["mean"] >= stats["tokens"]["min"] > 0


def test_token_counts_come_from_the_base_models_tokenizer(count):
    tok = tokens.tokenizer_for(tokens.conf.tokenizer_model())
    example = chat("What is the capital of France?", "Paris.")
    rendered = tok.apply_chat_template(example["messages"], tokenize=False)
    assert count("chat", example)[0] == len(tok(rendered, add_special_tokens=False)["input_ids"])


def test_preference_files_validate(count):
    pairs = [{**PREF, "input": {"messages": [{"role": "user", "content": f"Greet me {i}"}]}} for i in range(3)]
    report = validate_jsonl([lines(*pairs)], count_tokens=count, limits=LIMITS)
    assert report.ok and report.format == "preference" and report.stats["examples"] == 3


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["messages", "role", "content", "weight", "input", "preferred_output", "non_preferred_output", "x"]) | st.text(max_size=5),
        children, max_size=4,
    ),
    max_leaves=20,
)
messages = st.lists(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "user", "assistant", "tool", ""]), "content": st.text(max_size=30) | st.none()},
        optional={"weight": st.sampled_from([0, 1, 2, True, "1", None])},
    ),
    max_size=4,
)


def _bounded(data: bytes, count) -> None:
    started = time.monotonic()
    report = validate_jsonl([data], count_tokens=count, limits=LIMITS)
    assert time.monotonic() - started < 5
    assert set(e["code"] for e in report.errors) <= set(ERROR_CODES)
    assert report.ok == (report.error_count == 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_random_bytes_only_ever_give_a_report(count, data):
    _bounded(data, count)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(json_values, min_size=0, max_size=8))
def test_random_json_only_ever_gives_a_report(count, values):
    _bounded(b"\n".join(json.dumps(v).encode() for v in values), count)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(messages, min_size=1, max_size=6))
def test_random_chats_only_ever_give_a_report(count, chats):
    _bounded(b"\n".join(json.dumps({"messages": m}).encode() for m in chats), count)


def test_deeply_nested_and_huge_number_lines_are_invalid_json(count):
    data = lines(*GOOD, b"[" * 5000 + b"]" * 5000, b"1" * 5000)
    found = codes(data, count, Limits(**{**LIMITS.__dict__, "max_line_bytes": 12000}))
    assert found == ["invalid_json", "invalid_json"]
