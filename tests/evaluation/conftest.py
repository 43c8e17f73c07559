import base64

import pytest

# Small, fixed subsets of every suite: the tiny model runs the real code path in seconds.
# The demo and the real gate use the full sets (tuning/evaluation/conf.py).
TEST_SUITES = {
    "core_items": 60,
    "safety_harmful": 40,
    "safety_benign": 30,
    "generation_harmful": 4,
    "generation_benign": 4,
    "generation_max_new_tokens": 6,
    "target_items": 32,
    "exact_match_items": 4,
    "bootstrap_resamples": 200,
}


@pytest.fixture(autouse=True)
def _evaluation_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TUNEMARKET_EVALUATION_SUITES = dict(TEST_SUITES)
    # A fixed signing key: tests never write the development key into the repository's var/.
    settings.TUNEMARKET_CARD_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    yield
