"""The six seed use cases: reused training sets big enough, a domain evaluation set each, seeded as listings."""
import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from marketplace.models import Listing
from specialists.seed import USE_CASES, read_jsonl


def test_each_use_case_has_40_training_10_validation_chats_and_a_domain_evaluation_set():
    assert [c.code for c in USE_CASES] == ["Med", "Edu", "HR", "AU", "Exec", "CX"]
    for case in USE_CASES:
        train, valid, evals = (read_jsonl(case.training_file), read_jsonl(case.validation_file),
                               read_jsonl(case.eval_file))
        assert len(train) >= 40 and len(valid) >= 10, case.code
        for row in train + valid:
            roles = [m["role"] for m in row["messages"]]
            assert roles[-1] == "assistant" and "user" in roles, case.code
        assert len(evals) >= 5 and all(r["messages"][0]["content"].strip() for r in evals), case.code
        assert case.meta["kind"] == "benign" and case.meta["domain"] == case.domain


@pytest.mark.django_db
def test_seeding_makes_one_listing_per_use_case_with_its_evaluation_set_once(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_specialist_listings", stdout=io.StringIO())
        call_command("seed_specialist_listings", stdout=io.StringIO())
    listings = Listing.objects.filter(title__contains=" specialist: ")
    assert sorted(listings.values_list("domain", flat=True)) == sorted(c.domain for c in USE_CASES)
    for listing in listings:
        assert listing.status == "published" and listing.domain_eval_rows >= 5
