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
