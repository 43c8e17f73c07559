"""One training-settings schema: a listing's recipe, a job's hyper-parameters and the backend's
TrainingConfig accept exactly the same ranges (tuning.backends.base.HYPERPARAMETER_RANGES)."""
import pytest

from core.errors import DomainError
from tests.tuning.factories import make_job, make_listing
from tuning.backends.base import HYPERPARAMETER_RANGES, LORA_RANGES, InvalidTrainingConfig, TrainingConfig

pytestmark = pytest.mark.django_db

SUPERVISED = ("n_epochs", "batch_size", "learning_rate_multiplier")


def _outside(name: str) -> list[float]:
    kind, low, high = HYPERPARAMETER_RANGES[name]
    step = 1 if kind is int else low / 2
    return [low - step, high + (1 if kind is int else high)]


@pytest.mark.parametrize("name", SUPERVISED)
def test_a_recipe_default_at_each_bound_reaches_the_job_unchanged(name):
    for bound in HYPERPARAMETER_RANGES[name][1:]:
        listing = make_listing(recipe={"hyperparameters": {name: bound}})
        job = make_job(listing=listing, hyperparameters={})
        assert job.hyperparameters[name] == bound, (name, bound, job.hyperparameters)


@pytest.mark.parametrize("name", SUPERVISED)
def test_outside_the_range_the_listing_the_job_and_the_backend_all_refuse(name):
    for value in _outside(name):
        with pytest.raises(DomainError) as listing_error:
            make_listing(recipe={"hyperparameters": {name: value}})
        assert listing_error.value.param == f"recipe.hyperparameters.{name}"
        with pytest.raises(DomainError) as job_error:
            make_job(hyperparameters={name: value})
        assert job_error.value.param == f"hyperparameters.{name}"
        with pytest.raises(InvalidTrainingConfig):
            TrainingConfig(base_model="tiny-smollm2", **{name: value})


def test_the_multiplier_that_once_drifted_is_refused_at_the_listing_with_the_jobs_message():
    """5e-4 used to be accepted by listings and then silently replaced by "auto" in every job."""
    with pytest.raises(DomainError) as exc:
        make_listing(recipe={"hyperparameters": {"learning_rate_multiplier": 5e-4}})
    assert "between 0.001 and 10" in str(exc.value)


@pytest.mark.parametrize("name", sorted(LORA_RANGES))
def test_lora_settings_share_one_range_between_listing_and_backend(name):
    kind, low, high = LORA_RANGES[name]
    make_listing(recipe={"lora": {name: kind(high)}})
    TrainingConfig(base_model="tiny-smollm2", **{f"lora_{name}": kind(high)})
    over = high + 1 if kind is int else high + 0.1
    with pytest.raises(DomainError):
        make_listing(recipe={"lora": {name: over}})
    with pytest.raises(InvalidTrainingConfig):
        TrainingConfig(base_model="tiny-smollm2", **{f"lora_{name}": over})
