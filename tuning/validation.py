"""Dataset validation: JSONL in, a report with line-level errors and statistics out.

Pure Python (no Django, no model): the caller streams the file's bytes in and passes a
token counter. Memory stays bounded whatever the input: a line longer than the limit is
skipped without being kept, reading stops after the line limit, and only one 8-byte digest
per example is kept (for duplicates and for the train/validation overlap check).

Two formats, as in OpenAI's fine-tuning API:
- chat (supervised): {"messages": [{"role": "system"|"user"|"assistant", "content": str,
  "weight"?: 0|1 (assistant only)}, ...]}
- preference (DPO): {"input": {"messages": [...]}, "preferred_output": [{"role": "assistant",
  "content": str}], "non_preferred_output": [...]}

and one of Tunemarket's own, the labelled items of a calibration job (docs/calibration.md):
- calibration: {"question": str, "choices": [str, ...], "answer": int | str} (multiple choice: the
  gold option by index or by its text) or {"question": str, "answers": [str, ...]} (a short answer
  and every answer accepted for it).

Every problem is reported as {"line", "code", "message"}; the codes are in ERROR_CODES.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("system", "user", "assistant")
CHAT = "chat"
PREFERENCE = "preference"
CALIBRATION = "calibration"
# The limits of one labelled item (calibration files).
ITEM_MAX_QUESTION_CHARS = 4000
ITEM_MAX_CHOICES = 10
ITEM_MAX_ANSWERS = 20
ITEM_MAX_ANSWER_CHARS = 500

ERROR_CODES = {
    "encoding": "The line is not valid UTF-8.",
    "line_too_long": "The line is longer than the byte limit.",
    "too_many_lines": "The file has more lines than allowed.",
    "invalid_json": "The line is not valid JSON.",
    "invalid_format": "The line is not a JSON object.",
    "mixed_formats": "Chat, preference or calibration examples are mixed in one file.",
    "invalid_item": "A labelled calibration item is malformed (question, choices and answer, or answers).",
    "missing_messages": "The example has no 'messages' (or 'input.messages') list.",
    "invalid_messages": "'messages' is not a non-empty list.",
    "invalid_message": "A message is not a JSON object.",
    "unrecognized_role": "A message's role is not system, user or assistant.",
    "missing_content": "A message has no text content.",
    "invalid_weight": "A weight is not 0 or 1, or is on a message that is not an assistant's.",
    "invalid_turn_order": "The conversation does not start with a user message (after any system message).",
    "no_assistant_message": "The example has no assistant message to learn from.",
    "invalid_preference_output": "preferred_output / non_preferred_output is not one assistant message.",
    "identical_outputs": "The preferred and non-preferred outputs are identical.",
    "too_long": "The example has more tokens than allowed.",
    "untokenizable": "The example's text cannot be tokenized.",
    "duplicate_example": "The example repeats an earlier line.",
    "too_few_examples": "The file has fewer valid examples than required.",
    "too_many_tokens": "The file has more tokens in total than allowed.",
}

# The `perspectives` technique's structure (tuning/perspectives.py renders the same): every assistant
# answer is at least two "## <viewpoint>" sections, each with text, then a final "## Synthesis" section.
PERSPECTIVES_MIN_VIEWPOINTS = 2
PERSPECTIVES_MAX_REPORTED = 50
_HEADING = re.compile(r"^## +(.+?)\s*$", re.M)


def perspectives_problem(answer: str) -> str | None:
    """Why an assistant answer is not in the perspectives structure, or None when it is."""
    headings = list(_HEADING.finditer(answer or ""))
    if not headings or answer[: headings[0].start()].strip():
        return "The answer must start with a '## <viewpoint>' heading."
    names = [h.group(1).strip() for h in headings]
    if names[-1].lower() != "synthesis":
        return "The last section must be '## Synthesis'."
    viewpoints = names[:-1]
    if len(viewpoints) < PERSPECTIVES_MIN_VIEWPOINTS:
        return f"The answer needs at least {PERSPECTIVES_MIN_VIEWPOINTS} viewpoint sections before the synthesis."
    if len({v.lower() for v in viewpoints}) != len(viewpoints) or "synthesis" in {v.lower() for v in viewpoints}:
        return "Viewpoint headings must be distinct."
    ends = [h.start() for h in headings[1:]] + [len(answer)]
    if any(not answer[h.end():end].strip() for h, end in zip(headings, ends)):
        return "Every section needs text under its heading."
    return None


BOM = b"\xef\xbb\xbf"
DIGEST_BYTES = 8


@dataclass(frozen=True)
class Limits:
    min_examples: int = 10
    max_lines: int = 100_000
    max_line_bytes: int = 1024 * 1024
    max_example_tokens: int = 2048
    max_total_tokens: int = 50_000_000
    max_errors: int = 50


@dataclass
class Report:
    format: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    digests: list[bytes] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "error_count": self.error_count,
            "errors": self.errors,
            "warnings": self.warnings,
            "stats": self.stats,
        }

    def summary(self) -> str:
        if self.ok:
            return ""
        first = self.errors[0]
        where = f"line {first['line']}: " if first.get("line") else ""
        more = f" ({self.error_count} errors in all)" if self.error_count > 1 else ""
        return f"Invalid file: {where}{first['message']}{more}"


class ExampleError(Exception):
    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


# Counts an example's tokens: (total tokens, tokens of trained assistant turns).
TokenCounter = Callable[[str, dict[str, Any]], tuple[int, int]]


def canonical_digest(example: Any) -> bytes:
    """Same example, same digest, whatever the key order or whitespace of its line.

    Raises UnicodeEncodeError for text holding an unpaired surrogate (a JSON escape such as
    "\\ud800" that stands for no character).
    """
    text = json.dumps(example, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()[:DIGEST_BYTES]


def _check_messages(messages: Any, *, allow_weight: bool) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise ExampleError("invalid_messages", "'messages' must be a non-empty list of messages.")
    for n, message in enumerate(messages):
        if not isinstance(message, dict):
            raise ExampleError("invalid_message", f"Message {n} must be a JSON object.")
        role = message.get("role")
        if role not in ROLES:
            shown = json.dumps(role)[:40] if role is not None else "missing"
            raise ExampleError(
                "unrecognized_role", f"Message {n} has role {shown}; expected one of system, user, assistant."
            )
        content = message.get("content")
        if not isinstance(content, str) or (role != "system" and not content.strip()):
            raise ExampleError("missing_content", f"Message {n} ({role}) must have non-empty text 'content'.")
        if "weight" in message:
            weight = message["weight"]
            if not allow_weight:
                raise ExampleError("invalid_weight", f"Message {n}: weights are not allowed here.")
            if role != "assistant":
                raise ExampleError("invalid_weight", f"Message {n}: only assistant messages may carry a weight.")
            if isinstance(weight, bool) or weight not in (0, 1):
                raise ExampleError("invalid_weight", f"Message {n}: weight must be 0 or 1.")
    first = next((m for m in messages if m["role"] != "system"), None)
    if first is None or first["role"] != "user":
        raise ExampleError(
            "invalid_turn_order", "The conversation must start with a user message (after any system message)."
        )
    return messages


def _item_text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ExampleError("invalid_item", f"{what} must be a non-empty string.")
    if len(value) > limit:
        raise ExampleError("invalid_item", f"{what} is longer than {limit} characters.")
    return value.strip()


def calibration_item(obj: Any) -> dict[str, Any]:
    """A labelled item, checked and normalised: ``question``, ``choices`` (None for a short answer),
    ``gold`` (the gold option's index, or None) and ``answers`` (the accepted answers: the gold option's
    text for a multiple-choice item). Raises ExampleError naming what is wrong."""
    if not isinstance(obj, dict):
        raise ExampleError("invalid_format", "Each line must be a JSON object.")
    unknown = sorted(set(obj) - {"question", "choices", "answer", "answers", "id"})
    if unknown:
        raise ExampleError("invalid_item", f"Unknown field(s) {', '.join(map(repr, unknown))}; an item has question, "
                           "choices and answer (multiple choice) or question and answers (short answer).")
    question = _item_text(obj.get("question"), "'question'", ITEM_MAX_QUESTION_CHARS)
    if "choices" in obj:
        if "answers" in obj:
            raise ExampleError("invalid_item", "Give 'choices' with 'answer', or 'answers', not both.")
        choices = obj["choices"]
        if not isinstance(choices, list) or not 2 <= len(choices) <= ITEM_MAX_CHOICES:
            raise ExampleError("invalid_item", f"'choices' must be a list of 2 to {ITEM_MAX_CHOICES} options.")
        choices = [_item_text(c, f"choice {k}", ITEM_MAX_ANSWER_CHARS) for k, c in enumerate(choices)]
        if len(set(choices)) != len(choices):
            raise ExampleError("invalid_item", "The options in 'choices' must be distinct.")
        answer = obj.get("answer")
        if isinstance(answer, bool) or answer is None:
            raise ExampleError("invalid_item", "A multiple-choice item needs 'answer': the gold option's index or text.")
        if isinstance(answer, int):
            if not 0 <= answer < len(choices):
                raise ExampleError("invalid_item", f"'answer' {answer} is not an index of 'choices' (0 to {len(choices) - 1}).")
            gold = answer
        elif isinstance(answer, str) and answer.strip() in choices:
            gold = choices.index(answer.strip())
        else:
            raise ExampleError("invalid_item", "'answer' must be the index of the gold option or its exact text.")
        return {"question": question, "choices": choices, "gold": gold, "answers": [choices[gold]]}
    if "answer" in obj:
        raise ExampleError("invalid_item", "'answer' belongs to a multiple-choice item (with 'choices'); a short-answer "
                           "item lists 'answers'.")
    answers = obj.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= ITEM_MAX_ANSWERS:
        raise ExampleError("invalid_item", f"'answers' must be a list of 1 to {ITEM_MAX_ANSWERS} accepted answers.")
    answers = [_item_text(a, f"answer {k}", ITEM_MAX_ANSWER_CHARS) for k, a in enumerate(answers)]
    return {"question": question, "choices": None, "gold": None, "answers": answers}


def item_messages(item: dict[str, Any]) -> list[dict[str, str]]:
    """A normalised item as the chat it is asked in (the user's question) and its gold answer."""
    question = item["question"]
    if item["choices"]:
        question = f"{question}\nOptions: {'; '.join(item['choices'])}\nAnswer with one of the options."
    return [{"role": "user", "content": question}, {"role": "assistant", "content": item["answers"][0]}]


def check_example(obj: Any) -> tuple[str, dict[str, Any]]:
    """The example's format and a small structural summary, or ExampleError."""
    if not isinstance(obj, dict):
        raise ExampleError("invalid_format", "Each line must be a JSON object.")
    if "question" in obj:
        return CALIBRATION, {"messages": item_messages(calibration_item(obj))}
    if "messages" in obj:
        messages = _check_messages(obj["messages"], allow_weight=True)
        trained = [m for m in messages if m["role"] == "assistant" and m.get("weight", 1) == 1]
        if not trained:
            has_any = any(m["role"] == "assistant" for m in messages)
            raise ExampleError(
                "no_assistant_message",
                "Every assistant message has weight 0: nothing to learn." if has_any
                else "The example has no assistant message.",
            )
        return CHAT, {"messages": messages}
    if "input" in obj or "preferred_output" in obj or "non_preferred_output" in obj:
        prompt = obj.get("input")
        if not isinstance(prompt, dict) or "messages" not in prompt:
            raise ExampleError("missing_messages", "A preference example needs 'input': {'messages': [...]}.")
        messages = _check_messages(prompt["messages"], allow_weight=False)
        if messages[-1]["role"] != "user":
            raise ExampleError("invalid_turn_order", "The preference prompt must end with a user message.")
        answers = []
        for key in ("preferred_output", "non_preferred_output"):
            out = obj.get(key)
            if (
                not isinstance(out, list)
                or len(out) != 1
                or not isinstance(out[0], dict)
                or out[0].get("role") != "assistant"
                or not isinstance(out[0].get("content"), str)
                or not out[0]["content"].strip()
            ):
                raise ExampleError(
                    "invalid_preference_output", f"'{key}' must be a list holding one assistant message with content."
                )
            answers.append(out[0]["content"])
        if answers[0] == answers[1]:
            raise ExampleError("identical_outputs", "The preferred and non-preferred outputs are identical.")
        return PREFERENCE, {"messages": messages}
    raise ExampleError("missing_messages", "The example has no 'messages' list.")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _strip_bom(chunks: Iterable[bytes]) -> Iterable[bytes]:
    it = iter(chunks)
    head = b""
    for chunk in it:
        head += chunk
        if len(head) >= len(BOM):
            break
    if head.startswith(BOM):
        head = head[len(BOM):]
    if head:
        yield head
    yield from it


def iter_lines(chunks: Iterable[bytes], max_line_bytes: int):
    """(line number, bytes, or None when the line is over the limit) for each line.

    A UTF-8 byte-order mark is dropped and CRLF line ends are accepted. An over-long line
    is skipped without being kept in memory.
    """
    buffer = bytearray()
    overflow = False
    number = 0
    for chunk in _strip_bom(chunks):
        start = 0
        while True:
            nl = chunk.find(b"\n", start)
            if nl < 0:
                if not overflow:
                    buffer += chunk[start:]
                    if len(buffer) > max_line_bytes:
                        overflow = True
                        buffer.clear()
                break
            number += 1
            if overflow or len(buffer) + (nl - start) > max_line_bytes:
                yield number, None
            else:
                buffer += chunk[start:nl]
                yield number, bytes(buffer).removesuffix(b"\r")
            buffer.clear()
            overflow = False
            start = nl + 1
    if overflow:
        yield number + 1, None
    elif buffer:
        yield number + 1, bytes(buffer).removesuffix(b"\r")


def validate_jsonl(chunks: Iterable[bytes], *, count_tokens: TokenCounter | None = None, limits: Limits = Limits()) -> Report:
    report = Report()
    seen: dict[bytes, int] = {}
    tokens: list[int] = []
    trained_tokens = 0
    roles = {r: 0 for r in ROLES}
    messages_total = 0
    with_system = 0
    weight_zero = 0
    lines = blank = 0
    total_bytes = 0
    perspectives_ok = 0
    perspectives_issues: list[dict[str, Any]] = []

    def error(line: int | None, code: str, message: str) -> None:
        report.error_count += 1
        if len(report.errors) < limits.max_errors:
            report.errors.append({"line": line, "code": code, "message": message})

    for number, raw in iter_lines(chunks, limits.max_line_bytes):
        if number > limits.max_lines:
            error(number, "too_many_lines", f"The file has more than {limits.max_lines} lines; stopped reading here.")
            break
        lines = number
        if raw is None:
            error(number, "line_too_long", f"The line is longer than {limits.max_line_bytes} bytes.")
            continue
        total_bytes += len(raw) + 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            error(number, "encoding", f"The line is not valid UTF-8 (byte {exc.start}); save the file as UTF-8.")
            continue
        if not text.strip():
            blank += 1
            continue
        try:
            obj = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            error(number, "invalid_json", "The line's JSON is nested too deeply.")
            continue
        except ValueError as exc:
            error(number, "invalid_json", f"The line is not valid JSON: {str(exc)[:120]}")
            continue
        try:
            digest = canonical_digest(obj)
        except UnicodeEncodeError:
            error(number, "encoding", "The line holds an escaped unpaired surrogate (such as \\ud800), not text.")
            continue
        except RecursionError:
            error(number, "invalid_json", "The line's JSON is nested too deeply.")
            continue
        try:
            kind, summary = check_example(obj)
        except ExampleError as exc:
            error(number, exc.code, exc.message)
            continue
        if report.format is None:
            report.format = kind
        elif kind != report.format:
            error(number, "mixed_formats", f"This is a {kind} example but the file's first example is {report.format}.")
            continue
        if digest in seen:
            error(number, "duplicate_example", f"The example repeats line {seen[digest]}.")
            continue
        if count_tokens is not None:
            try:
                n_tokens, n_trained = count_tokens(kind, obj)
            except Exception as exc:  # a tokenizer failure is the line's problem, not the server's
                error(number, "untokenizable", f"The example's text cannot be tokenized: {str(exc)[:120]}")
                continue
            if n_tokens > limits.max_example_tokens:
                error(number, "too_long", f"The example has {n_tokens} tokens; the limit is {limits.max_example_tokens}.")
                continue
        else:
            n_tokens, n_trained = 0, 0
        seen[digest] = number
        report.digests.append(digest)
        tokens.append(n_tokens)
        trained_tokens += n_trained
        msgs = summary["messages"]
        messages_total += len(msgs) + (2 if kind == PREFERENCE else 0)
        for m in msgs:
            roles[m["role"]] += 1
            if m.get("weight", 1) == 0:
                weight_zero += 1
        if kind == PREFERENCE:
            roles["assistant"] += 2
        if msgs[0]["role"] == "system":
            with_system += 1
        if kind == CHAT:
            answers = [m.get("content") for m in obj["messages"] if m.get("role") == "assistant"]
            problem = next((p for p in (perspectives_problem(a if isinstance(a, str) else "") for a in answers) if p),
                           None)
            if problem is None:
                perspectives_ok += 1
            elif len(perspectives_issues) < PERSPECTIVES_MAX_REPORTED:
                perspectives_issues.append({"line": number, "code": "not_perspectives_format", "message": problem})

    n = len(tokens)
    total = sum(tokens)
    if count_tokens is not None and total > limits.max_total_tokens:
        error(None, "too_many_tokens", f"The file has {total} tokens; the limit is {limits.max_total_tokens}.")
    if n < limits.min_examples:
        error(None, "too_few_examples", f"The file has {n} valid examples; at least {limits.min_examples} are required.")
    if weight_zero:
        report.warnings.append({
            "line": None, "code": "weight_zero_messages",
            "message": f"{weight_zero} assistant messages have weight 0 and are context only.",
        })
    report.stats = {
        "format": report.format,
        "lines": lines,
        "blank_lines": blank,
        "examples": n,
        "bytes": total_bytes,
        "tokens": {
            "total": total,
            "mean": round(total / n, 1) if n else 0,
            "max": max(tokens) if tokens else 0,
            "min": min(tokens) if tokens else 0,
            "trained": trained_tokens,
        },
        "messages": {"total": messages_total, "mean": round(messages_total / n, 2) if n else 0},
        "roles": roles,
        "examples_with_system_message": with_system,
        "weight_zero_messages": weight_zero,
        # How many examples follow the perspectives structure (a `perspectives` job needs all of them),
        # and the first lines that do not, with why.
        "perspectives": {"examples": perspectives_ok, "issues": perspectives_issues},
    }
    return report
