"""The model cache: entries appear whole or not at all, even with several writers."""

from __future__ import annotations

import json

import pytest

from tuning.backends import models


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides tests/conftest.py's autouse fixture, which needs Django's database."""
    yield


def test_entry_is_published_whole_with_its_marker(tmp_path):
    final = tmp_path / "cache" / "thing"

    def build(tmp):
        (tmp / "weights.bin").write_bytes(b"x" * 10)

    assert models._publish(build, final, {"name": "thing"}) == final
    assert (final / "weights.bin").read_bytes() == b"x" * 10
    assert json.loads((final / models._MARKER).read_text())["format"] == models.CACHE_FORMAT
    # No temp dirs are left behind, and the cache dir ignores itself for git.
    assert sorted(p.name for p in final.parent.iterdir()) == [".gitignore", "thing"]


def test_a_failed_build_leaves_nothing(tmp_path):
    final = tmp_path / "thing"

    def build(tmp):
        (tmp / "half.bin").write_bytes(b"x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        models._publish(build, final, {})
    assert not final.exists()
    assert [p.name for p in tmp_path.iterdir()] == [".gitignore"]


def test_a_concurrent_winner_is_kept(tmp_path):
    final = tmp_path / "thing"

    def build(tmp):
        # Another process publishes while this one is still building.
        models._publish(lambda t: (t / "winner").write_text("1"), final, {})
        (tmp / "loser").write_text("2")

    assert models._publish(build, final, {}) == final
    assert (final / "winner").exists() and not (final / "loser").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".thing")] == []


def test_an_entry_without_marker_is_rebuilt(tmp_path):
    final = tmp_path / "thing"
    final.mkdir()
    (final / "stale").write_text("old")
    models._publish(lambda t: (t / "fresh").write_text("new"), final, {})
    assert (final / "fresh").exists() and not (final / "stale").exists()


def test_unknown_base_model_is_refused():
    with pytest.raises(models.UnknownBaseModel, match="known"):
        models.load_model_and_tokenizer("gpt-7")
    with pytest.raises(models.UnknownBaseModel):
        models.model_file_sha256("gpt-7")


def test_base_model_hashes():
    real = models.model_file_sha256(models.SMOLLM2)
    tiny = models.model_file_sha256(models.TINY_SMOLLM2)
    assert len(real) == len(tiny) == 64 and real != tiny
    assert models.gguf_path().name == "SmolLM2-135M-Instruct.Q4_1.gguf"


_CONCURRENT_FIRST_LOADS = """
import json, sys, threading
from tuning.backends import models
barrier, errors = threading.Barrier(16), []
def first_load():
    barrier.wait()
    try:
        models.load_tokenizer("tiny-smollm2")
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=first_load) for _ in range(16)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(errors))
"""


@pytest.mark.slow
def test_threads_loading_a_tokenizer_for_the_first_time_at_once_all_get_it():
    """The first tokenizer loads of a fresh process, from 8 threads at once (gunicorn's threads on the first
    uploads): transformers' lazy import raced and some threads got "cannot import name 'AutoTokenizer'"
    (a 500 on POST /v1/files in bench/load_fault). Each process is fresh, since only the first import races;
    before the fix most of these processes saw the error."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", _CONCURRENT_FIRST_LOADS], cwd=models.REPO_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        assert json.loads(out.strip().splitlines()[-1]) == [], out
