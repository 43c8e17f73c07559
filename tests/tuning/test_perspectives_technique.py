"""The `perspectives` technique: supervised tuning on multi-viewpoint answers, whose structure is validated
line by line like every other rule of the data."""
from __future__ import annotations

import pytest

from core.errors import DomainError
from tests.tuning.factories import jsonl, licensed_customer, make_job, make_listing
from tuning import perspectives
from tuning.models import FineTuningJob
from tuning.validation import perspectives_problem, validate_jsonl

QUESTIONS = ["Should visiting hours be longer?", "Should the ward buy a new scanner?", "Should nurses work 12-hour shifts?",
             "Should patients see their notes online?", "Should the clinic open at weekends?",
             "Should the canteen serve only healthy food?", "Should parking be free for patients?",
             "Should the hospital ban phones on wards?", "Should appointments be by video by default?",
             "Should waiting lists be published?", "Should volunteers help on wards?", "Should the shop sell sweets?"]


def perspectives_example(question: str) -> dict:
    answer = perspectives.render(
        [("Patient", "Patients value comfort and being heard."), ("Clinician", "Clinicians weigh evidence and risk."),
         ("Administrator", "Administrators weigh budgets and fairness.")],
        "They agree that patients' safety comes first; they disagree on cost and timing.")
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def test_the_structure_is_the_one_the_chat_renders_and_each_problem_is_named():
    assert perspectives_problem(perspectives_example("Q?")["messages"][1]["content"]) is None
    assert "start with" in perspectives_problem("Yes, definitely.")
    assert "Synthesis" in perspectives_problem("## Patient\nA.\n\n## Clinician\nB.")
    assert "at least 2" in perspectives_problem("## Patient\nA.\n\n## Synthesis\nC.")
    assert "text under" in perspectives_problem("## Patient\n\n## Clinician\nB.\n\n## Synthesis\nC.")
    assert "distinct" in perspectives_problem("## Patient\nA.\n\n## patient\nB.\n\n## Synthesis\nC.")


def test_validation_counts_the_examples_in_the_structure_and_lists_the_lines_that_are_not():
    rows = [perspectives_example(q) for q in QUESTIONS]
    rows[3] = {"messages": [{"role": "user", "content": "Should we?"}, {"role": "assistant", "content": "Yes."}]}
    report = validate_jsonl([jsonl(rows)])
    assert report.ok  # a plain chat file is still valid chat data
    stats = report.stats["perspectives"]
    assert stats["examples"] == len(rows) - 1
    assert stats["issues"] == [{"line": 4, "code": "not_perspectives_format",
                                "message": "The answer must start with a '## <viewpoint>' heading."}]


@pytest.mark.django_db
def test_a_perspectives_job_trains_only_on_data_in_the_structure():
    customer = licensed_customer()
    listing = make_listing(techniques=("supervised", "perspectives"))
    good = [perspectives_example(q) for q in QUESTIONS]
    job = make_job(customer=customer, listing=listing, content=jsonl(good), method={"type": "perspectives"})
    assert job.method == {"type": "perspectives"} and job.training_config["method"] == "supervised"
    bad = good[:-1] + [{"messages": [{"role": "user", "content": "Should we?"},
                                     {"role": "assistant", "content": "Yes, always."}]}]
    before = FineTuningJob.objects.count()
    with pytest.raises(DomainError) as info:
        make_job(customer=customer, listing=listing, content=jsonl(bad), method={"type": "perspectives"})
    assert info.value.code == "invalid_file" and "line 12" in info.value.message
    assert FineTuningJob.objects.count() == before
    # a listing that does not offer the technique refuses it
    with pytest.raises(DomainError) as info:
        make_job(customer=customer, listing=make_listing(), content=jsonl(good), method={"type": "perspectives"})
    assert info.value.code == "method_not_offered"
